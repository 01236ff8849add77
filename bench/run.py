"""Store benchmark: load time, peak memory and query times of micgraph against the libraries underneath.

    python bench/run.py [--sizes 10000 100000 1000000] [--quick] [--rounds N] [--repeats N] [--min-time S]
                        [--seed N] [--order-seed N] [--markdown]

Engines, each run in fresh processes (peak memory = ru_maxrss, read with wait4):
  rdflib           Graph().parse(file), graph.query(text)
  pyox-mem         raw pyoxigraph in memory: Store().load(path=...), store.query(text)
  micgraph-mem     micgraph.open_graph([file], bundled=False), micgraph.run_query
  pyox-disk        raw pyoxigraph on disk: Store(dir).bulk_load(path=...), store.query(text)
  micgraph-store   `micgraph load` into oxigraph:DIR (micgraph.bulkload.load_into), micgraph.run_query

The method (after pyperf's, without its code):
- Every engine runs in --rounds fresh processes; the order of the engines is shuffled anew in every
  round by a random.Random(--order-seed, default --seed) and printed, so that neither a slow spell of
  the machine nor "who runs after whom" favours an engine. rdflib, the slow reference, runs in the first
  round only.
- In each process every query first runs once and its answer is kept (a warm-up, not timed into the
  figures); one more call calibrates the loop: a sample repeats the query (reading every row) as often as
  needed to last at least --min-time, so that no sample is one sub-millisecond call. Samples go round the
  query set --repeats times; each records per-call wall time (perf_counter) and CPU time (process_time,
  all the process's threads). A query whose first run takes over LONG_SECONDS is timed by that run.
- The answers are compared by value across engines after the first round, before any further timing
  (the run stops if any differ), and every later process must give the same answers again.
- Per process and query, the median of its samples; per engine, the median of those process medians
  and their spread (MAD and min-max). The totals add up each process's query medians, so they too have one
  value per process.
- Ratios (micgraph-mem / pyox-mem, micgraph-store / pyox-disk) are the ratio of the medians with a 95 %
  interval from both engines' spreads (ratio_interval: each median's standard error from the MAD of the
  process medians, Student's t). Each ratio is judged against its goal (GOALS) and against 1.0: "below" or
  "above" when the whole interval is, "within noise" when the interval holds the mark. The per-process
  values are kept in bench/out/run-<size>.json.

The named queries run at 10k triples only (NAMED_MAX_TRIPLES). `--quick` is 10k and 100k triples with
5 rounds x 3 samples of at least 20 ms (about three minutes on 2 cores). The run ends with the totals'
verdicts, the queries judged above the goal beyond noise and `worst micgraph/pyoxigraph ratio: X.XX (...)`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import queries as query_set  # noqa: E402

ENGINES = ("rdflib", "pyox-mem", "micgraph-mem", "pyox-disk", "micgraph-store")
PAIRS = (("micgraph-mem", "pyox-mem"), ("micgraph-store", "pyox-disk"))
SHORT = {"micgraph-mem": "mem/pyox", "micgraph-store": "store/pyox"}
MIN_TIME = 0.05       # a sample lasts at least this long (calibrated loop); --min-time
LONG_SECONDS = 1.0    # a query whose first run takes longer is timed by that run alone
CONFIDENCE = 0.95

# The goals the ratios are judged against (bench/RESULTS.md's targets): micgraph's query time within 1.2x
# of the engine it runs on, its load throughput at least 0.8x, its peak memory within 1.2x. Every ratio
# is judged against 1.0 too: "within noise" of 1.0 means the run cannot tell micgraph from its engine.
GOALS = {"time": 1.2, "load": 0.8, "memory": 1.2}


# The named queries are written for the bundled graph (5k triples). On the generated graph some join
# observations with observations: at 100k, china-vs-us-figures takes 5 s in Oxigraph and rdflib needs
# 300 s for chinese-centers-vehicles-batteries. They are measured up to this size, where they still
# say something about micgraph's query path, and leave the larger runs to the LUBM-shaped set.
NAMED_MAX_TRIPLES = 10_000


def all_queries(named: bool = True) -> dict[str, str]:
    """The LUBM-shaped set plus (if `named`) micgraph's named queries, each with a full prologue (rdflib
    and raw pyoxigraph do not know micgraph's predeclared prefixes)."""
    from micgraph import bundle, namespaces

    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in namespaces.PREFIXES.items())
    out = {name: query_set.full_text(body) for name, body in query_set.QUERIES.items()}
    if named:
        out.update({f"named:{name}": prologue + q.text for name, q in bundle.named_queries().items()})
    return out


# --- answers by value (micgraph.terms.comparable), whatever the engine ---------------------------

def digest(rows: list, ordered: bool) -> str:
    rows = rows if ordered else sorted(rows, key=repr)
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def ordered(text: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", text, re.I) is not None


# --- one engine, in a child process --------------------------------------------------------------

def child(engine: str, data: Path, work: Path, repeats: int, min_time: float, named: bool) -> dict:
    queries = all_queries(named)
    import pyoxigraph as ox  # imports are not loading: every engine's are done before the clock starts
    from rdflib import Graph

    from micgraph.bulkload import load_into
    from micgraph.graph import open_graph
    from micgraph.query import run_query
    from micgraph.stores import open_store
    from micgraph.terms import comparable

    started, started_cpu = time.perf_counter(), time.process_time()
    if engine == "rdflib":
        graph = Graph()
        graph.parse(data, format="nt")

        def run(text):
            result = graph.query(text)
            if result.type == "ASK":
                return [(bool(result.askAnswer),)]
            return [tuple(comparable(t) for t in row) for row in result]

        def consume(text):
            result = graph.query(text)
            return result.askAnswer if result.type == "ASK" else list(result)
    elif engine in ("pyox-mem", "pyox-disk"):
        if engine == "pyox-mem":
            store = ox.Store()
            store.load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
        else:
            store = ox.Store(str(work / "pyox"))
            store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
            store.flush()

        def consume(text):
            result = store.query(text)
            return bool(result) if isinstance(result, ox.QueryBoolean) else [tuple(row) for row in result]

        def run(text):
            result = consume(text)
            if isinstance(result, bool):
                return [(result,)]
            return [tuple(comparable(t) for t in row) for row in result]
    else:
        if engine == "micgraph-mem":
            store = open_graph([data], bundled=False)
        else:
            store = open_store(f"oxigraph:{work / 'micgraph'}", create=True)
            load_into(store, [data])
            store.oxigraph.flush()

        def consume(text):
            return run_query(store, text)

        def run(text):
            result = consume(text)
            if result.kind == "ask":
                return [(result.boolean,)]
            if result.kind == "graph":
                return [tuple(comparable(t) for t in (x.subject, x.predicate, x.object)) for x in result.triples]
            return [tuple(comparable(t) for t in row) for row in result.bindings]
    load_seconds, load_cpu = time.perf_counter() - started, time.process_time() - started_cpu

    # Warm-up: every query once, for its answer (not timed into the figures, unless it is a long one).
    answers, rows, once, once_cpu = {}, {}, {}, {}
    for name, text in queries.items():
        first, first_cpu = time.perf_counter(), time.process_time()
        result = run(text)
        once[name], once_cpu[name] = time.perf_counter() - first, time.process_time() - first_cpu
        answers[name], rows[name] = digest(result, ordered(text)), len(result)
    # Calibration: one more (warm) call says how many calls make a sample of at least `min_time`.
    loops: dict[str, int] = {}
    wall: dict[str, list[float]] = {name: [] for name in queries}
    cpu: dict[str, list[float]] = {name: [] for name in queries}
    for name, text in queries.items():
        if once[name] > LONG_SECONDS:
            loops[name] = 0
            wall[name].append(once[name])
            cpu[name].append(once_cpu[name])
            continue
        begin = time.perf_counter()
        consume(text)
        warm = max(time.perf_counter() - begin, 1e-7)
        loops[name] = max(1, min(100_000, round(min_time / warm + 0.5)))
    # Samples go round the whole query set, so that a burst of noise on the machine costs each query at
    # most one sample of this process, which the median drops.
    clock, cpu_clock = time.perf_counter, time.process_time
    for _ in range(repeats):
        for name, text in queries.items():
            count = loops[name]
            if not count:
                continue
            begin, begin_cpu = clock(), cpu_clock()
            for _ in range(count):
                consume(text)
            elapsed, elapsed_cpu = clock() - begin, cpu_clock() - begin_cpu
            wall[name].append(elapsed / count)
            cpu[name].append(elapsed_cpu / count)
    return {"load_seconds": load_seconds, "load_cpu": load_cpu, "answers": answers, "rows": rows,
            "loops": loops, "wall": wall, "cpu": cpu}


def measure(engine: str, data: Path, repeats: int, min_time: float, named: bool) -> dict:
    """Run one engine in a fresh process; its figures plus its peak memory (ru_maxrss, via wait4)."""
    with tempfile.TemporaryDirectory(prefix=f"micgraph-bench-{engine}-") as work:
        process = subprocess.Popen([sys.executable, __file__, "--child", engine, "--data", str(data), "--work", work,
                                    "--repeats", str(repeats), "--min-time", str(min_time),
                                    *(["--named"] if named else [])],
                                   stdout=subprocess.PIPE)
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{engine} failed on {data} (exit {process.returncode})")
        figures = json.loads(output)
        figures["peak_mb"] = usage.ru_maxrss / 1024
        if engine == "micgraph-store":
            figures["disk_mb"] = sum(f.stat().st_size for f in Path(work).rglob("*") if f.is_file()) / 1e6
        return figures


# --- statistics ------------------------------------------------------------------------------------

def spread(values: list[float]) -> dict:
    """Median, median absolute deviation, min and max of one engine's per-process values."""
    middle = statistics.median(values)
    return {"median": middle, "mad": statistics.median(abs(v - middle) for v in values),
            "min": min(values), "max": max(values), "n": len(values)}


# Student's t at 97.5 % for the degrees of freedom (the next lower entry for those in between).
T975 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26, 10: 2.23, 12: 2.18,
        15: 2.13, 20: 2.09, 30: 2.04, 60: 2.00}


def relative_error(values: list[float]) -> float:
    """The standard error of the median of `values`, relative to it, from their MAD: sigma ~ 1.4826 MAD
    (robust: one odd process out of five moves neither the median nor this), SE(median) ~ 1.2533 sigma/sqrt(n)."""
    s = spread(values)
    return 1.4826 * 1.2533 * s["mad"] / s["median"] / len(values) ** 0.5 if s["median"] else 0.0


def ratio_interval(ours: list[float], theirs: list[float]) -> tuple[float, float, float]:
    """The ratio of the medians and its CONFIDENCE (95 %) interval, from both engines' spreads over their
    processes: exp(+-t * sqrt(e1^2 + e2^2)) around the ratio, e = each median's relative standard error and
    t Student's for n1 + n2 - 2 degrees of freedom."""
    point = statistics.median(ours) / statistics.median(theirs)
    freedom = len(ours) + len(theirs) - 2
    if freedom < 1:
        return point, point, point
    t = T975[max(k for k in T975 if k <= freedom)]
    width = math.exp(t * math.hypot(relative_error(ours), relative_error(theirs)))
    return point, point / width, point * width


def verdict(low: float, high: float, mark: float) -> str:
    if low > mark:
        return "above"
    if high < mark:
        return "below"
    return "within noise"


def measure_rounds(engines: list[str], data: Path, repeats: int, rounds: int, min_time: float, named: bool,
                   order_rng: random.Random, log) -> tuple[dict[str, dict], list[list[str]]]:
    """Every engine `rounds` times, in an order shuffled anew every round; rdflib, the slow reference, in
    the first round only. Answers are checked across engines after the first round, before the rest.
    Returns each engine's per-process values (one list entry per process) and the orders run."""
    runs: dict[str, list[dict]] = {engine: [] for engine in engines}
    orders = []
    for index in range(rounds):
        order = [e for e in engines if e != "rdflib" or index == 0]
        order_rng.shuffle(order)
        orders.append(order)
        log(f"  round {index + 1}/{rounds}: {' '.join(order)}")
        for engine in order:
            runs[engine].append(measure(engine, data, repeats, min_time, named))
        if index == 0 and "pyox-mem" in runs:
            problems, _ = check_answers({e: f[0] for e, f in runs.items()})
            if problems:
                raise SystemExit("different answers, stopped before timing any further:\n" + "\n".join(problems))
    results = {}
    for engine, figures in runs.items():
        first = figures[0]
        for other in figures[1:]:
            assert other["answers"] == first["answers"], f"{engine} answers differently from one run to the next"
        names = list(first["wall"])
        per_process = {
            kind: {name: [statistics.median(f[kind][name]) for f in figures] for name in names}
            for kind in ("wall", "cpu")
        }
        for kind in ("wall", "cpu"):
            per_process[kind]["total"] = [sum(statistics.median(f[kind][name]) for name in names) for f in figures]
        # rdflib runs once: its spread is that of its samples within the one process.
        if len(figures) == 1:
            for kind in ("wall", "cpu"):
                for name in names:
                    per_process[kind][name] = list(first[kind][name])
        results[engine] = {
            "answers": first["answers"], "rows": first["rows"], "names": names, "processes": len(figures),
            "wall": per_process["wall"], "cpu": per_process["cpu"],
            "load_seconds": [f["load_seconds"] for f in figures], "load_cpu": [f["load_cpu"] for f in figures],
            "peak_mb": [f["peak_mb"] for f in figures],
            "loops": {name: [f["loops"][name] for f in figures] for name in names},
            **({"disk_mb": first["disk_mb"]} if "disk_mb" in first else {}),
        }
    return results, orders


# --- the table ---------------------------------------------------------------------------------------

def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}" if seconds < 10 else f"{seconds * 1000:.0f}"


def fmt_spread(values: list[float], scale: str = "ms") -> str:
    s = spread(values)
    middle = fmt_ms(s["median"]) if scale == "ms" else (f"{s['median']:.2f}" if scale == "s" else f"{s['median']:.0f}")
    relative = s["mad"] / s["median"] * 100 if s["median"] else 0.0
    return f"{middle} ±{relative:.0f}%"


def fmt_ratio(point: float, low: float, high: float) -> str:
    return f"{point:.2f} [{low:.2f}-{high:.2f}]"


def report(size_label: str, triples: int, results: dict[str, dict], markdown: bool) -> tuple[list[str], list[dict]]:
    """Two tables (wall time, CPU time) and the verdicts; returns the lines and every micgraph ratio."""
    engines = [e for e in ENGINES if e in results]
    pairs = [(ours, theirs) for ours, theirs in PAIRS if ours in results and theirs in results]
    names = results[engines[0]]["names"]
    processes = ", ".join(f"{e} {results[e]['processes']}" for e in engines)
    lines = [f"## {size_label}: {triples:,} triples", "",
             f"processes per engine: {processes}; cells: median over processes ±MAD (% of the median); "
             f"ratios: ratio of medians [{CONFIDENCE:.0%} interval from both engines' spreads]", ""]
    judged: list[dict] = []
    goal = GOALS["time"]
    for kind, title in (("wall", "wall time per call"), ("cpu", "CPU time per call (process_time)")):
        header = ["query", *[f"{e} ms" for e in engines]]
        for ours, _ in pairs:
            header += [SHORT[ours], f"vs {goal:g}", "vs 1"]
        if "rdflib" in results and "micgraph-store" in results:
            header.append("rdflib/store")
        table = [header]
        for name in [*names, "total"]:
            row = ["total (all queries)" if name == "total" else name,
                   *[fmt_spread(results[e][kind][name]) for e in engines]]
            for ours, theirs in pairs:
                point, low, high = ratio_interval(results[ours][kind][name], results[theirs][kind][name])
                row += [fmt_ratio(point, low, high), verdict(low, high, goal), verdict(low, high, 1.0)]
                judged.append({"size": size_label, "kind": kind, "query": name, "pair": SHORT[ours],
                               "ratio": point, "low": low, "high": high,
                               "goal": verdict(low, high, goal), "parity": verdict(low, high, 1.0)})
            if "rdflib" in results and "micgraph-store" in results:
                row.append(f"{statistics.median(results['rdflib'][kind][name]) / statistics.median(results['micgraph-store'][kind][name]):.0f}x")
            table.append(row)
        if kind == "wall":
            for label, key, scale, mark, invert in (("load s", "load_seconds", "s", GOALS["load"], True),
                                                   ("load CPU s", "load_cpu", "s", GOALS["load"], True),
                                                   ("peak MB", "peak_mb", "MB", GOALS["memory"], False)):
                row = [label, *[fmt_spread(results[e][key], scale) for e in engines]]
                for ours, theirs in pairs:
                    a, b = results[ours][key], results[theirs][key]
                    point, low, high = ratio_interval(b, a) if invert else ratio_interval(a, b)
                    row += [fmt_ratio(point, low, high) + (" thr" if invert else ""),
                            verdict(low, high, mark) + f" {mark:g}", verdict(low, high, 1.0)]
                if "rdflib" in results and "micgraph-store" in results:
                    row.append("")
                table.append(row)
        lines += [f"### {title}", ""]
        lines += _render(table, markdown)
        lines.append("")
    lines.append(f"mem/pyox = micgraph-mem / pyox-mem and store/pyox = micgraph-store / pyox-disk (time; lower is "
                 f"better); `vs {goal:g}` judges the ratio against the goal (micgraph within {goal:g}x of its engine), "
                 f"`vs 1` against parity: below / above when the whole interval is, within noise when it holds the "
                 f"mark. On the load rows the same pairs as throughput (higher is better; goal at least "
                 f"{GOALS['load']:g}x); peak memory goal within {GOALS['memory']:g}x. rdflib/store = how many times "
                 f"faster micgraph-store is than rdflib (rdflib runs in one process: its ± is over its samples).")
    return lines, judged


def _of(word: str) -> str:
    return "within noise of" if word == "within noise" else word


def summary(judged: list[dict]) -> list[str]:
    """The totals' verdicts and the queries judged above the goal, on wall time (CPU time beside)."""
    goal = GOALS["time"]
    lines = []
    for row in judged:
        if row["query"] == "total":
            lines.append(f"{row['size']} total {row['pair']} ({row['kind']}): {fmt_ratio(row['ratio'], row['low'], row['high'])}"
                         f" -> {_of(row['goal'])} the {goal:g} goal, {_of(row['parity'])} 1.0")
    wall = [r for r in judged if r["kind"] == "wall" and r["query"] != "total"]

    def listed(rows: list[dict], most: int = 8) -> str:
        rows = sorted(rows, key=lambda r: -r["ratio"])
        text = ", ".join(f"{r['size']} {r['query']} {r['pair']} {fmt_ratio(r['ratio'], r['low'], r['high'])}"
                         for r in rows[:most])
        return f"{len(rows)}" + (f" ({text}{', ...' if len(rows) > most else ''})" if rows else "")

    lines.append(f"queries (wall) above the {goal:g} goal beyond noise: "
                 f"{listed([r for r in wall if r['goal'] == 'above'])} of {len(wall)}")
    lines.append(f"queries (wall) within noise of the {goal:g} goal: "
                 f"{listed([r for r in wall if r['goal'] == 'within noise'])}")
    lines.append(f"queries (wall) within noise of 1.0: {sum(r['parity'] == 'within noise' for r in wall)} of "
                 f"{len(wall)}; above 1.0: {sum(r['parity'] == 'above' for r in wall)}; below 1.0: "
                 f"{sum(r['parity'] == 'below' for r in wall)}")
    if wall:
        worst = max(wall, key=lambda r: r["ratio"])
        lines.append(f"worst micgraph/pyoxigraph ratio: {worst['ratio']:.2f} ({worst['size']} {worst['query']} "
                     f"{worst['pair']}, [{worst['low']:.2f}-{worst['high']:.2f}]: {_of(worst['goal'])} the {goal:g} goal)")
    return lines


def _render(table: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        out = ["| " + " | ".join(table[0]) + " |", "|" + "|".join("---" for _ in table[0]) + "|"]
        return out + ["| " + " | ".join(row) + " |" for row in table[1:]]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
            for row in table]


# rdflib's wrong answers on the generated graph (Oxigraph's are the SPARQL 1.1 ones); their timings are
# kept in the table but the answers are not compared. Every other difference stops the run.
RDFLIB_DEVIATIONS = {
    "named:institutes-by-sponsor": "rdflib makes one group of a GROUP BY subquery over no solutions, where "
                                   "SPARQL 1.1 (18.5, Group) makes none: the generated graph has no "
                                   "Manufacturing USA institute, and rdflib's phantom group joins every label",
}


def check_answers(results: dict[str, dict]) -> tuple[list[str], list[str]]:
    """(problems, notes): answers that differ from pyox-mem's, and the known rdflib deviations seen."""
    problems, notes = [], []
    reference = results["pyox-mem"]
    for engine, figures in results.items():
        for name, answer in figures["answers"].items():
            if answer == reference["answers"][name]:
                continue
            difference = f"{name}: {engine} gives {figures['rows'][name]} rows, pyox-mem {reference['rows'][name]}"
            if engine == "rdflib" and name in RDFLIB_DEVIATIONS:
                notes.append(f"{difference} (known: {RDFLIB_DEVIATIONS[name]})")
            else:
                problems.append(f"{difference} (different answers)")
    return problems, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, help="triples (default 10k 100k 1M; 10k 100k with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="10k and 100k triples (unless --sizes), 5 rounds x 3 samples of at least 20 ms")
    parser.add_argument("--repeats", type=int, help="samples per query in each process (default 3)")
    parser.add_argument("--rounds", type=int, help="fresh processes per engine, in shuffled order (default 5)")
    parser.add_argument("--min-time", type=float,
                        help=f"seconds a sample lasts at least (calibrated loop; default {MIN_TIME}, 0.02 with --quick)")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--seed", type=int, default=42, help="the generated graph's seed (and the order's)")
    parser.add_argument("--order-seed", type=int, help="seed of the engines' order in each round (default --seed)")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--named", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    repeats = args.repeats or 3
    min_time = args.min_time if args.min_time is not None else (0.02 if args.quick else MIN_TIME)
    if args.child:
        print(json.dumps(child(args.child, args.data, args.work, repeats, min_time, args.named)))
        return 0
    sizes = args.sizes or ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    rounds = args.rounds or 5
    order_seed = args.seed if args.order_seed is None else args.order_seed
    order_rng = random.Random(order_seed)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    started = time.perf_counter()
    judged: list[dict] = []
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; graph seed {args.seed}, order seed {order_seed}; "
          f"{rounds} processes per engine (rdflib 1) x {repeats} samples per query, each >= {min_time * 1000:g} ms",
          flush=True)
    for size in sizes:
        data = out / f"graph-{size}-seed{args.seed}.nt"
        if not data.exists():
            generate.write(data, size, args.seed)
        with open(data, "rb") as lines_of:
            triples = sum(1 for _ in lines_of)
        label = f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}M"
        print(f"\n{label}: order of the processes", flush=True)
        results, orders = measure_rounds(args.engines, data, repeats, rounds, min_time, size <= NAMED_MAX_TRIPLES,
                                    order_rng, lambda line: print(line, flush=True))
        problems, notes = check_answers(results) if "pyox-mem" in results else ([], [])
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        with open(out / f"run-{label}.json", "w") as raw:
            json.dump({"orders": orders, "results": results}, raw)
        lines, size_judged = report(label, triples, results, args.markdown)
        judged += size_judged
        if "micgraph-store" in results:
            lines.append(f"micgraph-store on disk: {results['micgraph-store']['disk_mb']:.0f} MB")
        lines += [f"note: {note}" for note in notes]
        print("\n" + "\n".join(lines), flush=True)
    print(f"\nall engines gave the same answers (but the notes' known rdflib deviations); "
          f"{time.perf_counter() - started:.0f} s in all; load average now "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n".join(summary(judged)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
