"""HTML documentation of the ontology, generated with pyLODE.

pyLODE shows one label per term and runs several labels together ("Program计划"), so each term's
English and Chinese labels are first joined into one ("Program · 计划"): both languages stay visible.
The ontology itself (Turtle, JSON-LD context) is copied next to the page.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from . import bundle

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


def ontology_html(ontology_path: Path | None = None) -> str:
    from rdflib import Graph

    graph = Graph().parse(ontology_path or bundle.ontology_path())
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)  # pyLODE logs progress on the root logger
    try:
        from pylode import OntPub

        return OntPub(ontology=bilingual_labels(graph)).make_html()
    finally:
        logging.disable(previous)


def write_docs(directory: str | Path) -> list[Path]:
    """Write index.html, micgraph.ttl and context.jsonld into `directory`, replacing it atomically."""
    from .output import atomic_directory

    html = ontology_html()
    with atomic_directory(directory) as staging:
        (staging / "index.html").write_text(html, encoding="utf-8")
        shutil.copyfile(bundle.ontology_path(), staging / "micgraph.ttl")
        shutil.copyfile(bundle.root() / "ontology" / "context.jsonld", staging / "context.jsonld")
    return sorted(Path(directory).iterdir())
