"""The corpus: bad inputs for every command, each with the exit status and message micgraph must give.

Read it as a table. Each `Case` names its command line, the files made for it (from badfiles.py), what
micgraph must exit with and print, and which files it may write; harness.py runs it and checks the rest
(no traceback, one line, no file it did not write touched, bounded memory). Cases are grouped by what is
hostile: the bytes of a file, what a path names, the XML and JSON-LD attacks, size, each command's own
inputs, the flags, the query text, shapes, outputs, stores, standard input.
"""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path

import badfiles as bad
from harness import Case, Result

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
Q = ("query", "--no-bundled", "--format", "csv")  # a query on the user's files alone
TINY = bad.valid("turtle")
LINE = r"error: {name}:\d+(:\d+)?: "  # the file named, with the line (and column) where it went wrong


def located(name: str) -> str:
    return LINE.format(name=name.replace(".", r"\."))


def count_is(n: int) -> str:
    return rf"^n\r?\n{n}\r?\n"


def store_holds(n: int, store: str = "st"):
    """A check: the persistent store holds exactly `n` quads (a failed load added nothing)."""
    def check(folder: Path, result: Result) -> None:
        import pyoxigraph as ox

        assert len(ox.Store.read_only(str(folder / store))) == n, f"{store} should hold {n} quads"
    return check


def gzip_holds(name: str, needle: bytes):
    def check(folder: Path, result: Result) -> None:
        assert needle in gzip.decompress((folder / name).read_bytes())
    return check


def store_of(nquads: bytes):
    """A builder: an Oxigraph store holding `nquads`, closed (a user's store, which micgraph may open)."""
    def build(path: Path) -> None:
        import pyoxigraph as ox

        store = ox.Store(str(path))
        store.load(nquads, format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
    return build


HELD: list = []  # stores the test process keeps open while a case runs


def held_store(path: Path) -> None:
    """A store this (the test) process holds open: RocksDB locks it against every other process."""
    import pyoxigraph as ox

    HELD.append(ox.Store(str(path)))


def release_held(folder: Path, result: Result) -> None:
    HELD.clear()


def fifo_got(needle: bytes):
    def check(folder: Path, result: Result) -> None:
        import time

        for _ in range(100):
            got = bad.READ_FROM_FIFOS.get(str(folder / "pipe.nt"))
            if got is not None:
                break
            time.sleep(0.05)
        assert got is not None and needle in got, f"the FIFO's reader got {got!r}"
    return check


def file_holds(name: str, needle: bytes):
    def check(folder: Path, result: Result) -> None:
        assert needle in (folder / name).read_bytes()
    return check


CASES: list[Case] = []
# RocksDB rewrites a store's own files (its MANIFEST, its log) whenever it opens one: a case that opens a
# store lets "st" change. And it opens a folder that looks like a store (CURRENT, a MANIFEST) and writes its lock and log there
# before finding the MANIFEST corrupt: the user named it as a store.
LOOKALIKE_WRITES = ("fake/LOCK", "fake/LOG")


def add(*cases: Case) -> None:
    CASES.extend(cases)


# --- 1. the bytes of an RDF file, in every syntax, read into memory (query --data) ---------------

for syntax in bad.SYNTAXES:
    ext = bad.extension(syntax)
    is_line_syntax = syntax in ("nt", "nquads")
    nests = syntax in ("turtle", "trig", "n3")
    add(
        Case(f"data/{syntax}/valid", (*Q, "--data", f"ok.{ext}", COUNT), 0, stdout=count_is(3),
             files={f"ok.{ext}": bad.valid(syntax)}),
        Case(f"data/{syntax}/truncated", (*Q, "--data", f"cut.{ext}", COUNT), 2, located(f"cut.{ext}"),
             files={f"cut.{ext}": bad.truncated(syntax)}),
        Case(f"data/{syntax}/latin1", (*Q, "--data", f"latin.{ext}", COUNT), 2, located(f"latin.{ext}"),
             files={f"latin.{ext}": bad.latin1(syntax)}),
        Case(f"data/{syntax}/utf16", (*Q, "--data", f"wide.{ext}", COUNT), 2, r"UTF-16 byte order mark.*iconv",
             files={f"wide.{ext}": bad.utf16(syntax)}),
        Case(f"data/{syntax}/bom", (*Q, "--data", f"bom.{ext}", COUNT), 0, stdout=count_is(3),
             files={f"bom.{ext}": bad.bom(syntax)}),
        Case(f"data/{syntax}/nul", (*Q, "--data", f"nul.{ext}", COUNT), 2,
             located(f"nul.{ext}") + ("not well-formed" if syntax == "xml" else r".*\\x00"),
             files={f"nul.{ext}": bad.nul(syntax)}),
        Case(f"data/{syntax}/garbage", (*Q, "--data", f"junk.{ext}", COUNT), 2, located(f"junk.{ext}"),
             files={f"junk.{ext}": bad.garbage(syntax)}),
        Case(f"data/{syntax}/wrong-syntax", (*Q, "--data", f"other.{ext}", COUNT), 2, located(f"other.{ext}"),
             files={f"other.{ext}": bad.wrong_syntax(syntax)}),
        Case(f"data/{syntax}/empty", (*Q, "--data", f"empty.{ext}", COUNT),
             2 if syntax in ("jsonld", "xml") else 0,
             located(f"empty.{ext}") if syntax in ("jsonld", "xml") else "",
             files={f"empty.{ext}": b""}),
        Case(f"data/{syntax}/deep", (*Q, "--data", f"deep.{ext}", COUNT), 0 if nests else 2,
             "" if nests else located(f"deep.{ext}") + ("" if is_line_syntax else ".*nest more than 256 deep"),
             stdout=count_is(bad.DEEP + 1) if nests else None, files={f"deep.{ext}": bad.lazy(bad.deep, syntax)}),
        Case(f"data/{syntax}/unclosed", (*Q, "--data", f"open.{ext}", COUNT), 2, located(f"open.{ext}"),
             files={f"open.{ext}": bad.lazy(bad.unclosed, syntax)}),
        Case(f"data/{syntax}/gz", (*Q, "--data", f"ok.{ext}.gz", COUNT), 0, stdout=count_is(3),
             files={f"ok.{ext}.gz": bad.gz(bad.valid(syntax))}),
        Case(f"data/{syntax}/gz-bom", (*Q, "--data", f"bom.{ext}.gz", COUNT), 0, stdout=count_is(3),
             files={f"bom.{ext}.gz": bad.gz(bad.bom(syntax))}),
        Case(f"data/{syntax}/gz-truncated", (*Q, "--data", f"cut.{ext}.gz", COUNT), 2,
             rf"error: cut\.{ext}\.gz: .*gzip", files={f"cut.{ext}.gz": bad.gz_truncated(bad.valid(syntax))}),
    )

add(
    Case("data/turtle/deep-list", (*Q, "--data", "lists.ttl", COUNT), 0, stdout=count_is(2 * bad.DEEP + 1),
         files={"lists.ttl": bad.lazy(bad.deep_list)}),
    Case("data/n3/deep-formula", (*Q, "--data", "formula.n3", COUNT), 0, files={"formula.n3": bad.lazy(bad.deep_formula)}),
    Case("data/jsonld/nest-just-inside-the-limit", (*Q, "--data", "d.jsonld", COUNT), 0, stdout=count_is(256),
         files={"d.jsonld": bad.lazy(bad.deep, "jsonld", 255)}),
    Case("data/jsonld/brackets-in-strings-do-not-count", (*Q, "--data", "s.jsonld", COUNT), 0, stdout=count_is(1),
         files={"s.jsonld": b'{"@id": "http://example.org/a", "http://example.org/p": "' + b"{[\\\"" * 5000 + b'"}'}),
    Case("data/xml/nest-just-inside-the-limit", (*Q, "--data", "d.rdf", COUNT), 0,
         files={"d.rdf": bad.lazy(bad.deep, "xml", 127)}),
    Case("data/gz/empty", (*Q, "--data", "empty.ttl.gz", COUNT), 2, r"error: empty\.ttl\.gz: an empty file is not a gzip",
         files={"empty.ttl.gz": b""}),
    Case("data/gz/not-gzip", (*Q, "--data", "plain.ttl.gz", COUNT), 2, r"not a gzip stream",
         files={"plain.ttl.gz": TINY}),
    Case("data/gz/trailing-garbage", (*Q, "--data", "tail.ttl.gz", COUNT), 2, r"error: tail\.ttl\.gz: ",
         files={"tail.ttl.gz": bad.gz_trailing_garbage(TINY)}),
    Case("data/gz/garbage-inside", (*Q, "--data", "junk.ttl.gz", COUNT), 2, located("junk.ttl.gz"),
         files={"junk.ttl.gz": bad.gz(bad.garbage("turtle"))}),
    Case("data/gz/twice-compressed", (*Q, "--data", "twice.ttl.gz", COUNT), 2, located("twice.ttl.gz"),
         files={"twice.ttl.gz": bad.gz(bad.gz(TINY))}),
    Case("data/gz/header-only", (*Q, "--data", "head.ttl.gz", COUNT), 2, r"error: head\.ttl\.gz: .*gzip",
         files={"head.ttl.gz": bad.gz(TINY)[:10]}),
    Case("data/gz/utf16-inside", (*Q, "--data", "wide.ttl.gz", COUNT), 2, "UTF-16",
         files={"wide.ttl.gz": bad.gz(bad.utf16("turtle"))}),
    Case("data/escape-sequence-in-message", (*Q, "--data", "esc.ttl", COUNT), 2, r"esc\.ttl:1:1: '\\x1b'",
         files={"esc.ttl": b"\x1b[2J\x1b]0;pwned\x07 <http://a> <http://b> <http://c> ."}),
    Case("data/right-to-left-override-in-message", (*Q, "--data", "rtl.ttl", COUNT), 2, r"\\u202e",
         files={"rtl.ttl": "\u202e <http://a> <http://b> <http://c> .".encode()}),
    Case("data/relative-iri-resolved-against-the-file", (*Q, "--data", "rel.ttl", "SELECT ?s { ?s ?p ?o }"), 0,
         stdout=r"file:///.*/x", files={"rel.ttl": b"<x> <http://example.org/p> 1 ."}),
    Case("data/unknown-extension", (*Q, "--data", "data.txt", COUNT), 2, r"data\.txt.*--input-format",
         files={"data.txt": TINY}),
    Case("data/no-extension", (*Q, "--data", "data", COUNT), 2, r"--input-format", files={"data": TINY}),
    Case("data/input-format-overrides-a-wrong-extension", (*Q, "--data", "data.txt", "--input-format", "turtle",
                                                          COUNT), 0, stdout=count_is(3), files={"data.txt": TINY}),
    Case("data/input-format-contradicts-content", (*Q, "--data", "x.ttl", "--input-format", "jsonld", COUNT), 2,
         located("x.ttl"), files={"x.ttl": TINY}),
    Case("data/undeclared-prefix", (*Q, "--data", "p.ttl", COUNT), 2, located("p.ttl") + r".*nope",
         files={"p.ttl": b"nope:a nope:b nope:c ."}),
    Case("data/invalid-language-tag", (*Q, "--data", "l.ttl", COUNT), 2, located("l.ttl"),
         files={"l.ttl": b'<http://a> <http://b> "x"@-- .'}),
    Case("data/ill-typed-literal-is-kept", (*Q, "--data", "t.ttl", COUNT), 0, stdout=count_is(1),
         files={"t.ttl": b'<http://a> <http://b> "many"^^<http://www.w3.org/2001/XMLSchema#integer> .'}),
    Case("data/surrogate-escape", (*Q, "--data", "s.ttl", COUNT), 2, located("s.ttl"),
         files={"s.ttl": b'<http://a> <http://b> "\\uD800" .'}),
    Case("data/many-prefixes", (*Q, "--data", "p.ttl", COUNT), 0, stdout=count_is(1),
         files={"p.ttl": bad.lazy(bad.many_prefixes)}),
    Case("data/long-line", (*Q, "--data", "line.ttl", COUNT), 0, stdout=count_is(50_000),
         files={"line.ttl": bad.lazy(bad.long_line, 50_000)}),
    Case("data/second-file-bad-names-the-second", (*Q, "--data", "ok.ttl", "--data", "cut.ttl", COUNT), 2,
         located("cut.ttl"), files={"ok.ttl": TINY, "cut.ttl": bad.truncated("turtle")}),
)


# --- 2. the same damage through the bulk loader (load: another parser path, a store on disk) --------

for syntax in bad.SYNTAXES:
    ext = bad.extension(syntax)
    rare = syntax not in ("turtle", "xml")  # the other syntaxes take the same path: under -m slow
    load_bom = Case(f"load/{syntax}/bom", ("load", "--store", "oxigraph:st", f"bom.{ext}"), 0,
                    r"loaded 1 file: 3 triples", files={f"bom.{ext}": bad.bom(syntax)}, writes=("st",), slow=rare,
                    check=store_holds(3))
    add(
        load_bom,
        Case(f"load/{syntax}/truncated", ("load", "--store", "oxigraph:st", f"cut.{ext}"), 2, located(f"cut.{ext}"),
             files={f"cut.{ext}": bad.truncated(syntax)}, writes=("st",), slow=rare, check=store_holds(0)),
        Case(f"load/{syntax}/nul-after-a-good-triple", ("load", "--store", "oxigraph:st", f"nul.{ext}"), 2,
             located(f"nul.{ext}"), files={f"nul.{ext}": bad.nul(syntax)}, writes=("st",), slow=rare, check=store_holds(0)),
        Case(f"load/{syntax}/utf16", ("load", "--store", "oxigraph:st", f"wide.{ext}"), 2, "UTF-16",
             files={f"wide.{ext}": bad.utf16(syntax)}, writes=("st",), slow=rare),
        Case(f"load/{syntax}/deep", ("load", "--store", "oxigraph:st", f"deep.{ext}"),
             0 if syntax in ("turtle", "trig", "n3") else 2, "" if syntax in ("turtle", "trig", "n3") else located(f"deep.{ext}"),
             files={f"deep.{ext}": bad.lazy(bad.deep, syntax)}, writes=("st",), slow=rare),
        Case(f"load/{syntax}/gz-truncated", ("load", "--store", "oxigraph:st", f"cut.{ext}.gz"), 2, r"gzip",
             files={f"cut.{ext}.gz": bad.gz_truncated(bad.valid(syntax) * 50)}, writes=("st",), slow=rare, check=store_holds(0)),
        Case(f"load/{syntax}/stdin-garbage", ("load", "--store", "oxigraph:st", "-", "--input-format", syntax), 2,
             r"error: <stdin>:", stdin=bad.garbage(syntax), writes=("st",), slow=rare, check=store_holds(0)),
    )

add(
    Case("load/good-then-bad-keeps-the-good", ("load", "--store", "oxigraph:st", "ok.ttl", "cut.ttl"), 2,
         located("cut.ttl"), files={"ok.ttl": TINY, "cut.ttl": bad.truncated("turtle")}, writes=("st",),
         check=store_holds(3)),
    Case("load/graph-not-an-iri", ("load", "--store", "oxigraph:st", "--graph", "not an iri", "ok.ttl"), 2,
         r"--graph 'not an iri' is not an absolute IRI", files={"ok.ttl": TINY}, writes=("st",)),
    Case("load/graph-relative", ("load", "--store", "oxigraph:st", "--graph", "g1", "ok.ttl"), 2,
         r"--graph 'g1' is not an absolute IRI", files={"ok.ttl": TINY}, writes=("st",)),
    Case("load/graph-empty", ("load", "--store", "oxigraph:st", "--graph", "", "ok.ttl"), 0,
         files={"ok.ttl": TINY}, writes=("st",), check=store_holds(3)),
    Case("load/graph-in-angle-brackets", ("load", "--store", "oxigraph:st", "--graph", "<http://example.org/g>",
                                          "ok.ttl"), 2, r"not an absolute IRI", files={"ok.ttl": TINY}, writes=("st",)),
    Case("load/graph-with-a-dataset-syntax", ("load", "--store", "oxigraph:st", "--graph", "http://example.org/g",
                                              "ok.trig"), 2, r"--graph applies to triple syntaxes",
         files={"ok.trig": bad.valid("trig")}),
    Case("load/nothing-to-load", ("load", "--store", "oxigraph:st"), 2, r"give FILEs to load"),
    Case("load/missing-file-before-the-store-is-touched", ("load", "--store", "oxigraph:st", "ok.ttl", "missing.ttl"),
         2, r"missing\.ttl: no such file", files={"ok.ttl": TINY}),
    Case("load/a-folder", ("load", "--store", "oxigraph:st", "dir.ttl"), 2, r"dir\.ttl: is a folder",
         files={"dir.ttl": bad.directory}),
    Case("load/symlink-loop", ("load", "--store", "oxigraph:st", "loop.ttl"), 2, r"loop\.ttl: a loop of symbolic links",
         files={"loop.ttl": bad.symlink_loop}),
    Case("load/into-a-folder-of-other-files", ("load", "--store", "oxigraph:docs", "ok.ttl"), 2,
         r"holds files that are not an Oxigraph store", files={"ok.ttl": TINY, "docs": bad.folder_of_files}),
    Case("load/into-a-file", ("load", "--store", "oxigraph:ok.ttl", "ok.ttl"), 2, r"not a folder",
         files={"ok.ttl": TINY}),
    Case("load/into-a-store-lookalike", ("load", "--store", "oxigraph:fake", "ok.ttl"), 2,
         r"fake: cannot open the Oxigraph store", files={"ok.ttl": TINY, "fake": bad.store_lookalike}, writes=LOOKALIKE_WRITES),
    Case("load/unknown-store-kind", ("load", "--store", "sqlite:st", "ok.ttl"), 2, r"unknown store 'sqlite:st'",
         files={"ok.ttl": TINY}),
    Case("load/store-without-folder", ("load", "--store", "oxigraph:", "ok.ttl"), 2, r"unknown store",
         files={"ok.ttl": TINY}),
    Case("load/stdin-empty", ("load", "--store", "oxigraph:st", "-"), 0, r"loaded 1 file: 0 triples", stdin=b"",
         writes=("st",)),
    Case("load/stdin-bom", ("load", "--store", "oxigraph:st", "-"), 0, r"3 triples", stdin=bad.bom("turtle"),
         writes=("st",), check=store_holds(3)),
    Case("load/billion-laughs", ("load", "--store", "oxigraph:st", "lol.rdf"), 2, r"declares the XML entity",
         files={"lol.rdf": bad.billion_laughs()}, writes=("st",), check=store_holds(0)),
    Case("load/xml-too-deep", ("load", "--store", "oxigraph:st", "deep.rdf"), 2, r"nest more than 256",
         files={"deep.rdf": bad.lazy(bad.deep, "xml")}, writes=("st",), check=store_holds(0)),
    Case("load/jsonld-too-deep-gz", ("load", "--store", "oxigraph:st", "deep.jsonld.gz"), 2, r"nest more than 256",
         files={"deep.jsonld.gz": bad.lazy(lambda: bad.gz(bad.deep("jsonld")))}, writes=("st",), check=store_holds(0)),
    Case("load/long-literal", ("load", "--store", "oxigraph:st", "long.nt"), 2,
         r"longer than the parser's limit of 16 MiB", files={"long.nt": bad.long_literal_builder("nt", 17 << 20)},
         writes=("st",), process=True, check=store_holds(0)),
)


# --- 3. what a path names: not a regular file, or nothing at all ---------------------------------

def _fifo_with_writer(content: bytes):
    """A FIFO and a thread that writes `content` into it once a reader opens it."""
    def build(path: Path) -> None:
        import os
        import threading

        os.mkfifo(path)

        def write() -> None:
            try:
                with open(path, "wb") as stream:
                    stream.write(content)
            except OSError:
                pass

        threading.Thread(target=write, daemon=True).start()
    return build


for command, extra in (("query", (*Q, COUNT)), ("load", ("load", "--store", "oxigraph:st"))):
    data = (lambda name: ("--data", name)) if command == "query" else (lambda name: (name,))
    args = extra if command == "query" else extra
    writes = ("st",) if command == "load" else ()
    add(
        Case(f"{command}/path/missing", (*args, *data("missing.ttl")), 2, r"error: missing\.ttl: no such file"),
        Case(f"{command}/path/folder", (*args, *data("dir.ttl")), 2, r"dir\.ttl: is a folder",
             files={"dir.ttl": bad.directory}),
        Case(f"{command}/path/symlink-loop", (*args, *data("loop.ttl")), 2, r"loop\.ttl: a loop of symbolic links",
             files={"loop.ttl": bad.symlink_loop}),
        Case(f"{command}/path/dangling-symlink", (*args, *data("dangling.ttl")), 2, r"dangling\.ttl: no such file",
             files={"dangling.ttl": bad.dangling_symlink}),
        Case(f"{command}/path/unix-socket", (*args, *data("sock.ttl")), 2, r"sock\.ttl: not a file that can be read",
             files={"sock.ttl": bad.unix_socket}),
        Case(f"{command}/path/not-a-folder-on-the-way", (*args, *data("ok.ttl/x.ttl")), 2,
             r"a part of the path is not a folder", files={"ok.ttl": TINY}),
        Case(f"{command}/path/name-too-long", (*args, *data("x" * 300 + ".ttl")), 2, r"the name is too long"),
        Case(f"{command}/path/empty-name", (*args, *data("")), 2, r"cannot tell the RDF syntax"),
        Case(f"{command}/path/newline-in-name", (*args, *data("a\nb.ttl")), 2, r"a b\.ttl: no such file"),
        Case(f"{command}/path/fifo", (*args, *data("pipe.ttl")), 0, r"3 triples" if command == "load" else "",
             stdout=count_is(3) if command == "query" else None,
             files={"pipe.ttl": _fifo_with_writer(TINY)}, writes=writes, process=True),
        Case(f"{command}/path/fifo-gz", (*args, *data("pipe.ttl.gz")), 0, r"3 triples" if command == "load" else "",
             files={"pipe.ttl.gz": _fifo_with_writer(bad.gz(TINY))}, writes=writes, process=True),
        Case(f"{command}/path/fifo-garbage", (*args, *data("pipe.ttl")), 2, located("pipe.ttl"),
             files={"pipe.ttl": _fifo_with_writer(bad.garbage("turtle"))}, writes=writes, process=True),
        Case(f"{command}/path/null-device", (*args, *data("null.ttl")), 0, writes=writes, process=True,
             files={"null.ttl": bad.null_device}),
        Case(f"{command}/path/zero-device", (*args, *data("zero.nt")), 2, r"error: zero\.nt:1:1: ", writes=writes,
             process=True, seconds=30, files={"zero.nt": bad.zero_device}),
        Case(f"{command}/path/random-device", (*args, *data("random.ttl")), 2, located("random.ttl"), writes=writes,
             process=True, seconds=30, files={"random.ttl": bad.random_device}),
        Case(f"{command}/path/proc-mem-read-fails", (*args, *data("/proc/self/mem"), "--input-format", "turtle"), 2,
             r"/proc/self/mem: .*Input/output error", writes=writes, process=True),
        Case(f"{command}/path/unreadable", (*args, *data("secret.ttl")), 2, r"secret\.ttl: permission denied",
             files={"secret.ttl": bad.unreadable}, needs="nonroot"),
    )


# --- 4. XML and JSON-LD attacks --------------------------------------------------------------------

add(
    Case("xml/billion-laughs", (*Q, "--data", "lol.rdf", COUNT), 2, located("lol.rdf") + r".*declares the XML entity 'lol0'",
         files={"lol.rdf": bad.billion_laughs()}, process=True, max_rss_mb=400, seconds=30),
    Case("xml/billion-laughs-gz", (*Q, "--data", "lol.rdf.gz", COUNT), 2, r"declares the XML entity",
         files={"lol.rdf.gz": bad.gz(bad.billion_laughs())}),
    Case("xml/billion-laughs-stdin", (*Q, "--data", "-", "--input-format", "xml", COUNT), 2,
         r"<stdin>:\d+:\d+: the document declares", stdin=bad.billion_laughs()),
    Case("xml/xxe-file", (*Q, "--data", "xxe.rdf", "SELECT ?o { ?s ?p ?o }"), 2, r"declares the XML entity 'xxe'",
         files={"xxe.rdf": bad.xxe()}),
    Case("xml/parameter-entity", (*Q, "--data", "pe.rdf", COUNT), 2, r"declares the XML entity 'remote'",
         files={"pe.rdf": bad.parameter_entity("http://127.0.0.1:9/x.dtd")}),
    Case("xml/external-dtd-not-fetched", (*Q, "--data", "dtd.rdf", COUNT), 0, stdout=count_is(1),
         files={"dtd.rdf": bad.external_dtd("http://127.0.0.1:9/x.dtd")}),
    Case("xml/entity-after-comment", (*Q, "--data", "c.rdf", COUNT), 2, r"declares the XML entity 'a'",
         files={"c.rdf": bad.entity_after_comment()}),
    Case("xml/entity-in-utf16", (*Q, "--data", "w.rdf", COUNT), 2, r"UTF-16", files={"w.rdf": bad.entity_utf16()}),
    Case("xml/undefined-entity", (*Q, "--data", "u.rdf", COUNT), 2, located("u.rdf") + r"not well-formed XML: undefined entity",
         files={"u.rdf": bad.undeclared_entity()}),
    Case("xml/truncated-is-not-an-empty-graph", (*Q, "--data", "t.rdf", COUNT), 2, located("t.rdf") + "not well-formed",
         files={"t.rdf": bad.valid("xml")[:-30]}),
    Case("xml/two-roots", (*Q, "--data", "two.rdf", COUNT), 2, r"junk after document element",
         files={"two.rdf": bad.valid("xml") + b"<x/>"}),
    Case("xml/deep-within-one-line", (*Q, "--data", "d.rdf", COUNT), 2, r"d\.rdf:1:\d+: XML elements nest more than 256",
         files={"d.rdf": bad.lazy(bad.deep, "xml", 300)}),
    Case("xml/unknown-encoding", (*Q, "--data", "e.rdf", COUNT), 2, r"e\.rdf:1:\d+: the XML declaration names an encoding",
         files={"e.rdf": bad.valid("xml").replace(b"UTF-8", b"TF-8")}),
    Case("xml/multi-byte-encoding", (*Q, "--data", "e.rdf", COUNT), 2, r"e\.rdf:",
         files={"e.rdf": bad.valid("xml").replace(b"UTF-8", b"Shift_JIS")}),
    Case("xml/declared-latin1-is-read-by-expat", (*Q, "--data", "l.rdf", COUNT), 2, r"error: l\.rdf: ",
         files={"l.rdf": b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + bad.latin1("xml").split(b"\n", 1)[1]}),
    Case("jsonld/remote-context-not-fetched", (*Q, "--data", "ctx.jsonld", COUNT), 2,
         r"error: ctx\.jsonld: .*remote JSON-LD context",
         files={"ctx.jsonld": bad.remote_context("http://127.0.0.1:9/context.jsonld")}),
    Case("jsonld/file-context-not-read", (*Q, "--data", "ctx.jsonld", COUNT), 2, r"remote JSON-LD context",
         files={"ctx.jsonld": bad.remote_context("file:///etc/passwd")}),
    Case("jsonld/duplicate-keys", (*Q, "--data", "dup.jsonld", COUNT), 2, r"error: dup\.jsonld: @id is defined twice",
         files={"dup.jsonld": bad.jsonld_duplicate_keys()}),
    Case("jsonld/huge-number", (*Q, "--data", "n.jsonld", COUNT), 0, stdout=count_is(1),
         files={"n.jsonld": bad.jsonld_huge_number()}),
    Case("jsonld/array-nesting", (*Q, "--data", "a.jsonld", COUNT), 2, r"nest more than 256",
         files={"a.jsonld": b'{"@id": "http://example.org/a", "http://example.org/p": ' + b"[" * 5000 + b"1" + b"]" * 5000 + b"}"}),
    Case("jsonld/escaped-quotes-then-deep", (*Q, "--data", "e.jsonld", COUNT), 2, r"nest more than 256",
         files={"e.jsonld": b'{"@id": "http://example.org/\\"{", ' + b'"http://example.org/p": {' * 300 + b"1" + b"}" * 301}),
)


# --- 5. size -----------------------------------------------------------------------------------------

add(
    Case("size/turtle-literal-over-the-token-limit", (*Q, "--data", "long.ttl", COUNT), 2,
         r"error: long\.ttl: a single literal or IRI is longer than the parser's limit of 16 MiB",
         files={"long.ttl": bad.long_literal_builder("turtle", 17 << 20)}, process=True, max_rss_mb=400),
    Case("size/iri-over-the-token-limit", (*Q, "--data", "iri.ttl", COUNT), 2, r"longer than the parser's limit",
         files={"iri.ttl": bad.long_iri_builder(17 << 20)}, process=True, max_rss_mb=400),
    Case("size/xml-literal-of-20-MB", (*Q, "--data", "long.rdf", "SELECT (STRLEN(?o) AS ?n) { ?s ?p ?o }"), 0,
         stdout=count_is(20 << 20), files={"long.rdf": bad.long_literal_builder("xml", 20 << 20)}, process=True,
         max_rss_mb=700, slow=True),
)
for syntax in bad.SYNTAXES:
    ext = bad.extension(syntax)
    add(Case(f"size/{syntax}-literal-of-200-MB", (*Q, "--data", f"long.{ext}", COUNT),
             0 if syntax == "xml" else 2, "" if syntax == "xml" else r"longer than the parser's limit",
             stdout=count_is(1) if syntax == "xml" else None,
             files={f"long.{ext}": bad.long_literal_builder(syntax, 200 << 20)}, process=True, slow=True,
             max_rss_mb=2500 if syntax == "xml" else 400, seconds=300))
add(
    Case("size/gzip-bomb-of-spaces", (*Q, "--data", "bomb.ttl.gz", COUNT), 0, stdout=count_is(0),
         files={"bomb.ttl.gz": bad.gz_bomb_builder(1 << 30)}, process=True, slow=True, max_rss_mb=400, seconds=300),
    Case("size/turtle-nested-a-million-deep", (*Q, "--data", "deep.ttl", COUNT), 0,
         files={"deep.ttl": bad.lazy(bad.deep, "turtle", 1_000_000)}, process=True, slow=True, max_rss_mb=3000, seconds=300),
)


# --- 6. every command that reads data, given bad data ----------------------------------------------

SHAPES_MIN = (b"@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
              b"ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .\n")
READERS = {
    "validate": ("validate", "--no-bundled", "--shapes", "shapes.ttl"),
    "reason": ("reason", "--no-bundled", "--profile", "rdfs"),
    "export": ("export", "--no-bundled", "--format", "nt"),
    "stats": ("stats", "--no-bundled"),
    "links": ("links", "--no-bundled"),
    "render": ("render", "--no-bundled", "--view", "all", "--format", "svg", "--layout", "dot"),
    "chart": ("chart", "SELECT ?x ?n { VALUES (?x ?n) { ('a' 1) ('b' 2) } }", "--no-bundled", "--format", "vega-lite"),
    "push": ("push", "--no-bundled", "--endpoint", "http://127.0.0.1:9/store"),
}
for command, args in READERS.items():
    needs = "dot" if command == "render" else None
    shapes = {"shapes.ttl": SHAPES_MIN} if command == "validate" else {}
    add(
        Case(f"{command}/data/truncated", (*args, "--data", "cut.ttl"), 2, located("cut.ttl"),
             files={"cut.ttl": bad.truncated("turtle"), **shapes}, needs=needs),
        Case(f"{command}/data/missing", (*args, "--data", "missing.ttl"), 2, r"missing\.ttl: no such file",
             files=shapes, needs=needs),
        Case(f"{command}/data/billion-laughs", (*args, "--data", "lol.rdf"), 2, r"declares the XML entity",
             files={"lol.rdf": bad.billion_laughs(), **shapes}, needs=needs),
        Case(f"{command}/data/symlink-loop", (*args, "--data", "loop.ttl"), 2, r"a loop of symbolic links",
             files={"loop.ttl": bad.symlink_loop, **shapes}, needs=needs),
        Case(f"{command}/data/jsonld-too-deep", (*args, "--data", "deep.jsonld"), 2, r"nest more than 256",
             files={"deep.jsonld": bad.lazy(bad.deep, "jsonld", 5000), **shapes}, needs=needs),
    )
    if command != "push":
        add(Case(f"{command}/data/bom", (*args, "--data", "bom.ttl"), 0,
                 files={"bom.ttl": bad.bom("turtle"), **shapes}, needs=needs),
            Case(f"{command}/data/deep-blank-nodes", (*args, "--data", "deep.ttl"), 0,
                 files={"deep.ttl": bad.lazy(bad.deep, "turtle", 5000), **shapes}, needs=needs, process=True, seconds=120,
                 max_rss_mb=1500, slow=command in ("render", "validate", "chart")))

add(
    Case("push/endpoint-refuses-connection", ("push", "--no-bundled", "--data", "ok.ttl", "--endpoint",
                                              "http://127.0.0.1:9/store"), 2, r"127\.0\.0\.1:9",
         files={"ok.ttl": TINY}),
    Case("push/endpoint-not-a-url", ("push", "--no-bundled", "--data", "ok.ttl", "--endpoint", "not a url"), 2,
         r"not a url", files={"ok.ttl": TINY}),
    Case("push/endpoint-file-scheme", ("push", "--no-bundled", "--data", "ok.ttl", "--endpoint", "file:///etc/passwd"),
         2, r"file:///etc/passwd", files={"ok.ttl": TINY}),
    Case("push/graph-not-an-iri", ("push", "--no-bundled", "--data", "ok.ttl", "--endpoint", "http://127.0.0.1:9/s",
                                   "--graph", "not an iri"), 2, r"not an absolute IRI", files={"ok.ttl": TINY}),
    Case("push/chunk-zero", ("push", "--endpoint", "http://127.0.0.1:9/s", "--chunk", "0"), 2, r"--chunk"),
    Case("push/chunk-negative", ("push", "--endpoint", "http://127.0.0.1:9/s", "--chunk", "-5"), 2, r"--chunk"),
    Case("push/chunk-not-an-integer", ("push", "--endpoint", "http://127.0.0.1:9/s", "--chunk", "1e3"), 2, r"--chunk"),
    Case("push/timeout-nan", ("push", "--endpoint", "http://127.0.0.1:9/s", "--endpoint-timeout", "nan"), 2,
         r"--endpoint-timeout"),
    Case("push/no-endpoint", ("push",), 2, r"Missing option '--endpoint'"),
)


# --- 7. flags: bad values, contradictions, odd characters ---------------------------------------

add(
    Case("flags/unknown-format", ("query", "-n", "centers-per-program", "--format", "yaml"), 2, r"--format"),
    Case("flags/format-fullwidth-letters", ("export", "--format", "ｔｕｒｔｌｅ"), 2, r"--format"),
    Case("flags/format-with-newline", ("export", "--format", "tur\ntle"), 2, r"--format.*'tur\\ntle'"),
    Case("flags/format-with-escape-sequence", ("export", "--format", "\x1b[31mred"), 2, r"\\x1b\[31mred"),
    Case("flags/format-case", ("export", "--no-bundled", "--format", "TURTLE"), 2, r"--format"),
    Case("flags/unknown-input-format", (*Q, "--input-format", "rdfa", COUNT), 2, r"--input-format"),
    Case("flags/input-format-not-readable-name", (*Q, "--input-format", "csv", COUNT), 2, r"--input-format"),
    Case("flags/unknown-lang", ("export", "--format", "graphml", "--lang", "fr"), 2, r"--lang"),
    Case("flags/unknown-infer", (*Q, "--infer", "owl2", COUNT), 2, r"--infer"),
    Case("flags/unknown-profile", ("reason", "--profile", "owlfull"), 2, r"--profile"),
    Case("flags/unknown-layout", ("render", "--layout", "twopi2"), 2, r"--layout"),
    Case("flags/unknown-chart-kind", ("chart", "china-investment-growth-2024", "--kind", "pie"), 2, r"--kind"),
    Case("flags/unknown-links-target", ("links", "--target", "freebase"), 2, r"--target"),
    Case("flags/unknown-top-level-option", ("--verbose", "query", COUNT), 2, r"No such option '--verbose'"),
    Case("flags/unknown-command", ("qurey", COUNT), 2, r"No such command 'qurey'"),
    Case("flags/unknown-command-option", ("query", "--limit", "3", COUNT), 2, r"No such option '--limit'"),
    Case("flags/option-missing-value", ("query", "--format"), 2, r"--format"),
    Case("flags/timeout-negative", (*Q, "--timeout", "-1", COUNT), 2, r"--timeout"),
    Case("flags/timeout-nan", (*Q, "--timeout", "nan", COUNT), 2, r"--timeout"),
    Case("flags/timeout-inf", (*Q, "--timeout", "inf", COUNT), 0, stdout=count_is(0)),
    Case("flags/timeout-overflow", (*Q, "--timeout", "1e400", COUNT), 0, stdout=count_is(0)),
    Case("flags/timeout-huge-finite", (*Q, "--timeout", "1e300", COUNT), 0, stdout=count_is(0)),
    Case("flags/timeout-not-a-number", (*Q, "--timeout", "soon", COUNT), 2, r"--timeout"),
    Case("flags/timeout-hex", (*Q, "--timeout", "0x10", COUNT), 2, r"--timeout"),
    Case("flags/service-timeout-zero", (*Q, "--service-timeout", "0", COUNT), 2, r"--service-timeout"),
    Case("flags/service-timeout-nan", (*Q, "--service-timeout", "nan", COUNT), 2, r"--service-timeout"),
    Case("flags/endpoint-timeout-negative", ("graphs", "--endpoint", "http://127.0.0.1:9/", "--endpoint-timeout", "-3"),
         2, r"--endpoint-timeout"),
    Case("flags/endpoint-timeout-nan", ("query", "--endpoint", "http://127.0.0.1:9/", "--endpoint-timeout", "nan", COUNT),
         2, r"--endpoint-timeout"),
    Case("flags/endpoint-timeout-inf", ("query", "--endpoint", "http://127.0.0.1:9/", "--endpoint-timeout", "inf",
                                        COUNT), 2, r"127\.0\.0\.1:9"),
    Case("flags/service-allow-not-a-url", (*Q, "--service-allow", "not a url", COUNT), 2, r"not a url"),
    Case("flags/service-allow-file", (*Q, "--service-allow", "file:///etc/passwd", COUNT), 2, r"file:///etc/passwd"),
    Case("flags/class-unknown-prefix", ("export", "--format", "graphml", "--class", "foo:Bar"), 2,
         r"'foo:Bar' is neither a full IRI"),
    Case("flags/class-not-an-iri", ("export", "--format", "graphml", "--class", "http://a b"), 2,
         r"'http://a b' is not a valid IRI: Invalid IRI code point ' '"),
    Case("flags/class-expands-to-a-bad-iri", ("export", "--format", "graphml", "--class", "mic:a b"), 2,
         r"'mic:a b' is not a valid IRI: Invalid IRI code point ' '"),
    Case("flags/class-with-rdf-format", ("export", "--format", "turtle", "--class", "mic:Program"), 2,
         r"apply to the network formats"),
    Case("flags/lang-with-rdf-format", ("export", "--format", "turtle", "--lang", "zh"), 2, r"apply to the network"),
    Case("flags/csv-without-folder", ("export", "--format", "csv"), 2, r"give it with -o DIR"),
    Case("flags/query-and-name", ("query", "-n", "centers-per-program", COUNT), 2, r"give exactly one of"),
    Case("flags/query-name-and-file", ("query", "-n", "centers-per-program", "-f", "q.rq"), 2, r"give exactly one of",
         files={"q.rq": COUNT}),
    Case("flags/no-query", ("query",), 2, r"give exactly one of"),
    Case("flags/unknown-named-query", ("query", "-n", "no-such-query"), 2, r"no named query 'no-such-query'"),
    Case("flags/named-query-path-traversal", ("query", "-n", "../../../etc/passwd"), 2, r"no named query"),
    Case("flags/named-query-empty", ("query", "-n", ""), 2, r"no named query ''"),
    Case("flags/queries-unknown", ("queries", "../etc/passwd"), 2, r"no named query"),
    Case("flags/queries-weird-unicode", ("queries", "\u202ecenters"), 2, r"no named query '\\u202ecenters'"),
    Case("flags/endpoint-with-data", ("query", "--endpoint", "http://127.0.0.1:9/", "--data", "ok.ttl", COUNT), 2,
         r"--endpoint queries the remote store", files={"ok.ttl": TINY}),
    Case("flags/endpoint-not-a-url", ("query", "--endpoint", "not a url", COUNT), 2, r"not a url"),
    Case("flags/endpoint-ftp", ("query", "--endpoint", "ftp://example.org/sparql", COUNT), 2, r"ftp://"),
    Case("flags/endpoint-unreachable", ("query", "--endpoint", "http://127.0.0.1:9/sparql", COUNT), 2,
         r"127\.0\.0\.1:9"),
    Case("flags/default-graph-not-an-iri", ("query", "--endpoint", "http://127.0.0.1:9/sparql", "--default-graph",
                                            "not an iri", COUNT), 2, r"not an absolute IRI"),
    Case("flags/graphs-both-sources", ("graphs", "--store", "oxigraph:st", "--endpoint", "http://127.0.0.1:9/"), 2,
         r"give --store oxigraph:DIR or --endpoint URL"),
    Case("flags/graphs-no-source", ("graphs",), 2, r"give --store oxigraph:DIR or --endpoint URL"),
    Case("flags/dump-without-store", ("dump",), 2, r"Missing option '--store'"),
    Case("flags/docs-without-folder", ("docs",), 2, r"Missing option"),
    Case("flags/data-and-store", (*Q, "--store", "oxigraph:missing", "--data", "ok.ttl", COUNT), 2,
         r"missing: no Oxigraph store there", files={"ok.ttl": TINY}),
    Case("flags/validate-format-table", ("validate", "--format", "table"), 2, r"--format"),
    Case("flags/stats-format-turtle", ("stats", "--format", "turtle"), 2, r"--format"),
    Case("flags/reason-format-graphml", ("reason", "--format", "graphml"), 2, r"--format"),
    Case("flags/check-with-format", ("reason", "--check", "--format", "nt"), 2, r"--format does not apply to --check"),
    Case("flags/render-format-png-to-svg-name", ("render", "--format", "png", "-o", "x.svg"), 2,
         r"-o x\.svg names SVG but --format is png"),
    Case("flags/chart-format-to-wrong-name", ("chart", "china-investment-growth-2024", "-o", "x.json"), 2,
         r"-o x\.json"),
    Case("flags/non-utf8-argument", (*Q, "--data", b"caf\xe9.ttl".decode("utf-8", "surrogateescape"), COUNT), 2,
         r"caf\\udce9\.ttl: no such file", process=True),
    Case("flags/debug-is-not-a-trap", ("--debug", "query", "--no-bundled", COUNT, "--format", "csv"), 0,
         stdout=count_is(0)),
    Case("flags/version", ("--version",), 0, stdout=r"micgraph \d"),
)


# --- 8. query text ----------------------------------------------------------------------------------

UPDATES = {
    "insert-data": "INSERT DATA { <http://a> <http://b> <http://c> }",
    "delete-where": "DELETE WHERE { ?s ?p ?o }",
    "load": "LOAD <http://127.0.0.1:9/x.ttl>",
    "clear-all": "CLEAR ALL",
    "drop-graph": "DROP GRAPH <http://example.org/g>",
    "create": "CREATE GRAPH <http://example.org/g>",
    "with-prefix": "PREFIX ex: <http://example.org/>\nINSERT { ex:a ex:b ?o } WHERE { ?s ?p ?o }",
    "two-operations": "CLEAR DEFAULT ; INSERT DATA { <http://a> <http://b> 1 }",
}
for name, text in UPDATES.items():
    add(Case(f"query-text/update-{name}", (*Q, text), 2, r"query:1:1: SPARQL syntax error: this is a SPARQL update, not a query"))

add(
    Case("query-text/unknown-prefix", (*Q, "SELECT * WHERE { ?s foo:bar ?o }"), 2,
         r"query:1:21: SPARQL syntax error: unknown prefix 'foo:'"),
    Case("query-text/unknown-prefix-in-select-expression", (*Q, "SELECT (nope:f(?s) AS ?x) WHERE { ?s ?p ?o }"), 2,
         r"query:1:9: SPARQL syntax error: unknown prefix 'nope:'"),
    Case("query-text/unknown-empty-prefix", (*Q, "SELECT * WHERE { ?s :bar ?o }"), 2,
         r"unknown prefix ':'"),
    Case("query-text/unknown-prefix-message-is-short", (*Q, "ASK { ?s undeclared:p ?o }"), 2,
         r"^error: .{0,200}$"),
    Case("query-text/empty", (*Q, ""), 2, r"SPARQL syntax error: there is no query"),
    Case("query-text/whitespace", (*Q, "   \n\t  "), 2, r"SPARQL syntax error: there is no query"),
    Case("query-text/comment-only", (*Q, "# nothing\n"), 2, r"SPARQL syntax error: unexpected end of the text"),
    Case("query-text/prefixes-only", (*Q, "PREFIX ex: <http://example.org/>"), 2, r"unexpected end of the text"),
    Case("query-text/long-expected-list-is-short", (*Q, "SELECT * WHERE {"), 2, r"^error: .{0,250}$"),
    Case("query-text/unbalanced-braces", (*Q, "SELECT * WHERE { ?s ?p ?o "), 2, r"query:1:\d+: SPARQL syntax error"),
    Case("query-text/multi-line-error-location", (*Q, "SELECT *\nWHERE {\n  ?s ?p ?o .\n  FILTER(\n}"), 2,
         r"query:\d+:\d+: SPARQL syntax error"),
    Case("query-text/garbage", (*Q, "\x00\x01\x02 \ufffd"), 2, r"SPARQL syntax error"),
    Case("query-text/nul-in-a-string", (*Q, 'SELECT * WHERE { ?s ?p "a\x00b" }'), 0),
    Case("query-text/bad-iri", (*Q, "SELECT * WHERE { <http://a b> ?p ?o }"), 2, r"SPARQL syntax error"),
    Case("query-text/bad-regex", (*Q, 'SELECT * WHERE { ?s ?p ?o FILTER regex(str(?o), "(") }'), 0),
    Case("query-text/bad-language-tag", (*Q, 'ASK { ?s ?p "x"@-- }'), 2, r"SPARQL syntax error"),
    Case("query-text/undefined-function", (*Q, "SELECT (<http://example.org/f>(1) AS ?x) WHERE {}"), 2,
         r"query failed: The custom function <http://example\.org/f> is not supported"),
    Case("query-text/divide-by-zero", (*Q, "SELECT (1/0 AS ?x) WHERE {}"), 0),
    Case("query-text/huge-integer", (*Q, "SELECT (1" + "0" * 10_000 + " AS ?x) WHERE {}"), 0),
    Case("query-text/lone-surrogate-escape", (*Q, 'ASK { ?s ?p "\\uD800" }'), 2, r"SPARQL syntax error"),
    Case("query-text/bom-in-file", (*Q, "-f", "q.rq"), 0, stdout=count_is(0), files={"q.rq": b"\xef\xbb\xbf" + COUNT.encode()}),
    Case("query-text/latin1-file", (*Q, "-f", "q.rq"), 2, r"q\.rq: not UTF-8 text", files={"q.rq": b"# caf\xe9\n" + COUNT.encode()}),
    Case("query-text/utf16-file", (*Q, "-f", "q.rq"), 2, r"q\.rq:1:1: the file is UTF-16", files={"q.rq": COUNT.encode("utf-16")}),
    Case("query-text/file-missing", (*Q, "-f", "missing.rq"), 2, r"missing\.rq: no such file"),
    Case("query-text/file-gz", (*Q, "-f", "q.rq.gz"), 0, stdout=count_is(0), files={"q.rq.gz": bad.gz(COUNT.encode())}),
    Case("query-text/file-is-a-folder", (*Q, "-f", "dir"), 2, r"dir: is a folder", files={"dir": bad.directory}),
    Case("query-text/stdin-bom", (*Q, "-"), 0, stdout=count_is(0), stdin=b"\xef\xbb\xbf" + COUNT.encode()),
    Case("query-text/file-symlink-loop", (*Q, "-f", "loop.rq"), 2, r"loop\.rq: a loop of symbolic links",
         files={"loop.rq": bad.symlink_loop}),
    Case("query-text/file-zero-device", (*Q, "-f", "zero.rq"), 2, r"zero\.rq: longer than", files={"zero.rq": bad.zero_device},
         process=True, max_rss_mb=300, seconds=30),
    Case("query-text/stdin-longer-than-the-limit", (*Q, "-"), 2, r"<stdin>: longer than 16,777,216 bytes", process=True,
         max_rss_mb=300, seconds=30, stdin=b" " * (20 << 20)),
    Case("query-text/stdin-empty", (*Q, "-"), 2, r"SPARQL syntax error", stdin=b""),
    Case("query-text/stdin-not-utf8", (*Q, "-"), 2, r"<stdin>: not UTF-8 text", stdin=b"SELECT * { ?s ?p \xff }"),
    Case("query-text/huge-union-chain", (*Q, "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 3000) + " }"), 0,
         process=True, slow=True),
    Case("query-text/deep-braces", (*Q, "SELECT * WHERE " + "{ " * 5000 + "}" * 5000), 2,
         r"brackets nest deeper than 256 levels", process=True),
    Case("query-text/deep-parentheses", (*Q, "SELECT * WHERE { FILTER(" + "(" * 20000 + "1" + ")" * 20000 + ") }"),
         2, r"brackets nest deeper than 256 levels", process=True),
    # a long query runs (the text is bounded at 16 MiB, pyoxigraph's parser is linear); one that may hold
    # SERVICE goes through micgraph.sparql first, whose parser has a bound of its own, and is refused
    Case("query-text/over-a-megabyte", (*Q, "SELECT * WHERE { ?s ?p " + '"' + "x" * 1_100_000 + '" }'), 0),
    Case("query-text/over-the-parser-bound-with-service", (*Q, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p "
                                                          + '"' + "x" * 300_000 + '" } }'), 2,
         r"longer than 256,000 bytes \(MAX_QUERY_BYTES\)"),
    Case("query-text/cartesian-limited", (*Q, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 5"), 0),
    Case("query-text/describe-nothing", (*Q, "DESCRIBE <http://example.org/nothing>", "--format", "nt"), 0),
    Case("query-text/construct-to-results-format", ("query", "--no-bundled", "CONSTRUCT WHERE { ?s ?p ?o }",
                                                    "--format", "csv"), 2, r"--format csv"),
    Case("query-text/select-to-rdf-format", ("query", "--no-bundled", COUNT, "--format", "turtle"), 2,
         r"--format turtle does not apply to a SELECT"),
    Case("chart/not-a-select", ("chart", "ASK {}", "--no-bundled", "--format", "vega-lite"), 2, r""),
    Case("chart/syntax-error", ("chart", "SELECT ?x WHERE {", "--no-bundled", "--format", "vega-lite"), 2,
         r"SPARQL syntax error"),
    Case("chart/update", ("chart", "CLEAR ALL", "--no-bundled", "--format", "vega-lite"), 2, r"SPARQL"),
    Case("chart/empty-result", ("chart", "SELECT ?x ?n WHERE { FILTER(false) }", "--no-bundled", "--format",
                                "vega-lite"), 2, r""),
    Case("chart/stdin-not-utf8", ("chart", "-", "--no-bundled", "--format", "vega-lite"), 2, r"not UTF-8",
         stdin=b"SELECT \xff"),
)


# --- 9. shapes ---------------------------------------------------------------------------------------

DATA = (b"@prefix ex: <http://example.org/> .\n"
        b"ex:a a ex:T ; ex:p 1 ; ex:q ex:b .\nex:b a ex:T ; ex:q ex:a .\n")
SH = b"@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n" \
     b"@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"


def shapes_case(id: str, shapes: bytes, exit: int, stderr: str = "", **kwargs) -> Case:
    """A case for `validate --engine pyshacl`; OXIGRAPH_DIFFERS below makes its twin for the default engine."""
    return Case(f"shapes/pyshacl/{id}", ("validate", "--engine", "pyshacl", "--no-bundled", "--data", "data.ttl",
                                         "--shapes", "shapes.ttl"), exit,
                stderr, files={"data.ttl": DATA, "shapes.ttl": SH + shapes}, **kwargs)


def sparql_shape(select: str) -> bytes:
    return b'ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:sparql [ sh:select """' + select.encode() + b'""" ] .\n'


add(
    shapes_case("sparql-syntax-error", sparql_shape("SELECT $this WHERE { $this ex:p ?x "), 2,
                r"the sh:select of http://example\.org/S does not parse as a SPARQL query: .*line 1, column 36"),
    shapes_case("sparql-not-a-select", sparql_shape("ASK { $this ?p ?o }"), 2,
                r"the sh:select of http://example\.org/S is a ASK query; sh:select holds a SELECT query"),
    shapes_case("sparql-update-in-select", sparql_shape("DELETE WHERE { ?s ?p ?o }"), 2,
                r"http://example\.org/S does not parse"),
    shapes_case("sparql-nested-deep", sparql_shape("SELECT $this WHERE " + "{ " * 3000 + "}" * 3000), 2,
                r"does not parse as a SPARQL query: it nests too deeply"),
    shapes_case("sparql-service", sparql_shape("SELECT $this WHERE { SERVICE <http://127.0.0.1:9/> { $this ?p ?o } }"), 2,
                r"SERVICE"),
    shapes_case("sparql-service-prefixed", sparql_shape(
        "PREFIX r: <http://127.0.0.1:9/>\nSELECT $this WHERE { SERVICE r:x { $this ?p ?o } }"), 2, r"SERVICE"),
    shapes_case("sparql-service-after-comment", sparql_shape(
        "SELECT $this WHERE { SERVICE#c\n<http://127.0.0.1:9/> { $this ?p ?o } }"), 2, r"SERVICE"),
    shapes_case("sparql-service-variable", sparql_shape(
        "SELECT $this WHERE { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { $this ?p ?o } }"), 2, r"SERVICE"),
    shapes_case("sparql-service-in-exists", sparql_shape(
        "SELECT $this WHERE { $this ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } } }"), 2,
        r"SERVICE"),
    shapes_case("sparql-service-in-subquery", sparql_shape(
        "SELECT $this WHERE { { SELECT $this WHERE { SERVICE <http://127.0.0.1:9/> { $this ?p ?o } } } }"), 2,
        r"SERVICE"),
    shapes_case("sparql-from-a-file", sparql_shape("SELECT $this FROM <file:///etc/passwd> WHERE { $this ?p ?o }"), 2,
                r"FROM"),
    shapes_case("sparql-from-named", sparql_shape("SELECT $this FROM NAMED <http://127.0.0.1:9/g> WHERE { $this ?p ?o }"),
                2, r"FROM"),
    shapes_case("sparql-ask-validator-service", b'ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:v ] ;\n'
                b' sh:validator [ a sh:SPARQLAskValidator ; sh:ask """ASK { SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }""" ] .\n'
                b"ex:S a sh:NodeShape ; sh:targetClass ex:T ; ex:v 1 .\n", 2, r"SERVICE"),
    shapes_case("sparql-target-service", b'ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:select '
                b'"""SELECT ?this WHERE { SERVICE <http://127.0.0.1:9/> { ?this ?p ?o } }""" ] ;\n'
                b" sh:property [ sh:path ex:p ; sh:minCount 1 ] .\n", 2, r"SERVICE"),
    shapes_case("sparql-rule-service", b'ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:rule [ a sh:SPARQLRule ; '
                b'sh:construct """CONSTRUCT { $this ex:r 1 } WHERE { SERVICE <http://127.0.0.1:9/> { $this ?p ?o } }""" ] .\n',
                2, r"SERVICE"),
    shapes_case("sparql-huge-select", sparql_shape("SELECT $this WHERE { " + " UNION ".join(["{ $this ?p ?o }"] * 300)
                                                   + " }"), 1, slow=True),
    shapes_case("min-count-many", b'ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; '
                b'sh:minCount "many" ] .\n', 2, r"sh:minCount must be a literal with datatype xsd:integer"),
    shapes_case("min-count-negative", b"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; "
                b"sh:minCount -1 ] .\n", 2, r"sh:minCount must be an integer >= 0"),
    shapes_case("max-count-iri", b"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; "
                b"sh:maxCount ex:x ] .\n", 2, r"sh:maxCount"),
    shapes_case("min-length-text", b'ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; '
                b'sh:minLength "abc" ] .\n', 2, r"sh:minLength"),
    shapes_case("pattern-not-a-regex", b'ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; '
                b'sh:pattern "(" ] .\n', 2, r"sh:pattern"),
    shapes_case("datatype-literal", b'ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; '
                b'sh:datatype "xsd:integer" ] .\n', 1),
    shapes_case("in-not-a-list", b"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; "
                b"sh:in ex:x ] .\n", 1),
    shapes_case("property-without-path", b"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:minCount 1 ] .\n",
                2, r"not a well-formed SHACL PropertyShape"),
    shapes_case("path-empty-list", b"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path () ; "
                b"sh:minCount 1 ] .\n", 1),
    shapes_case("path-nested-deep", b"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path "
                + b"[ sh:inversePath " * 5000 + b"ex:p" + b" ]" * 5000 + b" ; sh:minCount 1 ] .\n", 2, r"depth",
                process=True, slow=True),
    shapes_case("recursive-node", b"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:q ; "
                b"sh:node ex:S ] .\n", 0, r"^warning: a shape refers to itself"),
    shapes_case("self-and", b"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:and ( ex:S ) .\n", 2,
                r"Validation path too deep.{0,420}$"),
    shapes_case("node-undefined", b"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:node ex:Nowhere .\n", 0),
    shapes_case("class-literal", b'ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; '
                b'sh:class "ex:T" ] .\n', 1),
    shapes_case("target-class-literal", b'ex:S a sh:NodeShape ; sh:targetClass "ex:T" .\n', 0),
    shapes_case("qualified-without-count", b"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; "
                b"sh:qualifiedValueShape [ sh:datatype xsd:integer ] ] .\n", 2, r"qualifiedMinCount"),
    shapes_case("no-shapes-at-all", b"", 0),
    shapes_case("shapes-truncated", b"ex:S a sh:NodeShape ; sh:targetClass", 2, located("shapes.ttl")),
)

# The default engine (micgraph/shacl/) words its refusals differently, reads ill-formed shapes as errors
# where pySHACL guesses (SHACL 1.0 leaves ill-formed shapes graphs undefined: micgraph refuses them), does
# not run SHACL-AF (sh:target, sh:rule: refused before any SPARQL is read) and gives recursive shapes a
# result. Its expectations, where they differ from pySHACL's; every pySHACL case runs with both engines.
OXIGRAPH_DIFFERS = {
    "sparql-syntax-error": (2, r"shape <http://example\.org/S>: sh:sparql: SPARQL query refused: the query has no "
                               r"complete WHERE group"),
    "sparql-not-a-select": (2, r"shape <http://example\.org/S>: sh:sparql: SPARQL query refused: expected a SELECT"),
    "sparql-update-in-select": (2, r"shape <http://example\.org/S>: sh:sparql: SPARQL query refused: expected a SELECT"),
    "sparql-nested-deep": (2, r"shape <http://example\.org/S>: sh:sparql:1:\d+: SPARQL syntax error: brackets nest "
                              r"deeper than 256 levels"),
    "sparql-target-service": (2, r"sh:target \(SHACL Advanced Features\), which the oxigraph engine does not run"),
    "sparql-rule-service": (2, r"sh:rule \(SHACL Advanced Features\), which the oxigraph engine does not run"),
    "min-count-many": (2, r"sh:minCount must be an integer literal, not \"many\""),
    "min-count-negative": (2, r"sh:minCount must be at least 0, not -1"),
    "datatype-literal": (2, r"sh:datatype must be an IRI"),
    "in-not-a-list": (2, r"the value of sh:in is not a well-formed RDF list"),
    "property-without-path": (2, r"sh:minCount is only allowed on property shapes"),
    "path-empty-list": (2, r"sh:path must be an IRI or a blank node"),
    "path-nested-deep": (2, r"sh:path is nested too deeply"),
    "recursive-node": (0, r"^$"),
    "self-and": (0, r"^$"),
    "class-literal": (2, r"sh:class must be an IRI"),
    "target-class-literal": (2, r"the values of sh:targetClass must be IRIs"),
}
_PYSHACL_CASES = [case for case in CASES if case.id.startswith("shapes/pyshacl/")]
for case in _PYSHACL_CASES:
    name = case.id.removeprefix("shapes/pyshacl/")
    exit, stderr = OXIGRAPH_DIFFERS.get(name, (case.exit, case.stderr))
    add(replace(case, id=f"shapes/{name}", args=tuple(a for a in case.args if a not in ("--engine", "pyshacl")),
                exit=exit, stderr=stderr))
assert set(OXIGRAPH_DIFFERS) <= {case.id.removeprefix("shapes/pyshacl/") for case in _PYSHACL_CASES}

add(
    Case("shapes/billion-laughs", ("validate", "--no-bundled", "--data", "data.ttl", "--shapes", "shapes.rdf"), 2,
         r"shapes\.rdf:\d+:\d+: the document declares", files={"data.ttl": DATA, "shapes.rdf": bad.billion_laughs()}),
    Case("shapes/missing-file", ("validate", "--no-bundled", "--data", "data.ttl", "--shapes", "none.ttl"), 2,
         r"none\.ttl: no such file", files={"data.ttl": DATA}),
    Case("shapes/folder", ("validate", "--no-bundled", "--data", "data.ttl", "--shapes", "dir"), 2,
         r"dir: .*(folder|syntax)", files={"data.ttl": DATA, "dir": bad.directory}),
)


# --- 10. outputs -------------------------------------------------------------------------------------

EXPORT = ("export", "--no-bundled", "--data", "ok.ttl")
OLD = b"an older file the user keeps\n"
add(
    Case("output/existing-folder", (*EXPORT, "-o", "dir"), 2, r"dir: is a folder", files={"ok.ttl": TINY, "dir": bad.directory}),
    Case("output/missing-folder", (*EXPORT, "-o", "nowhere/out.ttl"), 2, r"folder .*nowhere does not exist",
         files={"ok.ttl": TINY}),
    Case("output/wrong-extension", (*EXPORT, "-o", "out.json", "--format", "turtle"), 2,
         r"-o out\.json names JSON-LD but --format is turtle", files={"ok.ttl": TINY}),
    Case("output/unknown-extension", (*EXPORT, "-o", "out.data"), 2, r"cannot tell the format from the extension",
         files={"ok.ttl": TINY}),
    Case("output/results-extension-for-rdf", (*EXPORT, "-o", "out.srj"), 2, r"not a format for", files={"ok.ttl": TINY}),
    Case("output/gz", (*EXPORT, "-o", "out.nt.gz", "--format", "nt"), 0, files={"ok.ttl": TINY}, writes=("out.nt.gz",),
         check=gzip_holds("out.nt.gz", b"<http://example.org/a>")),
    Case("output/gz-from-extension", (*EXPORT, "-o", "out.ttl.gz"), 0, files={"ok.ttl": TINY}, writes=("out.ttl.gz",),
         check=gzip_holds("out.ttl.gz", b"<http://example.org/a>")),
    Case("output/replaces-a-file-atomically", (*EXPORT, "-o", "out.ttl"), 0, files={"ok.ttl": TINY, "out.ttl": OLD},
         writes=("out.ttl",), check=file_holds("out.ttl", b"<http://example.org/a>")),
    Case("output/symlink-writes-its-target", (*EXPORT, "-o", "link.ttl"), 0,
         files={"ok.ttl": TINY, "target.ttl": OLD, "link.ttl": bad.symlink_to("target.ttl")},
         writes=("target.ttl",), check=file_holds("target.ttl", b"<http://example.org/a>")),
    Case("output/dangling-symlink-creates-its-target", (*EXPORT, "-o", "link.ttl"), 0,
         files={"ok.ttl": TINY, "link.ttl": bad.symlink_to("new.ttl")}, writes=("new.ttl",),
         check=file_holds("new.ttl", b"<http://example.org/a>")),
    Case("output/symlink-loop", (*EXPORT, "-o", "loop.ttl"), 2, r"loop\.ttl: cannot write",
         files={"ok.ttl": TINY, "loop.ttl": bad.symlink_loop}),
    Case("output/symlink-to-a-folder", (*EXPORT, "-o", "link"), 2, r"is a folder",
         files={"ok.ttl": TINY, "dir": bad.directory, "link": bad.symlink_to("dir")}),
    Case("output/null-device", (*EXPORT, "-o", "null.nt", "--format", "nt"), 0, files={"ok.ttl": TINY, "null.nt": bad.null_device}),
    Case("output/full-device", (*EXPORT, "-o", "full.nt", "--format", "nt"), 2, r"No space left on device",
         files={"ok.ttl": TINY, "full.nt": bad.full_device}),
    Case("output/fifo-with-a-reader", (*EXPORT, "-o", "pipe.nt", "--format", "nt"), 0,
         files={"ok.ttl": TINY, "pipe.nt": bad.fifo_with_reader}, process=True, check=fifo_got(b"<http://example.org/a>")),
    Case("output/empty-name", (*EXPORT, "-o", ""), 2, r"the output's file name is empty", files={"ok.ttl": TINY}),
    Case("output/dash-is-stdout", (*EXPORT, "-o", "-"), 0, stdout=r"<http://example\.org/a>", files={"ok.ttl": TINY}),
    Case("output/stdout-full", (*EXPORT,), 2, r"error: cannot write .*No space left on device", files={"ok.ttl": TINY},
         process=True, stdout_to="full"),
    Case("output/stdout-closed-pipe", ("export", "--format", "nt"), 0, process=True, stdout_to="closed"),
    Case("output/stdout-closed-pipe-query", ("query", "SELECT * { ?s ?p ?o }", "--format", "csv"), 0, process=True,
         stdout_to="closed"),
    Case("output/leftover-part-of-a-dead-writer-removed", (*EXPORT, "-o", "out.ttl"), 0,
         files={"ok.ttl": TINY, "out.ttl": OLD, ".out.ttl.999999999.abcd.part": b"half"},
         writes=("out.ttl", ".out.ttl.999999999.abcd.part")),
    Case("output/part-of-a-live-writer-kept", (*EXPORT, "-o", "out.ttl"), 0,
         files={"ok.ttl": TINY, "out.ttl": OLD, ".out.ttl.1.abcd.part": b"pid 1 is alive"},
         writes=("out.ttl",), xfail=None),
    Case("docs/into-a-folder-of-other-files", ("docs", "-o", "mine"), 2, r"holds files micgraph did not write",
         files={"mine": bad.folder_of_files}),
    Case("docs/force-keeps-the-other-files", ("docs", "-o", "mine", "--force"), 0,
         files={"mine": bad.folder_of_files}, writes=("mine/index.html", "mine/micgraph.ttl", "mine/context.jsonld",
                                                       "mine/.micgraph"), slow=True),
    Case("docs/into-a-file", ("docs", "-o", "ok.ttl"), 2, r"exists and is not a folder", files={"ok.ttl": TINY}),
    Case("docs/bad-manifest", ("docs", "-o", "out"), 2, r"not a micgraph manifest",
         files={"out/.micgraph": b"{not json", "out/index.html": b"mine"}),
    Case("docs/manifest-naming-other-files", ("docs", "-o", "out"), 0,
         files={"out/.micgraph": b'{"files": ["../ok.ttl", "/etc/passwd", "notes.txt"]}', "out/notes.txt": b"mine",
                "ok.ttl": TINY},
         writes=("out/index.html", "out/micgraph.ttl", "out/context.jsonld", "out/.micgraph", "out/notes.txt"),
         slow=True),
    Case("docs/missing-parent", ("docs", "-o", "a/b/c"), 2, r"cannot create the folder"),
    Case("export-csv/into-a-folder-of-other-files", (*EXPORT, "--format", "csv", "-o", "mine"), 2,
         r"holds files micgraph did not write", files={"ok.ttl": TINY, "mine": bad.folder_of_files}),
    Case("export-csv/force", (*EXPORT, "--format", "csv", "-o", "mine", "--force"), 0,
         files={"ok.ttl": TINY, "mine": bad.folder_of_files}, writes=("mine/nodes.csv", "mine/edges.csv", "mine/.micgraph")),
    Case("export-csv/into-a-file", (*EXPORT, "--format", "csv", "-o", "ok.ttl"), 2, r"exists and is not a folder",
         files={"ok.ttl": TINY}),
)
for command, args in {
    "query": ("query", "--no-bundled", COUNT),
    "reason": ("reason", "--no-bundled", "--profile", "rdfs"),
    "stats": ("stats", "--no-bundled"),
    "validate": ("validate", "--no-bundled", "--shapes", "shapes.ttl"),
    "links": ("links", "--no-bundled", "--format", "csv"),
    "render": ("render", "--no-bundled", "--view", "all", "--layout", "dot"),
    "chart": ("chart", "SELECT ?x ?n { VALUES (?x ?n) { ('a' 1) } }", "--no-bundled", "--format", "vega-lite"),
    "queries": ("queries",),
}.items():
    needs = "dot" if command == "render" else None
    shapes = {"shapes.ttl": SHAPES_MIN} if command == "validate" else {}
    add(Case(f"{command}/stdout-full", args, 2, r"error: cannot write .*No space left on device", process=True,
             files=shapes, needs=needs, stdout_to="full"))
    if command != "queries":
        add(Case(f"{command}/output-existing-folder", (*args, "-o", "dir"), 2, r"is a folder",
                 files={"dir": bad.directory, **shapes}, needs=needs),
            Case(f"{command}/output-full-device", (*args, "-o", "full"), 2, r"No space left on device",
                 files={"full": bad.full_device, **shapes}, needs=needs))


# --- 11. a full disk (a 32 KiB tmpfs) ------------------------------------------------------------------

def folder_is_micgraphs(name: str):
    """A check: the folder a failed run left is one the next run recognises (its manifest is there)."""
    def check(folder: Path, result: Result) -> None:
        assert (folder / name / ".micgraph").is_file(), "no manifest: the next run would refuse the folder"
    return check


add(
    Case("full-disk/export-keeps-the-old-file", ("export", "-o", "out.nt"), 2, r"out\.nt: cannot write: No space left",
         files={"out.nt": OLD}, needs="tmpfs"),
    Case("full-disk/export-gz", ("export", "-o", "out.nt.gz"), 2, r"No space left", needs="tmpfs"),
    Case("full-disk/query", ("query", "CONSTRUCT WHERE { ?s ?p ?o }", "-o", "out.ttl"), 2, r"No space left",
         files={"out.ttl": OLD}, needs="tmpfs"),
    Case("full-disk/reason", ("reason", "--profile", "rdfs", "-o", "out.trig"), 2, r"No space left", needs="tmpfs"),
    Case("full-disk/docs-leaves-a-folder-it-knows", ("docs", "-o", "site"), 2, r"No space left", needs="tmpfs",
         writes=("site",), check=folder_is_micgraphs("site"), slow=True),
    Case("full-disk/export-csv", ("export", "--format", "csv", "-o", "gephi"), 2, r"No space left", needs="tmpfs",
         writes=("gephi",), check=folder_is_micgraphs("gephi")),
    Case("full-disk/load", ("load", "--store", "oxigraph:st", "--bundled"), 2, r"st", needs="tmpfs",
         writes=("st",), process=True),
)


# --- 12. stores ----------------------------------------------------------------------------------------

add(
    Case("store/query-missing", (*Q, "--store", "oxigraph:none", COUNT), 2, r"none: no Oxigraph store there"),
    Case("store/query-folder-of-files", (*Q, "--store", "oxigraph:mine", COUNT), 2, r"no Oxigraph store there",
         files={"mine": bad.folder_of_files}),
    Case("store/query-empty-folder", (*Q, "--store", "oxigraph:empty", COUNT), 2, r"no Oxigraph store there",
         files={"empty": bad.empty_folder}),
    Case("store/query-lookalike", (*Q, "--store", "oxigraph:fake", COUNT), 2, r"fake: cannot open the Oxigraph store",
         files={"fake": bad.store_lookalike}, writes=LOOKALIKE_WRITES),
    Case("store/query-a-file", (*Q, "--store", "oxigraph:ok.ttl", COUNT), 2, r"not a folder", files={"ok.ttl": TINY}),
    Case("store/query-dev-null", (*Q, "--store", "oxigraph:/dev/null", COUNT), 2, r"not a folder"),
    Case("store/unknown-kind", (*Q, "--store", "memory", COUNT), 2, r"unknown store 'memory'"),
    Case("store/dump-missing", ("dump", "--store", "oxigraph:none"), 2, r"none: no Oxigraph store there"),
    Case("store/dump-lookalike", ("dump", "--store", "oxigraph:fake"), 2, r"cannot open", files={"fake": bad.store_lookalike}, writes=LOOKALIKE_WRITES),
    Case("store/dump-to-folder", ("dump", "--store", "oxigraph:none", "-o", "dir"), 2, r"",
         files={"dir": bad.directory}),
    Case("store/query-while-another-process-holds-it", (*Q, "--store", "oxigraph:st", COUNT), 2,
         r"st: another process has this Oxigraph store open", files={"st": held_store}, writes=("st",), process=True,
         check=release_held),
    Case("store/load-while-another-process-holds-it", ("load", "--store", "oxigraph:st", "ok.ttl"), 2,
         r"st: another process has this Oxigraph store open", files={"st": held_store, "ok.ttl": TINY},
         writes=("st",), process=True, check=release_held),
    Case("store/dump-to-a-full-device", ("dump", "--store", "oxigraph:st", "-o", "full"), 2, r"No space left on device",
         files={"st": store_of(bad.valid("nquads")), "full": bad.full_device}, writes=("st",)),
    Case("store/dump-to-stdout-full", ("dump", "--store", "oxigraph:st"), 2, r"No space left on device",
         files={"st": store_of(bad.valid("nquads"))}, process=True, stdout_to="full", writes=("st",)),
    Case("store/dump-to-a-closed-pipe", ("dump", "--store", "oxigraph:st"), 0,
         files={"st": store_of(bad.valid("nquads") * 1000)}, process=True, stdout_to="closed", writes=("st",)),
    Case("store/dump-replaces-a-symlinks-target", ("dump", "--store", "oxigraph:st", "-o", "link.nq"), 0,
         files={"st": store_of(bad.valid("nquads")), "real.nq": OLD, "link.nq": bad.symlink_to("real.nq")},
         writes=("real.nq", "st"), check=file_holds("real.nq", b"<http://example.org/a>")),
    Case("store/dump-wrong-extension", ("dump", "--store", "oxigraph:none", "-o", "x.csv"), 2, r"-o x\.csv"),
    Case("store/graphs-missing", ("graphs", "--store", "oxigraph:none"), 2, r"no Oxigraph store there"),
    Case("store/graphs-lookalike", ("graphs", "--store", "oxigraph:fake"), 2, r"cannot open", files={"fake": bad.store_lookalike}, writes=LOOKALIKE_WRITES),
    Case("store/graphs-endpoint-unreachable", ("graphs", "--endpoint", "http://127.0.0.1:9/sparql"), 2, r"127\.0\.0\.1:9"),
    Case("store/validate-missing", ("validate", "--store", "oxigraph:none"), 2, r"no Oxigraph store there"),
    Case("store/export-missing", ("export", "--store", "oxigraph:none"), 2, r"no Oxigraph store there"),
)


# --- 13. standard input -----------------------------------------------------------------------------

add(
    Case("stdin/data-garbage", (*Q, "--data", "-", COUNT), 2, r"error: <stdin>:1:1: ", stdin=bad.garbage("turtle")),
    Case("stdin/data-bom", (*Q, "--data", "-", COUNT), 0, stdout=count_is(3), stdin=bad.bom("turtle")),
    Case("stdin/data-utf16", (*Q, "--data", "-", COUNT), 2, r"<stdin>:1:1: the file is UTF-16", stdin=bad.utf16("turtle")),
    Case("stdin/data-gz-is-not-guessed", (*Q, "--data", "-", COUNT), 2, r"<stdin>:1:1", stdin=bad.gz(TINY)),
    Case("stdin/data-twice", (*Q, "--data", "-", "--data", "-", COUNT), 0, stdout=count_is(3), stdin=TINY),
    Case("stdin/data-and-query-both-stdin", (*Q, "--data", "-", "-"), 2, r"SPARQL syntax error", stdin=TINY),
    Case("stdin/data-jsonld", (*Q, "--data", "-", "--input-format", "jsonld", COUNT), 0, stdout=count_is(3),
         stdin=bad.valid("jsonld")),
    Case("stdin/data-dev-zero", (*Q, "--data", "-", "--input-format", "nt", COUNT), 2, r"<stdin>:1:1", process=True,
         stdin=b"\x00" * (8 << 20), max_rss_mb=400),
    Case("stdin/data-closed", (*Q, "--data", "-", COUNT), 0, stdout=count_is(0), process=True),
    Case("stdin/load-fifo-twice-the-same-content", ("load", "--store", "oxigraph:st", "-"), 0, r"3 triples",
         stdin=TINY, writes=("st",), check=store_holds(3)),
)
