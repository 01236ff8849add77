"""Visualisation benchmark: network exports against the libraries a researcher would otherwise use, and
the HTML explorer's layout in a real browser.

    python bench/viz.py [--copies 1,5,20] [--runs 5] [--browser] [--data FILE ...]

The graph is the bundled one (or --data files), its instance data copied k times under new IRIs
(`micr:x` -> `micr:c3/x`) to scale it. For each size, the median of --runs:
  graphml   micgraph: parse (pyoxigraph) + project + write GraphML with yEd graphics, in process
            vs rdflib + networkx doing the same job: parse (rdflib), build a MultiDiGraph with string node
            ids, labels and literal attributes, nx.write_graphml (the rdflib -> networkx path, made to work:
            rdflib_to_networkx_multidigraph keeps URIRef/Literal objects, which write_graphml refuses)
  render    `micgraph render` (two Graphviz passes, sfdp) vs one plain `sfdp -Tsvg` of the same DOT
With --browser (needs Debian chromium): time until the explorer page is laid out and ready, opening on
the programme view (its default) and on every node (?view=all), with the vendored fCoSE layout and, for
comparison up to 1000 nodes, with Cytoscape's built-in cose (the page's layout swapped).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from micgraph import bundle, namespaces
from micgraph.export.network import dot, graphml, project
from micgraph.namespaces import LABEL_PROPERTIES
from micgraph.loading import load_files

COSE_LIMIT = 1000  # Cytoscape's cose takes minutes beyond this


def median(job, runs: int) -> float:
    job()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scaled_graph(files: list[str], copies: int, folder: Path) -> Path:
    """The ontology once and the instance data `copies` times, as one N-Triples file."""
    ontology = {f for f in files if Path(f).parent.name == "ontology"}
    store = load_files([f for f in files if f not in ontology])
    target = folder / f"graph-{copies}.nt"

    def rename(term, k: int):
        if isinstance(term, ox.NamedNode) and term.value.startswith(namespaces.MICR):
            return ox.NamedNode(f"{namespaces.MICR}c{k}/{term.value[len(namespaces.MICR):]}")
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"c{k}{term.value}")
        return term

    triples = [ox.Triple(rename(q.subject, k), q.predicate, rename(q.object, k))
               for k in range(copies) for q in store]
    triples += [q.triple for q in load_files([f for f in files if f in ontology])]
    with open(target, "wb") as stream:
        ox.serialize(triples, stream, ox.RdfFormat.N_TRIPLES)
    return target


def micgraph_graphml(path: Path) -> bytes:
    return graphml.write(project(load_files([path])))


def rdflib_networkx_graphml(path: Path) -> bytes:
    import networkx as nx
    from rdflib import RDF, Graph, Literal

    graph = Graph().parse(path, format="nt")
    network = nx.MultiDiGraph()
    for s, p, o in graph:
        if isinstance(o, Literal):
            key = str(p) + (f"@{o.language}" if o.language else "")
            network.add_node(str(s))
            network.nodes[str(s)][key] = str(o)
            if str(p) in LABEL_PROPERTIES and o.language in (None, "en"):
                network.nodes[str(s)]["label"] = str(o)
        elif p == RDF.type:
            network.add_node(str(s), type=str(o))
        else:
            network.add_edge(str(s), str(o), key=str(p), property=str(p))
    out = io.BytesIO()
    nx.write_graphml(network, out)
    return out.getvalue()


def render_jobs(path: Path, folder: Path):
    micgraph = str(Path(sys.executable).parent / "micgraph")
    plain_dot = folder / "plain.dot"
    plain_dot.write_bytes(dot.write(project(load_files([path])), edge_labels=False))

    def ours():
        subprocess.run([micgraph, "render", "--view", "all", "--no-bundled", "--data", str(path), "--no-edge-labels", "-o",
                        str(folder / "ours.svg")], check=True, capture_output=True)

    def plain():
        subprocess.run(["sfdp", "-Tsvg", "-o", str(folder / "plain.svg"), str(plain_dot)], check=True, capture_output=True)

    return ours, plain


def page_ready_seconds(page: Path, profile: Path, runs: int, query: str = "") -> float:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from chromium import Chromium

    browser = Chromium(shutil.which("chromium"), profile)
    try:
        def load():
            browser.open(page.as_uri() + query, timeout=600)
            browser.wait_for("window.micgraph && window.micgraph.ready", timeout=600)
        return median(load, runs)
    finally:
        browser.close()


def with_cose(page: Path) -> Path:
    text = page.read_text("utf-8")
    marker = 'return {name: "fcose",'
    assert marker in text, "the explorer's layout call changed: update bench/viz.py"
    swapped = page.with_name(page.stem + "-cose.html")
    swapped.write_text(text.replace(marker, 'return {name: "cose",', 1), encoding="utf-8")
    return swapped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", default="1,5,20", help="sizes: how many copies of the instance data")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also time the explorer page in Chromium")
    parser.add_argument("--data", nargs="*", help="RDF files instead of the bundled graph")
    args = parser.parse_args()
    files = args.data or [str(p) for p in bundle.graph_paths()]
    print(f"visualisation benchmark (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; median of {args.runs})")
    with tempfile.TemporaryDirectory(prefix="micgraph-bench-viz-") as location:
        folder = Path(location)
        for copies in map(int, args.copies.split(",")):
            path = scaled_graph(files, copies, folder)
            projection = project(load_files([path]))
            size = f"x{copies}: {len(projection.nodes)} nodes, {len(projection.edges)} edges"
            ours = median(lambda: micgraph_graphml(path), args.runs)
            theirs = median(lambda: rdflib_networkx_graphml(path), args.runs)
            print(f"{size:<36} graphml  micgraph {ours * 1000:8.1f} ms   rdflib+networkx {theirs * 1000:8.1f} ms"
                  f"   rdflib+networkx/micgraph {theirs / ours:5.2f}x")
            if shutil.which("sfdp"):
                render_ours, render_plain = render_jobs(path, folder)
                ours = median(render_ours, args.runs)
                plain = median(render_plain, args.runs)
                print(f"{'':<36} render   micgraph {ours * 1000:8.1f} ms   plain sfdp {plain * 1000:8.1f} ms"
                      f"   micgraph/sfdp {ours / plain:5.2f}x")
            if args.browser and shutil.which("chromium"):
                page = folder / f"graph-{copies}.html"
                subprocess.run([str(Path(sys.executable).parent / "micgraph"), "export", "--no-bundled", "--data",
                                str(path), "-o", str(page)], check=True)
                runs = max(1, args.runs // 2)
                start = page_ready_seconds(page, folder / "profile", runs)
                fcose = page_ready_seconds(page, folder / "profile", runs, "?view=all")
                print(f"{'':<36} page     programme view {start:6.2f} s   every node {fcose:6.2f} s"
                      f"   every node/programme view {fcose / start:5.2f}x")
                if len(projection.nodes) > COSE_LIMIT:
                    print(f"{'':<36} page     (cose not timed above {COSE_LIMIT} nodes)")
                    continue
                cose = page_ready_seconds(with_cose(page), folder / "profile", 1, "?view=all")
                print(f"{'':<36} page     every node: fcose {fcose:6.2f} s   cose {cose:6.2f} s"
                      f"   cose/fcose {cose / fcose:5.2f}x")


if __name__ == "__main__":
    main()
