"""Graphviz DOT: nodes filled with their class colour and shape, CJK-capable fonts, http(s) IRIs as links."""

from __future__ import annotations

from ...namespaces import compact
from .projection import FONTS, SHAPES, Projection, class_token, safe_link, text_color


def dot_string(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as DOT's \\n."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def dot_left_justified(text: str) -> str:
    """A DOT double-quoted string whose lines are each left-justified in the node (DOT's \\l)."""
    return '"' + "".join(line.replace("\\", "\\\\").replace('"', '\\"') + "\\l" for line in text.split("\n")) + '"'


def wrap_label(text: str, width: int = 24) -> str:
    """Break a long label on spaces; a line of CJK text (which has none) every `width` // 2 characters,
    a CJK character being about twice as wide as a Latin one."""
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    wide = width // 2
    return "\n".join(
        chunk
        for line in [*lines, current]
        for chunk in (
            [line]
            if line.isascii() or len(line) <= wide + 2
            else [line[i : i + wide] for i in range(0, len(line), wide)]
        )
    )


def dot_node_style(projection: Projection, cls: str | None, label: str, *, boxed: bool = False) -> str:
    """The DOT attributes that draw a node of class `cls`: label, shape (a rounded box for all when
    `boxed`: the most compact), fill colour, a label colour that reads on it, SVG class. An untyped
    node is white with a dashed outline."""
    style = projection.style(cls)
    _, _, shape, extra, _ = SHAPES["roundrectangle" if boxed else style.shape]
    styles = "filled" + (f",{extra}" if extra else "") + ("" if cls else ",dashed")
    return (
        f"label={dot_string(wrap_label(label))}, shape={shape}, style={dot_string(styles)}, "
        f"fillcolor={dot_string(style.color)}, fontcolor={dot_string(text_color(style.color))}, "
        f"class={dot_string(class_token(cls))}"
    )


def node_line(projection: Projection, node, lang: str, *, boxed: bool = False, indent: str = "  ") -> str:
    """One node statement: its style, its compact IRI as tooltip and its http(s) IRI as link."""
    link = f", URL={dot_string(node.id)}" if safe_link(node.id) else ""
    tooltip = compact(node.id) if not node.id.startswith("_:") else node.id
    return (
        f"{indent}{dot_string(node.id)} [{dot_node_style(projection, node.cls, projection.label(node.id, lang), boxed=boxed)}, "
        f"tooltip={dot_string(tooltip)}{link}];"
    )


def write(projection: Projection, lang: str = "en", *, edge_labels: bool = True, graph_attributes: str = "") -> bytes:
    """Graphviz DOT: nodes filled with their class colour and shape, CJK-capable fonts, IRIs as links;
    `graph_attributes` are added to the graph's (`rankdir=LR`, say)."""
    font = dot_string(FONTS)
    extra = f", {graph_attributes}" if graph_attributes else ""
    lines = [
        "digraph micgraph {",
        f"  graph [fontname={font}, fontsize=12, overlap=false, outputorder=edgesfirst{extra}];",
        f'  node [fontname={font}, fontsize=10, style=filled, penwidth=0.6, color="#333333"];',
        f'  edge [fontname={font}, fontsize=8, color="#888888", fontcolor="#555555", arrowsize=0.6];',
    ]

    lines.extend(node_line(projection, n, lang) for n in projection.nodes)
    for edge in projection.edges:
        label = f" [label={dot_string(projection.label(edge.property, lang))}]" if edge_labels else ""
        lines.append(f"  {dot_string(edge.source)} -> {dot_string(edge.target)}{label};")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")
