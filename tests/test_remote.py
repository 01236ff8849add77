"""`query --endpoint`, `push` and `graphs --endpoint` against real servers on 127.0.0.1: the Oxigraph server
and Virtuoso 7 (see servers.py), plus endpoints that refuse, hang or reject credentials."""

from __future__ import annotations

import socket
import threading

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import FIXTURES, value_normalised
from servers import VIRTUOSO_PASSWORD, VIRTUOSO_USER, free_port

TINY = str(FIXTURES / "core" / "tiny.ttl")
ONLY_TINY = ["--no-bundled", "--data", TINY]
GRAPH = "http://example.org/graph/tiny"
CENTERS = "SELECT ?c ?label WHERE { ?c a <http://example.org/ns#ChineseCenter> ; rdfs:label ?label } ORDER BY ?label"
ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def local_graph() -> Graph:
    return value_normalised(Graph().parse(TINY))


def remote_graph(cli, endpoint: str, *args: str) -> Graph:
    out = cli("query", "--endpoint", endpoint, *args, ALL, "--format", "nt").stdout
    return value_normalised(Graph().parse(data=out, format="nt"))


def one_line_error(result, *fragments: str) -> str:
    message = result.stderr.strip()
    assert result.exit_code == 2 and message.startswith("error: ") and "\n" not in message, result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in message, message
    return message


@pytest.fixture
def virtuoso_login(monkeypatch):
    monkeypatch.setenv("MICGRAPH_ENDPOINT_USER", VIRTUOSO_USER)
    monkeypatch.setenv("MICGRAPH_ENDPOINT_PASSWORD", VIRTUOSO_PASSWORD)


# --- Oxigraph server -----------------------------------------------------------------------------

@pytest.mark.server
def test_push_by_graph_store_then_query_back(cli, oxigraph_server):
    result = cli("push", *ONLY_TINY, "--endpoint", oxigraph_server.store, "--graph", GRAPH, "--replace",
                 "--query-endpoint", oxigraph_server.query)
    assert "by graph store" in result.stderr and "count verified" in result.stderr
    back = remote_graph(cli, oxigraph_server.query, "--default-graph", GRAPH)
    assert isomorphic(back, local_graph())
    local = cli("query", *ONLY_TINY, CENTERS, "--format", "csv").stdout
    remote = cli("query", "--endpoint", oxigraph_server.query, "--default-graph", GRAPH, CENTERS, "--format", "csv")
    assert remote.stdout == local
    listed = cli("graphs", "--endpoint", oxigraph_server.query).stdout
    assert f"{len(Graph().parse(TINY))}  {GRAPH}" in listed


@pytest.mark.server
def test_push_falls_back_to_sparql_update_in_small_chunks_keeping_blank_nodes(cli, oxigraph_server):
    target = GRAPH + "/update"
    for _ in range(2):  # replacing twice leaves one copy, blank nodes included
        result = cli("push", *ONLY_TINY, "--endpoint", oxigraph_server.update, "--graph", target, "--replace",
                     "--chunk", "2", "--query-endpoint", oxigraph_server.query)
        assert "by sparql update" in result.stderr and "count verified" in result.stderr
    assert isomorphic(remote_graph(cli, oxigraph_server.query, "--default-graph", target), local_graph())


@pytest.mark.server
def test_ask_and_output_formats_over_the_endpoint(cli, oxigraph_server):
    cli("push", *ONLY_TINY, "--endpoint", oxigraph_server.store, "--graph", GRAPH, "--replace")
    for fmt in ("json", "xml", "tsv", "md", "table"):
        local = cli("query", *ONLY_TINY, CENTERS, "--format", fmt).stdout
        remote = cli("query", "--endpoint", oxigraph_server.query, "--default-graph", GRAPH, CENTERS, "--format", fmt)
        assert remote.stdout == local, fmt
    cli("query", "--endpoint", oxigraph_server.query, "ASK { ?s a <http://example.org/ns#Nothing> }", expect=1)


@pytest.mark.server
def test_endpoint_errors_are_one_line(cli, oxigraph_server):
    one_line_error(cli("query", "--endpoint", oxigraph_server.query, "SELECT WHERE {", expect=2), "HTTP 400")
    usage = cli("query", "--endpoint", oxigraph_server.query, "--data", TINY, "ASK {}", expect=2)
    assert "--data, --store and --infer do not apply" in usage.stderr


# --- Virtuoso ------------------------------------------------------------------------------------

@pytest.mark.server
def test_virtuoso_push_by_sparql_update_with_digest_credentials(cli, virtuoso_server, virtuoso_login):
    result = cli("push", *ONLY_TINY, "--endpoint", virtuoso_server.sparql_auth, "--graph", GRAPH, "--replace",
                 "--chunk", "3")
    assert "by sparql update" in result.stderr and "count verified" in result.stderr
    back = remote_graph(cli, virtuoso_server.sparql, "--default-graph", GRAPH)
    assert isomorphic(back, local_graph())


@pytest.mark.server
def test_virtuoso_push_by_graph_store(cli, virtuoso_server, virtuoso_login):
    target = GRAPH + "/gsp"
    for _ in range(2):
        result = cli("push", *ONLY_TINY, "--endpoint", virtuoso_server.graph_store, "--graph", target, "--replace",
                     "--chunk", "4", "--query-endpoint", virtuoso_server.sparql)
        assert "by graph store" in result.stderr and "count verified" in result.stderr
    assert isomorphic(remote_graph(cli, virtuoso_server.sparql, "--default-graph", target), local_graph())


@pytest.mark.server
def test_virtuoso_credentials_from_netrc(cli, virtuoso_server, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {VIRTUOSO_USER} password {VIRTUOSO_PASSWORD}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.delenv("MICGRAPH_ENDPOINT_USER", raising=False)
    result = cli("push", *ONLY_TINY, "--endpoint", virtuoso_server.sparql_auth, "--graph", GRAPH + "/netrc",
                 "--replace")
    assert "count verified" in result.stderr


@pytest.mark.server
def test_virtuoso_refuses_missing_or_wrong_credentials(cli, virtuoso_server, monkeypatch, tmp_path):
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.delenv("MICGRAPH_ENDPOINT_USER", raising=False)
    one_line_error(cli("push", *ONLY_TINY, "--endpoint", virtuoso_server.sparql_auth, "--graph", GRAPH + "/x",
                       expect=2), "HTTP 401", "needs credentials")
    monkeypatch.setenv("MICGRAPH_ENDPOINT_USER", VIRTUOSO_USER)
    monkeypatch.setenv("MICGRAPH_ENDPOINT_PASSWORD", "wrong")
    one_line_error(cli("push", *ONLY_TINY, "--endpoint", virtuoso_server.sparql_auth, "--graph", GRAPH + "/x",
                       expect=2), "HTTP 401", "credentials were rejected")
    # the anonymous endpoint answers queries but may not update
    monkeypatch.delenv("MICGRAPH_ENDPOINT_USER")
    one_line_error(cli("push", *ONLY_TINY, "--endpoint", virtuoso_server.sparql, "--graph", GRAPH + "/x",
                       expect=2), virtuoso_server.sparql)


@pytest.mark.server
def test_virtuoso_row_cap_is_an_error_not_a_short_answer(cli, virtuoso_server):
    # Virtuoso's own system graphs hold a few thousand triples: their cross product passes 10,000 rows
    query = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 20000"
    one_line_error(cli("query", "--endpoint", virtuoso_server.sparql, query, expect=2), "cut the result at 10000 rows")
    small = cli("query", "--endpoint", virtuoso_server.sparql, query.replace("20000", "9999"), "--format", "csv")
    assert len(small.stdout.splitlines()) == 10000


# --- endpoints that are not there, or never answer -----------------------------------------------

def test_dead_endpoint(cli):
    url = f"http://127.0.0.1:{free_port()}/sparql"
    one_line_error(cli("query", "--endpoint", url, "ASK {}", expect=2), "connection refused")
    one_line_error(cli("push", *ONLY_TINY, "--endpoint", url, "--graph", GRAPH, expect=2), "connection refused")


def test_silent_endpoint_times_out(cli):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        one_line_error(cli("query", "--endpoint", url, "--endpoint-timeout", "1", "ASK {}", expect=2),
                       "no answer within 1 s (--endpoint-timeout)")
    finally:
        for connection, _ in accepted:
            connection.close()
        listener.close()


def test_credentials_never_on_the_command_line(cli):
    one_line_error(cli("query", "--endpoint", "http://dba:dba@127.0.0.1:1/sparql", "ASK {}", expect=2),
                   "credentials do not belong in the URL")


@pytest.mark.server
def test_virtuoso_large_upload_with_digest_arrives_whole(cli, virtuoso_server, virtuoso_login, tmp_path):
    # A body of megabytes: Virtuoso answers the unsigned request with 401 and closes the connection
    # before reading it, so every request after the first challenge must be signed up front.
    data = tmp_path / "large.nt"
    with open(data, "w", encoding="utf-8") as out:
        for i in range(60_000):
            out.write(f'<http://example.org/s{i}> <http://example.org/p> "value {i} {"x" * 40}" .\n')
    result = cli("push", "--no-bundled", "--data", str(data), "--endpoint", virtuoso_server.graph_store,
                 "--graph", GRAPH + "/large", "--replace", "--chunk", "30000", "--query-endpoint", virtuoso_server.sparql)
    assert "pushed 60,000 triples" in result.stderr and "in 2 requests" in result.stderr
    assert "count verified" in result.stderr
