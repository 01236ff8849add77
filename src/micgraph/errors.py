"""Typed errors raised by the library; the CLI turns each into one line on stderr and an exit code.

The library never prints and never exits: it raises one of these, and `cli.py` maps
`MicgraphError.exit_code` to the process status (ExitStatus.ERROR for anything the user must fix).
"""

from __future__ import annotations

from .constants import ExitStatus


class MicgraphError(Exception):
    """Base class: a failure that is the user's input or environment, not a bug."""

    exit_code = ExitStatus.ERROR

    def __str__(self) -> str:  # one line, always
        return " ".join(super().__str__().split())


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
        """pyoxigraph's SyntaxError ("error at LINE:COLUMN: cause") as a QuerySyntaxError."""
        import re

        message = str(exc.msg if exc.msg else exc)
        match = re.match(r"^error at (\d+):(\d+):\s*(.*)$", message, re.S)
        if match:
            return cls(match.group(3), int(match.group(1)), int(match.group(2)), source)
        return cls(message, exc.lineno, exc.offset, source)


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
