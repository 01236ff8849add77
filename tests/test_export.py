"""`micgraph export`: every RDF syntax parses back as the graph (exactly: tests/test_serialisations.py checks
generated graphs and the bundled one); Turtle is byte-identical run to run; `-o` is atomic."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from conftest import FIXTURES
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

TINY = FIXTURES / "core" / "tiny.ttl"
RDFLIB_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml", "trig": "trig",
                  "nquads": "nquads"}


def parsed_back(text: str, fmt: str) -> Graph:
    if fmt in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(data=text, format=RDFLIB_FORMATS[fmt])
        merged = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    return Graph().parse(data=text, format=RDFLIB_FORMATS[fmt])


def as_oxigraph_stores_it(path) -> Graph:
    """The file as Oxigraph holds it: the values of the XSD datatypes it knows in canonical form."""
    store = ox.Store()
    store.load(path=str(path))
    graph = Graph()
    for q in store:
        graph.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)))
    return graph


def _rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD + "string":
        return Literal(term.value)  # rdflib's plain literal, as its parsers give it
    return Literal(term.value, datatype=URIRef(term.datatype.value))


@pytest.mark.usefixtures("rdflib_keeps_lexical_forms")
@pytest.mark.parametrize("fmt", list(RDFLIB_FORMATS))
def test_every_syntax_reads_back_as_oxigraph_holds_the_file(cli, fmt):
    out = cli("export", "--no-bundled", "--data", str(TINY), "--format", fmt).stdout
    assert isomorphic(parsed_back(out, fmt), as_oxigraph_stores_it(TINY))


@pytest.mark.usefixtures("rdflib_keeps_lexical_forms")
@pytest.mark.parametrize("fmt", list(RDFLIB_FORMATS))
def test_preserve_lexical_forms_reads_back_as_the_file_itself(cli, fmt):
    out = cli("export", "--no-bundled", "--data", str(TINY), "--format", fmt, "--preserve-lexical-forms").stdout
    source = Graph().parse(TINY)
    assert isomorphic(parsed_back(out, fmt), source)
    assert not isomorphic(source, as_oxigraph_stores_it(TINY))  # the fixture has non-canonical literals (25.0)


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
    # 25.0 in the file: Oxigraph holds the decimal 25, written as "25"^^xsd:decimal (the token 25 would
    # be an xsd:integer); 5.3 stays a short form
    assert '<http://example.org/ns#share> "25"^^xsd:decimal' in out and "<http://example.org/ns#share> 5.3" in out
    kept = cli("export", "--no-bundled", "--data", str(TINY), "--preserve-lexical-forms").stdout
    assert "<http://example.org/ns#share> 25.0" in kept


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
    with pytest.raises(KeyboardInterrupt), open_output(target) as stream:
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


# --- what docs/export.md says ------------------------------------------------------------------------

DOCS = FIXTURES.parents[1] / "docs" / "export.md"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _literal(text: str) -> ox.Literal:
    value, datatype = text.rsplit("^^", 1)
    return ox.Literal(json.loads(value), datatype=ox.NamedNode(XSD + datatype.removeprefix("xsd:")))


def test_the_canonicalisation_table_in_the_docs_is_what_oxigraph_does():
    import re

    rows = re.findall(r'^\| `("[^`]*"\^\^xsd:\w+)` \| `("[^`]*"\^\^xsd:\w+)` \|', DOCS.read_text("utf-8"), re.MULTILINE)
    assert len(rows) >= 12
    store = ox.Store()
    for i, (written, _) in enumerate(rows):
        store.add(ox.Quad(ox.NamedNode(f"urn:x:{i}"), ox.NamedNode("urn:x:p"), _literal(written)))
    held = {int(q.subject.value[6:]): q.object for q in store}
    assert [str(held[i]) for i in range(len(rows))] == [str(_literal(exported)) for _, exported in rows]


def test_the_console_example_in_the_docs(cli, tmp_path):
    import re

    source = tmp_path / "shares.ttl"
    source.write_text('@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
                      'ex:a ex:share 25.0 ; ex:count "007"^^xsd:int .\n', encoding="utf-8")
    block = re.search(r"```console\n(\$ micgraph export --no-bundled --data shares.ttl.*?)```", DOCS.read_text("utf-8"),
                      re.DOTALL).group(1)
    for command, expected in re.findall(r"^\$ micgraph (.*)\n((?:[^$].*\n)*)", block, re.MULTILINE):
        assert cli(*command.split(), cwd=tmp_path).stdout == expected


# --- refusals: one line, exit 2, nothing written ----------------------------------------------------

@pytest.mark.parametrize("statement, fmt, cause", [
    ('<http://e/s> <http://e/p> "bell \\u0007" .', "xml", "XML 1.0 cannot"),
    ('<http://e/s> <http://e/1> "x" .', "xml", "does not end in one"),
    ('<http://e/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#li> "x" .', "xml", "RDF/XML's own syntax"),
    ('<http://e/s> <http://e/p> <<( <http://e/a> <http://e/b> "c" )>> .', "jsonld", "cannot hold a triple term"),
    ('<http://e/s> <http://e/p> "x"@ar--rtl .', "jsonld", "cannot hold a directional language string"),
])
def test_what_a_format_cannot_hold_is_refused_in_one_line(cli, tmp_path, statement, fmt, cause):
    source = tmp_path / "in.nt"
    source.write_text(statement + "\n", encoding="utf-8")
    target = tmp_path / "out.data"
    result = cli("export", "--no-bundled", "--data", str(source), "--format", fmt, "-o", str(target), expect=2)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and cause in result.stderr
    assert not target.exists()
    if fmt == "jsonld":
        assert "write one of: turtle, nt, xml, trig, nquads" in result.stderr
    # the formats that can hold it do
    for able in ("turtle", "nt", "trig", "nquads") + (("xml",) if fmt == "jsonld" else ()):
        out = cli("export", "--no-bundled", "--data", str(source), "--format", able).stdout
        assert len(list(ox.parse(out.encode(), {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                                                 "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS,
                                                 "xml": ox.RdfFormat.RDF_XML}[able]))) == 1


def test_preserve_lexical_forms_options(cli, tmp_path):
    result = cli("export", "--store", f"oxigraph:{tmp_path / 'db'}", "--preserve-lexical-forms", expect=2)
    assert "--preserve-lexical-forms reads files" in result.stderr
    result = cli("export", "--preserve-lexical-forms", "--format", "graphml", expect=2)
    assert "applies to the RDF formats" in result.stderr
    source = tmp_path / "typed.ttl"
    source.write_text('<http://e/a> a <http://e/C> ; <http://e/n> "05"^^<http://www.w3.org/2001/XMLSchema#byte> .\n'
                      '<http://e/C> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <http://e/D> .\n',
                      encoding="utf-8")
    out = cli("export", "--no-bundled", "--data", str(source), "--format", "nquads", "--preserve-lexical-forms",
              "--infer", "rdfs").stdout
    assert '"05"^^<http://www.w3.org/2001/XMLSchema#byte>' in out
    assert "<http://e/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/D> " \
           "<https://w3id.org/micgraph/id/graph/inferred> ." in out
    plain = cli("export", "--no-bundled", "--data", str(source), "--format", "nt").stdout
    assert '"5"^^<http://www.w3.org/2001/XMLSchema#integer>' in plain


# --- micgraph dump: streamed, in the store's order, as faithful ------------------------------------------

@pytest.mark.parametrize("fmt", list(RDFLIB_FORMATS))
def test_dump_writes_what_the_store_holds(cli, tmp_path, fmt):
    from micgraph import formats

    source = tmp_path / "tricky.nq"
    source.write_text(
        '<http://e/s> <http://e/p> "a\\r\\nb\\u0085\\u2028 \\"q\\" <&>" <http://e/g> .\n'
        '<http://e/s> <http://e/p> "9"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
        '<http://e/s> <http://e/p> "1.5E300"^^<http://www.w3.org/2001/XMLSchema#double> .\n'
        '<http://e/s> <http://e/p> "x"@en-us .\n<http://e/s> <http://e/p> _:b .\n'
        '_:b <http://e/q> "<a>b</a>"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral> .\n',
        encoding="utf-8")
    store = f"oxigraph:{tmp_path / 'db'}"
    cli("load", "--store", store, str(source))
    target = tmp_path / f"dump.{formats.get(fmt, formats.RDF).extension}"
    cli("dump", "--store", store, "--format", fmt, "-o", str(target))
    held = ox.Store(str(tmp_path / "db"))
    expected = list(held) if formats.get(fmt, formats.RDF).dataset else \
        [ox.Quad(q.subject, q.predicate, q.object) for q in held]
    del held
    back = list(ox.parse(path=str(target), format=formats.get(fmt, formats.RDF).rdf))

    def canonical(quads):
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return sorted(str(q) for q in dataset)

    assert canonical(back) == canonical(expected)


def test_dump_refuses_what_a_format_cannot_hold_and_writes_it_where_it_can(cli, tmp_path):
    source = tmp_path / "star.nt"
    source.write_text('<http://e/s> <http://e/p> <<( <http://e/a> <http://e/b> "c\\u0001" )>> .\n', encoding="utf-8")
    store = f"oxigraph:{tmp_path / 'db'}"
    cli("load", "--store", store, str(source))
    for fmt, cause in (("jsonld", "JSON-LD cannot hold a triple term"), ("xml", "XML 1.0 cannot")):
        target = tmp_path / f"dump.{fmt}"
        result = cli("dump", "--store", store, "--format", fmt, "-o", str(target), expect=2)
        assert result.stderr.count("\n") == 1 and cause in result.stderr and not target.exists()
    out = cli("dump", "--store", store, "--format", "nt").stdout
    assert [str(q) for q in ox.parse(out.encode(), ox.RdfFormat.N_TRIPLES)] == \
        ['<http://e/s> <http://e/p> <<( <http://e/a> <http://e/b> "c\\u0001" )>>']
