"""Linked Data: /id/... serves each resource's concise bounded description by content negotiation and a
readable page in a browser (in English or Chinese, facts grouped, the resource's sources once and a fact's
own sources beside it, figures with their units); /ontology serves the ontology; / is the YASGUI query page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
from conftest import SERVE_FIXTURE, require_tool
from rdflib import Graph
from rdflib.compare import isomorphic
from hypothesis import given, settings
from hypothesis import strategies as st
from serving import page, read_page

MICR = "https://w3id.org/micgraph/id/"
ONLY_FIXTURE = ["--no-bundled", "--data", str(SERVE_FIXTURE)]
STATIC = Path(__file__).resolve().parents[1] / "src" / "micgraph" / "server" / "static" / "yasgui"


# --- RDF descriptions (tests/test_server_linked_data.py: every format, the 303s, the ontology whole) -----

def get(served, path: str, accept: str | None = None) -> httpx.Response:
    """What a client following redirects gets for `path`."""
    return httpx.get(served.url + path, headers={"Accept": accept} if accept else {}, follow_redirects=True)


def test_turtle_description_is_the_cbd_micgraph_query_describes(served, cli):
    response = get(served, "id/cn-mic-power-battery", "text/turtle")
    assert response.status_code == 200 and response.url.path == "/data/cn-mic-power-battery.ttl"
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert "Accept" in response.history[0].headers["vary"]
    expected = cli("query", *ONLY_FIXTURE, "DESCRIBE micr:cn-mic-power-battery", "--format", "turtle").stdout_bytes
    assert response.content == expected
    assert "国家动力电池创新中心" in response.text


def test_the_cbd_holds_its_blank_nodes(served):
    turtle = Graph().parse(data=get(served, "id/obs-mic-count-2025").text, format="turtle")
    nt = Graph().parse(data=get(served, "id/obs-mic-count-2025", "application/n-triples").content, format="nt")
    assert len(nt) == len(turtle) > 8  # the blank node's triples are part of the CBD
    assert isomorphic(nt, turtle)


def test_format_parameter_overrides_accept_and_unknown_ones_are_refused(served):
    response = get(served, "id/cn-mic-robotics?format=nt", "text/html")
    assert response.headers["content-type"] == "application/n-triples"
    assert f"<{MICR}cn-mic-robotics>" in response.text
    assert get(served, "id/cn-mic-robotics?format=pdf").status_code == 400
    refused = get(served, "id/cn-mic-robotics", "image/png")
    assert refused.status_code == 406 and "text/turtle" in refused.text


def test_unknown_resources_are_404(served):
    refused = get(served, "id/no-such-thing", "text/turtle")
    assert refused.status_code == 404 and refused.text.startswith("error: ") and not refused.history
    response = get(served, "id/no-such-thing", "text/html")
    assert response.status_code == 404 and "text/html" in response.headers["content-type"]
    assert get(served, "data/no-such-thing.ttl").status_code == 404
    assert get(served, "page/no-such-thing").status_code == 404


def test_a_resource_only_mentioned_is_found(served):
    # nothing is said about the Wikidata item, but micr:source-... is both described and referenced
    response = get(served, "id/source-inewenergy-2016", "text/turtle")
    assert response.status_code == 200 and "inewenergy.com" in response.text


# --- the HTML page ---------------------------------------------------------------------------------

def test_page_shows_labels_in_english_and_chinese(served):
    reader = page(served, "id/cn-mic-power-battery")
    assert "National Power Battery Innovation Center" in reader.h1
    assert "国家动力电池创新中心" in reader.h1
    city = reader.row("city")
    assert {row[1]["text"].split("@")[0] for row in city} == {"Beijing", "北京"}


def test_page_links_related_resources_to_their_pages(served):
    reader = page(served, "id/cn-mic-power-battery")
    [program] = reader.row("program")
    assert program[1]["links"] == ["/id/program-china-mic"]
    assert program[1]["text"] == "China's manufacturing innovation centers"  # in the page's language only
    assert "/ontology#ChineseCenter" in reader.links  # the type, on the ontology page
    assert "http://www.wikidata.org/entity/Q00000001" in reader.links  # outside IRIs link out
    # every local link resolves
    for href in {link for link in reader.links if link.startswith("/id/")}:
        assert get(served, href[1:], "text/html").status_code == 200, href


def test_page_in_the_language_asked_for(served):
    chinese = {"Accept": "text/html", "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    response = httpx.get(served.url + "id/cn-mic-power-battery", headers=chinese)
    assert response.headers["content-language"] == "zh"
    assert "Accept-Language" in response.headers["vary"] and "Accept" in response.headers["vary"]
    reader = read_page(response.text)
    assert reader.h1.startswith("国家动力电池创新中心")
    [program] = reader.row("所属计划")
    assert program[1]["text"] == "国家制造业创新中心"
    assert '<html lang="zh">' in response.text
    # ?lang= wins over the header; a label the graph has only in English is marked as such
    response = httpx.get(served.url + "id/cn-mic-power-battery?lang=en", headers=chinese)
    assert response.headers["content-language"] == "en" and read_page(response.text).h1.startswith("National")
    sources = httpx.get(served.url + "id/cn-mic-power-battery?lang=zh", headers={"Accept": "text/html"}).text
    assert '<span class="fallback" lang="en">NIST AMS 600-17 [en]</span>' in sources
    # English when nothing says otherwise, or when only other languages are asked for
    for header in (None, "fr-FR,de;q=0.5", "zh;q=0, en;q=0.1"):
        headers = {"Accept": "text/html", **({"Accept-Language": header} if header else {})}
        assert httpx.get(served.url + "id/cn-mic-power-battery", headers=headers).headers["content-language"] == "en"


@settings(deadline=None)  # the first example imports the page module
@given(st.one_of(st.none(), st.text(max_size=200)), st.one_of(st.none(), st.text(max_size=400)))
def test_any_language_request_gives_english_or_chinese(requested, header):
    from micgraph.server.pages import page_language

    assert page_language(requested, header) in ("en", "zh")


def test_page_gives_the_sources_of_each_fact(served):
    reader = page(served, "id/cn-mic-power-battery")
    # stated for this very statement (a reified rdf:Statement): beside it
    [established] = reader.row("established")
    assert established[2]["links"] == ["/id/source-inewenergy-2016"]
    assert "inewenergy.com" in established[2]["text"]
    # the other facts have no source of their own: nothing beside them, the resource's source listed once
    for row in reader.row("city") + reader.row("program"):
        assert len(row) == 2, row
    html = httpx.get(served.url + "id/cn-mic-power-battery", headers={"Accept": "text/html"}).text
    assert html.count('href="/id/source-nist-ams-600-17"') == 1
    sources = html[html.index('<section id="sources">'):]
    assert 'href="/id/source-nist-ams-600-17"' in sources and "derived from" in sources
    # an owl:Axiom annotation gives the sources of a link
    [same_as] = page(served, "id/cn-mic-robotics").row("same as")
    assert same_as[2]["links"] == ["https://example.org/a-list-of-wikidata-items"]


def test_page_lists_what_refers_to_the_resource(served):
    html = get(served, "id/program-china-mic", "text/html").text
    referenced = html[html.index("Referenced by"):]
    for subject in ("cn-mic-power-battery", "cn-mic-robotics", "obs-mic-count-2025"):
        assert f'href="/id/{subject}"' in referenced


def test_page_renders_blank_nodes_inline(served):
    reader = page(served, "id/obs-mic-count-2025")
    [value_range] = reader.row("range")
    assert "lower bound" in value_range[1]["text"] and "33" in value_range[1]["text"]


def test_page_offers_the_rdf_alternates(served):
    response = get(served, "id/cn-mic-robotics", "text/html")
    assert response.url.path == "/page/cn-mic-robotics"
    for fmt, media in (("turtle", "text/turtle"), ("nt", "application/n-triples"),
                       ("jsonld", "application/ld+json"), ("xml", "application/rdf+xml")):
        assert f'href="?format={fmt}"' in response.text
        alternate = httpx.get(response.url.join(f"?format={fmt}"), follow_redirects=True)
        assert alternate.status_code == 200 and alternate.headers["content-type"].split(";")[0] == media
    assert '<link rel="alternate" type="text/turtle" href="?format=turtle">' in response.text


# --- pages of the bundled graph ----------------------------------------------------------------------

def bundled_page(graph, name: str, lang: str = "en") -> str:
    from micgraph.describe import describe
    from micgraph.server.pages import resource_page

    return resource_page(describe(graph, MICR + name), lang)


def sections(html: str) -> dict[str, str]:
    """Each <section id=...> of a page: its HTML."""
    return dict(re.findall(r'<section id="([a-z]+)">(.*?)</section>', html, re.S))


def test_power_battery_page_lists_each_source_once_and_groups_its_facts(bundled_graph):
    from micgraph.query import run_query

    html = bundled_page(bundled_graph, "cn-mic-power-battery")
    parts = sections(html)
    assert {"identity", "places", "dates", "relations", "notes", "sources"} <= set(parts)
    sources = [str(row["s"]) for row in run_query(bundled_graph, "SELECT ?s WHERE { micr:cn-mic-power-battery "
                                                                  "prov:wasDerivedFrom|prov:wasQuotedFrom ?s }").rows]
    assert len(sources) >= 4
    for source in sources:  # once in the whole page, in the sources section
        href = f'href="/id/{source.removeprefix(MICR)}"'
        assert html.count(href) == 1 and href in parts["sources"], source
    # no row repeats them: no fact of this centre has a source of its own, so no table has a sources column
    assert 'class="sources"' not in "".join(v for k, v in parts.items() if k != "sources")
    # facts where a reader looks for them, related resources by their labels
    assert 'href="/id/city-beijing"' in parts["places"] and ">Beijing</a>" in parts["places"]
    assert "2016-06-30" in parts["dates"]
    assert ">China&#x27;s national manufacturing innovation centre programme</a>" in parts["relations"]
    chinese = sections(bundled_page(bundled_graph, "cn-mic-power-battery", "zh"))
    assert ">北京</a>" in chinese["places"] and ">国家制造业创新中心计划</a>" in chinese["relations"]


def test_figures_show_their_units(bundled_graph):
    # the observations about a programme, each with its amount, unit, period and own sources
    figures = sections(bundled_page(bundled_graph, "program-china-mic"))["figures"]
    rows = re.findall(r'<tr class="figure">(.*?)</tr>', figures, re.S)
    assert len(rows) > 5
    at_least = next(row for row in rows if "obs-cn-mic-count-2025-nist" in row)
    assert "≥ 33</span>" in at_least and 'href="/id/unit-count"' in at_least and "(2025)" in at_least
    assert 'href="/id/source-nist-ams-600-17"' in at_least  # the figure's own source, beside it
    # an observation's own page: the value with the unit's symbol
    page_html = bundled_page(bundled_graph, "obs-cn-mva-cagr-2017-2022")
    own = sections(page_html)["figures"]
    assert re.search(r'<span class="amount">5\.3</span> <a href="/id/unit-percent"[^>]*>%</a>', own)
    assert own.index("5.3") < own.index("2017") < own.index("2022")  # the amount, then its period


# --- the ontology ------------------------------------------------------------------------------------

def test_ontology_in_rdf_holds_the_terms(served, cli):
    """A graph of one's own (not the bundled ontology's version): its ontology as the graph holds it."""
    response = get(served, "ontology", "text/turtle")
    assert response.status_code == 200 and response.url.path == "/ontology.ttl"
    graph = Graph().parse(data=response.text, format="turtle")
    terms = cli("query", *ONLY_FIXTURE, "SELECT ?t WHERE { ?t a ?k FILTER(STRSTARTS(STR(?t), STR(mic:)) "
                "|| ?t = <https://w3id.org/micgraph/ontology>) }", "--format", "csv").stdout.splitlines()[1:]
    assert {str(s) for s in graph.subjects()} == set(terms)
    assert not any(str(s).startswith(MICR) for s in graph.subjects())


def test_ontology_page_has_both_labels_and_term_anchors(served):
    reader = page(served, "ontology")
    html = get(served, "ontology", "text/html").text
    assert "Chinese manufacturing innovation center" in html and "国家制造业创新中心" in html
    # hash IRIs of the terms land on their section
    for local in ("ChineseCenter", "Center", "program", "established"):
        assert local in reader.ids, local


# --- the query page ---------------------------------------------------------------------------------

def test_query_page_loads_the_vendored_yasgui(served):
    response = httpx.get(served.url, headers={"Accept": "text/html"})
    assert response.status_code == 200
    reader = read_page(response.text)
    assert "/static/yasgui/yasgui.min.js" in reader.scripts
    assert '<link rel="stylesheet" href="/static/yasgui/yasgui.min.css">' in response.text
    for name in ("yasgui.min.js", "yasgui.min.css", "LICENSE.txt"):
        asset = httpx.get(served.url + "static/yasgui/" + name)
        assert asset.status_code == 200 and asset.content == (STATIC / name).read_bytes()


def test_query_page_is_preloaded_with_the_named_queries(served):
    from micgraph.bundle import named_queries

    html = httpx.get(served.url).text
    embedded = re.search(r'<script type="application/json" id="named-queries">(.*?)</script>', html, re.DOTALL).group(1)
    tabs = json.loads(embedded)
    assert [t["name"] for t in tabs] == list(named_queries())
    for tab in tabs:
        assert named_queries()[tab["name"]].text in tab["query"]


def test_query_page_runs_in_a_browser(served, tmp_path):
    """Headless Chromium runs the page's JavaScript: YASGUI draws its editor, one tab per named query."""
    from micgraph.bundle import named_queries

    browser = require_tool("chromium", "apt-get install chromium")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000", "--dump-dom", served.url]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout
    assert 'class="yasgui' in dom, dom[:2000]
    assert "CodeMirror" in dom  # the query editor
    for name in list(named_queries())[:3]:
        assert name in dom
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


# --- the icon ---------------------------------------------------------------------------------------

def test_favicon_is_served_and_pages_name_it(served):
    import io
    from xml.etree import ElementTree

    from PIL import Image

    icon = httpx.get(served.url + "favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    image = Image.open(io.BytesIO(icon.content))
    assert image.format == "ICO" and {(16, 16), (32, 32)} <= image.info["sizes"]
    svg = httpx.get(served.url + "static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert ElementTree.fromstring(svg.content).tag == "{http://www.w3.org/2000/svg}svg"
    for path in ("", "page/cn-mic-robotics"):
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in httpx.get(served.url + path).text
