"""SERVICE: federated queries against a real local SPARQL endpoint (Oxigraph server), the allow-list checked
before any connection, timeouts, failures, SERVICE SILENT, and FROM/LOAD reading nothing they were not given."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from conftest import FIXTURES
from endpoints import Listener, OxigraphServer, Redirector, closed_port_url
from micgraph.errors import QueryEvaluationError, QuerySyntaxError, UsageError
from micgraph.query import run_query
from micgraph.graph import open_graph

LINKS = FIXTURES / "links"
LOCAL = ["--no-bundled", "--data", str(LINKS / "graph.ttl"), "--data", str(LINKS / "links-good.ttl")]
REMOTE = LINKS / "wikidata-endpoint.ttl"
POPULATION = """PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?city ?label ?population WHERE {{
  ?city a mic:City ; rdfs:label ?label ; owl:sameAs ?item . FILTER(LANG(?label) = "en")
  {service} {{ ?item wdt:P1082 ?population }}
}} ORDER BY ?city"""


@pytest.fixture(scope="module")
def wikidata():
    server = OxigraphServer()
    server.load(REMOTE)
    yield server
    server.stop()


@pytest.fixture
def listener():
    peer = Listener()
    yield peer
    peer.close()


@pytest.fixture(scope="module")
def local():
    return open_graph([LINKS / "graph.ttl", LINKS / "links-good.ttl"], bundled=False)


def rdflib_rows(query: str, *files: Path) -> list[tuple]:
    """The oracle: rdflib's own SPARQL engine over the union of the files, without any SERVICE."""
    from micgraph.namespaces import PREFIXES

    graph = Graph()
    for path in files:
        graph.parse(path)
    return [tuple(None if v is None else str(v) for v in row) for row in graph.query(query, initNs=PREFIXES)]


def rows(result) -> list[tuple]:
    return [tuple(None if t is None else t.value for t in row) for row in result.bindings]


def test_federated_query_joins_the_local_graph_with_a_local_wikidata_shaped_endpoint(cli, wikidata):
    out = cli("query", *LOCAL, "--service-allow", wikidata.url, "--format", "csv",
              POPULATION.format(service=f"SERVICE <{wikidata.url}>")).stdout
    expected = rdflib_rows(POPULATION.format(service=""), LINKS / "graph.ttl", LINKS / "links-good.ttl", REMOTE)
    assert len(expected) == 2  # Beijing and Shanghai have a Wikidata link and a population
    assert out.splitlines() == ["city,label,population", *(",".join(row) for row in expected)]


def test_a_non_allowed_endpoint_is_refused_before_any_connection(cli, listener):
    result = cli("query", *LOCAL, POPULATION.format(service=f"SERVICE <{listener.url}>"), expect=2)
    assert result.stderr.splitlines() == [
        f"error: line 4: SERVICE <{listener.url}> is not allowed (no endpoint is allowed by default); "
        f"pass --service-allow {listener.url} to let the query call it"]
    assert listener.connections == 0


def test_every_endpoint_is_checked_before_the_first_call(cli, listener, wikidata):
    # the first SERVICE is allowed, the second is not: nothing may be called at all
    query = f"""SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }}
                                SERVICE <{wikidata.url}> {{ ?s ?p ?o }} }}"""
    result = cli("query", *LOCAL, "--service-allow", listener.url, query, expect=2)
    assert f"SERVICE <{wikidata.url}> is not allowed (allowed: {listener.url})" in result.stderr
    assert listener.connections == 0


def test_a_variable_endpoint_is_refused_even_when_its_only_value_is_allowed(cli, listener):
    query = f"SELECT * WHERE {{ VALUES ?endpoint {{ <{listener.url}> }} SERVICE ?endpoint {{ ?s ?p ?o }} }}"
    result = cli("query", *LOCAL, "--service-allow", listener.url, query, expect=2)
    assert "SERVICE ?endpoint: a variable endpoint is not allowed" in result.stderr
    assert listener.connections == 0


def test_prefixed_and_relative_endpoint_iris_are_resolved_before_the_check(local, wikidata):
    base = wikidata.url.rsplit("/", 1)[0] + "/"
    pattern = "{ ?item rdfs:label ?label } FILTER(?item = wd:Q8686)"
    by_iri = run_query(local, f"SELECT ?label WHERE {{ SERVICE <{wikidata.url}> {pattern} }}",
                       service_allow=(wikidata.url,))
    by_prefix = run_query(local, f"PREFIX ep: <{base}> SELECT ?label WHERE {{ SERVICE ep:query {pattern} }}",
                          service_allow=(wikidata.url,))
    by_base = run_query(local, f"BASE <{base}> SELECT ?label WHERE {{ SERVICE <query> {pattern} }}",
                        service_allow=(wikidata.url,))
    assert rows(by_iri) == rows(by_prefix) == rows(by_base) == [("Shanghai",)]
    with pytest.raises(QueryEvaluationError, match=r"SERVICE ep:query is not allowed"):
        run_query(local, f"PREFIX ep: <{base}> SELECT * WHERE {{ SERVICE ep:query {{ ?s ?p ?o }} }}",
                  service_allow=(base + "other",))


def test_service_inside_optional_exists_and_a_subquery_matches_rdflib(local, wikidata):
    query = """PREFIX wdt: <http://www.wikidata.org/prop/direct/>
    SELECT ?city ?population ?label WHERE {{
      ?city a mic:City .
      OPTIONAL {{ ?city owl:sameAs ?item . {s} {{ ?item wdt:P1082 ?population FILTER(isLiteral(?population)) }} }}
      FILTER EXISTS {{ {s} {{ ?x rdfs:label "Beijing"@en }} }}
      {{ SELECT ?city ?label WHERE {{ ?city rdfs:label ?label FILTER(LANG(?label) = "en" && ?label != "}}{{") }} }}
    }} ORDER BY ?city"""
    result = run_query(local, query.format(s=f"SERVICE <{wikidata.url}>"), service_allow=(wikidata.url,))
    expected = rdflib_rows(query.format(s=""), LINKS / "graph.ttl", LINKS / "links-good.ttl", REMOTE)
    assert rows(result) == expected
    assert len(expected) == 3 and [r[1] for r in expected] == ["1001", "2002", None]


def test_construct_with_service(local, wikidata):
    query = f"""CONSTRUCT {{ ?city rdfs:label ?name }} WHERE {{ ?city owl:sameAs ?item .
                SERVICE <{wikidata.url}> {{ ?item rdfs:label ?name FILTER(LANG(?name) = "zh") }} }}"""
    result = run_query(local, query, service_allow=(wikidata.url,))
    assert {(t.subject.value, t.object.value) for t in result.triples} == {
        ("https://w3id.org/micgraph/id/city-beijing", "北京")}


def test_remote_blank_nodes_come_back_as_blank_nodes(local, wikidata):
    result = run_query(local, f"""SELECT ?value ?comment WHERE {{ SERVICE <{wikidata.url}> {{
        wd:Q11746 <http://www.wikidata.org/prop/direct/P1082> ?value . ?value rdfs:comment ?comment }} }}""",
                       service_allow=(wikidata.url,))
    [(value, comment)] = result.bindings
    assert isinstance(value, ox.BlankNode)
    assert comment.value == "a blank node standing in for a value"


def test_a_dead_endpoint_is_a_one_line_error_naming_it(cli):
    dead = closed_port_url()
    result = cli("query", *LOCAL, "--service-allow", dead, POPULATION.format(service=f"SERVICE <{dead}>"), expect=2)
    assert result.stderr.splitlines() == [f"error: SERVICE <{dead}>: connection refused (is the server running, on "
                                          "this host and port?)"]


def test_service_silent_on_a_dead_endpoint_keeps_the_local_rows(cli):
    dead = closed_port_url()
    out = cli("query", *LOCAL, "--service-allow", dead, "--format", "csv",
              POPULATION.format(service=f"SERVICE SILENT <{dead}>")).stdout
    # the failed SERVICE contributes one empty solution: the local rows stay, ?population is unbound
    expected = rdflib_rows(POPULATION.replace("{service} {{ ?item wdt:P1082 ?population }}", ""),
                           LINKS / "graph.ttl", LINKS / "links-good.ttl")
    assert out.splitlines() == ["city,label,population", *(",".join(row[:2]) + "," for row in expected)]


def test_an_endpoint_that_never_answers_times_out(cli, listener):
    started = time.monotonic()
    result = cli("query", *LOCAL, "--service-allow", listener.url, "--service-timeout", "0.5",
                 POPULATION.format(service=f"SERVICE <{listener.url}>"), expect=2)
    assert result.stderr.splitlines() == [
        f"error: SERVICE <{listener.url}>: no answer within 0.5 s (--service-timeout)"]
    assert listener.connections == 1
    assert time.monotonic() - started < 10


def test_service_silent_on_a_silent_endpoint_gives_up_after_the_timeout(local, listener):
    result = run_query(local, POPULATION.format(service=f"SERVICE SILENT <{listener.url}>"),
                       service_allow=(listener.url,), service_timeout=0.3)
    assert [row[2] for row in rows(result)] == [None, None]  # Beijing and Shanghai, without population


def test_an_http_error_names_the_endpoint_and_status(local, wikidata):
    missing = wikidata.url.replace("/query", "/no-such-service")
    with pytest.raises(QueryEvaluationError, match=rf"^SERVICE <{missing}>: HTTP 404"):
        run_query(local, f"SELECT * WHERE {{ SERVICE <{missing}> {{ ?s ?p ?o }} }}", service_allow=(missing,))


def test_a_redirect_is_not_followed(local, listener):
    redirector = Redirector(listener.url)
    try:
        with pytest.raises(QueryEvaluationError, match=rf"HTTP 302 Found: redirects to <{listener.url}>; call that URL instead"):
            run_query(local, f"SELECT * WHERE {{ SERVICE <{redirector.url}> {{ ?s ?p ?o }} }}",
                      service_allow=(redirector.url, listener.url))
    finally:
        redirector.close()
    assert listener.connections == 0


def test_allow_list_entries_must_be_http_urls(cli):
    result = cli("query", *LOCAL, "--service-allow", "file:///etc/passwd", "SELECT * WHERE { ?s ?p ?o }", expect=2)
    assert result.stderr.splitlines() == [
        "error: --service-allow 'file:///etc/passwd': not an http:// or https:// endpoint URL"]


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service a mic:City }",
    'SELECT ?s WHERE { ?s a mic:City ; rdfs:label ?l FILTER(LANG(?l) = "en" && ?l != "SERVICE <http://x/> { }") }',
    "SELECT ?s WHERE { ?s a mic:City } # SERVICE <http://x/> { ?s ?p ?o }",
    "PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s a mic:City OPTIONAL { ?s ex:SERVICE ?o } }",
])
def test_words_that_look_like_service_are_not_service_calls(local, query):
    assert len(run_query(local, query)) == 3


def test_only_queries_that_may_call_service_load_the_sparql_parser():
    """rdflib is never needed; micgraph's own parser only where the text can hold the SERVICE keyword."""
    code = ("import sys; from micgraph.graph import open_graph; from micgraph.query import run_query;"
            f"g = open_graph([{str(LINKS / 'graph.ttl')!r}], bundled=False);"
            "assert len(run_query(g, 'SELECT ?city WHERE { ?city a mic:City }')) == 3;"
            "print('lark' in sys.modules, 'micgraph.sparql._parser' in sys.modules);"
            "assert len(run_query(g, 'SELECT ?service WHERE { ?service a mic:City }')) == 3;"
            "print('micgraph.sparql._parser' in sys.modules, 'rdflib.plugins.sparql.parser' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "True", "False"]


def test_a_syntax_error_in_a_federated_query_is_one_line_and_calls_nothing(local, listener):
    query = f"SELECT * WHERE {{\n  SERVICE <{listener.url}> {{ ?s ?p ?o ) }}\n}}"
    with pytest.raises(QuerySyntaxError) as error:
        run_query(local, query, service_allow=(listener.url,))
    assert str(error.value).startswith("query:2:") and "unexpected ')'" in str(error.value)
    assert "\n" not in str(error.value) and listener.connections == 0


def test_load_is_not_a_query(cli, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text("<http://example.org/s> <http://example.org/p> 'secret' .\n")
    result = cli("query", *LOCAL, f"LOAD <{secret.as_uri()}>", expect=2)
    assert result.stderr.startswith("error: query:1:") and "SPARQL syntax error" in result.stderr


def test_from_names_graphs_of_the_store_and_fetches_nothing(local, tmp_path, listener):
    """pyoxigraph reads FROM/FROM NAMED as names of graphs in the store; it never dereferences them."""
    secret = tmp_path / "secret.ttl"
    secret.write_text("<http://example.org/s> <http://example.org/p> 'secret' .\n")
    for source in (secret.as_uri(), listener.url):
        for clause in (f"FROM <{source}>", f"FROM NAMED <{source}>"):
            result = run_query(local, f"SELECT ?o {clause} WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}")
            assert "secret" not in {row[0] for row in rows(result)}, clause
    assert listener.connections == 0
    # a graph of that name that is in the store is what FROM NAMED reads
    store = open_graph([], bundled=False)
    store.load(secret, graph=ox.NamedNode(secret.as_uri()))
    query = f"SELECT ?g ?o FROM NAMED <{secret.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert rows(run_query(store, query)) == [(secret.as_uri(), "secret")]


def test_service_timeout_must_be_positive(cli, local):
    cli("query", *LOCAL, "--service-timeout", "0", "SELECT * WHERE { ?s ?p ?o }", expect=2)
    with pytest.raises(UsageError):
        run_query(local, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
                  service_allow=("http://127.0.0.1:1/",), service_timeout=-1)


def test_the_documented_queries_parse_and_call_only_the_endpoints_they_name():
    import re

    from micgraph.namespaces import PREFIXES
    from micgraph.sparql import parse_query

    doc = (Path(__file__).parents[1] / "docs" / "federation.md").read_text(encoding="utf-8")
    queries = [q for q in re.findall(r"```sparql\n(.*?)```", doc, re.S) if "SERVICE <" in q]
    assert len(queries) == 3
    endpoints = {clause.endpoint for q in queries for clause in parse_query(q, prefixes=PREFIXES).services}
    assert endpoints == {"https://query.wikidata.org/sparql", "https://dbpedia.org/sparql"}


def test_a_failing_endpoint_named_twice_fails_unless_every_clause_is_silent(local):
    dead = closed_port_url()
    pattern = "{ ?s ?p ?o }"
    with pytest.raises(QueryEvaluationError, match="connection refused"):
        run_query(local, f"SELECT * WHERE {{ {{ SERVICE <{dead}> {pattern} }} UNION "
                         f"{{ SERVICE SILENT <{dead}> {pattern} }} }}", service_allow=(dead,))
    result = run_query(local, f"SELECT * WHERE {{ {{ SERVICE SILENT <{dead}> {pattern} }} UNION "
                              f"{{ SERVICE SILENT <{dead}> {pattern} }} }}", service_allow=(dead,))
    assert len(result) == 2  # each failed clause is one empty solution
