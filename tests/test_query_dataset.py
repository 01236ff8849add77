"""The default graph a query sees: the union of all graphs (micgraph's default) or the store's real one."""

from __future__ import annotations

import pyoxigraph as ox

from micgraph.query import run_query
from micgraph.stores import OxigraphStore

EX = "http://example.org/"


def _store() -> OxigraphStore:
    store = OxigraphStore()
    store.add_quads([
        ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("in the default graph")),
        ox.Quad(ox.NamedNode(EX + "b"), ox.NamedNode(EX + "p"), ox.Literal("in a named graph"), ox.NamedNode(EX + "g")),
    ])
    return store


def _objects(result) -> set[str]:
    return {row["o"] for row in result.rows}


def test_default_graph_is_the_union_of_all_graphs_by_default():
    result = run_query(_store(), "SELECT ?o WHERE { ?s ?p ?o }")
    assert _objects(result) == {"in the default graph", "in a named graph"}


def test_union_default_graph_false_queries_the_real_default_graph():
    store = _store()
    assert _objects(run_query(store, "SELECT ?o WHERE { ?s ?p ?o }", union_default_graph=False)) == {
        "in the default graph"}
    named = run_query(store, "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", union_default_graph=False)
    assert _objects(named) == {"in a named graph"}
