"""The HTML explorer, opened from a file:// URL in a real headless Chromium (started by the test): it draws
the nodes, finds a Chinese center by its Chinese name, shows a clicked node's properties and sources,
switches language, filters by class; a screenshot is written under the test's temporary folder."""

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
    browser.open(page.as_uri() + ("?" + urllib.parse.urlencode(query) if query else ""))
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
    # ?node= selects a node on load; a quotation (prov:wasQuotedFrom) is a source too
    open_page(browser, page, node=ROBOTICS, lang="zh")
    browser.wait_for("document.querySelector('#details h3') !== null")
    assert browser.evaluate("[...document.querySelectorAll('#details ul.sources a.node-link')]"
                            ".map(a => a.textContent)") == ["NIST AMS 600-17", "中国科学院科技战略咨询研究院快报"]


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


def test_page_with_markup_in_a_label_shows_it_as_text(browser, page):
    open_page(browser, page, q="bold", lang="en")
    assert results(browser) == ["http://example.org/tricky"]
    assert browser.evaluate("document.querySelector('#results li').firstChild.textContent") == \
        "</script><b>bold</b> <!-- x"
    assert browser.evaluate("document.querySelectorAll('#results b').length") == 0


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
    assert browser.evaluate("window.micgraph.cy.nodes().length") == len(project_store(bundled_graph).nodes)
    shot = browser.screenshot(tmp_path / "bundled-explorer.png")
    assert shot.stat().st_size > 20_000
