"""GraphML with typed keys, and yEd's graphics (colour, shape, label) so yEd shows the classes."""

from __future__ import annotations

from ...results import text_width
from ...xmlwriter import XmlWriter
from .projection import SHAPES, Projection, circle_positions, edge_columns, node_columns

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
YFILES_NS = "http://www.yworks.com/xml/graphml"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def _label_width(text: str) -> float:
    return float(max(40, 7 * text_width(text) + 16))


def write(projection: Projection, lang: str = "en") -> bytes:
    """GraphML with typed keys, and yEd's ShapeNode/PolyLineEdge graphics (colour, shape, label)."""
    out = XmlWriter()
    out.open(
        "graphml",
        {
            "xmlns": GRAPHML_NS,
            "xmlns:xsi": XSI_NS,
            "xmlns:y": YFILES_NS,
            "xsi:schemaLocation": f"{GRAPHML_NS} http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd",
        },
    )
    node_keys, node_values = node_columns(projection, lang)
    key_ids = {}
    for i, attribute in enumerate(node_keys):
        key_ids["node", attribute.name] = f"n{i}"
        out.leaf("key", {"id": f"n{i}", "for": "node", "attr.name": attribute.name, "attr.type": attribute.type})
    for i, name in enumerate(("label", "property")):
        key_ids["edge", name] = f"e{i}"
        out.leaf("key", {"id": f"e{i}", "for": "edge", "attr.name": name, "attr.type": "string"})
    out.leaf("key", {"id": "ng", "for": "node", "yfiles.type": "nodegraphics"})
    out.leaf("key", {"id": "eg", "for": "edge", "yfiles.type": "edgegraphics"})
    out.open("graph", {"id": "micgraph", "edgedefault": "directed"})
    positions = circle_positions(projection)
    for n in projection.nodes:
        out.open("node", {"id": n.id})
        for name, value in node_values[n.id].items():
            out.leaf("data", {"key": key_ids["node", name]}, value)
        style, label = projection.style(n.cls), str(node_values[n.id]["label"])
        out.open("data", {"key": "ng"})
        out.open("y:ShapeNode")
        x, y = positions[n.id]
        out.leaf("y:Geometry", {"x": x, "y": y, "width": _label_width(label), "height": 30.0})
        out.leaf("y:Fill", {"color": style.color, "transparent": "false"})
        out.leaf("y:BorderStyle", {"color": "#333333", "type": "line", "width": "1.0"})
        out.leaf("y:NodeLabel", None, label)
        out.leaf("y:Shape", {"type": SHAPES[style.shape][0]})
        out.close("y:ShapeNode")
        out.close("data")
        out.close("node")
    for edge in projection.edges:
        out.open("edge", {"id": edge.id, "source": edge.source, "target": edge.target})
        columns = edge_columns(projection, edge, lang)
        for name, value in columns.items():
            out.leaf("data", {"key": key_ids["edge", name]}, value)
        out.open("data", {"key": "eg"})
        out.open("y:PolyLineEdge")
        out.leaf("y:LineStyle", {"color": "#888888", "type": "line", "width": "1.0"})
        out.leaf("y:Arrows", {"source": "none", "target": "standard"})
        out.leaf("y:EdgeLabel", None, columns["label"])
        out.close("y:PolyLineEdge")
        out.close("data")
        out.close("edge")
    out.close("graph")
    out.close("graphml")
    return out.document()
