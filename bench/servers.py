"""What the benchmark watches: the partner's web server and the wiki's side.

- :class:`MediaServer` is the partner's website on a loopback port (media
  under ``/media/``, metadata under ``/data/``) and counts the downloads. A
  :class:`Shape` makes it a server far away: every answer waits before its
  first byte, and every connection sends at most so many bytes a second.
- :class:`WikiRequestLog` counts every HTTP request the wiki answers, by
  entry point and API module, at the server itself: a PHP snippet loaded with
  the wiki's settings appends one line per request. Counting at the server
  adds no hop, so it costs every client the same and changes no timing.
- :func:`server_cpu_seconds` is the CPU the wiki's PHP processes used, from
  ``/proc``, to show where a client's wall time goes.
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

# One line per web request: method, entry point, API action and query modules.
REQUEST_LOG_PHP = r"""
if (isset($_SERVER['REQUEST_METHOD'])) {
    $benchWhat = $_POST['action'] ?? $_GET['action'] ?? '';
    foreach (['meta', 'list', 'prop', 'generator'] as $benchKey) {
        $benchValue = $_POST[$benchKey] ?? $_GET[$benchKey] ?? null;
        if (is_string($benchValue) && $benchValue !== '') {
            $benchWhat .= " $benchKey=$benchValue";
        }
    }
    foreach (['stash', 'filekey', 'offset', 'ignorewarnings', 'url'] as $benchKey) {
        if (isset($_POST[$benchKey]) || isset($_GET[$benchKey])) {
            $benchWhat .= " $benchKey";
        }
    }
    file_put_contents(
        "$hubDir/bench-requests.log",
        $_SERVER['REQUEST_METHOD'] . "\t" . basename($_SERVER['SCRIPT_NAME'] ?? '?')
            . "\t" . str_replace(["\t", "\n"], ' ', $benchWhat) . "\n",
        FILE_APPEND | LOCK_EX
    );
}
"""


@dataclass
class WikiRequestLog:
    """The requests one dev wiki answered; read between two marks."""

    path: Path

    @classmethod
    def install(cls, wiki, settings: str = "") -> WikiRequestLog:  # wiki: DevWiki
        """Start counting on ``wiki`` through its ``extra.php``, with other ``settings``."""
        wiki.set_extra_settings(settings + REQUEST_LOG_PHP)
        log = cls(Path(wiki.dir) / "bench-requests.log")
        log.path.touch()
        return log

    def mark(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def since(self, mark: int) -> Counter[str]:
        """Requests since ``mark``, keyed like ``api.php query meta=tokens``."""
        with self.path.open("rb") as f:
            f.seek(mark)
            data = f.read().decode("utf-8", errors="replace")
        return count_request_lines(data)


def count_request_lines(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        _method, script, what = parts
        key = f"{script} {what}".strip()
        counts[key] += 1
    return counts


def server_cpu_seconds(leader_pid: int) -> float:
    """User + system CPU of every process in the wiki server's process group.

    The PHP server runs in a session of its own (``start_new_session``), with
    forked workers; ``/proc/PID/stat`` gives each one's ticks.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # fields after the command name, which is in parentheses and may hold spaces
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) < 15 or int(fields[2]) != leader_pid:  # fields[2]: pgrp
            continue
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
        total += utime + stime + cutime + cstime
    return total / ticks


@dataclass(frozen=True)
class Shape:
    """How far away the partner's server is: the wait for the first byte, bytes a second.

    The rate holds for each connection, as it does for a server across an
    ocean, where TCP's window over a long round trip bounds each connection
    rather than the line: a client that opens four connections gets four
    times the rate, as it would there.
    """

    first_byte: float = 0.0  # seconds
    rate: float = 0.0  # bytes a second and connection; 0: as fast as loopback goes

    @property
    def near(self) -> bool:
        return not self.first_byte and not self.rate

    def describe(self) -> str:
        if self.near:
            return "loopback"
        return f"{self.first_byte:g} s to first byte, {self.rate / 1e6:g} MB/s per connection"


#: The partner server far away of the issue: 0.3 s to the first byte, 2 MB/s.
FAR = Shape(first_byte=0.3, rate=2_000_000)


@dataclass
class MediaServer:
    """The partner's website: ``/media/NAME`` from one folder, ``/data/NAME`` from another."""

    media: Path
    data: Path
    base_url: str = ""
    shape: Shape = Shape()
    downloads: Counter[str] = field(default_factory=Counter)
    #: answers 304 Not Modified to a conditional request, by kind
    unchanged: Counter[str] = field(default_factory=Counter)
    #: the most connections sending a body at the same moment
    most_at_once: int = 0
    _sending: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def media_url(self) -> str:
        return f"{self.base_url}/media"

    @property
    def data_url(self) -> str:
        return f"{self.base_url}/data"

    def count(self, kind: str) -> None:
        with self._lock:
            self.downloads[kind] += 1

    def count_unchanged(self, kind: str) -> None:
        with self._lock:
            self.unchanged[kind] += 1

    def sending(self, change: int) -> None:
        with self._lock:
            self._sending += change
            self.most_at_once = max(self.most_at_once, self._sending)

    def snapshot(self) -> Counter[str]:
        """Bodies sent, by kind (``media``, ``data``); 304 answers are not downloads."""
        with self._lock:
            return Counter(self.downloads)


def send_shaped(source, out, shape: Shape, chunk: int = 16 * 1024) -> None:
    """Copy ``source`` to ``out`` no faster than ``shape.rate`` bytes a second."""
    if not shape.rate:
        shutil.copyfileobj(source, out)
        return
    start, sent = time.monotonic(), 0
    while True:
        data = source.read(chunk)
        if not data:
            return
        out.write(data)
        sent += len(data)
        ahead = start + sent / shape.rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)


@contextmanager
def serve_media(media: Path, data: Path, shape: Shape = Shape()) -> Iterator[MediaServer]:
    """Run a :class:`MediaServer` on a free loopback port for the ``with`` block."""
    server_state = MediaServer(media=media.resolve(), data=data.resolve(), shape=shape)

    class Handler(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real museum server would
        status = 0

        def translate_path(self, path: str) -> str:
            parts = unquote(urlsplit(path).path).lstrip("/").split("/", 1)
            roots = {"media": server_state.media, "data": server_state.data}
            if len(parts) != 2 or parts[0] not in roots or parts[1] in ("", ".", ".."):
                return str(server_state.data / ".not-found")
            if "/" in parts[1]:
                return str(server_state.data / ".not-found")
            return str(roots[parts[0]] / parts[1])

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            kind = urlsplit(self.path).path.lstrip("/").split("/", 1)[0]
            if server_state.shape.first_byte:
                time.sleep(server_state.shape.first_byte)
            source = self.send_head()  # None: an error or 304 Not Modified, already sent
            if source is None:
                if self.status == 304:
                    server_state.count_unchanged(kind)
                return
            server_state.count(kind)
            server_state.sending(+1)
            try:
                send_shaped(source, self.wfile, server_state.shape)
            finally:
                server_state.sending(-1)
                source.close()

        def send_response(self, code: int, message: str | None = None) -> None:
            self.status = code
            super().send_response(code, message)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server_state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
