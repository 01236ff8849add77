"""Linksets: micgraph's links to other datasets (Wikidata, DBpedia, GeoNames, ROR) and its ISIC codes, listed
and checked.

A link is a triple `micgraph-resource P external-IRI` where P is an identity or mapping predicate
(owl:sameAs, owl:equivalentClass/Property, skos:exactMatch/closeMatch/broadMatch/narrowMatch/relatedMatch).
Its provenance is an OWL 2 axiom annotation: an `owl:Axiom` whose owl:annotatedSource/Property/Target
repeat the link, with `dcterms:source` naming the public page or file that states the identifier. Each
file in data/links/ describes its links as `void:Linkset`s, one per link predicate, whose `void:triples`
is the number of links.

ISIC Rev.4 has no Linked Data IRIs of the UN's: its divisions are concepts micgraph mints under
`https://w3id.org/micgraph/id/isic-rev4-NN` (data/isic.ttl), and industries link to them with skos:narrowMatch
(data/links/isic.ttl). Those links are the `isic` target and are checked like the others.
docs/federation.md explains the design.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import namespaces
from .errors import UsageError
from .query import SelectResult, Term

OWL, SKOS, RDF = namespaces.OWL, namespaces.SKOS, namespaces.RDF
VOID, DCTERMS = namespaces.VOID, namespaces.DCTERMS
IDENTITY = (OWL + "sameAs", OWL + "equivalentClass", OWL + "equivalentProperty", SKOS + "exactMatch")
MAPPING = (SKOS + "closeMatch", SKOS + "broadMatch", SKOS + "narrowMatch", SKOS + "relatedMatch")
LINK_PREDICATES = IDENTITY + MAPPING
MICGRAPH_SPACE = "https://w3id.org/micgraph/"
ISIC_SPACE = namespaces.MICR + "isic-rev4-"  # micgraph's SKOS rendering of ISIC Rev.4 (data/isic.ttl): a link target


@dataclass(frozen=True)
class Target:
    """A dataset micgraph links to: the hosts its IRIs live on and the form of its identifier IRIs."""

    name: str
    title: str
    hosts: tuple[str, ...]
    form: re.Pattern
    form_text: str


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target(
            "wikidata",
            "Wikidata",
            ("www.wikidata.org", "wikidata.org", "m.wikidata.org"),
            re.compile(r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*"),
            "http://www.wikidata.org/entity/Q…",
        ),
        Target(
            "dbpedia",
            "DBpedia",
            ("dbpedia.org", "www.dbpedia.org"),
            re.compile(r"http://dbpedia\.org/resource/[^\s<>\"{}|\\^`#?]+"),
            "http://dbpedia.org/resource/Name",
        ),
        Target(
            "geonames",
            "GeoNames",
            ("sws.geonames.org", "www.geonames.org", "geonames.org"),
            re.compile(r"https://sws\.geonames\.org/[1-9][0-9]*/"),
            "https://sws.geonames.org/N/",
        ),
        Target(
            "isic",
            "ISIC Rev.4 division",
            (),
            re.compile(re.escape(ISIC_SPACE) + r"(0[1-9]|[1-9][0-9])"),
            ISIC_SPACE + "NN",
        ),
        Target(
            "ror",
            "ROR",
            ("ror.org", "www.ror.org"),
            re.compile(r"https://ror\.org/0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}"),
            "https://ror.org/0xxxxxxNN",
        ),
    )
}


def target_of(iri: str) -> str | None:
    """The target an IRI belongs to by its host (whether or not it is well formed), or None."""
    if iri.startswith(ISIC_SPACE):
        return "isic"
    match = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#:]+)", iri)
    host = match.group(1).lower() if match else ""
    return next((t.name for t in TARGETS.values() if host in t.hosts), None)


@dataclass(frozen=True)
class Link:
    subject: str
    predicate: str
    object: str
    target: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class LinkProblem:
    kind: str  # iri-form, two-ids, shared-id, no-subject, no-provenance, no-linkset, linkset-count
    subject: str
    object: str
    detail: str


@dataclass
class LinkReport:
    links: list[Link]
    problems: list[LinkProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_LINKS = f"""
SELECT ?s ?p ?o ?source WHERE {{
  VALUES ?p {{ {" ".join(f"<{p}>" for p in LINK_PREDICATES)} }}
  ?s ?p ?o .
  FILTER(isIRI(?s) && isIRI(?o) && STRSTARTS(STR(?s), "{MICGRAPH_SPACE}")
         && (!STRSTARTS(STR(?o), "{MICGRAPH_SPACE}") || STRSTARTS(STR(?o), "{ISIC_SPACE}")))
  OPTIONAL {{ ?axiom a owl:Axiom ; owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o ;
                     dcterms:source ?source }}
}}"""
_TYPED = "SELECT DISTINCT ?s WHERE { ?s a ?class }"
_LINKSETS = """
SELECT ?linkset ?predicate ?space ?triples WHERE {
  ?linkset a void:Linkset .
  OPTIONAL { ?linkset void:linkPredicate ?predicate }
  OPTIONAL { ?linkset void:objectsTarget/void:uriSpace ?space }
  OPTIONAL { ?linkset void:triples ?triples }
}"""


def _check_target(target: str | None) -> None:
    if target is not None and target not in TARGETS:
        raise UsageError(f"unknown link target {target!r}; use one of: {', '.join(TARGETS)}")


def list_links(store, target: str | None = None) -> list[Link]:
    """Every link in the graph (to `target` only, if given), sorted by target, subject, predicate, object."""
    _check_target(target)
    sources: dict[tuple[str, str, str, str], set[str]] = {}
    rows = [(s, p, o, source, target_of(o.value) or "other") for s, p, o, source in store.query(_LINKS)]
    for s, p, o, source, name in rows:
        found = sources.setdefault((s.value, p.value, o.value, name), set())  # a link without provenance too
        if source is not None:
            found.add(source.value)
    links = [Link(s, p, o, name, tuple(sorted(found))) for (s, p, o, name), found in sources.items()]
    links = [link for link in links if target is None or link.target == target]
    return sorted(links, key=lambda link: (link.target, link.subject, link.predicate, link.object))


def check_links(store, target: str | None = None) -> LinkReport:
    """The links and their problems: malformed identifier IRIs, one entity with two identifiers of one target,
    one identifier shared by two entities, links from entities that do not exist (have no rdf:type), links
    without provenance, and linksets that are missing or miscount their links."""
    links = list_links(store, target)
    report = LinkReport(links)
    problems = report.problems
    for link in links:
        known = TARGETS.get(link.target)
        if known is not None and not known.form.fullmatch(link.object):
            problems.append(
                LinkProblem(
                    "iri-form", link.subject, link.object, f"not a {known.title} identifier IRI ({known.form_text})"
                )
            )
        if not link.sources:
            problems.append(
                LinkProblem(
                    "no-provenance",
                    link.subject,
                    link.object,
                    "no owl:Axiom annotation with dcterms:source for this link",
                )
            )
    ids_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    holders: dict[str, set[str]] = defaultdict(set)
    for link in links:
        if link.predicate in IDENTITY and link.target in TARGETS:
            ids_of[(link.subject, link.target)].add(link.object)
            holders[link.object].add(link.subject)
    for (subject, name), ids in sorted(ids_of.items()):
        if len(ids) > 1:
            problems.append(
                LinkProblem(
                    "two-ids",
                    subject,
                    " ".join(sorted(ids)),
                    f"linked to {len(ids)} different {TARGETS[name].title} identifiers",
                )
            )
    for identifier, subjects in sorted(holders.items()):
        if len(subjects) > 1:
            problems.append(
                LinkProblem(
                    "shared-id",
                    " ".join(sorted(subjects)),
                    identifier,
                    f"{len(subjects)} entities linked to the same identifier",
                )
            )
    typed = {row[0].value for row in store.query(_TYPED) if isinstance(row[0], ox.NamedNode)}
    for subject in sorted({link.subject for link in links} - typed):
        problems.append(LinkProblem("no-subject", subject, "", "linked, but not in the graph (it has no rdf:type)"))
    problems.extend(_linkset_problems(store, links, target))
    problems.sort(key=lambda p: (p.kind, p.subject, p.object))
    return report


def _linkset_problems(store, links: list[Link], target: str | None) -> list[LinkProblem]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for link in links:
        if link.target in TARGETS:
            counts[(link.target, link.predicate)] += 1
    described: set[tuple[str, str]] = set()
    problems = []
    for linkset, predicate, space, triples in store.query(_LINKSETS):
        name = target_of(space.value) if space is not None else None
        if predicate is None or space is None:
            problems.append(
                LinkProblem(
                    "linkset-count",
                    linkset.value,
                    "",
                    "void:Linkset without void:linkPredicate or a void:objectsTarget with a void:uriSpace",
                )
            )
            continue
        if target is not None and name != target:
            continue
        if name is None:  # a dataset micgraph does not know (a researcher's own): its links by their uriSpace
            title = space.value
            actual = sum(
                1
                for link in links
                if link.predicate == predicate.value and link.target == "other" and link.object.startswith(space.value)
            )
        else:
            described.add((name, predicate.value))
            title, actual = TARGETS[name].title, counts.get((name, predicate.value), 0)
        if triples is None or not triples.value.isdigit() or int(triples.value) != actual:
            stated = "no void:triples" if triples is None else f"void:triples {triples.value}"
            problems.append(
                LinkProblem(
                    "linkset-count",
                    linkset.value,
                    predicate.value,
                    f"{stated}, but the graph has {actual} {namespaces.compact(predicate.value)} links to {title}",
                )
            )
    for (name, predicate), count in sorted(counts.items()):
        if (name, predicate) not in described:
            problems.append(
                LinkProblem(
                    "no-linkset",
                    name,
                    predicate,
                    f"{count} {namespaces.compact(predicate)} links to {TARGETS[name].title} "
                    "are not described by a void:Linkset",
                )
            )
    return problems


def links_result(links: list[Link]) -> SelectResult:
    """The links as a SELECT-shaped result, so every tabular renderer (table, csv, json) applies."""
    rows: list[tuple[Term | None, ...]] = [
        (
            ox.Literal(link.target),
            ox.NamedNode(link.subject),
            ox.NamedNode(link.predicate),
            ox.NamedNode(link.object),
            ox.Literal(" ".join(link.sources)) if link.sources else None,
        )
        for link in links
    ]
    return SelectResult(["target", "subject", "predicate", "object", "source"], rows)


def problems_result(problems: list[LinkProblem]) -> SelectResult:
    rows: list[tuple[Term | None, ...]] = [
        (ox.Literal(p.kind), ox.Literal(p.subject), ox.Literal(p.object) if p.object else None, ox.Literal(p.detail))
        for p in problems
    ]
    return SelectResult(["problem", "subject", "object", "detail"], rows)
