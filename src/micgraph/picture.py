"""Draw the graph with Graphviz: the network projection written as DOT, laid out by `dot`, `neato`, `fdp`
or `sfdp`, then a legend added below it and the whole drawn as SVG, PNG or PDF.

The legend is made of real nodes (so it shows each class's shape as well as its colour, which an HTML
table label could not): the first pass lays the graph out (`-Tdot` gives positions), the legend nodes are
pinned in a grid under its bounding box, and `neato -n2` draws everything where it stands.

Chinese labels need a CJK font that fontconfig can find (Debian: fonts-wqy-microhei or fonts-noto-cjk);
without one Graphviz draws empty boxes in PNG and PDF, so a missing font is reported as a warning.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import formats
from .errors import ToolError, UsageError
from .namespaces import expand
from .views import DEFAULT_VIEW

LAYOUTS = ("sfdp", "dot", "neato", "fdp")
EDGE_LABEL_LIMIT = 200  # more edges than this: edge labels only on request, or they bury the picture
INSTALL_HINT = "Debian: apt-get install graphviz fonts-wqy-microhei"
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass
class Rendering:
    data: bytes
    warnings: list[str] = field(default_factory=list)


def graphviz() -> str:
    path = shutil.which("dot")
    if path is None:
        raise ToolError(f"Graphviz is not installed: `dot` is not on PATH ({INSTALL_HINT})")
    return path


def has_cjk_font() -> bool | None:
    """Whether fontconfig knows a font with Chinese glyphs (None when fontconfig's fc-list is missing)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def render_dot(
    source: bytes, fmt: str = "svg", layout: str = "sfdp", timeout: float = 600, pinned: bool = False
) -> Rendering:
    """Lay out and draw DOT `source` with Graphviz (`fmt` may also be `dot`: the laid-out graph);
    `pinned` draws a graph whose nodes all have positions already. Warnings are returned, failures raised."""
    if fmt != "dot":  # Graphviz's laid-out DOT, the first of the two passes
        fmt = formats.get(fmt, formats.PICTURE).name
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r}; use one of: {', '.join(LAYOUTS)}")
    engine = ["-Kneato", "-n2"] if pinned else [f"-K{layout}"]
    try:
        done = subprocess.run(
            [graphviz(), *engine, f"-T{fmt}"], input=source, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ToolError(
            f"Graphviz ({layout}) did not finish within {timeout:g} s; try --layout sfdp or --class to draw fewer nodes"
        ) from exc
    messages = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    if done.returncode != 0 or not done.stdout:
        cause = next(
            (m for m in messages if m.lower().startswith("error")),
            messages[0] if messages else f"exit status {done.returncode}",
        )
        raise ToolError(f"Graphviz ({layout}) failed: {cause}")
    return Rendering(done.stdout, messages)


# A view drawn by `dot` runs in columns from left to right (a programme, its centres, their fields, their
# cities), which keeps the picture as narrow as a page, and boxes each programme with its own.
LAYERED = "rankdir=LR, newrank=true, nodesep=0.1, ranksep=0.3, pad=0.2"
BOXED_NODES = 'margin="0.06,0.03", height=0.2'
CLUSTER_STYLE = 'style="rounded,filled", fillcolor="#F4F6F8", color="#C5CCD3", penwidth=0.8, label=""'
ORDER_ROOT = "order:root"  # an invisible node whose edges, in order, put the boxes in that order top to bottom


def render_graph(
    store,
    *,
    view: str = DEFAULT_VIEW,
    fmt: str = "svg",
    layout: str | None = None,
    lang: str = "en",
    schema: bool = False,
    classes: Iterable[str] = (),
    edge_labels: bool | None = None,
) -> Rendering:
    """A picture of one view of the graph (views.py; `all`: the network projection of
    docs/visualization.md), with a legend.

    `layout=None` draws a view with `dot` and the whole graph with `sfdp`; `edge_labels=None` labels the
    edges as the view says, and those of the whole graph when there are at most EDGE_LABEL_LIMIT.
    """
    from .export.network import dot
    from .export.network.projection import check_language
    from .views import get_view, project_view

    lang = check_language(lang)
    chosen = get_view(view)
    projection = project_view(store, view, classes=classes, schema=schema)
    layout = layout or ("sfdp" if chosen.construct is None else "dot")
    if chosen.construct is None:
        labelled = len(projection.edges) <= EDGE_LABEL_LIMIT if edge_labels is None else edge_labels
        source = dot.write(projection, lang, edge_labels=labelled, graph_attributes=LAYERED if layout == "dot" else "")
    else:
        source = view_dot(projection, chosen, lang, layout, chosen.edge_labels if edge_labels is None else edge_labels)
    laid_out = render_dot(source, "dot", layout)
    legend = with_legend(
        laid_out.data.decode("utf-8"),
        projection,
        lang,
        boxed=chosen.construct is not None,
        classes=None if chosen.construct is None else reading_order(projection, chosen, lang),
    )
    rendering = render_dot(legend.encode("utf-8"), fmt, layout, pinned=True)
    rendering.warnings[:0] = laid_out.warnings
    if fmt != "svg" and _CJK.search(source.decode("utf-8")) and has_cjk_font() is False:
        rendering.warnings.append(
            f"no font with Chinese glyphs is installed: Chinese labels are drawn as empty boxes ({INSTALL_HINT})"
        )
    return rendering


def view_dot(projection, view, lang: str, layout: str, edge_labels: bool) -> bytes:
    """A view as DOT: rounded boxes; with `dot`, columns from left to right and a box per cluster (views.py),
    in cluster_order from top to bottom. Edges of the view's cluster_by properties (a centre's programme)
    are unlabelled, the boxes saying it, and written head first with dir=back, so the programme comes
    before its centres while the arrow still points at it; those of its `further` properties skip a column."""
    from .export.network.dot import FONTS, dot_string, node_line
    from .views import cluster_order, clusters

    font = dot_string(FONTS)
    layered = layout == "dot"
    grouping, further = {expand(p) for p in view.cluster_by}, {expand(p) for p in view.further}
    graph = f"fontname={font}, fontsize=12, overlap=false, outputorder=edgesfirst" + (f", {LAYERED}" if layered else "")
    lines = [
        f"digraph {dot_string(view.title[lang])} {{",  # the SVG's <title>: what a screen reader says of it
        f"  graph [{graph}];",
        f'  node [fontname={font}, fontsize=10, style=filled, penwidth=0.6, color="#333333", {BOXED_NODES}];',
        f'  edge [fontname={font}, fontsize=8, color="#888888", fontcolor="#555555", arrowsize=0.6];',
    ]
    box = clusters(projection, view) if layered else {}
    heads = cluster_order(projection, box, lang)
    for i, head in enumerate(heads):
        lines.append(f"  subgraph {dot_string(f'cluster_{i}')} {{")
        lines.append(f"    graph [{CLUSTER_STYLE}, id={dot_string(f'box:{head}')}];")
        lines.extend(
            node_line(projection, n, lang, boxed=True, indent="    ") for n in projection.nodes if box.get(n.id) == head
        )
        lines.append("  }")
    lines.extend(node_line(projection, n, lang, boxed=True) for n in projection.nodes if n.id not in box)
    if len(heads) > 1:
        lines.append(f'  {dot_string(ORDER_ROOT)} [style=invis, label="", width=0, height=0, margin=0, ordering=out];')
        lines.extend(f"  {dot_string(ORDER_ROOT)} -> {dot_string(head)} [style=invis];" for head in heads)
    for edge in projection.edges:
        source, target = dot_string(edge.source), dot_string(edge.target)
        if edge.property in grouping:
            lines.append(f"  {target} -> {source} [dir=back];")
            continue
        options = [f"label={dot_string(projection.label(edge.property, lang))}"] if edge_labels else []
        if layered and edge.property in further:
            options.append("minlen=2")
        lines.append(f"  {source} -> {target}" + (f" [{', '.join(options)}]" if options else "") + ";")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def reading_order(projection, view, lang: str) -> list[str | None]:
    """The view's classes in the order its columns are read: by how many steps their nearest node is
    from a box's head (a programme, 0; its centres, 1; their fields, 2; cities, drawn a column further, 3),
    then by name."""
    from .views import cluster_order, clusters

    further = {expand(p) for p in view.further}
    steps = {head: 0 for head in cluster_order(projection, clusters(projection, view), lang)}
    changed = True
    while changed:  # shortest paths over the undirected edges, a `further` edge counting two
        changed = False
        for edge in projection.edges:
            length = 2 if edge.property in further else 1
            for a, b in ((edge.source, edge.target), (edge.target, edge.source)):
                if a in steps and steps[a] + length < steps.get(b, float("inf")):
                    steps[b] = steps[a] + length
                    changed = True
    nearest: dict[str | None, float] = {}
    for node in projection.nodes:
        nearest[node.cls] = min(nearest.get(node.cls, float("inf")), steps.get(node.id, float("inf")))
    return sorted(nearest, key=lambda cls: (nearest[cls], cls is None, class_name(projection, cls, lang)))


_BOUNDING_BOX = re.compile(r'\bbb="([-+\d.e]+),([-+\d.e]+),([-+\d.e]+),([-+\d.e]+)",?\s*')


LEGEND_SWATCH = (0.32, 0.2)  # inches: a small node drawn like the class's nodes


def with_legend(laid_out: str, projection, lang: str, *, classes: list | None = None, boxed: bool = False) -> str:
    """Graphviz's laid-out DOT plus the legend pinned under the graph's bounding box: for each class (in
    the order of `classes`, else the projection's), a small node drawn like its nodes and its name beside
    it, in as many columns as the picture's width holds."""
    from .export.network.dot import (
        dot_left_justified,
        dot_node_style,
        dot_string,
        wrap_label,
    )
    from .results import text_width

    box = _BOUNDING_BOX.search(laid_out)
    if box is None:
        raise ToolError("Graphviz returned a layout without a bounding box")
    left, bottom, right, _ = map(float, box.groups())
    laid_out = laid_out[: box.start()] + laid_out[box.end() :]  # let the drawing pass compute the new one
    entries = [(cls, wrap_label(class_name(projection, cls, lang), 34)) for cls in (classes or projection.classes)]
    widest = max((text_width(line) for _, name in entries for line in name.split("\n")), default=0)
    swatch_width, swatch_height = LEGEND_SWATCH
    text_box = widest * 6.0 + 12  # points: about 0.6 em per column at 10 pt, and room to spare
    column = swatch_width * 72 + 8 + text_box + 24
    columns = max(1, min(len(entries), int((right - left) // column)))
    title = "Legend" if lang == "en" else "图例"
    lines = [
        (
            f'  "legend:title" [shape=plaintext, style="", fontsize=11, label={dot_string(title)}, '
            f'pos="{left + 24:.1f},{bottom - 24:.1f}!"];'
        )
    ]
    top = bottom - 36  # under the title
    for i, (cls, name) in enumerate(entries):
        col = i % columns
        if col == 0:
            lines_in_row = max(len(other.split("\n")) for _, other in entries[i : i + columns])
            y = top - (lines_in_row * 14 + 8) / 2
            top -= lines_in_row * 14 + 8
        x = left + 8 + col * column + swatch_width * 36
        lines.append(
            f'  "legend:{i}" [{dot_node_style(projection, cls, "", boxed=boxed)}, width={swatch_width}, '
            f'height={swatch_height}, fixedsize=true, pos="{x:.1f},{y:.1f}!"];'
        )
        text_x = x + swatch_width * 36 + 8 + text_box / 2
        height = len(name.split("\n")) * 14 / 72
        lines.append(
            f'  "legend:{i}:name" [shape=plaintext, style="", margin=0, fixedsize=true, '
            f"width={text_box / 72:.3f}, height={height:.3f}, label={dot_left_justified(name)}, "
            f'pos="{text_x:.1f},{y:.1f}!"];'
        )
    end = laid_out.rstrip().rfind("}")
    return laid_out[:end] + "\n".join(lines) + "\n}\n"


def class_name(projection, cls: str | None, lang: str) -> str:
    """The class's label in `lang`, capitalised as a legend entry is ("city" -> "City")."""
    if cls is None:
        return "untyped" if lang == "en" else "无类型"
    name = projection.label(cls, lang)
    return name[:1].upper() + name[1:] if name[:1].isascii() else name
