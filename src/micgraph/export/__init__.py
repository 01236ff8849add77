"""Exports of the merged graph: RDF syntaxes (rdf.py), network formats for visualisation tools
(network.py) and the HTML explorer (html.py)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .rdf import DATASET_FORMATS, MEDIA_TYPES, RDF_EXPORT_FORMATS, canonical_quads, jsonld_context, serialize

NETWORK_EXPORT_FORMATS = ("graphml", "gexf", "dot", "cytoscape", "html")  # one file each; csv writes a folder

__all__ = ["DATASET_FORMATS", "MEDIA_TYPES", "NETWORK_EXPORT_FORMATS", "RDF_EXPORT_FORMATS", "canonical_quads",
           "export_construct", "export_csv", "export_network", "export_rdf", "jsonld_context", "serialize"]


def export_rdf(store, fmt: str = "turtle") -> bytes:
    """The whole store in `fmt`; Turtle/N-Triples/RDF-XML/JSON-LD merge the named graphs into one."""
    return serialize(store.quads(), fmt)


def _network_bytes(projection, fmt: str, lang: str) -> bytes:
    if fmt == "html":
        from .html import explorer_html

        return explorer_html(projection, lang)
    from .network import serialize_network

    return serialize_network(projection, fmt, lang)


def export_network(store, fmt: str, *, lang: str = "en", schema: bool = False, classes: Iterable[str] = ()) -> bytes:
    """The store projected onto a network (see docs/visualization.md) as graphml, gexf, dot, cytoscape or html."""
    from .network import project_store

    return _network_bytes(project_store(store, schema=schema, classes=classes), fmt, lang)


def export_construct(triples, store, fmt: str, *, lang: str = "en") -> bytes:
    """A CONSTRUCT/DESCRIBE result as a network; labels missing from the result are taken from `store`."""
    from .network import project_construct

    return _network_bytes(project_construct(triples, store), fmt, lang)


def export_csv(store, directory: str | Path, *, lang: str = "en", schema: bool = False,
               classes: Iterable[str] = ()) -> list[Path]:
    """nodes.csv and edges.csv for Gephi's spreadsheet import, written into `directory` atomically."""
    from .network import project_store, write_csv

    return write_csv(project_store(store, schema=schema, classes=classes), directory, lang)
