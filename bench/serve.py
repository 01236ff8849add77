"""Load test of `micgraph serve`, side by side with `oxigraph serve-read-only` on the same data and queries.

    python bench/serve.py [--clients 8] [--requests 500] [--workers N] [--markdown]

Both servers get the bundled graph (oxigraph: loaded with `oxigraph load`, queried with
--union-default-graph, as micgraph queries the union of its graphs) and are queried on 127.0.0.1 by
the same client: --clients concurrent keep-alive HTTP/1.1 connections, each sending --requests GET
queries that cycle through the named queries (each client starting at its own offset), asking for
SPARQL JSON. Every answer is checked: HTTP 200 and the row count the named query gives in process
(before timing, both servers' rows are compared with `micgraph.query.run_query`'s, term by term).
Reports, per server: errors, latency p50/p99, throughput, and micgraph's throughput as a share of
oxigraph's (target: >= 0.5x). Exits 1 on any error or mismatch.

Then a runaway query (COUNT(*) over a cartesian product) goes to each server, both started with a
--timeout of RUNAWAY_TIMEOUT seconds; meanwhile a second client sends small queries one after the other.
Reported: what the runaway's client got and when, and the second client's latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from micgraph import bundle
from micgraph.namespaces import PREFIXES
from micgraph.sparql import with_prefix_declarations as _declare


def with_prefix_declarations(text: str) -> str:
    return _declare(text, PREFIXES)
from micgraph.query import run_query
from micgraph.results import render
from micgraph.graph import open_graph

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import executable  # noqa: E402  (one lookup of console scripts for all benches)

ACCEPT = "application/sparql-results+json"
RUNAWAY_TIMEOUT = 5
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


# --- the servers ------------------------------------------------------------------------------------

@dataclass
class Server:
    name: str
    endpoint: str  # full URL of the query endpoint
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_micgraph(workers: int | None, log: Path) -> Server:
    command = [executable("micgraph"), "serve", "--port", "0", "--timeout", str(RUNAWAY_TIMEOUT)]
    if workers:
        command += ["--workers", str(workers)]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        match = re.search(r" at (http://[^ ]+/) ", log.read_text(errors="replace"))
        if match:
            return Server("micgraph serve", match.group(1) + "sparql", process)
        if process.poll() is not None:
            sys.exit(f"bench: micgraph serve exited:\n{log.read_text()}")
        time.sleep(0.1)
    process.kill()
    sys.exit("bench: micgraph serve did not start")


def start_oxigraph(folder: Path, log: Path) -> Server:
    oxigraph = executable("oxigraph")
    location = folder / "oxigraph"
    subprocess.run([oxigraph, "load", "--location", str(location), "--file",
                    *[str(p) for p in bundle.graph_paths()]], check=True, capture_output=True)
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open(log, "wb") as output:
        process = subprocess.Popen([oxigraph, "serve-read-only", "--location", str(location), "--bind",
                                    f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", str(RUNAWAY_TIMEOUT)],
                                   stdout=output, stderr=subprocess.STDOUT)
    server = Server("oxigraph serve-read-only", f"http://127.0.0.1:{port}/query", process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = asyncio.run(_one_request(server.endpoint, "ASK {}"))
            if status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    sys.exit(f"bench: oxigraph did not start:\n{log.read_text()}")


# --- a small HTTP/1.1 client (keep-alive, Content-Length or chunked) ------------------------------------

class Connection:
    def __init__(self, endpoint: str) -> None:
        parts = urlsplit(endpoint)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.reader = self.writer = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def get(self, query: str) -> tuple[int, bytes]:
        request = (f"GET {self.path}?query={quote(query, safe='')} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                   f"Accept: {ACCEPT}\r\n\r\n")
        self.writer.write(request.encode("ascii"))
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, chunked = None, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            body = bytearray()
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                body += await self.reader.readexactly(size)
                await self.reader.readline()
            return status, bytes(body)
        return status, await self.reader.readexactly(length or 0)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


async def _one_request(endpoint: str, query: str) -> tuple[int, bytes]:
    connection = Connection(endpoint)
    await connection.open()
    try:
        return await connection.get(query)
    finally:
        await connection.close()


# --- the load ------------------------------------------------------------------------------------------

@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def rows_of(body: bytes) -> list[str]:
    """A SPARQL JSON result's rows as sorted canonical strings (blank-node labels blanked)."""
    bindings = json.loads(body)["results"]["bindings"]
    return sorted(json.dumps({k: ({**v, "value": "_"} if v["type"] == "bnode" else v) for k, v in row.items()},
                             sort_keys=True) for row in bindings)


async def load(endpoint: str, queries: list[tuple[str, str, int]], clients: int, requests: int) -> Run:
    run = Run()

    async def client(offset: int) -> None:
        connection = Connection(endpoint)
        await connection.open()
        try:
            for i in range(requests):
                name, text, expected = queries[(offset + i) % len(queries)]
                started = time.perf_counter()
                try:
                    status, body = await connection.get(text)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    run.errors.append(f"{name}: {type(exc).__name__}: {exc}")
                    await connection.close()
                    connection = Connection(endpoint)
                    await connection.open()
                    continue
                run.latencies.append(time.perf_counter() - started)
                if status != 200:
                    run.errors.append(f"{name}: HTTP {status}: {body[:200]!r}")
                elif len(json.loads(body)["results"]["bindings"]) != expected:
                    run.errors.append(f"{name}: wrong row count")
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(c * 3) for c in range(clients)))
    run.seconds = time.perf_counter() - started
    return run


@dataclass
class Runaway:
    status: int
    seconds: float
    answer: str
    meanwhile: list[float]  # the second client's latencies while the runaway ran


async def runaway(endpoint: str, quick: str) -> Runaway:
    async def timed(query: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        status, body = await _one_request(endpoint, query)
        return status, body, time.perf_counter() - started

    pending = asyncio.ensure_future(timed(RUNAWAY))
    await asyncio.sleep(0.5)
    meanwhile = []
    connection = Connection(endpoint)
    await connection.open()
    while not pending.done() and len(meanwhile) < 200:
        started = time.perf_counter()
        status, _ = await connection.get(quick)
        if status != 200:
            raise RuntimeError(f"the second client got HTTP {status}")
        meanwhile.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)
    await connection.close()
    try:
        status, body, seconds = await asyncio.wait_for(pending, 6 * RUNAWAY_TIMEOUT)
    except TimeoutError:
        return Runaway(0, 6 * RUNAWAY_TIMEOUT, "no answer (abandoned)", meanwhile)
    return Runaway(status, seconds, " ".join(body.decode("utf-8", "replace").split())[:80], meanwhile)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=500, help="queries per client")
    parser.add_argument("--workers", type=int, default=None, help="micgraph serve --workers (default: its own)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table for RESULTS.md")
    args = parser.parse_args()

    named = bundle.named_queries()
    if not named:
        sys.exit("bench: there are no named queries to run")
    graph = open_graph()
    queries = []
    expected_rows = {}
    for name, entry in named.items():
        result = run_query(graph, name=name)
        if result.kind != "select":
            continue
        text = with_prefix_declarations(entry.text)
        expected_rows[name] = rows_of(render(result, "json").encode("utf-8"))
        queries.append((name, text, len(result)))

    with tempfile.TemporaryDirectory(prefix="micgraph-bench-serve-") as folder:
        folder = Path(folder)
        servers = [start_micgraph(args.workers, folder / "micgraph.log"), start_oxigraph(folder, folder / "oxigraph.log")]
        try:
            for server in servers:  # same answers as in process, before anything is timed
                for name, text, _ in queries:
                    status, body = asyncio.run(_one_request(server.endpoint, text))
                    if status != 200 or rows_of(body) != expected_rows[name]:
                        sys.exit(f"bench: {server.name} answers named query {name} differently (HTTP {status})")
            runs, runaways = {}, {}
            for server in servers:
                asyncio.run(load(server.endpoint, queries, args.clients, 20))  # warm-up
                runs[server.name] = asyncio.run(load(server.endpoint, queries, args.clients, args.requests))
            for server in servers:
                runaways[server.name] = asyncio.run(runaway(server.endpoint, queries[0][1]))
        finally:
            for server in servers:
                server.stop()

    ours, theirs = runs["micgraph serve"], runs["oxigraph serve-read-only"]
    ratio = (len(ours.latencies) / ours.seconds) / (len(theirs.latencies) / theirs.seconds)
    total = args.clients * args.requests
    env = (f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; {len(queries)} named SELECT queries, "
           f"{len(graph)} triples; {args.clients} clients x {args.requests} queries = {total} requests per server")
    if args.markdown:
        print(f"{env}.\n")
        print("| server | errors | p50 | p99 | throughput |")
        print("|---|---:|---:|---:|---:|")
        for name, run in runs.items():
            print(f"| {name} | {len(run.errors)} | {percentile(run.latencies, 0.5) * 1000:.1f} ms | "
                  f"{percentile(run.latencies, 0.99) * 1000:.1f} ms | {len(run.latencies) / run.seconds:.0f} queries/s |")
        print(f"\nmicgraph serve / oxigraph serve throughput: **{ratio:.2f}x** (target >= 0.5x)")
        print(f"\nA runaway query (COUNT(*) over a 4-way cartesian product), both servers at a {RUNAWAY_TIMEOUT} s "
              "timeout, while a second client queries:\n")
        print("| server | runaway's answer | after | second client: queries, p50, max |")
        print("|---|---|---:|---:|")
        for name, r in runaways.items():
            answer = f"HTTP {r.status}: {r.answer}" if r.status else r.answer
            print(f"| {name} | {answer} | {r.seconds:.1f} s | {len(r.meanwhile)}, "
                  f"{statistics.median(r.meanwhile) * 1000:.1f} ms, {max(r.meanwhile) * 1000:.1f} ms |")
    else:
        print(f"serve benchmark ({env})")
        for name, run in runs.items():
            print(f"{name:<26} errors {len(run.errors):4d}   p50 {percentile(run.latencies, 0.5) * 1000:7.1f} ms   "
                  f"p99 {percentile(run.latencies, 0.99) * 1000:7.1f} ms   "
                  f"{len(run.latencies) / run.seconds:7.0f} queries/s   (median {statistics.median(run.latencies) * 1000:.1f} ms)")
        print(f"micgraph serve / oxigraph throughput: {ratio:.2f}x (target >= 0.5x)")
        for name, r in runaways.items():
            answer = f"HTTP {r.status} after {r.seconds:.1f} s ({r.answer})" if r.status else \
                f"{r.answer} after {r.seconds:.0f} s"
            print(f"runaway on {name}: {answer}; second client "
                  f"{len(r.meanwhile)} queries meanwhile, p50 {statistics.median(r.meanwhile) * 1000:.1f} ms, "
                  f"max {max(r.meanwhile) * 1000:.1f} ms")
    for name, run in runs.items():
        for error in run.errors[:10]:
            print(f"error ({name}): {error}", file=sys.stderr)
    if ours.errors or theirs.errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
