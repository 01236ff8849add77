"""The graph backends behind one interface: in memory, a persistent Oxigraph directory, a remote endpoint.

Every command reads "the graph" through a `Store`: queries return pyoxigraph result objects whichever
backend runs them, so rendering and tests do not care where the triples live.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from . import bundle, formats, namespaces
from .errors import StoreError, UsageError
from .loading import load_file


class Store:
    """A dataset that can be queried with SPARQL; the default graph is the union of all graphs unless
    a query asks for `union_default_graph=False` (the real default graph, as the W3C tests need)."""

    description = "store"
    network = False  # whether answering a query needs the network (a remote store), see sandbox.py

    def query(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        union_default_graph: bool = True,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ):
        """Run SPARQL; return pyoxigraph QuerySolutions, QueryBoolean or QueryTriples.

        `default_graphs`/`named_graphs` (graph IRIs, as the SPARQL Protocol's default-graph-uri and
        named-graph-uri give them) replace the dataset: given either, the default graph is the merge of
        `default_graphs` only (empty if None) and GRAPH sees `named_graphs` only."""
        raise NotImplementedError

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update, all or nothing."""
        raise UsageError(f"{self.description}: this store cannot be updated")

    def quads(self) -> Iterator[ox.Quad]:
        raise NotImplementedError

    def has_named_graphs(self) -> bool:
        """Whether a query's union default graph differs from the default graph (a remote store: unknown)."""
        return True

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        raise NotImplementedError

    def load(self, path: str | Path, input_format: str | None = None, graph: ox.NamedNode | None = None) -> None:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def graph_counts(self) -> Sequence[tuple[str | None, int]]:
        return _named_graph_counts(self)

    def dump(self, output: IO[bytes], fmt: str) -> None:
        raise UsageError(f"{self.description}: dump reads a local store; use `micgraph query` with CONSTRUCT")

    def close(self) -> None:
        """Release the backend (flush a disk store); the store is unusable afterwards."""

    def _repr_html_(self) -> str:
        """A summary for notebooks: triples, named graphs, the most used classes."""
        from .display import store_html

        return store_html(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _read_as(exc: SyntaxError, sparql: str, *, update: bool = False) -> SyntaxError:
    """pyoxigraph's syntax error in the words of micgraph.sparql, the parser that owns SPARQL text: when it
    refuses the text too, its cause and place replace pyoxigraph's (which names no undeclared prefix and
    calls an update "expected CONSTRUCT"); when it reads the text, pyoxigraph's words stay."""
    from .errors import QuerySyntaxError
    from .sparql import parse_query, parse_update

    try:
        (parse_update if update else parse_query)(sparql, prefixes=namespaces.PREFIXES)
    except QuerySyntaxError as ours:
        cause = ours.cause
        if not update and cause.startswith("this is a SPARQL update"):
            try:
                if not parse_update(sparql, prefixes=namespaces.PREFIXES).operations:
                    cause = "there is no query, only prefixes, comments or white space"
            except QuerySyntaxError:
                pass
        exc.msg = f"error at {ours.line or 1}:{ours.column or 1}: {cause}"
    return exc


def _is_store(folder: Path) -> bool:
    """Whether `folder` holds an Oxigraph (RocksDB) store: RocksDB always writes CURRENT and a MANIFEST."""
    return (folder / "CURRENT").is_file() and any(folder.glob("MANIFEST-*"))


def _check_store_folder(folder: Path, create: bool) -> None:
    """A store is opened only where one is, or created only in a new or empty folder: never in a folder
    of other files, which RocksDB would fill with its own."""
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{folder}: not a folder, so not an Oxigraph store")
    if folder.is_dir() and _is_store(folder):
        return
    from .bulkload import rollback_dir

    if rollback_dir(folder).is_dir():
        return  # a load was killed before RocksDB wrote its files: recover() puts the checkpoint back
    if not create:
        raise StoreError(
            f"{folder}: no Oxigraph store there; create one with `micgraph load FILE --store oxigraph:{folder}`"
        )
    if folder.is_dir() and any(folder.iterdir()):
        raise StoreError(
            f"{folder}: the folder holds files that are not an Oxigraph store; give a new or empty folder for the store"
        )


class OxigraphStore(Store):
    """pyoxigraph's store: in memory when `path` is None, else the on-disk (RocksDB) store at `path`."""

    writable = True
    _store: ox.Store | None  # None once closed or released

    def __init__(self, path: str | Path | None = None, *, create: bool = True) -> None:
        self.path = Path(path) if path is not None else None
        if self.path is None:
            self._store = ox.Store()
            self.description = "memory"
            return
        _check_store_folder(self.path, create)
        from .bulkload import recover

        recover(self.path)  # roll back a load that was killed part-way
        self.reopen()
        self.description = f"oxigraph:{self.path}"

    def reopen(self) -> None:
        try:
            self._store = ox.Store(str(self.path))
        except (OSError, RuntimeError) as exc:  # RocksDB's own errors (a corrupt MANIFEST) are RuntimeErrors
            if "lock file" in str(exc).lower():  # RocksDB's words when another process has the store open
                raise StoreError(
                    f"{self.path}: another process has this Oxigraph store open (a load, a server, a "
                    "query); wait for it to finish"
                ) from exc
            raise StoreError(f"{self.path}: cannot open the Oxigraph store: {' '.join(str(exc).split())}") from exc

    def release(self) -> None:
        """Drop the handle on the disk store (RocksDB closes when the last reference goes)."""
        self._store = None

    @classmethod
    def read_only(cls, path: str | Path) -> OxigraphStore:
        """The on-disk store at `path`, opened read-only: several processes may read it at once, and none
        may write it meanwhile (the server opens its own snapshots this way)."""
        store = cls.__new__(cls)
        store.path = Path(path)
        try:
            store._store = ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"{path}: cannot open the Oxigraph store read-only: {exc}") from exc
        store.description = f"oxigraph:{path} (read-only)"
        store.writable = False
        return store

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for callers that need its full API."""
        if self._store is None:
            raise StoreError(f"{self.description}: the store is closed")
        return self._store

    def query(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        union_default_graph: bool = True,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ):
        try:
            if default_graphs is not None or named_graphs is not None:
                return self.oxigraph.query(
                    sparql,
                    prefixes=namespaces.PREFIXES,
                    base_iri=base_iri,
                    default_graph=[ox.NamedNode(g) for g in default_graphs or ()],
                    named_graphs=[ox.NamedNode(g) for g in named_graphs or ()],
                )
            # With no named graph the union of all graphs is the default graph itself, and asking Oxigraph
            # for it as a union costs up to 25 % more (bench/RESULTS.md).
            return self.oxigraph.query(
                sparql,
                prefixes=namespaces.PREFIXES,
                base_iri=base_iri,
                use_default_graph_as_union=union_default_graph and self.has_named_graphs(),
            )
        except SyntaxError as exc:
            raise _read_as(exc, sparql) from None

    def has_named_graphs(self) -> bool:
        return next(iter(self.oxigraph.named_graphs()), None) is not None

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        try:
            self.oxigraph.update(sparql, prefixes=namespaces.PREFIXES, base_iri=base_iri)
        except SyntaxError as exc:
            raise _read_as(exc, sparql, update=True) from None

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self.oxigraph)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self.oxigraph.extend(quads)

    def load(self, path: str | Path, input_format: str | None = None, graph: ox.NamedNode | None = None) -> None:
        load_file(self.oxigraph, path, input_format, graph)

    def __len__(self) -> int:
        return len(self.oxigraph)

    def close(self) -> None:
        if self.path is not None and self._store is not None:
            if self.writable:
                self._store.flush()
            self._store = None  # RocksDB closes, and unlocks the folder, when its last reference goes

    def graph_counts(self) -> Sequence[tuple[str | None, int]]:
        default = next(iter(self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union_default_graph=False)))[0]
        return [(None, int(default.value)), *_named_graph_counts(self)]

    def dump(self, output: IO[bytes], fmt: str) -> None:
        from .export.rdf import write_dump

        syntax = formats.get(fmt, formats.RDF, writable=True)
        if syntax.dataset:  # TriG and N-Quads hold everything a store can
            self.oxigraph.dump(output, syntax.rdf, prefixes=namespaces.PREFIXES if syntax.name == "trig" else None)
        else:
            write_dump(_distinct_triples(self), output, syntax, namespaces.PREFIXES)


class ParsedStore(Store):
    """The quads exactly as the parsers read them: every literal keeps its lexical form and datatype.

    Oxigraph's store keeps values, not lexical forms ("01"^^xsd:integer comes back as "1", "5"^^xsd:byte
    as "5"^^xsd:integer: see docs/export.md), so `export --preserve-lexical-forms` reads the files into
    this store instead. Queries (and the reasoners, which query) run over an Oxigraph copy made on first
    use, so what they return is in Oxigraph's forms; `quads()`, what export writes, is as parsed.
    """

    description = "files as parsed"

    def __init__(self) -> None:
        self._dataset = ox.Dataset()
        self._engine: OxigraphStore | None = None

    def load(self, path: str | Path, input_format: str | None = None, graph: ox.NamedNode | None = None) -> None:
        load_file(_DatasetLoader(self), path, input_format, graph)  # type: ignore[arg-type]  # Store.load's signature

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        added = list(quads)
        for q in added:
            self._dataset.add(q)
        if self._engine is not None:
            self._engine.add_quads(added)

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self._dataset)

    def __len__(self) -> int:
        return len(self._dataset)

    def query(self, sparql: str, **options):
        if self._engine is None:
            self._engine = OxigraphStore()
            self._engine.add_quads(self._dataset)
        return self._engine.query(sparql, **options)


class _DatasetLoader:
    """What `loading.load_file` calls `load` on (pyoxigraph's Store.load signature), adding to a ParsedStore:
    blank nodes renamed apart per file, as Store.load does, triples put in `to_graph`."""

    def __init__(self, target: ParsedStore) -> None:
        self.target = target

    def load(self, *, input, format, base_iri, to_graph) -> None:
        parsed = ox.parse(input, format, base_iri=base_iri, rename_blank_nodes=True)
        if isinstance(to_graph, ox.DefaultGraph):
            self.target.add_quads(parsed)
        else:
            self.target.add_quads(
                ox.Quad(q.subject, q.predicate, q.object, to_graph) if isinstance(q.graph_name, ox.DefaultGraph) else q
                for q in parsed
            )


# --- what `graphs` and `dump` need ----------------------------------------------------------------

_GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY STR(?g)"


def _named_graph_counts(store: Store) -> list[tuple[str, int]]:
    return [(row[0].value, int(row[1].value)) for row in store.query(_GRAPH_COUNTS)]


def _distinct_triples(store: Store) -> Iterator[tuple]:
    """Every triple of every graph once (what the triple syntaxes can hold), streamed by the engine, as
    (subject, predicate, object) tuples."""
    for row in store.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"):
        yield (row[0], row[1], row[2])


def graph_counts(store: Store) -> Sequence[tuple[str | None, int]]:
    """(graph IRI, triples) for the default graph (None; left out where the store cannot tell it apart)
    and each named graph."""
    return store.graph_counts()


def dump(store: Store, output: IO[bytes], fmt: str = "nquads") -> None:
    """Stream the whole store to `output`: dataset syntaxes keep the named graphs, triple syntaxes merge
    them. Streams in the engine's index order (deterministic for the same content), without sorting in
    memory: a dump of millions of quads costs what writing them costs."""
    store.dump(output, formats.get(fmt, formats.RDF, writable=True).name)


def load_store(
    spec: str,
    paths: Iterable[str | Path],
    *,
    bundled: bool = False,
    input_format: str | None = None,
    graph: str | None = None,
    progress=None,
) -> tuple[list, int]:
    """Bulk-load `paths` (after the bundled graph when `bundled`) into the persistent store `spec`, creating
    it if needed; each file all-or-nothing (see bulkload.py). Every file is checked first (name, syntax,
    readable, the graph IRI), so a mistake on the command line creates no store. Returns the FileLoads and
    the quads the store then holds."""
    from .bulkload import check_inputs, load_into

    paths = list(paths)
    check_inputs(paths, input_format=input_format, graph=graph)
    with open_store(spec, create=True) as target:
        loads = load_into(target, bundle.graph_paths(), graph=graph, progress=progress) if bundled else []
        loads += load_into(target, paths, input_format=input_format, graph=graph, progress=progress)
        return loads, len(target)


def open_store(spec: str | None, *, create: bool = False) -> Store:
    """`None` -> an empty in-memory store; `oxigraph:DIR` -> the persistent store in DIR (which must exist
    unless `create`)."""
    if spec is None:
        return OxigraphStore()
    kind, _, location = spec.partition(":")
    if kind == "oxigraph" and location:
        return OxigraphStore(location, create=create)
    raise UsageError(f"unknown store {spec!r}; use oxigraph:DIR")
