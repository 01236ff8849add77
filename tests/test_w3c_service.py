"""The W3C SPARQL 1.1 federated-query tests (../shared/w3c/sparql11/service/), run against local endpoints.

Each test names its remote endpoints (http://example.org/sparql, …) with the data they hold. Every named
endpoint becomes a local Oxigraph server loaded with that data, and its IRI is rewritten in the query; the
"invalid" endpoint of service06/07 becomes a local port where nothing listens. The results are compared
with the expected .srx as multisets. service05 calls `SERVICE ?service`, whose endpoint is a variable:
micgraph refuses variable endpoints by design, which that test asserts instead.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection

from conftest import IN_CI
from endpoints import OxigraphServer, closed_port_url
from micgraph.errors import QueryEvaluationError
from micgraph.query import run_query
from micgraph.stores import open_graph



def _suites_root() -> Path:
    """$MICGRAPH_W3C_SUITES, else `shared/w3c` beside an ancestor of this checkout (/work/shared/w3c)."""
    if os.environ.get("MICGRAPH_W3C_SUITES"):
        return Path(os.environ["MICGRAPH_W3C_SUITES"])
    candidates = [ancestor / "shared" / "w3c" for ancestor in Path(__file__).resolve().parents]
    return next((c for c in candidates if (c / "sparql11" / "service").is_dir()), candidates[0])


SERVICE_DIR = _suites_root() / "sparql11" / "service"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
INVALID_ENDPOINT = "http://invalid.endpoint.org/sparql"
REFUSED_BY_DESIGN = {"service5": "SERVICE ?service: a variable endpoint is not allowed"}


def _entries() -> list[tuple[str, dict]]:
    manifest = SERVICE_DIR / "manifest.ttl"
    if not manifest.exists():
        return []
    graph = Graph().parse(manifest, publicID=manifest.as_uri())
    [head] = graph.objects(None, MF.entries)
    tests = []
    for entry in Collection(graph, head):
        action = graph.value(entry, MF.action)
        services = {str(graph.value(s, QT.endpoint)): Path(graph.value(s, QT.data).removeprefix("file://"))
                    for s in graph.objects(action, QT.serviceData)}
        data = graph.value(action, QT.data)
        tests.append((str(entry).rsplit("#", 1)[1], {
            "query": Path(graph.value(action, QT.query).removeprefix("file://")),
            "data": Path(data.removeprefix("file://")) if data else None,
            "services": services,
            "result": Path(graph.value(entry, MF.result).removeprefix("file://")),
        }))
    return tests


ENTRIES = _entries()


@pytest.fixture(scope="module")
def servers():
    """Two Oxigraph servers, reused by every test (no test names more than two endpoints)."""
    pool = [OxigraphServer(), OxigraphServer()]
    yield pool
    for server in pool:
        server.stop()


def _multiset(solutions, variables: list[str]) -> Counter:
    return Counter(tuple((v, str(s[v])) for v in variables if s[v] is not None) for s in solutions)


def test_the_suite_is_there():
    if not ENTRIES:
        message = f"the W3C test suite is not at {SERVICE_DIR} (set MICGRAPH_W3C_SUITES)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    assert len(ENTRIES) == 7


@pytest.mark.parametrize("name,test", ENTRIES, ids=[name for name, _ in ENTRIES])
def test_w3c_service(name, test, servers):
    assert len(test["services"]) <= len(servers)
    query = test["query"].read_text(encoding="utf-8")
    allowed = []
    for server, (endpoint, data) in zip(servers, sorted(test["services"].items())):
        server.clear()
        server.load(data)
        query = query.replace(f"<{endpoint}>", f"<{server.url}>")
        allowed.append(server.url)
    dead = closed_port_url()
    query = query.replace(f"<{INVALID_ENDPOINT}>", f"<{dead}>")
    allowed.append(dead)
    local = open_graph([test["data"]] if test["data"] else [], bundled=False)

    if name in REFUSED_BY_DESIGN:
        with pytest.raises(QueryEvaluationError, match=re.escape(REFUSED_BY_DESIGN[name])):
            run_query(local, query, service_allow=tuple(allowed))
        return
    result = run_query(local, query, service_allow=tuple(allowed), service_timeout=10)
    expected = ox.parse_query_results(path=str(test["result"]))
    variables = [v.value for v in expected.variables]
    solutions = [dict(zip(result.variables, row)) for row in result.bindings]
    assert _multiset(solutions, variables) == _multiset(expected, variables)
