"""micgraph's pySHACL path gives exactly plain pySHACL's report.

The pySHACL path (validate_store(..., engine="pyshacl")) hands pySHACL only the triples the shapes can
read and lets it validate in place; the reference is plain pySHACL on the whole graph with its defensive
copy. Both see the same terms (converted from the same stores), so reports compare result by result, blank node
labels included. Checked on every test of the W3C SHACL suite, on the benchmark's shapes and graph,
and on the bundled shapes and data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from micgraph import bundle
from micgraph.errors import ShapesError
from micgraph.loading import load_files
from micgraph.stores import OxigraphStore
from micgraph.terms import to_rdflib_graph
from micgraph.validation import _results, narrowed_quads, shape_predicates, validate_store

from w3c.manifests import shacl_tests, suites_root

# pySHACL twice over (micgraph's path and plain) on the W3C suite and a large graph
pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[1] / "bench"
NARROW_SHAPES = Path(__file__).resolve().parent / "fixtures" / "core" / "narrow-shapes.ttl"


def plain_pyshacl(store: OxigraphStore, shapes: ox.Store):
    """pySHACL as it comes: the whole graph, its own copy of it; (conforms, results) or the exception."""
    import pyshacl
    from pyshacl.errors import ValidationFailure

    try:
        shapes_graph = to_rdflib_graph(iter(shapes))
        conforms, report, _ = pyshacl.validate(to_rdflib_graph(store.quads()), shacl_graph=shapes_graph,
                                               inference="none", abort_on_first=False, allow_infos=False,
                                               allow_warnings=False, advanced=True)
    except Exception as exc:  # noqa: BLE001 - the fast path must fail on the same shapes
        return exc
    if isinstance(report, ValidationFailure):
        return report
    return bool(conforms), _results(report, shapes_graph)


def fast(store: OxigraphStore, shapes: ox.Store):
    try:
        report = validate_store(store, shapes, "pyshacl")
    except Exception as exc:  # noqa: BLE001 - compared with plain pySHACL's own failure
        return exc
    return report.conforms, report.results


def assert_same(store: OxigraphStore, shapes: ox.Store) -> None:
    expected, got = plain_pyshacl(store, shapes), fast(store, shapes)
    if isinstance(expected, tuple):
        assert got == expected
    else:  # shapes pySHACL cannot run: the fast path fails on them too (as ShapesError where micgraph knows them)
        assert isinstance(got, (ShapesError, type(expected))), f"plain pySHACL failed ({expected!r}), got {got!r}"
        if not isinstance(got, ShapesError):
            assert str(got) == str(expected)


def _w3c_params():
    root = suites_root()
    if root is None:
        return [pytest.param(None, id="suite-missing")]
    return [pytest.param(test, id=test.id) for test in shacl_tests(root) if not test.expects_failure]


@pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")
@pytest.mark.parametrize("test", _w3c_params())
def test_w3c_shacl_suite_reports_equal_plain_pyshacl(test):
    if test is None:
        from w3c.manifests import suites_missing

        suites_missing()
    store = OxigraphStore()
    store.load(test.data)
    assert_same(store, load_files([test.shapes]))


def test_benchmark_graph_reports_equal_plain_pyshacl(tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        import generate
    finally:
        sys.path.remove(str(BENCH))
    data = tmp_path / "graph.nt"
    generate.write(data, 10_000, seed=7)
    store = OxigraphStore()
    store.load(data)
    shapes = load_files([NARROW_SHAPES])
    narrowed = sum(1 for _ in narrowed_quads(store, shape_predicates(shapes)))
    assert narrowed < len(store)  # the shapes read part of the graph: the narrowing is exercised
    expected = plain_pyshacl(store, shapes)
    assert isinstance(expected, tuple) and not expected[0]
    assert "MaxExclusiveConstraintComponent" in {r.constraint for r in expected[1]}
    assert fast(store, shapes) == expected


def test_shapes_that_can_read_anything_get_the_whole_graph():
    closed = ox.Store()
    closed.load(b"@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:s> a sh:NodeShape ; sh:closed true ; "
                b"sh:targetClass <urn:C> .", ox.RdfFormat.TURTLE)
    assert shape_predicates(closed) is None
    paths = ox.Store()
    paths.load(b"@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:s> a sh:NodeShape ; sh:targetSubjectsOf <urn:t> ; "
               b"sh:property [ sh:path ( <urn:a> [ sh:inversePath <urn:b> ] [ sh:zeroOrMorePath <urn:c> ] ) ] ; "
               b"sh:property [ sh:path [ sh:alternativePath ( <urn:d> <urn:e> ) ] ; sh:lessThan <urn:f> ] .",
               ox.RdfFormat.TURTLE)
    names = {p.removeprefix("urn:") for p in shape_predicates(paths) if p.startswith("urn:")}
    assert names == set("abcdeft")


@pytest.mark.thorough  # plain pySHACL parses each SPARQL constraint per focus node: a minute on the bundled graph
def test_bundled_shapes_report_equals_plain_pyshacl():
    if not bundle.shapes_paths() or not bundle.ontology_path().exists():
        pytest.skip("the bundled graph has no shapes yet")
    store = OxigraphStore()
    for path in bundle.graph_paths():
        store.load(path)
    assert_same(store, load_files(bundle.shapes_paths()))
