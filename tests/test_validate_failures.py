"""Shapes an engine cannot run are a ShapesError (one line, exit 2), never a crash.

pySHACL signals three ways: it raises for shapes it cannot load, raises NotImplementedError for
features it lacks, and *returns* a ValidationFailure (a SHACL "failure") instead of a report graph.
micgraph's own engine (oxigraph) checks the shapes graph and the SPARQL queries in it before it runs
anything, and refuses what SHACL says a processor must refuse.
"""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from micgraph.errors import ShapesError
from micgraph.loading import load_files
from micgraph.stores import OxigraphStore
from micgraph.validation import validate_store

TINY = FIXTURES / "core" / "tiny.ttl"
PREFIXES = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/ns#> .\n"
# case -> (shapes, {engine: what the one-line error says}); an engine missing from the dict runs the shapes.
BAD_SHAPES = {
    # a SPARQL-based constraint may not pre-bind $this with VALUES (a SHACL "failure")
    "values": (('ex:S a sh:NodeShape ; sh:targetClass ex:Center ;\n'
               '  sh:sparql [ sh:select "SELECT $this WHERE { VALUES $this { ex:x } }" ] .'),
               {"pyshacl": "SHACL validation failed: A SPARQL Constraint must not contain a VALUES clause",
                "oxigraph": "shape <http://example.org/ns#S>: sh:sparql: SPARQL query refused: a SHACL query must not "
                            "use VALUES"}),
    # SERVICE: micgraph's query path never calls an endpoint from a shape
    "service": (('ex:S a sh:NodeShape ; sh:targetClass ex:Center ;\n'
                '  sh:sparql [ sh:select "SELECT $this WHERE { SERVICE <http://example.org/sparql> { $this ?p ?o } }" ] .'),
                {"pyshacl": "the sh:select of http://example.org/ns#S uses SERVICE: micgraph runs the shapes' SPARQL on "
                            "the data graph only",
                 "oxigraph": "shape <http://example.org/ns#S>: sh:sparql: SPARQL query refused: it calls SERVICE"}),
    # sh:minCount must be an integer
    "ill-formed": (('ex:S a sh:NodeShape ; sh:targetClass ex:Center ;\n'
                   '  sh:property [ sh:path ex:program ; sh:minCount "many" ] .'),
                   {"pyshacl": "the shapes cannot be used: MinCountConstraintComponent sh:minCount must be",
                    "oxigraph": "shape <http://example.org/ns#S>'s sh:property [sh:path <http://example.org/ns#program>]: "
                                'sh:minCount must be an integer literal, not "many"'}),
    # $shapesGraph: pySHACL does not implement it; micgraph's engine does (for an in-memory graph)
    "shapes-graph": (('ex:S a sh:NodeShape ; sh:targetClass ex:Center ;\n'
                     '  sh:sparql [ sh:select "SELECT $this WHERE { GRAPH $shapesGraph { $this ?p ?o } }" ] .'),
                     {"pyshacl": "the shapes use a feature pySHACL does not implement"}),
    # SHACL Advanced Features: pySHACL runs them, micgraph's engine refuses them rather than skip them
    "advanced": (('ex:S a sh:NodeShape ; sh:targetClass ex:Center ;\n'
                 '  sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate ex:p ; sh:object ex:o ] .'),
                 {"oxigraph": "the shapes use sh:rule (SHACL Advanced Features), which the oxigraph engine does not "
                              "run; validate with --engine pyshacl"}),
    # a regular expression Oxigraph cannot read
    "pattern": (('ex:S a sh:NodeShape ; sh:targetClass ex:Center ;\n'
                '  sh:property [ sh:path ex:name ; sh:pattern "(" ] .'),
                {"pyshacl": "a sh:pattern of the shapes is not a regular expression: missing ), unterminated subpattern",
                 "oxigraph": "sh:pattern '(' with sh:flags '' is not a valid regular expression"}),
}


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
@pytest.mark.parametrize("case", sorted(BAD_SHAPES))
def test_shapes_an_engine_cannot_run_raise_shapes_error(case, engine, tmp_path):
    text, messages = BAD_SHAPES[case]
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(PREFIXES + text)
    store = OxigraphStore()
    store.load(TINY)
    if engine not in messages:
        validate_store(store, load_files([shapes]), engine)
        return
    with pytest.raises(ShapesError) as error:
        validate_store(store, load_files([shapes]), engine)
    assert messages[engine] in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_cli_reports_a_shacl_failure_in_one_line_with_exit_2(cli, tmp_path, engine):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(PREFIXES + BAD_SHAPES["values"][0])
    result = cli("validate", "--no-bundled", "--data", str(TINY), "--shapes", str(shapes), "--engine", engine,
                 expect=2)
    assert result.stderr.startswith("error: " + BAD_SHAPES["values"][1][engine])
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
