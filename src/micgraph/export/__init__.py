"""Exports of the merged graph: RDF syntaxes (rdf.py); network and visualisation formats live beside it."""

from __future__ import annotations

from .rdf import DATASET_FORMATS, MEDIA_TYPES, RDF_EXPORT_FORMATS, canonical_quads, jsonld_context, serialize

__all__ = ["DATASET_FORMATS", "MEDIA_TYPES", "RDF_EXPORT_FORMATS", "canonical_quads", "export_rdf",
           "jsonld_context", "serialize"]


def export_rdf(store, fmt: str = "turtle") -> bytes:
    """The whole store in `fmt`; Turtle/N-Triples/RDF-XML/JSON-LD merge the named graphs into one."""
    return serialize(store.quads(), fmt)
