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


def render_dot(source: bytes, fmt: str = "svg", layout: str = "sfdp", timeout: float = 600,
               pinned: bool = False) -> Rendering:
    """Lay out and draw DOT `source` with Graphviz (`fmt` may also be `dot`: the laid-out graph);
    `pinned` draws a graph whose nodes all have positions already. Warnings are returned, failures raised."""
    if fmt != "dot":  # Graphviz's laid-out DOT, the first of the two passes
        fmt = formats.get(fmt, formats.PICTURE).name
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r}; use one of: {', '.join(LAYOUTS)}")
    engine = ["-Kneato", "-n2"] if pinned else [f"-K{layout}"]
    try:
        done = subprocess.run([graphviz(), *engine, f"-T{fmt}"], input=source, capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"Graphviz ({layout}) did not finish within {timeout:g} s; try --layout sfdp or --class "
                        "to draw fewer nodes") from exc
    messages = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    if done.returncode != 0 or not done.stdout:
        cause = next((m for m in messages if m.lower().startswith("error")), messages[0] if messages else
                     f"exit status {done.returncode}")
        raise ToolError(f"Graphviz ({layout}) failed: {cause}")
    return Rendering(done.stdout, messages)


def render_graph(store, *, fmt: str = "svg", layout: str = "sfdp", lang: str = "en", schema: bool = False,
                 classes: Iterable[str] = (), edge_labels: bool | None = None) -> Rendering:
    """A picture of the graph (the network projection of docs/visualization.md, with a legend).

    `edge_labels=None` labels the edges when there are at most EDGE_LABEL_LIMIT of them.
    """
    from .export.network import dot, project_store
    from .export.network.projection import check_language

    projection = project_store(store, schema=schema, classes=classes)
    if edge_labels is None:
        edge_labels = len(projection.edges) <= EDGE_LABEL_LIMIT
    source = dot.write(projection, check_language(lang), edge_labels=edge_labels)
    laid_out = render_dot(source, "dot", layout)
    rendering = render_dot(with_legend(laid_out.data.decode("utf-8"), projection, lang).encode("utf-8"), fmt,
                           layout, pinned=True)
    rendering.warnings[:0] = laid_out.warnings
    if fmt != "svg" and _CJK.search(source.decode("utf-8")) and has_cjk_font() is False:
        rendering.warnings.append(f"no font with Chinese glyphs is installed: Chinese labels are drawn as empty "
                                  f"boxes ({INSTALL_HINT})")
    return rendering


_BOUNDING_BOX = re.compile(r'\bbb="([-+\d.e]+),([-+\d.e]+),([-+\d.e]+),([-+\d.e]+)",?\s*')


def with_legend(laid_out: str, projection, lang: str) -> str:
    """Graphviz's laid-out DOT plus one pinned node per class, in a grid under the graph's bounding box."""
    from .export.network.dot import dot_node_style, dot_string
    from .results import text_width

    box = _BOUNDING_BOX.search(laid_out)
    if box is None:
        raise ToolError("Graphviz returned a layout without a bounding box")
    left, bottom, right, _ = map(float, box.groups())
    laid_out = laid_out[:box.start()] + laid_out[box.end():]  # let the drawing pass compute the new one
    entries = [(cls, projection.label(cls, lang) if cls else ("untyped" if lang == "en" else "无类型"))
               for cls in projection.classes]
    column = max((text_width(name) for _, name in entries), default=0) * 6.5 + 50
    columns = max(1, int((right - left) // column))
    title = "Legend" if lang == "en" else "图例"
    lines = [f'  "legend:title" [shape=plaintext, style="", fontsize=14, label={dot_string(title)}, '
             f'pos="{left + 30:.1f},{bottom - 40:.1f}!"];']
    for i, (cls, name) in enumerate(entries):
        row, col = divmod(i, columns)
        x, y = left + col * column + column / 2, bottom - 80 - row * 40
        lines.append(f'  "legend:{i}" [{dot_node_style(projection, cls, name)}, pos="{x:.1f},{y:.1f}!"];')
    end = laid_out.rstrip().rfind("}")
    return laid_out[:end] + "\n".join(lines) + "\n}\n"
