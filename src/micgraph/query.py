"""Run SPARQL on a store with micgraph's predeclared prefixes, returning engine-neutral result objects."""

from __future__ import annotations

import functools
import itertools
import urllib.parse
from dataclasses import dataclass
from typing import ClassVar, Literal

import pyoxigraph as ox

from . import bundle, federation, namespaces, sandbox
from .constants import SERVICE_TIMEOUT
from .errors import QueryEvaluationError, QuerySyntaxError, QueryTimeoutError, ServiceNotAllowedError, UsageError
from .sparql import check_limits, may_contain_keyword, parse_query, parse_update

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class SelectResult:
    """Solutions of a SELECT: `bindings[i][j]` is the value of `variables[j]` in row i (None if unbound)."""

    variables: list[str]
    bindings: list[tuple[Term | None, ...]]
    truncated: bool = False  # True when `max_rows` cut the solutions short
    kind: ClassVar[Literal["select"]] = "select"

    @property
    def rows(self) -> list[dict[str, str | None]]:
        """Rows as {variable: lexical value} (IRI string, literal lexical form, blank node label)."""
        return [
            {
                v: (t.value if t is not None and not isinstance(t, ox.Triple) else (str(t) if t else None))
                for v, t in zip(self.variables, row)
            }
            for row in self.bindings
        ]

    def __len__(self) -> int:
        return len(self.bindings)

    def values(self) -> list[dict]:
        """Rows as {variable: Python value}: int, Decimal, float, bool, dates, years, tagged strings, IRIs
        (see micgraph.values)."""
        from .values import select_values

        return select_values(self)

    def to_dataframe(self):
        """The rows as a pandas DataFrame with typed columns (needs the `notebook` extra)."""
        from .values import to_dataframe

        return to_dataframe(self)

    def _repr_html_(self) -> str:
        from .display import select_html

        return select_html(self)


@dataclass
class AskResult:
    boolean: bool
    kind: ClassVar[Literal["ask"]] = "ask"

    def __bool__(self) -> bool:
        return self.boolean


@dataclass
class GraphResult:
    """Triples of a CONSTRUCT or DESCRIBE."""

    triples: list[ox.Triple]
    truncated: bool = False  # cut at max_rows triples
    kind: ClassVar[Literal["graph"]] = "graph"

    def __len__(self) -> int:
        return len(self.triples)

    def _repr_html_(self) -> str:
        from .display import graph_html

        return graph_html(self)


Result = SelectResult | AskResult | GraphResult


@functools.lru_cache(maxsize=512)  # the same text comes again and again from a server's clients and benches
def declares_dataset(text: str, base_iri: str | None = None) -> bool:
    """Whether the query has FROM or FROM NAMED (its dataset then replaces the union default graph), read
    by micgraph's parser when the keyword can be there at all. A text the parser cannot read declares none
    here: pyoxigraph reports its syntax error."""
    if not may_contain_keyword(text, "FROM"):
        return False
    try:
        parsed = parse_query(text, base_iri=base_iri, prefixes=namespaces.PREFIXES)
    except QuerySyntaxError:
        return False
    return bool(parsed.default_graphs or parsed.named_graphs)


def resolve_text(sparql: str | None = None, name: str | None = None) -> str:
    if sparql is not None and name is None:
        return sparql
    if name is not None and sparql is None:
        return bundle.named_query(name).text
    raise UsageError("give a query or a named query (-n NAME), not both or neither")


def run_query(
    store,
    sparql: str | None = None,
    *,
    name: str | None = None,
    base_iri: str | None = None,
    service_allow: tuple[str, ...] = (),
    service_timeout: float = SERVICE_TIMEOUT,
    union_default_graph: bool = True,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    max_rows: int | None = None,
    timeout: float | None = None,
) -> Result:
    """Run a SPARQL query (or the named query `name`) on `store` and collect its results.

    SERVICE clauses call only the endpoints in `service_allow`, each within `service_timeout` seconds
    (see federation.py); a query without SERVICE goes straight to the store, whose engine runs where it
    cannot reach the network (sandbox.py).
    `union_default_graph=False` queries the store's real default graph instead of the union of all graphs;
    `default_graphs`/`named_graphs` replace the dataset (the SPARQL Protocol's default-graph-uri and
    named-graph-uri, see `Store.query`); `max_rows` stops collecting SELECT solutions after that many and
    marks the result `truncated`. After `timeout` seconds a QueryTimeoutError is raised; the engine cannot
    be interrupted, so its thread runs on in the background (the CLI ends its process instead)."""
    text = resolve_text(sparql, name)
    service_allow = federation.check_allow_list(service_allow)
    source = f"named query {name}" if name else "query"
    check_limits(text, source=source)  # before any parser: pyoxigraph's recurses per bracket
    guarded = may_contain_keyword(text, "SERVICE")
    federated = None
    dataset_declared = None
    if guarded:  # the decision is made on the parsed query; a text the parser cannot read is refused
        parsed = parse_query(text, base_iri=base_iri, prefixes=namespaces.PREFIXES, source=source)
        dataset_declared = bool(parsed.default_graphs or parsed.named_graphs)
        if parsed.services:
            federated = federation.resolve_services(text, parsed, service_allow, timeout=service_timeout)
            text = federated.text
    union = (
        union_default_graph
        and store.has_named_graphs()
        and not (dataset_declared if dataset_declared is not None else declares_dataset(text, base_iri))
    )
    dataset = (
        {}
        if default_graphs is None and named_graphs is None
        else {"default_graphs": default_graphs, "named_graphs": named_graphs}
    )

    def evaluate() -> Result:
        return collect(store.query(text, base_iri=base_iri, union_default_graph=union, **dataset), max_rows)

    try:
        if store.network or (timeout is None and not guarded):
            result = evaluate()
        else:
            result = sandbox.without_network(
                evaluate,
                timeout=timeout,
                on_timeout=lambda: QueryTimeoutError(
                    f"{source} stopped after {timeout:g} s (--timeout); simplify it or add a LIMIT"
                ),
            )
    except SyntaxError as exc:
        raise QuerySyntaxError.from_oxigraph(exc, source) from exc
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryEvaluationError(f"{source} failed: {' '.join(str(exc).split())}") from exc
    return federated.restore(result) if federated else result


def run_select(store, sparql: str) -> SelectResult:
    """Run a SELECT that micgraph itself writes (its form known from the text): its solutions."""
    result = run_query(store, sparql)
    if not isinstance(result, SelectResult):
        raise TypeError(f"expected a SELECT query, got a {result.kind} result")
    return result


def run_ask(store, sparql: str) -> bool:
    """Run an ASK that micgraph itself writes: its answer."""
    result = run_query(store, sparql)
    if not isinstance(result, AskResult):
        raise TypeError(f"expected an ASK query, got a {result.kind} result")
    return result.boolean


def run_graph_query(store, sparql: str) -> list[ox.Triple]:
    """Run a CONSTRUCT or DESCRIBE that micgraph itself writes: its triples."""
    result = run_query(store, sparql)
    if not isinstance(result, GraphResult):
        raise TypeError(f"expected a CONSTRUCT or DESCRIBE query, got a {result.kind} result")
    return result.triples


def run_update(store, sparql: str, *, base_iri: str | None = None, load_allow: tuple[str, ...] = ()) -> None:
    """Run a SPARQL Update on `store`: all of it or, on any error, none of it.

    An update may not call SERVICE, and may LOAD only the documents in `load_allow` (the server's
    --service-allow list), both read from the parsed update before the engine runs. An update that loads
    nothing runs on an engine thread that cannot open a network connection (sandbox.py); one that loads
    allowed documents lets pyoxigraph fetch exactly those."""
    check_limits(sparql, update=True, source="update")
    loads: tuple = ()
    if may_contain_keyword(sparql, "SERVICE") or may_contain_keyword(sparql, "LOAD"):
        parsed = parse_update(sparql, base_iri=base_iri, prefixes=namespaces.PREFIXES, source="update")
        if parsed.all_services():
            clause = parsed.all_services()[0]
            raise ServiceNotAllowedError(f"update: line {clause.line}: SERVICE is not allowed in an update")
        loads = parsed.loads
        for load in loads:
            if load.source in load_allow:
                continue
            where = f"update: line {load.line}: LOAD <{load.source}>"
            if urllib.parse.urlsplit(load.source).scheme not in ("http", "https"):
                raise ServiceNotAllowedError(f"{where}: only http:// and https:// documents can be loaded")
            known = f"allowed: {', '.join(load_allow)}" if load_allow else "none is allowed by default"
            raise ServiceNotAllowedError(
                f"{where} is not allowed ({known}); start the server with "
                f"--service-allow {load.source} to let updates load it"
            )

    def apply() -> None:
        store.update(sparql, base_iri=base_iri)

    try:
        if store.network or loads:
            apply()
        else:
            sandbox.without_network(apply)
    except SyntaxError as exc:
        raise QuerySyntaxError.from_oxigraph(exc, "update") from exc
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryEvaluationError(f"update failed: {' '.join(str(exc).split())}") from exc


def collect(raw, max_rows: int | None = None) -> Result:
    """pyoxigraph QuerySolutions / QueryBoolean / QueryTriples -> SelectResult / AskResult / GraphResult."""
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        solutions = raw if max_rows is None else itertools.islice(raw, max_rows + 1)
        bindings = [tuple(solution) for solution in solutions]
        if max_rows is not None and len(bindings) > max_rows:
            return SelectResult(variables, bindings[:max_rows], truncated=True)
        return SelectResult(variables, bindings)
    if isinstance(raw, ox.QueryBoolean):
        return AskResult(bool(raw))
    if isinstance(raw, (ox.QueryTriples,)) or hasattr(raw, "__iter__"):
        # Capped like SELECT: a CONSTRUCT over a cartesian product would otherwise fill the memory.
        triples = list(raw if max_rows is None else itertools.islice(raw, max_rows + 1))
        if max_rows is not None and len(triples) > max_rows:
            return GraphResult(triples[:max_rows], truncated=True)
        return GraphResult(triples)
    raise TypeError(f"unexpected query result {raw!r}")
