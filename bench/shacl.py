"""SHACL at scale: micgraph's validation path against plain pySHACL on the same files, same options.

    python bench/shacl.py [--triples 100000] [--rounds 3]
    python bench/shacl.py --bundled [--rounds 3]   # micgraph's own graph and shapes (SPARQL constraints)

  pyshacl    rdflib parses the data and the shapes; pyshacl.validate(data, shacl_graph=shapes,
             inference="none", advanced=True): the options micgraph uses
  micgraph   the data loaded into an Oxigraph store, micgraph.validation.validate_store (the path of
             `micgraph validate`): the data graph narrowed to what the shapes read, validated in place

Each is timed end to end (reading the files included) in fresh processes, --rounds times in turn; the
figures are medians of wall time and of CPU time (user + system of the process, from wait4: on a
machine shared with other work, wall time swings with the neighbours' load, CPU time much less). Both reports are compared (micgraph's ValidationResult list, built from each
report graph the same way; numbers by value) and the run stops if they differ.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

SHAPES = HERE / "shapes.ttl"


def child(engine: str, data: Path, shapes: list[Path]) -> dict:
    import pyshacl
    from rdflib import Graph

    from micgraph.loading import load_files
    from micgraph.stores import OxigraphStore
    from micgraph.validation import _results, validate_store

    started = time.perf_counter()
    if engine == "pyshacl":
        data_graph = Graph().parse(data, format="nt")
        shapes_graph = Graph()
        for path in shapes:
            shapes_graph.parse(path)
        conforms, report_graph, _ = pyshacl.validate(data_graph, shacl_graph=shapes_graph, inference="none",
                                                     abort_on_first=False, allow_infos=False,
                                                     allow_warnings=False, advanced=True)
        results = _results(report_graph, shapes_graph)
    else:
        store = OxigraphStore()
        store.load(data)
        report = validate_store(store, load_files(shapes))
        conforms, results = report.conforms, report.results
    seconds = time.perf_counter() - started
    # The two runs parse the shapes separately: blank node shapes differ only in their labels. Oxigraph
    # keeps values, not lexical forms ("9999.30"^^xsd:decimal reads back as "9999.3"): compare values.
    rows = sorted([_by_value(re.sub(r"_:\w+", "_:b", str(v))) for v in vars(r).values()] for r in results)
    return {"seconds": seconds, "conforms": bool(conforms), "results": rows}


def _by_value(text: str) -> str:
    try:
        return str(Decimal(text).normalize())
    except InvalidOperation:
        return text


def run(engine: str, data: Path, shapes: list[Path]) -> dict:
    """One fresh process; its figures plus the CPU seconds it used (user + system, from wait4), which
    other processes on a shared machine do not inflate the way they inflate wall time."""
    process = subprocess.Popen([sys.executable, __file__, "--child", engine, "--data", str(data),
                                *(f"--shapes={path}" for path in shapes)], stdout=subprocess.PIPE)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{engine} failed")
    figures = json.loads(output)
    figures["cpu"] = usage.ru_utime + usage.ru_stime
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--child", choices=("pyshacl", "micgraph"), help=argparse.SUPPRESS)
    parser.add_argument("--bundled", action="store_true",
                        help="validate micgraph's bundled ontology and data against its bundled shapes")
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shapes", type=Path, action="append", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.data, args.shapes)))
        return 0
    (HERE / "out").mkdir(exist_ok=True)
    if args.bundled:
        from micgraph import bundle
        from micgraph.export import export_rdf
        from micgraph.graph import open_graph

        data, shapes = HERE / "out" / "bundled.nt", bundle.shapes_paths()
        data.write_bytes(export_rdf(open_graph(), "nt"))
    else:
        data, shapes = HERE / "out" / f"graph-{args.triples}-seed{args.seed}.nt", [SHAPES]
        if not data.exists():
            generate.write(data, args.triples, args.seed)
    times: dict[str, list[float]] = {"pyshacl": [], "micgraph": []}
    cpu: dict[str, list[float]] = {"pyshacl": [], "micgraph": []}
    reports = {}
    for _ in range(args.rounds):
        for engine in times:
            figures = run(engine, data, shapes)
            times[engine].append(figures["seconds"])
            cpu[engine].append(figures["cpu"])
            reports[engine] = (figures["conforms"], figures["results"])
    if reports["pyshacl"] != reports["micgraph"]:
        print("the reports differ", file=sys.stderr)
        return 1
    triples = sum(1 for _ in open(data, "rb"))
    print(f"{triples:,} triples, {len(reports['micgraph'][1]):,} results, identical reports")
    for title, figures in (("wall", times), ("cpu", cpu)):
        for engine, values in figures.items():
            print(f"{title:4}  {engine:8}  median {statistics.median(values):6.2f} s   "
                  f"(rounds: {', '.join(f'{t:.2f}' for t in values)})")
    for title, figures in (("wall", times), ("cpu", cpu)):
        ratio = statistics.median(figures["pyshacl"]) / statistics.median(figures["micgraph"])
        print(f"{title}: micgraph is {ratio:.2f}x faster than plain pySHACL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
