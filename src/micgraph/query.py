"""Run SPARQL on a store with micgraph's predeclared prefixes, returning engine-neutral result objects."""

from __future__ import annotations

import itertools
import functools
import re
from dataclasses import dataclass

import pyoxigraph as ox

from . import bundle, federation, sandbox
from .errors import (QueryEvaluationError, QuerySyntaxError, QueryTimeoutError, ServiceNotAllowedError,
                     UsageError)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class SelectResult:
    """Solutions of a SELECT: `bindings[i][j]` is the value of `variables[j]` in row i (None if unbound)."""

    variables: list[str]
    bindings: list[tuple[Term | None, ...]]
    truncated: bool = False  # True when `max_rows` cut the solutions short
    kind = "select"

    @property
    def rows(self) -> list[dict[str, str | None]]:
        """Rows as {variable: lexical value} (IRI string, literal lexical form, blank node label)."""
        return [{v: (t.value if t is not None and not isinstance(t, ox.Triple) else (str(t) if t else None))
                 for v, t in zip(self.variables, row)} for row in self.bindings]

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
    kind = "ask"

    def __bool__(self) -> bool:
        return self.boolean


@dataclass
class GraphResult:
    """Triples of a CONSTRUCT or DESCRIBE."""

    triples: list[ox.Triple]
    truncated: bool = False  # cut at max_rows triples
    kind = "graph"

    def __len__(self) -> int:
        return len(self.triples)

    def _repr_html_(self) -> str:
        from .display import graph_html

        return graph_html(self)


Result = SelectResult | AskResult | GraphResult

# Comments, strings and IRIs, for lexical scans of query text that must not look inside them.
_LEXICAL_NOISE = re.compile(r'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')
# The FROM keyword (not ?from, ex:from): a query that names its own dataset.
_FROM = re.compile(r"(?<![?$:\w])FROM\b", re.I)


@functools.lru_cache(maxsize=512)  # the same text comes again and again from a server's clients and benches
def declares_dataset(sparql: str) -> bool:
    """True when the query has FROM or FROM NAMED: its dataset then replaces the union default graph."""
    # The common cases without the lexical pass (9 µs on a short query): no "from" at all, or only inside
    # names such as prov:wasDerivedFrom. The keyword pattern on the raw text finds every real FROM (and
    # some in comments, strings or IRIs, which the lexical pass then rules out).
    if "from" not in sparql.lower() or _FROM.search(sparql) is None:
        return False
    return _FROM.search(_LEXICAL_NOISE.sub(" ", sparql)) is not None


_KEYWORDS_THAT_CALL_OUT = re.compile(r"service|load", re.I)  # re.I also folds ſ and K, over-approximating


def may_call_out(text: str) -> bool:
    """Whether the engine could read a SERVICE (or an update's LOAD) in `text`: the keyword's letters are
    there, or an escape (\\u, \\U) could spell them. False is certain; True means "evaluate it in the
    sandbox" (see sandbox.py)."""
    return "\\u" in text or "\\U" in text or _KEYWORDS_THAT_CALL_OUT.search(text) is not None


def resolve_text(sparql: str | None = None, name: str | None = None) -> str:
    if (sparql is None) == (name is None):
        raise UsageError("give a query or a named query (-n NAME), not both or neither")
    return bundle.named_query(name).text if name is not None else sparql


def run_query(store, sparql: str | None = None, *, name: str | None = None, base_iri: str | None = None,
              service_allow: tuple[str, ...] = (), service_timeout: float = federation.DEFAULT_TIMEOUT,
              union_default_graph: bool = True, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, max_rows: int | None = None,
              timeout: float | None = None) -> Result:
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
    guarded = may_call_out(text)
    federated = None
    if guarded and federation.calls_service(text):
        federated = federation.resolve_services(text, service_allow, timeout=service_timeout, base_iri=base_iri,
                                                source=source)
        text = federated.text
    union = union_default_graph and not declares_dataset(text)
    dataset = ({} if default_graphs is None and named_graphs is None else
               {"default_graphs": default_graphs, "named_graphs": named_graphs})

    def evaluate() -> Result:
        return collect(store.query(text, base_iri=base_iri, union_default_graph=union, **dataset), max_rows)

    try:
        if store.network or (timeout is None and not guarded):
            result = evaluate()
        else:
            result = sandbox.without_network(evaluate, timeout=timeout, on_timeout=lambda: QueryTimeoutError(
                f"{source} stopped after {timeout:g} s (--timeout); simplify it or add a LIMIT"))
    except SyntaxError as exc:
        raise QuerySyntaxError.from_oxigraph(exc, source) from exc
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryEvaluationError(f"{source} failed: {' '.join(str(exc).split())}") from exc
    return federated.restore(result) if federated else result


def run_update(store, sparql: str, *, base_iri: str | None = None) -> None:
    """Run a SPARQL Update on `store`: all of it or, on any error, none of it. An update may not call
    SERVICE (micgraph vets SERVICE endpoints for queries only, see federation.py)."""
    if federation.calls_service(sparql):
        raise ServiceNotAllowedError("update: SERVICE is not allowed in an update")
    try:
        store.update(sparql, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError.from_oxigraph(exc, "update") from exc
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryEvaluationError(f"update failed: {exc}") from exc


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
