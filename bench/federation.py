"""Federation benchmark: micgraph's SERVICE execution as ratios against pyoxigraph's own.

    python bench/federation.py [--runs 7] [--rows 10 10000] [--markdown]

Starts one local `oxigraph serve` (in memory) holding N Wikidata-shaped items, and a local store holding N
cities linked to them by owl:sameAs, then times, as the median of --runs in-process runs (the two sides
alternating):
  service   micgraph.run_query on a query that joins the local cities with the endpoint's populations
            (micgraph reads the query with rdflib's parser, calls the endpoint itself, inlines the answer as
            VALUES) vs pyoxigraph's Store.query running the same SERVICE with its own HTTP client
  plain     micgraph.run_query on a query without SERVICE vs pyoxigraph's Store.query (the cost of the
            SERVICE test that every query now goes through)
Both sides collect the solutions into the same result objects (query.collect), so the ratio is the cost
of micgraph's own SERVICE handling.
and, once, what each does when the endpoint accepts the connection and never answers: micgraph gives up
after --service-timeout; pyoxigraph 0.5 has no timeout, so it is abandoned after --give-up seconds.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from micgraph import namespaces
from micgraph.errors import QueryEvaluationError
from micgraph.query import collect, run_query
from micgraph.stores import OxigraphStore

WD, WDT, MICR = "http://www.wikidata.org/entity/", "http://www.wikidata.org/prop/direct/", namespaces.MICR
JOIN = """SELECT ?city ?population WHERE {{
  ?city owl:sameAs ?item .
  SERVICE <{endpoint}> {{ ?item <http://www.wikidata.org/prop/direct/P1082> ?population }}
}}"""
PLAIN = "SELECT ?city ?item WHERE { ?city owl:sameAs ?item }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(rows: int) -> tuple[subprocess.Popen, str]:
    executable = str(Path(sys.executable).parent / "oxigraph")
    executable = executable if Path(executable).exists() else shutil.which("oxigraph")
    if not executable:
        sys.exit("bench: the oxigraph CLI is not installed (pip install '.[test]')")
    port = free_port()
    process = subprocess.Popen([executable, "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    turtle = "".join(f"<{WD}Q{i}> <{WDT}P1082> {i * 10} .\n" for i in range(1, rows + 1)).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/store?default", data=turtle, method="POST",
                                     headers={"Content-Type": "text/turtle"})
    urllib.request.urlopen(request, timeout=60).close()
    return process, f"http://127.0.0.1:{port}/query"


def local_store(rows: int) -> OxigraphStore:
    store = OxigraphStore()
    same_as = ox.NamedNode(namespaces.OWL + "sameAs")
    store.add_quads(ox.Quad(ox.NamedNode(f"{MICR}city-{i}"), same_as, ox.NamedNode(f"{WD}Q{i}"))
                    for i in range(1, rows + 1))
    return store


def medians(ours, theirs, runs: int) -> tuple[float, float]:
    """Median seconds of each function, run alternately so that both see the same machine state."""
    ours(), theirs()  # warm up
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for function, recorded in ((ours, times[0]), (theirs, times[1])):
            start = time.perf_counter()
            function()
            recorded.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def silent_endpoint(timeout: float, give_up: float) -> tuple[str, str]:
    """Seconds until micgraph and pyoxigraph return when the endpoint never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []
    threading.Thread(target=lambda: [accepted.append(listener.accept()) for _ in range(8)], daemon=True).start()
    endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    store = local_store(10)
    query = JOIN.format(endpoint=endpoint)
    start = time.perf_counter()
    try:
        run_query(store, query, service_allow=(endpoint,), service_timeout=timeout)
    except QueryEvaluationError:
        pass
    micgraph = f"{time.perf_counter() - start:.2f} s (error: did not answer within {timeout:g} s)"
    done = threading.Event()
    worker = threading.Thread(target=lambda: (list(store.oxigraph.query(query, prefixes=namespaces.PREFIXES)),
                                              done.set()), daemon=True)
    start = time.perf_counter()
    worker.start()
    finished = done.wait(give_up)
    elapsed = time.perf_counter() - start
    pyoxigraph = f"{elapsed:.2f} s" if finished else f"no answer after {give_up:g} s (abandoned)"
    return micgraph, pyoxigraph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rows", type=int, nargs="+", default=[10, 10000])
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--give-up", type=float, default=10.0)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()

    lines = []
    for rows in args.rows:
        server, endpoint = start_server(rows)
        try:
            store = local_store(rows)
            query = JOIN.format(endpoint=endpoint)
            ours = run_query(store, query, service_allow=(endpoint,))
            theirs = list(store.oxigraph.query(query, prefixes=namespaces.PREFIXES))
            assert len(ours) == len(theirs) == rows, (len(ours), len(theirs), rows)
            service_ours, service_theirs = medians(
                lambda: run_query(store, query, service_allow=(endpoint,)),
                lambda: collect(store.oxigraph.query(query, prefixes=namespaces.PREFIXES)), args.runs)
            plain_ours, plain_theirs = medians(
                lambda: run_query(store, PLAIN),
                lambda: collect(store.oxigraph.query(PLAIN, prefixes=namespaces.PREFIXES, use_default_graph_as_union=True)),
                args.runs)
        finally:
            server.terminate()
            server.wait()
        lines.append((f"service, {rows} rows", service_ours, service_theirs))
        lines.append((f"plain, {rows} rows", plain_ours, plain_theirs))
    silent = silent_endpoint(args.timeout, args.give_up)

    if args.markdown:
        print("| case | micgraph | pyoxigraph | ratio |\n|---|---|---|---|")
        for name, ours, theirs in lines:
            print(f"| {name} | {ours * 1000:.1f} ms | {theirs * 1000:.1f} ms | {ours / theirs:.2f}x |")
        print(f"| endpoint never answers | {silent[0]} | {silent[1]} | |")
    else:
        for name, ours, theirs in lines:
            print(f"{name:<22} micgraph {ours * 1000:8.1f} ms   pyoxigraph {theirs * 1000:8.1f} ms   "
                  f"ratio {ours / theirs:5.2f}x")
        print(f"endpoint never answers: micgraph {silent[0]}; pyoxigraph {silent[1]}")


if __name__ == "__main__":
    main()
