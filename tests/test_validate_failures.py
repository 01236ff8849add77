"""Shapes pySHACL cannot run are a ShapesError (one line, exit 2), never a crash.

pySHACL signals three ways: it raises for shapes it cannot load, raises NotImplementedError for
features it lacks, and *returns* a ValidationFailure (a SHACL "failure") instead of a report graph.
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
BAD_SHAPES = {
    # a SPARQL-based constraint may not pre-bind $this with VALUES: pySHACL returns a ValidationFailure
    "failure": ('ex:S a sh:NodeShape ; sh:targetClass ex:Center ;\n'
                '  sh:sparql [ sh:select "SELECT $this WHERE { VALUES $this { ex:x } }" ] .',
                "SHACL validation failed: A SPARQL Constraint must not contain a VALUES clause"),
    # sh:minCount must be an integer: pySHACL raises ConstraintLoadError
    "ill-formed": ('ex:S a sh:NodeShape ; sh:targetClass ex:Center ;\n'
                   '  sh:property [ sh:path ex:program ; sh:minCount "many" ] .',
                   "the shapes cannot be used: MinCountConstraintComponent sh:minCount must be"),
    # $shapesGraph: pySHACL raises NotImplementedError
    "unsupported": ('ex:S a sh:NodeShape ; sh:targetClass ex:Center ;\n'
                    '  sh:sparql [ sh:select "SELECT $this WHERE { GRAPH $shapesGraph { $this ?p ?o } }" ] .',
                    "the shapes use a feature pySHACL does not implement"),
}


@pytest.mark.parametrize("case", sorted(BAD_SHAPES))
def test_shapes_pyshacl_cannot_run_raise_shapes_error(case, tmp_path):
    text, message = BAD_SHAPES[case]
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(PREFIXES + text)
    store = OxigraphStore()
    store.load(TINY)
    with pytest.raises(ShapesError) as error:
        validate_store(store, load_files([shapes]))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_cli_reports_a_shacl_failure_in_one_line_with_exit_2(cli, tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(PREFIXES + BAD_SHAPES["failure"][0])
    result = cli("validate", "--no-bundled", "--data", str(TINY), "--shapes", str(shapes), expect=2)
    assert result.stderr.startswith("error: SHACL validation failed: A SPARQL Constraint must not contain")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
