"""`micgraph serve` is safe by default: read-only, SERVICE only to allowed endpoints, queries stopped at the
timeout without stalling other clients, results cut at --max-rows, oversized bodies refused."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import SERVE_TOKEN

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?p . ?q ?r ?s }"
UPDATE = "application/sparql-update"


class Listener:
    """A TCP port on loopback that counts the connections made to it (and answers none)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def ask(server, query: str) -> bool:
    response = httpx.get(server.sparql, params={"query": query})
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


# --- read-only by default ----------------------------------------------------------------------------

@pytest.mark.parametrize("send", [
    lambda url: httpx.post(url, content=b"CLEAR ALL", headers={"Content-Type": UPDATE}),
    lambda url: httpx.post(url, data={"update": "DELETE WHERE { ?s ?p ?o }"}),
    lambda url: httpx.post(url, data={"update": "LOAD <http://example.org/data.ttl>"}),
    lambda url: httpx.post(url, content=b"CLEAR ALL", headers={"Content-Type": UPDATE,
                                                              "Authorization": f"Bearer {SERVE_TOKEN}"}),
])
def test_updates_are_refused_by_a_read_only_server(served, send):
    response = send(served.sparql)
    assert response.status_code == 403
    assert "read-only" in response.text
    assert ask(served, "ASK { micr:cn-mic-robotics ?p ?o }")


def test_update_needs_the_bearer_token(served_updatable):
    server = served_updatable
    subject = f"https://w3id.org/micgraph/id/test-{uuid.uuid4().hex}"
    insert = f'INSERT DATA {{ <{subject}> rdfs:label "inserted"@en }}'
    check = f"ASK {{ <{subject}> ?p ?o }}"

    missing = httpx.post(server.sparql, content=insert.encode(), headers={"Content-Type": UPDATE})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(server.sparql, content=insert.encode(),
                       headers={"Content-Type": UPDATE, "Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 403
    assert not ask(server, check)

    accepted = httpx.post(server.sparql, data={"update": insert}, headers={"Authorization": f"Bearer {SERVE_TOKEN}"})
    assert accepted.status_code == 204, accepted.text
    assert ask(server, check)  # the next query sees it
    page = httpx.get(subject.replace("https://w3id.org/micgraph/", server.url), headers={"Accept": "text/turtle"},
                     follow_redirects=True)
    assert page.status_code == 200 and "inserted" in page.text

    delete = f"DELETE WHERE {{ <{subject}> ?p ?o }}"
    assert httpx.post(server.sparql, content=delete.encode(), headers={
        "Content-Type": UPDATE, "Authorization": f"Bearer {SERVE_TOKEN}"}).status_code == 204
    assert not ask(server, check)


def test_a_resource_whose_iri_holds_a_percent_escape_is_served(served_updatable):
    """/id/a%20b names the IRI micr:a%20b, as written: not a decoded 'a b', which is no IRI at all."""
    server, auth = served_updatable, {"Authorization": f"Bearer {SERVE_TOKEN}"}
    subject = f"https://w3id.org/micgraph/id/escaped%20{uuid.uuid4().hex}"
    assert httpx.post(server.sparql, data={"update": f'INSERT DATA {{ <{subject}> <http://e/note> "escaped" }}'},
                      headers=auth).status_code == 204
    try:
        page = httpx.get(subject.replace("https://w3id.org/micgraph/", server.url), headers={"Accept": "text/turtle"},
                         follow_redirects=True)
        assert page.status_code == 200 and '"escaped"' in page.text
        assert page.url.raw_path.decode() == f"/data/{subject.rsplit('/', 1)[1]}.ttl"  # the escape kept
    finally:
        httpx.post(server.sparql, data={"update": f"DELETE WHERE {{ <{subject}> ?p ?o }}"}, headers=auth)


def test_a_malformed_update_changes_nothing(served_updatable):
    before = httpx.get(served_updatable.sparql, headers={"Accept": "text/turtle"}).text
    response = httpx.post(served_updatable.sparql, content=b"INSERT DATA { <http://e/s> <http://e/p> ",
                          headers={"Content-Type": UPDATE, "Authorization": f"Bearer {SERVE_TOKEN}"})
    assert response.status_code == 400
    assert "error: update:1:" in response.text and "SPARQL syntax error" in response.text
    assert httpx.get(served_updatable.sparql, headers={"Accept": "text/turtle"}).text == before


# --- SERVICE --------------------------------------------------------------------------------------

def test_service_refused_without_a_connection_when_none_is_allowed(served, listener):
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    response = httpx.get(served.sparql, params={"query": query})
    assert response.status_code == 403
    assert "SERVICE" in response.text and "no endpoint is allowed" in response.text
    time.sleep(0.3)
    assert listener.accepted == 0


def test_service_to_a_host_off_the_allow_list_is_refused_without_a_connection(served_updatable, listener):
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    response = httpx.get(served_updatable.sparql, params={"query": query})
    assert response.status_code == 403, response.text
    assert listener.url in response.text
    time.sleep(0.3)
    assert listener.accepted == 0


def test_service_to_an_allowed_endpoint_joins_its_rows(served_updatable, served):
    query = (f"SELECT ?label WHERE {{ SERVICE <{served.sparql}> {{ micr:cn-mic-robotics rdfs:label ?label }} }} "
             "ORDER BY ?label")
    response = httpx.get(served_updatable.sparql, params={"query": query})
    assert response.status_code == 200, response.text
    labels = [row["label"]["value"] for row in response.json()["results"]["bindings"]]
    assert labels == ["National Robotics Innovation Center", "国家机器人创新中心"]


# --- timeout ------------------------------------------------------------------------------------------

def _children_cpu_seconds(pid: int) -> float:
    """CPU time used so far by the direct children of `pid` (the query workers)."""
    total = 0.0
    tick = 100.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def test_a_runaway_query_is_stopped_at_the_timeout_while_others_answer(served):
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = time.monotonic()
        runaway = pool.submit(httpx.get, served.sparql, params={"query": CARTESIAN}, timeout=30)
        time.sleep(0.5)
        # meanwhile a second client is answered at once
        quick_started = time.monotonic()
        quick = httpx.get(served.sparql, params={"query": "ASK { micr:cn-mic-robotics ?p ?o }"}, timeout=30)
        quick_seconds = time.monotonic() - quick_started
        assert quick.status_code == 200 and quick.json()["boolean"] is True
        assert quick_seconds < 1.0
        assert not runaway.done()
        response = runaway.result()
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "ran longer than 3 s" in response.text
    assert 2.9 < elapsed < 6
    # the worker running it was killed: no process keeps computing the product
    before = _children_cpu_seconds(served.process.pid)
    time.sleep(1.5)
    assert _children_cpu_seconds(served.process.pid) - before < 0.5
    # and the server still answers, with its full set of workers
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: httpx.get(served.sparql, params={"query": "ASK {}"}), range(4)))
    assert [a.status_code for a in answers] == [200] * 4


# --- limits ----------------------------------------------------------------------------------------------

def test_select_results_stop_at_max_rows_and_say_so(served_updatable):
    labels = "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l"
    response = httpx.get(served_updatable.sparql, params={"query": labels})
    assert len(response.json()["results"]["bindings"]) == 5
    assert response.headers["x-sparql-maxrows"] == "5"
    small = httpx.get(served_updatable.sparql, params={"query": labels + " LIMIT 3"})
    assert len(small.json()["results"]["bindings"]) == 3
    assert "x-sparql-maxrows" not in small.headers


def test_construct_results_stop_at_max_rows_and_say_so(served_updatable):
    product = "CONSTRUCT { ?a <http://e/p> ?b } WHERE { ?a ?p1 ?x . ?b ?p2 ?y }"
    response = httpx.get(served_updatable.sparql, params={"query": product},
                         headers={"Accept": "application/n-triples"})
    assert response.status_code == 200 and response.headers["x-sparql-maxrows"] == "5"
    triples = [line for line in response.text.splitlines() if line.strip()]
    assert 1 <= len(triples) <= 5  # the first 5 constructed, duplicates written once


@pytest.mark.parametrize("chunked", [False, True])
def test_oversized_bodies_get_413(served_updatable, chunked):
    query = "ASK { ?s ?p ?o } #" + "x" * (64 * 1024)
    body = query.encode("utf-8")
    content = iter([body[i:i + 8192] for i in range(0, len(body), 8192)]) if chunked else body
    response = httpx.post(served_updatable.sparql, content=content,
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert "65536" in response.text
    # just under the limit is fine
    fits = "ASK { ?s ?p ?o } #" + "x" * (60 * 1024)
    assert httpx.post(served_updatable.sparql, content=fits.encode(),
                      headers={"Content-Type": "application/sparql-query"}).status_code == 200


def test_default_body_limit_is_one_mebibyte(served):
    response = httpx.post(served.sparql, data={"query": "ASK {} #" + "x" * (1 << 20)})
    assert response.status_code == 413


def test_pages_escape_what_the_data_says(served_updatable):
    """Labels are text and IRIs with other schemes than http(s) are not links: data cannot inject script."""
    subject = f"xss-{uuid.uuid4().hex}"
    insert = (f'INSERT DATA {{ micr:{subject} rdfs:label "<script>alert(1)</script>"@en ; '
              f'rdfs:seeAlso <javascript:alert(2)> ; rdfs:comment "a & b < c" }}')
    assert httpx.post(served_updatable.sparql, data={"update": insert},
                      headers={"Authorization": f"Bearer {SERVE_TOKEN}"}).status_code == 204
    html = httpx.get(served_updatable.url + f"id/{subject}", headers={"Accept": "text/html"}, follow_redirects=True).text
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html and "javascript:alert(2)" in html
    assert "a &amp; b &lt; c" in html


# --- any single request: deep nesting, crashes, update errors -----------------------------------------------

DEEP = 5_000


def one_line_error(response: httpx.Response) -> bool:
    return response.text.startswith("error: ") and response.text.count("\n") == 1


def test_a_query_nested_5000_deep_is_refused_and_the_server_answers_on(served):
    """pyoxigraph's parser recurses per bracket and overflows its stack far below 5,000: the query must
    be refused before it runs (400), or at worst cost the worker that ran it (500, the worker replaced),
    never the server."""
    for query in ("SELECT * WHERE " + "{" * DEEP + "}" * DEEP,
                  "SELECT * WHERE { FILTER(" + "(" * DEEP + "1" + ")" * DEEP + ") }"):
        response = httpx.post(served.sparql, content=query.encode(), headers={"Content-Type": "application/sparql-query"},
                              timeout=30)
        assert response.status_code in (400, 500), response.text
        assert one_line_error(response)
        assert ask(served, "ASK { micr:cn-mic-robotics ?p ?o }")
    time.sleep(3)  # a replaced worker is back: both answer at once
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: httpx.get(served.sparql, params={"query": "ASK {}"}), range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    assert served.process.poll() is None


def test_an_update_nested_5000_deep_changes_nothing_and_the_server_answers_on(served_updatable):
    server, auth = served_updatable, {"Authorization": f"Bearer {SERVE_TOKEN}", "Content-Type": UPDATE}
    before = httpx.get(server.sparql, headers={"Accept": "text/turtle"}).text
    subject = f"https://w3id.org/micgraph/id/deep-{uuid.uuid4().hex}"
    deep = f"INSERT {{ <{subject}> rdfs:label 'deep' }} WHERE " + "{" * DEEP + "}" * DEEP
    response = httpx.post(server.sparql, content=deep.encode(), headers=auth, timeout=30)
    assert response.status_code in (400, 500), response.text
    assert one_line_error(response)
    assert server.process.poll() is None
    assert not ask(server, f"ASK {{ <{subject}> ?p ?o }}")
    assert httpx.get(server.sparql, headers={"Accept": "text/turtle"}).text == before
    # the next update runs (in a new update worker) and is seen
    insert = f"INSERT DATA {{ <{subject}> rdfs:label 'shallow' }}"
    assert httpx.post(server.sparql, content=insert.encode(), headers=auth).status_code == 204
    assert ask(server, f"ASK {{ <{subject}> rdfs:label 'shallow' }}")
    httpx.post(server.sparql, content=f"DELETE WHERE {{ <{subject}> ?p ?o }}".encode(), headers=auth)


def test_an_update_fails_whole_and_its_errors_are_400(served_updatable):
    server, auth = served_updatable, {"Authorization": f"Bearer {SERVE_TOKEN}", "Content-Type": UPDATE}
    subject = f"https://w3id.org/micgraph/id/whole-{uuid.uuid4().hex}"
    graph = f"http://example.org/graph-{uuid.uuid4().hex}"
    assert httpx.post(server.sparql, content=f"CREATE GRAPH <{graph}>".encode(), headers=auth).status_code == 204
    twice = f"INSERT DATA {{ <{subject}> rdfs:label 'first' }} ; CREATE GRAPH <{graph}>"
    response = httpx.post(server.sparql, content=twice.encode(), headers=auth)
    assert response.status_code == 400 and one_line_error(response) and "already exists" in response.text
    assert not ask(server, f"ASK {{ <{subject}> ?p ?o }}")  # the first operation was not kept either
    httpx.post(server.sparql, content=f"DROP GRAPH <{graph}>".encode(), headers=auth)


def test_an_update_past_the_timeout_is_stopped_and_changes_nothing(served_updatable):
    server, auth = served_updatable, {"Authorization": f"Bearer {SERVE_TOKEN}", "Content-Type": UPDATE}
    runaway = ("INSERT { ?a <http://e/p> ?j } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o . "
               "?q ?r ?s }")
    started = time.monotonic()
    response = httpx.post(server.sparql, content=runaway.encode(), headers=auth, timeout=60)
    assert response.status_code == 503 and "nothing was changed" in response.text
    assert time.monotonic() - started < 15
    assert not ask(server, "ASK { ?a <http://e/p> ?j }")
    subject = f"https://w3id.org/micgraph/id/after-{uuid.uuid4().hex}"
    assert httpx.post(server.sparql, content=f"INSERT DATA {{ <{subject}> rdfs:label 'x' }}".encode(),
                      headers=auth).status_code == 204
    httpx.post(server.sparql, content=f"DELETE WHERE {{ <{subject}> ?p ?o }}".encode(), headers=auth)


# --- LOAD: only from --service-allow ----------------------------------------------------------------------

@pytest.mark.parametrize("update", [
    "LOAD <{url}>",
    "LOAD SILENT <{url}>",
    "LOAD <{url}> INTO GRAPH <http://example.org/g>",
    "PREFIX e: <{base}> LOAD e:data.ttl",
    "BASE <{base}> LOAD <data.ttl>",
    "# LOAD <http://example.org/allowed>\nLOAD <{url}>",
    "INSERT DATA {{ <http://e/s> <http://e/p> 'LOAD <x>' }} ; load <{url}>",
])
def test_load_from_a_url_off_the_allow_list_is_refused_without_a_connection(served_updatable, listener, update):
    base = listener.url.rsplit("/", 1)[0] + "/"
    text = update.format(url=base + "data.ttl", base=base)
    response = httpx.post(served_updatable.sparql, content=text.encode(),
                          headers={"Content-Type": UPDATE, "Authorization": f"Bearer {SERVE_TOKEN}"})
    assert response.status_code == 403, response.text
    assert one_line_error(response) and f"LOAD <{base}data.ttl> is not allowed" in response.text
    time.sleep(0.3)
    assert listener.accepted == 0


def test_an_update_that_loads_must_not_hide_its_iri_behind_escapes(served_updatable, listener):
    base = listener.url.rsplit("/", 1)[0] + "/"
    escaped = "LOAD <" + base.replace("/", "\\u002F") + "data.ttl>"
    response = httpx.post(served_updatable.sparql, content=escaped.encode(),
                          headers={"Content-Type": UPDATE, "Authorization": f"Bearer {SERVE_TOKEN}"})
    assert response.status_code in (400, 403) and one_line_error(response)
    time.sleep(0.3)
    assert listener.accepted == 0


class Documents:
    """An HTTP server on loopback with three documents: good N-Triples, a media type no RDF parser
    knows, and broken N-Triples."""

    def __init__(self) -> None:
        import http.server

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body, media = {
                    "/good.nt": (b'<http://e/loaded> <http://e/p> "loaded" .\n', "application/n-triples"),
                    "/unknown": (b"whatever", "application/x-unknown"),
                    "/broken.nt": (b"<http://e/s> <http://e/p> .\n", "application/n-triples"),
                }.get(self.path, (b"", "text/plain"))
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_load_from_an_allowed_url_loads_it_and_bad_documents_are_400(tmp_path):
    from conftest import SERVE_FIXTURE
    from serving import start_server

    documents = Documents()
    allowed = [documents.url + name for name in ("good.nt", "unknown", "broken.nt")]
    server = start_server(["--no-bundled", "--data", str(SERVE_FIXTURE), "--workers", "1", "--allow-update",
                           "--token-env", "MICGRAPH_TEST_TOKEN", *[a for url in allowed for a in ("--service-allow", url)]],
                          tmp_path / "serve.log", env={"MICGRAPH_TEST_TOKEN": SERVE_TOKEN})
    auth = {"Content-Type": UPDATE, "Authorization": f"Bearer {SERVE_TOKEN}"}
    try:
        loaded = httpx.post(server.sparql, content=f"LOAD <{allowed[0]}> INTO GRAPH <http://e/g>".encode(), headers=auth)
        assert loaded.status_code == 204, loaded.text
        assert ask(server, "ASK { GRAPH <http://e/g> { <http://e/loaded> <http://e/p> 'loaded' } }")
        for url in allowed[1:]:
            response = httpx.post(server.sparql, content=f"LOAD <{url}>".encode(), headers=auth)
            assert response.status_code == 400 and one_line_error(response), response.text
        assert httpx.post(server.sparql, content=f"LOAD SILENT <{allowed[1]}>".encode(), headers=auth).status_code == 204
    finally:
        server.stop()
        documents.close()
