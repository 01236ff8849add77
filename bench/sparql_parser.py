"""How fast micgraph.sparql parses, beside pyoxigraph's parser and rdflib's, in one run.

- first parse: a fresh interpreter imports micgraph.sparql and parses one named query (table load
  included); median of several processes;
- the bundled named queries (queries/*.rq), each parsed many times: micgraph.sparql vs pyoxigraph
  (`Store().query` on an empty store: its parse, plus evaluating nothing) vs rdflib's `parseQuery`;
- a generated 100 kB query (triple patterns, FILTERs, a VALUES block, OPTIONALs), same three.

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
started = time.perf_counter()
from micgraph.sparql import parse_query
imported = time.perf_counter()
parse_query(open({path!r}).read(), prefixes={prefixes!r})
done = time.perf_counter()
print(f"{{1000 * (imported - started):.2f}} {{1000 * (done - imported):.2f}}")
"""


# As after `pip install`, which compiles every module (see bench/startup.py): bytecode is written.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def first_parse(path: Path, runs: int = 7) -> tuple[float, float]:
    """(import ms, first parse ms), medians over fresh processes (after one that writes the bytecode)."""
    code = FIRST_PARSE.format(path=str(path), prefixes=bundle.PREFIXES)
    imports, parses = [], []
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=ENVIRONMENT)
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env=ENVIRONMENT).stdout
        imported, parsed = map(float, out.split())
        imports.append(imported)
        parses.append(parsed)
    return statistics.median(imports), statistics.median(parses)


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
    ox.Store().query(text)


def rdflib(text: str) -> None:
    from rdflib.plugins.sparql.parser import parseQuery

    parseQuery(text)


def big_query(size: int = 100_000) -> str:
    lines = ["PREFIX ex: <http://example.org/>", "SELECT ?s ?label WHERE {"]
    n = 0
    while sum(map(len, lines)) < size - 2000:
        lines.append(f"  ?s ex:p{n} ?o{n} . OPTIONAL {{ ?o{n} ex:label ?l{n} FILTER(LANG(?l{n}) = 'en') }}")
        lines.append(f"  FILTER(?o{n} != <http://example.org/x{n}> || STRLEN(STR(?o{n})) > {n})")
        n += 1
    lines.append("  VALUES ?s { " + " ".join(f"ex:s{i}" for i in range(100)) + " }")
    lines.append("}")
    return "\n".join(lines)


def main() -> None:
    named = sorted((ROOT / "queries").glob("*.rq"))
    imported, first = first_parse(named[0])
    print(f"import micgraph.sparql: {imported:.1f} ms; first parse ({named[0].name}, table load included): "
          f"{first:.1f} ms (medians of 7 processes)")
    totals = {"micgraph.sparql": 0.0, "pyoxigraph": 0.0, "rdflib": 0.0}
    for path in named:
        text = with_prefixes(path.read_text(encoding="utf-8"))
        for name, function in (("micgraph.sparql", ours), ("pyoxigraph", oxigraph), ("rdflib", rdflib)):
            totals[name] += per_call(function, text, budget=0.2)
    print(f"{len(named)} named queries, one parse each: " + ", ".join(
        f"{name} {1000 * seconds:.1f} ms" for name, seconds in totals.items()) +
        f"; ratio to pyoxigraph {totals['micgraph.sparql'] / totals['pyoxigraph']:.1f}, "
        f"to rdflib {totals['micgraph.sparql'] / totals['rdflib']:.2f}")
    text = big_query()
    figures = {name: per_call(function, text, budget=2.0)
               for name, function in (("micgraph.sparql", ours), ("pyoxigraph", oxigraph), ("rdflib", rdflib))}
    print(f"a {len(text.encode()) // 1000} kB query: " + ", ".join(
        f"{name} {1000 * seconds:.0f} ms" for name, seconds in figures.items()) +
        f"; ratio to pyoxigraph {figures['micgraph.sparql'] / figures['pyoxigraph']:.1f}, "
        f"to rdflib {figures['micgraph.sparql'] / figures['rdflib']:.2f}")


if __name__ == "__main__":
    main()
