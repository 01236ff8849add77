"""The one HTTP client: SERVICE calls (federation.py) and remote stores (remote.py) both go through it.

Standard library only (http.client), imported when the first request is made, so a plain query never
pays for the HTTP stack. What every request gets, because the other end is not trusted:
- a deadline for the whole exchange (connect, send, every read), not only per socket operation: an
  endpoint that drips one byte a second cannot hold a call past it;
- a cap on the size of the answer, checked while reading;
- no redirects followed: a redirect is reported with its target, which the caller may then call by name
  (an allowed endpoint must not lead micgraph to one that is not);
- credentials only from the caller (the environment or ~/.netrc, never the URL), offered for HTTP Basic
  and Digest challenges, and once challenged sent up front with every later request (a server that
  answers 401 and closes the connection would otherwise cut a large upload);
- every failure one line, of the error class the caller names, saying which endpoint and what happened.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from .constants import VERSION
from .errors import MicgraphError

USER_AGENT = f"micgraph/{VERSION} (https://w3id.org/micgraph)"
DEFAULT_TIMEOUT = 60.0  # seconds for a whole exchange
DEFAULT_MAX_BYTES = 256 << 20  # the largest answer read into memory
_CHUNK = 1 << 16


@dataclass
class Response:
    status: int
    content_type: str  # the media type, lower case, without parameters
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


def check_url(url: str, what: str = "endpoint") -> str:
    """An absolute http(s) URL with a host, no credentials, and nothing an HTTP request line cannot carry;
    else a UsageError."""
    from .errors import UsageError

    try:
        parts = urllib.parse.urlsplit(url)
        hostname = parts.hostname
        import pyoxigraph as ox

        ox.NamedNode(url)  # no spaces, no control characters
    except ValueError:
        raise UsageError(f"{url!r} is not an http(s) URL of a SPARQL {what}") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise UsageError(f"{url!r} is not an http(s) URL of a SPARQL {what}")
    if parts.username or parts.password:
        raise UsageError(
            f"{url!r}: credentials do not belong in the URL (they would be logged); see "
            "docs/federation.md for MICGRAPH_ENDPOINT_USER / MICGRAPH_ENDPOINT_PASSWORD and ~/.netrc"
        )
    return url


class Client:
    """Requests to one or more URLs with shared credentials, limits and error class."""

    def __init__(
        self,
        label: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        credentials: tuple[str, str] | None = None,
        error: type[MicgraphError] = MicgraphError,
        timeout_option: str = "",
    ) -> None:
        self.label = label  # how messages name the other end: "http://host/sparql", "SERVICE <...>"
        self.timeout = timeout
        self.timeout_option = timeout_option  # the option that sets the timeout, named when it runs out
        self.max_bytes = max_bytes
        self.credentials = credentials
        self.error = error
        self._challenge: tuple[str, dict[str, str]] | None = None  # ("basic"|"digest", parameters)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | list[str]] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        what: str = "",
        ok_statuses: tuple[int, ...] = (),
    ) -> Response:
        """One request; a status outside 2xx and `ok_statuses` is an error of the client's class."""
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, doseq=True)
        headers = {"User-Agent": USER_AGENT}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        reply = self._exchange(method, url, body, headers, what)
        if reply.status == 401 and self.credentials is not None and self._challenge is None:
            self._challenge = _challenge(reply.header("WWW-Authenticate") or "")
            if self._challenge is not None:
                reply = self._exchange(method, url, body, headers, what)
        if 200 <= reply.status < 300 or reply.status in ok_statuses:
            return reply
        raise self._status_error(reply, what)

    # --- the exchange ------------------------------------------------------------------------------

    def _exchange(self, method: str, url: str, body: bytes | None, headers: dict[str, str], what: str) -> Response:
        import http.client
        import ssl

        parts = urllib.parse.urlsplit(url)
        if not parts.hostname:
            raise self.error(f"{self.label}: {url!r} names no host{_doing(what)}")
        headers = dict(headers)
        authorization = self._authorization(method, url, body)
        if authorization:
            headers["Authorization"] = authorization
        deadline = time.monotonic() + self.timeout
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        try:
            connection.request(method, target, body=body, headers=headers)
            _limit(connection, deadline)
            response = connection.getresponse()
            chunks, size = [], 0
            while True:
                _limit(connection, deadline)
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise self.error(
                        f"{self.label}: the answer is over {self.max_bytes:,} bytes, the most micgraph "
                        f"reads{_doing(what)}"
                    )
                chunks.append(chunk)
            content = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            return Response(response.status, content, dict(response.getheaders()), b"".join(chunks))
        except TimeoutError as exc:
            hint = f" ({self.timeout_option})" if self.timeout_option else ""
            raise self.error(f"{self.label}: no answer within {self.timeout:g} s{hint}{_doing(what)}") from exc
        except ssl.SSLError as exc:
            raise self.error(f"{self.label}: TLS error: {exc.reason or exc}{_doing(what)}") from exc
        except OSError as exc:
            raise self.error(f"{self.label}: {_network_cause(exc)}{_doing(what)}") from exc
        except http.client.HTTPException as exc:
            raise self.error(f"{self.label}: not a valid HTTP answer ({type(exc).__name__}){_doing(what)}") from exc
        finally:
            connection.close()

    def _status_error(self, reply: Response, what: str) -> MicgraphError:
        from http import HTTPStatus

        reason = HTTPStatus(reply.status).phrase if reply.status in HTTPStatus._value2member_map_ else ""
        head = f"{self.label}: HTTP {reply.status}{' ' + reason if reason else ''}{_doing(what)}"
        if 300 <= reply.status < 400:
            return self.error(f"{head}: redirects to <{reply.header('Location') or '?'}>; call that URL instead")
        if reply.status in (401, 403):
            hint = (
                "the credentials were rejected"
                if self.credentials is not None
                else "it needs credentials: set MICGRAPH_ENDPOINT_USER and MICGRAPH_ENDPOINT_PASSWORD or use ~/.netrc"
            )
            return self.error(f"{head}: {hint}")
        detail = _first_line(reply.body)
        return self.error(head + (f": {detail}" if detail else ""))

    # --- authentication ----------------------------------------------------------------------------

    def _authorization(self, method: str, url: str, body: bytes | None) -> str | None:
        if self.credentials is None or self._challenge is None:
            return None
        scheme, parameters = self._challenge
        user, password = self.credentials
        if scheme == "basic":
            import base64

            return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        import urllib.request

        realm = parameters.get("realm")
        if realm is None:
            return None  # a Digest challenge names its realm; urllib signs nothing without one
        passwords = urllib.request.HTTPPasswordMgr()
        passwords.add_password(realm, url, user, password)
        handler = urllib.request.HTTPDigestAuthHandler(passwords)
        request = urllib.request.Request(url, data=body, method=method)
        signature = handler.get_authorization(request, parameters)
        return f"Digest {signature}" if signature else None


def _challenge(header: str) -> tuple[str, dict[str, str]] | None:
    """The scheme and parameters of a WWW-Authenticate header micgraph can answer (Digest over Basic)."""
    import urllib.request

    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() == "digest":
        items = [item for item in urllib.request.parse_http_list(rest) if item]
        return "digest", urllib.request.parse_keqv_list(items)
    if scheme.lower() == "basic":
        return "basic", {}
    return None


def _doing(what: str) -> str:
    return f" ({what})" if what else ""


def _limit(connection, deadline: float) -> None:
    """Give the socket only the time left before the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    if connection.sock is not None:
        connection.sock.settimeout(left)


def _first_line(body: bytes) -> str:
    import re

    text = re.sub(r"<[^>]+>", " ", body[:4096].decode("utf-8", "replace"))  # HTML error pages
    return next((" ".join(line.split())[:300] for line in text.splitlines() if line.strip()), "")


def _network_cause(exc: OSError) -> str:
    import socket

    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running, on this host and port?)"
    if isinstance(exc, ConnectionResetError):
        return "the server closed the connection"
    return " ".join((exc.strerror or str(exc) or type(exc).__name__).split())
