"""What parsing a query or update tells: a small typed model, not a parse tree.

Offsets are Python string indices into the text as given (not its section 19.2 unescaped form: pyoxigraph
reads the text as given, see the package docstring); lines and columns count from 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Declaration:
    """A BASE or PREFIX declaration: its IRI resolved against the base in force where it stands."""

    kind: str  # "BASE" or "PREFIX"
    prefix: str | None  # the name declared by PREFIX (without the colon; "" for `PREFIX : <...>`)
    iri: str
    start: int
    end: int


@dataclass(frozen=True)
class ServiceClause:
    """One `SERVICE [SILENT] endpoint { pattern }`, with the SERVICE clauses nested in its pattern."""

    endpoint: str | None  # the endpoint IRI, resolved (BASE, PREFIX, escapes); None for `SERVICE ?var`
    variable: str | None  # the variable's name (without ?/$) for `SERVICE ?var`, else None
    endpoint_text: str  # as written: <iri>, prefix:name or ?var
    silent: bool
    start: int  # the clause, from SERVICE to the closing brace
    end: int
    pattern_start: int  # its group pattern, `{` ... `}`
    pattern_end: int
    line: int
    column: int
    services: tuple[ServiceClause, ...] = ()  # nested SERVICE clauses, in text order

    def walk(self) -> Iterator[ServiceClause]:
        """This clause and every clause nested in it, in text order (no recursion)."""
        pending = [self]
        while pending:
            clause = pending.pop()
            yield clause
            pending.extend(reversed(clause.services))


@dataclass(frozen=True)
class Load:
    """`LOAD [SILENT] <source> [INTO GRAPH <graph>]` in an update: a URL the store would fetch."""

    source: str
    silent: bool
    graph: str | None
    start: int
    end: int
    line: int
    column: int


@dataclass(frozen=True)
class _Parsed:
    base_iri: str | None  # the base in force at the end of the text
    declarations: tuple[Declaration, ...]
    prefixes: dict[str, str]  # the prefixes in force at the end: predeclared ones, overridden by PREFIX
    used_prefixes: frozenset[str]  # prefixes of the prefixed names the text uses (not its PREFIX lines)
    services: tuple[ServiceClause, ...]  # the outermost SERVICE clauses, in text order

    @property
    def declared_prefixes(self) -> frozenset[str]:
        return frozenset(d.prefix for d in self.declarations if d.prefix is not None)

    @property
    def undeclared_prefixes(self) -> frozenset[str]:
        """Prefixes the text uses without declaring them: the predeclared ones a caller must write out
        before sending the text to another engine (e.g. `PREFIX mic: <...>` for a remote endpoint)."""
        return self.used_prefixes - self.declared_prefixes

    def all_services(self) -> list[ServiceClause]:
        """Every SERVICE clause, nested ones included, in text order."""
        return [clause for outer in self.services for clause in outer.walk()]


@dataclass(frozen=True)
class Query(_Parsed):
    form: str = "SELECT"  # SELECT, CONSTRUCT, DESCRIBE or ASK
    default_graphs: tuple[str, ...] = ()  # FROM
    named_graphs: tuple[str, ...] = ()  # FROM NAMED


@dataclass(frozen=True)
class Update(_Parsed):
    operations: tuple[str, ...] = ()  # e.g. ("INSERT DATA", "MODIFY", "LOAD")
    loads: tuple[Load, ...] = field(default=())
