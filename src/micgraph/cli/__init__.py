"""The `micgraph` command line: a thin click layer over the library.

Each command parses its options, calls one library function and writes the result. Every failure is one
line on stderr and an exit status of `constants.ExitStatus` — a library error (`MicgraphError`), a bad
option (anywhere on the line, the top-level ones included), Ctrl-C, a broken pipe, and a bug (with
`--debug` for its traceback). Library modules are imported inside the commands so that `micgraph --help`
stays fast.
"""

from __future__ import annotations

from . import chart, graph, links, serve, store, viz  # noqa: F401  (each registers its commands on `main`)
from .group import main

__all__ = ["main"]
