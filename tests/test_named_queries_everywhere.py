"""Every named query (queries/*.rq) gives the same answers in memory, on a persistent Oxigraph store, on the
Oxigraph server and on Virtuoso: the bundled graph is loaded or pushed to each, then compared by value.

By value: Oxigraph keeps values, not lexical forms ("50.0"^^xsd:decimal comes back as "50"), and
engines differ in how they type a COUNT or an AVG; blank nodes compare equal to each other (their
labels are each engine's own). Row order counts where the query has ORDER BY, except on Virtuoso:
SPARQL 1.1 (15.1) leaves the order of language-tagged literals, which most of these queries sort by,
to the engine, and Virtuoso's differs from Oxigraph's.

VIRTUOSO_DEVIATIONS lists the named queries Virtuoso 7.2.5 answers differently from Oxigraph (which
passes 98.9 % of the W3C SPARQL 1.1 tests here), one line each with what differs; they are strict
xfails, so a query that starts agreeing (or a new one that disagrees) is noticed.
"""

from __future__ import annotations

import re

import pytest

from micgraph import bundle
from conftest import SPARQL_NOISE
from micgraph.query import SelectResult, run_query
from micgraph.terms import comparable

GRAPH = "https://w3id.org/micgraph/id/graph/test-everywhere"
def answers(result, ordered: bool):
    if isinstance(result, SelectResult):
        rows = [tuple(comparable(t) for t in row) for row in result.bindings]
        return (result.variables, rows if ordered else sorted(rows, key=repr))
    if result.kind == "ask":
        return result.boolean
    triples = [tuple(comparable(t) for t in (x.subject, x.predicate, x.object)) for x in result.triples]
    return sorted(set(triples), key=repr)


VIRTUOSO_DEVIATIONS: dict[str, str] = {
    "centers-by-province": "Virtuoso returns 1 region instead of 15 for a/rdfs:subClassOf* joined with the "
                           "sequence path mic:city/mic:region",
    "chinese-centers-vehicles-batteries": "Virtuoso drops one of the two centres (property paths in a join)",
    "organizations-behind-centers": "Virtuoso returns no row where Oxigraph returns 50 (or, with some data "
                                    "loaded before it, the right rows: see UNSTABLE)",
    "trade-measures-semiconductors": "Virtuoso returns no row where Oxigraph returns 2",
    "figures-with-ranges": "Virtuoso stores xsd:boolean as an integer: \"false\"^^xsd:boolean comes back as 0",
    "institutes-by-sponsor": "Virtuoso leaves BIND(COALESCE(?s, \"unknown\")) unbound where ?s is unbound",
    "china-vs-us-figures": "Virtuoso concatenates the periods of other rows into CONCAT(COALESCE(...)) "
                           "(\"20172022\" where Oxigraph gives \"2025\")",
    "china-mic-count-timeline": "Virtuoso's GROUP_CONCAT lists a figure's two sources in the other order "
                                "(SPARQL 1.1 leaves the order of GROUP_CONCAT unspecified)",
    "geosparql-geometries": "Virtuoso turns STRDT(..., geo:wktLiteral) into its own virtrdf:Geometry datatype",
}


def has_order_by(text: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", SPARQL_NOISE.sub(" ", text), re.I) is not None


@pytest.fixture(scope="module")
def engines(tmp_path_factory, oxigraph_server, virtuoso_server):
    """The bundled graph in memory, in a persistent store, on the Oxigraph server and on Virtuoso."""
    from click.testing import CliRunner

    from micgraph.cli import main
    from micgraph.remote import open_endpoint, push
    from micgraph.graph import open_graph
    from micgraph.stores import open_store
    from servers import VIRTUOSO_PASSWORD, VIRTUOSO_USER

    memory = open_graph()
    directory = tmp_path_factory.mktemp("everywhere") / "kg"
    loaded = CliRunner().invoke(main, ["load", "--bundled", "--store", f"oxigraph:{directory}"])
    assert loaded.exit_code == 0, loaded.output
    push(memory, oxigraph_server.store, graph=GRAPH, replace=True, query_url=oxigraph_server.query)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MICGRAPH_ENDPOINT_USER", VIRTUOSO_USER)
        patch.setenv("MICGRAPH_ENDPOINT_PASSWORD", VIRTUOSO_PASSWORD)
        report = push(memory, virtuoso_server.graph_store, graph=GRAPH, replace=True, query_url=virtuoso_server.sparql)
    assert report.verified
    store = open_store(f"oxigraph:{directory}")
    yield {"memory": memory, "oxigraph store": store,
           "oxigraph server": open_endpoint(oxigraph_server.query, default_graphs=[GRAPH]),
           "virtuoso": open_endpoint(virtuoso_server.sparql, default_graphs=[GRAPH])}
    store.close()


# Deviations that come and go with what else the server holds: with data/links/ror.ttl loaded, Virtuoso
# answers organizations-behind-centers right when the whole module runs, wrong when the test runs alone.
UNSTABLE = {"organizations-behind-centers"}


def _named_queries():
    try:
        names = sorted(bundle.named_queries())
    except FileNotFoundError:
        names = []
    return [pytest.param(name, marks=[pytest.mark.xfail(reason=VIRTUOSO_DEVIATIONS[name],
                                                         strict=name not in UNSTABLE)]
                         if name in VIRTUOSO_DEVIATIONS else []) for name in names]


@pytest.mark.server
@pytest.mark.parametrize("name", _named_queries())
def test_named_query_gives_the_same_answers_everywhere(engines, name):
    ordered = has_order_by(bundle.named_query(name).text)
    results = {engine: answers(run_query(store, name=name), ordered and engine != "virtuoso")
               for engine, store in engines.items()}
    expected = results.pop("memory")
    unordered = answers(run_query(engines["memory"], name=name), False)
    for engine, got in results.items():
        assert got == (unordered if engine == "virtuoso" else expected), f"{name}: {engine} differs from memory"
