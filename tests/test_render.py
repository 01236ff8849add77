"""`micgraph render`: Graphviz draws the projection (SVG, PNG, PDF) with a legend and Chinese labels in a
CJK font; a missing Graphviz or a Graphviz failure is a one-line error."""

from __future__ import annotations

import re
import subprocess
from xml.etree import ElementTree

import pytest

from conftest import FIXTURES, require_tool

NETWORK = FIXTURES / "viz" / "network.ttl"
SVG = "{http://www.w3.org/2000/svg}"
INNOVATION_CENTER = "https://w3id.org/micgraph/ontology#InnovationCenter"


@pytest.fixture
def dot():
    return require_tool("dot", "Debian: apt-get install graphviz fonts-wqy-microhei")


def fixture_projection(**options):
    from micgraph.export.network import project_store
    from micgraph.stores import open_graph

    return project_store(open_graph([NETWORK], bundled=False), **options)


def svg_nodes(svg: bytes, legend: bool = False) -> list[ElementTree.Element]:
    """The graph's nodes in Graphviz's SVG (or, with `legend`, the legend's)."""
    root = ElementTree.fromstring(svg)
    return [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").split()[:1] == ["node"]
            and g.find(f"{SVG}title").text.startswith("legend:") == legend]


def fill(node: ElementTree.Element) -> str:
    shape = next(e for e in node.iter() if e.tag in (f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}path"))
    return shape.get("fill").upper()


def svg_texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ElementTree.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize("layout", ["sfdp", "dot", "neato", "fdp"])
def test_render_svg_draws_every_node_with_its_label_and_a_legend(cli, dot, tmp_path, layout):
    target = tmp_path / "graph.svg"
    cli("render", "--no-bundled", "--data", str(NETWORK), "--lang", "zh", "--layout", layout, "-o", str(target))
    svg = target.read_bytes()
    projection = fixture_projection()
    nodes = svg_nodes(svg)
    assert len(nodes) == len(projection.nodes)
    assert {n.find(f"{SVG}title").text for n in nodes} == {n.id for n in projection.nodes}
    texts = svg_texts(svg)
    assert "国家动力电池创新中心" in texts and "所属计划" in texts  # a node label and an edge label
    center = next(n for n in nodes if n.find(f"{SVG}title").text.endswith("cn-mic-power-battery"))
    assert "mic_InnovationCenter" in center.get("class")
    # the legend: one node per class, drawn like that class's nodes and named in the chosen language
    assert "图例" in texts
    legend = [n for n in svg_nodes(svg, legend=True) if n.find(f"{SVG}title").text != "legend:title"]
    assert len(legend) == len(projection.classes)
    sample = next(n for n in legend if "mic_InnovationCenter" in n.get("class"))
    assert [t.text for t in sample.iter(f"{SVG}text")] == ["创新中心"]
    assert fill(sample) == fill(center) == projection.style(INNOVATION_CENTER).color
    legend_top = max(float(t.get("y")) for n in legend for t in n.iter(f"{SVG}text"))
    graph_bottom = max(float(t.get("y")) for n in nodes for t in n.iter(f"{SVG}text"))
    assert legend_top > graph_bottom  # SVG y grows downwards: the legend sits under the graph


def test_render_png_draws_chinese_with_a_cjk_font(cli, dot, tmp_path):
    target = tmp_path / "graph.png"
    result = cli("render", "--no-bundled", "--data", str(NETWORK), "--lang", "zh", "-o", str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "warning" not in result.stderr
    # ask Graphviz which font file it draws our font list with, and fontconfig whether that file has Chinese
    from micgraph.export.network import FONTS

    verbose = subprocess.run([dot, "-v", "-Tpng", "-o", str(tmp_path / "probe.png")], capture_output=True, text=True,
                             input=f'digraph {{ node [fontname="{FONTS}"]; a [label="国家动力电池创新中心"]; }}').stderr
    resolved = re.search(r'resolved to: .* (/\S+)$', verbose, re.M)
    assert resolved, verbose
    chinese_fonts = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True).stdout
    assert resolved.group(1) in chinese_fonts


def test_render_pdf_and_stdout(cli, dot):
    out = cli("render", "--no-bundled", "--data", str(NETWORK), "--format", "pdf").stdout_bytes
    assert out.startswith(b"%PDF-")
    out = cli("render", "--no-bundled", "--data", str(NETWORK)).stdout_bytes
    assert b"<svg" in out


def test_render_class_filter_and_edge_labels(cli, dot):
    svg = cli("render", "--no-bundled", "--data", str(NETWORK), "--class", "mic:InnovationCenter",
              "--class", "mic:Program", "--no-edge-labels").stdout_bytes
    assert len(svg_nodes(svg)) == len(fixture_projection(classes=["mic:InnovationCenter", "mic:Program"]).nodes) == 4
    assert "part of program" not in svg_texts(svg)
    svg = cli("render", "--no-bundled", "--data", str(NETWORK), "--class", "mic:InnovationCenter",
              "--class", "mic:Program").stdout_bytes
    assert "part of program" in svg_texts(svg)  # few edges: labelled by default


def test_render_is_deterministic(cli, dot):
    first = cli("render", "--no-bundled", "--data", str(NETWORK)).stdout_bytes
    assert cli("render", "--no-bundled", "--data", str(NETWORK)).stdout_bytes == first


def test_missing_graphviz_is_a_clear_error(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no `dot` on it
    result = cli("render", "--no-bundled", "--data", str(NETWORK), "-o", str(tmp_path / "g.svg"), expect=2)
    assert result.stderr == ("error: Graphviz is not installed: `dot` is not on PATH "
                             "(Debian: apt-get install graphviz fonts-wqy-microhei)\n")
    assert not (tmp_path / "g.svg").exists()


def test_graphviz_failure_is_reported_in_one_line(dot):
    from micgraph.errors import ToolError
    from micgraph.render import render_dot

    with pytest.raises(ToolError, match=r"^Graphviz \(dot\) failed: .*syntax error in line 1"):
        render_dot(b"digraph { a -> }", "svg", "dot")


def test_render_option_errors(cli, tmp_path):
    result = cli("render", "--no-bundled", "--data", str(NETWORK), "-o", str(tmp_path / "g.jpg"), expect=2)
    assert "name it .svg, .png or .pdf" in result.stderr
    result = cli("render", "--no-bundled", "--data", str(FIXTURES / "core" / "malformed.ttl"), expect=2)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_png_without_a_cjk_font_warns(cli, dot, tmp_path, monkeypatch):
    require_tool("fc-list", "Debian: apt-get install fontconfig")
    config = tmp_path / "fonts.conf"  # a fontconfig that knows only an empty font folder
    (tmp_path / "no-fonts").mkdir()
    config.write_text(f'<?xml version="1.0"?><fontconfig><dir>{tmp_path / "no-fonts"}</dir>'
                      f'<cachedir>{tmp_path / "cache"}</cachedir></fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    result = cli("render", "--no-bundled", "--data", str(NETWORK), "--lang", "zh", "-o", str(tmp_path / "g.png"))
    assert "warning: no font with Chinese glyphs is installed" in result.stderr
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


def test_render_the_bundled_graph(cli, dot, tmp_path, bundled_graph):
    from micgraph.export.network import project_store

    target = tmp_path / "overview.svg"
    cli("render", "-o", str(target))
    projection = project_store(bundled_graph)
    svg = target.read_bytes()
    assert len(svg_nodes(svg)) == len(projection.nodes) > 100
    assert len(svg_nodes(svg, legend=True)) == len(projection.classes) + 1  # and the title
