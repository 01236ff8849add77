"""Remote stores: SPARQL 1.1 Protocol queries, and uploads by the Graph Store Protocol or SPARQL Update.

HTTP goes through micgraph's one client (httpclient.py: a deadline per exchange, a size cap, no
redirects). Credentials come from MICGRAPH_ENDPOINT_USER and MICGRAPH_ENDPOINT_PASSWORD, else from
~/.netrc (or $NETRC) for the endpoint's host, never from the command line; they are offered for HTTP
Basic and Digest challenges (Virtuoso's /sparql-auth wants Digest). Every failure (refused,
unreachable, timed out, bad credentials, a server error) is one EndpointError line naming the endpoint.

Behaviours of real servers this module copes with (Virtuoso 7.2.5, measured):
- it silently cuts SELECT results at ResultSetMaxRows (10,000 by default) and says so only in an
  `X-SPARQL-MaxRows` header: a cut result is an error here, never a silently short answer;
- without `default-graph-uri` it queries all graphs, its system graphs included (`default_graphs`);
- a large single upload can hang part-way: uploads go in chunks of whole blank-node components and
  the triple count is checked afterwards;
- a Graph Store request sent to its query endpoint hangs: the Graph Store is detected by POSTing an
  empty N-Triples document (a no-op for a real Graph Store, a 400 from a SPARQL endpoint).
"""

from __future__ import annotations

import netrc
import os
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import formats, namespaces
from .errors import EndpointError, ParseError, QuerySyntaxError
from .httpclient import Client, Response, check_url
from .stores import Store

USER_VARIABLE = "MICGRAPH_ENDPOINT_USER"
PASSWORD_VARIABLE = "MICGRAPH_ENDPOINT_PASSWORD"
DEFAULT_TIMEOUT = 60.0
DEFAULT_CHUNK = 20_000  # triples per upload request
_ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


# --- HTTP ----------------------------------------------------------------------------------------


def credentials(url: str) -> tuple[str, str] | None:
    """(user, password) for `url` from the environment, else from ~/.netrc; None if neither has any."""
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if user:
        return user, password or ""
    host = urllib.parse.urlsplit(url).hostname or ""
    path = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as exc:
        raise EndpointError(f"{path}: cannot read credentials: {exc}") from exc
    return (entry[0], entry[2] or "") if entry else None


def _client(url: str, timeout: float) -> Client:
    return Client(
        check_url(url),
        timeout=timeout,
        credentials=credentials(url),
        error=EndpointError,
        timeout_option="--endpoint-timeout",
    )


# --- querying ------------------------------------------------------------------------------------


class RemoteStore(Store):
    """A SPARQL 1.1 Protocol endpoint. `default_graphs` are sent as `default-graph-uri` with each query."""

    network = True

    def __init__(self, url: str, *, default_graphs: Iterable[str] = (), timeout: float = DEFAULT_TIMEOUT) -> None:
        self.http = _client(url, timeout)
        self.url = url
        self.default_graphs = [namespaces.checked_iri(g, "--default-graph") for g in default_graphs]
        self.description = url

    def query(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        union_default_graph: bool = True,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ):
        """The endpoint's default graph is its own (or the store's `default_graphs`): `union_default_graph`
        cannot change it. A dataset given here (`default_graphs`/`named_graphs`, see Store.query) is sent as
        the protocol's default-graph-uri and named-graph-uri instead."""
        from .sparql import parse_query, with_prefix_declarations

        try:  # what to accept: SPARQL results, or RDF (Virtuoso answers a CONSTRUCT in whichever comes first)
            graph = parse_query(sparql, prefixes=namespaces.PREFIXES).form in ("CONSTRUCT", "DESCRIBE")
        except QuerySyntaxError:  # micgraph's parser reads SPARQL 1.1; the endpoint may read more
            graph = False
        params: dict[str, str | list[str]] = {"query": with_prefix_declarations(sparql, namespaces.PREFIXES)}
        dataset_given = default_graphs is not None or named_graphs is not None
        defaults = (default_graphs or []) if dataset_given else self.default_graphs
        if defaults:
            params["default-graph-uri"] = defaults
        if named_graphs:
            params["named-graph-uri"] = named_graphs
        if base_iri:
            params["query"] = f"BASE <{base_iri}>\n{params['query']}"
        reply = self.http.request(
            "POST",
            self.url,
            body=urllib.parse.urlencode(params, doseq=True).encode(),
            content_type="application/x-www-form-urlencoded",
            accept=_ACCEPT_GRAPH if graph else _ACCEPT_RESULTS,
            what="query",
        )
        return self._parse(reply)

    def _parse(self, reply: Response):
        """The answer as pyoxigraph results, read through once here so that a malformed or cut answer is
        an EndpointError now rather than a failure half-way through rendering."""
        try:
            answer = formats.from_media_type(reply.content_type, formats.RESULTS)
            if answer is not None and answer.results is not None:
                fmt = answer.results
                body = _valid_blank_nodes(_checked_xml(reply, answer.name), fmt)
                results = ox.parse_query_results(body, fmt)
                if not isinstance(results, ox.QuerySolutions):
                    return results
                _check_row_cap(sum(1 for _ in results), reply, self.url)
                return ox.parse_query_results(body, fmt)
            syntax = formats.from_media_type(reply.content_type, formats.RDF)
            if syntax is not None:
                return [quad.triple for quad in ox.parse(_checked_xml(reply, syntax.name), syntax.rdf)]
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(f"{self.url}: unreadable {reply.content_type} answer: {exc}") from exc
        raise EndpointError(
            f"{self.url}: answered with {reply.content_type or 'no content type'}, "
            "not SPARQL results or RDF (is it a SPARQL endpoint?)"
        )

    def quads(self) -> Iterator[ox.Quad]:
        query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
        return (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in self.query(query))

    def __len__(self) -> int:
        return int(next(iter(self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)


def _checked_xml(reply: Response, fmt: str) -> bytes:
    """The answer's body; an XML one is refused if it declares entities, nests too deep or is not
    well-formed (see loading.check_xml)."""
    if fmt == "xml":
        from .loading import check_xml

        try:
            check_xml(reply.body, "the endpoint's answer")
        except ParseError as exc:
            raise EndpointError(str(exc)) from exc
    return reply.body


def _check_row_cap(rows: int, reply: Response, url: str) -> None:
    cap = reply.header("X-SPARQL-MaxRows")
    if cap and cap.isdigit() and rows >= int(cap):
        raise EndpointError(
            f"{url}: the endpoint cut the result at {cap} rows (Virtuoso's ResultSetMaxRows); "
            "raise that limit or page the query with LIMIT/OFFSET"
        )


def _valid_blank_nodes(body: bytes, fmt: ox.QueryResultsFormat) -> bytes:
    """Blank node labels the results parser accepts: Virtuoso writes `nodeID://b10000`."""
    if fmt == ox.QueryResultsFormat.JSON and b"nodeID://" in body:
        return body.replace(b'"nodeID://', b'"nodeID_')
    if fmt == ox.QueryResultsFormat.XML and b"nodeID://" in body:
        return body.replace(b">nodeID://", b">nodeID_")
    return body


# --- uploading -----------------------------------------------------------------------------------


@dataclass
class PushReport:
    endpoint: str
    graph: str | None
    method: str  # "graph store" or "sparql update"
    triples: int
    requests: int
    seconds: float
    verified: bool


def blank_node_chunks(triples: Iterable[ox.Triple], size: int) -> list[list[ox.Triple]]:
    """Triples in chunks of about `size`, never splitting triples that share blank nodes (a blank node
    is scoped to one request: split across two it would become two nodes)."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    plain: list[ox.Triple] = []
    linked: list[ox.Triple] = []
    for triple in triples:
        blanks = [t for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        if not blanks:
            plain.append(triple)
            continue
        linked.append(triple)
        if len(blanks) == 2:
            a, b = root(blanks[0]), root(blanks[1])
            if a != b:
                parent[a] = b
        else:
            root(blanks[0])
    groups: dict[ox.BlankNode, list[ox.Triple]] = {}
    for triple in linked:
        node = triple.subject if isinstance(triple.subject, ox.BlankNode) else triple.object
        groups.setdefault(root(node), []).append(triple)
    chunks: list[list[ox.Triple]] = [[]]
    for group in [*groups.values(), *([t] for t in plain)]:
        if chunks[-1] and len(chunks[-1]) + len(group) > size:
            chunks.append([])
        chunks[-1].extend(group)
    return [c for c in chunks if c]


def _ntriples(triples: list[ox.Triple]) -> bytes:
    # pyoxigraph returns the bytes when given no output; its stub says bytes | None whatever the output
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[return-value]


def push(
    store: Store,
    url: str,
    *,
    graph: str | None = None,
    replace: bool = False,
    query_url: str | None = None,
    chunk: int = DEFAULT_CHUNK,
    timeout: float = DEFAULT_TIMEOUT,
    progress=None,
) -> PushReport:
    """Upload every triple of `store` (all graphs merged) into `graph` (the default graph if None) at `url`:
    by the Graph Store Protocol if `url` is a Graph Store, else by SPARQL Update INSERT DATA. With
    `replace` the graph's previous content goes first. The triple count is checked afterwards through
    `query_url` (default `url`) when a named graph was written."""
    if graph:
        namespaces.checked_iri(graph, "--graph")  # before any request; and it goes into SPARQL text below
    http = _client(url, timeout)
    started = time.perf_counter()
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()}, key=str)
    chunks = blank_node_chunks(triples, chunk)
    target = {"graph": graph} if graph else {"default": ""}
    probe = http.request(
        "POST",
        url,
        params=target,
        body=b"",
        content_type="application/n-triples",
        what="Graph Store probe",
        ok_statuses=(400, 404, 405, 406, 415, 500, 501),
    )
    graph_store = 200 <= probe.status < 300
    sent = 0
    try:
        if graph_store:
            for index, part in enumerate(chunks):
                method = "PUT" if replace and index == 0 else "POST"
                http.request(
                    method,
                    url,
                    params=target,
                    body=_ntriples(part),
                    content_type="application/n-triples",
                    what=f"upload {index + 1}/{len(chunks)}",
                )
                sent += 1
                if progress:
                    progress(sent, len(chunks))
            if replace and not chunks:
                http.request("PUT", url, params=target, body=b"", content_type="application/n-triples", what="replace")
        else:
            where = f"GRAPH <{graph}> " if graph else ""
            if replace:
                clear = f"CLEAR SILENT GRAPH <{graph}>" if graph else "CLEAR SILENT DEFAULT"
                _update(http, url, clear, "clearing the graph")
            for index, part in enumerate(chunks):
                _update(http, url, _insert(part, where), f"insert {index + 1}/{len(chunks)}")
                sent += 1
                if progress:
                    progress(sent, len(chunks))
    except EndpointError as exc:
        if sent:
            raise EndpointError(
                f"{exc}; {sent} of {len(chunks)} requests had gone through, so the graph holds "
                "part of the upload: push again with --replace"
            ) from exc
        raise
    verified = False
    if graph:
        verified = _verify(_client(query_url or url, timeout), query_url or url, graph, len(triples), replace)
    return PushReport(
        url,
        graph,
        "graph store" if graph_store else "sparql update",
        len(triples),
        sent,
        time.perf_counter() - started,
        verified,
    )


def _insert(triples: list[ox.Triple], where: str) -> str:
    """INSERT DATA; or, for triples with blank nodes, INSERT {...} WHERE {}: the same effect (one fresh node
    per label), and the form Virtuoso accepts (it refuses blank nodes in INSERT DATA)."""
    body = _ntriples(triples).decode("utf-8")
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        return f"INSERT {{ {where}{{\n{body}}} }} WHERE {{}}"
    return f"INSERT DATA {{ {where}{{\n{body}}} }}"


def _update(http: Client, url: str, update: str, what: str) -> None:
    http.request(
        "POST",
        url,
        body=urllib.parse.urlencode({"update": update}).encode("utf-8"),
        content_type="application/x-www-form-urlencoded",
        what=what,
    )


def _verify(http: Client, url: str, graph: str, expected: int, replace: bool) -> bool:
    """Count the triples in `graph`: exactly `expected` after a replace, at least that many otherwise."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    reply = http.request(
        "POST",
        url,
        body=urllib.parse.urlencode({"query": query}).encode(),
        content_type="application/x-www-form-urlencoded",
        accept=_ACCEPT_RESULTS,
        what="counting the uploaded triples",
        ok_statuses=(400, 404, 405, 406, 415),
    )
    results = formats.from_media_type(reply.content_type, formats.RESULTS)
    if reply.status >= 400 or results is None or results.results is None:
        return False  # not a query endpoint: the caller reports the upload as unverified
    try:
        solutions = ox.parse_query_results(reply.body, results.results)
        if not isinstance(solutions, ox.QuerySolutions):
            return False  # a yes/no answer to a SELECT: not a query endpoint micgraph can count with
        rows = list(solutions)
        found = int(rows[0][0].value)
    except (SyntaxError, ValueError, IndexError, TypeError):
        return False
    if found < expected or (replace and found != expected):
        raise EndpointError(
            f"{url}: graph <{graph}> holds {found} triples after the upload of {expected}: "
            "the upload was cut short; push again with --replace"
        )
    return True


def open_endpoint(url: str, *, default_graphs: Iterable[str] = (), timeout: float = DEFAULT_TIMEOUT) -> RemoteStore:
    return RemoteStore(url, default_graphs=default_graphs, timeout=timeout)
