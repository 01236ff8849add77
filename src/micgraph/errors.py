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

        pyoxigraph's causes can be long and unhelpful (an undeclared prefix is 300 characters of Unicode
        ranges, an update is "expected CONSTRUCT"): stores.py words them with micgraph.sparql before they
        get here; what is left is shortened."""
        message = str(exc.msg if exc.msg else exc)
        match = re.match(r"^error at (\d+):(\d+):\s*(.*)$", message, re.S)
        line, column, cause = (
            (int(match.group(1)), int(match.group(2)), match.group(3)) if match else (exc.lineno, exc.offset, message)
        )
        if "Prefix not found" in cause:
            cause = "a prefix used here is not declared (declare it with PREFIX name: <IRI>)"
        return cls(_shorter(cause), line, column, source)


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
