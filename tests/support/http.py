"""A small HTTP server on 127.0.0.1 for tests that need a real partner server.

Tests talk to it over a real socket, so the fetcher's address checks,
redirects, size and time limits run for real, without the internet.

    with LoopbackServer({"/data.csv": (200, {"Content-Type": "text/csv"}, b"a,b\\n1,2\\n")}) as s:
        fetcher.fetch_bytes(s.url("/data.csv"))

A route is ``(status, headers, body)`` or a callable taking the
:class:`SeenRequest` and returning that triple. ``body`` may be bytes or an
iterable of byte chunks (a generator that sleeps between chunks makes a slow
server). :meth:`LoopbackServer.redirect` adds a redirect; ``directory``
serves files below a folder for paths no route names. Every request is
recorded in :attr:`LoopbackServer.requests`. Optionally serves HTTPS with a
given certificate (``ssl_context``).
"""

from __future__ import annotations

import mimetypes
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

Body = bytes | Iterable[bytes]
Response = tuple[int, Mapping[str, str], Body]
Route = Response | Callable[["SeenRequest"], Response]


@dataclass(frozen=True)
class SeenRequest:
    """One request as the server received it."""

    method: str
    path: str  # without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower case

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class LoopbackServer:
    """A threaded HTTP server bound to 127.0.0.1 on a free port."""

    def __init__(
        self,
        routes: Mapping[str, Route] | None = None,
        *,
        directory: Path | None = None,
        ssl_context: ssl.SSLContext | None = None,
        host: str = "127.0.0.1",
    ):
        self.routes: dict[str, Route] = dict(routes or {})
        self.directory = directory
        self.requests: list[SeenRequest] = []
        self._ssl_context = ssl_context
        server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
        self._server = server_class((host, 0), self._handler_class())
        self._server.daemon_threads = True
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def add(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.routes[path] = (status, {"Location": location}, b"")

    def start(self) -> LoopbackServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _respond(self, seen: SeenRequest) -> Response:
        route = self.routes.get(seen.path)
        if route is None:
            return self._from_directory(seen.path)
        if callable(route):
            return route(seen)
        return route

    def _from_directory(self, path: str) -> Response:
        if self.directory is not None:
            base = self.directory.resolve()
            candidate = (base / path.lstrip("/")).resolve()
            if candidate.is_file() and base in candidate.parents:
                kind = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
                return 200, {"Content-Type": kind}, candidate.read_bytes()
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                parts = urlsplit(self.path)
                seen = SeenRequest(
                    method="GET",
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                )
                server.requests.append(seen)
                status, headers, body = server._respond(seen)
                self.send_response(status)
                names = {name.lower() for name in headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                if isinstance(body, bytes | bytearray):
                    if "content-length" not in names:
                        self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self._write(bytes(body))
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in body:
                    if not self._write(chunk):
                        return

            def _write(self, data: bytes) -> bool:
                try:
                    self.wfile.write(data)
                    self.wfile.flush()
                    return True
                except OSError:  # the client went away, as clients do
                    return False

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler
