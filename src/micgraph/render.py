"""Draw the graph with Graphviz: the network projection written as DOT (with a legend of the classes),
laid out by `dot`, `neato`, `fdp` or `sfdp`, rendered to SVG, PNG or PDF.

Chinese labels need a CJK font that fontconfig can find (Debian: fonts-wqy-microhei or fonts-noto-cjk);
without one Graphviz draws empty boxes in PNG and PDF, so a missing font is reported as a warning.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import ToolError, UsageError

RENDER_FORMATS = ("svg", "png", "pdf")
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


def render_dot(source: bytes, fmt: str = "svg", layout: str = "sfdp", timeout: float = 600) -> Rendering:
    """Lay out and draw DOT `source` with Graphviz; its warnings are returned, its failures raised."""
    if fmt not in RENDER_FORMATS:
        raise UsageError(f"unknown picture format {fmt!r}; use one of: {', '.join(RENDER_FORMATS)}")
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r}; use one of: {', '.join(LAYOUTS)}")
    try:
        done = subprocess.run([graphviz(), f"-K{layout}", f"-T{fmt}"], input=source, capture_output=True,
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
    from .export.network import check_language, project_store, to_dot

    projection = project_store(store, schema=schema, classes=classes)
    if edge_labels is None:
        edge_labels = len(projection.edges) <= EDGE_LABEL_LIMIT
    source = to_dot(projection, check_language(lang), legend=True, edge_labels=edge_labels)
    rendering = render_dot(source, fmt, layout)
    if fmt != "svg" and _CJK.search(source.decode("utf-8")) and has_cjk_font() is False:
        rendering.warnings.append(f"no font with Chinese glyphs is installed: Chinese labels are drawn as empty "
                                  f"boxes ({INSTALL_HINT})")
    return rendering
