"""Cytoscape.js JSON, as Cytoscape desktop writes it, with a style for the classes (also the explorer's data)."""

from __future__ import annotations

import json

from .projection import SHAPES, Projection, circle_positions, class_token, edge_columns, node_columns


def cytoscape_elements(projection: Projection, lang: str = "en") -> dict:
    """The Cytoscape.js element JSON ({nodes, edges}, each with `data` and `classes`) with positions."""
    _, node_values = node_columns(projection, lang)
    positions = circle_positions(projection)
    nodes = [
        {
            "data": {"id": n.id, **node_values[n.id]},
            "position": dict(zip("xy", positions[n.id])),
            "classes": class_token(n.cls),
        }
        for n in projection.nodes
    ]
    edges = [
        {
            "data": {"id": e.id, "source": e.source, "target": e.target, **edge_columns(projection, e, lang)},
            "classes": class_token(e.property),
        }
        for e in projection.edges
    ]
    return {"nodes": nodes, "edges": edges}


def cytoscape_style(projection: Projection) -> list[dict]:
    style = [
        {
            "selector": "node",
            "style": {
                "label": "data(label)",
                "font-size": 10,
                "text-valign": "center",
                "text-wrap": "wrap",
                "text-max-width": 140,
            },
        },
        {
            "selector": "edge",
            "style": {
                "curve-style": "bezier",
                "target-arrow-shape": "triangle",
                "width": 1,
                "line-color": "#888888",
                "target-arrow-color": "#888888",
            },
        },
    ]
    for cls in projection.classes:
        colours = projection.style(cls)
        style.append(
            {
                "selector": f"node.{class_token(cls)}",
                "style": {"background-color": colours.color, "shape": SHAPES[colours.shape][4]},
            }
        )
    return style


def write(projection: Projection, lang: str = "en") -> bytes:
    """Cytoscape.js JSON as Cytoscape desktop writes it (`elements`, `data`), plus a `style` for the classes."""
    document = {
        "format_version": "1.0",
        "generated_by": "micgraph",
        "target_cytoscapejs_version": "~3",
        "data": {"name": "micgraph", "lang": lang},
        "elements": cytoscape_elements(projection, lang),
        "style": cytoscape_style(projection),
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
