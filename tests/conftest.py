"""Shared fixtures. Tests run the CLI through CliRunner and the library directly, on real components."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from micgraph.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
# Comments, strings and IRIs of a SPARQL text: what a test's look at its keywords must not read.
SPARQL_NOISE = re.compile(r'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(executable: str, install_hint: str) -> str:
    """The path of `executable`; outside CI a missing tool skips the test, in CI it fails it."""
    path = shutil.which(executable)
    if path:
        return path
    message = f"{executable} is not installed ({install_hint})"
    if IN_CI:
        pytest.fail(f"CI=true and {message}: .ci/run must install it")
    pytest.skip(message)


class Invoker:
    """`cli("query", "-n", "x")` runs micgraph in-process and returns the click Result."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | bytes | None = None, expect: int | None = 0,
                 cwd: str | Path | None = None):
        previous = os.getcwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            result = self.runner.invoke(main, list(args), input=input, catch_exceptions=False)
        finally:
            os.chdir(previous)
        if expect is not None:
            assert result.exit_code == expect, (
                f"micgraph {' '.join(args)} exited {result.exit_code}, expected {expect}\n"
                f"stdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-2000:]}")
        return result


# Tests that need a real server are marked `server` here, from what they use, rather than one by one: the
# default run (pyproject's addopts) leaves them to `pytest -m server`, which .ci/run runs.
SERVER_FIXTURES = frozenset({"served", "served_updatable", "served_bundled", "oxigraph_server", "virtuoso_server"})
BROWSER_FIXTURES = frozenset({"browser"})


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & SERVER_FIXTURES or item.path.name.startswith("test_server_"):
            item.add_marker(pytest.mark.server)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def cli() -> Invoker:
    return Invoker()


@pytest.fixture(scope="session")
def bundled_graph():
    """The bundled ontology + data in an in-memory store (read-only by convention: do not add to it)."""
    from micgraph.graph import open_graph

    return open_graph()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


_NUMERIC = {"http://www.w3.org/2001/XMLSchema#" + t for t in (
    "decimal integer int long short byte nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger "
    "unsignedLong unsignedInt unsignedShort unsignedByte").split()}


@pytest.fixture(scope="module")
def rdflib_keeps_lexical_forms():
    """rdflib reads literals as written: by default it rewrites the lexical forms of the datatypes it
    knows ("01"^^xsd:integer becomes "1"), which would hide what a faithfulness test looks for (and it
    logs a traceback for each ill-typed literal it meets: quiet here)."""
    import logging

    import rdflib

    logger = logging.getLogger("rdflib.term")
    previous, level = rdflib.NORMALIZE_LITERALS, logger.level
    rdflib.NORMALIZE_LITERALS = False
    logger.setLevel(logging.ERROR)
    yield
    rdflib.NORMALIZE_LITERALS = previous
    logger.setLevel(level)


def read_rdflib(paths):
    """The files parsed into one rdflib Graph: the independent reading tests compare micgraph with."""
    from rdflib import Graph

    graph = Graph()
    for path in paths:
        graph.parse(path)
    return graph


def value_normalised(graph):
    """A copy of an rdflib graph with numeric literals in one canonical lexical form.

    Oxigraph stores values, not lexical forms ("50.0"^^xsd:decimal comes back as "50"), so round trips
    are compared by value: both sides go through this before `isomorphic`.
    """
    from decimal import Decimal, InvalidOperation

    from rdflib import Graph, Literal

    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) in _NUMERIC:
            try:
                number = Decimal(str(o).strip())
            except InvalidOperation:
                pass
            else:
                o = Literal(format(number.normalize(), "f"), datatype=o.datatype)
        out.add((s, p, o))
    return out


# --- `micgraph serve` (tests/serving.py starts it) -------------------------------------------------

SERVE_FIXTURE = FIXTURES / "serve" / "graph.ttl"
SERVE_TOKEN = "test-token-5f1d"


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """A read-only server over tests/fixtures/serve/graph.ttl: 3 s timeout, two workers, CORS for one origin."""
    from serving import start_server

    server = start_server(["--no-bundled", "--data", str(SERVE_FIXTURE), "--timeout", "3", "--workers", "2",
                           "--cors", "https://yasgui.example"], tmp_path_factory.mktemp("served") / "serve.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def served_updatable(tmp_path_factory, served):
    """A server over the same file that accepts updates with SERVE_TOKEN; 5 rows at most, 64 KiB bodies,
    a 5 s timeout, SERVICE allowed to the read-only server only."""
    from serving import start_server

    server = start_server(["--no-bundled", "--data", str(SERVE_FIXTURE), "--allow-update", "--token-env",
                           "MICGRAPH_TEST_TOKEN", "--max-rows", "5", "--max-body", str(64 * 1024), "--timeout", "5", "--workers", "1",
                           "--service-allow", served.sparql],
                          tmp_path_factory.mktemp("served-updatable") / "serve.log",
                          env={"MICGRAPH_TEST_TOKEN": SERVE_TOKEN})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def served_bundled(tmp_path_factory):
    """A read-only server of the bundled graph, as `micgraph serve` runs by default."""
    from serving import start_server

    server = start_server(["--workers", "2"], tmp_path_factory.mktemp("served-bundled") / "serve.log")
    yield server
    server.stop()


# --- real SPARQL servers (tests/servers.py), one of each per test session --------------------------

@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    from servers import start_oxigraph, stop

    beside_python = Path(sys.executable).with_name("oxigraph")  # the venv's, when it is not activated
    executable = require_tool(str(beside_python) if beside_python.exists() else "oxigraph",
                              "pip install oxigraph (in the test extra)")
    server = start_oxigraph(executable, tmp_path_factory.mktemp("oxigraph-server") / "store")
    yield server
    stop(server.process)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    from servers import start_virtuoso, stop

    executable = require_tool("virtuoso-t", "apt-get install virtuoso-opensource-7-bin")
    server = start_virtuoso(executable, tmp_path_factory.mktemp("virtuoso"))
    yield server
    stop(server.process)
