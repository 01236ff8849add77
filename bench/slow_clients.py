"""Slow clients against `micgraph serve`: many connections that each send half a request head, and one
normal client that must still be answered.

    python bench/slow_clients.py [--slow 21000] [--max-connections N] [--header-timeout S] [--markdown]

Starts `micgraph serve` on the test fixture graph (one query worker); helper processes (at most
PER_HELPER connections each, so that together they can pass any one process's descriptor limit) open
--slow connections that each send `GET /sparql?query=...` and part of a header, and never more. With all
of them open, a normal query is timed (connect, send, full answer); then, past the header timeout, again.
Reported: the sockets the server holds (from /proc), how many slow connections it has closed, and the
two answer times. Exits 1 if a normal query is not answered with 200 within NORMAL_DEADLINE seconds.

With --slow above --max-connections (default 10,000) the server evicts the longest-waiting slow
connections to stay at its cap; below it, it holds them until --header-timeout. The issue's case was
21,000 such connections, which left a server without these limits at its descriptor limit and unable to
answer anyone.
"""

from __future__ import annotations

import argparse
import os
import resource
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "serve" / "graph.ttl"
NORMAL_DEADLINE = 5.0
PER_HELPER = 10_000
PER_ADDRESS = 5_000  # one loopback source address per this many connections (see open_slow)
HALF_HEAD = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: localhost\r\nX-Slow: "


def start(args: list[str], log: Path) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "micgraph", "serve", "--no-bundled", "--data", str(FIXTURE), "--port", "0",
               "--workers", "1", *args]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if " at http://" in text:
            return process, text.split(" at ", 1)[1].split(" ", 1)[0]
        if process.poll() is not None:
            raise SystemExit(f"micgraph serve exited:\n{text}")
        time.sleep(0.1)
    process.kill()
    raise SystemExit("micgraph serve did not start")


def sockets_held(pid: int) -> int:
    """Open sockets of the process: its connections, the listening socket, the pipes to its workers."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:
            pass
    return count


def raise_own_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def open_slow(url: str, count: int, network: int) -> list[socket.socket]:
    """`count` half-header connections, from loopback addresses 127.0.NETWORK.2, .3, ..., a new one
    every PER_ADDRESS: one address has some 28,000 ephemeral ports, and Linux slows down badly once half
    of them are taken (and TIME_WAIT from an earlier run holds others)."""
    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    opened = []
    for number in range(count):
        source = f"127.0.{network}.{2 + number // PER_ADDRESS}"
        sock = socket.create_connection((host, int(port)), timeout=10, source_address=(source, 0))
        sock.sendall(HALF_HEAD)
        sock.setblocking(False)
        opened.append(sock)
    return opened


def closed_by_server(sockets: list[socket.socket]) -> int:
    """How many of `sockets` the server has closed so far (readable: EOF, a reset, or the 408 it wrote
    before closing; a closed socket stays readable, so the count includes earlier ones)."""
    selector = selectors.DefaultSelector()
    for sock in sockets:
        selector.register(sock, selectors.EVENT_READ)
    closed = 0
    for key, _ in selector.select(timeout=0.5):
        try:
            key.fileobj.recv(4096)
            closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    selector.close()
    return closed


def helper(url: str, count: int, network: int) -> None:
    """A helper process: open the connections, say how many, then answer each line on stdin with the
    number the server has closed."""
    raise_own_limit()
    sockets = open_slow(url, count, network)
    print(len(sockets), flush=True)
    for _ in sys.stdin:
        print(closed_by_server(sockets), flush=True)


class Helpers:
    def __init__(self, url: str, total: int) -> None:
        counts = [min(PER_HELPER, total - start) for start in range(0, total, PER_HELPER)]
        self.processes = [subprocess.Popen([sys.executable, __file__, "--helper", url, str(count), str(network)],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                          for network, count in enumerate(counts, start=1)]
        self.opened = sum(int(p.stdout.readline() or 0) for p in self.processes)

    def closed(self) -> int:
        total = 0
        for process in self.processes:
            process.stdin.write("count\n")
            process.stdin.flush()
            total += int(process.stdout.readline() or 0)
        return total

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()


def normal_query(url: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        status = httpx.get(url + "sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30).status_code
    except httpx.HTTPError:
        status = 0  # refused, reset or dropped
    return status, time.monotonic() - started


def main() -> None:
    if sys.argv[1:2] == ["--helper"]:
        helper(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=21_000, help="half-header connections to open")
    parser.add_argument("--max-connections", type=int, default=None, help="serve --max-connections")
    parser.add_argument("--header-timeout", type=float, default=60.0, help="serve --header-timeout")
    parser.add_argument("--markdown", action="store_true")
    options = parser.parse_args()
    args = ["--header-timeout", f"{options.header_timeout:g}"]
    if options.max_connections is not None:
        args += ["--max-connections", str(options.max_connections)]
    with tempfile.TemporaryDirectory() as folder:
        process, url = start(args, Path(folder) / "serve.log")
        helpers = None
        try:
            started = time.monotonic()
            helpers = Helpers(url, options.slow)
            opened_at = time.monotonic()
            opening = opened_at - started
            time.sleep(1)
            held = sockets_held(process.pid)
            status, seconds = normal_query(url)
            evicted = helpers.closed()
            time.sleep(max(0.0, options.header_timeout + 2 - (time.monotonic() - opened_at)))
            timed_out = helpers.closed()
            after_status, after_seconds = normal_query(url)
            held_after = sockets_held(process.pid)
        finally:
            if helpers is not None:
                helpers.stop()
            process.terminate()
            process.wait(30)
    rows = [("slow connections opened", f"{helpers.opened:,} in {opening:.1f} s"),
            ("sockets the server holds meanwhile", f"{held:,}"),
            ("a normal query meanwhile", f"HTTP {status} in {seconds * 1000:.0f} ms"),
            ("slow connections the server closed by then (the cap)", f"{evicted:,}"),
            (f"... and {options.header_timeout:g} s after the last (the header timeout)", f"{timed_out:,}"),
            ("a normal query then", f"HTTP {after_status} in {after_seconds * 1000:.0f} ms"),
            ("sockets the server holds then", f"{held_after:,}")]
    if options.markdown:
        print("| slow clients | |\n|---|---|")
        print("\n".join(f"| {name} | {value} |" for name, value in rows))
    else:
        print("\n".join(f"{name}: {value}" for name, value in rows))
    if status != 200 or seconds > NORMAL_DEADLINE or after_status != 200:
        sys.exit(1)


if __name__ == "__main__":
    main()
