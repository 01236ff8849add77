"""`micgraph export`: every RDF syntax parses back isomorphic to the source; Turtle is byte-identical run to
run; `-o` is atomic."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from conftest import FIXTURES, read_rdflib, value_normalised

TINY = FIXTURES / "core" / "tiny.ttl"
RDFLIB_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml", "trig": "trig",
                  "nquads": "nquads"}


def source_graph(*paths) -> Graph:
    return read_rdflib(paths)


def parsed_back(text: str, fmt: str) -> Graph:
    if fmt in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(data=text, format=RDFLIB_FORMATS[fmt])
        merged = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    return Graph().parse(data=text, format=RDFLIB_FORMATS[fmt])


@pytest.mark.parametrize("fmt", list(RDFLIB_FORMATS))
def test_every_syntax_round_trips_isomorphic(cli, fmt):
    out = cli("export", "--no-bundled", "--data", str(TINY), "--format", fmt).stdout
    assert isomorphic(value_normalised(parsed_back(out, fmt)), value_normalised(source_graph(TINY)))


@pytest.mark.parametrize("fmt", list(RDFLIB_FORMATS))
def test_bundled_graph_round_trips_in_every_syntax(cli, fmt, tmp_path):
    from micgraph import bundle

    target = tmp_path / f"graph.{fmt}"
    cli("export", "--format", fmt, "-o", str(target))
    assert isomorphic(value_normalised(parsed_back(target.read_text("utf-8"), fmt)),
                      value_normalised(source_graph(*bundle.graph_paths())))


def test_turtle_is_byte_identical_run_to_run(cli, tmp_path):
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    cli("export", "-o", str(first))
    cli("export", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_bytes()) > 10_000


def test_turtle_does_not_depend_on_input_order_or_blank_node_labels(tmp_path, cli):
    lines = (FIXTURES / "core" / "tiny.ttl").read_text("utf-8")
    nt = cli("export", "--no-bundled", "--data", str(TINY), "--format", "nt").stdout.splitlines()
    shuffled = tmp_path / "shuffled.nt"
    shuffled.write_text("\n".join(reversed(nt)).replace("_:", "_:x") + "\n", encoding="utf-8")
    assert lines  # the fixture exists
    assert cli("export", "--no-bundled", "--data", str(shuffled)).stdout == \
        cli("export", "--no-bundled", "--data", str(TINY)).stdout


def test_turtle_is_readable(cli):
    out = cli("export", "--no-bundled", "--data", str(TINY)).stdout
    assert out.startswith("@prefix ")
    assert "ex:battery" not in out  # ex: is not a micgraph prefix: full IRIs
    assert "owl:oneOf ( <http://example.org/ns#small> <http://example.org/ns#large> )" in out
    assert 'rdfs:label "National Power Battery Innovation Center"@en, "国家动力电池创新中心"@zh' in out
    assert "<http://example.org/ns#address> [\n        <http://example.org/ns#city> \"Beijing\"\n    ]" in out
    assert '<http://example.org/ns#share> 25.0' in out


def test_jsonld_inlines_the_published_context(cli):
    from micgraph import bundle
    from micgraph.export.rdf import jsonld_context

    document = json.loads(cli("export", "--format", "jsonld").stdout)
    published = json.loads((bundle.root() / "ontology" / "context.jsonld").read_text("utf-8"))
    assert document["@context"] == published["@context"] == jsonld_context()["@context"]


def test_infer_adds_the_entailments_in_their_own_graph(cli):
    trig = cli("export", "--no-bundled", "--data", str(TINY), "--format", "trig", "--infer", "rdfs").stdout
    assert "micr:graph/inferred {" in trig or "<https://w3id.org/micgraph/id/graph/inferred> {" in trig
    inferred = Dataset().parse(data=trig, format="trig")
    graphs = {str(g.identifier) for g in inferred.graphs()}
    assert "https://w3id.org/micgraph/id/graph/inferred" in graphs


def test_output_format_from_extension_and_atomic_write(cli, tmp_path):
    target = tmp_path / "graph.nt"
    cli("export", "--no-bundled", "--data", str(TINY), "-o", str(target))
    assert target.read_text("utf-8").startswith("<")
    before = target.read_bytes()
    # a failing export (bad input) leaves the previous file untouched and no temporary file behind
    cli("export", "--no-bundled", "--data", str(FIXTURES / "core" / "malformed.ttl"), "-o", str(target), expect=2)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.nt"]


def test_an_interrupted_write_keeps_the_old_file(tmp_path):
    from micgraph.output import open_output

    target = tmp_path / "out.ttl"
    target.write_text("old\n")
    with pytest.raises(KeyboardInterrupt):
        with open_output(target) as stream:
            stream.write(b"half of the new con")
            raise KeyboardInterrupt
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


def test_atomic_writes_get_the_mode_a_plain_write_would(tmp_path):
    """Temporary files are private (0600); the file put in place must not be."""
    import os

    from micgraph.output import write_folder, write_output

    mask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.ttl"
        write_output(fresh, "x")
        assert fresh.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.ttl"
        kept.write_text("old")
        kept.chmod(0o640)
        write_output(kept, "new")
        assert kept.stat().st_mode & 0o777 == 0o640
        write_folder(tmp_path / "site", {"index.html": b"<p>"})
        assert (tmp_path / "site").stat().st_mode & 0o777 == 0o755
        assert (tmp_path / "site" / "index.html").stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(mask)


def test_unknown_export_format_and_missing_folder(cli, tmp_path):
    result = cli("export", "--format", "yaml", expect=2)
    assert "'yaml' is not one of" in result.stderr
    result = cli("export", "--no-bundled", "--data", str(TINY), "-o", str(tmp_path / "no" / "such" / "x.ttl"),
                 expect=2)
    assert result.stderr.startswith("error: ") and "does not exist" in result.stderr


def test_rdf_type_as_an_object_is_not_written_as_a(cli, tmp_path):
    source = tmp_path / "type-object.ttl"
    source.write_text("<http://example.org/s> <http://example.org/p> "
                      "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> .\n", encoding="utf-8")
    out = cli("export", "--no-bundled", "--data", str(source)).stdout
    assert "<http://example.org/p> rdf:type ." in out
    assert isomorphic(Graph().parse(data=out, format="turtle"), Graph().parse(source))
