"""Remote stores: SPARQL 1.1 Protocol queries, and uploads by the Graph Store Protocol or SPARQL Update.

Standard library HTTP (urllib) only. Credentials come from MICGRAPH_ENDPOINT_USER and
MICGRAPH_ENDPOINT_PASSWORD, else from ~/.netrc (or $NETRC) for the endpoint's host, never from the
command line; they are offered for HTTP Basic and Digest challenges (Virtuoso's /sparql-auth wants
Digest). Every failure (refused, unreachable, timed out, bad credentials, a server error) is one
EndpointError line naming the endpoint.

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
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import bundle
from .errors import EndpointError, UsageError
from .stores import Store

USER_VARIABLE = "MICGRAPH_ENDPOINT_USER"
PASSWORD_VARIABLE = "MICGRAPH_ENDPOINT_PASSWORD"
DEFAULT_TIMEOUT = 60.0
DEFAULT_CHUNK = 20_000  # triples per upload request
_ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_RESULT_FORMATS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                   "application/json": ox.QueryResultsFormat.JSON,
                   "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                   "text/csv": ox.QueryResultsFormat.CSV, "text/tab-separated-values": ox.QueryResultsFormat.TSV}
_GRAPH_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                  "text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
                  "application/ld+json": ox.RdfFormat.JSON_LD, "application/n-quads": ox.RdfFormat.N_QUADS,
                  "application/trig": ox.RdfFormat.TRIG}
_PREFIX_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.I)


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


def check_url(url: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
        ox.NamedNode(url)  # no spaces, no control characters: what an HTTP request line can carry
        hostname = parts.hostname
    except ValueError:
        hostname = None
        parts = urllib.parse.SplitResult("", "", "", "", "")
    if parts.scheme not in ("http", "https") or not hostname:
        raise UsageError(f"{url!r} is not an http(s) URL of a SPARQL endpoint")
    if parts.username or parts.password:
        raise UsageError(f"do not put credentials in the endpoint URL; set {USER_VARIABLE} and "
                         f"{PASSWORD_VARIABLE} or use ~/.netrc")
    return url


class _DigestAuth(urllib.request.HTTPDigestAuthHandler):
    """Digest auth that, once challenged, signs every later request up front. urllib's own handler
    waits for a 401 on each request; with a large upload the server answers 401 and closes the
    connection before the body is sent, and the upload dies with a broken pipe."""

    challenge: dict[str, str] | None = None

    def retry_http_digest_auth(self, req, auth):
        kind, _, text = auth.partition(" ")
        if kind.lower() == "digest":
            self.challenge = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(text)))
        return super().retry_http_digest_auth(req, auth)

    def sign(self, request: urllib.request.Request) -> None:
        if self.challenge is not None:
            signature = self.get_authorization(request, self.challenge)
            if signature:
                request.add_unredirected_header("Authorization", f"Digest {signature}")


@dataclass
class Response:
    status: int
    content_type: str
    headers: dict[str, str]
    body: bytes


class Http:
    """One endpoint's HTTP client: credentials for Basic and Digest challenges, a timeout per request."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = check_url(url)
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = []
        login = credentials(url)
        self._digest = None
        if login:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, url, *login)
            self._digest = _DigestAuth(passwords)
            handlers += [self._digest, urllib.request.HTTPBasicAuthHandler(passwords)]
        self.has_credentials = login is not None
        self._opener = urllib.request.build_opener(*handlers)

    def request(self, method: str, url: str, *, params: dict[str, str | list[str]] | None = None,
                body: bytes | None = None, content_type: str | None = None, accept: str | None = None,
                what: str = "request", ok_statuses: tuple[int, ...] = ()) -> Response:
        """Send one request; HTTP errors other than `ok_statuses` become an EndpointError."""
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, doseq=True)
        headers = {"User-Agent": "micgraph"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        if self._digest is not None:
            self._digest.sign(request)
        try:
            with self._opener.open(request, timeout=self.timeout) as reply:
                return Response(reply.status, _media_type(reply.headers.get("Content-Type")),
                                dict(reply.headers.items()), reply.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read()
            if exc.code in ok_statuses:
                return Response(exc.code, _media_type(exc.headers.get("Content-Type")), dict(exc.headers.items()),
                                detail)
            raise self._http_error(exc.code, exc.reason, detail, what) from None
        except (TimeoutError, socket.timeout) as exc:
            raise EndpointError(f"{self.url}: no answer within {self.timeout:g} s ({what})") from exc
        except urllib.error.URLError as exc:
            raise EndpointError(f"{self.url}: {_network_cause(exc.reason)} ({what})") from exc
        except (ConnectionError, OSError) as exc:
            raise EndpointError(f"{self.url}: {_network_cause(exc)} ({what})") from exc

    def _http_error(self, code: int, reason: str, detail: bytes, what: str) -> EndpointError:
        if code in (401, 403):
            hint = ("the credentials were rejected" if self.has_credentials else
                    f"it needs credentials: set {USER_VARIABLE} and {PASSWORD_VARIABLE} or use ~/.netrc")
            return EndpointError(f"{self.url}: HTTP {code} {reason} ({what}): {hint}")
        message = _first_line(detail)
        return EndpointError(f"{self.url}: HTTP {code} {reason} ({what})" + (f": {message}" if message else ""))


def _media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def _first_line(detail: bytes) -> str:
    text = detail.decode("utf-8", "replace")
    text = re.sub(r"<[^>]+>", " ", text)  # HTML error pages
    for line in text.splitlines():
        if line.strip():
            return " ".join(line.split())[:300]
    return ""


def _network_cause(reason) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running, on this host and port?)"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, ConnectionResetError):
        return "the server closed the connection"
    return " ".join(str(getattr(reason, "strerror", None) or reason).split())


# --- querying ------------------------------------------------------------------------------------

def with_prefixes(sparql: str) -> str:
    """Declare micgraph's predeclared prefixes that the query uses and does not declare itself: a remote
    endpoint knows none of them."""
    declared = {m.group(1) or "" for m in _PREFIX_DECLARED.finditer(sparql)}
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in bundle.PREFIXES.items()
             if name not in declared and re.search(rf"(?<![\w.-]){re.escape(name)}:", sparql)]
    return "\n".join([*lines, sparql]) if lines else sparql


class RemoteStore(Store):
    """A SPARQL 1.1 Protocol endpoint. `default_graphs` are sent as `default-graph-uri` with each query."""

    def __init__(self, url: str, *, default_graphs: Iterable[str] = (), timeout: float = DEFAULT_TIMEOUT) -> None:
        self.http = Http(url, timeout)
        self.url = url
        self.default_graphs = list(default_graphs)
        self.description = url

    def query(self, sparql: str, *, base_iri: str | None = None, union_default_graph: bool = True):
        """The endpoint's default graph is its own (or `default_graphs`): `union_default_graph` cannot change it."""
        params: dict[str, str | list[str]] = {"query": with_prefixes(sparql)}
        if self.default_graphs:
            params["default-graph-uri"] = self.default_graphs
        if base_iri:
            params["query"] = f"BASE <{base_iri}>\n{params['query']}"
        accept = _ACCEPT_GRAPH if query_form(sparql) in ("CONSTRUCT", "DESCRIBE") else _ACCEPT_RESULTS
        reply = self.http.request("POST", self.url, body=urllib.parse.urlencode(params, doseq=True).encode(),
                                  content_type="application/x-www-form-urlencoded", accept=accept, what="query")
        return self._parse(reply)

    def _parse(self, reply: Response):
        """The answer as pyoxigraph results, read through once here so that a malformed or cut answer is
        an EndpointError now rather than a failure half-way through rendering."""
        try:
            if reply.content_type in _RESULT_FORMATS:
                fmt = _RESULT_FORMATS[reply.content_type]
                body = _valid_blank_nodes(reply.body, fmt)
                results = ox.parse_query_results(body, fmt)
                if not isinstance(results, ox.QuerySolutions):
                    return results
                _check_row_cap(sum(1 for _ in results), reply, self.url)
                return ox.parse_query_results(body, fmt)
            if reply.content_type in _GRAPH_FORMATS:
                return [quad.triple for quad in ox.parse(reply.body, _GRAPH_FORMATS[reply.content_type])]
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(f"{self.url}: unreadable {reply.content_type} answer: {exc}") from exc
        raise EndpointError(f"{self.url}: answered with {reply.content_type or 'no content type'}, "
                            "not SPARQL results or RDF (is it a SPARQL endpoint?)")

    def quads(self) -> Iterator[ox.Quad]:
        query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
        return (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in self.query(query))

    def __len__(self) -> int:
        return int(next(iter(self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)


def _check_row_cap(rows: int, reply: Response, url: str) -> None:
    cap = {k.lower(): v for k, v in reply.headers.items()}.get("x-sparql-maxrows")
    if cap and cap.isdigit() and rows >= int(cap):
        raise EndpointError(f"{url}: the endpoint cut the result at {cap} rows (Virtuoso's ResultSetMaxRows); "
                            "raise that limit or page the query with LIMIT/OFFSET")


def _valid_blank_nodes(body: bytes, fmt: ox.QueryResultsFormat) -> bytes:
    """Blank node labels the results parser accepts: Virtuoso writes `nodeID://b10000`."""
    if fmt == ox.QueryResultsFormat.JSON and b"nodeID://" in body:
        return body.replace(b'"nodeID://', b'"nodeID_')
    if fmt == ox.QueryResultsFormat.XML and b"nodeID://" in body:
        return body.replace(b">nodeID://", b">nodeID_")
    return body


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these words outside comments, strings and IRIs."""
    from .query import _LEXICAL_NOISE

    match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", _LEXICAL_NOISE.sub(" ", sparql), re.I)
    return match.group(1).upper() if match else "SELECT"


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
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def push(store: Store, url: str, *, graph: str | None = None, replace: bool = False,
         query_url: str | None = None, chunk: int = DEFAULT_CHUNK, timeout: float = DEFAULT_TIMEOUT,
         progress=None) -> PushReport:
    """Upload every triple of `store` (all graphs merged) into `graph` (the default graph if None) at `url`:
    by the Graph Store Protocol if `url` is a Graph Store, else by SPARQL Update INSERT DATA. With
    `replace` the graph's previous content goes first. The triple count is checked afterwards through
    `query_url` (default `url`) when a named graph was written."""
    http = Http(url, timeout)
    started = time.perf_counter()
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()}, key=str)
    chunks = blank_node_chunks(triples, chunk)
    target = {"graph": graph} if graph else {"default": ""}
    probe = http.request("POST", url, params=target, body=b"", content_type="application/n-triples",
                         what="Graph Store probe", ok_statuses=(400, 404, 405, 406, 415, 500, 501))
    graph_store = 200 <= probe.status < 300
    sent = 0
    try:
        if graph_store:
            for index, part in enumerate(chunks):
                method = "PUT" if replace and index == 0 else "POST"
                http.request(method, url, params=target, body=_ntriples(part), content_type="application/n-triples",
                             what=f"upload {index + 1}/{len(chunks)}")
                sent += 1
                if progress:
                    progress(sent, len(chunks))
            if replace and not chunks:
                http.request("PUT", url, params=target, body=b"", content_type="application/n-triples",
                             what="replace")
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
            raise EndpointError(f"{exc}; {sent} of {len(chunks)} requests had gone through, so the graph holds "
                                "part of the upload: push again with --replace") from exc
        raise
    verified = False
    if graph:
        verified = _verify(Http(query_url or url, timeout), query_url or url, graph, len(triples), replace)
    return PushReport(url, graph, "graph store" if graph_store else "sparql update", len(triples), sent,
                      time.perf_counter() - started, verified)


def _insert(triples: list[ox.Triple], where: str) -> str:
    """INSERT DATA; or, for triples with blank nodes, INSERT {...} WHERE {}: the same effect (one fresh node
    per label), and the form Virtuoso accepts (it refuses blank nodes in INSERT DATA)."""
    body = _ntriples(triples).decode("utf-8")
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        return f"INSERT {{ {where}{{\n{body}}} }} WHERE {{}}"
    return f"INSERT DATA {{ {where}{{\n{body}}} }}"


def _update(http: Http, url: str, update: str, what: str) -> None:
    http.request("POST", url, body=urllib.parse.urlencode({"update": update}).encode("utf-8"),
                 content_type="application/x-www-form-urlencoded", what=what)


def _verify(http: Http, url: str, graph: str, expected: int, replace: bool) -> bool:
    """Count the triples in `graph`: exactly `expected` after a replace, at least that many otherwise."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    reply = http.request("POST", url, body=urllib.parse.urlencode({"query": query}).encode(),
                         content_type="application/x-www-form-urlencoded",
                         accept=_ACCEPT_RESULTS,
                         what="counting the uploaded triples", ok_statuses=(400, 404, 405, 406, 415))
    if reply.status >= 400 or reply.content_type not in _RESULT_FORMATS:
        return False  # not a query endpoint: the caller reports the upload as unverified
    try:
        rows = list(ox.parse_query_results(reply.body, _RESULT_FORMATS[reply.content_type]))
        found = int(rows[0][0].value)
    except (SyntaxError, ValueError, IndexError, TypeError):
        return False
    if found < expected or (replace and found != expected):
        raise EndpointError(f"{url}: graph <{graph}> holds {found} triples after the upload of {expected}: "
                            "the upload was cut short; push again with --replace")
    return True


def open_endpoint(url: str, *, default_graphs: Iterable[str] = (), timeout: float = DEFAULT_TIMEOUT) -> RemoteStore:
    return RemoteStore(url, default_graphs=default_graphs, timeout=timeout)

