"""`micgraph validate`, `reason` and `stats` on small fixtures, through the CLI and the library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS

from conftest import FIXTURES, require_tool

CORE = FIXTURES / "core"
TINY, SHAPES = str(CORE / "tiny.ttl"), str(CORE / "shapes.ttl")
EX = Namespace("http://example.org/ns#")


# --- validate -------------------------------------------------------------------------------

def test_validate_exit_codes_and_inference(cli, tmp_path):
    # tiny.ttl never says that ex:mic is an ex:Program; only the range of ex:program entails it
    result = cli("validate", "--no-bundled", "--data", TINY, "--shapes", SHAPES, expect=1)
    assert "Violation: http://example.org/ns#battery" in result.stdout
    assert "A center needs its program" in result.stdout
    assert result.stdout.rstrip().endswith("does not conform: 2 violations")
    assert cli("validate", "--no-bundled", "--data", TINY, "--shapes", SHAPES, "--infer", "rdfs").stdout.strip() == "conforms"
    assert cli("validate", "--no-bundled", "--data", TINY, "--shapes", SHAPES, "--infer", "owlrl").stdout.strip() == "conforms"


def test_validate_reports_focus_path_value_message_severity(cli):
    result = cli("validate", "--no-bundled", "--data", TINY, "--data", str(CORE / "broken-center.ttl"), "--shapes", SHAPES, "--infer", "rdfs",
                 "--format", "json", expect=1)
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    [share] = [r for r in report["results"] if r["focus_node"] == str(EX.bad)]
    assert share == {"focus_node": str(EX.bad), "path": str(EX.share), "value": "120",
                     "message": "A share is a decimal percentage between 0 and 100.", "severity": "Violation",
                     "source_shape": share["source_shape"], "constraint": "MaxInclusiveConstraintComponent"}


def test_validate_turtle_report_parses(cli):
    out = cli("validate", "--no-bundled", "--data", TINY, "--shapes", SHAPES, "--format", "turtle", expect=1).stdout
    report = Graph().parse(data=out, format="turtle")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    assert len(set(report.subjects(predicate=sh.focusNode))) == 2


def test_validate_unreadable_input_exits_2(cli, tmp_path):
    result = cli("validate", "--no-bundled", "--data", str(CORE / "malformed.ttl"), "--shapes", SHAPES, expect=2)
    assert result.stderr.startswith("error: ") and "malformed.ttl:4:" in result.stderr
    result = cli("validate", "--no-bundled", "--data", TINY, "--shapes", str(tmp_path / "none.ttl"), expect=2)
    assert "none.ttl: no such file" in result.stderr


def test_native_rdfs_validation_equals_pyshacl_rdfs():
    """Our RDFS closure on Oxigraph + pySHACL(inference=none) gives pySHACL(inference=rdfs)'s report."""
    import pyshacl

    from micgraph.validation import validate

    ours = validate([TINY, str(CORE / "broken-center.ttl")], [SHAPES], infer="rdfs")
    data = Graph().parse(TINY).parse(CORE / "broken-center.ttl")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=Graph().parse(SHAPES), inference="rdfs")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    theirs = sorted((str(report.value(r, sh.focusNode)), str(report.value(r, sh.resultPath)),
                     str(report.value(r, sh.resultMessage))) for r in report.subjects(predicate=sh.focusNode))
    assert ours.conforms == conforms is False
    assert sorted((r.focus_node, r.path, r.message) for r in ours.results) == theirs


# --- reason ---------------------------------------------------------------------------------

def test_reason_writes_entailments_in_their_own_named_graph(cli):
    from rdflib import Dataset

    out = cli("reason", "--no-bundled", "--data", TINY, "--profile", "rdfs").stdout
    dataset = Dataset().parse(data=out, format="trig")
    inferred = dataset.graph(URIRef("https://w3id.org/micgraph/id/graph/inferred"))
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert (EX.battery, rdf_type, EX.Center) in inferred
    assert (EX.mic, rdf_type, EX.Program) in inferred
    assert (EX.battery, rdf_type, EX.ChineseCenter) not in inferred  # asserted, not entailed


def test_native_rdfs_agrees_with_owlrl_rdfs():
    """The native closure equals owlrl's RDFS semantics on the RDFS rules, minus trivial triples."""
    import owlrl
    import pyoxigraph as ox

    from micgraph.reason import INFERRED, _trivial, rdfs_closure
    from micgraph.graph import open_graph
    from micgraph.terms import to_rdflib

    store = open_graph([TINY], bundled=False)
    rdfs_closure(store)
    ours = {tuple(to_rdflib(t) for t in (q.subject, q.predicate, q.object))
            for q in store.quads() if q.graph_name == INFERRED}
    graph = Graph().parse(TINY)
    asserted = set(graph)
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    rdf, rdfs = Namespace(str(ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#").value)), \
        Namespace("http://www.w3.org/2000/01/rdf-schema#")
    # owlrl also types every class, property and datatype with its meta-class: RDFS axioms, not data
    meta = {rdfs.Class, rdfs.Datatype, rdf.Property, rdfs.Resource}
    theirs = {t for t in graph if t not in asserted and not _trivial(*t)
              and not (t[1] == rdf.type and t[2] in meta)}
    assert ours == theirs


@pytest.fixture
def java():
    return require_tool("java", "apt-get install default-jre-headless")


@pytest.fixture
def tiny_owl2(tmp_path) -> str:
    """TINY with its two dates as ISO 8601 strings, the only change HermiT needs (OWL 2 has no xsd:gYear)."""
    text = Path(TINY).read_text(encoding="utf-8")
    owl2 = text.replace('"2016-06-30"^^xsd:date', '"2016-06-30"').replace('"2018"^^xsd:gYear', '"2018"')
    assert owl2 != text
    path = tmp_path / "tiny-owl2.ttl"
    path.write_text(owl2, encoding="utf-8")
    return str(path)


@pytest.mark.slow  # HermiT: a JVM per run
def test_check_consistent(cli, java, tiny_owl2):
    result = cli("reason", "--no-bundled", "--data", tiny_owl2, "--check")
    assert result.stdout == "HermiT: consistent; no unsatisfiable classes\n"


def test_check_refuses_datatypes_hermit_cannot_read(cli, java):
    """No workaround: xsd:date and xsd:gYear are outside the OWL 2 datatype map, so one line, exit 2."""
    result = cli("reason", "--no-bundled", "--data", TINY, "--check", expect=2)
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "xsd:date" in result.stderr and "xsd:gYear" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow  # HermiT: a JVM per run
def test_check_inconsistent_and_unsatisfiable(cli, java, tiny_owl2):
    result = cli("reason", "--no-bundled", "--data", tiny_owl2, "--data", str(CORE / "inconsistent.ttl"), "--check",
                 expect=1)
    assert result.stdout.splitlines()[0] == "HermiT: INCONSISTENT"
    result = cli("reason", "--no-bundled", "--data", tiny_owl2, "--data", str(CORE / "unsatisfiable.ttl"), "--check",
                 expect=1)
    assert result.stdout.splitlines()[0] == "HermiT: consistent; 1 unsatisfiable class"
    assert "unsatisfiable: http://example.org/ns#Hybrid" in result.stdout


@pytest.mark.slow  # HermiT: a JVM per run
def test_hermit_profile_classifies(cli, java, tiny_owl2):
    out = cli("reason", "--no-bundled", "--data", tiny_owl2, "--profile", "hermit", "--format", "nt").stdout
    assert f"<{EX.robots}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX.Center}>" not in out  # asserted
    assert f"<{EX.mic}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX.Program}> ." in out


# --- stats ----------------------------------------------------------------------------------

def test_stats_counts_match_an_independent_count(cli):
    graph = Graph().parse(TINY)
    out = cli("stats", "--no-bundled", "--data", TINY, "--format", "json").stdout
    figures = json.loads(out)
    assert figures["triples"] == len(graph)
    classes = dict(figures["classes"])
    assert classes[str(EX.ChineseCenter)] == 1 and classes["http://www.w3.org/2002/07/owl#Class"] == 4
    properties = dict(figures["properties"])
    assert properties["http://www.w3.org/2000/01/rdf-schema#label"] == len(
        list(graph.triples((None, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None))))
    text = cli("stats", "--no-bundled", "--data", TINY).stdout
    assert text.splitlines()[0].split() == ["triples", str(len(graph))]


def test_stats_void_is_valid_turtle_with_partitions(cli):
    out = cli("stats", "--no-bundled", "--data", TINY, "--void").stdout
    void = Namespace("http://rdfs.org/ns/void#")
    description = Graph().parse(data=out, format="turtle")
    dataset = URIRef("https://w3id.org/micgraph/id/dataset-micgraph")
    assert int(description.value(dataset, void.triples)) == len(Graph().parse(TINY))
    partitions = list(description.objects(dataset, void.classPartition))
    assert any(description.value(p, void["class"]) == EX.Center for p in partitions)


def test_stats_void_describes_the_dataset_that_data_describes(cli):
    """One dataset, one IRI: --void uses data/dataset.ttl's IRI, title and licence."""
    from micgraph import bundle

    void = Namespace("http://rdfs.org/ns/void#")
    description = Graph().parse(data=cli("stats", "--void").stdout, format="turtle")
    stated = Graph().parse(bundle.root() / "data" / "dataset.ttl")
    (dataset,) = set(description.subjects(RDF.type, void.Dataset))
    assert (dataset, RDF.type, void.Dataset) in stated
    for p in (DCTERMS.title, DCTERMS.license):
        assert set(description.objects(dataset, p)) == set(stated.objects(dataset, p)) != set()
