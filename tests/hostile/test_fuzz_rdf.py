"""Fuzzing micgraph's RDF reading path (loading.py, bulkload.py) with hypothesis.

Any bytes, in any syntax, plain or gzipped, either load or fail with a one-line ParseError that names the
file (and, for the line-based syntaxes, the line); nothing else escapes, nothing takes long, memory stays
bounded, and a failed bulk load leaves the store as it was. The inputs are random bytes, valid documents
damaged by edits, and strings of each syntax's own tokens (brackets, quotes, escapes, entity declarations,
byte order marks), which reach deeper into the parsers than random bytes do.
"""

from __future__ import annotations

import gzip
import resource
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import badfiles as bad
from micgraph.errors import ParseError
from micgraph.loading import load_file

LINE_SYNTAXES = ("turtle", "nt", "nquads", "trig", "n3")
TOKENS = {
    "common": [b"<", b">", b'"', b'"""', b"'", b"\\", b"\\u", b"\\U0001F600", b"\n", b"\r", b"\t", b" ", b"\x00",
               b"\xef\xbb\xbf", b"\xff\xfe", b"\xed\xa0\x80", b"\xc3", "中".encode(), b"http://example.org/", b"#"],
    "turtle": [b"@prefix", b"@base", b"PREFIX", b"ex:", b":", b"_:b", b"[", b"]", b"(", b")", b".", b";", b",",
               b"^^", b"@en", b"a", b"true", b"1.5e3", b"<<", b">>", b"{|", b"|}", b"{", b"}", b"GRAPH"],
    "jsonld": [b"{", b"}", b"[", b"]", b":", b",", b'"@context"', b'"@id"', b'"@type"', b'"@value"', b'"@graph"',
               b'"@list"', b'"@language"', b'"@reverse"', b'"@vocab"', b'"http://example.org/p"', b"null", b"1e999",
               b"-0", b'"\\ud800"'],
    "xml": [b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", b"</rdf:RDF>", b"<rdf:Description>",
            b"</rdf:Description>", b"rdf:about='x'", b"rdf:parseType='Resource'", b"rdf:parseType='Literal'",
            b"<!DOCTYPE r [", b"<!ENTITY e 'x'>", b"]>", b"&e;", b"&amp;", b"&#0;", b"<![CDATA[", b"]]>", b"<?xml ?>",
            b"<!--", b"-->", b"xml:lang='en'", b"/>"],
}


def _tokens(syntax: str) -> list[bytes]:
    own = TOKENS["jsonld" if syntax == "jsonld" else "xml" if syntax == "xml" else "turtle"]
    return own + TOKENS["common"]


@st.composite
def edits(draw, data: bytes, tokens: list[bytes]) -> bytes:
    """`data` after a few edits: a token inserted, a range deleted or repeated, a byte changed, a cut."""
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "repeat", "byte", "cut"]))
        if kind == "insert":
            data = data[:where] + draw(st.sampled_from(tokens)) + data[where:]
        elif kind == "delete":
            data = data[:where] + data[where + draw(st.integers(1, 16)):]
        elif kind == "repeat":
            piece = data[where:where + draw(st.integers(1, 32))]
            data = data[:where] + piece * draw(st.integers(2, 300)) + data[where:]
        elif kind == "byte" and data:
            position = min(where, len(data) - 1)
            data = data[:position] + bytes([draw(st.integers(0, 255))]) + data[position + 1:]
        elif kind == "cut":
            data = data[:where]
    return data


@st.composite
def documents(draw) -> tuple[str, bytes, str]:
    """(syntax, bytes, packing): packing is "plain", "gzip", or "broken-gzip"."""
    syntax = draw(st.sampled_from(bad.SYNTAXES))
    tokens = _tokens(syntax)
    source = draw(st.sampled_from(["bytes", "edited", "tokens"]))
    if source == "bytes":
        data = draw(st.binary(max_size=1024))
    elif source == "edited":
        data = draw(edits(bad.valid(syntax), tokens))
    else:
        data = b"".join(draw(st.lists(st.sampled_from(tokens), max_size=120)))
    packing = draw(st.sampled_from(["plain", "plain", "plain", "gzip", "broken-gzip"]))
    event(f"{syntax}/{source}/{packing}")
    return syntax, data, packing


def _write(folder: Path, syntax: str, data: bytes, packing: str) -> Path:
    path = folder / f"fuzz.{bad.extension(syntax)}{'' if packing == 'plain' else '.gz'}"
    if packing == "gzip":
        data = gzip.compress(data, mtime=0)
    elif packing == "broken-gzip":
        packed = gzip.compress(data, mtime=0)
        data = packed[: max(1, len(packed) - 9)]
    path.write_bytes(data)
    return path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check_failure(exc: ParseError, path: Path, syntax: str, packing: str) -> None:
    message = str(exc)
    assert "\n" not in message and message.isprintable(), message
    assert message.startswith(f"{path}:") or message.startswith(f"{path.name}:"), message
    if syntax in LINE_SYNTAXES and packing == "plain" and "16 MiB" not in message:
        assert exc.line is not None, f"no line: {message}"
    event("ParseError with a line" if exc.line is not None else "ParseError without a line")


def _load_any(folder: Path, document) -> None:
    syntax, data, packing = document
    path = _write(folder, syntax, data, packing)
    store = ox.Store()
    started = time.monotonic()
    try:
        load_file(store, path)
    except ParseError as exc:
        check_failure(exc, path, syntax, packing)
    else:
        event("loaded")
    assert time.monotonic() - started < 10, f"{len(data)} bytes took {time.monotonic() - started:.1f} s"


def _in_memory(folder: Path, examples: int):
    start = _peak_mb()

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(document=documents())
    def run(document):
        _load_any(folder, document)

    run()
    assert _peak_mb() - start < 500, f"peak memory grew by {_peak_mb() - start:.0f} MB"


def test_any_bytes_load_or_fail_in_one_line(tmp_path):
    _in_memory(tmp_path, 300)


@pytest.mark.thorough
@pytest.mark.timeout(3600)
def test_any_bytes_load_or_fail_in_one_line_thoroughly(tmp_path):
    _in_memory(tmp_path, 5000)


def _bulk(folder: Path, examples: int):
    """The bulk loader (another parser API, a store on disk): all or nothing, every time."""
    from micgraph.bulkload import load_into
    from micgraph.stores import OxigraphStore

    store = OxigraphStore(folder / "store", create=True)
    try:
        @settings(max_examples=examples, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(document=documents())
        def run(document):
            syntax, data, packing = document
            path = _write(folder, syntax, data, packing)
            before = len(store)
            try:
                loads = load_into(store, [path])
            except ParseError as exc:
                check_failure(exc, path, syntax, packing)
                assert len(store) == before, "a failed load left part of its file in the store"
            else:
                assert len(store) <= before + loads[0].quads

        run()
    finally:
        store.close()


def test_the_bulk_loader_is_all_or_nothing_on_any_bytes(tmp_path):
    _bulk(tmp_path, 15)


@pytest.mark.thorough
@pytest.mark.timeout(3600)
def test_the_bulk_loader_is_all_or_nothing_on_any_bytes_thoroughly(tmp_path):
    _bulk(tmp_path, 400)


def test_the_command_line_says_one_line_for_any_bytes(tmp_path):
    """The same inputs through `micgraph query --data`: exit 0 or 2, and `error: FILE...` on one line."""
    from click.testing import CliRunner

    from micgraph.cli import main

    runner = CliRunner()

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(document=documents())
    def run(document):
        path = _write(tmp_path, *document)
        result = runner.invoke(main, ["query", "--no-bundled", "--data", str(path), "ASK {}"], prog_name="micgraph")
        assert result.exit_code in (0, 2), (result.exit_code, result.stderr, result.exception)
        lines = result.stderr.splitlines()
        if result.exit_code == 2:
            assert len(lines) == 1 and lines[0].startswith(f"error: {path}"), lines
        else:
            assert lines == []

    run()
