"""Run SPARQL on a store with micgraph's predeclared prefixes, returning engine-neutral result objects."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from . import bundle, federation
from .errors import QueryEvaluationError, QuerySyntaxError, UsageError

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class SelectResult:
    """Solutions of a SELECT: `bindings[i][j]` is the value of `variables[j]` in row i (None if unbound)."""

    variables: list[str]
    bindings: list[tuple[Term | None, ...]]
    kind = "select"

    @property
    def rows(self) -> list[dict[str, str | None]]:
        """Rows as {variable: lexical value} (IRI string, literal lexical form, blank node label)."""
        return [{v: (t.value if t is not None and not isinstance(t, ox.Triple) else (str(t) if t else None))
                 for v, t in zip(self.variables, row)} for row in self.bindings]

    def __len__(self) -> int:
        return len(self.bindings)


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
    kind = "graph"

    def __len__(self) -> int:
        return len(self.triples)


Result = SelectResult | AskResult | GraphResult

_SYNTAX_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.S)
# Comments, strings and IRIs, for lexical scans of query text that must not look inside them.
_LEXICAL_NOISE = re.compile(r'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')
# The FROM keyword (not ?from, ex:from): a query that names its own dataset.
_FROM = re.compile(r"(?<![?$:\w])FROM\b", re.I)


def declares_dataset(sparql: str) -> bool:
    """True when the query has FROM or FROM NAMED: its dataset then replaces the union default graph."""
    if "from" not in sparql.lower():  # the common case, without the lexical pass (9 µs on a short query)
        return False
    return _FROM.search(_LEXICAL_NOISE.sub(" ", sparql)) is not None


def resolve_text(sparql: str | None = None, name: str | None = None) -> str:
    if (sparql is None) == (name is None):
        raise UsageError("give a query or a named query (-n NAME), not both or neither")
    return bundle.named_query(name).text if name is not None else sparql


def run_query(store, sparql: str | None = None, *, name: str | None = None, base_iri: str | None = None,
              service_allow: tuple[str, ...] = (), service_timeout: float = federation.DEFAULT_TIMEOUT,
              union_default_graph: bool = True) -> Result:
    """Run a SPARQL query (or the named query `name`) on `store` and collect its results.

    SERVICE clauses call only the endpoints in `service_allow`, each within `service_timeout` seconds
    (see federation.py); a query without SERVICE goes straight to the store.
    `union_default_graph=False` queries the store's real default graph instead of the union of all graphs."""
    text = resolve_text(sparql, name)
    service_allow = federation.check_allow_list(service_allow)
    source = f"named query {name}" if name else "query"
    federated = None
    if federation.calls_service(text):
        federated = federation.resolve_services(text, service_allow, timeout=service_timeout, base_iri=base_iri,
                                                source=source)
        text = federated.text
    try:
        union = union_default_graph and not declares_dataset(text)
        raw = store.query(text, base_iri=base_iri, union_default_graph=union)
        result = collect(raw)
    except SyntaxError as exc:
        raise syntax_error(exc, source=source) from exc
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryEvaluationError(f"query failed: {exc}") from exc
    return federated.restore(result) if federated else result


def syntax_error(exc: SyntaxError, source: str = "query") -> QuerySyntaxError:
    message = str(exc.msg if exc.msg else exc)
    match = _SYNTAX_POSITION.match(message)
    if match:
        return QuerySyntaxError(match.group(3), int(match.group(1)), int(match.group(2)), source)
    return QuerySyntaxError(message, exc.lineno, exc.offset, source)


def collect(raw) -> Result:
    """pyoxigraph QuerySolutions / QueryBoolean / QueryTriples -> SelectResult / AskResult / GraphResult."""
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        return SelectResult(variables, [tuple(solution) for solution in raw])
    if isinstance(raw, ox.QueryBoolean):
        return AskResult(bool(raw))
    if isinstance(raw, (ox.QueryTriples,)) or hasattr(raw, "__iter__"):
        return GraphResult(list(raw))
    raise TypeError(f"unexpected query result {raw!r}")
