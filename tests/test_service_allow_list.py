"""The SERVICE allow-list holds whatever the query text looks like: a differential fuzz through micgraph's own
query and update paths (not pyoxigraph alone, as tests/test_sparql_parser.py does), against a recording
listener on 127.0.0.1. Whenever the listener is contacted, the endpoint must have been allowed.

Two layers keep it so (docs/security.md): the decision on the parsed query (micgraph.sparql, federation.py),
and the engine thread that cannot open Internet sockets (sandbox.py). The sandbox test below turns the
decision off and shows the second layer holds alone.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micgraph.errors import MicgraphError
from micgraph.query import run_query, run_update
from micgraph.stores import OxigraphStore
from test_sparql_parser import LISTENER, ROOT, queries, updates

# Endpoints the generated queries name (tests/test_sparql_parser.py: e0, e1, ..., ex/..., base/..., load).
CANDIDATES = [f"{ROOT}/e{i}" for i in range(4)] + [f"{ROOT}/ex/e0", f"{ROOT}/base/e0", f"{ROOT}/load"]
STATS = {"examples": 0, "contacted": 0}


def _store() -> OxigraphStore:
    store = OxigraphStore()
    store.add_quads([ox.Quad(ox.NamedNode(f"{ROOT}/s"), ox.NamedNode(f"{ROOT}/p"), ox.Literal("o"), ox.DefaultGraph())])
    return store


def _contacted_urls() -> set[str]:
    return {f"{ROOT}{path}" for path in LISTENER.take()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries(), st.sets(st.sampled_from(CANDIDATES), max_size=3))
def test_a_query_contacts_only_allowed_endpoints(text: str, allowed: set[str]) -> None:
    LISTENER.take()
    try:
        run_query(_store(), text, service_allow=tuple(sorted(allowed)), service_timeout=3)
    except MicgraphError:
        pass  # refused, or an endpoint's answer did not fit: either way, what was contacted is checked
    contacted = _contacted_urls()
    STATS["examples"] += 1
    STATS["contacted"] += bool(contacted)
    assert contacted <= allowed, f"contacted {sorted(contacted - allowed)} with only {sorted(allowed)} allowed"


def test_the_fuzz_reaches_allowed_endpoints():
    """Not vacuous: an allowed endpoint is called, through micgraph's own client."""
    LISTENER.take()
    run_query(_store(), f"SELECT * WHERE {{ SERVICE <{ROOT}/e0> {{ ?s ?p ?o }} }}", service_allow=(f"{ROOT}/e0",))
    assert _contacted_urls() == {f"{ROOT}/e0"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(updates(), st.sets(st.sampled_from(CANDIDATES), max_size=3))
def test_an_update_contacts_only_allowed_load_sources(text: str, allowed: set[str]) -> None:
    LISTENER.take()
    try:
        run_update(_store(), text, load_allow=tuple(sorted(allowed)))
    except MicgraphError:
        pass
    contacted = _contacted_urls()
    assert contacted <= allowed, f"contacted {sorted(contacted - allowed)} with only {sorted(allowed)} allowed"


@pytest.mark.parametrize("text", [
    "PREFIX : <{root}/e0> SELECT * {{ SERVICE:x {{ }} }}",
    "SELECT * {{ <http://no/\\u0041> ?p ?o SERVICE <{root}/e1> {{ }} }}",
    "PREFIX SILENT: <http://no/> PREFIX : <{root}/> SELECT * {{ SERVICE SILENT:e2 {{ }} }}",
    "SELECT * {{ BIND(\"\\u0022\" AS ?x) SERVICE <{root}/e3> {{ }} }} # \"\"\"",
])
def test_the_reported_bypasses_are_closed_with_nothing_allowed(text: str) -> None:
    LISTENER.take()
    with pytest.raises(MicgraphError):
        run_query(_store(), text.format(root=ROOT))
    assert _contacted_urls() == set()


def test_the_engine_thread_cannot_reach_the_network_even_if_the_decision_were_wrong(monkeypatch):
    """The second layer alone: with the parsed-query decision switched off, pyoxigraph's own HTTP client
    still cannot connect (seccomp refuses its socket)."""
    from micgraph import query, sandbox

    if sandbox.network_guard() is not None:
        pytest.skip(f"no seccomp here: {sandbox.network_guard()}")
    monkeypatch.setattr(query, "may_contain_keyword", lambda text, keyword: False)
    LISTENER.take()
    with pytest.raises(MicgraphError, match="Permission denied|not allowed"):
        run_query(_store(), f"SELECT * WHERE {{ SERVICE <{ROOT}/e0> {{ ?s ?p ?o }} }}", timeout=30)
    assert _contacted_urls() == set()
