"""Where pyoxigraph's SPARQL parser overflows its stack: the figures behind micgraph.sparql.MAX_NESTING.

For each kind of bracket, a binary search over the nesting depth runs `pyoxigraph.Store().query` (and
`.update`) in a fresh subprocess, in the main thread, in a `threading.Thread` with Python's default
thread stack size and in one with a 2 MiB stack, and reports the deepest query that still parses (deeper ones crash the process with
SIGSEGV/SIGABRT: a stack overflow). Run quietly: `python bench/sparql_nesting.py` (about a minute).
"""

from __future__ import annotations

import subprocess
import sys

SHAPES = {
    "{ group": lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    "( expression": lambda n: "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "( collection": lambda n: "SELECT * WHERE { ?s ?p " + "(" * n + "1" + ")" * n + " }",
    "[ blank node": lambda n: "SELECT * WHERE { ?s ?p " + "[ ?p " * n + "1" + " ]" * n + " }",
    "{ update WHERE": lambda n: "DELETE { ?s ?p ?o } WHERE " + "{" * n + "?s ?p ?o" + "}" * n,
}

PROGRAM = """
import sys, threading, pyoxigraph as ox
text = sys.stdin.read()
def run():
    try:
        (ox.Store().update if text.startswith("DELETE") else ox.Store().query)(text)
    except SyntaxError:
        pass
if sys.argv[1].startswith("thread"):
    if sys.argv[1] == "thread-2MiB":  # glibc's default thread stack when `ulimit -s` is unlimited
        threading.stack_size(2 * 1024 * 1024)
    t = threading.Thread(target=run); t.start(); t.join()
else:
    run()
print("ok")
"""


class TooSlow(Exception):
    """pyoxigraph took more than TIMEOUT seconds: that depth is a denial of service even without a crash."""


TIMEOUT = 60


def survives(text: str, where: str) -> bool:
    try:
        done = subprocess.run([sys.executable, "-c", PROGRAM, where], input=text, capture_output=True,
                              text=True, check=False, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as timeout:
        raise TooSlow from timeout
    return done.returncode == 0 and done.stdout.strip() == "ok"


def deepest(shape, where: str, high: int = 5_000) -> int:
    low = 1
    if survives(shape(high), where):
        return high
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if survives(shape(mid), where) else (low, mid)
    return low


if __name__ == "__main__":
    import pyoxigraph

    print(f"pyoxigraph {pyoxigraph.__version__}; deepest nesting that parses without crashing")
    for name, shape in SHAPES.items():
        figures = []
        for where in ("main", "thread", "thread-2MiB"):
            try:
                figures.append(f"{where}: {deepest(shape, where):6d}")
            except TooSlow:
                figures.append(f"{where}: a query took over {TIMEOUT} s")
        print(f"{name:16s} {'   '.join(figures)}", flush=True)
