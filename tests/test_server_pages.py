"""Linked Data: /id/... serves each resource's concise bounded description by content negotiation and a
readable page in a browser; /ontology serves the ontology; / is the YASGUI query page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import SERVE_FIXTURE, require_tool
from serving import page, read_page

MICR = "https://w3id.org/micgraph/id/"
ONLY_FIXTURE = ["--no-bundled", "--data", str(SERVE_FIXTURE)]
STATIC = Path(__file__).resolve().parents[1] / "src" / "micgraph" / "static" / "yasgui"


# --- RDF descriptions ------------------------------------------------------------------------------

def test_turtle_description_is_the_cbd_micgraph_query_describes(served, cli):
    response = httpx.get(served.url + "id/cn-mic-power-battery", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    expected = cli("query", *ONLY_FIXTURE, "DESCRIBE micr:cn-mic-power-battery", "--format", "turtle").stdout_bytes
    assert response.content == expected
    assert "国家动力电池创新中心" in response.text


@pytest.mark.parametrize("accept, fmt", [("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
                                         ("application/rdf+xml", "xml")])
def test_other_rdf_syntaxes_by_content_negotiation(served, accept, fmt):
    turtle = Graph().parse(data=httpx.get(served.url + "id/obs-mic-count-2025").text, format="turtle")
    response = httpx.get(served.url + "id/obs-mic-count-2025", headers={"Accept": accept})
    assert response.headers["content-type"].split(";")[0] == accept
    graph = Graph().parse(data=response.content, format=fmt)
    assert len(graph) == len(turtle) > 8  # the blank node's triples are part of the CBD
    assert isomorphic(graph, turtle)


def test_format_parameter_overrides_accept_and_unknown_ones_are_refused(served):
    response = httpx.get(served.url + "id/cn-mic-robotics?format=nt", headers={"Accept": "text/html"})
    assert response.headers["content-type"] == "application/n-triples"
    assert f"<{MICR}cn-mic-robotics>" in response.text
    assert httpx.get(served.url + "id/cn-mic-robotics?format=pdf").status_code == 400
    refused = httpx.get(served.url + "id/cn-mic-robotics", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.text


def test_unknown_resources_are_404(served):
    assert httpx.get(served.url + "id/no-such-thing", headers={"Accept": "text/turtle"}).status_code == 404
    response = httpx.get(served.url + "id/no-such-thing", headers={"Accept": "text/html"})
    assert response.status_code == 404 and "text/html" in response.headers["content-type"]


def test_a_resource_only_mentioned_is_found(served):
    # nothing is said about the Wikidata item, but micr:source-... is both described and referenced
    response = httpx.get(served.url + "id/source-inewenergy-2016", headers={"Accept": "text/turtle"})
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
    assert "China's manufacturing innovation centers" in program[1]["text"]
    assert "国家制造业创新中心" in program[1]["text"]
    assert "/ontology#ChineseCenter" in reader.links  # the type, on the ontology page
    assert "http://www.wikidata.org/entity/Q00000001" in reader.links  # outside IRIs link out
    # every local link resolves
    for href in {link for link in reader.links if link.startswith("/id/")}:
        assert httpx.get(served.url + href[1:], headers={"Accept": "text/html"}).status_code == 200, href


def test_page_gives_the_sources_of_each_fact(served):
    reader = page(served, "id/cn-mic-power-battery")
    # stated for this very statement (a reified rdf:Statement)
    [established] = reader.row("established")
    assert established[2]["links"] == ["/id/source-inewenergy-2016"]
    assert "inewenergy.com" in established[2]["text"]
    # the other facts are backed by the resource's own source
    for row in reader.row("city") + reader.row("program"):
        assert row[2]["links"] == ["/id/source-nist-ams-600-17"]
        assert "NIST AMS 600-17" in row[2]["text"]
    # an owl:Axiom annotation gives the sources of a link
    [same_as] = page(served, "id/cn-mic-robotics").row("owl:sameAs")
    assert same_as[2]["links"] == ["https://example.org/a-list-of-wikidata-items"]


def test_page_lists_what_refers_to_the_resource(served):
    html = httpx.get(served.url + "id/program-china-mic", headers={"Accept": "text/html"}).text
    referenced = html[html.index("Referenced by"):]
    for subject in ("cn-mic-power-battery", "cn-mic-robotics", "obs-mic-count-2025"):
        assert f'href="/id/{subject}"' in referenced


def test_page_renders_blank_nodes_inline(served):
    reader = page(served, "id/obs-mic-count-2025")
    [value_range] = reader.row("range")
    assert "lower bound" in value_range[1]["text"] and "33" in value_range[1]["text"]


def test_page_offers_the_rdf_alternates(served):
    html = httpx.get(served.url + "id/cn-mic-robotics", headers={"Accept": "text/html"}).text
    for fmt in ("turtle", "nt", "jsonld", "xml"):
        assert f'href="?format={fmt}"' in html
    assert '<link rel="alternate" type="text/turtle" href="?format=turtle">' in html


# --- the ontology ------------------------------------------------------------------------------------

def test_ontology_in_rdf_holds_the_terms(served, cli):
    response = httpx.get(served.url + "ontology", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    terms = cli("query", *ONLY_FIXTURE, "SELECT ?t WHERE { ?t a ?k FILTER(STRSTARTS(STR(?t), STR(mic:)) "
                "|| ?t = <https://w3id.org/micgraph/ontology>) }", "--format", "csv").stdout.splitlines()[1:]
    assert {str(s) for s in graph.subjects()} == set(terms)
    assert not any(str(s).startswith(MICR) for s in graph.subjects())


def test_ontology_page_has_both_labels_and_term_anchors(served):
    reader = page(served, "ontology")
    html = httpx.get(served.url + "ontology", headers={"Accept": "text/html"}).text
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
    embedded = re.search(r'<script type="application/json" id="named-queries">(.*?)</script>', html, re.S).group(1)
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
