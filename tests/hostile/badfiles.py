"""Bad inputs, as bytes or as builders that make them in a folder: the material of the corpus and the fuzzers.

Each RDF syntax has one small valid document (`VALID`) holding the same three triples, and the corrupted
forms are made from it, so a case says "this syntax, this damage" and nothing else. Large inputs are
written at test time, never committed.
"""

from __future__ import annotations

import gzip
import os
import random
import socket
import stat
from collections.abc import Callable
from pathlib import Path

EX = "http://example.org/"

# syntax name -> (file extension, a valid document with three triples)
VALID: dict[str, tuple[str, bytes]] = {
    "turtle": ("ttl", b'@prefix ex: <http://example.org/> .\nex:a ex:p "caf\xc3\xa9" ;\n  ex:q ex:b .\nex:b ex:p 1 .\n'),
    "nt": ("nt", b'<http://example.org/a> <http://example.org/p> "caf\xc3\xa9" .\n'
                 b'<http://example.org/a> <http://example.org/q> <http://example.org/b> .\n'
                 b'<http://example.org/b> <http://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'),
    "nquads": ("nq", b'<http://example.org/a> <http://example.org/p> "caf\xc3\xa9" <http://example.org/g> .\n'
                     b'<http://example.org/a> <http://example.org/q> <http://example.org/b> <http://example.org/g> .\n'
                     b'<http://example.org/b> <http://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'),
    "trig": ("trig", b'@prefix ex: <http://example.org/> .\nex:g {\n  ex:a ex:p "caf\xc3\xa9" ;\n    ex:q ex:b .\n'
                     b'  ex:b ex:p 1 .\n}\n'),
    "jsonld": ("jsonld", b'{\n  "@context": {"ex": "http://example.org/"},\n  "@graph": [\n'
                         b'    {"@id": "ex:a", "ex:p": "caf\xc3\xa9", "ex:q": {"@id": "ex:b"}},\n'
                         b'    {"@id": "ex:b", "ex:p": 1}\n  ]\n}\n'),
    "xml": ("rdf", b'<?xml version="1.0" encoding="UTF-8"?>\n'
                   b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
                   b'  <rdf:Description rdf:about="http://example.org/a">\n    <ex:p>caf\xc3\xa9</ex:p>\n'
                   b'    <ex:q rdf:resource="http://example.org/b"/>\n  </rdf:Description>\n'
                   b'  <rdf:Description rdf:about="http://example.org/b">\n'
                   b'    <ex:p rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">1</ex:p>\n'
                   b'  </rdf:Description>\n</rdf:RDF>\n'),
    "n3": ("n3", b'@prefix ex: <http://example.org/> .\nex:a ex:p "caf\xc3\xa9" ;\n  ex:q ex:b .\nex:b ex:p 1 .\n'),
}
SYNTAXES = tuple(VALID)
TRIPLES_IN_VALID = 3


def extension(syntax: str) -> str:
    return VALID[syntax][0]


def valid(syntax: str) -> bytes:
    return VALID[syntax][1]


# --- damage done to a valid document ------------------------------------------------------------

def truncated(syntax: str) -> bytes:
    """Cut inside the literal "café": every syntax is then unterminated there."""
    data = valid(syntax)
    return data[:data.index(b"caf") + 2]


def latin1(syntax: str) -> bytes:
    """The é of café in ISO-8859-1: not UTF-8."""
    return valid(syntax).replace(b"caf\xc3\xa9", b"caf\xe9")


def utf16(syntax: str) -> bytes:
    """The whole document in UTF-16 with its byte order mark."""
    return valid(syntax).decode("utf-8").encode("utf-16")


def bom(syntax: str) -> bytes:
    """A UTF-8 byte order mark, then the valid document (Windows editors write it)."""
    return b"\xef\xbb\xbf" + valid(syntax)


def nul(syntax: str) -> bytes:
    """A NUL byte between two statements (inside the document's structure for JSON-LD and RDF/XML)."""
    data = valid(syntax)
    cut = data.index(b"\n", data.index(b"caf")) + 1
    return data[:cut] + b"\x00" + data[cut:]


def garbage(syntax: str) -> bytes:
    """Random bytes, the same every run."""
    return random.Random(syntax).randbytes(4096)


def wrong_syntax(syntax: str) -> bytes:
    """Another syntax's document under this syntax's name (N-Triples is also Turtle, so JSON-LD then)."""
    return valid("jsonld" if syntax in ("turtle", "nt", "nquads", "trig", "n3") else "turtle")


# --- nesting ---------------------------------------------------------------------------------------

DEEP = 20_000  # far beyond any recursion limit (Python's 1,000; an 8 MiB native stack holds a few thousand frames)


def deep(syntax: str, depth: int = DEEP) -> bytes:
    """Blank nodes (objects, elements) nested `depth` deep, well-formed."""
    if syntax in ("turtle", "n3"):
        return b"<http://example.org/a> " + b"<http://example.org/p> [ " * depth + b"<http://example.org/p> 1 " + b"] " * depth + b".\n"
    if syntax == "trig":
        return b"<http://example.org/g> { <http://example.org/a> " + b"<http://example.org/p> [ " * depth + b"<http://example.org/p> 1 " + b"] " * depth + b". }\n"
    if syntax == "jsonld":
        return b'{"@id": "http://example.org/a", ' + b'"http://example.org/p": {' * depth + b'"http://example.org/p": 1' + b"}" * depth + b"}"
    if syntax == "xml":
        return (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
                + b'<rdf:Description><ex:p>' * depth + b'<rdf:Description/>' + b'</ex:p></rdf:Description>' * depth
                + b"</rdf:RDF>")
    # N-Triples and N-Quads cannot nest: a deep-looking line is a syntax error
    return b"<http://example.org/a> <http://example.org/p> " + b"[ " * depth + b".\n"


def deep_list(depth: int = DEEP) -> bytes:
    """A Turtle collection of collections, `depth` deep."""
    return b"<http://example.org/a> <http://example.org/p> " + b"( " * depth + b"1 " + b") " * depth + b".\n"


def deep_formula(depth: int = 20_000) -> bytes:
    """N3 formulas inside formulas."""
    return b"<http://example.org/a> <http://example.org/p> " + b"{ <http://example.org/a> <http://example.org/p> " * depth + b"1 " + b"} " * depth + b".\n"


def unclosed(syntax: str, depth: int = 50_000) -> bytes:
    """Openers without their closers: the parser must stop at the end of the file, not wait for memory."""
    return deep(syntax, depth)[: len(deep(syntax, depth)) // 2]


# --- size ------------------------------------------------------------------------------------------

def long_literal_builder(syntax: str, size: int) -> Callable[[Path], None]:
    """A document whose one literal holds `size` bytes, written in chunks (never held in memory whole)."""
    head, tail = {
        "turtle": (b'<http://example.org/a> <http://example.org/p> "', b'" .\n'),
        "n3": (b'<http://example.org/a> <http://example.org/p> "', b'" .\n'),
        "nt": (b'<http://example.org/a> <http://example.org/p> "', b'" .\n'),
        "nquads": (b'<http://example.org/a> <http://example.org/p> "', b'" <http://example.org/g> .\n'),
        "trig": (b'<http://example.org/g> { <http://example.org/a> <http://example.org/p> "', b'" }\n'),
        "jsonld": (b'{"@id": "http://example.org/a", "http://example.org/p": "', b'"}\n'),
        "xml": (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
                b'<rdf:Description rdf:about="http://example.org/a"><ex:p>', b"</ex:p></rdf:Description></rdf:RDF>\n"),
    }[syntax]
    return chunked(head, b"x", size, tail)


def long_iri_builder(size: int) -> Callable[[Path], None]:
    return chunked(b"<http://example.org/", b"a", size, b"> <http://example.org/p> 1 .\n")


def chunked(head: bytes, fill: bytes, size: int, tail: bytes) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        block = fill * (1 << 20)
        with open(path, "wb") as out:
            out.write(head)
            left = size
            while left > 0:
                out.write(block[:left])
                left -= len(block)
            out.write(tail)
    return build


def long_line(triples: int = 200_000) -> bytes:
    """Many short triples on one line (legal Turtle)."""
    return b"@prefix ex: <http://example.org/> . " + b"".join(b"ex:s%d ex:p %d . " % (i, i) for i in range(triples)) + b"\n"


def many_prefixes(count: int = 100_000) -> bytes:
    return b"".join(b"@prefix p%d: <http://example.org/%d/> .\n" % (i, i) for i in range(count)) + b"p1:a p2:b p3:c .\n"


# --- XML attacks -----------------------------------------------------------------------------------

RDF_OPEN = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
            b'<rdf:Description rdf:about="http://example.org/a"><ex:p>')
RDF_CLOSE = b"</ex:p></rdf:Description></rdf:RDF>\n"


def billion_laughs() -> bytes:
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%d;" % (i - 1) for _ in range(10))) for i in range(1, 10))
    return b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [' + entities + b"]>\n" + RDF_OPEN + b"&lol9;" + RDF_CLOSE


def xxe(target: str = "file:///etc/passwd") -> bytes:
    return (b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "' + target.encode() + b'">]>\n'
            + RDF_OPEN + b"&xxe;" + RDF_CLOSE)


def parameter_entity(target: str) -> bytes:
    return (b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY % remote SYSTEM "' + target.encode()
            + b'"> %remote;]>\n' + RDF_OPEN + b"x" + RDF_CLOSE)


def external_dtd(target: str) -> bytes:
    return b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "' + target.encode() + b'">\n' + RDF_OPEN + b"x" + RDF_CLOSE


def entity_after_comment() -> bytes:
    """The DTD after a comment and a processing instruction: still the prolog."""
    return (b'<?xml version="1.0"?>\n<!-- a comment --><?pi data?>\n<!DOCTYPE rdf:RDF [<!ENTITY a "b">]>\n'
            + RDF_OPEN + b"&a;" + RDF_CLOSE)


def entity_utf16() -> bytes:
    """The billion laughs in UTF-16: a byte scan for `<!ENTITY` finds nothing, an XML parser does."""
    return billion_laughs().decode("ascii").replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")


def undeclared_entity() -> bytes:
    return RDF_OPEN + b"&nope;" + RDF_CLOSE


# --- JSON-LD contexts --------------------------------------------------------------------------------

def remote_context(url: str) -> bytes:
    return b'{"@context": "' + url.encode() + b'", "@id": "http://example.org/a", "p": "x"}'


def jsonld_duplicate_keys() -> bytes:
    return b'{"@id": "http://example.org/a", "@id": "http://example.org/b", "http://example.org/p": 1}'


def jsonld_huge_number() -> bytes:
    return b'{"@id": "http://example.org/a", "http://example.org/p": 1' + b"0" * 100_000 + b"}"


# --- gzip --------------------------------------------------------------------------------------------

def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def gz_truncated(data: bytes) -> bytes:
    packed = gz(data)
    return packed[: len(packed) // 2]


def gz_trailing_garbage(data: bytes) -> bytes:
    return gz(data) + b"this is not gzip"


def gz_bomb_builder(size: int) -> Callable[[Path], None]:
    """A gzip stream of `size` bytes of spaces (valid, empty Turtle), written in chunks."""
    def build(path: Path) -> None:
        block = b" " * (1 << 20)
        with gzip.open(path, "wb", compresslevel=9) as out:
            for _ in range(size >> 20):
                out.write(block)
    return build


# --- things that are not regular files -----------------------------------------------------------

def symlink_loop(path: Path) -> None:
    other = path.with_name(path.name + ".other")
    os.symlink(other.name, path)
    os.symlink(path.name, other)


def dangling_symlink(path: Path) -> None:
    os.symlink("nowhere.ttl", path)


def symlink_to(target: str) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        os.symlink(target, path)
    return build


def directory(path: Path) -> None:
    path.mkdir()
    (path / "inside.ttl").write_bytes(valid("turtle"))


def fifo(path: Path) -> None:
    os.mkfifo(path)


READ_FROM_FIFOS: dict[str, bytes] = {}  # path -> what a reader got from the FIFO (see fifo_with_reader)


def fifo_with_reader(path: Path) -> None:
    """A FIFO and a thread that reads everything written into it (into READ_FROM_FIFOS)."""
    import threading

    os.mkfifo(path)

    def read() -> None:
        with open(path, "rb") as stream:
            READ_FROM_FIFOS[str(path)] = stream.read()

    threading.Thread(target=read, daemon=True).start()


def unix_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays, with nobody listening


def unreadable(path: Path) -> None:
    path.write_bytes(valid("turtle"))
    path.chmod(0)


def device(minor: int, name: str) -> Callable[[Path], None]:
    """A memory character device (1, minor) like /dev/`name`, made inside the test's folder (root can), else a
    symbolic link to /dev/`name`. A device of its own keeps a broken case from harming the machine's."""
    def build(path: Path) -> None:
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        except PermissionError:
            os.symlink(f"/dev/{name}", path)
    return build


null_device = device(3, "null")
zero_device = device(5, "zero")
full_device = device(7, "full")
random_device = device(9, "urandom")


def store_lookalike(path: Path) -> None:
    """A folder that looks like a RocksDB store (CURRENT, a MANIFEST) but holds garbage."""
    path.mkdir()
    (path / "CURRENT").write_bytes(b"MANIFEST-000001\n")
    (path / "MANIFEST-000001").write_bytes(random.Random(1).randbytes(512))


def folder_of_files(path: Path) -> None:
    path.mkdir()
    (path / "notes.txt").write_text("mine, not micgraph's\n")


def empty_folder(path: Path) -> None:
    path.mkdir()


def lazy(function: Callable[..., bytes], *args) -> Callable[[Path], None]:
    """A builder that makes the bytes when the case runs (big inputs cost nothing at collection)."""
    def build(path: Path) -> None:
        path.write_bytes(function(*args))
    return build
