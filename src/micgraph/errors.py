"""Typed errors raised by the library; the CLI turns each into one line on stderr and an exit code.

The library never prints and never exits: it raises one of these, and `cli.py` maps
`MicgraphError.exit_code` to the process status (ExitStatus.ERROR for anything the user must fix).
"""

from __future__ import annotations

import re

from .constants import ExitStatus


def one_line(text: str) -> str:
    """`text` as one printable line: each run of white space becomes one space, and every other character
    that is not printable (a NUL, a terminal escape sequence, a byte order mark, a right-to-left override, a
    byte of a file name that is not UTF-8) is shown as its escape. Messages quote hostile input: a parser's
    complaint about a file's first bytes must not clear the user's terminal or print invisibly."""
    return "".join(c if c.isprintable() else _escape(c) for c in " ".join(text.split()))


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


class MicgraphError(Exception):
    """Base class: a failure that is the user's input or environment, not a bug."""

    exit_code = ExitStatus.ERROR

    def __str__(self) -> str:  # one printable line, always
        return one_line(super().__str__())


class OutputClosedError(MicgraphError):
    """Whoever read standard output went away (`micgraph export | head`): not a failure, so no message and
    exit status 0, as for a reader that had read everything."""

    exit_code = ExitStatus.OK


class UsageError(MicgraphError):
    """A bad option value: an unknown format, named query, profile or target."""


class InputNotFoundError(MicgraphError):
    """A file named on the command line does not exist or cannot be read."""

    def __init__(self, path: str, cause: str = "no such file") -> None:
        self.path = path
        self.cause = cause
        super().__init__(f"{path}: {cause}")


class ParseError(MicgraphError):
    """Malformed RDF: carries the file, line and column where the parser stopped."""

    def __init__(self, source: str, cause: str, line: int | None = None, column: int | None = None) -> None:
        self.source = source
        self.cause = cause
        self.line = line
        self.column = column
        where = source
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {cause}")


class QuerySyntaxError(MicgraphError):
    """A SPARQL query that does not parse, with the line and column of the problem."""

    def __init__(self, cause: str, line: int | None = None, column: int | None = None, source: str = "query") -> None:
        self.cause = cause
        self.line = line
        self.column = column
        self.source = source
        where = source
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: SPARQL syntax error: {cause}")

    @classmethod
    def from_oxigraph(cls, exc: SyntaxError, source: str = "query") -> QuerySyntaxError:
        """pyoxigraph's SyntaxError ("error at LINE:COLUMN: cause") as a QuerySyntaxError.

        pyoxigraph's cause does not always help: an undeclared prefix gives 300 characters of Unicode
        ranges (or "expected ENCODE_FOR_URI"), an update gives "expected CONSTRUCT". When the exception
        carries the text pyoxigraph read (`exc.text`: stores.py sets it, its predeclared PREFIX lines
        first), a second parser, rdflib's SPARQL 1.1 grammar, says what is wrong instead: an update where
        a query belongs, or the prefix that is not declared. The verdict stays pyoxigraph's; only the
        words change."""
        message = str(exc.msg if exc.msg else exc)
        match = re.match(r"^error at (\d+):(\d+):\s*(.*)$", message, re.S)
        line, column, cause = ((int(match.group(1)), int(match.group(2)), match.group(3)) if match
                               else (exc.lineno, exc.offset, message))
        explained = _second_opinion(exc.text) if isinstance(exc.text, str) and source != "update" else None
        if explained is None and "Prefix not found" in cause:
            explained = "a prefix used here is not declared (declare it with PREFIX name: <IRI>)"
        return cls(explained or _shorter(cause), line, column, source)


_ALTERNATIVE = re.compile(r'"((?:[^"\\]|\\.)*)"|\[((?:\'(?:[^\'\\]|\\.)*\'|[^\]\'])*)\]')


def _shorter(cause: str) -> str:
    """pyoxigraph's "expected one of ..." without its character ranges (hundreds of characters of Unicode
    code points that say "a name"), and at most a dozen of its tokens."""
    if not cause.startswith("expected one of "):
        return cause
    tokens, ranges = [], False
    for alternative in _ALTERNATIVE.finditer(cause):
        if alternative.group(1) is not None:
            tokens.append(alternative.group(1))
        else:
            ranges = True
    if not tokens:
        return "expected a name" if ranges else cause
    shown = " ".join(tokens[:12]) + (" ..." if len(tokens) > 12 else "")
    return f"expected one of {shown}" + (" or a name" if ranges else "")


# The longest text the second opinion reads: rdflib's parser is slow, and it only words an error.
_SECOND_OPINION_LIMIT = 100_000


def _second_opinion(text: str) -> str | None:
    """What rdflib's SPARQL 1.1 parser finds wrong with a text pyoxigraph refused as a query, if it is one
    of the mistakes people make: an update, or an undeclared prefix. None when it says nothing useful."""
    if len(text) > _SECOND_OPINION_LIMIT:
        return None
    try:
        from rdflib.plugins.sparql.algebra import translateQuery
        from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    except ImportError:  # pragma: no cover - rdflib is a dependency
        return None
    try:
        update = parseUpdate(text)
    except Exception:  # noqa: BLE001 - any refusal (a ParseException, a RecursionError) means "not an update"
        pass
    else:
        if not update.request:  # a valid update of no operation: nothing but prefixes, comments and space
            return "there is no query, only prefixes, comments or white space"
        return ("this is an update; `micgraph query` runs queries (SELECT, ASK, CONSTRUCT, DESCRIBE), and updates "
                "go to a store with micgraph.query.run_update or `micgraph serve --allow-update`")
    try:
        translateQuery(parseQuery(text))
    except Exception as exc:  # noqa: BLE001
        found = re.fullmatch(r"Unknown namespace prefix : (.*)", str(exc))
        if found:
            prefix = "" if found.group(1) == "None" else found.group(1)
            return f"the prefix {prefix}: is not declared (declare it with PREFIX {prefix}: <IRI>)"
    return None


class QueryEvaluationError(MicgraphError):
    """A query that parsed but failed while running (a timeout, a refused SERVICE, a store error)."""


class QueryTimeoutError(QueryEvaluationError):
    """A query that ran past its time limit."""


class ServiceNotAllowedError(QueryEvaluationError):
    """A query whose SERVICE clause names an endpoint outside the allow-list: refused before any connection."""


class EndpointError(MicgraphError):
    """A remote SPARQL endpoint that is unreachable, refuses, times out or rejects our credentials."""


class ShapesError(MicgraphError):
    """SHACL validation could not run: ill-formed shapes, or a SHACL failure such as a SPARQL-based
    constraint the processor must refuse (pySHACL's ShapeLoadError, ConstraintLoadError, ValidationFailure)."""


class ReasonerError(MicgraphError):
    """The reasoner could not run (e.g. Java is missing for HermiT)."""


class StoreError(MicgraphError):
    """A persistent store that cannot be opened or written."""


class ToolError(MicgraphError):
    """An external program micgraph drives (Graphviz) is missing or failed."""
