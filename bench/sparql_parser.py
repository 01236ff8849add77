"""How fast micgraph.sparql parses, beside pyoxigraph's parser and rdflib's, in one run.

- first parse: a fresh interpreter imports micgraph.sparql and parses one named query (table load
  included); median of several processes;
- the bundled named queries (queries/*.rq), each parsed many times: micgraph.sparql vs pyoxigraph
  (`Store().query` on an empty store: its parse, plus evaluating nothing) vs rdflib's `parseQuery`;
- a generated 100 kB query (triple patterns, FILTERs, a VALUES block), same three. (Not OPTIONALs: a
  few hundred OPTIONALs in one group keep pyoxigraph 0.5.13 busy for minutes on an empty store.)

Run quietly: `PYTHONPATH=src python bench/sparql_parser.py` (about a minute). Figures are wall time on
whatever else the machine is doing: read the ratios, not the milliseconds.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from micgraph import bundle
from micgraph.sparql import parse_query

ROOT = Path(__file__).resolve().parent.parent

FIRST_PARSE = """
import time
started, started_cpu = time.perf_counter(), time.process_time()
from micgraph.sparql import parse_query
imported, imported_cpu = time.perf_counter(), time.process_time()
parse_query(open({path!r}).read(), prefixes={prefixes!r})
done, done_cpu = time.perf_counter(), time.process_time()
print(1000 * (imported - started), 1000 * (done - imported), 1000 * (imported_cpu - started_cpu),
      1000 * (done_cpu - imported_cpu))
"""


# As after `pip install`, which compiles every module (see bench/startup.py): bytecode is written.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def first_parse(path: Path, runs: int = 7) -> list[float]:
    """[import ms, first parse ms] in wall time, then in CPU time (what a busy machine does not inflate),
    medians over fresh processes (after one that writes the bytecode)."""
    code = FIRST_PARSE.format(path=str(path), prefixes=bundle.PREFIXES)
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=ENVIRONMENT)
    samples = [list(map(float, subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                              check=True, env=ENVIRONMENT).stdout.split()))
               for _ in range(runs)]
    return [statistics.median(column) for column in zip(*samples)]


def per_call(function, text: str, budget: float = 0.5) -> float:
    """Median seconds per call over calibrated batches."""
    function(text)
    batch, elapsed = 1, 0.0
    while elapsed < 0.05:
        started = time.perf_counter()
        for _ in range(batch):
            function(text)
        elapsed = time.perf_counter() - started
        batch *= 2
    batch //= 2
    samples = []
    deadline = time.perf_counter() + budget
    while time.perf_counter() < deadline or len(samples) < 3:
        started = time.perf_counter()
        for _ in range(batch):
            function(text)
        samples.append((time.perf_counter() - started) / batch)
    return statistics.median(samples)


def with_prefixes(text: str) -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in bundle.PREFIXES.items()) + text


def ours(text: str) -> None:
    parse_query(text)


def oxigraph(text: str) -> None:
    ox.Store().query(text)  # parsed and planned; the solutions (none) are not read


def rdflib(text: str) -> None:
    from rdflib.plugins.sparql.parser import parseQuery

    parseQuery(text)


def big_query(size: int = 100_000) -> str:
    """A UNION of small groups (triple patterns and FILTERs) and a VALUES block: not one big basic graph
    pattern, whose planning time grows with the cube of its size in pyoxigraph 0.5."""
    lines = ["PREFIX ex: <http://example.org/>", "SELECT ?s ?label WHERE {"]
    n = 0
    while sum(map(len, lines)) < size - 2000:
        lines.append(f"  {{ ?s ex:p{n} ?o . ?o ex:label ?label FILTER(LANG(?label) = 'en' && "
                     f"(?o != <http://example.org/x{n}> || STRLEN(STR(?o)) > {n})) }} UNION")
        n += 1
    lines.append("  { }")
    lines.append("  VALUES ?s { " + " ".join(f"ex:s{i}" for i in range(100)) + " }")
    lines.append("}")
    return "\n".join(lines)


def cpu_seconds(function, text: str) -> float:
    """CPU seconds of one call (a busy machine inflates wall time, much less CPU time)."""
    started = time.process_time()
    function(text)
    return time.process_time() - started


def main() -> None:
    named = sorted((ROOT / "queries").glob("*.rq"))
    imported, first, imported_cpu, first_cpu = first_parse(named[0])
    print(f"import micgraph.sparql: {imported:.1f} ms ({imported_cpu:.1f} ms CPU); first parse "
          f"({named[0].name}, table load included): {first:.1f} ms ({first_cpu:.1f} ms CPU); "
          "medians of 7 processes")
    totals = {"micgraph.sparql": 0.0, "pyoxigraph": 0.0, "rdflib": 0.0}
    for path in named:
        text = with_prefixes(path.read_text(encoding="utf-8"))
        for name, function in (("micgraph.sparql", ours), ("pyoxigraph", oxigraph), ("rdflib", rdflib)):
            totals[name] += per_call(function, text, budget=0.2)
    if "--first" in sys.argv:
        return
    print(f"{len(named)} named queries, one parse each: " + ", ".join(
        f"{name} {1000 * seconds:.1f} ms" for name, seconds in totals.items()) +
        f"; ratio to pyoxigraph {totals['micgraph.sparql'] / totals['pyoxigraph']:.1f}, "
        f"to rdflib {totals['micgraph.sparql'] / totals['rdflib']:.2f}")
    text = big_query()
    ours(text)
    figures = {name: min(cpu_seconds(function, text) for _ in range(runs)) for name, function, runs in
               (("micgraph.sparql", ours, 3), ("pyoxigraph", oxigraph, 1), ("rdflib", rdflib, 1))}
    print(f"a {len(text.encode()) // 1000} kB query, CPU time (ours: best of 3): " + ", ".join(
        f"{name} {1000 * seconds:.0f} ms" for name, seconds in figures.items()) +
        f"; ratio to pyoxigraph {figures['micgraph.sparql'] / figures['pyoxigraph']:.1f}, "
        f"to rdflib {figures['micgraph.sparql'] / figures['rdflib']:.2f}")


if __name__ == "__main__":
    main()
