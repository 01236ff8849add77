"""`micgraph render`: Graphviz draws a view of the graph (SVG, PNG, PDF), boxed by programme, with a legend
and Chinese labels in a CJK font, and no label over another; `--view all` draws the whole projection; a
missing Graphviz or a Graphviz failure is a one-line error."""

from __future__ import annotations

import re
import subprocess
from xml.etree import ElementTree

import pytest

from conftest import FIXTURES, require_tool
from svgboxes import boxes, overlapping

NETWORK = FIXTURES / "viz" / "network.ttl"
WHOLE = ["--view", "all", "--no-bundled", "--data", str(NETWORK)]  # the fixture, every node of it
SVG = "{http://www.w3.org/2000/svg}"
INNOVATION_CENTER = "https://w3id.org/micgraph/ontology#InnovationCenter"


@pytest.fixture
def dot():
    return require_tool("dot", "Debian: apt-get install graphviz fonts-wqy-microhei")


def fixture_projection(**options):
    from micgraph.export.network import project_store
    from micgraph.graph import open_graph

    return project_store(open_graph([NETWORK], bundled=False), **options)


def svg_nodes(svg: bytes, legend: bool = False) -> list[ElementTree.Element]:
    """The graph's nodes in Graphviz's SVG (or, with `legend`, the legend's swatches and names)."""
    root = ElementTree.fromstring(svg)
    return [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").split()[:1] == ["node"]
            and g.find(f"{SVG}title").text.startswith("legend:") == legend
            and g.find(f"{SVG}title").text != "order:root"]


def legend_entries(svg: bytes) -> list[tuple[ElementTree.Element, str]]:
    """(swatch, name) for each class in the legend, in order."""
    nodes = {n.find(f"{SVG}title").text: n for n in svg_nodes(svg, legend=True)}
    return [(nodes[f"legend:{i}"], " ".join(t.text for t in nodes[f"legend:{i}:name"].iter(f"{SVG}text")))
            for i in range(len(nodes)) if f"legend:{i}" in nodes]


def fill(node: ElementTree.Element) -> str:
    shape = next(e for e in node.iter() if e.tag in (f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}path"))
    return shape.get("fill").upper()


def svg_texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ElementTree.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize("layout", ["sfdp", "dot", "neato", "fdp"])
def test_render_svg_draws_every_node_with_its_label_and_a_legend(cli, dot, tmp_path, layout):
    target = tmp_path / "graph.svg"
    cli("render", *WHOLE, "--lang", "zh", "--layout", layout, "-o", str(target))
    svg = target.read_bytes()
    projection = fixture_projection()
    nodes = svg_nodes(svg)
    assert len(nodes) == len(projection.nodes)
    assert {n.find(f"{SVG}title").text for n in nodes} == {n.id for n in projection.nodes}
    texts = svg_texts(svg)
    assert "国家动力电池创新中心" in texts and "所属计划" in texts  # a node label and an edge label
    center = next(n for n in nodes if n.find(f"{SVG}title").text.endswith("cn-mic-power-battery"))
    assert "mic_InnovationCenter" in center.get("class")
    # the legend: one swatch per class, drawn like that class's nodes and named in the chosen language
    assert "图例" in texts
    legend = legend_entries(svg)
    assert len(legend) == len(projection.classes)
    sample, name = next((swatch, name) for swatch, name in legend if "mic_InnovationCenter" in swatch.get("class"))
    assert name == "创新中心"
    assert fill(sample) == fill(center) == projection.style(INNOVATION_CENTER).color
    legend_top = min(float(t.get("y")) for n in svg_nodes(svg, legend=True) for t in n.iter(f"{SVG}text"))
    graph_bottom = max(float(t.get("y")) for n in nodes for t in n.iter(f"{SVG}text"))
    assert legend_top > graph_bottom  # SVG y grows downwards: the legend sits under the graph


def test_render_png_draws_chinese_with_a_cjk_font(cli, dot, tmp_path):
    target = tmp_path / "graph.png"
    result = cli("render", *WHOLE, "--lang", "zh", "-o", str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "warning" not in result.stderr
    # ask Graphviz which font file it draws our font list with, and fontconfig whether that file has Chinese
    from micgraph.export.network.projection import FONTS

    verbose = subprocess.run([dot, "-v", "-Tpng", "-o", str(tmp_path / "probe.png")], capture_output=True, text=True,
                             input=f'digraph {{ node [fontname="{FONTS}"]; a [label="国家动力电池创新中心"]; }}').stderr
    resolved = re.search(r'resolved to: .* (/\S+)$', verbose, re.M)
    assert resolved, verbose
    chinese_fonts = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True).stdout
    assert resolved.group(1) in chinese_fonts


def test_render_pdf_and_stdout(cli, dot):
    out = cli("render", *WHOLE, "--format", "pdf").stdout_bytes
    assert out.startswith(b"%PDF-")
    out = cli("render", *WHOLE).stdout_bytes
    assert b"<svg" in out


def test_render_class_filter_and_edge_labels(cli, dot):
    svg = cli("render", *WHOLE, "--class", "mic:InnovationCenter", "--class", "mic:Program",
              "--no-edge-labels").stdout_bytes
    assert len(svg_nodes(svg)) == len(fixture_projection(classes=["mic:InnovationCenter", "mic:Program"]).nodes) == 4
    assert "part of program" not in svg_texts(svg)
    svg = cli("render", *WHOLE, "--class", "mic:InnovationCenter", "--class", "mic:Program").stdout_bytes
    assert "part of program" in svg_texts(svg)  # few edges: labelled by default


def test_render_is_deterministic(cli, dot):
    first = cli("render", *WHOLE).stdout_bytes
    assert cli("render", *WHOLE).stdout_bytes == first


def test_missing_graphviz_is_a_clear_error(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no `dot` on it
    result = cli("render", *WHOLE, "-o", str(tmp_path / "g.svg"), expect=2)
    assert result.stderr == ("error: Graphviz is not installed: `dot` is not on PATH "
                             "(Debian: apt-get install graphviz fonts-wqy-microhei)\n")
    assert not (tmp_path / "g.svg").exists()


def test_graphviz_failure_is_reported_in_one_line(dot):
    from micgraph.errors import ToolError
    from micgraph.picture import render_dot

    with pytest.raises(ToolError, match=r"^Graphviz \(dot\) failed: .*syntax error in line 1"):
        render_dot(b"digraph { a -> }", "svg", "dot")


def test_render_option_errors(cli, tmp_path):
    result = cli("render", *WHOLE, "-o", str(tmp_path / "g.jpg"), expect=2)
    assert "cannot tell the format from the extension" in result.stderr
    result = cli("render", "--no-bundled", "--data", str(FIXTURES / "core" / "malformed.ttl"), expect=2)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    result = cli("render", "--view", "everything", expect=2)
    assert "'everything' is not one of 'programmes', 'centres'" in result.stderr
    result = cli("render", "--schema", expect=2)  # the T-box is drawn with the whole graph only
    assert result.stderr == "error: --schema draws the T-box of the whole graph: use it with --view all, not programmes\n"
    result = cli("render", "--view", "centres", "--no-bundled", "--data", str(NETWORK), expect=2)
    assert result.stderr == "error: view centres: the graph has nothing this view shows (try --view all)\n"


def test_png_without_a_cjk_font_warns(cli, dot, tmp_path, monkeypatch):
    require_tool("fc-list", "Debian: apt-get install fontconfig")
    config = tmp_path / "fonts.conf"  # a fontconfig that knows only an empty font folder
    (tmp_path / "no-fonts").mkdir()
    config.write_text(f'<?xml version="1.0"?><fontconfig><dir>{tmp_path / "no-fonts"}</dir>'
                      f'<cachedir>{tmp_path / "cache"}</cachedir></fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    result = cli("render", *WHOLE, "--lang", "zh", "-o", str(tmp_path / "g.png"))
    assert "warning: no font with Chinese glyphs is installed" in result.stderr
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow  # Graphviz lays out the whole graph
def test_render_the_whole_bundled_graph(cli, dot, tmp_path, bundled_graph):
    from micgraph.export.network import project_store

    target = tmp_path / "everything.svg"
    cli("render", "--view", "all", "-o", str(target))
    projection = project_store(bundled_graph)
    svg = target.read_bytes()
    assert len(svg_nodes(svg)) == len(projection.nodes) > 100
    assert len(legend_entries(svg)) == len(projection.classes)


# --- views of the bundled graph ----------------------------------------------------------------------

A4_TEXT_WIDTH = 453.0  # points: 16 cm, an A4 page less 2.5 cm margins (US letter's is wider)
MIN_PRINTED_FONT = 7.0  # points: the smallest text once the picture is scaled to that width


@pytest.fixture(scope="module")
def default_view(tmp_path_factory) -> bytes:
    """`micgraph render` of the bundled graph, with no option: the programmes view."""
    from click.testing import CliRunner

    from micgraph.cli import main

    require_tool("dot", "Debian: apt-get install graphviz fonts-wqy-microhei")
    target = tmp_path_factory.mktemp("render") / "default.svg"
    result = CliRunner().invoke(main, ["render", "-o", str(target)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return target.read_bytes()


def size(svg: bytes) -> tuple[float, float]:
    root = ElementTree.fromstring(svg)
    return float(root.get("width").removesuffix("pt")), float(root.get("height").removesuffix("pt"))


def font_sizes(svg: bytes) -> list[float]:
    return [float(t.get("font-size")) for t in ElementTree.fromstring(svg).iter(f"{SVG}text")]


def titles(nodes) -> set[str]:
    return {n.find(f"{SVG}title").text for n in nodes}


def test_default_view_is_programmes_their_centres_fields_and_cities(default_view, bundled_graph):
    from micgraph.query import run_query

    rows = run_query(bundled_graph, """SELECT ?programme ?centre ?field ?city WHERE { ?programme a mic:Program
        OPTIONAL { ?centre mic:program ?programme OPTIONAL { ?centre mic:technologyField ?field }
                   OPTIONAL { ?centre mic:city ?city } } }""").rows
    expected = {str(value) for row in rows for value in row.values() if value is not None}
    assert len(expected) > 140
    assert titles(svg_nodes(default_view)) == expected
    # each programme with centres has its box, and its centres are drawn inside it
    root = ElementTree.fromstring(default_view)
    frames = {g.get("id").removeprefix("box:"): g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster"}
    programmes = {str(row["programme"]) for row in rows}
    assert set(frames) == programmes
    found = boxes(default_view)
    node_box = {b.owner: b for b in found if b.kind == "node"}
    for programme, frame in frames.items():
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", frame.find(f"{SVG}path").get("d"))]
        xs, ys = numbers[::2], numbers[1::2]
        for centre in {str(row["centre"]) for row in rows if str(row["programme"]) == programme and row["centre"]}:
            inner = node_box[centre]
            assert min(xs) <= inner.x1 and inner.x2 <= max(xs) and min(ys) <= inner.y1 and inner.y2 <= max(ys)


def test_no_label_overlaps_another_in_the_default_view(default_view):
    found = boxes(default_view)
    texts = [b for b in found if b.kind == "text"]
    assert len(texts) > 150 and len([b for b in found if b.kind == "node"]) > 140
    assert overlapping(found) == []


def test_no_overlap_is_not_a_blind_measure(default_view):
    """The same measure finds the overlap of two labels written on top of each other."""
    root = ElementTree.fromstring(default_view)
    node = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "node mic_ChineseInnovationCenter")
    copy = ElementTree.fromstring(ElementTree.tostring(node))
    copy.find(f"{SVG}title").text = "a copy"
    for text in copy.iter(f"{SVG}text"):
        text.set("x", str(float(text.get("x")) + 6))
    next(root.iter(f"{SVG}g")).append(copy)
    clashes = overlapping(boxes(ElementTree.tostring(root)))
    assert {(a.kind, b.kind) for a, b in clashes} >= {("node", "node"), ("text", "text")}


def test_default_view_reads_at_a4_width_and_in_a_readme(default_view):
    width, height = size(default_view)
    scale = A4_TEXT_WIDTH / width
    assert min(font_sizes(default_view)) * scale >= MIN_PRINTED_FONT
    assert 0.15 < width / height < 2  # a column that pages through, not a strip nor a needle
    assert min(font_sizes(default_view)) * 800 / width >= 9  # pixels, when drawn 800 px wide


def test_overview_in_the_docs_is_the_default_view(default_view):
    from pathlib import Path

    overview = (Path(__file__).parents[1] / "docs" / "img" / "overview.svg").read_bytes()
    assert titles(svg_nodes(overview)) == titles(svg_nodes(default_view))
    assert [name for _, name in legend_entries(overview)] == [name for _, name in legend_entries(default_view)]
    width, height = size(overview)
    assert 0.15 < width / height < 2 and min(font_sizes(overview)) * 800 / width >= 9
    assert overlapping(boxes(overview)) == []


@pytest.mark.parametrize("view", ["programmes", "centres", "policies-and-measures", "sources"])
def test_every_view_gives_each_class_its_own_colour_and_overlaps_nothing(cli, dot, view):
    from micgraph.export.network.projection import PALETTE

    svg = cli("render", "--view", view).stdout_bytes
    legend = legend_entries(svg)
    fills = [fill(swatch) for swatch, _ in legend]
    assert len(legend) >= 4 and len(set(fills)) == len(fills) and set(fills) <= set(PALETTE)
    by_class = {swatch.get("class"): fill(swatch) for swatch, _ in legend}
    for node in svg_nodes(svg):
        assert fill(node) == by_class[node.get("class")]  # a node is drawn as its class in the legend
    assert overlapping(boxes(svg)) == []
    assert min(font_sizes(svg)) * A4_TEXT_WIDTH / size(svg)[0] >= 5.5  # the widest view, still legible


def grey_levels(color: str) -> tuple[float, float]:
    """(CIE L*, Rec. 601 luma 0-255): two usual ways a colour becomes grey on paper."""
    r, g, b = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lightness = 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y
    return lightness, 255 * (0.299 * r + 0.587 * g + 0.114 * b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio."""
    def luminance(color):
        channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_palette_prints_in_distinct_greys_and_labels_read_on_it():
    from micgraph.export.network.projection import PALETTE, UNTYPED_COLOR, text_color

    levels = sorted(grey_levels(c) for c in PALETTE)
    lightness, luma = [level[0] for level in levels], [level[1] for level in levels]
    assert luma == sorted(luma)  # both ways of printing in grey order the colours alike
    assert min(b - a for a, b in zip(lightness, lightness[1:])) >= 6
    assert min(b - a for a, b in zip(luma, luma[1:])) >= 13
    assert 255 - max(luma) >= 13 and round(grey_levels(UNTYPED_COLOR)[1]) == 255  # untyped: white, apart from all
    for color in PALETTE:
        assert contrast(color, text_color(color)) >= 4.5  # WCAG AA for the label drawn on it


@pytest.mark.slow  # Graphviz, once per example
def test_the_help_examples_draw_pictures_that_fit_a_page(cli, dot):
    """Every example in `render --help` runs, and none draws a strip (the --layout dot one once drew 9,878×484)."""
    import shlex

    help_text = cli("render", "--help").stdout
    examples = [shlex.split(line.strip())[2:] for line in help_text.splitlines() if line.strip().startswith("micgraph render")]
    assert any("--layout" in example for example in examples) and len(examples) >= 3
    for example in examples:
        arguments = [a for i, a in enumerate(example) if a != "-o" and (i == 0 or example[i - 1] != "-o")]
        svg = cli("render", *arguments, "--format", "svg").stdout_bytes
        width, height = size(svg)
        if "all" not in arguments:
            assert width <= 2 * A4_TEXT_WIDTH and 0.15 < width / height < 3, (example, width, height)
