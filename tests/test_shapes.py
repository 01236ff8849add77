"""The SHACL shapes: the bundled data conforms, and every shape rejects its broken fixture.

Each file in tests/fixtures/shapes/ is validated alone, together with the ontology (as `validate` always
does), against all bundled shapes. Its first lines say what must happen::

    # expect: <a substring of the sh:message the fixture must trigger>
    # shape: micsh:<the NodeShape the message belongs to>
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from conftest import FIXTURES, read_rdflib
from micgraph import bundle, namespaces
from micgraph.validation import validate

SH = Namespace("http://www.w3.org/ns/shacl#")
MICSH = "https://w3id.org/micgraph/shapes#"
SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*.ttl"))
HEADER = re.compile(r"^#\s*(expect|shape):\s*(.+?)\s*$")


def header(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:5]:
        match = HEADER.match(line)
        if match:
            out[match.group(1)] = match.group(2)
    return out


def shape_iri(text: str) -> URIRef:
    return URIRef(MICSH + text.removeprefix("micsh:")) if text.startswith("micsh:") else URIRef(text.strip("<>"))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return read_rdflib(bundle.shapes_paths())


def node_shapes(shapes: Graph) -> set[URIRef]:
    return {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}


def messages_of(shapes: Graph, shape: URIRef) -> list[str]:
    """The sh:messages of a node shape, of its property shapes and of its SPARQL constraints."""
    parts = [shape, *shapes.objects(shape, SH.property), *shapes.objects(shape, SH.sparql)]
    return [str(m) for part in parts for m in shapes.objects(part, SH.message)]


# --- the bundled data -----------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("infer", ["none", "rdfs"])
def test_bundled_data_conforms(infer):
    report = validate(infer=infer)
    assert report.conforms, "\n".join(f"{r.focus_node} {r.path}: {r.message}" for r in report.results[:20])


@pytest.mark.thorough  # pySHACL with RDFS inference on the whole graph: a minute
def test_bundled_data_conforms_under_pyshacl_rdfs_inference(shapes):
    """pySHACL's own RDFS inference over ontology + data gives the same verdict."""
    import pyshacl

    data = read_rdflib(bundle.graph_paths())
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="rdfs", advanced=True)
    assert conforms, text[:3000]


# --- broken fixtures ------------------------------------------------------------------------

def test_there_are_shape_fixtures():
    assert len(SHAPE_FIXTURES) >= 40


@pytest.mark.parametrize("path", SHAPE_FIXTURES, ids=lambda p: p.stem)
@pytest.mark.parametrize("infer", ["none", pytest.param("rdfs", marks=pytest.mark.slow)])  # RDFS closure each time
def test_fixture_is_rejected_with_its_message(path, infer):
    expected = header(path)["expect"]
    report = validate(data=[path], infer=infer)
    assert not report.conforms
    messages = [r.message for r in report.results]
    assert any(expected in m for m in messages), f"{expected!r} not in {messages}"


@pytest.mark.parametrize("path", SHAPE_FIXTURES, ids=lambda p: p.stem)
def test_fixture_names_the_shape_that_owns_its_message(path, shapes):
    head = header(path)
    assert {"expect", "shape"} <= head.keys(), f"{path.name}: needs '# expect:' and '# shape:' header lines"
    shape = shape_iri(head["shape"])
    assert shape in node_shapes(shapes), f"{path.name}: {shape} is not a NodeShape in shapes/"
    assert any(head["expect"] in m for m in messages_of(shapes, shape)), \
        f"{path.name}: no sh:message of {shape} contains {head['expect']!r}"


def test_every_node_shape_has_a_fixture(shapes):
    covered = {shape_iri(header(p)["shape"]) for p in SHAPE_FIXTURES if "shape" in header(p)}
    missing = sorted(str(s) for s in node_shapes(shapes) - covered)
    assert missing == [], f"shapes without a broken fixture in tests/fixtures/shapes/: {missing}"


# --- the shapes themselves ------------------------------------------------------------------

def test_one_node_shape_per_class_used_in_the_data(shapes):
    data = read_rdflib(bundle.data_paths())
    targeted = set(shapes.objects(None, SH.targetClass))
    used = {c for c in data.objects(None, RDF.type) if str(c).startswith(namespaces.MIC)}
    assert sorted(str(c) for c in used - targeted) == []


def test_every_constraint_has_a_message(shapes):
    property_shapes = set(shapes.objects(None, SH.property))
    sparql = set(shapes.objects(None, SH.sparql))
    silent = sorted(str(s) for s in property_shapes | sparql if (s, SH.message, None) not in shapes)
    assert silent == []
    assert len(sparql) >= 2  # at least two SPARQL-based constraints


def test_cross_resource_constraints_guard_the_bundled_data(tmp_path):
    """Add to the real data an 18th Manufacturing USA institute and a centre older than its programme."""
    extra = tmp_path / "extra.ttl"
    extra.write_text(f"""
        @prefix mic: <{namespaces.MIC}> . @prefix micr: <{namespaces.MICR}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        micr:us-inst-extra a mic:InnovationCenter ; mic:program micr:program-manufacturing-usa .
        micr:us-inst-lift mic:foundingDate "2011" .
    """)
    report = validate(data=[*bundle.data_paths(), extra])
    by_focus = {(r.focus_node, r.message) for r in report.results}
    assert any(f == "micr:program-manufacturing-usa" and "lists 18 centres" in m and "the total 17" in m
               for f, m in by_focus)
    assert any(f == "micr:us-inst-lift" and "before its programme" in m for f, m in by_focus)
