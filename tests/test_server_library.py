"""The server as a library (`micgraph.server.create_app` under uvicorn in this process, on a persistent
store), the query options it relies on, content negotiation, and `micgraph serve`'s errors."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
from conftest import SERVE_FIXTURE

from micgraph.errors import QuerySyntaxError, ServiceNotAllowedError, UsageError
from micgraph.graph import open_graph
from micgraph.query import run_query, run_update
from micgraph.server.negotiation import negotiate
from micgraph.stores import OxigraphStore

# --- content negotiation ---------------------------------------------------------------------------

@pytest.mark.parametrize("accept, offers, chosen", [
    (None, ["a/b", "c/d"], "a/b"),
    ("", ["a/b", "c/d"], "a/b"),
    ("*/*", ["a/b", "c/d"], "a/b"),
    ("c/d", ["a/b", "c/d"], "c/d"),
    ("c/*", ["a/b", "c/d"], "c/d"),
    ("a/b;q=0.2, c/d;q=0.8", ["a/b", "c/d"], "c/d"),
    ("*/*;q=0.1, a/b;q=0", ["a/b", "c/d"], "c/d"),  # the specific q=0 beats the wildcard
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ["text/turtle", "text/html"], "text/html"),
    ("image/png", ["a/b", "c/d"], None),
    ("a/b;q=0", ["a/b"], None),
    ("A/B", ["a/b"], "a/b"),
    ("garbage, c/d;q=x", ["a/b", "c/d"], None),  # an unreadable q counts as 0
])
def test_negotiate(accept, offers, chosen):
    assert negotiate(accept, offers) == chosen


# --- the query options the endpoint uses --------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture_graph():
    return open_graph([SERVE_FIXTURE], bundled=False)


def test_max_rows_cuts_and_marks_select_results(fixture_graph):
    query = "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l"
    everything = run_query(fixture_graph, query)
    cut = run_query(fixture_graph, query, max_rows=3)
    assert cut.truncated and not everything.truncated
    assert cut.bindings == everything.bindings[:3]
    exact = run_query(fixture_graph, query, max_rows=len(everything))
    assert not exact.truncated and exact.bindings == everything.bindings


def test_max_rows_cuts_and_marks_construct_results(fixture_graph):
    """A CONSTRUCT over a cartesian product must not fill the memory: it stops at max_rows triples."""
    query = "CONSTRUCT { ?a <http://e/p> ?b } WHERE { ?a ?p1 ?x . ?b ?p2 ?y }"
    cut = run_query(fixture_graph, query, max_rows=7)
    assert cut.truncated and len(cut.triples) == 7
    labels = run_query(fixture_graph, "CONSTRUCT WHERE { ?s rdfs:label ?l }")
    exact = run_query(fixture_graph, "CONSTRUCT WHERE { ?s rdfs:label ?l }", max_rows=len(labels))
    assert not exact.truncated and set(exact.triples) == set(labels.triples)


def test_protocol_dataset_replaces_the_default_graph():
    store = OxigraphStore()
    store.oxigraph.update("INSERT DATA { GRAPH <http://e/g1> { <http://e/a> <http://e/p> 1 } "
                          "GRAPH <http://e/g2> { <http://e/b> <http://e/p> 2 } }")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert run_query(store, count).bindings[0][0].value == "2"  # the union
    assert run_query(store, count, default_graphs=["http://e/g1"]).bindings[0][0].value == "1"
    assert run_query(store, count, named_graphs=["http://e/g1"]).bindings[0][0].value == "0"
    named = run_query(store, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=["http://e/g2"])
    assert [row[0].value for row in named.bindings] == ["http://e/g2"]


def test_run_update_is_all_or_nothing(fixture_graph):
    store = open_graph([SERVE_FIXTURE], bundled=False)
    before = len(store)
    run_update(store, "INSERT DATA { micr:x rdfs:label 'x' }")
    assert len(store) == before + 1
    with pytest.raises(QuerySyntaxError, match=r"update:1:"):
        run_update(store, "INSERT DATA { micr:y rdfs:label 'y' } ; DELETE DATA {")
    assert len(store) == before + 1
    with pytest.raises(ServiceNotAllowedError):
        run_update(store, "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")


# --- create_app from Python, on a persistent store --------------------------------------------------

class InProcess:
    """uvicorn running `app` in a thread of this process."""

    def __init__(self, app) -> None:
        import uvicorn

        from micgraph.server import listen

        self.sock = listen("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "the server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.sock.close()


def test_create_app_serves_a_persistent_store_and_its_updates(tmp_path):
    from micgraph.server import create_app

    store = OxigraphStore(tmp_path / "db")
    store.load(SERVE_FIXTURE)
    triples = len(store)
    served = InProcess(create_app(store, allow_update=True, token="s3cret", workers=2, timeout=10))
    try:
        # the workers read a checkpoint of the store, made next to it
        [snapshots] = [p for p in tmp_path.iterdir() if p.name.startswith(".db.serve-")]
        assert any(snapshots.iterdir())
        count = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
        assert httpx.get(served.url + "sparql", params=count).json()["results"]["bindings"][0]["n"]["value"] == \
            str(triples)
        insert = "INSERT DATA { micr:cn-mic-robotics mic:city 'Shenyang City'@en }"
        response = httpx.post(served.url + "sparql", data={"update": insert},
                              headers={"Authorization": "Bearer s3cret"})
        assert response.status_code == 204
        assert len(OxigraphStore.read_only(tmp_path / "db")) == triples + 1  # written to the store on disk
        # both workers answer from the new snapshot
        for _ in range(4):
            answer = httpx.get(served.url + "sparql", params=count).json()
            assert answer["results"]["bindings"][0]["n"]["value"] == str(triples + 1)
        page = httpx.get(served.url + "id/cn-mic-robotics", headers={"Accept": "text/html"}, follow_redirects=True)
        assert "Shenyang City" in page.text
        assert len([p for p in snapshots.iterdir()]) == 1  # the first snapshot, unused, was deleted
    finally:
        served.stop()
    assert not snapshots.exists()
    assert len(store) == triples + 1  # the server let go of the store for its update worker, and took it back


def test_create_app_refuses_updates_without_a_token(fixture_graph):
    from micgraph.server import create_app

    with pytest.raises(UsageError, match="token"):
        create_app(fixture_graph, allow_update=True)
    with pytest.raises(UsageError, match="timeout"):
        create_app(fixture_graph, timeout=0)


# --- micgraph serve's errors ---------------------------------------------------------------------------

def test_serve_option_errors(cli, monkeypatch):
    data = ["--no-bundled", "--data", str(SERVE_FIXTURE)]
    assert "--token-env" in cli("serve", *data, "--allow-update", expect=2).stderr
    monkeypatch.delenv("MICGRAPH_UNSET_TOKEN", raising=False)
    assert "not set" in cli("serve", *data, "--allow-update", "--token-env", "MICGRAPH_UNSET_TOKEN", expect=2).stderr
    assert "only applies" in cli("serve", *data, "--token-env", "X", expect=2).stderr
    missing = cli("serve", "--no-bundled", "--data", "no-such-file.ttl", expect=2).stderr
    assert missing.strip() == "error: no-such-file.ttl: no such file"


def test_serve_says_when_the_port_is_taken(cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = cli("serve", "--no-bundled", "--data", str(SERVE_FIXTURE), "--port", str(port), expect=2)
    assert result.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_a_bad_service_allow_entry_is_refused_at_start_up(cli):
    """Not on every query afterwards: the server does not start."""
    result = cli("serve", "--no-bundled", "--data", str(SERVE_FIXTURE), "--port", "0", "--service-allow",
                 "ftp://example.org/sparql", expect=2)
    assert result.stderr.startswith("error: --service-allow 'ftp://example.org/sparql'")
    assert len(result.stderr.strip().splitlines()) == 1
