"""The graph as a network for visualisation tools: the projection (projection.py) and one writer per format.

Each writer module has `write(projection, lang) -> bytes`; Gephi's CSV pair is a folder (gephi.py).
"""

from __future__ import annotations

import importlib

from ... import formats
from ...errors import UsageError
from .projection import Projection, check_language, project, project_construct, project_store

__all__ = ["Projection", "project", "project_construct", "project_store", "serialize_network"]

# registry name -> the module that writes it (the explorer page is export/html.py)
_WRITERS = {"graphml": ".graphml", "gexf": ".gexf", "dot": ".dot", "cytoscape": ".cytoscape", "html": "..html"}


def serialize_network(projection: Projection, fmt: str, lang: str = "en", *, store=None) -> bytes:
    """The projection in a one-file network format of the registry (graphml, gexf, dot, cytoscape, html).
    The explorer page (html) also reads `store`, the graph the projection comes from, for the view it
    opens on and its map."""
    name = formats.get(fmt, formats.NETWORK, writable=True).name
    if name not in _WRITERS:
        raise UsageError(f"{name} is written into a folder: use export_csv")
    writer = importlib.import_module(_WRITERS[name], __name__)
    if name == "html":
        return writer.write(projection, check_language(lang), store=store)
    return writer.write(projection, check_language(lang))
