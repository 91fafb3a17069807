"""A small loopback HTTP proxy in front of the real dev wiki that injects faults.

Faults a local MediaWiki cannot give on cue (a timeout after the server
saved, a connection dropped mid-chunk, a 503 from a gateway, maxlag) come
from here. Everything else is forwarded untouched to the real wiki, so every
answer the bot sees is the wiki's own unless a rule says otherwise. It is
never a mock of the API: a rule either breaks the connection around a real
exchange, nudges a real request so the wiki itself answers with an error
(a wrong token, an impossible ``maxlag``), or stands in for a gateway that
answers before the wiki is reached.

    with FaultProxy(devwiki.url) as proxy:
        proxy.add(Rule("drop-after-forward", match=uploads, times={1}))
        wiki = dataclasses.replace(bot, write_api=proxy.api_url)
"""

from __future__ import annotations

import http.client
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

#: What a rule can do to a request it matches.
ACTIONS = (
    "forward",  # nothing: pass it on (counted, for tests that want to see the traffic)
    "drop-after-forward",  # the wiki gets and handles it; the client gets a closed connection
    "timeout-after-forward",  # the wiki handles it; the answer comes after `delay` seconds
    "drop-before-forward",  # closed at once: the wiki never sees it
    "reset-mid-body",  # reset while the client is still sending the body
    "respond",  # a gateway answers instead of the wiki (status, headers, body)
    "delay",  # a slow wiki: wait `delay` seconds, then forward
    "bad-token",  # the wiki gets a wrong token and answers badtoken itself
    "real-maxlag",  # the wiki gets maxlag=-2 and answers a real maxlag error
)

#: A maxlag error as Wikimedia's servers send it (HTTP 200, Retry-After, X-Database-Lag).
MAXLAG_BODY = (
    b'{"error":{"code":"maxlag","info":"Waiting for 10.64.48.35: 7 seconds lagged.",'
    b'"host":"10.64.48.35","lag":7,"type":"db"},"servedby":"mw1375"}'
)

#: A gateway's error page, as a CDN in front of a wiki serves it.
GATEWAY_502 = (
    b"<!DOCTYPE html><html><head><title>Wikimedia Error</title></head><body>"
    b"<p>Our servers are currently under maintenance or experiencing a technical problem."
    b"</p><p>Error: 502, Bad Gateway</p></body></html>"
)


@dataclass
class Seen:
    """A request the proxy saw, with the form fields that matter (file bodies left out)."""

    method: str
    path: str
    params: dict[str, str]
    files: dict[str, int]  # part name -> bytes
    size: int  # body bytes

    @property
    def action(self) -> str:
        return self.params.get("action", "")


def is_upload(seen: Seen) -> bool:
    """Any upload request: a whole file, a chunk or a commit from the stash."""
    return seen.method == "POST" and seen.action == "upload"


def is_file_upload(seen: Seen) -> bool:
    """An upload that sends the whole file in one request."""
    return is_upload(seen) and "file" in seen.files


def is_chunk(seen: Seen) -> bool:
    return is_upload(seen) and "chunk" in seen.files


def is_commit(seen: Seen) -> bool:
    """Publishing stashed bytes (no file in the request)."""
    return is_upload(seen) and not seen.files and "filekey" in seen.params


def is_edit(seen: Seen) -> bool:
    return seen.method == "POST" and seen.action == "edit"


@dataclass
class Rule:
    """Do ``action`` to the matching requests numbered in ``times`` (1-based; None: all)."""

    action: str
    match: Callable[[Seen], bool] = is_upload
    times: set[int] | None = None
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    #: called with the request when the rule applies (e.g. to signal the bot's process)
    then: Callable[[Seen], None] | None = None
    matched: int = 0  # how many requests matched so far
    applied: int = 0  # how many of them got the fault

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown fault action {self.action!r}; one of {ACTIONS}")

    def take(self, seen: Seen) -> bool:
        """Whether this request gets the fault (counts matches)."""
        if not self.match(seen):
            return False
        self.matched += 1
        if self.times is None or self.matched in self.times:
            self.applied += 1
            return True
        return False


@dataclass
class Event:
    seen: Seen
    action: str
    at: float


class FaultProxy:
    """A threaded proxy on 127.0.0.1 in front of ``target`` (the wiki's base URL)."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target_host = parts.hostname or "127.0.0.1"
        self.target_port = parts.port or 80
        self.rules: list[Rule] = []
        self.events: list[Event] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- life -------------------------------------------------------------
    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api.php"

    # -- rules ------------------------------------------------------------
    def add(self, rule: Rule) -> Rule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
            self.events.clear()

    def decide(self, seen: Seen) -> Rule | None:
        with self._lock:
            chosen = None
            for rule in self.rules:
                if rule.take(seen) and chosen is None:
                    chosen = rule
            self.events.append(Event(seen, chosen.action if chosen else "forward", time.time()))
        if chosen is not None and chosen.then is not None:
            chosen.then(seen)
        return chosen

    def seen(self, match: Callable[[Seen], bool] = is_upload) -> list[Seen]:
        with self._lock:
            return [e.seen for e in self.events if match(e.seen)]

    def faults(self) -> list[Event]:
        with self._lock:
            return [e for e in self.events if e.action != "forward"]


_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
}


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        content_type = self.headers.get("Content-Type", "")
        # Read until the form fields and the start of any file part are in:
        # enough to match rules, and a "reset-mid-body" rule still finds the
        # client sending.
        body = b""
        while len(body) < length:
            body += self.rfile.read(min(65536, length - len(body)))
            if _file_part_started(body):
                break
        rule = self.owner.decide(_parse(self.command, self.path, content_type, body))
        if rule is not None and rule.action == "reset-mid-body":
            self._reset()
            return
        while len(body) < length:
            more = self.rfile.read(min(1024 * 1024, length - len(body)))
            if not more:
                break
            body += more
        action = rule.action if rule else "forward"
        if action == "drop-before-forward":
            self._reset()
            return
        if action == "respond":
            assert rule is not None
            self._answer(rule.status, rule.headers, rule.body)
            return
        if action == "delay":
            assert rule is not None
            time.sleep(rule.delay)
        if action == "bad-token":
            body = _replace_field(body, content_type, "token", "0123456789abcdef+\\")
        if action == "real-maxlag":
            body = _replace_field(body, content_type, "maxlag", "-2")
        status, headers, answer = self._forward(body)
        if action == "drop-after-forward":
            self._reset()
            return
        if action == "timeout-after-forward":
            assert rule is not None
            time.sleep(rule.delay)
        self._answer(status, headers, answer)

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(
            self.owner.target_host, self.owner.target_port, timeout=600
        )
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["Content-Length"] = str(len(body))
        headers["Connection"] = "close"
        try:
            conn.request(self.command, self.path, body=body or None, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            # a list: a wiki sends several Set-Cookie headers
            out = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            return response.status, out, answer
        finally:
            conn.close()

    def _answer(
        self, status: int, headers: dict[str, str] | list[tuple[str, str]], body: bytes
    ) -> None:
        pairs = list(headers.items()) if isinstance(headers, dict) else headers
        try:
            self.send_response(status)
            for key, value in pairs:
                if key.lower() not in ("content-length", "date", "server"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass  # the client gave up (a timeout rule)
        self.close_connection = True

    def _reset(self) -> None:
        """Close with a TCP reset, as a crashed server or a cut cable would."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True


def _file_part_started(body: bytes) -> bool:
    at = body.find(b'filename="')
    return at >= 0 and body.find(b"\r\n\r\n", at) >= 0


def _parse(method: str, path: str, content_type: str, body: bytes) -> Seen:
    params: dict[str, str] = dict(parse_qsl(urlsplit(path).query))
    files: dict[str, int] = {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode("utf-8", "replace")))
    elif content_type.startswith("multipart/form-data"):
        for name, filename, value in _parts(body, content_type):
            if filename is None:
                params[name] = value.decode("utf-8", "replace")
            else:
                files[name] = len(value)
    return Seen(method=method, path=path, params=params, files=files, size=len(body))


def _boundary(content_type: str) -> bytes:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    return match.group(1).encode() if match else b""


def _parts(body: bytes, content_type: str) -> list[tuple[str, str | None, bytes]]:
    """(name, filename or None, value) of each complete or started part of a multipart body."""
    boundary = _boundary(content_type)
    if not boundary:
        return []
    out = []
    for raw in body.split(b"--" + boundary)[1:]:
        if raw.startswith(b"--"):
            break
        head, _, value = raw.partition(b"\r\n\r\n")
        disposition = head.decode("utf-8", "replace")
        name = re.search(r'name="([^"]*)"', disposition)
        if name is None:
            continue
        filename = re.search(r'filename="([^"]*)"', disposition)
        out.append(
            (name.group(1), filename.group(1) if filename else None, value.removesuffix(b"\r\n"))
        )
    return out


def _replace_field(body: bytes, content_type: str, name: str, value: str) -> bytes:
    """The body with form field ``name`` set to ``value`` (urlencoded or multipart)."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        return urlencode([(k, value if k == name else v) for k, v in pairs]).encode()
    boundary = _boundary(content_type)
    pattern = re.compile(
        rb"(--"
        + re.escape(boundary)
        + rb'\r\nContent-Disposition: form-data; name="'
        + re.escape(name.encode())
        + rb'"\r\n\r\n)(.*?)(\r\n--'
        + re.escape(boundary)
        + rb")",
        re.DOTALL,
    )
    return pattern.sub(lambda m: m.group(1) + value.encode() + m.group(3), body, count=1)
