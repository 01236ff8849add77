"""The graph backends behind one interface: in memory, a persistent Oxigraph directory, a remote endpoint.

Every command reads "the graph" through a `Store`: queries return pyoxigraph result objects whichever
backend runs them, so rendering and tests do not care where the triples live.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from . import bundle
from .errors import StoreError, UsageError
from .loading import load_file


class Store:
    """A dataset that can be queried with SPARQL; the default graph is the union of all graphs unless
    a query asks for `union_default_graph=False` (the real default graph, as the W3C tests need)."""

    description = "store"

    def query(self, sparql: str, *, base_iri: str | None = None, union_default_graph: bool = True):
        """Run SPARQL; return pyoxigraph QuerySolutions, QueryBoolean or QueryTriples."""
        raise NotImplementedError

    def quads(self) -> Iterator[ox.Quad]:
        raise NotImplementedError

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        raise NotImplementedError

    def load(self, path: str | Path, input_format: str | None = None, graph: ox.NamedNode | None = None) -> None:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        """Release the backend (flush a disk store); the store is unusable afterwards."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class OxigraphStore(Store):
    """pyoxigraph's store: in memory when `path` is None, else the on-disk (RocksDB) store at `path`."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        try:
            self._store = ox.Store(str(self.path)) if self.path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the Oxigraph store: {exc}") from exc
        self.description = f"oxigraph:{self.path}" if self.path else "memory"

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for callers that need its full API."""
        return self._store

    def query(self, sparql: str, *, base_iri: str | None = None, union_default_graph: bool = True):
        return self._store.query(sparql, prefixes=bundle.PREFIXES, base_iri=base_iri,
                                 use_default_graph_as_union=union_default_graph)

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self._store)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self._store.extend(quads)

    def load(self, path: str | Path, input_format: str | None = None, graph: ox.NamedNode | None = None) -> None:
        load_file(self._store, path, input_format, graph)

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        if self.path is not None:
            self._store.flush()


def open_store(spec: str | None) -> Store:
    """`None` -> an empty in-memory store; `oxigraph:DIR` -> the persistent store in DIR."""
    if spec is None:
        return OxigraphStore()
    kind, _, location = spec.partition(":")
    if kind == "oxigraph" and location:
        return OxigraphStore(location)
    raise UsageError(f"unknown store {spec!r}; use oxigraph:DIR")


def open_graph(data: Iterable[str | Path] = (), *, bundled: bool = True, input_format: str | None = None,
               infer: str = "none", store: str | None = None) -> Store:
    """The graph a command reads: the bundled ontology and data (unless `bundled=False`) plus `data` files,
    with RDFS or OWL RL entailments added in their own named graph when `infer` asks for them."""
    from .reason import materialise

    data = list(data)
    target = open_store(store)
    for path in bundle.graph_paths() if bundled and store is None else []:
        target.load(path)
    for path in data:
        target.load(path, input_format)
    if infer != "none":
        materialise(target, infer)
    return target
