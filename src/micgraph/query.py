"""Run SPARQL on a store with micgraph's predeclared prefixes, returning engine-neutral result objects."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from . import bundle
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
# SERVICE outside comments, strings and IRIs: the cheap test that decides whether a query may leave this machine.
_LEXICAL_NOISE = re.compile(r'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')
_SERVICE = re.compile(r"\bSERVICE\b", re.I)


def uses_service(sparql: str) -> bool:
    return bool(_SERVICE.search(_LEXICAL_NOISE.sub(" ", sparql)))


def resolve_text(sparql: str | None = None, name: str | None = None) -> str:
    if (sparql is None) == (name is None):
        raise UsageError("give a query or a named query (-n NAME), not both or neither")
    return bundle.named_query(name).text if name is not None else sparql


def run_query(store, sparql: str | None = None, *, name: str | None = None, base_iri: str | None = None,
              service_allow: tuple[str, ...] = (), union_default_graph: bool = True) -> Result:
    """Run a SPARQL query (or the named query `name`) on `store` and collect its results.
    `union_default_graph=False` queries the store's real default graph instead of the union of all graphs."""
    text = resolve_text(sparql, name)
    if uses_service(text) and not service_allow:
        raise QueryEvaluationError("the query calls SERVICE, and no endpoint is allowed; "
                                   "pass --service-allow URL for each endpoint it may call")
    try:
        raw = store.query(text, base_iri=base_iri, union_default_graph=union_default_graph)
        return collect(raw)
    except SyntaxError as exc:
        raise syntax_error(exc, source=f"named query {name}" if name else "query") from exc
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryEvaluationError(f"query failed: {exc}") from exc


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
        return SelectResult(variables, [tuple(solution[i] for i in range(len(variables))) for solution in raw])
    if isinstance(raw, ox.QueryBoolean):
        return AskResult(bool(raw))
    if isinstance(raw, (ox.QueryTriples,)) or hasattr(raw, "__iter__"):
        return GraphResult(list(raw))
    raise TypeError(f"unexpected query result {raw!r}")
