"""`micgraph serve` speaks the SPARQL 1.1 Protocol: every way to send a query, every result format, the
service description, the protocol dataset, and the errors, against a real server process."""

from __future__ import annotations

import io
import json

import httpx
import pytest
from conftest import SERVE_FIXTURE
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.query import Result
from serving import check_document

from micgraph.server.negotiation import GRAPH_FORMATS

ONLY_FIXTURE = ["--no-bundled", "--data", str(SERVE_FIXTURE)]
CENTERS = "SELECT ?c ?label WHERE { ?c a mic:ChineseCenter ; rdfs:label ?label } ORDER BY ?c ?label"
CONSTRUCT = "CONSTRUCT { ?c mic:city ?city ; rdfs:label ?l } WHERE { ?c mic:city ?city ; rdfs:label ?l }"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")


def micgraph_query(cli, query: str, fmt: str) -> bytes:
    return cli("query", *ONLY_FIXTURE, query, "--format", fmt).stdout_bytes


@pytest.mark.parametrize("fmt, accept", [("json", "application/sparql-results+json"),
                                         ("xml", "application/sparql-results+xml"),
                                         ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_select_in_each_format_equals_micgraph_query(served, cli, fmt, accept):
    response = httpx.get(served.sparql, params={"query": CENTERS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert "Accept" in response.headers["vary"]
    assert response.content == micgraph_query(cli, CENTERS, fmt)


def test_get_post_form_and_post_direct_give_the_same_answer(served):
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        httpx.get(served.sparql, params={"query": CENTERS}, headers=accept),
        httpx.post(served.sparql, data={"query": CENTERS}, headers=accept),
        httpx.post(served.sparql, content=CENTERS.encode("utf-8"),
                   headers={**accept, "Content-Type": "application/sparql-query"}),
        httpx.post(served.sparql, content=CENTERS.encode("utf-8"),
                   headers={**accept, "Content-Type": "application/sparql-query; charset=UTF-8"}),
    ]
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.content for a in answers}) == 1
    rows = json.loads(answers[0].content)["results"]["bindings"]
    assert {"type": "literal", "value": "国家机器人创新中心", "xml:lang": "zh"} in [r["label"] for r in rows]


def test_without_accept_select_is_json_and_construct_is_turtle(served, cli):
    select = httpx.get(served.sparql, params={"query": CENTERS}, headers={"Accept": ""})
    assert select.headers["content-type"] == "application/sparql-results+json"
    graph = httpx.get(served.sparql, params={"query": CONSTRUCT}, headers={"Accept": "*/*"})
    assert graph.headers["content-type"] == "text/turtle; charset=utf-8"
    assert graph.content == micgraph_query(cli, CONSTRUCT, "turtle")


def test_accept_quality_values_choose_the_format(served):
    response = httpx.get(served.sparql, params={"query": CENTERS},
                         headers={"Accept": "application/sparql-results+json;q=0.5, text/csv;q=0.9, */*;q=0.1"})
    assert response.headers["content-type"].startswith("text/csv")


@pytest.mark.server  # rapper
@pytest.mark.parametrize("media", list(GRAPH_FORMATS))
def test_construct_in_each_rdf_media_type_of_the_registry(served, cli, media):
    """Every RDF syntax the registry writes (TriG and N-Quads too), under each of its media types,
    read back by pyoxigraph, rdflib and rapper as the graph `micgraph query` constructs."""
    response = httpx.get(served.sparql, params={"query": CONSTRUCT}, headers={"Accept": media})
    expected = Graph().parse(data=micgraph_query(cli, CONSTRUCT, "turtle"), format="turtle")
    assert len(expected) == 8
    check_document(response, GRAPH_FORMATS[media], expected, media)  # labelled as the client asked


def test_ask_in_json_and_xml_and_refuses_csv(served):
    ask = "ASK { micr:cn-mic-robotics mic:city 'Shenyang'@en }"
    for accept, fmt in (("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml")):
        response = httpx.get(served.sparql, params={"query": ask}, headers={"Accept": accept})
        assert Result.parse(io.BytesIO(response.content), format=fmt).askAnswer is True
    refused = httpx.get(served.sparql, params={"query": ask}, headers={"Accept": "text/csv"})
    assert refused.status_code == 406
    assert "application/sparql-results+json" in refused.text


def test_service_description_on_a_get_without_query(served):
    response = httpx.get(served.sparql, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    description = Graph().parse(data=response.text, format="turtle")
    endpoint = URIRef(served.sparql)
    assert (endpoint, SD.endpoint, endpoint) in description
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in description
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Update) not in description
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in description
    triples = next(description.objects(predicate=VOID.triples))
    assert int(triples) == len(Graph().parse(SERVE_FIXTURE))
    # a browser asking /sparql gets the query page
    page = httpx.get(served.sparql, headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"] == "/"


def test_protocol_default_graph_replaces_the_dataset(served):
    ask = "ASK { ?s ?p ?o }"
    assert httpx.get(served.sparql, params={"query": ask}).json()["boolean"] is True
    # the fixture has no graph of that name: the default graph is empty
    empty = httpx.get(served.sparql, params={"query": ask, "default-graph-uri": "http://example.org/none"})
    assert empty.json()["boolean"] is False
    named = httpx.get(served.sparql, params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }",
                                             "named-graph-uri": "http://example.org/none"})
    assert named.json()["boolean"] is False
    bad = httpx.get(served.sparql, params={"query": ask, "default-graph-uri": "not an iri"})
    assert bad.status_code == 400 and "default-graph-uri" in bad.text


def test_a_malformed_query_gets_400_with_the_parser_message(served, cli):
    broken = "SELECT ?x WHERE {\n  ?x a mic:Center"
    response = httpx.get(served.sparql, params={"query": broken})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    message = response.text.strip()
    assert message.startswith("error: query:2:") and "SPARQL syntax error" in message
    # the same one-line message `micgraph query` prints
    expected = cli("query", *ONLY_FIXTURE, broken, expect=2).stderr.strip()
    assert message == expected


@pytest.mark.parametrize("request_args, status, says", [
    ({"method": "PUT", "params": {"query": "ASK {}"}}, 405, ""),
    ({"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "one query"),
    ({"method": "POST", "content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "Content-Type text/plain"),
    ({"method": "POST", "content": b"ASK {}"}, 415, "missing"),
    ({"method": "POST", "content": "ASK {}".encode("utf-16"),
      "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415, "UTF-8"),
    ({"method": "POST", "content": b"ASK { \xff }", "headers": {"Content-Type": "application/sparql-query"}},
     400, "not valid UTF-8"),
    ({"method": "POST", "data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400, "not both"),
    ({"method": "GET", "params": {"update": "CLEAR ALL"}}, 400, "POST"),
    ({"method": "GET", "query": "query=ASK%7B%7D%ff"}, 400, "not UTF-8"),
    ({"method": "POST", "content": b"query=ASK%7B%7D%ff",
      "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400, "not UTF-8"),
])
def test_protocol_errors(served, request_args, status, says):
    request_args = dict(request_args)
    raw_query = request_args.pop("query", None)  # percent-encoded as is, past httpx's own encoding
    url = served.sparql + (f"?{raw_query}" if raw_query else "")
    response = httpx.request(url=url, **request_args)
    assert response.status_code == status, response.text
    assert says in response.text


def test_cors_only_for_the_allowed_origin(served):
    allowed = httpx.get(served.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://yasgui.example"
    assert "X-SPARQL-MaxRows" in allowed.headers["access-control-expose-headers"]
    other = httpx.get(served.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = httpx.options(served.sparql, headers={"Origin": "https://yasgui.example",
                                                      "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_literals_survive_the_round_trip(served):
    query = "SELECT ?d WHERE { micr:cn-mic-power-battery mic:established ?d }"
    [row] = httpx.get(served.sparql, params={"query": query}).json()["results"]["bindings"]
    assert row["d"] == {"type": "literal", "value": "2016-06-30",
                        "datatype": "http://www.w3.org/2001/XMLSchema#date"}
    assert Literal(row["d"]["value"], datatype=URIRef(row["d"]["datatype"])).toPython().year == 2016
