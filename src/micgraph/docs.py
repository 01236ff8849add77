"""HTML documentation of the ontology, generated with pyLODE.

pyLODE shows one label per term and runs several labels together ("Program计划"), so each term's
English and Chinese labels are first joined into one ("Program · 计划"): both languages stay visible.
The ontology itself (Turtle, JSON-LD context) is copied next to the page.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from . import bundle, namespaces

LABEL_SEPARATOR = " · "


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


_ENTITY = re.compile(r'<div class="[^"]*\bentity\b[^"]*" id="([^"]*)">')


def anchor_local_names(html: str) -> str:
    """Give each term's section an anchor named after the term's local name as well: pyLODE names its
    anchors after labels, but `https://w3id.org/micgraph/ontology#Term` must land on #Term."""
    ids = set(re.findall(r'\bid="([^"]*)"', html))
    code = re.compile(r"<code>" + re.escape(namespaces.MIC) + r"([^<\s]+)</code>")
    insertions = []
    for entity in _ENTITY.finditer(html):
        following = code.search(html, entity.end())
        upcoming = _ENTITY.search(html, entity.end())
        if following is None or (upcoming is not None and following.start() > upcoming.start()):
            continue
        local = following.group(1)
        if local not in ids:
            ids.add(local)
            insertions.append((entity.end(), f'<span id="{local}"></span>'))
    for position, anchor in reversed(insertions):
        html = html[:position] + anchor + html[position:]
    return html


def ontology_html(ontology_path: Path | None = None) -> str:
    from rdflib import Graph

    graph = Graph().parse(ontology_path or bundle.ontology_path())
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)  # pyLODE logs progress on the root logger
    try:
        from pylode import OntPub

        return anchor_local_names(OntPub(ontology=bilingual_labels(graph)).make_html())
    finally:
        logging.disable(previous)


def write_docs(directory: str | Path, *, force: bool = False) -> list[Path]:
    """Write index.html, micgraph.ttl and context.jsonld into `directory` (output.write_folder: only these
    files, each atomically; a folder holding files micgraph did not write is refused unless `force`)."""
    from .output import check_folder, write_folder

    check_folder(directory, force=force)  # before the minutes pyLODE may take
    files = {"index.html": ontology_html().encode("utf-8"),
             "micgraph.ttl": bundle.ontology_path().read_bytes(),
             "context.jsonld": (bundle.root() / "ontology" / "context.jsonld").read_bytes()}
    return write_folder(directory, files, force=force)
