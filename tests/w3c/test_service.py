"""The W3C SPARQL 1.1 Federated Query tests (sparql11/service/), run against local SPARQL endpoints.

Each test names remote endpoints (http://example.org/sparql, ...) and the data they hold. Each becomes a
local Oxigraph server loaded with that data, and its IRI is rewritten in the query; the "invalid"
endpoint of service6/7 becomes a local port where nothing listens. Every rewritten endpoint is on the
allow-list. Results are compared with the expected .srx as multisets; tests/w3c/conftest.py prints the
counts. service5 calls `SERVICE ?service`: micgraph refuses variable endpoints by design
(tests/test_federation.py asserts the refusal), so it is skipped here.
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from endpoints import OxigraphServer, closed_port_url
from micgraph.query import run_query
from micgraph.stores import OxigraphStore

from .manifests import SparqlTest, sparql_tests, suites_missing, suites_root

INVALID_ENDPOINT = "http://invalid.endpoint.org/sparql"
SKIP = {"service/service5": "SERVICE ?service: micgraph refuses variable endpoints by design"}


def _params():
    root = suites_root()
    if root is None:
        return [pytest.param(None, id="suite-missing")]
    tests = [t for t in sparql_tests(root) if t.id.startswith("service/")]
    return [pytest.param(t, id=t.id, marks=[pytest.mark.skip(reason=SKIP[t.id])] if t.id in SKIP else [])
            for t in tests]


@pytest.fixture(scope="module")
def servers():
    """Two Oxigraph servers, reused by every test (none names more than two endpoints)."""
    pool = [OxigraphServer(), OxigraphServer()]
    yield pool
    for server in pool:
        server.stop()


def _multiset(solutions, variables: list[str]) -> Counter:
    return Counter(tuple((v, str(s[v])) for v in variables if s[v] is not None) for s in solutions)


@pytest.mark.parametrize("test", _params())
def test_service(test: SparqlTest | None, servers) -> None:
    if test is None:
        suites_missing()
    endpoints = sorted({endpoint for endpoint, _ in test.service_data})
    assert len(endpoints) <= len(servers)
    query = test.query.read_text(encoding="utf-8")
    allowed = []
    for server, endpoint in zip(servers, endpoints):
        server.clear()
        for named, data in test.service_data:
            if named == endpoint:
                server.load(data)
        query = query.replace(f"<{endpoint}>", f"<{server.url}>")
        allowed.append(server.url)
    dead = closed_port_url()
    query = query.replace(f"<{INVALID_ENDPOINT}>", f"<{dead}>")
    local = OxigraphStore()
    for path in test.data:
        local.load(path)
    result = run_query(local, query, service_allow=(*allowed, dead), service_timeout=10)
    expected = ox.parse_query_results(path=str(test.result))
    variables = [v.value for v in expected.variables]
    solutions = [dict(zip(result.variables, row)) for row in result.bindings]
    assert _multiset(solutions, variables) == _multiset(expected, variables)
