"""HTML documentation of the ontology, generated with pyLODE.

What pyLODE is given, and what is added to its page:

- pyLODE shows one label per term and runs several together ("Program计划"), so each term's English and
  Chinese labels are first joined into one ("Program · 计划"): both languages stay visible.
- It would print the ontology's two titles as one ("…networksmicgraph 本体…"): it gets the English one, and
  the page shows the Chinese one under it, each marked with its language.
- It lists terms in the order the graph yields them: the graph it reads is built with micgraph's own
  terms first, sorted by label, so each section is in alphabetical order.
- The terms micgraph reuses from other vocabularies (prov:Plan, prov:Entity, dcat:Dataset…; declared in
  the ontology to keep it OWL 2 DL) are not documented as if they were micgraph's: they are listed apart,
  in a section of their own, with the micgraph terms that refine them.

The ontology itself (Turtle, JSON-LD context) is copied next to the page.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import bundle, namespaces

LABEL_SEPARATOR = " · "
# What pyLODE documents, and how the reused-terms section names each kind.
KINDS = (
    ("Class", "Classes"),
    ("ObjectProperty", "Object properties"),
    ("DatatypeProperty", "Datatype properties"),
    ("AnnotationProperty", "Annotation properties"),
)
REFINES = (("subClassOf", "subclass"), ("subPropertyOf", "subproperty"))


def bilingual_labels(graph):
    """A copy of `graph` where each subject's @en and @zh rdfs:labels become one label "en · zh"."""
    from rdflib import RDFS, Graph, Literal

    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace)
    labels: dict = {}
    for s, p, o in graph:
        if p == RDFS.label and isinstance(o, Literal) and o.language in ("en", "zh"):
            labels.setdefault(s, {})[o.language] = str(o)
        else:
            out.add((s, p, o))
    for subject, by_language in labels.items():
        text = LABEL_SEPARATOR.join(by_language[lang] for lang in ("en", "zh") if lang in by_language)
        out.add((subject, RDFS.label, Literal(text, lang="en")))
    return out


def _sort_key(graph, term) -> tuple:
    from rdflib import RDFS

    label = next((str(o) for o in graph.objects(term, RDFS.label)), str(term).rsplit("#", 1)[-1])
    return (label.casefold(), str(term))


def documented_graph(graph):
    """The graph pyLODE reads: bilingual labels; micgraph's own terms first, each kind sorted by label (pyLODE
    lists them in the order the graph yields them); the terms of other vocabularies not typed as
    classes or properties (they get their own section, `reused_terms`); the ontology's English title only."""
    from rdflib import OWL, RDF, Graph, URIRef
    from rdflib.namespace import DCTERMS

    labelled = bilingual_labels(graph)
    kinds = [OWL[kind] for kind, _ in KINDS]
    ours = sorted(
        {
            t
            for kind in kinds
            for t in labelled.subjects(RDF.type, kind)
            if isinstance(t, URIRef) and str(t).startswith(namespaces.MIC)
        },
        key=lambda t: _sort_key(labelled, t),
    )
    reused = {
        t
        for kind in kinds
        for t in labelled.subjects(RDF.type, kind)
        if isinstance(t, URIRef) and not str(t).startswith(namespaces.MIC)
    }
    out = Graph()
    for prefix, namespace in labelled.namespaces():
        out.bind(prefix, namespace)
    first = set(ours)
    for term in ours:
        for p, o in sorted(labelled.predicate_objects(term)):
            out.add((term, p, o))
    for s, p, o in labelled:
        if s in first or (s in reused and p == RDF.type and o in kinds):
            continue
        if p == DCTERMS.title and (s, RDF.type, OWL.Ontology) in labelled and getattr(o, "language", None) != "en":
            continue
        out.add((s, p, o))
    return out


def reused_terms(graph, background) -> list[dict]:
    """The classes and properties of other vocabularies the ontology declares: kind, IRI, compact IRI,
    their own name (from pyLODE's copies of those vocabularies, else the IRI's last part) and the
    micgraph terms that are subclasses or subproperties of them, sorted by compact IRI."""
    from rdflib import OWL, RDF, RDFS, URIRef
    from rdflib.namespace import DCTERMS, SKOS

    found = []
    for kind, heading in KINDS:
        for term in set(graph.subjects(RDF.type, OWL[kind])):
            if not isinstance(term, URIRef) or str(term).startswith(namespaces.MIC):
                continue
            names = [
                str(o)
                for p in (RDFS.label, SKOS.prefLabel, DCTERMS.title)
                for source in (background, graph)
                for o in source.objects(term, p)
                if getattr(o, "language", None) in (None, "en")
            ]
            refined_by = sorted(
                {
                    (str(s), relation)
                    for axiom, relation in REFINES
                    for s in graph.subjects(RDFS[axiom], term)
                    if str(s).startswith(namespaces.MIC)
                }
            )
            found.append(
                {
                    "kind": heading,
                    "iri": str(term),
                    "compact": namespaces.compact(str(term)),
                    "name": names[0] if names else str(term).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1],
                    "refined_by": refined_by,
                }
            )
    return sorted(found, key=lambda t: ([k for _, k in KINDS].index(t["kind"]), t["compact"].casefold()))


def ontology_html(ontology_path: Path | None = None) -> str:
    from rdflib import Graph

    graph = Graph().parse(ontology_path or bundle.ontology_path())
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)  # pyLODE logs progress on the root logger
    try:
        publication = _publication_class()(documented_graph(graph), original=graph)
        return anchor_local_names(publication.make_html())
    finally:
        logging.disable(previous)


def _publication_class():
    """pyLODE's OntPub, with the Chinese title under the English one and the reused terms apart (its page
    is a dominate document tree: the additions are made to that tree, not to the HTML text)."""
    from dominate.tags import a, code, div, h2, h3, h4, li, p, table, tbody, td, th, thead, tr, ul
    from pylode import OntPub
    from rdflib import OWL, RDF
    from rdflib.namespace import DCTERMS

    class MicgraphOntPub(OntPub):
        def __init__(self, ontology, *, original) -> None:
            self.original = original
            super().__init__(ontology=ontology)

        def _make_metadata(self):
            super()._make_metadata()
            section = next(
                child for child in self.content.children if getattr(child, "attributes", {}).get("id") == "metadata"
            )
            section.children[0]["lang"] = "en"  # the h1: the English title alone
            titles = sorted(
                str(t)
                for ontology in self.original.subjects(RDF.type, OWL.Ontology)
                for t in self.original.objects(ontology, DCTERMS.title)
                if getattr(t, "language", None) == "zh"
            )
            for position, title in enumerate(titles, start=1):
                subtitle = p(title, lang="zh", _class="subtitle")
                section.children.insert(position, subtitle)
                subtitle.parent = section

        def _make_main_sections(self):
            super()._make_main_sections()
            self.reused = reused_terms(self.original, self.back_onts)
            if not self.reused:
                return
            section = div(id="reused", _class="section")
            section.add(h2("Terms reused from other vocabularies"))
            section.add(
                p(
                    "micgraph declares these classes and properties of other vocabularies so that the ontology "
                    "stays OWL 2 DL; it does not define them. Each is documented by its own vocabulary."
                )
            )
            for _, heading in KINDS:
                terms = [t for t in self.reused if t["kind"] == heading]
                if not terms:
                    continue
                section.add(h3(heading))
                body = tbody()
                for term in terms:
                    refined = td()
                    for i, (iri, relation) in enumerate(term["refined_by"]):
                        local = iri[len(namespaces.MIC) :]
                        refined.add(
                            a(f"mic:{local}", href=f"#{local}"),
                            f" ({relation})" + (", " if i + 1 < len(term["refined_by"]) else ""),
                        )
                    body.add(tr(td(a(code(term["compact"]), href=term["iri"])), td(term["name"]), refined))
                section.add(
                    table(thead(tr(th("Term"), th("Name"), th("Refined in micgraph by"))), body, _class="reused")
                )
            self.content.add(section)

        def _make_toc(self):
            super()._make_toc()
            if not getattr(self, "reused", None):
                return
            [toc] = self.doc.get(id="toc")
            [first] = toc.get(ul, cls="first")
            entry = li(h4(a("Reused terms", href="#reused")))
            entry.add(ul([li(a(t["compact"], href=t["iri"])) for t in self.reused], _class="second"))
            # before Namespaces and Legend, after the last section of terms
            position = next(
                (
                    i
                    for i, item in enumerate(first.children)
                    if any(getattr(x, "attributes", {}).get("href") == "#namespaces" for x in item.get(a))
                ),
                len(first.children),
            )
            first.children.insert(position, entry)
            entry.parent = first

    return MicgraphOntPub


def anchor_local_names(html: str) -> str:
    """Give each term's section an anchor named after the term's local name as well: pyLODE names its
    anchors after labels, but `https://w3id.org/micgraph/ontology#Term` must land on #Term."""
    import re

    entity = re.compile(r'<div class="[^"]*\bentity\b[^"]*" id="([^"]*)">')
    ids = set(re.findall(r'\bid="([^"]*)"', html))
    code = re.compile(r"<code>" + re.escape(namespaces.MIC) + r"([^<\s]+)</code>")
    insertions = []
    for found in entity.finditer(html):
        following = code.search(html, found.end())
        upcoming = entity.search(html, found.end())
        if following is None or (upcoming is not None and following.start() > upcoming.start()):
            continue
        local = following.group(1)
        if local not in ids:
            ids.add(local)
            insertions.append((found.end(), f'<span id="{local}"></span>'))
    for position, anchor in reversed(insertions):
        html = html[:position] + anchor + html[position:]
    return html


def write_docs(directory: str | Path, *, force: bool = False) -> list[Path]:
    """Write index.html, micgraph.ttl and context.jsonld into `directory` (output.write_folder: only these
    files, each atomically; a folder holding files micgraph did not write is refused unless `force`)."""
    from .output import check_folder, write_folder

    check_folder(directory, force=force)  # before the minutes pyLODE may take
    files = {
        "index.html": ontology_html().encode("utf-8"),
        "micgraph.ttl": bundle.ontology_path().read_bytes(),
        "context.jsonld": (bundle.root() / "ontology" / "context.jsonld").read_bytes(),
    }
    return write_folder(directory, files, force=force)
