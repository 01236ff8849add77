"""Slow clients cannot take `micgraph serve` down: a request head has a time and a size limit, open
connections are capped, and at the cap the connection that has waited longest for its head makes room,
so a normal client is answered however many slow ones there are.

The limits live in uvicorn's HTTP protocol (server/connections.py): checked here on both of uvicorn's
implementations (httptools and h11) under a small ASGI app, then against a real `micgraph serve`."""

from __future__ import annotations

import resource
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import SERVE_FIXTURE

from micgraph.server.connections import (
    MAX_HEAD_BYTES,
    MAX_REQUEST_LINE_BYTES,
    RESERVED_DESCRIPTORS,
    connection_cap,
    uvicorn_config,
)

HALF_HEAD = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
REQUEST = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: localhost\r\n\r\n"


def raise_own_descriptor_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"this process may open only {hard} descriptors; the test needs {needed}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def connect(url: str, number: int = 0) -> socket.socket:
    """A connection to the server at `url`, from loopback address 127.0.0.(2 + number // 5000): one
    address has some 28,000 ephemeral ports, and Linux slows down once half of them are taken."""
    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=10, source_address=(f"127.0.0.{2 + number // 5000}", 0))
    return sock


def read_all(sock: socket.socket, seconds: float) -> bytes:
    """What the server sends until it closes the connection (or `seconds` pass)."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pass
    except ConnectionResetError:
        pass
    return received


def is_closed(sock: socket.socket) -> bool:
    """Whether the server closed `sock` (EOF, or the reply it wrote before closing, or a reset): it
    sends nothing to a connection that is still waiting for its head."""
    sock.setblocking(False)
    try:
        sock.recv(65536)
        return True
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def status_and_body(raw: bytes) -> tuple[int, str]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body.decode("utf-8")


# --- the protocol, under a small app, on both of uvicorn's HTTP implementations ---------------------

BIG = 64 << 20  # /big: more than any socket buffers hold


async def hello(scope, receive, send):
    body = b"x" * BIG if scope["path"] == "/big" else b"hello\n"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


class Uvicorn:
    """uvicorn in a thread of this process, with micgraph's protocol."""

    def __init__(self, implementation: str, header_timeout: float, max_connections: int) -> None:
        import uvicorn

        from micgraph.server import listen

        self.sock = listen("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        config = uvicorn_config(hello, header_timeout=header_timeout, max_connections=max_connections,
                                implementation=implementation, log_level="error", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.sock.close()


@pytest.fixture(params=["httptools", "h11"])
def small_server(request):
    server = Uvicorn(request.param, header_timeout=1.0, max_connections=20)
    yield server
    server.stop()


def test_a_half_sent_head_gets_408_after_the_header_timeout(small_server):
    with connect(small_server.url) as sock:
        sock.sendall(HALF_HEAD)
        started = time.monotonic()
        status, body = status_and_body(read_all(sock, 5))
        assert 0.9 < time.monotonic() - started < 3
    assert status == 408 and body == "error: the request head did not arrive within 1 s\n"


def test_a_silent_connection_is_closed_after_the_header_timeout(small_server):
    with connect(small_server.url) as sock:
        started = time.monotonic()
        assert read_all(sock, 5) == b""  # closed without a word: no request was begun
        assert 0.9 < time.monotonic() - started < 3


def test_the_header_timeout_starts_again_for_each_keep_alive_request(small_server):
    with connect(small_server.url) as sock:
        for _ in range(3):  # each request within its own second, three seconds in all
            time.sleep(0.6)
            sock.sendall(REQUEST)
            reply = sock.recv(65536)
            assert reply.startswith(b"HTTP/1.1 200"), reply
        sock.sendall(HALF_HEAD)
        status, _ = status_and_body(read_all(sock, 5))
        assert status == 408


def test_a_trickling_head_is_stopped_at_the_header_timeout(small_server):
    """A byte every 0.2 s keeps the connection busy, not alive: the head's time is counted from its start."""
    with connect(small_server.url) as sock:
        sock.sendall(HALF_HEAD)
        started = time.monotonic()
        try:
            while time.monotonic() - started < 5:
                sock.sendall(b"a")
                time.sleep(0.2)
        except OSError:
            pass
        assert time.monotonic() - started < 3


def test_a_client_that_stops_reading_is_disconnected(small_server):
    """It would otherwise hold its connection, and the response in the server's memory, for ever."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(tuple(small_server.sock.getsockname()[:2]))
        sock.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(3)  # reads nothing for three header timeouts
        received = len(read_all(sock, 10))
    assert received < BIG  # cut off, not delivered whole


@pytest.mark.parametrize("head, status", [
    (b"GET /" + b"a" * MAX_REQUEST_LINE_BYTES + b" HTTP/1.1\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * MAX_HEAD_BYTES + b"\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Many: a\r\n" * (MAX_HEAD_BYTES // 11 + 1), 431),
])
def test_an_oversized_head_is_refused(small_server, head, status):
    with connect(small_server.url) as sock:
        try:
            sock.sendall(head)
        except OSError:
            pass  # the server may close before it has read everything
        answer, body = status_and_body(read_all(sock, 5))
    assert answer == status and body.startswith("error: ") and body.count("\n") == 1


def test_at_the_cap_the_connection_waiting_longest_makes_room(small_server):
    """20 connections at most: the 21st closes the one that has waited longest for its head."""
    waiting = []
    try:
        for number in range(20):
            waiting.append(connect(small_server.url, number))
            waiting[-1].sendall(HALF_HEAD)
            time.sleep(0.01)
        time.sleep(0.1)
        assert not any(is_closed(sock) for sock in waiting)
        with connect(small_server.url) as newcomer:
            newcomer.sendall(REQUEST)
            assert newcomer.recv(65536).startswith(b"HTTP/1.1 200")
        time.sleep(0.1)
        assert is_closed(waiting[0]) and not any(is_closed(sock) for sock in waiting[1:])
    finally:
        for sock in waiting:
            sock.close()


# --- a real micgraph serve -----------------------------------------------------------------------------

@pytest.fixture
def guarded_server(tmp_path):
    from serving import start_server

    server = start_server(["--no-bundled", "--data", str(SERVE_FIXTURE), "--workers", "1", "--header-timeout", "60",
                           "--max-connections", "1000"], tmp_path / "serve.log")
    yield server
    server.stop()


def ask(server) -> tuple[int, float]:
    started = time.monotonic()
    response = httpx.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    return response.status_code, time.monotonic() - started


@pytest.mark.slow
def test_a_normal_client_is_answered_while_thousands_of_slow_clients_wait(guarded_server):
    """4,000 connections that each sent half a head, against a cap of 1,000: the server keeps 1,000 of
    them (the most recent), and answers a normal query at once, and again after they are gone."""
    raise_own_descriptor_limit(4_000 + 256)
    if resource.getrlimit(resource.RLIMIT_NOFILE)[1] < 1_000 + RESERVED_DESCRIPTORS:
        pytest.skip("the server's descriptor limit keeps its cap below the 1,000 this test expects")
    slow = []
    try:
        for number in range(4_000):
            slow.append(connect(guarded_server.url, number))
            slow[-1].sendall(HALF_HEAD)
        time.sleep(1)
        status, seconds = ask(guarded_server)
        assert status == 200 and seconds < 3
        closed = [is_closed(sock) for sock in slow]
        assert 2_900 <= sum(closed) <= 3_000 + 16  # evicted to stay at the cap (a few may still be closing)
        assert not any(closed[-900:])  # the most recent ones wait on
    finally:
        for sock in slow:
            sock.close()
    assert ask(guarded_server)[0] == 200
    assert guarded_server.process.poll() is None


def test_the_connection_cap_stays_below_the_descriptor_limit():
    assert connection_cap(10_000, 1 << 20) == 10_000
    assert connection_cap(10_000, 8_192) == 8_192 - RESERVED_DESCRIPTORS
    assert connection_cap(10_000, 1_024) == 16  # a tiny limit still serves someone


def descriptor_limits(pid: int) -> tuple[int, int]:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return int(soft), int(hard)
    raise AssertionError("no descriptor limit in /proc")


def test_serve_has_the_header_timeout_and_the_connection_cap(tmp_path):
    """The options reach the server: a 1 s header timeout (408, a slow body too), a cap of 16; and it
    starts with a low soft descriptor limit, and raises it to the hard one."""
    from serving import start_server

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 256), hard))  # what the server inherits
    try:
        server = start_server(["--no-bundled", "--data", str(SERVE_FIXTURE), "--workers", "1", "--header-timeout",
                               "1", "--max-connections", "16"], tmp_path / "serve.log")
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        assert descriptor_limits(server.process.pid) == (hard, hard)
        with connect(server.url) as sock:
            sock.sendall(HALF_HEAD)
            status, body = status_and_body(read_all(sock, 5))
            assert status == 408 and body.startswith("error: ")
        with connect(server.url) as sock:  # the head in time, the body never
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: 100\r\n\r\nASK")
            status, body = status_and_body(read_all(sock, 5))
            assert status == 408 and body == "error: the request body did not arrive within 1 s\n"
        waiting = [connect(server.url, number) for number in range(40)]
        try:
            for sock in waiting:
                sock.sendall(HALF_HEAD)
            time.sleep(0.3)
            assert ask(server)[0] == 200
            assert sum(is_closed(sock) for sock in waiting) >= 40 - 16
        finally:
            for sock in waiting:
                sock.close()
    finally:
        server.stop()
