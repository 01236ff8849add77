"""micgraph: the knowledge graph of manufacturing-innovation networks (NIST AMS 600-17) and its tools.

The public API, usable without the CLI::

    import micgraph
    graph = micgraph.open_graph()                      # bundled ontology + data, in memory
    result = micgraph.run_query(graph, name="centers-per-program")
    report = micgraph.validate(["my-data.ttl"])
    micgraph.export_rdf(graph, "turtle")
    micgraph.chart("china-advanced-manufacturing-share")   # an altair chart (extra: chart)

In Jupyter, `%load_ext micgraph` adds the `%%sparql` cell magic (see micgraph.notebook).

Names are imported on first use so that `import micgraph` (and `micgraph --help`) stays fast.
"""

from __future__ import annotations

import importlib

from .constants import VERSION as __version__  # noqa: F401  (the package version, as tools read it)

_API = {
    "open_graph": "graph",
    "open_store": "stores",
    "run_query": "query",
    "validate": "validation",
    "check_consistency": "reason",
    "materialise": "reason",
    "export_rdf": "export",
    "compute_stats": "stats",
    "named_queries": "bundle",
    "chart": "charts",
}

__all__ = sorted(_API)  # noqa: PLE0605 - the lazy table above is the one list of public names


def load_ipython_extension(ipython) -> None:
    """`%load_ext micgraph`: the `%%sparql` magic (IPython is imported only now)."""
    from .notebook import load_ipython_extension as load

    load(ipython)


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'micgraph' has no attribute {name!r}")
