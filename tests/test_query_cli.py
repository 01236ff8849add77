"""`micgraph query` and `micgraph queries`: every result format, every way to give a query, every error path."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from conftest import FIXTURES

TINY = str(FIXTURES / "core" / "tiny.ttl")
ONLY_TINY = ["--no-bundled", "--data", TINY]
EX = "http://example.org/ns#"
LABELS = "SELECT ?c ?label WHERE { ?c ex:program ?p ; rdfs:label ?label } ORDER BY ?c ?label"
PREFIX = f"PREFIX ex: <{EX}>\n"


def run(cli, *args, expect=0, input=None):
    return cli("query", *ONLY_TINY, *args, expect=expect, input=input)


def test_predeclared_prefixes_need_no_declaration(cli):
    out = run(cli, "SELECT (COUNT(*) AS ?n) WHERE { ?c rdfs:subClassOf ?d }", "--format", "csv").stdout
    assert out.splitlines() == ["n", "1"]


def test_select_csv_follows_the_sparql_csv_format(cli):
    out = run(cli, PREFIX + "SELECT ?c ?note WHERE { ?c ex:note ?note }", "--format", "csv").stdout_bytes
    assert out.startswith(b"c,note\r\n")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    assert rows == [["c", "note"], [EX + "battery", 'A note with "quotes", a comma, and a\nnewline.']]


def test_select_tsv_writes_terms_in_ntriples_form(cli):
    out = run(cli, PREFIX + "SELECT ?label ?share WHERE { ex:robots rdfs:label ?label ; ex:share ?share } "
                            "ORDER BY ?label", "--format", "tsv").stdout
    assert out.splitlines() == ["?label\t?share", '"National Robotics Innovation Center"@en\t5.3',
                                '"国家机器人创新中心"@zh\t5.3']


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_select_json_and_xml_parse_back_with_rdflib(cli, fmt):
    out = run(cli, PREFIX + LABELS, "--format", fmt).stdout
    parsed = Result.parse(io.BytesIO(out.encode("utf-8")), format=fmt)
    rows = {(str(r["c"]), r["label"]) for r in parsed}
    # the same query evaluated by rdflib's own engine on the same file
    expected = {(str(r.c), r.label) for r in Graph().parse(TINY).query(
        LABELS, initNs={"ex": EX, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"})}
    assert rows == expected
    assert (EX + "battery", Literal("国家动力电池创新中心", lang="zh")) in rows


def test_select_json_keeps_datatypes_and_unbound_variables(cli):
    out = run(cli, PREFIX + "SELECT ?c ?founded ?missing WHERE { ?c ex:founded ?founded "
                            "OPTIONAL { ?c ex:nothing ?missing } } ORDER BY ?c", "--format", "json").stdout
    document = json.loads(out)
    assert document["head"]["vars"] == ["c", "founded", "missing"]
    first = document["results"]["bindings"][0]
    assert first["founded"] == {"type": "literal", "value": "2016-06-30",
                                "datatype": "http://www.w3.org/2001/XMLSchema#date"}
    assert "missing" not in first


def test_table_aligns_chinese_labels_by_display_width(cli):
    out = run(cli, PREFIX + LABELS, "--format", "table").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["c", "label"]
    assert lines[-1] == "(4 rows)"
    assert "ex:" not in out and "<http://example.org/ns#battery>" not in out  # unknown namespace: IRI shown whole
    from micgraph.results import text_width
    label_column = {text_width(line[: line.index(line.split()[1])]) for line in lines[2:-1]}
    assert len(label_column) == 1, "the label column starts at the same display column on every row"


def test_markdown_table(cli):
    out = run(cli, PREFIX + LABELS, "--format", "md").stdout.splitlines()
    assert out[0] == "| c | label |"
    assert out[1] == "| --- | --- |"
    assert len(out) == 6


def test_ask_exit_status_is_the_answer(cli):
    assert run(cli, PREFIX + "ASK { ex:battery a ex:ChineseCenter }", "--format", "json").exit_code == 0
    false = run(cli, PREFIX + "ASK { ex:battery a ex:Program }", "--format", "json", expect=1)
    assert json.loads(false.stdout) == {"head": {}, "boolean": False}


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"),
                                               ("xml", "xml"), ("trig", "trig"), ("nquads", "nquads")])
def test_construct_in_every_rdf_syntax_parses_back(cli, fmt, rdflib_format):
    construct = PREFIX + "CONSTRUCT { ?c rdfs:label ?l ; ex:address ?a . ?a ?p ?o } WHERE { ?c rdfs:label ?l " \
                         "OPTIONAL { ?c ex:address ?a . ?a ?p ?o } }"
    out = run(cli, construct, "--format", fmt).stdout
    from rdflib import Dataset
    parsed = Dataset() if fmt in ("trig", "nquads") else Graph()
    parsed.parse(data=out, format=rdflib_format)
    triples = set(parsed.triples((None, None, None))) if fmt not in ("trig", "nquads") else \
        {(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))}
    assert (URIRef(EX + "battery"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("国家动力电池创新中心", lang="zh")) in triples
    assert any(o == Literal("Beijing") for _, _, o in triples)


def test_construct_rejects_a_tabular_format(cli):
    result = run(cli, "CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv", expect=2)
    assert "does not apply to a CONSTRUCT/DESCRIBE result" in result.stderr


def test_describe(cli):
    out = run(cli, PREFIX + "DESCRIBE ex:robots", "--format", "nt").stdout
    assert out.count("\n") >= 4 and all(line.startswith("<http://example.org/ns#robots>") for line in out.splitlines())


def test_query_from_stdin_file_and_output_file(cli, tmp_path):
    text = PREFIX + "SELECT ?c WHERE { ?c a ex:ChineseCenter }"
    assert run(cli, "-", "--format", "csv", input=text).stdout.splitlines() == ["c", EX + "battery"]
    query_file = tmp_path / "q.rq"
    query_file.write_text(text, encoding="utf-8")
    assert run(cli, "-f", str(query_file), "--format", "csv").stdout.splitlines()[1] == EX + "battery"
    target = tmp_path / "out.json"
    run(cli, "-f", str(query_file), "-o", str(target))
    assert json.loads(target.read_text("utf-8"))["results"]["bindings"][0]["c"]["value"] == EX + "battery"


def test_infer_rdfs_changes_answers(cli):
    query = PREFIX + "SELECT ?p WHERE { ?p a ex:Program }"
    assert run(cli, query, "--format", "csv").stdout.splitlines() == ["p"]
    assert run(cli, query, "--format", "csv", "--infer", "rdfs").stdout.splitlines() == ["p", EX + "mic"]
    assert run(cli, query, "--format", "csv", "--infer", "owlrl").stdout.splitlines() == ["p", EX + "mic"]


def test_several_data_files_and_formats_merge(cli, tmp_path):
    nt = str(FIXTURES / "core" / "two.nt")
    out = cli("query", "--no-bundled", "--data", TINY, "--data", nt,
              "SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/a> ?p ?o }", "--format", "csv").stdout
    assert out.splitlines() == ["n", "2"]
    import gzip
    packed = tmp_path / "two.data.gz"
    packed.write_bytes(gzip.compress((FIXTURES / "core" / "two.nt").read_bytes()))
    out = cli("query", "--no-bundled", "--data", str(packed), "--input-format", "nt",
              "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv").stdout
    assert out.splitlines() == ["n", "2"]


# --- errors: one line on stderr, exit 2, no traceback ------------------------------------------

def assert_one_line_error(result, *fragments):
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_sparql_syntax_error_names_line_and_column(cli):
    result = run(cli, "SELECT ?s WHERE {\n  ?s ?p ?o\n  FILTER( }", expect=2)
    assert_one_line_error(result, "query:3:", "SPARQL syntax error")


def test_malformed_rdf_names_file_line_and_column(cli):
    bad = str(FIXTURES / "core" / "malformed.ttl")
    result = cli("query", "--no-bundled", "--data", bad, "ASK {}", expect=2)
    assert_one_line_error(result, "malformed.ttl:4:")


def test_missing_file_unknown_format_and_unknown_name(cli, tmp_path):
    assert_one_line_error(run(cli, "--data", str(tmp_path / "nope.ttl"), "ASK {}", expect=2), "nope.ttl: no such file")
    strange = tmp_path / "data.xyz"
    strange.write_text("x")
    assert_one_line_error(run(cli, "--data", str(strange), "ASK {}", expect=2), "--input-format")
    assert_one_line_error(run(cli, "--data", TINY, "--input-format", "yaml", "ASK {}", expect=2),
                          "'yaml' is not one of 'turtle'")
    assert_one_line_error(cli("query", "-n", "no-such-query", expect=2), "no named query 'no-such-query'")
    assert_one_line_error(run(cli, "-f", str(tmp_path / "missing.rq"), expect=2), "missing.rq")


def test_exactly_one_query_source(cli):
    result = run(cli, "ASK {}", "-n", "centers-per-program", expect=2)
    assert "exactly one of" in result.stderr


def test_unknown_format_for_select(cli):
    result = run(cli, "SELECT * WHERE { ?s ?p ?o }", "--format", "yaml", expect=2)
    assert "'yaml' is not one of" in result.stderr
    result = run(cli, "SELECT * WHERE { ?s ?p ?o }", "--format", "turtle", expect=2)
    assert "--format turtle does not apply to a SELECT/ASK result; use one of: json, xml" in result.stderr


def test_debug_shows_the_traceback(cli):
    result = cli("--debug", "query", *ONLY_TINY, "SELECT WHERE {", expect=2)
    assert "Traceback" in result.stderr and result.stderr.strip().splitlines()[-1].startswith("error: ")


def test_failed_output_leaves_no_file(cli, tmp_path):
    target = tmp_path / "out.csv"
    run(cli, "SELECT WHERE {", "-o", str(target), expect=2)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_service_is_refused_by_default(cli):
    result = run(cli, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", expect=2)
    assert_one_line_error(result, "SERVICE")


# --- the library directly -------------------------------------------------------------------

def test_library_run_query_returns_typed_results():
    from micgraph.query import run_query
    from micgraph.graph import open_graph

    graph = open_graph([TINY], bundled=False)
    select = run_query(graph, PREFIX + "SELECT ?c ?s WHERE { ?c ex:share ?s } ORDER BY ?c")
    assert select.variables == ["c", "s"]
    assert select.rows == [{"c": EX + "battery", "s": "25"}, {"c": EX + "robots", "s": "5.3"}]
    assert isinstance(select.bindings[0][1], ox.Literal)
    assert run_query(graph, "ASK { ?s ?p ?o }").boolean is True
    assert len(run_query(graph, "CONSTRUCT WHERE { ?s rdfs:label ?o }")) == 10


def test_data_from_stdin(cli):
    turtle = (FIXTURES / "core" / "tiny.ttl").read_text("utf-8")
    out = cli("query", "--no-bundled", "--data", "-", PREFIX + "SELECT ?c WHERE { ?c a ex:ChineseCenter }",
              "--format", "csv", input=turtle).stdout
    assert out.splitlines() == ["c", EX + "battery"]
    result = cli("query", "--no-bundled", "--data", "-", "ASK {}", input="<a> <b> .", expect=2)
    assert result.stderr.startswith("error: <stdin>:1:")


def test_from_selects_a_named_graph_instead_of_the_union(cli, tmp_path):
    trig = tmp_path / "graphs.trig"
    trig.write_text("<http://example.org/g1> { <http://example.org/a> <http://example.org/p> 1 . }\n"
                    "<http://example.org/g2> { <http://example.org/b> <http://example.org/p> 2 . }\n", encoding="utf-8")
    base = ["query", "--no-bundled", "--data", str(trig), "--format", "csv"]
    union = cli(*base, "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s").stdout.splitlines()
    assert union == ["s", "http://example.org/a", "http://example.org/b"]
    only_g2 = cli(*base, "SELECT ?s FROM <http://example.org/g2> WHERE { ?s ?p ?o }").stdout.splitlines()
    assert only_g2 == ["s", "http://example.org/b"]
    named = cli(*base, "SELECT ?g ?s FROM NAMED <http://example.org/g1> WHERE { GRAPH ?g { ?s ?p ?o } }").stdout
    assert named.splitlines() == ["g,s", "http://example.org/g1,http://example.org/a"]
    # a variable or prefixed name that merely contains "from" does not change the dataset
    assert cli(*base, "SELECT ?from WHERE { ?from ?p ?o } ORDER BY ?from").stdout.splitlines()[1:] == union[1:]


def test_a_named_query_imports_nothing_it_does_not_use():
    """Start-up is most of a query's time (bench/startup.py): the query path must not pull in rdflib, the
    reasoners, gzip or the HTTP stack. Checked on the real command in a fresh interpreter."""
    import subprocess
    import sys

    heavy = ["rdflib", "pyshacl", "owlready2", "owlrl", "micgraph.reason", "gzip", "urllib.request",
             "http.client", "xml.sax"]
    code = ("import sys; from micgraph.cli import main\n"
            "try:\n    main(['query', '-n', 'centers-per-program', '--format', 'xml'])\n"
            "except SystemExit:\n    pass\n"
            f"print([m for m in {heavy!r} if m in sys.modules], file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "<sparql" in run.stdout
    assert run.stderr.strip().splitlines()[-1] == "[]"
