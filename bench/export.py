"""Export benchmark: CPU seconds of `micgraph export` (canonical blank-node labels, sorted, faithful) per RDF
format, against pyoxigraph writing the same store as it lies (no canonical labels, no sorting).

    python bench/export.py [--input FILE] [--nested-mb 3] [--markdown]

Without --input it writes the hostile case of issue 11: Turtle made only of blank nodes nested 5,000
deep (`ex:s ex:p [ ex:p [ ex:p ... ] ]`), as many chains as make --nested-mb megabytes (3 MB: 67 chains,
335,000 blank nodes, every one looking like its neighbours). Each format runs in a fresh process; the
figure is the process's user+system CPU time for building the graph and writing it, minus the time
to build it (so machines shared with other work still give comparable numbers).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

FORMATS = ("turtle", "nt", "jsonld", "xml", "trig", "nquads")

CHILD = r"""
import json, resource, sys
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
engine, fmt, path = sys.argv[1:4]
import pyoxigraph as ox
from micgraph.graph import open_graph
from micgraph import formats
start = cpu()
store = open_graph([path], bundled=False)
built = cpu()
if engine == "micgraph":
    from micgraph.export import export_rdf
    size = len(export_rdf(store, fmt))
else:
    syntax = formats.get(fmt, formats.RDF)
    if syntax.dataset:
        size = len(store.oxigraph.dump(format=syntax.rdf))
    else:
        size = len(ox.serialize((q.triple for q in store.oxigraph), format=syntax.rdf))
done = cpu()
print(json.dumps({"build": built - start, "write": done - built, "bytes": size}))
"""


def nested(path: Path, megabytes: float, depth: int = 5000) -> int:
    chain = "[ ex:p " * depth + "ex:end" + " ]" * depth
    count = max(1, round(megabytes * 1_000_000 / (len(chain) + 20)))
    with path.open("w", encoding="utf-8") as out:
        out.write("@prefix ex: <http://example.org/ns#> .\n")
        for number in range(count):
            out.write(f"ex:s{number} ex:p {chain} .\n")
    return count * depth


def run(engine: str, fmt: str, path: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, engine, fmt, str(path)], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, help="an RDF file to export instead of the nested case")
    parser.add_argument("--nested-mb", type=float, default=3.0)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.input
        if path is None:
            path = Path(folder) / "nested.ttl"
            blank = nested(path, args.nested_mb)
            print(f"# {path.stat().st_size / 1e6:.1f} MB of nested blank nodes ({blank:,} of them)", file=sys.stderr)
        rows = []
        for fmt in FORMATS:
            mine, theirs = run("micgraph", fmt, path), run("pyoxigraph", fmt, path)
            rows.append((fmt, mine["build"], mine["write"], theirs["write"], mine["write"] / max(theirs["write"], 1e-3)))
    if args.markdown:
        print("| format | building the graph | micgraph writes | pyoxigraph writes | micgraph / pyoxigraph |")
        print("|---|---:|---:|---:|---:|")
        for fmt, build, mine, theirs, ratio in rows:
            print(f"| {fmt} | {build:.1f} s | {mine:.1f} s | {theirs:.1f} s | {ratio:.1f}x |")
    else:
        for fmt, build, mine, theirs, ratio in rows:
            print(f"{fmt:8} build {build:6.1f} s   micgraph {mine:6.1f} s   pyoxigraph {theirs:6.1f} s   {ratio:5.1f}x")


if __name__ == "__main__":
    main()
