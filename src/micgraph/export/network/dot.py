"""Graphviz DOT: nodes filled with their class colour and shape, CJK-capable fonts, http(s) IRIs as links."""

from __future__ import annotations

from ...namespaces import compact
from .projection import FONTS, SHAPES, Projection, class_token, safe_link

def dot_string(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as DOT's \\n."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def wrap_label(text: str, width: int = 24) -> str:
    """Break a long label on spaces (CJK text has none and stays on one line)."""
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return "\n".join([*lines, current])


def dot_node_style(projection: Projection, cls: str | None, label: str) -> str:
    """The DOT attributes that draw a node of class `cls`: label, shape, fill colour, SVG class."""
    style = projection.style(cls)
    _, _, shape, extra, _ = SHAPES[style.shape]
    styles = "filled" + (f",{extra}" if extra else "")
    return (f"label={dot_string(wrap_label(label))}, shape={shape}, style={dot_string(styles)}, "
            f"fillcolor={dot_string(style.color)}, class={dot_string(class_token(cls))}")


def write(projection: Projection, lang: str = "en", *, edge_labels: bool = True) -> bytes:
    """Graphviz DOT: nodes filled with their class colour and shape, CJK-capable fonts, IRIs as links."""
    font = dot_string(FONTS)
    lines = ["digraph micgraph {",
             f"  graph [fontname={font}, fontsize=12, overlap=false, outputorder=edgesfirst];",
             f"  node [fontname={font}, fontsize=10, style=filled, penwidth=0.6, color=\"#333333\"];",
             f"  edge [fontname={font}, fontsize=8, color=\"#888888\", fontcolor=\"#555555\", arrowsize=0.6];"]

    for n in projection.nodes:
        link = f", URL={dot_string(n.id)}" if safe_link(n.id) else ""
        lines.append(f"  {dot_string(n.id)} [{dot_node_style(projection, n.cls, projection.label(n.id, lang))}, "
                     f"tooltip={dot_string(compact(n.id) if not n.id.startswith('_:') else n.id)}{link}];")
    for edge in projection.edges:
        label = f" [label={dot_string(projection.label(edge.property, lang))}]" if edge_labels else ""
        lines.append(f"  {dot_string(edge.source)} -> {dot_string(edge.target)}{label};")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")
