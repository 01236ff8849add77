"""The SPARQL 1.1 Protocol endpoint, the Linked Data pages and the query page, as one ASGI app (Starlette).

    from micgraph import open_graph
    from micgraph.server import create_app, serve
    app = create_app(open_graph(), timeout=10, max_rows=10_000)   # any ASGI server can run it
    serve(open_graph(), host="127.0.0.1", port=8000)               # or let uvicorn run it here

Routes:
  /sparql      SPARQL 1.1 Protocol: GET, POST form-encoded, POST application/sparql-query (and
               application/sparql-update when updates are allowed); a GET without a query returns the
               service description. Results by content negotiation (JSON, XML, CSV, TSV; Turtle,
               N-Triples, JSON-LD, RDF/XML).
  /id/...      the resources under https://w3id.org/micgraph/id/: their concise bounded description in
               an RDF syntax, or a readable page for text/html (also `?format=turtle|nt|jsonld|xml|html`).
  /ontology    the ontology (RDF, or its pyLODE documentation for text/html).
  /            YASGUI, preloaded with the named queries; /static/yasgui/ serves YASGUI itself.

Safe by default: every query runs in a worker process that is killed at the timeout (the client gets
503); SELECT results stop at `max_rows` (header X-SPARQL-MaxRows); bodies over `max_body_bytes` get 413;
SERVICE calls only endpoints in `service_allow`; updates are refused (403) unless `allow_update` and the
request carries `Authorization: Bearer <token>`. Updates run in the server process, one at a time, to
completion (they are transactional; the timeout applies to queries), then publish a new snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import MicgraphError, StoreError, UsageError
from ..namespaces import MICR
from . import handlers
from .negotiation import GRAPH_FORMATS, HTML, negotiate, page_format
from .pool import QueryPool, QueryTimeout, WorkerFailed, take_snapshot

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BODY_BYTES = 1 << 20
STATIC = Path(__file__).parent / "static"
RDF_OFFERS = list(GRAPH_FORMATS)
PAGE_OFFERS = [RDF_OFFERS[0], HTML, *RDF_OFFERS[1:]]  # curl's */* gets Turtle, a browser HTML
FORM = "application/x-www-form-urlencoded"


class Refusal(Exception):
    """A request the server refuses: becomes `status` with `error: <message>` as the body."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def _refusal_response(request: Request, exc: Refusal) -> Response:
    return Response(f"error: {exc}\n", exc.status, headers=exc.headers, media_type="text/plain; charset=utf-8")


def _reply_response(reply: handlers.Reply, vary: bool = False) -> Response:
    headers = dict(reply.headers)
    if vary:
        headers.setdefault("Vary", "Accept")
    return Response(reply.body, reply.status, headers=headers, media_type=reply.content_type)


@dataclass
class Settings:
    timeout: float
    max_rows: int | None
    allow_update: bool
    token: str | None
    service_allow: tuple[str, ...]
    max_body_bytes: int
    workers: int


class Service:
    """The running server's state: the store, its published snapshot, the worker pool, caches."""

    def __init__(self, store, settings: Settings, on_ready=None) -> None:
        self.store = store
        self.settings = settings
        self.on_ready = on_ready
        self.pool: QueryPool | None = None
        self.folder: Path | None = None
        self.update_lock = asyncio.Lock()
        self.summaries: dict[int, dict | None] = {}
        self.ontology_pages: dict[int, handlers.Reply] = {}
        self.query_page = _query_page()

    # lifecycle
    def _snapshot_folder(self) -> Path:
        """Snapshots of a persistent store go next to it (so the checkpoint is hard links), others to temp."""
        path = getattr(self.store, "path", None)
        parent = Path(path).resolve().parent if path is not None else None
        prefix = f".{Path(path).name}.serve-" if path is not None else "micgraph-serve-"
        try:
            return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        except OSError as exc:
            raise StoreError(f"cannot create the snapshot folder in {parent or tempfile.gettempdir()}: {exc}") from exc

    def prepare(self) -> None:
        """Snapshot the store and start the workers on it; on failure leave nothing behind."""
        try:
            self.folder = self._snapshot_folder()
            try:
                snapshot = take_snapshot(self.store, self.folder, 1)
            except OSError as exc:
                raise StoreError(f"cannot write a snapshot of the store into {self.folder}: {exc}") from exc
            self.pool = QueryPool(snapshot, self.settings.workers)
            self.pool.prepare()
        except BaseException:
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)
            self.pool = self.folder = None
            raise

    async def start(self) -> None:
        if self.pool is None:
            await asyncio.to_thread(self.prepare)
        await self.pool.start()
        if self.on_ready is not None:
            self.on_ready()

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.stop()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    # running tasks in the workers
    async def run(self, function, **kwargs) -> handlers.Reply:
        try:
            return await self.pool.run(function, self.settings.timeout, **kwargs)
        except QueryTimeout as exc:
            raise Refusal(503, f"query stopped: {exc}, the server's timeout; simplify the query or add a "
                               "LIMIT") from None
        except WorkerFailed as exc:
            raise Refusal(500, f"internal error: {exc}") from None

    async def summary(self) -> dict | None:
        generation = self.pool.snapshot.generation
        if generation not in self.summaries:
            try:
                self.summaries = {generation: await self.run(handlers.dataset_summary)}
            except Refusal:
                return None  # too slow to count: the description goes without counts
        return self.summaries[generation]

    async def update(self, text: str, base_iri: str) -> None:
        from ..query import run_update

        async with self.update_lock:
            await asyncio.to_thread(run_update, self.store, text, base_iri=base_iri)
            generation = self.pool.snapshot.generation + 1
            snapshot = await asyncio.to_thread(take_snapshot, self.store, self.folder, generation)
            self.pool.publish(snapshot)


def _query_page() -> str:
    from ..bundle import named_queries
    from .pages import query_page

    try:
        queries = list(named_queries().values())
    except FileNotFoundError:  # running without the bundled graph
        queries = []
    return query_page(queries)


# --- the SPARQL protocol ------------------------------------------------------------------------

async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Refusal(413, f"the request body is {declared} bytes; this server accepts at most {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refusal(413, f"the request body is over {limit} bytes, the most this server accepts")
        chunks.append(chunk)
    return b"".join(chunks)


def _content_type(request: Request) -> tuple[str, str | None]:
    """(media type, charset) of the request body."""
    header = request.headers.get("content-type", "")
    media, *parameters = [part.strip() for part in header.split(";")]
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _text(body: bytes, charset: str | None, what: str) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise Refusal(415, f"{what} must be UTF-8 (charset={charset} given)")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal(400, f"{what} is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None


def _graph_iris(fields: dict[str, list[str]], name: str) -> list[str] | None:
    values = fields.get(name)
    if not values:
        return None
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise Refusal(400, f"{name}: {value!r} is not an IRI") from None
    return values


def _form_fields(encoded: str, where: str) -> dict[str, list[str]]:
    """Percent-decoded parameters; bytes that are not UTF-8 are a 400, not a silent U+FFFD in the query."""
    try:
        return parse_qs(encoded, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise Refusal(400, f"{where}: a parameter is not UTF-8 once percent-decoded ({exc.reason})") from None


def _one(values: list[str], name: str) -> str:
    if len(values) > 1:
        raise Refusal(400, f"give one {name}, not {len(values)}")
    return values[0]


async def _protocol_request(request: Request, limit: int) -> tuple[str | None, str | None, dict[str, list[str]]]:
    """(query, update, parameters) of a SPARQL Protocol request; at most one of query and update is set."""
    fields = _form_fields(request.url.query, "the request URL")
    if len(request.url.query) > limit:
        raise Refusal(414, f"the request URL is over {limit} bytes; POST the query instead")
    query = update = None
    if request.method == "POST":
        media, charset = _content_type(request)
        body = await _read_body(request, limit)
        if media == FORM:
            form = _form_fields(_text(body, charset, "the form"), "the form")
            for key, values in form.items():
                fields.setdefault(key, []).extend(values)
        elif media == "application/sparql-query":
            query = _text(body, charset, "the query")
        elif media == "application/sparql-update":
            update = _text(body, charset, "the update")
        else:
            raise Refusal(415, f"POST a query as {FORM}, application/sparql-query or application/sparql-update "
                               f"(Content-Type {media or 'missing'})")
    if "query" in fields:
        if query is not None or update is not None:
            raise Refusal(400, "the request carries the query twice (in the body and as a parameter)")
        query = _one(fields["query"], "query")
    if "update" in fields:
        if request.method != "POST":
            raise Refusal(400, "an update must be sent with POST")
        if update is not None:
            raise Refusal(400, "the request carries the update twice (in the body and as a parameter)")
        update = _one(fields["update"], "update")
    if query is not None and update is not None:
        raise Refusal(400, "a request carries a query or an update, not both")
    return query, update, fields


def _endpoint_iri(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


async def sparql(request: Request) -> Response:
    service: Service = request.app.state.service
    settings = service.settings
    query, update, fields = await _protocol_request(request, settings.max_body_bytes)
    if update is not None:
        return await _update(request, service, update, fields)
    if query is None:
        return await _service_description(request, service)
    reply = await service.run(handlers.sparql_query, text=query, accept=request.headers.get("accept"),
                              base_iri=_endpoint_iri(request),
                              default_graphs=_graph_iris(fields, "default-graph-uri"),
                              named_graphs=_graph_iris(fields, "named-graph-uri"),
                              max_rows=settings.max_rows, service_allow=settings.service_allow)
    return _reply_response(reply, vary=True)


def _check_token(request: Request, token: str) -> None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Refusal(401, "updates need an Authorization: Bearer token",
                      {"WWW-Authenticate": 'Bearer realm="micgraph"'})
    if not hmac.compare_digest(credentials.strip().encode("utf-8"), token.encode("utf-8")):
        raise Refusal(403, "the bearer token is not the one this server accepts for updates")


async def _update(request: Request, service: Service, text: str, fields: dict[str, list[str]]) -> Response:
    settings = service.settings
    if not settings.allow_update:
        raise Refusal(403, "this endpoint is read-only: updates (INSERT, DELETE, LOAD, CLEAR, ...) are refused")
    _check_token(request, settings.token)
    for name in ("using-graph-uri", "using-named-graph-uri"):
        if name in fields:
            raise Refusal(400, f"{name} is not supported; name the graphs with USING / WITH in the update")
    try:
        await service.update(text, _endpoint_iri(request))
    except MicgraphError as exc:
        return _reply_response(handlers.error_reply(exc))
    return Response(status_code=204)


async def _service_description(request: Request, service: Service) -> Response:
    media = negotiate(request.headers.get("accept"), [*RDF_OFFERS, HTML])
    if media is None:
        return _reply_response(handlers.not_acceptable(RDF_OFFERS))
    if media == HTML:
        return RedirectResponse("/", status_code=303)
    settings = service.settings
    quads = handlers.service_description(_endpoint_iri(request), await service.summary(),
                                         allow_update=settings.allow_update, service_allow=settings.service_allow,
                                         timeout=settings.timeout, max_rows=settings.max_rows)
    return _reply_response(handlers.service_description_reply(quads, media), vary=True)


# --- Linked Data ----------------------------------------------------------------------------------

def _page_media(request: Request) -> str:
    requested = request.query_params.get("format")
    if requested is not None:
        try:
            return page_format(requested)
        except UsageError as exc:
            raise Refusal(400, f"{exc}, or html") from None
    media = negotiate(request.headers.get("accept"), PAGE_OFFERS)
    if media is None:
        raise Refusal(406, "none of the media types in Accept is available; use one of: " + ", ".join(PAGE_OFFERS))
    return media


def _raw_remainder(request: Request, prefix: str) -> str:
    """The path after `prefix` as the client sent it: an IRI may hold %XX escapes (`micr:a%20b`), which
    the decoded path would turn into characters no IRI may hold."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    return path[len(prefix):] if path.startswith(prefix) else request.path_params["path"]


async def resource(request: Request) -> Response:
    service: Service = request.app.state.service
    media = _page_media(request)
    from .pages import page_language

    lang = page_language(request.query_params.get("lang"), request.headers.get("accept-language"))
    reply = await service.run(handlers.resource, iri=MICR + _raw_remainder(request, "/id/"), media=media, lang=lang)
    return _reply_response(reply, vary=True)


async def ontology(request: Request) -> Response:
    service: Service = request.app.state.service
    media = _page_media(request)
    if media != HTML:
        return _reply_response(await service.run(handlers.ontology, media=media), vary=True)
    generation = service.pool.snapshot.generation
    if generation not in service.ontology_pages:
        service.ontology_pages = {generation: await service.run(handlers.ontology, media=media)}
    return _reply_response(service.ontology_pages[generation], vary=True)


async def home(request: Request) -> Response:
    return HTMLResponse(request.app.state.service.query_page)


# --- the app ------------------------------------------------------------------------------------

def create_app(store, *, timeout: float = DEFAULT_TIMEOUT, max_rows: int | None = None, allow_update: bool = False,
               token: str | None = None, cors: tuple[str, ...] = (), service_allow: tuple[str, ...] = (),
               workers: int | None = None, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, on_ready=None) -> Starlette:
    """The ASGI app serving `store`. Its worker processes start with the app (ASGI lifespan) and read a
    snapshot of the store taken then; `on_ready()` is called once they answer."""
    if timeout <= 0:
        raise UsageError("the timeout must be more than 0 seconds")
    if max_rows is not None and max_rows < 1:
        raise UsageError("max_rows must be at least 1")
    if allow_update and not token:
        raise UsageError("updates need a bearer token: pass --token-env VAR naming a non-empty environment variable")
    from ..federation import check_allow_list

    service_allow = check_allow_list(service_allow)  # refused at start-up, not on every query
    settings = Settings(timeout, max_rows, allow_update, token if allow_update else None, service_allow,
                        max_body_bytes, workers or max(2, os.cpu_count() or 2))
    service = Service(store, settings, on_ready)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/id/{path:path}", resource, methods=["GET"]),
        Route("/ontology", ontology, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={Refusal: _refusal_response})
    app.state.service = service
    if cors:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors), allow_methods=["GET", "POST"],
                           allow_headers=["Accept", "Authorization", "Content-Type"], expose_headers=["X-SPARQL-MaxRows"])
    return app


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port), or a one-line error."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                                flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, protocol)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        raise MicgraphError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


def serve(store, *, host: str = "127.0.0.1", port: int = 8000, access_log: bool = False, on_ready=None,
          **options) -> None:
    """Serve `store` with uvicorn until interrupted; `on_ready(url)` is called once queries are answered."""
    import uvicorn

    sock = listen(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    url = f"http://{'[' + bound_host + ']' if ':' in bound_host else bound_host}:{bound_port}/"
    try:
        app = create_app(store, on_ready=(lambda: on_ready(url)) if on_ready else None, **options)
        try:
            app.state.service.prepare()
        except WorkerFailed as exc:
            raise MicgraphError(f"the server could not start: {exc}") from exc
        config = uvicorn.Config(app, log_level="info" if access_log else "warning", access_log=access_log,
                                lifespan="on")
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
