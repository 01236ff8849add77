"""Numbers and names more than one module relies on: exit statuses, inference profiles, limits, timeouts.

Kept free of imports so that the CLI can read it before anything heavy is loaded.
"""

from __future__ import annotations

from enum import IntEnum

VERSION = "0.1.0"  # the package version (hatch reads it from here)


class ExitStatus(IntEnum):
    """What `micgraph` exits with (as HTTPie names its statuses)."""

    OK = 0
    NO = 1  # the answer is no: an ASK is false, the data does not conform, links have problems, HermiT finds an inconsistency
    ERROR = 2  # the input or an option is wrong (one line on stderr says which, and where)
    INTERNAL_ERROR = 70  # a bug in micgraph (EX_SOFTWARE); --debug shows the traceback
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


# Entailment regimes that add triples to the graph (reason.materialise), and what `reason` can run.
MATERIALISING_PROFILES = ("rdfs", "owlrl")
REASONING_PROFILES = (*MATERIALISING_PROFILES, "hermit")

# The kinds of chart `micgraph chart` draws (charts.py).
CHART_KINDS = ("bar", "grouped-bar", "line", "range")

# Time limits, in seconds.
QUERY_TIMEOUT = 300.0  # a local query (`micgraph query --timeout`); 0 means none
ENDPOINT_TIMEOUT = 60.0  # one exchange with a remote endpoint (`--endpoint-timeout`)
SERVICE_TIMEOUT = 60.0  # one SERVICE call (`--service-timeout`)
SERVE_QUERY_TIMEOUT = 30.0  # a query sent to `micgraph serve` (`serve --timeout`)
SERVE_HEADER_TIMEOUT = 10.0  # `serve` waits this long for a request's head, for its body, for a stalled reader
SERVE_MAX_CONNECTIONS = 10_000  # connections `serve` keeps open (`serve --max-connections`)
