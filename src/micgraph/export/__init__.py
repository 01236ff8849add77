"""Exports of the merged graph: RDF syntaxes (rdf.py), networks for visualisation tools (network/), the
HTML explorer (html.py). Each function takes a store and returns the bytes of one format of the registry."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .rdf import serialize


def export_rdf(store, fmt: str = "turtle") -> bytes:
    """The whole store in `fmt`; the triple syntaxes merge the named graphs into one."""
    return serialize(store.quads(), fmt)


def export_network(store, fmt: str, *, lang: str = "en", schema: bool = False, classes: Iterable[str] = ()) -> bytes:
    """The store projected onto a network (see docs/visualization.md) as graphml, gexf, dot, cytoscape or html."""
    from .network import project_store, serialize_network

    return serialize_network(project_store(store, schema=schema, classes=classes), fmt, lang, store=store)


def export_construct(triples, store, fmt: str, *, lang: str = "en") -> bytes:
    """A CONSTRUCT/DESCRIBE result as a network; labels missing from the result are taken from `store`."""
    from .network import project_construct, serialize_network

    return serialize_network(project_construct(triples, store), fmt, lang, store=store)


def export_csv(
    store,
    directory: str | Path,
    *,
    lang: str = "en",
    schema: bool = False,
    classes: Iterable[str] = (),
    force: bool = False,
) -> list[Path]:
    """nodes.csv and edges.csv for Gephi's spreadsheet import, written into `directory` (only those two
    files: a folder holding others is refused unless `force`)."""
    from ..output import check_folder
    from .network import gephi, project_store

    check_folder(directory, force=force)  # before the projection
    return gephi.write_csv(project_store(store, schema=schema, classes=classes), directory, lang, force=force)
