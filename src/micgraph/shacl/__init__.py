"""micgraph's SHACL engine: SHACL Core and SHACL-SPARQL evaluated by Oxigraph, set at a time.

    shapes.py        the shapes graph read into typed shapes, paths and constraints (well-formedness checked)
    compile.py       constraints as SPARQL conditions and patterns
    sparql_based.py  SPARQL-based constraints and components: restrictions, pre-binding, query rewriting
    engine.py        the queries run per shape over all its focus nodes; the violations collected
    report.py        the report as quads in the SHACL vocabulary and as display rows

`validation.validate(..., engine="oxigraph")` (the default) runs it; pySHACL stays available as the
reference (`engine="pyshacl"`). The data is never copied: every query runs on the store itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass
class Outcome:
    conforms: bool
    rows: list[dict]  # validation.ValidationResult's fields, as display strings
    quads: list[ox.Quad]  # the report graph


def validate_store(store, shapes: ox.Store) -> Outcome:
    """Validate the store's triples (all its graphs merged) against the shapes graph."""
    from . import report
    from .engine import Engine

    data = getattr(store, "oxigraph", None)
    in_memory = getattr(store, "path", None) is None
    if data is None:  # a store that is not Oxigraph's: its quads in a store of our own
        data = ox.Store()
        data.extend(store.quads())
    engine = Engine(data, shapes, in_memory=in_memory)
    violations = engine.run()
    rows = report.rows(violations, engine.graph, engine.reader.shapes)
    order = sorted(range(len(violations)), key=lambda i: tuple(str(v) for v in rows[i].values()))
    violations = [violations[i] for i in order]
    rows = report.rows(report.flatten(violations), engine.graph, engine.reader.shapes)
    return Outcome(not violations, rows, report.quads(not violations, violations, engine.graph))
