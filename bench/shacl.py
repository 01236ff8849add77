"""SHACL at scale: micgraph's validation path against plain pySHACL on the same files, same options.

    python bench/shacl.py [--triples 100000] [--rounds 3]

  pyshacl    rdflib parses the data and the shapes; pyshacl.validate(data, shacl_graph=shapes,
             inference="none", advanced=True): the options micgraph uses
  micgraph   the data loaded into an Oxigraph store, micgraph.validate.validate_store (the path of
             `micgraph validate`): the data graph narrowed to what the shapes read, validated in place

Each is timed end to end (reading the files included) in fresh processes, --rounds times in turn; the
figure is the median. Both reports are compared (micgraph's ValidationResult list, built from each
report graph the same way) and the run stops if they differ.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

SHAPES = HERE / "shapes.ttl"


def child(engine: str, data: Path) -> dict:
    import pyshacl
    from rdflib import Graph

    from micgraph.loading import load_files
    from micgraph.stores import OxigraphStore
    from micgraph.validate import _results, validate_store

    started = time.perf_counter()
    if engine == "pyshacl":
        data_graph = Graph().parse(data, format="nt")
        shapes_graph = Graph().parse(SHAPES)
        conforms, report_graph, _ = pyshacl.validate(data_graph, shacl_graph=shapes_graph, inference="none",
                                                     abort_on_first=False, allow_infos=False,
                                                     allow_warnings=False, advanced=True)
        results = _results(report_graph)
    else:
        store = OxigraphStore()
        store.load(data)
        report = validate_store(store, load_files([SHAPES]))
        conforms, results = report.conforms, report.results
    seconds = time.perf_counter() - started
    # the two runs parse the shapes separately: blank node shapes differ only in their labels
    rows = sorted([re.sub(r"_:\w+", "_:b", str(v)) for v in vars(r).values()] for r in results)
    return {"seconds": seconds, "conforms": bool(conforms), "results": rows}


def run(engine: str, data: Path) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", engine, "--data", str(data)], check=True,
                            stdout=subprocess.PIPE).stdout
    return json.loads(output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--child", choices=("pyshacl", "micgraph"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.data)))
        return 0
    (HERE / "out").mkdir(exist_ok=True)
    data = HERE / "out" / f"graph-{args.triples}-seed{args.seed}.nt"
    if not data.exists():
        generate.write(data, args.triples, args.seed)
    times: dict[str, list[float]] = {"pyshacl": [], "micgraph": []}
    reports = {}
    for _ in range(args.rounds):
        for engine in times:
            figures = run(engine, data)
            times[engine].append(figures["seconds"])
            reports[engine] = (figures["conforms"], figures["results"])
    if reports["pyshacl"] != reports["micgraph"]:
        print("the reports differ", file=sys.stderr)
        return 1
    triples = sum(1 for _ in open(data, "rb"))
    plain, ours = statistics.median(times["pyshacl"]), statistics.median(times["micgraph"])
    print(f"{triples:,} triples, {len(reports['micgraph'][1]):,} results, identical reports")
    print(f"pyshacl   {plain:6.2f} s   (rounds: {', '.join(f'{t:.2f}' for t in times['pyshacl'])})")
    print(f"micgraph  {ours:6.2f} s   (rounds: {', '.join(f'{t:.2f}' for t in times['micgraph'])})")
    print(f"micgraph is {plain / ours:.2f}x faster than plain pySHACL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
