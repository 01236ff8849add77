"""Slow clients: a time limit on every wait for a client, and a cap on open connections.

uvicorn reads a request's head for as long as the client takes: 21,000 clients that each send half a
header hold 21,000 descriptors, and once the process runs out, new clients are not served at all
(libuv, under uvloop, even accepts and drops them). So the server's HTTP protocol is uvicorn's own
(httptools, or h11 where httptools is missing) with four limits added:

- **head time**: a connection waiting for a request's line and headers (from connecting, or from the
  end of the previous response on a keep-alive connection) is closed after `header_timeout` seconds,
  with `408` if part of a request had arrived;
- **head size**: a request line over 65,535 bytes gets `414`, a head over `MAX_HEAD_BYTES` gets `431`
  (uvicorn bounds neither: a client could send a gigabyte of header);
- **stalled readers**: a client that reads nothing of a response for `header_timeout` seconds is
  disconnected (it would otherwise hold the connection and the response in memory for ever);
- **connections**: at most `max_connections` are open. A new connection at the cap closes the one that
  has waited longest for a request head (a slow client, or an idle keep-alive connection), so a normal
  client is answered however many slow ones there are; only when every open connection is running a
  request is the new one refused (`503`).

The cap must stay below the descriptor limit, with room for the descriptors the server uses otherwise
and for a backlog's worth of connections accepted at once before any of them is seen here:
`raise_descriptor_limit` lifts the soft RLIMIT_NOFILE to the hard one, `connection_cap` keeps the cap
under it. The body's time limit is the app's (app.py reads the body within `header_timeout` too).
"""

from __future__ import annotations

import asyncio
import resource
from collections import OrderedDict

BACKLOG = 2048  # the listening socket's queue: also the most connections accepted in one go
RESERVED_DESCRIPTORS = BACKLOG + 256  # for a burst of accepts, worker pipes, snapshot files, logs
MAX_REQUEST_LINE_BYTES = 65_535  # httptools cannot parse a longer URL
MAX_HEAD_BYTES = MAX_REQUEST_LINE_BYTES + 32 * 1024  # the request line and all the header fields


def raise_descriptor_limit() -> int:
    """Raise this process's soft limit on open descriptors to its hard limit; the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass  # a container may forbid it: the cap below follows whatever limit holds
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def connection_cap(requested: int, descriptor_limit: int) -> int:
    """`requested`, lowered to what `descriptor_limit` leaves room for (at least 16)."""
    return max(16, min(requested, descriptor_limit - RESERVED_DESCRIPTORS))


def _response(status: int, reason: str, message: str) -> bytes:
    body = f"error: {message}\n".encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode("ascii") + body


class Limits:
    """What the connections of one server share: the limits and who is waiting for a request head."""

    def __init__(self, header_timeout: float, max_connections: int) -> None:
        self.header_timeout = header_timeout
        self.max_connections = max_connections
        self.open: set = set()
        self.waiting: OrderedDict = OrderedDict()  # connection -> None, longest waiting first

    def evict_longest_waiting(self) -> bool:
        """Close the connection that has waited longest for a request head; False if none waits."""
        if not self.waiting:
            return False
        connection, _ = self.waiting.popitem(last=False)
        connection.evict()
        return True


class _Guarded:
    """The limits, mixed into uvicorn's HttpToolsProtocol or H11Protocol (whose attributes it uses:
    `transport`, `cycle`, `loop`; and methods: connection_made, connection_lost, data_received,
    on_response_complete, pause_writing, resume_writing, send_400_response)."""

    limits: Limits

    def connection_made(self, transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._head_timer: asyncio.TimerHandle | None = None
        self._stall_timer: asyncio.TimerHandle | None = None
        self._awaited_cycle = None  # the cycle that was current when the wait for a head began
        self._head_bytes = 0
        self._line_complete = False
        self.limits.open.add(self)
        if len(self.limits.open) > self.limits.max_connections and not self.limits.evict_longest_waiting():
            self._close_with(
                _response(
                    503,
                    "Service Unavailable",
                    "the server is at its connection limit "
                    f"({self.limits.max_connections}), every one busy; try again shortly",
                )
            )
            return
        self._wait_for_head()

    def connection_lost(self, exc) -> None:
        self._stop_waiting()
        self._cancel_stall()
        self.limits.open.discard(self)
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        waiting = self._head_timer is not None
        if waiting and not self._line_complete:
            line_end = data.find(b"\n")
            self._line_complete = line_end >= 0
            if self._head_bytes + (line_end if line_end >= 0 else len(data)) > MAX_REQUEST_LINE_BYTES:
                self._close_with(
                    _response(
                        414,
                        "URI Too Long",
                        f"the request line is over {MAX_REQUEST_LINE_BYTES:,} bytes; POST the query instead",
                    )
                )
                return
        super().data_received(data)  # type: ignore[misc]
        if not waiting or self._head_timer is None:
            return
        if self.cycle is not self._awaited_cycle:  # type: ignore[attr-defined]
            self._stop_waiting()  # a head is complete: the request runs (its body has the app's limit)
            return
        self._head_bytes += len(data)  # still no complete head: all of it was head
        if self._head_bytes > MAX_HEAD_BYTES:
            self._close_with(
                _response(431, "Request Header Fields Too Large", f"the request head is over {MAX_HEAD_BYTES:,} bytes")
            )

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        cycle = self.cycle  # type: ignore[attr-defined]
        if not self.transport.is_closing() and (cycle is None or cycle.response_complete):  # type: ignore[attr-defined]
            self._wait_for_head()  # keep-alive: the next request's head has its own time limit

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to bytes that are not HTTP/1.1, as one `error:` line like every refusal."""
        self._stop_waiting()
        super().send_400_response(  # type: ignore[misc]
            "error: not a valid HTTP/1.1 request (its request line or a header is malformed)\n"
        )

    # a reader that stopped reading
    def pause_writing(self) -> None:
        super().pause_writing()  # type: ignore[misc]
        if self._stall_timer is None:
            self._stall_timer = self.loop.call_later(self.limits.header_timeout, self._stalled)  # type: ignore[attr-defined]

    def resume_writing(self) -> None:
        self._cancel_stall()
        super().resume_writing()  # type: ignore[misc]

    def _stalled(self) -> None:
        self._stall_timer = None
        self.transport.abort()  # type: ignore[attr-defined]

    def _cancel_stall(self) -> None:
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None

    # waiting for a request head
    def _wait_for_head(self) -> None:
        self._stop_waiting()
        self._awaited_cycle = self.cycle  # type: ignore[attr-defined]
        self._head_bytes = 0
        self._line_complete = False
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)  # type: ignore[attr-defined]
        self.limits.waiting[self] = None

    def _stop_waiting(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self.limits.waiting.pop(self, None)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        self.limits.waiting.pop(self, None)
        if self._head_bytes:
            self._close_with(
                _response(
                    408, "Request Timeout", f"the request head did not arrive within {self.limits.header_timeout:g} s"
                )
            )
        else:
            self.transport.close()  # type: ignore[attr-defined]

    def evict(self) -> None:
        """Closed to make room for a new connection (called by Limits, which has forgotten it already)."""
        self._head_timer, timer = None, self._head_timer
        if timer is not None:
            timer.cancel()
        self.transport.close()  # type: ignore[attr-defined]

    def _close_with(self, response: bytes) -> None:
        self._stop_waiting()
        transport = self.transport  # type: ignore[attr-defined]
        if not transport.is_closing():
            transport.write(response)
            transport.close()


def protocol_class(header_timeout: float, max_connections: int, implementation: str = "auto") -> type[asyncio.Protocol]:
    """uvicorn's HTTP/1.1 protocol with the limits above; `implementation` is httptools, h11 or auto
    (httptools when it is installed, as uvicorn chooses)."""
    if implementation == "auto":
        try:
            import httptools  # noqa: F401
        except ImportError:
            implementation = "h11"
        else:
            implementation = "httptools"
    if implementation == "httptools":
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as base
    elif implementation == "h11":
        from uvicorn.protocols.http.h11_impl import H11Protocol as base  # type: ignore[assignment]
    else:
        raise ValueError(f"unknown HTTP implementation {implementation!r}")
    limits = Limits(header_timeout, max_connections)
    return type(f"Guarded{base.__name__}", (_Guarded, base), {"limits": limits})


def uvicorn_config(app, *, header_timeout: float, max_connections: int, implementation: str = "auto", **options):
    """A uvicorn.Config running `app` with these limits (and no WebSocket: the app has none)."""
    import uvicorn

    return uvicorn.Config(
        app,
        http=protocol_class(header_timeout, max_connections, implementation),
        ws="none",
        backlog=BACKLOG,
        # h11 refuses a head over its buffer with a bare 400; make it larger than any head
        # the limit above lets through, plus one read, so that the limit speaks first
        h11_max_incomplete_event_size=MAX_HEAD_BYTES + 256 * 1024,
        **options,
    )
