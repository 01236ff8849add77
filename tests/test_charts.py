"""`micgraph chart` and micgraph.chart: the shipped charts regenerated and compared with the graph, SVG and
PNG read back, Chinese text drawn, kinds read from a result's shape, and bad input refused in one line.

The figures a chart must show are read here with rdflib from the data files, independently of the
query engine the chart ran on.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Literal, Namespace, URIRef

from conftest import read_rdflib
from micgraph import bundle, charts, namespaces
from micgraph.errors import MicgraphError, ToolError

pytest.importorskip("altair")
pytest.importorskip("vl_convert")

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "charts.md"
SHIPPED = ROOT / "docs" / "img" / "charts"
MIC, MICR = Namespace(namespaces.MIC), Namespace(namespaces.MICR)
PROV = Namespace("http://www.w3.org/ns/prov#")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def data():
    return read_rdflib(bundle.graph_paths())


def shipped_commands() -> list[list[str]]:
    """The `micgraph chart ...` lines of docs/charts.md that regenerate docs/img/charts/."""
    section = DOC.read_text(encoding="utf-8").split("## The report's comparisons", 1)[1]
    return [shlex.split(line)[1:] for line in section.splitlines() if line.startswith("micgraph chart ")]


def regenerate(cli, args: list[str], folder: Path) -> Path:
    output = args.index("-o") + 1
    target = folder / Path(args[output]).name
    cli(*args[:output], str(target), *args[output + 1:])
    return target


def caption(spec: dict) -> str:
    return "".join("".join(spec["title"]["subtitle"]).split())


def label(data, resource, lang="en") -> str:
    labels = {l.language: str(l) for l in data.objects(resource, RDFS.label) if isinstance(l, Literal)}
    return labels.get(lang) or labels["en"]


def sources(data, resource) -> set[URIRef]:
    return set(data.objects(resource, PROV.wasDerivedFrom)) | set(data.objects(resource, PROV.wasQuotedFrom))


def source_label(data, source, lang) -> str:
    labels = {l.language: str(l) for l in data.objects(source, RDFS.label)}
    titles = {l.language: str(l) for l in data.objects(source, URIRef("http://purl.org/dc/terms/title"))}
    return labels.get(lang) or titles.get(lang) or labels.get("en")


def assert_cites(spec: dict, data, resources, lang="en") -> None:
    """The caption names every source of every resource drawn, by label; usermeta lists exactly them."""
    text = caption(spec)
    expected = set().union(*(sources(data, r) for r in resources))
    assert expected
    for source in expected:
        assert "".join(source_label(data, source, lang).split()) in text, f"caption lacks {source}"
    assert set(spec["usermeta"]["micgraph"]["sources"]) == {str(s) for s in expected}


def number(value) -> Decimal:
    return Decimal(str(value))


def value_of(data, observation) -> Decimal:
    return Decimal(str(data.value(URIRef(observation), MIC.value)))


# --- the shipped charts -------------------------------------------------------------------------------

def test_docs_list_every_shipped_chart():
    listed = {Path(args[args.index("-o") + 1]).name for args in shipped_commands()}
    assert listed == {p.name for p in SHIPPED.iterdir()}
    assert len(listed) == 12


@pytest.mark.slow
@pytest.mark.parametrize("args", shipped_commands(), ids=lambda args: Path(args[-1]).name)
def test_shipped_chart_is_what_the_command_draws(cli, tmp_path, args):
    """Regenerated: the spec is the shipped one; the SVG has the same marks and texts (positions depend on
    the fonts installed, so the SVG is compared by structure, not bytes)."""
    target = regenerate(cli, args, tmp_path)
    shipped = SHIPPED / target.name
    if target.name.endswith(".vl.json"):
        assert json.loads(target.read_text("utf-8")) == json.loads(shipped.read_text("utf-8")), \
            f"{shipped} is stale: run `{' '.join(['micgraph', *args])}`"
    else:
        assert svg_structure(target.read_bytes()) == svg_structure(shipped.read_bytes())


def svg_structure(svg: bytes) -> tuple[list[str], dict[str, int]]:
    root = ET.fromstring(svg)
    texts = sorted("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    marks: dict[str, int] = {}
    for element in root.iter():
        for cls in (element.get("class") or "").split():
            if cls.startswith("mark-"):
                marks[cls] = marks.get(cls, 0) + len(list(element))
    return texts, marks


def spec_of(name: str, lang: str = "en") -> dict:
    return charts.spec_of(charts.chart(name, lang=lang))


def test_china_vs_us_growth(data):
    spec = spec_of("china-vs-us-growth")
    bars, labels = spec["layer"]
    assert (bars["mark"]["type"], labels["mark"]["type"]) == ("bar", "text")
    encoding = bars["encoding"]
    assert (encoding["y"]["field"], encoding["yOffset"]["field"], encoding["color"]["field"]) == \
        ("indicator", "country", "country")
    assert (encoding["x"]["field"], encoding["x"]["type"]) == ("growth", "quantitative")
    assert encoding["x"]["title"] == "Compound annual growth rate of manufacturing value added (%)"
    rows = spec["data"]["values"]
    # the graph's percentage figures of one indicator stated for both countries
    by_country = {}
    for obs in data.subjects(MIC.unit, MICR["unit-percent"]):
        if data.value(obs, MIC.value) is not None and data.value(obs, MIC.indicator) == MICR["indicator-mva-cagr"]:
            by_country[label(data, data.value(obs, MIC.refArea))] = obs
    assert {row["country"]: row["obs"] for row in rows} == {c: str(o) for c, o in by_country.items()}
    for row in rows:
        assert number(row["growth"]) == value_of(data, row["obs"])
    assert [row["value-label"] for row in rows] == ["5.3 %", "≈1.5 %"]   # the U.S. figure is approximate (约)
    assert "≈ approximate" in " ".join(spec["title"]["subtitle"])
    assert_cites(spec, data, by_country.values())


def test_china_advanced_manufacturing_share(data):
    spec = spec_of("china-advanced-manufacturing-share")
    line, _ = spec["layer"]
    assert line["mark"]["type"] == "line" and line["mark"]["point"]
    assert (line["encoding"]["x"]["field"], line["encoding"]["x"]["type"]) == ("year", "temporal")
    assert line["encoding"]["x"]["scale"]["type"] == "utc"
    assert line["encoding"]["y"]["field"] == "share"
    observations = set(data.subjects(MIC.indicator, MICR["indicator-share-global-advanced-manufacturing"]))
    rows = spec["data"]["values"]
    assert {row["obs"] for row in rows} == {str(o) for o in observations}
    for row in rows:
        obs = URIRef(row["obs"])
        assert number(row["share"]) == value_of(data, obs)
        assert row["year-label"] == str(data.value(obs, MIC.periodEnd))[:4]
        assert row["year"] == row["year-label"] + "-01-01"
    assert [row["year-label"] for row in rows] == ["1995", "2020"]
    assert_cites(spec, data, observations)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_china_investment_growth_2024(data, lang):
    spec = spec_of("china-investment-growth-2024", lang)
    bars, _ = spec["layer"]
    assert bars["mark"]["type"] == "bar"
    assert (bars["encoding"]["y"]["field"], bars["encoding"]["y"]["type"]) == ("sector", "nominal")
    assert bars["encoding"]["y"]["sort"] is None                            # the query's order
    title = {"en": "Growth of manufacturing investment (%)", "zh": "制造业投资增长率 (%)"}[lang]
    assert bars["encoding"]["x"]["title"] == title
    rows = spec["data"]["values"]
    observations = [URIRef(row["obs"]) for row in rows]
    assert set(observations) == {o for o in data.subjects(MIC.indicator, MICR["indicator-manufacturing-investment-growth"])
                                 if str(data.value(o, MIC.periodEnd)) == "2024"}
    for row, obs in zip(rows, observations):
        assert number(row["growth"]) == value_of(data, obs)
        assert row["sector"] == label(data, data.value(obs, MIC.refIndustry), lang)
    assert [number(row["growth"]) for row in rows] == sorted((number(r["growth"]) for r in rows), reverse=True)
    assert_cites(spec, data, observations, lang)


def test_centers_by_first_year_counts_the_centres(data, bundled_graph):
    from micgraph.query import run_query

    spec = spec_of("centers-by-first-year")
    bars, _ = spec["layer"]
    assert (bars["encoding"]["x"]["field"], bars["encoding"]["y"]["field"]) == ("year", "row-count")
    assert bars["encoding"]["y"]["title"] == "Chinese national manufacturing innovation centre (count)"
    rows = spec["data"]["values"]
    counts = {row["year"]: row["row-count"] for row in rows}
    assert counts == {row["year"]: int(row["centres"]) for row in run_query(bundled_graph, name="centers-approved-per-year").rows}
    counted = [iri for row in rows for iri in row["counted-iris"]]
    chinese = {s for cls in (MIC.ChineseInnovationCenter, MIC.CoBuiltInnovationCenter) for s in data.subjects(RDF.type, cls)}
    assert sorted(counted) == sorted(str(c) for c in chinese)               # every centre, once
    assert_cites(spec, data, chinese)


def test_programs_centres_side_by_side(data):
    spec = spec_of("programs-centres")
    bars, _ = spec["layer"]
    assert (bars["encoding"]["y"]["field"], bars["encoding"]["yOffset"]["field"]) == ("program", "measure-name")
    assert bars["encoding"]["x"]["field"] == "measure-value"
    rows = spec["data"]["values"]
    assert {row["measure-name"] for row in rows} == {"Listed centres", "Stated centres"}
    programs = {row["program-iri"] for row in rows}
    assert programs == {str(MICR[p]) for p in ("program-china-mic", "program-manufacturing-usa", "program-fraunhofer")}
    for row in rows:
        program = URIRef(row["program-iri"])
        assert row["program"] == label(data, program)
        if row["measure-name"] == "Listed centres":
            assert row["measure-value"] == len(set(data.subjects(MIC.program, program)))
        else:
            assert number(row["measure-value"]) == value_of(data, row["obs"])
            assert data.value(URIRef(row["obs"]), MIC.refProgram) == program
    stated = {row["program"]: row["measure-value"] for row in rows if row["measure-name"] == "Stated centres"}
    assert stated == {"Fraunhofer-Gesellschaft institutes": 76, "Manufacturing USA": 17,
                      "China's national manufacturing innovation centre programme": 33}   # the seed's totals
    assert_cites(spec, data, {URIRef(row["obs"]) for row in rows})


# --- pictures read back -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def investment_zh():
    return charts.chart("china-investment-growth-2024", lang="zh")


def test_svg_reads_back_with_marks_and_chinese_text(investment_zh):
    svg = charts.chart_bytes(investment_zh, "svg")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and float(root.get("width")) > 300 and float(root.get("height")) > 150
    bars = [p for g in root.iter(f"{SVG}g") if "mark-rect" in (g.get("class") or "") for p in g]
    assert len(bars) == 5
    texts = [[line.text for line in t.iter() if line.text] for t in root.iter(f"{SVG}text")]
    lines = [line for text in texts for line in text]
    for text in ("制造业投资增长率", "制造业投资增长率 (%)", "产业", "铁路、船舶和航空航天", "有色金属冶炼和加工",
                 "制造业", "34.9 %", "9.2 %"):
        assert text in lines, text
    assert any(line.startswith("来源：NIST AMS 600-17") for line in lines)


def test_png_reads_back_at_twice_the_svg_size(investment_zh):
    png = charts.chart_bytes(investment_zh, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    root = ET.fromstring(charts.chart_bytes(investment_zh, "svg"))
    width, height = int(float(root.get("width"))), int(float(root.get("height")))
    image_module = pytest.importorskip("PIL.Image")
    import io

    image = image_module.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (width * charts.PNG_SCALE, height * charts.PNG_SCALE)
    colours = image.getcolors(maxcolors=1 << 20)
    drawn = sum(count for count, colour in colours if colour != (255, 255, 255))
    assert drawn > 0.05 * image.size[0] * image.size[1]                      # not blank
    assert any(colour == (0x4C, 0x78, 0xA8) for _, colour in colours)       # the bars' colour


@pytest.mark.slow
def test_html_is_self_contained(investment_zh):
    html = charts.chart_bytes(investment_zh, "html").decode("utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "铁路、船舶和航空航天" in html
    assert not re.search(r"<script[^>]+src=", html), "the page must work offline"


@pytest.mark.slow
def test_output_is_deterministic(investment_zh):
    """The same graph gives the same bytes: twice in one process, and in a fresh one."""
    first = charts.chart_bytes(investment_zh, "svg")
    assert charts.chart_bytes(charts.chart("china-investment-growth-2024", lang="zh"), "svg") == first
    code = ("import sys, micgraph.charts as c; "
            "sys.stdout.buffer.write(c.render_chart('china-investment-growth-2024', 'svg', lang='zh'))")
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    assert fresh == first


def test_missing_cjk_font_is_a_clear_error(monkeypatch, tmp_path, investment_zh):
    monkeypatch.setattr(charts, "FONT_FOLDERS", (str(tmp_path),))
    with pytest.raises(ToolError, match="fonts-wqy-microhei"):
        charts.chart_bytes(investment_zh, "svg")
    english = charts.chart("china-investment-growth-2024")
    assert charts.chart_bytes(english, "svg").startswith(b"<svg")             # no Chinese, no font needed


# --- shapes and kinds ---------------------------------------------------------------------------------

FIXTURE = """@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a rdfs:label "Alpha"@en, "甲"@zh ; ex:size 3 ; ex:kind ex:k1 ; ex:year "2001"^^xsd:gYear ; ex:min 1 ; ex:max 4 .
ex:b rdfs:label "Beta"@en ; ex:size 5.5 ; ex:kind ex:k2 ; ex:year "2003"^^xsd:gYear ; ex:min 2 .
ex:c rdfs:label "Gamma"@en ; ex:size "abc"^^xsd:decimal ; ex:kind ex:k1 ; ex:year "2004"^^xsd:gYear ; ex:max 9 .
ex:k1 rdfs:label "kind one"@en . ex:k2 rdfs:label "kind two"@en .
"""


@pytest.fixture(scope="module")
def fixture_graph(tmp_path_factory):
    from micgraph.graph import open_graph

    path = tmp_path_factory.mktemp("chart") / "fixture.ttl"
    path.write_text(FIXTURE, encoding="utf-8")
    return open_graph([path], bundled=False)


@pytest.mark.parametrize(("query", "kind", "mark"), [
    ("SELECT ?s ?n WHERE { ?s ex:size ?n FILTER(isNumeric(?n)) } ORDER BY ?s", "bar", "bar"),
    ("SELECT ?s ?k ?n WHERE { ?s ex:size ?n ; ex:kind ?k FILTER(isNumeric(?n)) } ORDER BY ?s", "grouped-bar", "bar"),
    ("SELECT ?s ?n ?m WHERE { ?s ex:size ?n ; ex:min ?m FILTER(isNumeric(?n)) } ORDER BY ?s", "grouped-bar", "bar"),
    ("SELECT ?year ?n WHERE { ?s ex:year ?year ; ex:size ?n FILTER(isNumeric(?n)) } ORDER BY ?year", "line", "line"),
    ("SELECT ?s ?minValue ?maxValue WHERE { ?s ex:year ?y OPTIONAL { ?s ex:min ?minValue } OPTIONAL { ?s ex:max ?maxValue } } ORDER BY ?s",
     "range", "bar"),
    ("SELECT ?k ?s WHERE { ?s ex:kind ?k } ORDER BY ?k ?s", "bar", "bar"),
])
def test_kind_follows_the_shape_of_the_result(fixture_graph, query, kind, mark):
    chart = charts.chart("PREFIX ex: <http://example.org/>\n" + query, fixture_graph)
    spec = charts.spec_of(chart)
    assert spec["usermeta"]["micgraph"]["kind"] == kind
    assert spec["layer"][0]["mark"]["type"] == mark
    assert "No source documents" in " ".join(spec["title"]["subtitle"])      # the fixture cites nothing


def test_labels_come_from_the_graph_in_the_language(fixture_graph):
    query = "PREFIX ex: <http://example.org/>\nSELECT ?s ?n WHERE { ?s ex:size ?n FILTER(isNumeric(?n)) } ORDER BY ?s"
    rows = charts.spec_of(charts.chart(query, fixture_graph, lang="zh"))["data"]["values"]
    assert [row["s"] for row in rows] == ["甲", "Beta"]                     # no Chinese label: English
    assert [row["s-iri"] for row in rows] == ["http://example.org/a", "http://example.org/b"]


def test_counted_rows_when_there_is_no_number(fixture_graph):
    query = "PREFIX ex: <http://example.org/>\nSELECT ?k ?s WHERE { ?s ex:kind ?k } ORDER BY ?k ?s"
    rows = charts.spec_of(charts.chart(query, fixture_graph))["data"]["values"]
    assert {row["k"]: row["row-count"] for row in rows} == {"kind one": 2, "kind two": 1}


@pytest.mark.parametrize(("query", "kind", "message"), [
    ("ASK { ?s ?p ?o }", None, "is not a SELECT"),
    ("SELECT ?s WHERE { ?s ex:nothing ?o }", None, "gives no rows"),
    ("SELECT ?s ?n WHERE { ?s ex:size ?n }", "line", "cannot draw a line chart: it needs a period column"),
    ("SELECT ?s ?n WHERE { ?s ex:size ?n }", "pie", "unknown chart kind 'pie'"),
    ("SELECT ?n WHERE { VALUES ?n { 1 2 } }", "bar", "needs a category column"),
    ("SELECT ?s WHERE { ?s ?p ?o", None, "SPARQL syntax error"),
    (("SELECT ?i WHERE { VALUES ?x { 0 1 2 3 4 5 6 7 8 9 } VALUES ?y { 0 1 2 3 4 5 6 7 8 9 } "
      "VALUES ?z { 0 1 2 3 4 5 6 7 8 9 10 } BIND(?x + 10 * ?y + 100 * ?z AS ?i) }"), None, "more than 1000 rows"),
])
def test_what_cannot_be_drawn_is_a_one_line_error(fixture_graph, query, kind, message):
    with pytest.raises(MicgraphError, match=re.escape(message)):
        charts.chart("PREFIX ex: <http://example.org/>\n" + query, fixture_graph, kind=kind)


def test_ill_typed_figures_are_left_out_and_said_so(fixture_graph):
    """"abc"^^xsd:decimal is not a number: it is not drawn, and the caption says which value was left out."""
    query = "PREFIX ex: <http://example.org/>\nSELECT ?s ?n WHERE { ?s ex:size ?n } ORDER BY ?s"
    spec = charts.spec_of(charts.chart(query, fixture_graph))
    assert spec["usermeta"]["micgraph"]["kind"] == "bar"
    assert [row["n"] for row in spec["data"]["values"]] == [3, 5.5, None]
    assert "Not drawn, not numbers: ?n 'abc'" in spec["title"]["subtitle"]


# --- the command --------------------------------------------------------------------------------------

def test_cli_kinds_and_formats_match_the_library():
    from micgraph.cli.chart import KIND_CHOICE

    assert tuple(KIND_CHOICE.choices) == charts.KINDS
    from micgraph import formats

    assert {formats.from_extension(f"x.{f.extension}", formats.CHART).name for f in formats.formats(formats.CHART)} \
        == set(formats.names(formats.CHART))


@pytest.mark.parametrize(("args", "message"), [
    (["china-vs-us-growth", "-o", "growth.pdf"],
     "growth.pdf names PDF, which is not a format for this output"),
    (["china-vs-us-growth", "-o", "growth.json"], "growth.json names"),
    (["ASK { ?s ?p ?o }"], "error: the query is not a SELECT"),
    (["centers-per-program", "--kind", "pie"], "Invalid value for '--kind'"),
])
def test_cli_errors(cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = cli("chart", *args, expect=2)
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []                                  # nothing written


def test_docs_show_the_real_error(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shown = re.search(r"^error: -o growth.pdf .*$", DOC.read_text("utf-8"), re.MULTILINE).group(0)
    assert cli("chart", "china-vs-us-growth", "-o", "growth.pdf", expect=2).stderr.strip() == shown


def test_cli_writes_svg_to_stdout_and_reads_stdin(cli):
    query = bundle.named_query("china-advanced-manufacturing-share").text
    out = cli("chart", "-", input=query).stdout
    assert out.startswith("<svg") and "1995" in out and "Sources:" in out
