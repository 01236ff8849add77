"""Start-up benchmark: wall time of whole commands, as ratios against the tools underneath.

    python bench/startup.py [--runs 11] [--query centers-per-program] [--markdown]

Measures, each as the median of --runs fresh processes (after one warm-up run):
  help     `micgraph --help`                      vs `oxigraph --help`
  query    `micgraph query -n NAME` (bundled graph loaded into memory, then queried)
           vs the `oxigraph` CLI doing the same job (load the bundled files into a fresh store, then query)
           vs a plain rdflib script (parse the bundled files, run the same query)
Targets (issue 3): micgraph within 3x of the oxigraph CLI, and at least 5x faster than rdflib.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from micgraph import bundle

RDFLIB_SCRIPT = """
import sys
from rdflib import Graph
graph = Graph()
for path in sys.argv[2:]:
    graph.parse(path)
rows = list(graph.query(open(sys.argv[1], encoding="utf-8").read()))
print(len(rows))
"""


def executable(name: str) -> str:
    """A console script installed next to this Python (the venv's), else on PATH."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        sys.exit(f"bench: {name} is not installed (pip install '.[test]' installs the oxigraph CLI)")
    return found


# As after `pip install`, which compiles every module: with PYTHONDONTWRITEBYTECODE set (as in some
# sandboxes) an editable install would recompile micgraph's modules on every start, a third of its time.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_seconds(commands: list[list[str]], runs: int) -> float:
    """Median wall time of running `commands` one after the other, over `runs` repetitions."""
    def once() -> float:
        start = time.perf_counter()
        for command in commands:
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=ENVIRONMENT)
        return time.perf_counter() - start

    once()  # warm the page cache
    return statistics.median(once() for _ in range(runs))


def oxigraph_job(oxigraph: str, files: list[str], query_file: Path, runs: int) -> float:
    def once() -> float:
        with tempfile.TemporaryDirectory(prefix="micgraph-bench-") as location:
            start = time.perf_counter()
            subprocess.run([oxigraph, "load", "--location", location, "--file", *files], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run([oxigraph, "query", "--location", location, "--query-file", str(query_file),
                            "--results-format", "csv", "--union-default-graph"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return time.perf_counter() - start

    once()
    return statistics.median(once() for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--query", default="centers-per-program", help="named query to time")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table for RESULTS.md")
    args = parser.parse_args()

    micgraph, oxigraph = executable("micgraph"), executable("oxigraph")
    files = [str(p) for p in bundle.graph_paths()]
    query_file = bundle.named_query(args.query).path
    env_note = f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"

    help_micgraph = median_seconds([[micgraph, "--help"]], args.runs)
    help_oxigraph = median_seconds([[oxigraph, "--help"]], args.runs)
    query_micgraph = median_seconds([[micgraph, "query", "-n", args.query, "--format", "csv"]], args.runs)
    query_oxigraph = oxigraph_job(oxigraph, files, query_file, args.runs)
    query_rdflib = median_seconds([[sys.executable, "-c", RDFLIB_SCRIPT, str(query_file), *files]], args.runs)

    rows = [
        ("`--help`", help_micgraph, help_oxigraph, None),
        (f"named query `{args.query}`", query_micgraph, query_oxigraph, query_rdflib),
    ]
    if args.markdown:
        print(f"Median of {args.runs} runs; {env_note}.\n")
        print("| command | micgraph | oxigraph CLI | rdflib script | micgraph / oxigraph | rdflib / micgraph |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, ours, oxi, rdf in rows:
            rdf_cell = f"{rdf * 1000:.0f} ms" if rdf else "–"
            speedup = f"{rdf / ours:.1f}x" if rdf else "–"
            print(f"| {name} | {ours * 1000:.0f} ms | {oxi * 1000:.0f} ms | {rdf_cell} | {ours / oxi:.2f}x | {speedup} |")
        return
    print(f"startup benchmark ({env_note}; median of {args.runs} runs)")
    for name, ours, oxi, rdf in rows:
        line = f"{name:<40} micgraph {ours * 1000:7.1f} ms   oxigraph {oxi * 1000:7.1f} ms   ratio {ours / oxi:5.2f}x"
        if rdf:
            line += f"   rdflib {rdf * 1000:7.1f} ms   rdflib/micgraph {rdf / ours:5.1f}x"
        print(line)


if __name__ == "__main__":
    main()
