"""GEXF 1.2 (Gephi) with typed attributes, and viz colour, shape, size and a starting position."""

from __future__ import annotations

from ...xmlwriter import XmlWriter
from .graphml import XSI_NS
from .projection import SHAPES, Projection, circle_positions, edge_columns, node_columns

GEXF_NS = "http://www.gexf.net/1.2draft"
GEXF_VIZ_NS = "http://www.gexf.net/1.2draft/viz"


def write(projection: Projection, lang: str = "en") -> bytes:
    """GEXF 1.2 with typed attributes and viz colour, shape, size and a starting position."""
    out = XmlWriter()
    out.open(
        "gexf",
        {
            "xmlns": GEXF_NS,
            "xmlns:viz": GEXF_VIZ_NS,
            "xmlns:xsi": XSI_NS,
            "version": "1.2",
            "xsi:schemaLocation": f"{GEXF_NS} http://www.gexf.net/1.2draft/gexf.xsd",
        },
    )
    out.open("meta")
    out.leaf("creator", None, "micgraph")
    out.leaf("description", None, f"micgraph network projection (labels: {lang})")
    out.close("meta")
    out.open("graph", {"mode": "static", "defaultedgetype": "directed"})
    node_keys, node_values = node_columns(projection, lang)
    key_ids = {}
    out.open("attributes", {"class": "node", "mode": "static"})
    for i, attribute in enumerate(k for k in node_keys if k.name != "label"):  # GEXF has its own label
        key_ids[attribute.name] = str(i)
        out.leaf("attribute", {"id": i, "title": attribute.name, "type": attribute.type})
    out.close("attributes")
    out.open("attributes", {"class": "edge", "mode": "static"})
    out.leaf("attribute", {"id": "property", "title": "property", "type": "string"})
    out.close("attributes")
    positions = circle_positions(projection)
    out.open("nodes")
    for n in projection.nodes:
        values = node_values[n.id]
        out.open("node", {"id": n.id, "label": values["label"]})
        out.open("attvalues")
        for name, value in values.items():
            if name in key_ids:
                out.leaf("attvalue", {"for": key_ids[name], "value": value})
        out.close("attvalues")
        style = projection.style(n.cls)
        red, green, blue = (int(style.color[i : i + 2], 16) for i in (1, 3, 5))
        out.leaf("viz:color", {"r": red, "g": green, "b": blue})
        x, y = positions[n.id]
        out.leaf("viz:position", {"x": x, "y": y, "z": 0.0})
        out.leaf("viz:size", {"value": 10.0})
        out.leaf("viz:shape", {"value": SHAPES[style.shape][1]})
        out.close("node")
    out.close("nodes")
    out.open("edges")
    for edge in projection.edges:
        columns = edge_columns(projection, edge, lang)
        out.open("edge", {"id": edge.id, "source": edge.source, "target": edge.target, "label": columns["label"]})
        out.open("attvalues")
        out.leaf("attvalue", {"for": "property", "value": columns["property"]})
        out.close("attvalues")
        out.close("edge")
    out.close("edges")
    out.close("graph")
    out.close("gexf")
    return out.document()
