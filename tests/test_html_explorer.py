"""The HTML explorer, opened from a file:// URL in a real headless Chromium (started by the test): it draws
the nodes, finds a Chinese center by its Chinese name, shows a clicked node's properties and sources,
switches language, filters by class. On the bundled graph it opens on the programme view with labels that
do not overlap, focuses the node named in the URL's fragment, brings in a clicked node's neighbours, keeps
observations and sources back until asked, marks labels shown in another language, and draws a map with a
marker per located centre and institute. Screenshots are written under the tests' temporary folders."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest


from chromium import Chromium
from conftest import FIXTURES, require_tool

NETWORK = FIXTURES / "viz" / "network.ttl"
BATTERY = "https://w3id.org/micgraph/id/cn-mic-power-battery"
ROBOTICS = "https://w3id.org/micgraph/id/cn-mic-robotics"
TRICKY = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/tricky> rdfs:label "</script><b>bold</b> <!-- x"@en ;
    <http://example.org/link> <https://w3id.org/micgraph/id/cn-mic-robotics> .
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = require_tool("chromium", "Debian: apt-get install chromium fonts-wqy-microhei")
    chromium = Chromium(executable, tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from micgraph.cli import main

    folder = tmp_path_factory.mktemp("explorer")
    tricky = folder / "tricky.ttl"
    tricky.write_text(TRICKY, encoding="utf-8")
    target = folder / "graph.html"
    result = CliRunner().invoke(main, ["export", "--no-bundled", "--data", str(NETWORK), "--data", str(tricky),
                                       "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def open_page(browser, page: Path, **query) -> None:
    """The fixture's page showing everything (?view=all): its programme view is its two programmes."""
    query = {"view": "all", **query}
    browser.open(page.as_uri() + "?" + urllib.parse.urlencode(query))
    browser.wait_for("window.micgraph && window.micgraph.ready && !window.micgraph.cy.animated()")


def results(browser) -> list[str]:
    return browser.evaluate('[...document.querySelectorAll("#results li[data-id]")].map(li => li.dataset.id)')


def centre_of(browser, selector: str) -> tuple[float, float]:
    box = browser.evaluate(f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect(); "
                           "return [r.left + r.width / 2, r.top + r.height / 2]; })()")
    return box[0], box[1]


def test_page_is_self_contained(page):
    from micgraph.export.html import VENDORED

    html = page.read_text("utf-8")
    assert "<script src" not in html and "<link" not in html  # nothing to fetch: works offline
    # the vendored libraries, each with its licence
    assert "Copyright (c) 2016-2026, The Cytoscape Consortium" in html
    assert html.count("Copyright (c) 2018 - present, iVis-at-Bilkent") == 1  # cytoscape-fcose
    assert html.count("Permission is hereby granted, free of charge") >= len(VENDORED)
    assert html.count("</script>") == len(VENDORED) + 2  # the data cannot close its <script> early


@pytest.mark.browser
@pytest.mark.slow
def test_page_draws_every_node_and_finds_a_chinese_center(browser, page, tmp_path):
    from micgraph.export.network import project
    from micgraph.loading import load_files

    open_page(browser, page, q="国家动力电池创新中心")
    expected = project(load_files([NETWORK, page.parent / "tricky.ttl"]))
    assert browser.evaluate("window.micgraph.cy.nodes().length") == len(expected.nodes)
    assert browser.evaluate("window.micgraph.cy.edges().length") == len(expected.edges)
    # the canvas is painted: cytoscape draws on <canvas> layers; count pixels that are not transparent
    painted = browser.evaluate("""[...document.querySelectorAll('#cy canvas')].map(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }).reduce((a, b) => a + b, 0)""")
    assert painted > 1000
    assert results(browser) == [BATTERY]
    shot = browser.screenshot(tmp_path / "explorer.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


@pytest.mark.browser
@pytest.mark.slow
def test_typing_in_the_search_box_finds_by_either_language(browser, page):
    open_page(browser, page)
    browser.click(*centre_of(browser, "#search"))
    browser.type_text("机器人")
    browser.wait_for("document.querySelectorAll('#results li[data-id]').length > 0")
    assert results(browser) == [ROBOTICS]
    browser.evaluate("document.getElementById('search').select()")
    browser.type_text("power battery")
    browser.wait_for(f"document.querySelector('#results li[data-id]')?.dataset.id === {BATTERY!r}")
    assert results(browser) == [BATTERY]


@pytest.mark.browser
@pytest.mark.slow
def test_clicking_a_node_shows_its_properties_and_sources(browser, page):
    open_page(browser, page, q="国家动力电池创新中心")
    point = browser.evaluate(f"""(() => {{ const n = window.micgraph.cy.getElementById({BATTERY!r});
        const p = n.renderedPosition(), r = document.getElementById('cy').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }})()""")
    browser.click(*point)
    browser.wait_for("document.querySelector('#details h3') !== null")
    details = browser.evaluate("document.getElementById('details').innerText")
    assert "National Power Battery Innovation Center" in details
    assert "国家动力电池创新中心" in details  # its rdfs:label@zh, among the properties
    assert browser.evaluate("[...document.querySelectorAll('#details ul.sources a.node-link')]"
                            ".map(a => a.textContent)") == ["NIST AMS 600-17"]
    assert 'Tests escaping: <tags> & "quotes"' in details
    assert browser.evaluate("window.micgraph.cy.$(':selected').map(n => n.id())") == [BATTERY]
    # ?node= selects a node on load; a quotation (prov:wasQuotedFrom) is a source too; in Chinese, a source
    # named only in English says so
    open_page(browser, page, node=ROBOTICS, lang="zh")
    browser.wait_for("document.querySelector('#details h3') !== null")
    assert browser.evaluate("[...document.querySelectorAll('#details ul.sources a.node-link')]"
                            ".map(a => a.textContent)") == ["NIST AMS 600-17 [en]", "中国科学院科技战略咨询研究院快报"]


@pytest.mark.browser
@pytest.mark.slow
def test_language_toggle_and_class_filter(browser, page):
    open_page(browser, page)
    browser.click(*centre_of(browser, '.languages button[data-lang="zh"]'))
    assert browser.evaluate(f"window.micgraph.cy.getElementById({BATTERY!r}).data('label')") == "国家动力电池创新中心"
    assert browser.evaluate("document.documentElement.lang") == "zh"
    classes = browser.evaluate("[...document.querySelectorAll('#classes label')].map(l => l.innerText)")
    assert any(c.startswith("创新中心") for c in classes)
    browser.click(*centre_of(browser, 'input[data-class="mic_InnovationCenter"]'))
    # cytoscape applies a class change to the style on its next frame: wait for it
    browser.wait_for("window.micgraph.cy.nodes('.mic_InnovationCenter').every(n => !n.visible())", timeout=10)
    assert browser.evaluate("window.micgraph.cy.nodes('.mic_Program').map(n => n.visible())") == [True, True]
    browser.click(*centre_of(browser, "#search"))
    browser.type_text("机器人")  # a hidden class is not offered in the results
    browser.wait_for("document.querySelector('#results li') !== null")
    assert results(browser) == []


@pytest.mark.browser
@pytest.mark.slow
def test_lay_out_again_what_is_shown(browser, page):
    open_page(browser, page)
    browser.click(*centre_of(browser, 'input[data-class="mic_Source"]'))
    browser.wait_for("window.micgraph.cy.nodes('.mic_Source').every(n => !n.visible())", timeout=10)
    positions = "window.micgraph.cy.nodes(SELECTOR).map(n => n.position())"
    hidden_before = browser.evaluate(positions.replace("SELECTOR", "'.mic_Source'"))
    shown_before = browser.evaluate(positions.replace("SELECTOR", "':visible'"))
    browser.click(*centre_of(browser, "#relayout"))
    browser.wait_for("window.micgraph.layouts === 2", timeout=60)
    assert browser.evaluate(positions.replace("SELECTOR", "'.mic_Source'")) == hidden_before
    assert browser.evaluate(positions.replace("SELECTOR", "':visible'")) != shown_before
    # the shown nodes fit the view
    inside = browser.evaluate("""(() => { const cy = window.micgraph.cy, w = cy.width(), h = cy.height();
        return cy.nodes(':visible').every(n => { const p = n.renderedPosition();
                                                 return p.x >= 0 && p.y >= 0 && p.x <= w && p.y <= h; }); })()""")
    assert inside


@pytest.mark.browser
@pytest.mark.slow
def test_page_with_markup_in_a_label_shows_it_as_text(browser, page):
    open_page(browser, page, q="bold", lang="en")
    assert results(browser) == ["http://example.org/tricky"]
    assert browser.evaluate("document.querySelector('#results li').firstChild.textContent") == \
        "</script><b>bold</b> <!-- x"
    assert browser.evaluate("document.querySelectorAll('#results b').length") == 0


@pytest.mark.browser
@pytest.mark.slow
def test_bundled_graph_page_finds_a_chinese_center_by_its_chinese_name(browser, bundled_graph, tmp_path, cli):
    from micgraph.export.network import project_store
    from micgraph.query import run_query

    name = "国家动力电池创新中心"
    [center] = [row["c"] for row in run_query(bundled_graph, f'SELECT ?c WHERE {{ ?c rdfs:label "{name}"@zh }}').rows]
    page = tmp_path / "micgraph.html"
    cli("export", "-o", str(page))
    open_page(browser, page, q=name, lang="zh")
    assert results(browser)[0] == center
    assert browser.evaluate("document.querySelector('#results li').firstChild.textContent") == name
    # the page holds every node, and draws a node when it is first shown
    assert browser.evaluate(DATA_NODES) == len(project_store(bundled_graph).nodes)
    assert browser.evaluate("window.micgraph.cy.nodes(':visible').length") > 0
    shot = browser.screenshot(tmp_path / "bundled-explorer.png")
    assert shot.stat().st_size > 20_000


# --- the bundled graph: the programme view, focus, neighbours, languages, the map -----------------------

VISIBLE_IDS = "window.micgraph.cy.nodes().filter(n => n.visible()).map(n => n.id())"
DATA_NODES = "JSON.parse(document.getElementById('micgraph-data').textContent).nodes.length"
# Every label drawn: the node shown, its label neither culled ("quiet") nor below Cytoscape's smallest
# drawn size; its box as the browser lays it out, in screen pixels.
LABEL_BOXES = """(() => { const cy = window.micgraph.cy;
  return cy.nodes().filter(n => n.visible() && n.data('label') && Number(n.style('text-opacity')) > 0
                                && parseFloat(n.style('font-size')) * cy.zoom() >= parseFloat(n.style('min-zoomed-font-size')))
    .map(n => { const b = n.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true});
                return [n.id(), b.x1, b.y1, b.x2, b.y2]; }); })()"""


def overlap_share(boxes: list) -> tuple[int, int]:
    """(overlapping pairs, pairs) of label boxes; a pair only touching (under half a pixel) does not count."""
    pairs = overlaps = 0
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            pairs += 1
            if min(a[3], b[3]) - max(a[1], b[1]) > .5 and min(a[4], b[4]) - max(a[2], b[2]) > .5:
                overlaps += 1
    return overlaps, pairs


@pytest.fixture(scope="module")
def bundled_page(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from micgraph.cli import main

    target = tmp_path_factory.mktemp("bundled-explorer") / "micgraph.html"
    result = CliRunner().invoke(main, ["export", "-o", str(target)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module")
def bundled_projection():
    from micgraph.export.network import project_store
    from micgraph.graph import open_graph

    graph = open_graph()
    return graph, project_store(graph)


def open_at(browser, page: Path, fragment: str = "", **query) -> None:
    url = page.as_uri() + ("?" + urllib.parse.urlencode(query) if query else "") + fragment
    browser.open("about:blank")  # from the same page, a new fragment alone would not load it again
    browser.open(url)
    browser.wait_for("window.micgraph && window.micgraph.ready && !window.micgraph.cy.animated()")


def test_page_data_opens_on_the_programme_view_and_holds_back_evidence(bundled_projection):
    from micgraph.export.html import explorer_data
    from micgraph.views import project_view

    graph, projection = bundled_projection
    data = explorer_data(projection, "en", graph)
    assert set(data["start"]) == {n.id for n in project_view(graph).nodes}
    evidence = {n["id"] for n in data["nodes"] if n.get("evidence")}
    observations = {n.id for n in projection.nodes if "https://w3id.org/micgraph/ontology#Observation" in n.types}
    assert observations and observations <= evidence
    assert "https://w3id.org/micgraph/id/source-nist-ams-600-17" in evidence
    assert not evidence & set(data["start"])
    # a label missing in a language is the other one's, and says so
    robotics = next(n for n in data["nodes"] if n["id"] == "https://w3id.org/micgraph/id/us-inst-arm")
    assert robotics["label"]["zh"] == robotics["label"]["en"] and robotics["label"]["from"] == {"zh": "en"}
    battery = next(n for n in data["nodes"] if n["id"] == BATTERY)
    assert battery["label"]["zh"] == "国家动力电池创新中心" and "from" not in battery["label"]


def test_a_page_with_a_map_carries_leaflet_and_the_outlines_and_names_no_file(bundled_page, page):
    from micgraph.export.html import MAP_VENDORED, VENDORED

    html = bundled_page.read_text("utf-8")
    assert "<script src" not in html and "<link" not in html and "url(images/" not in html
    assert "Leaflet 1.9.4" in html and "Copyright (c) 2010-2023, Volodymyr Agafonkin" in html  # with its licence
    assert html.count("</script>") == len(VENDORED) + len(MAP_VENDORED) + 3  # + outlines, data, page script
    assert 'id="micgraph-outlines"' in html
    # a page with nothing to place on a map has none of it
    assert "Leaflet 1.9.4" not in page.read_text("utf-8") and 'id="micgraph-outlines"' not in page.read_text("utf-8")


@pytest.mark.browser
@pytest.mark.slow
def test_first_view_is_the_programme_view_with_labels_that_do_not_overlap(browser, bundled_page, bundled_projection,
                                                                        tmp_path_factory):
    from micgraph.views import project_view

    graph, projection = bundled_projection
    open_at(browser, bundled_page)
    assert set(browser.evaluate(VISIBLE_IDS)) == {n.id for n in project_view(graph).nodes}
    assert browser.evaluate(DATA_NODES) == len(projection.nodes)
    assert browser.evaluate("window.micgraph.cy.nodes().length") < len(projection.nodes)  # drawn when shown
    boxes = browser.evaluate(LABEL_BOXES)
    overlaps, pairs = overlap_share(boxes)
    print(f"first view: {len(boxes)} labels drawn of {len(browser.evaluate(VISIBLE_IDS))} nodes; "
          f"{overlaps} of {pairs} label pairs overlap ({overlaps / pairs:.2%})")
    assert len(boxes) >= 20  # the programmes and the best-connected centres are named
    assert overlaps / pairs < 0.02
    named = {box[0] for box in boxes}
    programmes = {n.id for n in projection.nodes if n.cls == "https://w3id.org/micgraph/ontology#Program"}
    assert {p for p in programmes if p in set(browser.evaluate(VISIBLE_IDS))} <= named
    # without the culling, the same view's labels would cover each other
    browser.evaluate("window.micgraph.cy.nodes().removeClass('quiet'); null")
    crowded, crowded_pairs = overlap_share(browser.evaluate(LABEL_BOXES))
    print(f"the same labels all drawn: {crowded} of {crowded_pairs} pairs overlap ({crowded / crowded_pairs:.2%})")
    assert crowded / crowded_pairs > overlaps / pairs
    browser.evaluate("window.micgraph.cullLabels()")
    shot = browser.screenshot(tmp_path_factory.mktemp("screenshots") / "explorer-first-view.png")
    assert shot.stat().st_size > 20_000
    # zooming in brings back labels (they are culled by what fits, not dropped)
    browser.evaluate("window.micgraph.cy.zoom({level: window.micgraph.cy.zoom() * 3, renderedPosition: "
                     "{x: window.micgraph.cy.width() / 2, y: window.micgraph.cy.height() / 2}}); null")
    browser.wait_for("!window.micgraph.cy.animated()")
    browser.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    zoomed = browser.evaluate(LABEL_BOXES)
    assert overlap_share(zoomed)[0] / max(overlap_share(zoomed)[1], 1) < 0.02


@pytest.mark.browser
@pytest.mark.slow
def test_a_centre_named_in_the_fragment_is_focused(browser, bundled_page, bundled_projection, tmp_path_factory):
    graph, projection = bundled_projection
    folder = tmp_path_factory.mktemp("screenshots")
    open_at(browser, bundled_page)
    first = browser.screenshot(folder / "first-view.png").read_bytes()
    open_at(browser, bundled_page, "#" + BATTERY)
    neighbours = {e.target for e in projection.edges if e.source == BATTERY} | \
                 {e.source for e in projection.edges if e.target == BATTERY}
    evidence = set(browser.evaluate("JSON.parse(document.getElementById('micgraph-data').textContent).nodes"
                                    ".filter(n => n.evidence).map(n => n.id)"))
    assert set(browser.evaluate(VISIBLE_IDS)) == {BATTERY} | (neighbours - evidence)
    assert browser.evaluate("window.micgraph.cy.$(':selected').map(n => n.id())") == [BATTERY]
    assert "National Power Battery Innovation Center" in browser.evaluate("document.getElementById('details').innerText")
    focused = browser.screenshot(folder / "focused-centre.png").read_bytes()
    assert len(first) > 20_000 and len(focused) > 20_000 and first != focused
    # a compact IRI works too, and so does changing the fragment on an open page
    browser.evaluate(f"location.hash = {'#micr:cn-mic-robotics'!r}")
    browser.wait_for(f"window.micgraph.cy.$(':selected').map(n => n.id()).join() === {ROBOTICS!r}")


@pytest.mark.browser
@pytest.mark.slow
def test_a_click_brings_in_neighbours_and_evidence_waits_for_the_toggle(browser, bundled_page, bundled_projection):
    graph, projection = bundled_projection
    open_at(browser, bundled_page, "#" + BATTERY)
    before = set(browser.evaluate(VISIBLE_IDS))
    browser.evaluate("document.getElementById('depth').value = '2'; "
                     "document.getElementById('depth').dispatchEvent(new Event('change'))")
    programme = "https://w3id.org/micgraph/id/program-china-mic"
    point = browser.evaluate(f"""(() => {{ const n = window.micgraph.cy.getElementById({programme!r});
        const p = n.renderedPosition(), r = document.getElementById('cy').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }})()""")
    layouts = browser.evaluate("window.micgraph.layouts")
    browser.click(*point)
    browser.wait_for(f"window.micgraph.layouts > {layouts} && !window.micgraph.cy.animated()", timeout=120)
    after = set(browser.evaluate(VISIBLE_IDS))
    centres = {e.source for e in projection.edges if e.target == programme
               and e.property == "https://w3id.org/micgraph/ontology#program"}
    assert before < after and centres <= after  # one step: the programme's centres
    two_steps = {e.target for e in projection.edges if e.source in centres
                 and e.property == "https://w3id.org/micgraph/ontology#city"}
    assert two_steps <= after  # two steps: their cities
    evidence = set(browser.evaluate("JSON.parse(document.getElementById('micgraph-data').textContent).nodes"
                                    ".filter(n => n.evidence).map(n => n.id)"))
    assert not after & evidence
    browser.click(*centre_of(browser, "#evidence"))
    browser.wait_for(f"window.micgraph.cy.getElementById({'https://w3id.org/micgraph/id/source-nist-ams-600-17'!r})"
                     ".visible()", timeout=120)


@pytest.mark.browser
@pytest.mark.slow
def test_one_language_per_view_with_a_mark_where_a_label_is_missing(browser, bundled_page, bundled_projection):
    from micgraph.export.network.projection import label_index

    graph, projection = bundled_projection
    labels = label_index(graph.quads())
    open_at(browser, bundled_page)
    browser.click(*centre_of(browser, '.languages button[data-lang="zh"]'))
    shown = browser.evaluate("window.micgraph.cy.nodes().filter(n => n.visible())"
                             ".map(n => [n.id(), n.data('label'), n.hasClass('fallback')])")
    checked = marked = 0
    for node, text, fallback in shown:
        own = labels.get(node, {})
        if own.get("zh"):
            assert (text, fallback) == (own["zh"], False)
            checked += 1
        elif own.get("en"):
            assert (text, fallback) == (own["en"] + " [en]", True)
            marked += 1
    assert checked > 50 and marked > 10  # Chinese names, and the U.S. and German ones that have none
    assert browser.evaluate("document.documentElement.lang") == "zh"
    assert "[en]" in browser.evaluate("document.querySelector('#side .note').textContent")


@pytest.mark.browser
@pytest.mark.slow
def test_the_map_has_a_marker_per_located_centre_and_fetches_nothing(browser, bundled_page, bundled_projection,
                                                                     tmp_path_factory):
    from micgraph.query import run_query

    graph, projection = bundled_projection
    located = run_query(graph, """SELECT DISTINCT ?centre WHERE { ?centre a/rdfs:subClassOf* mic:InnovationCenter ;
        mic:city ?city . ?city <http://www.w3.org/2003/01/geo/wgs84_pos#lat> ?lat ;
        <http://www.w3.org/2003/01/geo/wgs84_pos#long> ?long }""").rows
    assert len(located) > 40
    open_at(browser, bundled_page)
    browser.click(*centre_of(browser, '#views button[data-view="map"]'))
    browser.wait_for("document.querySelectorAll('path.micgraph-marker').length > 0")
    assert browser.evaluate("document.querySelectorAll('path.micgraph-marker').length") == len(located)
    assert browser.evaluate("document.querySelectorAll('.leaflet-overlay-pane path').length") > 200  # outlines
    # everything came with the page: no image, script, style or tile was requested
    assert browser.evaluate("performance.getEntriesByType('resource').map(r => r.name)") == []
    shot = browser.screenshot(tmp_path_factory.mktemp("screenshots") / "explorer-map.png")
    assert shot.stat().st_size > 20_000
    # a marker shows its centre's details
    browser.evaluate("document.querySelector('.regions a[data-region$=\"country-cn\"]').click()")
    # (one a click reaches: on screen once the zoom to China has ended, and not under another marker)
    browser.wait_for("""(() => { const r = JSON.stringify(document.querySelector('path.micgraph-marker')
        .getBoundingClientRect()); const still = window.__lastMarkerBox === r; window.__lastMarkerBox = r;
        return still; })()""")
    marker = browser.evaluate("""(() => { for (const path of document.querySelectorAll('path.micgraph-marker')) {
        const r = path.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (r.width > 0 && document.elementFromPoint(x, y) === path) return [x, y]; } return null; })()""")
    assert marker is not None, "no marker a click can reach"
    browser.click(*marker)
    browser.wait_for("document.querySelector('#details h3') !== null")
    assert browser.evaluate("document.querySelector('#details a[data-go=\"graph\"]') !== null")
