"""Results are the same whichever engine runs a query: every named query gives the same rows on micgraph's
Oxigraph path and on rdflib's SPARQL engine, over the same bundled graph."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph

from conftest import read_rdflib
from micgraph import bundle, namespaces
from micgraph.query import run_query
from micgraph.terms import comparable, to_rdflib

@pytest.fixture(scope="module")
def rdflib_graph() -> Graph:
    return read_rdflib(bundle.graph_paths())


def test_there_are_named_queries():
    assert len(bundle.named_queries()) >= 20


@pytest.mark.slow  # rdflib's SPARQL engine on the whole graph, 30 times
@pytest.mark.parametrize("name", sorted(bundle.named_queries()))
def test_named_query_same_rows_on_oxigraph_and_rdflib(name, bundled_graph, rdflib_graph):
    ours = run_query(bundled_graph, name=name)
    theirs = rdflib_graph.query(bundle.named_query(name).text, initNs=namespaces.PREFIXES)
    if ours.kind == "ask":
        assert ours.boolean == theirs.askAnswer
    elif ours.kind == "graph":
        from rdflib.compare import isomorphic

        from conftest import value_normalised

        mine = Graph()
        for t in ours.triples:
            mine.add(tuple(to_rdflib(x) for x in (t.subject, t.predicate, t.object)))
        assert isomorphic(value_normalised(mine), value_normalised(theirs.graph))
    else:
        assert [str(v) for v in theirs.vars] == ours.variables
        mine = Counter(tuple(comparable(t) for t in row) for row in ours.bindings)
        other = Counter(tuple(comparable(row[v]) for v in theirs.vars) for row in theirs)
        assert mine == other
        assert mine, f"{name} returns no rows on the bundled graph"
