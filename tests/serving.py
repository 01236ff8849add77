"""Start `micgraph serve` for the tests: a real process on a free loopback port (`--port 0`; the port is
read from the line the server prints once its query workers answer)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pyoxigraph as ox
from conftest import require_tool
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from micgraph import formats

READY = re.compile(r"micgraph serve: .* at (http://[^ ]+/) ")


@dataclass
class Served:
    url: str  # ends with /
    process: subprocess.Popen
    log: Path

    @property
    def sparql(self) -> str:
        return self.url + "sparql"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(args: list[str], log: Path, env: dict[str, str] | None = None, seconds: float = 120) -> Served:
    """`micgraph serve --port 0 ARGS...`, returned once it answers queries."""
    command = [sys.executable, "-m", "micgraph", "serve", "--port", "0", *args]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        match = READY.search(log.read_text(encoding="utf-8", errors="replace"))
        if match:
            return Served(match.group(1), process, log)
        if process.poll() is not None:
            raise RuntimeError(f"micgraph serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"micgraph serve did not get ready within {seconds} s:\n{log.read_text()[-3000:]}")


# --- reading the HTML pages ----------------------------------------------------------------------

class PageReader(HTMLParser):
    """The parts of a resource page the tests look at: h1 text, facts-table rows, links, ids."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = ""
        self.rows: list[list[dict]] = []  # each row: cells, each {"text": ..., "links": [...]}
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self.sources: list[str] = []  # the links of the Sources section (the description's own sources)
        self._in_h1 = False
        self._in_sources = False
        self._table_depth = 0
        self._cell: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "h1":
            self._in_h1 = True
        elif tag == "table":
            self._table_depth += 1
        elif tag == "tr" and self._table_depth == 1:
            self.rows.append([])
        elif tag == "td" and self._table_depth == 1:
            self._cell = {"text": "", "links": [], "titles": []}
            self.rows[-1].append(self._cell)
        elif tag == "ul" and attrs.get("class") == "sources":
            self._in_sources = True
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
            if self._in_sources and attrs.get("class") != "out" and not attrs["href"].startswith("http://www.w3.org/"):
                self.sources.append(attrs["href"])
            if self._cell is not None:
                self._cell["links"].append(attrs["href"])
                self._cell["titles"].append(attrs.get("title", ""))
        elif tag == "script" and "src" in attrs:
            self.scripts.append(attrs["src"])

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False
        elif tag == "table":
            self._table_depth -= 1
        elif tag == "td" and self._table_depth == 1:
            self._cell = None
        elif tag == "ul":
            self._in_sources = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data
        if self._cell is not None:
            self._cell["text"] += data

    def row(self, property_text: str) -> list[dict]:
        """The rows whose property is `property_text`: its label, or its compact IRI ("owl:sameAs")."""
        matches = [r for r in self.rows if r and (property_text in r[0]["text"] or property_text in r[0]["titles"])]
        assert matches, f"no row for {property_text!r} in {[r[0]['text'] for r in self.rows if r]}"
        return matches


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    return reader


def page(served, path: str) -> PageReader:
    """The page a browser lands on from `path` (following the 303 from /id/... to /page/...)."""
    response = httpx.get(served.url + path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
                         follow_redirects=True)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return read_page(response.text)


# --- reading an RDF document three ways (pyoxigraph, rdflib, Raptor's rapper) ------------------------

# How the parsers we check against name each syntax of the registry (rapper has no JSON-LD parser).
RDFLIB_NAMES = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml", "trig": "trig", "nquads": "nquads"}
RAPPER_NAMES = {"turtle": "turtle", "nt": "ntriples", "xml": "rdfxml", "trig": "trig", "nquads": "nquads"}


def with_rdflib(data: bytes, syntax: formats.Format) -> Graph:
    if syntax.dataset:
        dataset = Dataset()
        dataset.parse(data=data, format=RDFLIB_NAMES[syntax.name])
        graph = Graph()
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
        return graph
    return Graph().parse(data=data, format=RDFLIB_NAMES[syntax.name])


def with_oxigraph(data: bytes, syntax: formats.Format, base: str) -> Graph:
    triples = [ox.Triple(q.subject, q.predicate, q.object) if isinstance(q, ox.Quad) else q
               for q in ox.parse(data, syntax.rdf, base_iri=base)]
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def with_rapper(data: bytes, syntax: formats.Format, base: str) -> Graph | None:
    if syntax.name not in RAPPER_NAMES:
        return None
    rapper = require_tool("rapper", "apt-get install raptor2-utils")
    result = subprocess.run([rapper, "-q", "-i", RAPPER_NAMES[syntax.name], "-o", "ntriples", "-", base], check=False,
                            input=data, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    return Graph().parse(data=result.stdout, format="nt")


def check_document(response: httpx.Response, syntax: formats.Format, expected: Graph,
                   media: str | None = None) -> None:
    """`response` is `syntax` (labelled `media`, else the syntax's own media type) and holds `expected`,
    for pyoxigraph, rdflib and rapper alike."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == (media or syntax.media_type)
    base = str(response.url)
    for reader, graph in (("rdflib", with_rdflib(response.content, syntax)),
                          ("pyoxigraph", with_oxigraph(response.content, syntax, base)),
                          ("rapper", with_rapper(response.content, syntax, base))):
        if graph is not None:
            assert len(graph) == len(expected) and isomorphic(graph, expected), f"{syntax.name} read by {reader}"
