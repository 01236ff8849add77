"""The graph a command reads: the one place where it is put together.

The bundled ontology and data (or a persistent store), the user's files, and the entailments asked for
(in their own named graph). Every command and library function that reads "the graph" builds it here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from . import bundle
from .errors import UsageError
from .stores import ParsedStore, Store, open_store


def open_graph(
    data: Iterable[str | Path] = (),
    *,
    bundled: bool = True,
    input_format: str | None = None,
    infer: str = "none",
    store: str | None = None,
    with_ontology: bool = False,
    preserve_lexical_forms: bool = False,
) -> Store:
    """The bundled ontology and data (unless `bundled=False`; a `store` holds its own content instead) plus
    the `data` files, with RDFS or OWL RL entailments added in their own named graph when `infer` asks.

    `with_ontology` adds the bundled ontology even when `bundled=False` (validation and reasoning read data
    with the ontology that gives it meaning). `preserve_lexical_forms` keeps every literal as the files
    write it (stores.ParsedStore) instead of in Oxigraph's canonical form."""
    if preserve_lexical_forms and store is not None:
        raise UsageError(
            f"--preserve-lexical-forms reads files, but {store} is a store, which holds the canonical "
            "forms Oxigraph kept when the files were loaded"
        )
    target = ParsedStore() if preserve_lexical_forms else open_store(store)
    if store is None:
        bundled_paths = bundle.graph_paths() if bundled else [bundle.ontology_path()] if with_ontology else []
        for bundled_path in bundled_paths:
            target.load(bundled_path)
    for path in data:
        target.load(path, input_format)
    if infer != "none":
        from .reason import materialise  # only then: a plain query does not load the reasoners' module

        materialise(target, infer)
    return target
