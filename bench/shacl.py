"""SHACL at scale: micgraph's two engines against pySHACL and rudof, on the same data and shapes.

    python bench/shacl.py [--triples 100000 1000000] [--rounds 3]
    python bench/shacl.py --bundled [--rounds 3]   # micgraph's own graph and shapes (SPARQL constraints),
                                                   # and `micgraph validate` end to end
    python bench/shacl.py --rudof-w3c              # what rudof cannot do, from the W3C SHACL suite

  pyshacl            rdflib parses the data (N-Triples) into a Graph; pyshacl.validate(data,
                     shacl_graph=shapes, inference="none", advanced=True)
  rudof              pyrudof: Rudof.read_data (N-Triples), read_shacl, validate_shacl() (native engine)
  micgraph-pyshacl   the data loaded into micgraph's Oxigraph store; validation.validate_store(...,
                     engine="pyshacl"): pySHACL on the triples the shapes read
  micgraph-oxigraph  the data loaded into micgraph's Oxigraph store; validation.validate_store(...,
                     engine="oxigraph"): micgraph's SHACL engine (micgraph/shacl/), SPARQL on the store

What is timed. Each engine runs in a fresh process (imports done first, not timed). Inside it, two
phases are timed, wall and CPU (user + system of all its threads): *load*, reading the data file into
the engine's own store (rdflib Graph, rudof's graph, Oxigraph), and *validate*, reading the shapes and
validating, report included. `total` is load + validate. Beside them the parent records the whole
process (interpreter start to exit: wall, CPU and peak resident memory from wait4). Ratios are taken
on medians of `total` wall time, and printed for validation alone too.

With --bundled, `micgraph validate` (the bundled graph, both engines) is also timed end to end: from
process start to exit, the median of --cli-runs runs, as after `pip install` (bytecode compiled).

Before any timing, one round runs every engine and their reports are compared result by result: the
set of (focus node, result path, value, source shape, constraint component, severity) of the top-level
results. Values compare as RDF terms, numbers by value: rdflib and rudof keep "9999.30"^^xsd:decimal as
written, Oxigraph keeps the value (9999.3). The run stops if any two engines differ.
The shapes (bench/shapes.ttl) name every shape, so source shapes compare as IRIs across engines.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate

SHAPES = HERE / "shapes.ttl"
ENGINES = ("pyshacl", "rudof", "micgraph-pyshacl", "micgraph-oxigraph")
SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"


# --- in the child process -----------------------------------------------------------------------

def child(engine: str, data: Path, shapes: list[Path], check: bool) -> dict:
    """Load and validate with one engine; the timings and, when `check`, the results as comparable keys."""
    if engine == "rudof":
        import pyrudof

        def load():
            rudof = pyrudof.Rudof(pyrudof.RudofConfig())
            rudof.read_data(str(data), format=pyrudof.RDFFormat.NTriples)
            return rudof

        def validate(rudof):
            for path in shapes:
                rudof.read_shacl(str(path))
            report = rudof.validate_shacl()
            return list(report), bool(report.conforms)
    elif engine == "pyshacl":
        import pyshacl
        from rdflib import Graph

        def load():
            return Graph().parse(data, format="nt")

        def validate(graph):
            shapes_graph = Graph()
            for path in shapes:
                shapes_graph.parse(path)
            conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes_graph, inference="none",
                                                   abort_on_first=False, allow_infos=False, allow_warnings=False,
                                                   advanced=True)
            return report, bool(conforms)
    else:
        from micgraph.loading import load_files
        from micgraph.stores import OxigraphStore
        from micgraph.validation import validate_store

        def load():
            store = OxigraphStore()
            store.load(data)
            return store

        def validate(store):
            report = validate_store(store, load_files(shapes), engine.removeprefix("micgraph-"))
            return report.quads, report.conforms

    figures = {}
    wall, cpu = time.perf_counter(), time.process_time()
    loaded = load()
    figures["load"] = (time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    report, conforms = validate(loaded)
    figures["validate"] = (time.perf_counter() - wall, time.process_time() - cpu)
    keys = rudof_keys(report) if engine == "rudof" else report_keys(report, engine == "pyshacl")
    figures.update(conforms=conforms, count=len(keys), keys=sorted(set(map(json.dumps, keys))) if check else [])
    return figures


def report_keys(report, rdflib_graph: bool) -> list[list]:
    """The top-level results of a SHACL report graph (pyoxigraph quads, or an rdflib graph) as keys."""
    import pyoxigraph as ox

    if rdflib_graph:
        from micgraph.terms import from_rdflib

        triples = [(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in report]
    else:
        triples = [(q.subject, q.predicate, q.object) for q in report]
    out: dict = {}
    for s, p, o in triples:
        out.setdefault(s, {}).setdefault(p.value, []).append(o)
    results = [o for s, props in out.items() for o in props.get(SH + "result", [])]

    def one(node, name):
        values = out.get(node, {}).get(SH + name, [])
        return values[0] if values else None

    def path(node) -> str | None:
        if node is None:
            return None
        if isinstance(node, ox.NamedNode):
            return node.value
        if one(node, "inversePath") is not None:
            return "^" + path(one(node, "inversePath"))
        for name, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
            if one(node, name) is not None:
                return path(one(node, name)) + mark
        if one(node, "alternativePath") is not None:
            return "|".join(path(m) for m in items(one(node, "alternativePath")))
        return "/".join(path(m) for m in items(node))

    def items(head):
        members = []
        while head is not None and head != ox.NamedNode(RDF + "nil"):
            members.append(out[head][RDF + "first"][0])
            head = out[head][RDF + "rest"][0]
        return members

    return [[term_key(one(r, "focusNode")), canonical_path(path(one(r, "resultPath"))), term_key(one(r, "value")),
             one(r, "sourceShape").value, one(r, "sourceConstraintComponent").value.removeprefix(SH),
             one(r, "resultSeverity").value.removeprefix(SH)] for r in results]


def rudof_keys(entries) -> list[list]:
    """rudof's results as the same keys (its terms are Turtle-like strings: IRIs bare, literals quoted)."""
    import pyoxigraph as ox

    def term(text: str | None):
        if text is None:
            return None
        if text.startswith("_:"):
            return ox.BlankNode()
        if not text.startswith('"'):
            return ox.NamedNode(text)
        if text.endswith('"'):
            return ox.Literal(text[1:-1])
        if '"^^' in text:
            lexical, datatype = text[1:].rsplit('"^^', 1)
            datatype = datatype.strip("<>")
            if datatype.startswith("xsd:"):
                datatype = XSD + datatype[4:]
            elif datatype.startswith("rdf:"):
                datatype = RDF + datatype[4:]
            return ox.Literal(lexical, datatype=ox.NamedNode(datatype))
        lexical, language = text[1:].rsplit('"@', 1)
        return ox.Literal(lexical, language=language)

    return [[term_key(term(e.focus_node)), canonical_path(e.path), term_key(term(e.value)), e.source_shape,
             e.constraint_component.removeprefix(SH), e.severity] for e in entries]


def term_key(term) -> str | None:
    """A term as a string that is the same for the same value in every engine."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:"
    if isinstance(term, ox.NamedNode):
        return term.value
    if term.language:
        return f"{term.value}@{term.language.lower()}"
    if term.datatype.value in (XSD + "decimal", XSD + "integer", XSD + "double", XSD + "float"):
        try:
            return f"{Decimal(term.value).normalize()}^^number"
        except InvalidOperation:
            pass
    return f"{term.value}^^{term.datatype.value}"


def canonical_path(text: str | None) -> str | None:
    return None if text is None else re.sub(r"[\s()<>]", "", text)


# --- in the parent ------------------------------------------------------------------------------

class EngineFailed(Exception):
    pass


def run(engine: str, data: Path, shapes: list[Path], check: bool = False) -> dict:
    """One fresh process; its own figures plus the process's wall time, CPU time and peak memory."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([sys.executable, __file__, "--child", engine, "--data", str(data),
                                    *(f"--shapes={p}" for p in shapes), *(["--check"] if check else [])],
                                   stdout=subprocess.PIPE, stderr=errors)
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)  # reaps the child with its resource usage
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            last = errors.read().decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            raise EngineFailed(f"{engine} failed on {data.name}: {last[0][:300]}")
    figures = json.loads(output)
    figures["process"] = (time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
    return figures


def compare(reports: dict[str, dict]) -> bool:
    """True if every engine gave the same results; else print where they differ."""
    first, *others = reports
    same = True
    for other in others:
        a, b = set(reports[first]["keys"]), set(reports[other]["keys"])
        if a != b:
            same = False
            print(f"the reports differ: {first} {len(a)} results, {other} {len(b)}", file=sys.stderr)
            for key in sorted(a - b)[:5]:
                print(f"  only {first}: {key}", file=sys.stderr)
            for key in sorted(b - a)[:5]:
                print(f"  only {other}: {key}", file=sys.stderr)
    return same


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def benchmark(data: Path, shapes: list[Path], engines: list[str], rounds: int, label: str) -> dict:
    with open(data, "rb") as lines:
        triples = sum(1 for _ in lines)
    print(f"\n## {label}: {triples:,} triples, {', '.join(p.name for p in shapes)}", flush=True)
    reports = {}
    for engine in engines:
        try:
            reports[engine] = run(engine, data, shapes, check=True)
        except EngineFailed as failure:
            print(f"left out: {failure}", flush=True)
    engines = [engine for engine in engines if engine in reports]
    if not compare(reports):
        raise SystemExit(1)
    first = reports[engines[0]]
    counts = ", ".join(f"{engine} {reports[engine]['count']:,}" for engine in engines)
    print(f"reports equal: {len(first['keys']):,} distinct results in each ({counts} in all); "
          f"conforms: {first['conforms']}", flush=True)
    # --rounds 0: the checked run is the only sample (for sizes where one run of pySHACL takes an hour)
    samples: dict[str, list[dict]] = {engine: [] if rounds else [reports[engine]] for engine in engines}
    for _ in range(rounds):
        order = list(engines)
        random.shuffle(order)  # no engine always runs first (or after the same neighbour)
        for engine in order:
            samples[engine].append(run(engine, data, shapes))
    print(f"\nmedians of {rounds} round(s), each engine in its own process, in random order:\n" if rounds else
          "\none run of each engine (the checked one), each in its own process:\n")
    print("| engine | load wall | validate wall | total wall | total CPU | process wall | process CPU | "
          "peak memory |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    summary = {}
    for engine in engines:
        runs = samples[engine]
        load = median([r["load"][0] for r in runs])
        validate = median([r["validate"][0] for r in runs])
        total = median([r["load"][0] + r["validate"][0] for r in runs])
        cpu = median([r["load"][1] + r["validate"][1] for r in runs])
        process = [median([r["process"][i] for r in runs]) for i in range(3)]
        spread = max(r["load"][0] + r["validate"][0] for r in runs) - min(r["load"][0] + r["validate"][0] for r in runs)
        summary[engine] = {"total": total, "validate": validate, "cpu": cpu}
        print(f"| {engine} | {load:.2f} s | {validate:.2f} s | {total:.2f} s (±{spread / 2:.2f}) | {cpu:.2f} s | "
              f"{process[0]:.2f} s | {process[1]:.2f} s | {process[2]:,.0f} MB |")
    if "micgraph-oxigraph" in summary:
        ours = summary["micgraph-oxigraph"]
        print()
        for engine in engines:
            if engine != "micgraph-oxigraph":
                theirs = summary[engine]
                print(f"micgraph-oxigraph vs {engine}: {theirs['total'] / ours['total']:.1f}x (total wall), "
                      f"{theirs['validate'] / ours['validate']:.1f}x (validation alone), "
                      f"{theirs['cpu'] / ours['cpu']:.1f}x (total CPU)")
    return summary


def cli_end_to_end(runs: int) -> None:
    """`micgraph validate` of the bundled graph, process start to exit, each engine."""
    import shutil

    command = shutil.which("micgraph", path=str(Path(sys.executable).parent)) or "micgraph"
    # As after `pip install`, which compiles every module (PYTHONDONTWRITEBYTECODE would make each run compile).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    print(f"\n## `micgraph validate` end to end (bundled graph), median of {runs} runs after one warm-up\n")
    print("The named query (bench/startup.py: 66 ms on a quiet machine) runs beside it as a yardstick for the "
          "machine's load.\n")
    print("| command | wall | CPU | peak memory |")
    print("|---|---:|---:|---:|")
    ours = float("nan")
    for label, arguments in (("validate --engine oxigraph", ["validate", "--engine", "oxigraph"]),
                             ("validate --engine pyshacl", ["validate", "--engine", "pyshacl"]),
                             ("query -n centers-per-program", ["query", "-n", "centers-per-program"])):
        samples = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            process = subprocess.Popen([command, *arguments], env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(process.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"micgraph {' '.join(arguments)} failed")
            samples.append((time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024))
        wall, cpu, memory = (median([s[i] for s in samples[1:]]) for i in range(3))
        print(f"| `micgraph {label}` | {wall:.2f} s | {cpu:.2f} s | {memory:,.0f} MB |")
        if label == "validate --engine oxigraph":
            ours = wall
    print(f"\nmicgraph validate (oxigraph engine), end to end: {ours:.2f} s wall "
          f"(target under 0.5 s: {'met' if ours < 0.5 else 'missed'})")


def rudof_on_w3c() -> None:
    """What rudof cannot do: the W3C SHACL tests where its verdict or number of results is not the expected
    one, or where it validates shapes SHACL says must be refused."""
    import pyrudof

    sys.path.insert(0, str(HERE.parent / "tests"))
    from w3c.manifests import shacl_tests, suites_root

    passed, failed = 0, []
    for test in shacl_tests(suites_root()):
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        try:
            rudof.read_data(str(test.data), base=test.data.as_uri())
            rudof.read_shacl(str(test.shapes), base=test.shapes.as_uri())
            report = rudof.validate_shacl()
        except Exception as exc:  # noqa: BLE001 - a refusal, right for the tests that expect one
            if test.expects_failure:
                passed += 1
            else:
                failed.append(f"{test.id}: {str(exc)[:100]}")
            continue
        if test.expects_failure:
            failed.append(f"{test.id}: validated shapes SHACL says must be refused")
            continue
        conforms = next(t.object.value == "true" for t in test.expected if t.predicate.value == SH + "conforms")
        results = sum(1 for t in test.expected if t.predicate.value == SH + "result")
        if bool(report.conforms) == conforms and len(report) == results:
            passed += 1
        else:
            failed.append(f"{test.id}: conforms {bool(report.conforms)}, {len(report)} results "
                          f"(expected {conforms}, {results})")
    print(f"rudof on the W3C SHACL suite (verdict and number of results): {passed} of {passed + len(failed)}")
    for line in failed:
        print(f"  {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds after the checked one (0: time that one)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, from: " + ", ".join(ENGINES))
    parser.add_argument("--bundled", action="store_true",
                        help="validate micgraph's bundled ontology and data against its bundled shapes")
    parser.add_argument("--cli-runs", type=int, default=11, help="with --bundled: runs of `micgraph validate`")
    parser.add_argument("--rudof-w3c", action="store_true", help="list the W3C SHACL tests rudof fails")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shapes", type=Path, action="append", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.data, args.shapes, args.check)))
        return 0
    if args.rudof_w3c:
        rudof_on_w3c()
        return 0
    engines = [e for e in args.engines.split(",") if e]
    print(f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at start")
    (HERE / "out").mkdir(exist_ok=True)
    if args.bundled:
        from micgraph import bundle
        from micgraph.export import export_rdf
        from micgraph.export.rdf import serialize
        from micgraph.graph import open_graph
        from micgraph.loading import load_files

        data, shapes = HERE / "out" / "bundled.nt", HERE / "out" / "bundled-shapes.ttl"
        data.write_bytes(export_rdf(open_graph(), "nt"))
        # One shapes file (rudof reads each file on its own; the bundled shapes refer across files)
        shapes.write_bytes(serialize(iter(load_files(bundle.shapes_paths())), "turtle"))
        benchmark(data, [shapes], engines, args.rounds, "micgraph's bundled graph and shapes")
        cli_end_to_end(args.cli_runs)
        return 0
    headline = {}
    for triples in args.triples:
        data = HERE / "out" / f"graph-{triples}-seed{args.seed}.nt"
        if not data.exists():
            generate.write(data, triples, args.seed)
        headline[triples] = benchmark(data, [SHAPES], engines, args.rounds, f"{triples:,} triples requested")
    size = 100_000 if 100_000 in headline else min(headline)
    ours = headline[size].get("micgraph-oxigraph")
    if ours and "pyshacl" in headline[size] and "rudof" in headline[size]:
        label = f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}M"
        print(f"\noxigraph engine: {headline[size]['pyshacl']['total'] / ours['total']:.1f}x faster than pyshacl, "
              f"{headline[size]['rudof']['total'] / ours['total']:.1f}x faster than rudof ({label})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
