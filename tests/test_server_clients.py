"""Researchers' SPARQL clients against `micgraph serve`: SPARQLWrapper (Python) and the Comunica CLI
(JavaScript, installed by .ci/run into tests/node), their answers checked against `micgraph query`.

On the fixture server: SELECT, ASK and CONSTRUCT. On a server of the bundled graph: every named query.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import SERVE_FIXTURE, require_tool
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from micgraph.bundle import named_queries
from micgraph.namespaces import PREFIXES
from micgraph.sparql import with_prefix_declarations as _declare


def with_prefix_declarations(text: str) -> str:
    return _declare(text, PREFIXES)

COMUNICA = Path(__file__).parent / "node" / "node_modules" / ".bin" / "comunica-sparql"
ONLY_FIXTURE = ["--no-bundled", "--data", str(SERVE_FIXTURE)]
SELECT = "SELECT ?c ?label ?city WHERE { ?c a mic:ChineseCenter ; rdfs:label ?label ; mic:city ?city }"
ASK = "ASK { micr:cn-mic-power-battery mic:program micr:program-china-mic }"
CONSTRUCT = "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c mic:program ?p ; rdfs:label ?l }"


def rows(document: dict) -> list[str]:
    """The solutions of a SPARQL JSON result as sorted canonical strings (blank node labels blanked out)."""
    def term(value: dict) -> dict:
        return {**value, "value": "_"} if value["type"] == "bnode" else value

    return sorted(json.dumps({k: term(v) for k, v in row.items()}, sort_keys=True, ensure_ascii=False)
                  for row in document["results"]["bindings"])


def micgraph_json(cli, *args: str) -> dict:
    return json.loads(cli("query", *args, "--format", "json").stdout)


def comunica(endpoint: str, query: str, media: str) -> str:
    executable = require_tool(str(COMUNICA), "npm ci --prefix tests/node (Node.js 20 or later)")
    done = subprocess.run([executable, f"sparql@{endpoint}", "-q", query, "-t", media],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def wrapper(endpoint: str, query: str, fmt=JSON, method=None) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method:
        client.setMethod(method)
    return client


# --- SPARQLWrapper ------------------------------------------------------------------------------

@pytest.mark.parametrize("method", [None, POST])
def test_sparqlwrapper_select_equals_micgraph_query(served, cli, method):
    answer = wrapper(served.sparql, with_prefix_declarations(SELECT), method=method).queryAndConvert()
    expected = micgraph_json(cli, *ONLY_FIXTURE, SELECT)
    assert answer["head"]["vars"] == expected["head"]["vars"] == ["c", "label", "city"]
    assert rows(answer) == rows(expected) and len(rows(answer)) == 8


def test_sparqlwrapper_ask_and_construct(served, cli):
    assert wrapper(served.sparql, with_prefix_declarations(ASK)).queryAndConvert()["boolean"] is True
    graph = wrapper(served.sparql, with_prefix_declarations(CONSTRUCT), fmt=TURTLE).queryAndConvert()
    parsed = Graph().parse(data=graph, format="turtle")
    expected = Graph().parse(data=cli("query", *ONLY_FIXTURE, CONSTRUCT, "--format", "turtle").stdout, format="turtle")
    assert len(parsed) == 4 and isomorphic(parsed, expected)


def test_sparqlwrapper_reports_a_malformed_query(served):
    with pytest.raises(QueryBadFormed, match="SPARQL syntax error"):
        wrapper(served.sparql, "SELECT * WHERE { ?s ?p ").queryAndConvert()


# --- Comunica -----------------------------------------------------------------------------------

def test_comunica_select_equals_micgraph_query(served, cli):
    answer = json.loads(comunica(served.sparql, with_prefix_declarations(SELECT), "application/sparql-results+json"))
    assert answer["metadata"]["httpRequests"] == 1  # Comunica sent the whole query to the endpoint
    assert rows(answer) == rows(micgraph_json(cli, *ONLY_FIXTURE, SELECT))


def test_comunica_ask_and_construct(served, cli):
    answer = json.loads(comunica(served.sparql, with_prefix_declarations(ASK), "application/sparql-results+json"))
    assert answer["boolean"] is True
    triples = comunica(served.sparql, with_prefix_declarations(CONSTRUCT), "application/n-triples")
    expected = Graph().parse(data=cli("query", *ONLY_FIXTURE, CONSTRUCT, "--format", "nt").stdout, format="nt")
    assert isomorphic(Graph().parse(data=triples, format="nt"), expected) and len(expected) == 4


# --- the named queries on the bundled graph ------------------------------------------------------------

NAMED = sorted(named_queries())


NAMED_SELECTS = [name for name in NAMED if "CONSTRUCT" not in named_queries()[name].text]
NAMED_CONSTRUCTS = [name for name in NAMED if name not in NAMED_SELECTS]


def micgraph_graph(cli, name: str) -> Graph:
    return Graph().parse(data=cli("query", "-n", name, "--format", "nt").stdout, format="nt")


@pytest.mark.parametrize("name", NAMED_SELECTS)
def test_named_query_through_sparqlwrapper(served_bundled, cli, name):
    query = with_prefix_declarations(named_queries()[name].text)
    answer = wrapper(served_bundled.sparql, query, method=POST).queryAndConvert()
    expected = micgraph_json(cli, "-n", name)
    assert answer["head"]["vars"] == expected["head"]["vars"]
    assert rows(answer) == rows(expected)


@pytest.mark.parametrize("name", NAMED_CONSTRUCTS)
def test_named_construct_through_sparqlwrapper_and_comunica(served_bundled, cli, name):
    query = with_prefix_declarations(named_queries()[name].text)
    expected = micgraph_graph(cli, name)
    turtle = wrapper(served_bundled.sparql, query, fmt=TURTLE, method=POST).queryAndConvert()  # bytes, unparsed
    assert isomorphic(Graph().parse(data=turtle, format="turtle"), expected)
    triples = comunica(served_bundled.sparql, query, "application/n-triples")
    assert isomorphic(Graph().parse(data=triples, format="nt"), expected) and len(expected) > 0


@pytest.mark.parametrize("name", NAMED_SELECTS)
def test_named_query_through_comunica(served_bundled, cli, name):
    query = with_prefix_declarations(named_queries()[name].text)
    answer = json.loads(comunica(served_bundled.sparql, query, "application/sparql-results+json"))
    assert rows(answer) == rows(micgraph_json(cli, "-n", name))


def test_there_are_named_queries_to_check():
    assert len(NAMED) >= 10
