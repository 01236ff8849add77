"""Real network peers for the federation tests: Oxigraph SPARQL servers, and sockets that record connections.

`OxigraphServer` runs `oxigraph serve` (the PyPI `oxigraph` package in the test extra) on 127.0.0.1 with an
in-memory store; data goes in through its Graph Store endpoint. `Listener` accepts TCP connections,
counts them and never answers: the proof that an endpoint was (or was not) contacted, and a peer that
makes a client wait. `Redirector` answers every request with a redirect.
"""

from __future__ import annotations

import http.server
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from conftest import require_tool


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closed_port_url() -> str:
    """An endpoint URL on which nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}/sparql"


class OxigraphServer:
    def __init__(self) -> None:
        executable = require_tool("oxigraph", "pip install oxigraph (it is in micgraph's test extra)")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/query"
        self.process = subprocess.Popen([executable, "serve", "--bind", f"127.0.0.1:{self.port}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"oxigraph serve did not start: {self.process.stderr.read().decode()[-500:]}")
                time.sleep(0.05)

    def _send(self, path: str, data: bytes, content_type: str) -> None:
        request = urllib.request.Request(self.base + path, data=data, method="POST",
                                         headers={"Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status in (200, 201, 204), response.status

    def load(self, turtle: str | Path) -> None:
        """Add a Turtle file (or Turtle text) to the server's default graph."""
        data = Path(turtle).read_bytes() if isinstance(turtle, Path) else turtle.encode("utf-8")
        self._send("/store?default", data, "text/turtle")

    def clear(self) -> None:
        self._send("/update", b"CLEAR ALL", "application/sparql-update")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stderr.close()


class Listener:
    """A TCP server on 127.0.0.1 that accepts connections, counts them, reads nothing and answers nothing."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:  # closed
                return
            self.connections += 1
            self._open.append(connection)

    def close(self) -> None:
        try:
            self.socket.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        self.socket.close()
        for connection in self._open:
            connection.close()
        self._thread.join(timeout=5)


class Redirector:
    """An HTTP server on 127.0.0.1 that answers every POST with `302 Found` to `location`."""

    def __init__(self, location: str) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server naming)
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
