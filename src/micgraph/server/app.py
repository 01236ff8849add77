"""The SPARQL 1.1 Protocol endpoint, the Linked Data pages and the query page, as one ASGI app (Starlette).

    from micgraph import open_graph
    from micgraph.server import create_app, serve
    app = create_app(open_graph(), timeout=10, max_rows=10_000)   # any ASGI server can run it
    serve(open_graph(), host="127.0.0.1", port=8000)               # or let uvicorn run it here

Routes:
  /sparql      SPARQL 1.1 Protocol: GET, POST form-encoded, POST application/sparql-query (and
               application/sparql-update when updates are allowed); a GET without a query returns the
               service description. Results by content negotiation over the format registry.
  /id/NAME     the resource https://w3id.org/micgraph/id/NAME: 303 See Other to the document that
               describes it in the negotiated format (`?format=` overrides Accept): /data/NAME.EXT (its
               concise bounded description, EXT the registry's extension of an RDF syntax) or /page/NAME.
  /ontology    the ontology: 303 to /ontology.EXT or /ontology.html (pyLODE); its owl:versionIRI
               /ontology/VERSION likewise to /ontology/VERSION.EXT and .html.
  /            YASGUI, preloaded with the named queries; /static/ serves YASGUI itself and the icon.

Safe by default: every query runs in a worker process that is killed at the timeout (the client gets
503); SELECT results stop at `max_rows` (header X-SPARQL-MaxRows); bodies over `max_body_bytes` get 413
and bodies slower than `header_timeout` 408; SERVICE calls, and an update's LOAD, reach only the URLs in
`service_allow`; updates are refused (403) unless `allow_update` and the request carries
`Authorization: Bearer <token>`. Updates run one at a time in the update worker (pool.Updater), all or
nothing, within the timeout too, then publish a new snapshot. See docs/security.md.
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
from urllib.parse import parse_qs, urlencode

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..constants import SERVE_HEADER_TIMEOUT, SERVE_MAX_CONNECTIONS, SERVE_QUERY_TIMEOUT
from ..errors import MicgraphError, StoreError, UsageError
from ..namespaces import MICR, ONTOLOGY_IRI
from ..stores import OxigraphStore
from . import handlers
from .connections import BACKLOG, connection_cap, raise_descriptor_limit, uvicorn_config
from .negotiation import GRAPH_FORMATS, HTML, document_format, negotiate, page_format
from .pool import QueryPool, QueryTimeout, Updater, WorkerFailed, take_snapshot

DEFAULT_TIMEOUT = SERVE_QUERY_TIMEOUT
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
    message = " ".join(str(exc).split())  # one line, whatever the request put in it
    return Response(f"error: {message}\n", exc.status, headers=exc.headers, media_type="text/plain; charset=utf-8")


def _internal_error(request: Request, exc: Exception) -> Response:
    """A bug: the client gets one line (uvicorn logs the traceback)."""
    return Response(
        f"error: internal error ({type(exc).__name__}); the server log has the details\n",
        500,
        media_type="text/plain; charset=utf-8",
    )


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
    header_timeout: float = SERVE_HEADER_TIMEOUT


class Service:
    """The running server's state: the store, its published snapshot, the workers, caches."""

    def __init__(self, store, settings: Settings, on_ready=None) -> None:
        self.store = store
        self.settings = settings
        self.on_ready = on_ready
        self.pool: QueryPool | None = None
        self.updater: Updater | None = None
        self.folder: Path | None = None
        self.generations = 1  # the last snapshot number given out
        self.released = False  # whether the server let go of a store on disk for the update worker
        self.update_lock = asyncio.Lock()
        self.summaries: dict[int, dict | None] = {}
        self.ontology_replies: dict[tuple[int, str], handlers.Reply] = {}
        self.ontology_versions: dict[int, str | None] = {}
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

    def _on_disk(self) -> bool:
        return isinstance(self.store, OxigraphStore) and self.store.path is not None and self.store.writable

    def prepare(self) -> None:
        """Snapshot the store and start the workers on it (and the update worker, which takes over a store
        on disk: RocksDB lets one process write it); on failure leave nothing behind."""
        try:
            self.folder = self._snapshot_folder()
            try:
                snapshot = take_snapshot(self.store, self.folder, 1)
            except OSError as exc:
                raise StoreError(f"cannot write a snapshot of the store into {self.folder}: {exc}") from exc
            self.pool = QueryPool(snapshot, self.settings.workers)
            self.pool.prepare()
            if self.settings.allow_update:
                if self._on_disk():
                    self.store.close()
                    self.released = True
                    path = str(self.store.path)
                    self.updater = Updater(lambda: path)
                else:
                    self.updater = Updater(lambda: self.pool.snapshot)
                self.updater.prepare()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop the workers, give a store on disk back to its owner, remove the snapshots (once more is
        harmless)."""
        if self.pool is not None:
            self.pool.close()
        if self.updater is not None:
            self.updater.stop()
        if self.released:
            self.store.reopen()  # the caller's store object works again, with the updates
            self.released = False
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.pool = self.updater = self.folder = None

    @property
    def running_pool(self) -> QueryPool:
        """The query workers, once `prepare` has started them."""
        if self.pool is None:
            raise RuntimeError("the server's workers have not been started")
        return self.pool

    async def start(self) -> None:
        if self.pool is None:
            await asyncio.to_thread(self.prepare)
        await self.running_pool.start()
        if self.on_ready is not None:
            self.on_ready()

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.stop()
        await asyncio.to_thread(self.close)

    # running tasks in the workers
    async def run(self, function, **kwargs):
        try:
            return await self.running_pool.run(function, self.settings.timeout, **kwargs)
        except QueryTimeout as exc:
            raise Refusal(
                503, f"query stopped: {exc}, the server's timeout; simplify the query or add a LIMIT"
            ) from None
        except WorkerFailed as exc:
            raise Refusal(500, f"internal error: {exc}") from None

    async def summary(self) -> dict | None:
        generation = self.running_pool.snapshot.generation
        if generation not in self.summaries:
            try:
                self.summaries = {generation: await self.run(handlers.dataset_summary)}
            except Refusal:
                return None  # too slow to count: the description goes without counts
        return self.summaries[generation]

    async def ontology(self, media: str) -> handlers.Reply:
        """The ontology document in `media`, computed once per snapshot (pyLODE takes seconds)."""
        key = (self.running_pool.snapshot.generation, media)
        if key not in self.ontology_replies:
            reply = await self.run(handlers.ontology, media=media)
            if reply.status != 200:
                return reply
            self.ontology_replies = {k: v for k, v in self.ontology_replies.items() if k[0] == key[0]}
            self.ontology_replies[key] = reply
        return self.ontology_replies[key]

    async def ontology_version(self) -> str | None:
        generation = self.running_pool.snapshot.generation
        if generation not in self.ontology_versions:
            self.ontology_versions = {generation: await self.run(handlers.ontology_version)}
        return self.ontology_versions[generation]

    async def update(self, text: str, base_iri: str) -> handlers.Reply | None:
        """Run an update in the update worker and publish the snapshot it writes; an error Reply if the
        update was refused or failed (then nothing changed)."""
        if self.updater is None:
            raise RuntimeError("the server's update worker has not been started")
        async with self.update_lock:
            self.generations += 1
            try:
                outcome = await self.updater.run(
                    handlers.update,
                    self.settings.timeout,
                    text=text,
                    base_iri=base_iri,
                    service_allow=self.settings.service_allow,
                    folder=str(self.folder),
                    generation=self.generations,
                )
            except QueryTimeout as exc:
                raise Refusal(503, f"update stopped: {exc}, the server's timeout; nothing was changed") from None
            except WorkerFailed as exc:
                raise Refusal(500, f"internal error: {exc}") from None
            if isinstance(outcome, handlers.Reply):
                return outcome
            self.running_pool.publish(outcome)
            return None


def _query_page() -> str:
    from ..bundle import named_queries
    from .pages import query_page

    try:
        queries = list(named_queries().values())
    except FileNotFoundError:  # running without the bundled graph
        queries = []
    return query_page(queries)


# --- the SPARQL protocol ------------------------------------------------------------------------


async def _read_body(request: Request, limit: int, seconds: float) -> bytes:
    """The body, refused over `limit` bytes (413) or when it takes more than `seconds` to arrive (408)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Refusal(
            413, f"the request body is {declared} bytes; this server accepts at most {limit}", {"Connection": "close"}
        )
    chunks, size = [], 0
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise Refusal(
                        413,
                        f"the request body is over {limit} bytes, the most this server accepts",
                        {"Connection": "close"},
                    )
                chunks.append(chunk)
    except TimeoutError:
        raise Refusal(408, f"the request body did not arrive within {seconds:g} s", {"Connection": "close"}) from None
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


async def _protocol_request(
    request: Request, settings: Settings
) -> tuple[str | None, str | None, dict[str, list[str]]]:
    """(query, update, parameters) of a SPARQL Protocol request; at most one of query and update is set."""
    limit = settings.max_body_bytes
    if len(request.url.query) > limit:
        raise Refusal(414, f"the request URL is over {limit} bytes; POST the query instead")
    fields = _form_fields(request.url.query, "the request URL")
    query = update = None
    if request.method == "POST":
        media, charset = _content_type(request)
        body = await _read_body(request, limit, settings.header_timeout)
        if media == FORM:
            form = _form_fields(_text(body, charset, "the form"), "the form")
            for key, values in form.items():
                fields.setdefault(key, []).extend(values)
        elif media == "application/sparql-query":
            query = _text(body, charset, "the query")
        elif media == "application/sparql-update":
            update = _text(body, charset, "the update")
        else:
            raise Refusal(
                415,
                f"POST a query as {FORM}, application/sparql-query or application/sparql-update "
                f"(Content-Type {media or 'missing'})",
            )
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
    query, update, fields = await _protocol_request(request, settings)
    if update is not None:
        return await _update(request, service, update, fields)
    if query is None:
        return await _service_description(request, service)
    reply = await service.run(
        handlers.sparql_query,
        text=query,
        accept=request.headers.get("accept"),
        base_iri=_endpoint_iri(request),
        default_graphs=_graph_iris(fields, "default-graph-uri"),
        named_graphs=_graph_iris(fields, "named-graph-uri"),
        max_rows=settings.max_rows,
        service_allow=settings.service_allow,
    )
    return _reply_response(reply, vary=True)


def _check_token(request: Request, token: str) -> None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Refusal(
            401, "updates need an Authorization: Bearer token", {"WWW-Authenticate": 'Bearer realm="micgraph"'}
        )
    if not hmac.compare_digest(credentials.strip().encode("utf-8"), token.encode("utf-8")):
        raise Refusal(403, "the bearer token is not the one this server accepts for updates")


async def _update(request: Request, service: Service, text: str, fields: dict[str, list[str]]) -> Response:
    settings = service.settings
    if not settings.allow_update or settings.token is None:  # create_app gives updates a token, or refuses
        raise Refusal(403, "this endpoint is read-only: updates (INSERT, DELETE, LOAD, CLEAR, ...) are refused")
    _check_token(request, settings.token)
    for name in ("using-graph-uri", "using-named-graph-uri"):
        if name in fields:
            raise Refusal(400, f"{name} is not supported; name the graphs with USING / WITH in the update")
    refused = await service.update(text, _endpoint_iri(request))
    return _reply_response(refused) if refused is not None else Response(status_code=204)


async def _service_description(request: Request, service: Service) -> Response:
    media = negotiate(request.headers.get("accept"), [*RDF_OFFERS, HTML])
    if media is None:
        return _reply_response(handlers.not_acceptable(RDF_OFFERS))
    if media == HTML:
        return RedirectResponse("/", status_code=303)
    settings = service.settings
    quads = handlers.service_description(
        _endpoint_iri(request),
        await service.summary(),
        allow_update=settings.allow_update,
        service_allow=settings.service_allow,
        timeout=settings.timeout,
        max_rows=settings.max_rows,
    )
    return _reply_response(handlers.service_description_reply(quads, media), vary=True)


# --- Linked Data ----------------------------------------------------------------------------------
#
# Cool URIs for the Semantic Web (W3C Note, 2008), section 4.3: a resource's IRI names the thing (a
# centre, a programme), not a document; the server answers it with 303 See Other to the document in the
# format the client asked for, and each document has a URL of its own (docs/serve.md says why).


def _page_media(request: Request) -> str:
    """The media type the client asks for: `?format=` (an RDF syntax's name, or html), else Accept."""
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


def _see_other(location: str, request: Request | None = None) -> Response:
    """303 to a document (relative to this server, so it holds behind a proxy); it depends on Accept, and
    for a page on the language asked for (`?lang=` goes along)."""
    lang = request.query_params.get("lang") if request is not None else None
    if lang is not None and location.startswith("/page/"):
        location += "?" + urlencode({"lang": lang})
    return RedirectResponse(location, status_code=303, headers={"Vary": "Accept, Accept-Language"})


def _raw_remainder(request: Request, prefix: str) -> str:
    """The path after `prefix` as the client sent it: an IRI may hold %XX escapes (`micr:a%20b`), which
    the decoded path would turn into characters no IRI may hold."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    return path[len(prefix) :] if path.startswith(prefix) else request.path_params["path"]


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    return (stem, extension) if dot and stem else (name, "")


def _document(media: str) -> str:
    """The extension of a document URL in `media` (`.ttl`, ...), or '' for the HTML page."""
    return "" if media == HTML else "." + GRAPH_FORMATS[media].extension


def _data_url(name: str, media: str) -> str:
    return f"/page/{name}" if media == HTML else f"/data/{name}{_document(media)}"


DOCUMENT_EXTENSIONS = ", ".join(dict.fromkeys("." + f.extension for f in GRAPH_FORMATS.values()))


def _no_document(what: str) -> Refusal:
    return Refusal(
        404,
        f"no document {what}: the descriptions are at /page/NAME (HTML) and /data/NAME "
        f"followed by one of {DOCUMENT_EXTENSIONS}",
    )


async def _described(service: Service, iri: str, media: str, lang: str = "en") -> Response:
    reply = await service.run(handlers.resource, iri=iri, media=media, lang=lang)
    return _reply_response(reply)


async def resource(request: Request) -> Response:
    """/id/NAME: 303 to /page/NAME or /data/NAME.EXT, or 404 if the graph says nothing about it."""
    service: Service = request.app.state.service
    media = _page_media(request)
    name = _raw_remainder(request, "/id/")
    found = await service.run(handlers.exists, iri=MICR + name)
    if isinstance(found, handlers.Reply):
        return _reply_response(found)
    if not found:
        if media == HTML:
            return await _described(service, MICR + name, HTML)  # the 404 page
        raise Refusal(404, f"the graph says nothing about {MICR + name}", {"Vary": "Accept"})
    return _see_other(_data_url(name, media), request)


async def resource_data(request: Request) -> Response:
    """/data/NAME.EXT: the resource's concise bounded description in the RDF syntax EXT names."""
    service: Service = request.app.state.service
    name, extension = _split_extension(_raw_remainder(request, "/data/"))
    if "format" in request.query_params:
        return _see_other(_data_url(name, _page_media(request)))
    syntax = document_format(extension)
    if syntax is None:
        raise _no_document(f"/data/{name}.{extension}" if extension else f"/data/{name}")
    return await _described(service, MICR + name, syntax.media_type)


async def resource_page(request: Request) -> Response:
    """/page/NAME: the resource's page (`?format=` leads to its RDF documents)."""
    service: Service = request.app.state.service
    name = _raw_remainder(request, "/page/")
    if "format" in request.query_params:
        media = _page_media(request)
        if media != HTML:
            return _see_other(_data_url(name, media))
    from .pages import page_language

    lang = page_language(request.query_params.get("lang"), request.headers.get("accept-language"))
    return await _described(service, MICR + name, HTML, lang)


async def _ontology_document(request: Request, extension: str) -> Response:
    """The ontology document in the format `extension` names (html: its pyLODE page)."""
    service: Service = request.app.state.service
    if extension == "html":
        media = HTML
    else:
        syntax = document_format(extension)
        if syntax is None:
            raise Refusal(404, f"the ontology's documents end in .html or one of {DOCUMENT_EXTENSIONS}")
        media = syntax.media_type
    if "format" in request.query_params:
        return _see_other(_ontology_url(request.url.path.rsplit(".", 1)[0], _page_media(request)))
    return _reply_response(await service.ontology(media))


def _ontology_url(path: str, media: str) -> str:
    return path + (".html" if media == HTML else _document(media))


async def ontology(request: Request) -> Response:
    """/ontology: 303 to /ontology.EXT or /ontology.html."""
    return _see_other(_ontology_url("/ontology", _page_media(request)))


async def ontology_document(request: Request) -> Response:
    """/ontology.EXT: the ontology document."""
    return await _ontology_document(request, request.path_params["extension"])


async def ontology_version(request: Request) -> Response:
    """/ontology/VERSION (the owl:versionIRI): 303 to its documents; /ontology/VERSION.EXT: a document."""
    service: Service = request.app.state.service
    rest = request.path_params["rest"]
    version = await service.ontology_version()
    local = version[len(ONTOLOGY_IRI) + 1 :] if version and version.startswith(ONTOLOGY_IRI + "/") else None
    if local is None:
        raise Refusal(404, "this server's ontology has no version IRI under " + ONTOLOGY_IRI + "/")
    if rest == local:
        return _see_other(_ontology_url(f"/ontology/{local}", _page_media(request)))
    stem, extension = _split_extension(rest)
    if stem != local:
        raise Refusal(404, f"this server has no ontology version <{ONTOLOGY_IRI}/{stem}>; it serves <{version}>")
    return await _ontology_document(request, extension)


async def home(request: Request) -> Response:
    return HTMLResponse(request.app.state.service.query_page)


async def favicon(request: Request) -> Response:
    return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon")


async def not_found(request: Request, exc) -> Response:
    """Starlette's own 404 and 405, as one `error:` line like every other refusal."""
    status = getattr(exc, "status_code", 404)
    message = {
        404: f"nothing at {request.url.path}; see / for what this server offers",
        405: f"{request.method} is not allowed here",
    }.get(status, str(getattr(exc, "detail", "")))
    headers = getattr(exc, "headers", None) or {}
    return Response(f"error: {message}\n", status, headers=headers, media_type="text/plain; charset=utf-8")


# --- the app ------------------------------------------------------------------------------------


def create_app(
    store,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int | None = None,
    allow_update: bool = False,
    token: str | None = None,
    cors: tuple[str, ...] = (),
    service_allow: tuple[str, ...] = (),
    workers: int | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    header_timeout: float = SERVE_HEADER_TIMEOUT,
    on_ready=None,
) -> Starlette:
    """The ASGI app serving `store`. Its worker processes start with the app (ASGI lifespan) and read a
    snapshot of the store taken then; `on_ready()` is called once they answer.

    With `allow_update`, updates go to the update worker's copy of the graph: the store itself when it is
    on disk (the server closes its own handle on `store` meanwhile, since one process at a time may
    write it, and opens it again when it stops), else a copy in memory of the snapshot (`store` then
    stays as it was)."""
    if timeout <= 0 or header_timeout <= 0:
        raise UsageError("the timeout must be more than 0 seconds")
    if max_rows is not None and max_rows < 1:
        raise UsageError("max_rows must be at least 1")
    if allow_update and not token:
        raise UsageError("updates need a bearer token: pass --token-env VAR naming a non-empty environment variable")
    from ..federation import check_allow_list

    service_allow = check_allow_list(service_allow)  # refused at start-up, not on every query
    settings = Settings(
        timeout,
        max_rows,
        allow_update,
        token if allow_update else None,
        service_allow,
        max_body_bytes,
        workers or max(2, os.cpu_count() or 2),
        header_timeout,
    )
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
        Route("/data/{path:path}", resource_data, methods=["GET"]),
        Route("/page/{path:path}", resource_page, methods=["GET"]),
        Route("/ontology", ontology, methods=["GET"]),
        Route("/ontology.{extension}", ontology_document, methods=["GET"]),
        Route("/ontology/{rest}", ontology_version, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            # starlette types a handler as taking any Exception; it calls this one with Refusals only
            Refusal: _refusal_response,  # type: ignore[dict-item]
            404: not_found,
            405: not_found,
            Exception: _internal_error,
        },
    )
    app.state.service = service
    if cors:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors),
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Authorization", "Content-Type"],
            expose_headers=["X-SPARQL-MaxRows"],
        )
    return app


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port), or a one-line error."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, protocol)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        raise MicgraphError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


def serve(
    store,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    access_log: bool = False,
    on_ready=None,
    max_connections: int = SERVE_MAX_CONNECTIONS,
    **options,
) -> None:
    """Serve `store` with uvicorn until interrupted; `on_ready(url)` is called once queries are answered.
    At most `max_connections` connections are open at once (fewer if the descriptor limit is lower; see
    connections.py), and every wait for a client lasts at most `header_timeout` seconds."""
    import uvicorn

    if max_connections < 1:
        raise UsageError("max_connections must be at least 1")
    cap = connection_cap(max_connections, raise_descriptor_limit())
    sock = listen(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    url = f"http://{'[' + bound_host + ']' if ':' in bound_host else bound_host}:{bound_port}/"
    try:
        app = create_app(store, on_ready=(lambda: on_ready(url)) if on_ready else None, **options)
        try:
            app.state.service.prepare()
        except WorkerFailed as exc:
            raise MicgraphError(f"the server could not start: {exc}") from exc
        service = app.state.service
        config = uvicorn_config(
            app,
            header_timeout=service.settings.header_timeout,
            max_connections=cap,
            log_level="info" if access_log else "warning",
            access_log=access_log,
            lifespan="on",
        )
        try:
            uvicorn.Server(config).run(sockets=[sock])
        finally:
            service.close()  # done by the lifespan's shutdown, unless uvicorn stopped before it ran
    finally:
        sock.close()
