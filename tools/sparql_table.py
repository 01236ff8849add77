"""Rebuild micgraph's SPARQL parser table after an edit of src/micgraph/sparql/sparql11.lark.

    python tools/sparql_table.py

lark computes the LALR(1) table from the grammar; micgraph ships it precomputed (sparql11.lark.table), so
that a parse reads it in milliseconds and needs lark only to build it. tests/test_sparql_parser.py fails
while the shipped table is stale.
"""

from __future__ import annotations

from pathlib import Path

from micgraph.sparql import _parser

if __name__ == "__main__":
    target = Path(_parser.__file__).with_name(_parser.TABLE)
    _parser.write_table(target)
    print(f"wrote {target}")
