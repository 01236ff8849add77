"""Read RDF files in any syntax (chosen by extension, `.gz` allowed, `-` for stdin) into a pyoxigraph store.

Every failure becomes a `ParseError` naming the file (and the line and column where the parser says), so
the CLI can print `error: data/x.ttl:12:5: <cause>`. Each file loads in one transaction: a file with an
error adds nothing.

Before a parser sees the bytes (`open_source`, `guarded`):
- a file is opened once, whatever it is (a FIFO or `<(zcat x)` is read as it streams; nothing is read
  twice), and the operating system's refusal (no such file, a folder, a symbolic link loop, no
  permission) is the message;
- `.gz` must start with the gzip signature (an empty file is not a gzip stream);
- a UTF-8 byte order mark is dropped (Windows editors write one; the RDF parsers read it as a character),
  and a UTF-16 or UTF-32 one is named as the cause (those bytes are never valid UTF-8, so every parser
  would refuse the file at its first byte);
- RDF/XML goes through expat as it is read: a DTD that declares entities is refused ("billion laughs",
  external entities), elements may nest at most MAX_NESTING_IN_FILES deep (pyoxigraph's RDF/XML parser
  slows down with the square of the depth), and a document that is not well-formed XML stops with
  expat's line and column (pyoxigraph reads a truncated RDF/XML file as an empty graph);
- JSON-LD goes through a JSON tokenizer as it is read: objects and arrays may nest at most
  MAX_NESTING_IN_FILES deep (pyoxigraph's JSON-LD processor recurses per level and crashes the process
  with a stack overflow at about 4,000).
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Protocol, TypeVar, cast

import pyoxigraph as ox

from . import bundle, formats
from .constants import MAX_NESTING_IN_FILES, QUERY_TEXT_LIMIT
from .errors import InputNotFoundError, ParseError

GZIP_SIGNATURE = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
# Byte order marks of encodings the RDF syntaxes do not use (longest first: UTF-32 LE starts like UTF-16 LE).
OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def display_name(path: str | Path) -> str:
    """How a file is named in messages: bundled files relative to the bundle, others as given."""
    text = str(path)
    if text == "-":
        return "<stdin>"
    try:
        inside = Path(path).resolve().relative_to(bundle.root())
    except (ValueError, OSError, RuntimeError):  # elsewhere, or unresolvable (a symbolic link loop)
        return text
    return inside.as_posix() if inside.parts and inside.parts[0] in bundle.FOLDERS else text


# --- opening --------------------------------------------------------------------------------------

_CAUSES = {
    errno.ENOENT: "no such file",
    errno.EISDIR: "is a folder, not an RDF file",
    errno.ELOOP: "a loop of symbolic links",
    errno.EACCES: "permission denied (cannot read it)",
    errno.ENXIO: "not a file that can be read (a socket?)",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ENOTDIR: "a part of the path is not a folder",
}


def _unreadable(path: str | Path, exc: OSError) -> InputNotFoundError:
    return InputNotFoundError(str(path), _CAUSES.get(exc.errno or 0, exc.strerror or str(exc)))


def check_readable(path: str | Path) -> None:
    """Fail now, as `open_source` would, when `path` cannot be read; without opening what is not a regular
    file (opening a FIFO would wait for its writer, and closing it would lose what the writer sends)."""
    if str(path) == "-":
        return
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder")
        if stat.S_ISSOCK(mode):  # open() would refuse it with ENXIO
            raise OSError(errno.ENXIO, "a socket")
        if stat.S_ISREG(mode):
            open(path, "rb").close()
    except OSError as exc:
        raise _unreadable(path, exc) from exc


class ByteSource(Protocol):
    """What the guards read from: a binary stream's read() and close()."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class _ReadsInto(Protocol):
    """A raw or buffered binary stream, which reads into a buffer (typing.IO does not say it can)."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...

    def close(self) -> None: ...


class _StdinReader(io.RawIOBase):
    """Standard input, left open when the reader is closed."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        return cast(_ReadsInto, sys.stdin.buffer).readinto(buffer)  # a BufferedReader, typed as BinaryIO


class _Replay(io.RawIOBase):
    """The bytes already read from a stream, then the rest of it."""

    def __init__(self, head: bytes, rest: _ReadsInto) -> None:
        self._head = io.BytesIO(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        count = self._head.readinto(buffer)
        return count if count else self._rest.readinto(buffer)

    def close(self) -> None:
        self._rest.close()
        super().close()


def _peek(stream: IO[bytes], size: int) -> tuple[bytes, IO[bytes]]:
    """The first `size` bytes (fewer at the end of the stream) and a stream that still starts with them:
    the same stream sought back when it is a file, else one that replays them."""
    if isinstance(stream, io.BufferedReader) and stream.seekable():
        position = stream.tell()
        head = stream.read(size)
        stream.seek(position)
        return head, stream
    head = b""
    while len(head) < size:
        chunk = stream.read(size - len(head))
        if not chunk:
            break
        head += chunk
    # open_source's streams (a file, stdin's reader, a GzipFile) are buffered ones, which read into a buffer
    return head, io.BufferedReader(_Replay(head, cast(_ReadsInto, stream)))


def open_source(path: str | Path) -> IO[bytes]:
    """A binary stream over the file's content: decompressed if `.gz`, without a UTF-8 byte order mark,
    stdin for `-`. InputNotFoundError when it cannot be opened, ParseError when it is not what its name
    says (a `.gz` that is not gzip, a UTF-16 file)."""
    name = display_name(path)
    if str(path) == "-":
        stream: IO[bytes] = io.BufferedReader(_StdinReader())
    else:
        try:
            stream = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
        except OSError as exc:
            raise _unreadable(path, exc) from exc
    try:
        if formats.split_compression(path)[1]:
            head, stream = _peek(stream, len(GZIP_SIGNATURE))
            if not head:
                raise ParseError(name, "an empty file is not a gzip stream")
            if head != GZIP_SIGNATURE:
                raise ParseError(
                    name,
                    "not a gzip stream (it does not start with the gzip signature); "
                    "if it is not compressed, name it without .gz",
                )
            import gzip  # lazily: 5 ms of every start-up otherwise

            stream = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
        head, stream = _peek(stream, 4)
        if head.startswith(UTF8_BOM):
            stream.read(len(UTF8_BOM))
        for mark, encoding in OTHER_BOMS:
            if head.startswith(mark):
                raise ParseError(
                    name,
                    f"the file is {encoding} (it starts with a {encoding} byte order mark); "
                    f"micgraph reads UTF-8: convert it, e.g. iconv -f {encoding} -t UTF-8",
                    1,
                    1,
                )
    except (OSError, EOFError) as exc:  # reading the first bytes failed (an I/O error, a broken gzip header)
        stream.close()
        raise parse_error(name, exc) from exc
    except BaseException:
        stream.close()
        raise
    return stream


def read_text(path: str | Path, limit: int = QUERY_TEXT_LIMIT) -> str:
    """A text file named on the command line (a query; `-` for stdin) as `open_source` reads it, decoded
    from UTF-8; ParseError if it is longer than `limit` bytes (found out without reading more than that:
    `-f /dev/zero` stops) or not UTF-8."""
    name = display_name(path)
    with open_source(path) as stream:
        try:
            data = stream.read(limit + 1)
        except (OSError, EOFError) as exc:
            raise parse_error(name, exc) from exc
    if len(data) > limit:
        raise ParseError(name, f"longer than {limit:,} bytes, the most micgraph reads as a query")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise parse_error(name, exc) from exc


# --- guards that read along with the parser ------------------------------------------------------


class _Guarded(io.RawIOBase):
    """A stream that hands every chunk it reads to `check` (and None at the end) before the parser gets it."""

    def __init__(self, stream: ByteSource, check: Callable[[bytes | None], None]) -> None:
        self._stream = stream
        self._check = check
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._ended:
            return 0
        data = self._stream.read(len(buffer))
        if not data:
            self._ended = True
            self._check(None)
            return 0
        self._check(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


def _xml_checker(name: str, limit: int) -> tuple[Callable[[bytes | None], None], Callable[[], bool]]:
    """An expat parser fed the document as it is read: entity declarations refused, depth bounded,
    well-formedness required. Returns check(chunk, or None at the end) and whether the root element
    has started."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    depth = 0
    started = False

    def where() -> tuple[int, int]:
        return parser.CurrentLineNumber, parser.CurrentColumnNumber + 1

    def entity(*args) -> None:
        raise ParseError(
            name,
            f"the document declares the XML entity {args[0]!r} in a DTD; micgraph refuses "
            "entity declarations (they can expand without bound)",
            *where(),
        )

    def start(*args) -> None:
        nonlocal depth, started
        depth += 1
        started = True
        if depth > limit:
            raise ParseError(name, f"XML elements nest more than {limit} deep (the most micgraph reads)", *where())

    def end(*args) -> None:
        nonlocal depth
        depth -= 1

    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end

    def check(chunk: bytes | None) -> None:
        try:
            parser.Parse(chunk or b"", chunk is None)
        except xml.parsers.expat.ExpatError as exc:
            cause = xml.parsers.expat.errors.messages[exc.code] if exc.code else str(exc)
            raise ParseError(name, f"not well-formed XML: {cause}", exc.lineno, exc.offset + 1) from None
        except (LookupError, ValueError) as exc:  # an encoding Python does not know, or expat cannot decode
            raise ParseError(
                name, f"the XML declaration names an encoding micgraph cannot read ({exc})", *where()
            ) from None

    return check, lambda: started


def refuse_xml_entities(stream: ByteSource, name: str, limit: int = MAX_NESTING_IN_FILES) -> IO[bytes]:
    """The same XML stream, checked by expat as it is read (see the module docstring). The prolog, up to
    the root element's start tag, is read and checked now: a document that declares entities in a DTD
    is refused before any RDF parser sees a byte of it."""
    check, started = _xml_checker(name, limit)
    checked = _Guarded(stream, check)
    seen: list[bytes] = []
    while not started():
        chunk = checked.read(1 << 16)
        if not chunk:
            break
        seen.append(chunk)
    return io.BufferedReader(_Replay(b"".join(seen), checked))


def check_xml(body: bytes, name: str) -> None:
    """Refuse an XML document held in memory (a remote answer) as `refuse_xml_entities` would a stream."""
    guarded = refuse_xml_entities(io.BytesIO(body), name)
    while guarded.read(1 << 20):
        pass


_JSON_TOKENS = re.compile(rb'["{}\[\]]')
_JSON_STRING_END = re.compile(rb'["\\]')


def _json_checker(name: str, limit: int) -> Callable[[bytes | None], None]:
    """A JSON tokenizer fed the document as it is read, counting how deeply objects and arrays nest
    (brackets inside strings do not count). It only bounds nesting: pyoxigraph reports the syntax."""
    depth = 0
    in_string = False
    escaped = False
    line = 1

    def check(chunk: bytes | None) -> None:
        nonlocal depth, in_string, escaped, line
        if chunk is None:
            return
        position = 0
        while position < len(chunk):
            if escaped:
                escaped = False
                position += 1
                continue
            if in_string:
                found = _JSON_STRING_END.search(chunk, position)
                if found is None:
                    break
                if found.group() == b"\\":
                    escaped = True
                else:
                    in_string = False
                position = found.end()
                continue
            found = _JSON_TOKENS.search(chunk, position)
            if found is None:
                break
            token = found.group()
            if token == b'"':
                in_string = True
            elif token in (b"{", b"["):
                depth += 1
                if depth > limit:
                    line += chunk.count(b"\n", 0, found.start())
                    raise ParseError(
                        name, f"JSON objects and arrays nest more than {limit} deep (the most micgraph reads)", line
                    )
            else:
                depth -= 1
            position = found.end()
        line += chunk.count(b"\n")

    return check


_Source = TypeVar("_Source", bound=ByteSource)


def guarded(stream: _Source, syntax: formats.Format, name: str) -> _Source | IO[bytes]:
    """The stream as the parser of `syntax` should get it: through the guard of its syntax, if it has one."""
    if syntax.name == "xml":
        return refuse_xml_entities(stream, name)
    if syntax.name == "jsonld":
        return io.BufferedReader(_Guarded(stream, _json_checker(name, MAX_NESTING_IN_FILES)))
    return stream


# --- parser errors ----------------------------------------------------------------------------------


def bad_gzip(exc: BaseException) -> bool:
    gzip = sys.modules.get("gzip")  # never imported: no gzip stream was opened
    return gzip is not None and isinstance(exc, gzip.BadGzipFile)


PARSER_ERRORS = (SyntaxError, ValueError, EOFError, OSError, UnicodeDecodeError, MemoryError)


def parse_error(name: str, exc: BaseException) -> ParseError:
    """Turn a pyoxigraph/gzip/decoding/reading error into a ParseError with line and column where known."""
    if isinstance(exc, SyntaxError):
        cause = str(exc.msg if exc.msg else exc)
        # pyoxigraph: "Parser error between line 3 column 11 and line 4 column 1: <cause>"
        if cause.startswith("Parser error") and ": " in cause:
            cause = cause.split(": ", 1)[1]
        if "LoadDocumentCallback" in cause:  # pyoxigraph's words for a context it was given no way to fetch
            cause = (
                "the document names a remote JSON-LD context, and micgraph never fetches one: put the "
                "context in the document"
            )
        return ParseError(name, cause, exc.lineno, exc.offset)
    if isinstance(exc, EOFError) or bad_gzip(exc):
        return ParseError(name, f"broken gzip stream ({exc})")
    if isinstance(exc, UnicodeDecodeError):
        return ParseError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start:,})")
    if isinstance(exc, MemoryError):
        # pyoxigraph's parsers hold one token (a literal, an IRI) in a buffer of at most 16 MiB
        if "buffer maximal size" in str(exc):
            return ParseError(name, "a single literal or IRI is longer than the parser's limit of 16 MiB")
        return ParseError(name, "out of memory while reading it")
    if isinstance(exc, OSError):
        return ParseError(name, f"cannot read it: {exc.strerror or exc}")
    return ParseError(name, str(exc))


def base_iri_for(path: str | Path) -> str | None:
    if str(path) == "-":
        return None
    try:
        return Path(path).resolve().as_uri()
    except (OSError, RuntimeError, ValueError):
        return None


def load_file(
    store: ox.Store,
    path: str | Path,
    input_format: str | None = None,
    graph: ox.NamedNode | None = None,
    bulk: bool = False,
) -> None:
    """Parse one file into `store` (into `graph` for triple syntaxes); raise ParseError on bad input."""
    syntax = formats.for_input(path, input_format)
    name = display_name(path)
    with open_source(path) as raw:
        try:
            loader = store.bulk_load if bulk else store.load
            loader(
                input=guarded(raw, syntax, name),
                format=syntax.rdf,
                base_iri=base_iri_for(path),
                to_graph=graph if graph is not None else ox.DefaultGraph(),
            )
        except PARSER_ERRORS as exc:
            raise parse_error(name, exc) from exc


def load_files(paths: Iterable[str | Path], input_format: str | None = None, store: ox.Store | None = None) -> ox.Store:
    store = store if store is not None else ox.Store()
    for path in paths:
        load_file(store, path, input_format)
    return store
