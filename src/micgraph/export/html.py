"""The HTML explorer: one self-contained page (Cytoscape.js and the graph inlined) that works offline
from a file:// URL. Search by label in English and Chinese, filter by class, click a node for its
properties and sources, switch the language.

The page reads `?q=TEXT` (search on load), `?lang=en|zh` and `?node=IRI` (select a node), so a link
can point at a view.
"""

from __future__ import annotations

import json
import re
from importlib import resources

from ..namespaces import LANGUAGES, SOURCE_PROPERTIES, compact
from .network.projection import SHAPES, Projection, check_language, circle_positions, class_token

STATIC = "micgraph.export"
# (folder under static/vendor, file): loaded in this order, see static/vendor/README.md
VENDORED = (("cytoscape", "cytoscape.min.js"), ("layout-base", "layout-base.js"), ("cose-base", "cose-base.js"),
            ("cytoscape-fcose", "cytoscape-fcose.js"))
# Above this many nodes the page uses fCoSE's draft quality (spectral only): the full layout's time grows
# quickly with the graph, past 15 s at 800 nodes in headless Chromium on 2 cores (bench/viz.py).
DRAFT_LAYOUT_ABOVE = 700


def _static(*path: str) -> str:
    return resources.files(STATIC).joinpath("static", *path).read_text(encoding="utf-8")


def vendored_scripts() -> str:
    """The vendored libraries as <script> elements, each with its licence in a comment before it."""
    blocks = []
    for folder, name in VENDORED:
        licence = _static("vendor", folder, "LICENSE").strip()
        blocks.append(f"<script>\n/*! {folder} (npm, MIT): {name}\n\n{licence}\n*/\n"
                      f"{_static('vendor', folder, name)}\n</script>")
    return "\n".join(blocks)


def explorer_data(projection: Projection, lang: str = "en") -> dict:
    """What the page needs: both languages' labels, classes with their styles, properties, edges."""
    both = {term: {x: projection.label(term, x) for x in LANGUAGES}
            for term in {p for n in projection.nodes for p, _ in n.literals} | {e.property for e in projection.edges}}
    counts: dict[str | None, int] = {}
    for n in projection.nodes:
        counts[n.cls] = counts.get(n.cls, 0) + 1
    classes = []
    for cls in projection.classes:
        style = projection.style(cls)
        classes.append({"token": class_token(cls), "iri": cls or "", "color": style.color,
                        "shape": SHAPES[style.shape][4], "count": counts[cls],
                        "label": {x: projection.label(cls, x) if cls else "" for x in LANGUAGES}})
    positions = circle_positions(projection)
    nodes = [{"id": n.id, "compact": compact(n.id), "cls": class_token(n.cls),
              "label": {x: projection.label(n.id, x) for x in LANGUAGES},
              "position": dict(zip("xy", positions[n.id])),
              "props": [[compact(p), literal.value, literal.language or ""] for p, literal in n.literals]}
             for n in projection.nodes]
    return {"lang": lang, "languages": list(LANGUAGES), "classes": classes, "nodes": nodes,
            "edges": [{"id": e.id, "source": e.source, "target": e.target, "property": compact(e.property)}
                      for e in projection.edges],
            "properties": {compact(term): labels for term, labels in sorted(both.items())},
            "sourceProperties": [compact(p) for p in SOURCE_PROPERTIES],
            "draftLayoutAbove": DRAFT_LAYOUT_ABOVE}


def script_json(document: dict) -> str:
    """JSON that is safe inside a <script> element: no `<`, so no `</script>` or `<!--` can end it."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def write(projection: Projection, lang: str = "en") -> bytes:
    """The page, everything inlined: the graph as JSON and the vendored libraries."""
    check_language(lang)
    values = {"LANG": lang, "DATA_JSON": script_json(explorer_data(projection, lang)), "SCRIPTS": vendored_scripts()}
    page = re.sub(r"\{\{(LANG|DATA_JSON|SCRIPTS)\}\}", lambda m: values[m.group(1)], _static("explorer.html"))
    return page.encode("utf-8")
