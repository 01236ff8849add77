"""micgraph.results on tricky values: every SELECT/ASK format, read back by independent parsers.

The W3C suite (tests/w3c) checks the formats on its own data; these cases add what it does not hold:
language tags with regions, custom datatypes, blank nodes shared between rows, unbound variables,
commas, quotes, newlines, tabs, carriage returns, backslashes and pipes inside literals, control
characters, and Chinese text in the aligned table.
"""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from micgraph.errors import UsageError
from micgraph.query import AskResult, SelectResult, collect, run_query
from micgraph import formats
from micgraph.results import render, text_width
from micgraph.stores import OxigraphStore
from w3c.compare import read_with_rdflib, solutions_differ

EX = "http://example.org/ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
NOTE = 'comma, "quotes"\nnewline\ttab\r\nCRLF \\ backslash | pipe'
DATA = r"""
@prefix ex: <http://example.org/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:battery ex:label "国家动力电池创新中心"@zh ; ex:value 5.3 ;
    ex:note "comma, \"quotes\"\nnewline\ttab\r\nCRLF \\ backslash | pipe" ; ex:partner _:lab .
ex:robots ex:label "Robotics Centre"@en-GB ; ex:value 42 ; ex:partner _:lab .
ex:additive ex:label "Additive"^^ex:customType ; ex:value "1.5E3"^^xsd:double ; ex:partner _:other .
ex:empty ex:label "" ; ex:value false .
"""
QUERY = (f"PREFIX ex: <{EX}> SELECT ?s ?label ?value ?note ?partner WHERE {{ ?s ex:label ?label ; ex:value ?value "
         "OPTIONAL { ?s ex:note ?note } OPTIONAL { ?s ex:partner ?partner } } ORDER BY ?s")


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> SelectResult:
    path = tmp_path_factory.mktemp("results") / "tricky.ttl"
    path.write_text(DATA, encoding="utf-8")
    store = OxigraphStore()
    store.load(path)
    return run_query(store, QUERY)


def test_the_fixture_holds_the_tricky_values(result):
    rows = {row[0].value.removeprefix(EX): dict(zip(result.variables, row)) for row in result.bindings}
    assert rows["battery"]["note"].value == NOTE
    assert rows["battery"]["partner"] == rows["robots"]["partner"] != rows["additive"]["partner"]
    assert isinstance(rows["robots"]["partner"], ox.BlankNode)
    assert rows["empty"]["note"] is None and rows["empty"]["partner"] is None
    assert rows["empty"]["label"] == ox.Literal("")


OX_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "tsv": ox.QueryResultsFormat.TSV}


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_w3c_formats_read_back_as_the_same_result(result, fmt):
    """Every term, the blank nodes shared between rows, the unbound cells and the row order survive."""
    text = render(result, fmt)
    back = collect(ox.parse_query_results(text, OX_FORMATS[fmt]))
    assert back.variables == result.variables
    assert solutions_differ(result, back, ordered=True) is None
    if fmt != "tsv":  # rdflib has no TSV parser
        assert solutions_differ(result, read_with_rdflib(text, fmt), ordered=True) is None


def test_json_follows_the_sparql_json_format(result):
    document = json.loads(render(result, "json"))
    assert document["head"]["vars"] == ["s", "label", "value", "note", "partner"]
    bindings = {b["s"]["value"].removeprefix(EX): b for b in document["results"]["bindings"]}
    assert bindings["robots"]["label"] == {"type": "literal", "value": "Robotics Centre", "xml:lang": "en-gb"}
    assert bindings["additive"]["label"] == {"type": "literal", "value": "Additive", "datatype": EX + "customType"}
    assert bindings["empty"]["label"] == {"type": "literal", "value": ""}  # a simple literal has no datatype
    assert bindings["robots"]["partner"]["type"] == "bnode"
    assert bindings["robots"]["partner"] == bindings["battery"]["partner"]
    assert "note" not in bindings["empty"] and "partner" not in bindings["empty"]


def test_tsv_writes_terms_in_turtle_form_one_line_per_solution(result):
    lines = render(result, "tsv").split("\n")
    assert lines[0] == "?s\t?label\t?value\t?note\t?partner"
    assert lines[-1] == "" and len(lines) == len(result.bindings) + 2  # no raw newline inside a row
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:-1]}
    battery, empty = rows[f"<{EX}battery>"], rows[f"<{EX}empty>"]
    assert all(len(row) == 5 for row in rows.values())
    assert battery[1] == '"国家动力电池创新中心"@zh' and battery[2] == "5.3"  # numbers may be written bare
    assert battery[3] == r'"comma, \"quotes\"\nnewline\ttab\r\nCRLF \\ backslash | pipe"'
    assert battery[4].startswith("_:") and battery[4] == rows[f"<{EX}robots>"][4]
    assert rows[f"<{EX}additive>"][1] == f'"Additive"^^<{EX}customType>'
    assert empty[1:] == ['""', "false", "", ""]


def test_csv_quotes_what_it_must_and_keeps_lexical_forms(result):
    text = render(result, "csv")
    assert text.endswith("\r\n") and text.startswith("s,label,value,note,partner\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == result.variables
    by_subject = {row[0].removeprefix(EX): row for row in rows[1:]}
    assert by_subject["battery"][1:4] == ["国家动力电池创新中心", "5.3", NOTE]
    assert by_subject["battery"][4] == by_subject["robots"][4] != by_subject["additive"][4]
    assert by_subject["robots"][4].startswith("_:")
    assert by_subject["empty"][1:] == ["", "false", "", ""]
    assert f'"{NOTE.replace(chr(34), chr(34) * 2)}"' in text  # RFC 4180: quoted, inner quotes doubled


def _shown(term) -> str:
    """What a table cell holds: the IRI (example.org has no predeclared prefix), the lexical form with
    whitespace collapsed, or _:label; nothing when unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return " ".join(term.value.split())


def test_table_aligns_columns_by_display_width(result):
    lines = render(result, "table").splitlines()
    assert lines[-1] == "(4 rows)" and len(lines) == len(result.bindings) + 3
    assert lines[0].split() == result.variables
    starts, column = [], 0
    for dashes in lines[1].split("  "):
        starts.append(column)
        column += text_width(dashes) + 2
    for line, row in zip(lines[2:-1], result.bindings):
        position = 0
        for start, term in zip(starts, row):
            if _shown(term):
                position = line.index(_shown(term), position)
                assert text_width(line[:position]) == start, f"{_shown(term)!r} is out of its column in {line!r}"
    assert any("国家动力电池创新中心" in line for line in lines)


def test_markdown_escapes_pipes_and_keeps_one_line_per_row(result):
    lines = render(result, "md").splitlines()
    assert lines[0] == "| s | label | value | note | partner |" and lines[1] == "| --- | --- | --- | --- | --- |"
    assert len(lines) == len(result.bindings) + 2
    for line in lines[2:]:
        cells = [c for c in line.replace("\\|", "\0").split("|")[1:-1]]
        assert len(cells) == 5
    assert "backslash \\| pipe" in next(line for line in lines if "国家" in line)


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_people_formats_show_control_characters_instead_of_sending_them_to_the_terminal(fmt):
    hostile = SelectResult(["x"], [(ox.Literal("red\x1b[31m bell\x07"),)])
    text = render(hostile, fmt)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\u001b[31m" in text and "\\u0007" in text


def test_xml_keeps_carriage_returns():
    """An XML parser turns a raw CR into LF; the renderer must write it as a character reference."""
    crlf = SelectResult(["x"], [(ox.Literal("a\r\nb\rc"),)])
    text = render(crlf, "xml")
    assert solutions_differ(crlf, collect(ox.parse_query_results(text, ox.QueryResultsFormat.XML))) is None
    assert solutions_differ(crlf, read_with_rdflib(text, "xml")) is None


def test_xml_refuses_a_character_xml_cannot_hold():
    """XML 1.0 has no way to write U+0001: say so instead of writing a document no parser accepts."""
    with pytest.raises(UsageError, match="U\\+0001.*not XML"):
        render(SelectResult(["x"], [(ox.Literal("a\x01b"),)]), "xml")
    assert json.loads(render(SelectResult(["x"], [(ox.Literal("a\x01b"),)]), "json"))[
        "results"]["bindings"][0]["x"]["value"] == "a\x01b"


@pytest.mark.parametrize("answer", [True, False])
def test_ask_in_every_format(answer):
    ask = AskResult(answer)
    word = "true" if answer else "false"
    assert json.loads(render(ask, "json")) == {"head": {}, "boolean": answer}
    for fmt in ("json", "xml"):
        assert bool(ox.parse_query_results(render(ask, fmt), OX_FORMATS[fmt])) is answer
        assert read_with_rdflib(render(ask, fmt), fmt).boolean is answer
    assert render(ask, "csv") == f"{word}\r\n" and render(ask, "tsv") == f"{word}\n"
    assert render(ask, "table") == ("yes\n" if answer else "no\n")
    assert render(ask, "md") == f"**{word}**\n"


def test_unknown_format_is_a_usage_error_listing_the_formats():
    with pytest.raises(UsageError) as error:
        render(AskResult(True), "yaml")
    assert all(fmt in str(error.value) for fmt in formats.names(formats.RESULTS))


def test_text_width_counts_terminal_columns():
    assert text_width("abc") == 3
    assert text_width("国家") == 4 and text_width("ｆｕｌｌ") == 8  # wide and fullwidth forms take two
    assert text_width("e\u0301") == 1  # a combining accent takes none
    assert text_width("a\u200bb") == 2  # nor does a zero-width space
