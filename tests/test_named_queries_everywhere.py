"""Every named query (queries/*.rq) gives the same answers in memory, on a persistent Oxigraph store, on the
Oxigraph server and on Virtuoso: the bundled graph is loaded or pushed to each, then compared by value.

By value: Oxigraph keeps values, not lexical forms ("50.0"^^xsd:decimal comes back as "50"), and
engines differ in how they type a COUNT or an AVG; blank nodes compare equal to each other (their
labels are each engine's own). Row order counts only where the query has ORDER BY.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
import pytest

from micgraph import bundle
from micgraph.query import _LEXICAL_NOISE, SelectResult, run_query

GRAPH = "https://w3id.org/micgraph/id/graph/test-everywhere"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMBERS = {XSD + t for t in ("decimal integer int long short byte double float nonNegativeInteger positiveInteger "
                             "nonPositiveInteger negativeInteger unsignedLong unsignedInt").split()}


def value(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("blank",)
    if term.language:
        return ("text", term.value, term.language.lower())
    datatype = term.datatype.value
    if datatype in NUMBERS:
        try:
            number = Decimal(term.value.strip())
        except InvalidOperation:
            return ("literal", term.value, datatype)
        if datatype in (XSD + "double", XSD + "float"):
            number = Decimal(f"{float(number):.12g}")
        return ("number", number.normalize())
    return ("text", term.value, "") if datatype == XSD + "string" else ("literal", term.value, datatype)


def answers(result, ordered: bool):
    if isinstance(result, SelectResult):
        rows = [tuple(value(t) for t in row) for row in result.bindings]
        return (result.variables, rows if ordered else sorted(rows, key=repr))
    if result.kind == "ask":
        return result.boolean
    triples = [tuple(value(t) for t in (x.subject, x.predicate, x.object)) for x in result.triples]
    return sorted(set(triples), key=repr)


def has_order_by(text: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", _LEXICAL_NOISE.sub(" ", text), re.I) is not None


@pytest.fixture(scope="module")
def engines(tmp_path_factory, oxigraph_server, virtuoso_server):
    """The bundled graph in memory, in a persistent store, on the Oxigraph server and on Virtuoso."""
    from click.testing import CliRunner

    from micgraph.cli import main
    from micgraph.remote import open_endpoint, push
    from micgraph.stores import open_graph, open_store
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


@pytest.mark.server
@pytest.mark.parametrize("name", sorted(bundle.named_queries()))
def test_named_query_gives_the_same_answers_everywhere(engines, name):
    ordered = has_order_by(bundle.named_query(name).text)
    results = {engine: answers(run_query(store, name=name), ordered) for engine, store in engines.items()}
    expected = results.pop("memory")
    for engine, got in results.items():
        assert got == expected, f"{name}: {engine} differs from memory"
