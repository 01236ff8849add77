"""Read RDF files in any syntax (chosen by extension, `.gz` allowed, `-` for stdin) into a pyoxigraph store.

Every parser failure becomes a `ParseError` naming the file, line and column, so the CLI can print
`error: data/x.ttl:12:5: <cause>`. Each file loads in one transaction: a file with an error adds nothing.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from . import bundle, formats
from .errors import InputNotFoundError, ParseError

def display_name(path: str | Path) -> str:
    """How a file is named in messages: bundled files relative to the bundle, others as given."""
    text = str(path)
    if text == "-":
        return "<stdin>"
    try:
        inside = Path(path).resolve().relative_to(bundle.root())
    except (ValueError, FileNotFoundError):
        return text
    return inside.as_posix() if inside.parts[0] in bundle.FOLDERS else text


def open_source(path: str | Path) -> IO[bytes]:
    """A binary stream over the file (decompressed if `.gz`; stdin for `-`)."""
    if str(path) == "-":
        return io.BytesIO(sys.stdin.buffer.read())
    p = Path(path)
    if not p.exists():
        raise InputNotFoundError(str(path))
    if p.is_dir():
        raise InputNotFoundError(str(path), "is a directory, not an RDF file")
    try:
        if p.name.lower().endswith(".gz"):
            import gzip  # lazily: 5 ms of every start-up otherwise

            if p.stat().st_size == 0:
                raise ParseError(display_name(path), "an empty file is not a gzip stream")
            return gzip.open(p, "rb")
        return open(p, "rb")
    except OSError as exc:
        raise InputNotFoundError(str(path), exc.strerror or str(exc)) from exc


class _Replay(io.RawIOBase):
    """The bytes already read from a stream, then the rest of it."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = io.BytesIO(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._head.readinto(buffer)
        return count if count else self._rest.readinto(buffer)

    def close(self) -> None:
        self._rest.close()
        super().close()


def refuse_xml_entities(stream: IO[bytes], name: str) -> IO[bytes]:
    """The same stream, after an XML parser (expat) has read its prolog: a document that declares entities
    in a DTD is refused before any RDF parser sees it (a 1 kB "billion laughs" file expands to gigabytes).
    Only the prolog is read, up to the root element's start tag; what was read is replayed."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    seen: list[bytes] = []

    class Done(Exception):
        pass

    def entity(*args) -> None:
        raise ParseError(name, f"the document declares the XML entity {args[0]!r} in a DTD; micgraph refuses "
                               "entity declarations (they can expand without bound)", parser.CurrentLineNumber)

    def root(*args) -> None:
        raise Done

    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.StartElementHandler = root
    try:
        while True:
            chunk = stream.read(1 << 16)
            seen.append(chunk)
            parser.Parse(chunk, not chunk)
            if not chunk:
                break
    except Done:
        pass
    except xml.parsers.expat.ExpatError:
        pass  # not well-formed: the RDF/XML parser says where, in its own words
    return io.BufferedReader(_Replay(b"".join(seen), stream))


def _bad_gzip(exc: Exception) -> bool:
    gzip = sys.modules.get("gzip")  # never imported: no gzip stream was opened
    return gzip is not None and isinstance(exc, gzip.BadGzipFile)


def parse_error(name: str, exc: Exception) -> ParseError:
    """Turn a pyoxigraph/gzip/decoding error into a ParseError with line and column where known."""
    if isinstance(exc, SyntaxError):
        cause = str(exc.msg if exc.msg else exc)
        # pyoxigraph: "Parser error between line 3 column 11 and line 4 column 1: <cause>"
        if cause.startswith("Parser error") and ": " in cause:
            cause = cause.split(": ", 1)[1]
        return ParseError(name, cause, exc.lineno, exc.offset)
    if isinstance(exc, EOFError) or _bad_gzip(exc):
        return ParseError(name, f"broken gzip stream ({exc})")
    if isinstance(exc, UnicodeDecodeError):
        return ParseError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    return ParseError(name, str(exc))


def base_iri_for(path: str | Path) -> str | None:
    return None if str(path) == "-" else Path(path).resolve().as_uri()


def load_file(store: ox.Store, path: str | Path, input_format: str | None = None,
              graph: ox.NamedNode | None = None, bulk: bool = False) -> None:
    """Parse one file into `store` (into `graph` for triple syntaxes); raise ParseError on bad input."""
    syntax = formats.for_input(path, input_format)
    fmt = syntax.rdf
    name = display_name(path)
    with open_source(path) as raw:
        stream = refuse_xml_entities(raw, name) if syntax.name == "xml" else raw
        try:
            loader = store.bulk_load if bulk else store.load
            loader(input=stream, format=fmt, base_iri=base_iri_for(path),
                   to_graph=graph if graph is not None else ox.DefaultGraph())
        except (SyntaxError, ValueError, EOFError, OSError, UnicodeDecodeError) as exc:
            if isinstance(exc, OSError) and not _bad_gzip(exc):
                raise ParseError(name, exc.strerror or str(exc)) from exc
            raise parse_error(name, exc) from exc


def load_files(paths: Iterable[str | Path], input_format: str | None = None,
               store: ox.Store | None = None) -> ox.Store:
    store = store if store is not None else ox.Store()
    for path in paths:
        load_file(store, path, input_format)
    return store
