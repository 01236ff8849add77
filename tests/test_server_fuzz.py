"""Fuzzing the HTTP layer of a real `micgraph serve`: whatever bytes a client sends (methods, paths,
percent-escapes, query strings, headers, media types, bodies, huge and malformed values), the server never
answers 500 and never dies, and every refusal is a 4xx (or a 503 for a query that ran out of time) with
one `error:` line.

Requests go out over a raw socket, so that nothing a client library would refuse to send is left out.
Quick by default; `-m slow` runs many more examples. Deep bracket nesting, which crashes pyoxigraph's
parser, has its own tests (test_server_security.py): bodies here are too short to reach it."""

from __future__ import annotations

import socket

import pytest
from conftest import SERVE_FIXTURE, SERVE_TOKEN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_BODY = 16 * 1024


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    """A server of its own (random updates with the token may clear it): short limits, so that the
    fuzz reaches them often and cheaply."""
    from serving import start_server

    server = start_server(["--no-bundled", "--data", str(SERVE_FIXTURE), "--workers", "2", "--timeout", "3",
                           "--max-rows", "50", "--max-body", str(MAX_BODY), "--header-timeout", "2",
                           "--allow-update", "--token-env", "MICGRAPH_TEST_TOKEN", "--cors", "https://e.example"],
                          tmp_path_factory.mktemp("fuzzed") / "serve.log", env={"MICGRAPH_TEST_TOKEN": SERVE_TOKEN})
    yield server
    server.stop()


# --- what a hostile client sends ---------------------------------------------------------------------------

def percent_encoded(data: bytes) -> str:
    return "".join(chr(b) if chr(b).isalnum() or chr(b) in "-._~" else f"%{b:02X}" for b in data)


sparql_words = st.sampled_from([
    "SELECT", "*", "WHERE", "{", "}", "?s", "?p", "?o", ".", "ASK", "CONSTRUCT", "DESCRIBE", "INSERT", "DELETE",
    "DATA", "LOAD", "CLEAR", "ALL", "DROP", "GRAPH", "SERVICE", "SILENT", "<http://127.0.0.1:9/x>", "<", ">",
    "micr:cn-mic-robotics", "mic:city", "rdfs:label", "PREFIX", "BASE", ":", "'a'", '"b"@en', "1", "2.5", "(", ")",
    "FILTER", "REGEX", "COUNT", "LIMIT", "OFFSET", "ORDER BY", "GROUP BY", "UNION", "OPTIONAL", "VALUES", "BIND",
    "AS", ";", ",", "a", "\\u0041", "\\U0001F600", "#", "\n", "ſ", "Ｓ", "\x00", "\ufeff", "'''", '"""', "_:b",
])
sparql_text = st.lists(sparql_words, max_size=60).map(" ".join)
wild_text = st.text(max_size=80)
huge = st.builds(lambda char, size: char * size, st.sampled_from(["a", "%", "é", " ", "x=", "\\"]),
                 st.integers(1_000, 70_000))
values = st.one_of(sparql_text, wild_text, huge, st.sampled_from(["", "turtle", "html", "nt", "pdf", "%", "%ZZ",
                                                                  "%C3%28", "%00", "http://e/g", "not an iri"]))


@st.composite
def query_strings(draw) -> str:
    keys = st.one_of(st.sampled_from(["query", "update", "format", "default-graph-uri", "named-graph-uri",
                                      "using-graph-uri", "x"]), st.text(TOKEN_CHARS + "%[]", max_size=8))
    pairs = draw(st.lists(st.tuples(keys, values, st.booleans()), max_size=4))
    return "&".join(f"{k}={percent_encoded(v.encode('utf-8', 'surrogatepass')) if encode else v}"
                    for k, v, encode in pairs)


@st.composite
def targets(draw) -> bytes:
    resource = st.one_of(st.sampled_from(["cn-mic-robotics", "obs-mic-count-2025", "no-such-thing", "", "a%20b",
                                          "..%2F..%2Fetc%2Fpasswd", "%00", "%ZZ", "é", "a/b/c"]),
                         st.text(max_size=20).map(lambda t: percent_encoded(t.encode("utf-8", "surrogatepass"))))
    path = draw(st.one_of(
        st.sampled_from(["/", "/sparql", "/ontology", "/ontology.ttl", "/ontology.html", "/ontology.pdf",
                         "/ontology/0.1.0", "/ontology/0.0.1.nt", "/ontology/x.y", "/favicon.ico",
                         "/static/favicon.svg", "/static/yasgui/LICENSE.txt", "/static/../app.py", "//sparql", "*"]),
        st.builds(lambda prefix, name, ext: prefix + name + ext, st.sampled_from(["/id/", "/data/", "/page/"]),
                  resource, st.sampled_from(["", ".ttl", ".nt", ".jsonld", ".rdf", ".trig", ".nq", ".pdf", ".html"])),
        st.text(max_size=30).map(lambda t: "/" + t),  # raw, unencoded: spaces, unicode, controls
    ))
    query = draw(query_strings())
    return (path + ("?" + query if query or draw(st.booleans()) else "")).encode("utf-8", "surrogatepass")


media_ranges = st.one_of(
    st.sampled_from(["*/*", "text/turtle", "text/html", "application/json", "application/ld+json", "text/plain",
                     "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "image/png",
                     "application/n-quads", "application/trig", "text/*", "*/html", "garbage", "", ";", ",,,",
                     "text/turtle;q=0", "text/html;q=abc", "text/turtle;q=1e999", "*/*;q=-1"]),
    st.text(max_size=40))
content_types = st.one_of(
    st.sampled_from(["application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
                     "application/sparql-query; charset=utf-8", "application/sparql-query; charset=latin-1",
                     "application/sparql-update;charset=\"UTF-8\"", "multipart/form-data", "text/plain", "",
                     "application/x-www-form-urlencoded; charset=utf-16"]),
    st.text(max_size=40))
header_values = st.one_of(st.text(max_size=60), huge.map(lambda v: v[:20_000]))


@st.composite
def requests(draw) -> tuple[str, bytes]:
    method = draw(st.one_of(st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"]),
                            st.text(TOKEN_CHARS, min_size=1, max_size=12)))
    target = draw(targets())
    body = draw(st.one_of(
        st.just(b""),
        sparql_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        query_strings().map(str.encode),
        st.binary(max_size=2_000),
        st.integers(MAX_BODY - 10, MAX_BODY + 10).map(lambda n: b"x" * n),  # around the body limit
    ))
    headers = [("Host", draw(st.one_of(st.just("localhost"), st.just(""), st.text(max_size=30))))]
    if draw(st.booleans()):
        headers.append(("Accept", draw(st.lists(media_ranges, min_size=1, max_size=4).map(", ".join))))
    if body or draw(st.booleans()):
        headers.append(("Content-Type", draw(content_types)))
    authorization = draw(st.sampled_from([None, f"Bearer {SERVE_TOKEN}", "Bearer wrong", "Basic Zm9vOmJhcg==",
                                          "Bearer", f"bearer  {SERVE_TOKEN} "]))
    if authorization is not None:
        headers.append(("Authorization", authorization))
    headers += draw(st.lists(st.tuples(st.text(TOKEN_CHARS, min_size=1, max_size=20), header_values), max_size=3))
    if draw(st.booleans()) and body:
        headers.append(("Transfer-Encoding", "chunked"))
        body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:100], body[100:]) if part) + b"0\r\n\r\n"
    else:
        headers.append(("Content-Length", str(len(body))))
    headers.append(("Connection", "close"))
    head = f"{method} ".encode("utf-8", "surrogatepass") + target + b" HTTP/1.1\r\n"
    head += b"".join(f"{name}: {value}\r\n".encode("utf-8", "surrogatepass") for name, value in headers)
    return method, head + b"\r\n" + body


# --- what the server must do -----------------------------------------------------------------------------

def exchange(url: str, raw: bytes) -> bytes:
    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        try:
            sock.sendall(raw)
        except OSError:
            pass  # refused before it read everything: its answer is still there to read
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def check(server, method: str, raw: bytes) -> None:
    answer = exchange(server.url, raw)
    assert answer.startswith(b"HTTP/1.1 "), f"no HTTP answer to {raw[:300]!r}: {answer[:200]!r}"
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line)
    assert status != 500 and (status < 500 or status == 503), f"{status} for {raw[:300]!r}: {body[:300]!r}"
    content_type = headers.get(b"content-type", b"").decode("latin-1")
    if status >= 400 and method != "HEAD" and not content_type.startswith("text/html"):
        assert content_type.startswith("text/plain"), f"{status} as {content_type!r} for {raw[:300]!r}"
        text = body.decode("utf-8")
        assert text.startswith("error: ") and text.endswith("\n") and text.count("\n") == 1, \
            f"{status} for {raw[:300]!r}: {text[:300]!r}"
    assert server.process.poll() is None, f"the server died on {raw[:300]!r}"


def fuzz(server, examples: int) -> None:
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(requests())
    def one(request):
        check(server, *request)

    one()
    import httpx

    assert httpx.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_the_http_layer_refuses_anything_in_one_line_and_never_fails(fuzzed):
    fuzz(fuzzed, 150)


@pytest.mark.thorough
def test_the_http_layer_refuses_anything_in_one_line_and_never_fails_thoroughly(fuzzed):
    fuzz(fuzzed, 3_000)


@pytest.mark.parametrize("raw", [
    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: [\r\nConnection: close\r\n\r\n",
    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n",
    b"GET /id/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /sparql?query=%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 3\r\n"
     b"Connection: close\r\n\r\n\xff\xfe\xfd"),
    b"GET /sparql HTTP/1.1\r\nHost: x\r\nAccept: \xff\r\nConnection: close\r\n\r\n",
    b"BREW /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /sparql HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS client hello to the plain HTTP port
])
def test_malformed_requests_get_one_line_4xx(fuzzed, raw):
    check(fuzzed, raw.split(b" ", 1)[0].decode("latin-1"), raw)
