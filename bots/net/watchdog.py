"""A timer that closes a fetch's socket when its time is up, however the server trickles."""

from __future__ import annotations

import socket
import threading
import time

from urllib3.connection import HTTPConnection, HTTPSConnection

from bots.i18n.message import msg
from bots.net.deadline import Deadline
from bots.net.errors import FetchError, format_seconds


class Watchdog:
    """Closes the sockets of a fetch when its overall time is up.

    Socket timeouts only bound each single read; a server sending one byte
    per second would never trip them. Shutting the socket down from a timer
    makes the blocked read return at once. The caller's deadline caps
    whatever time is allowed.
    """

    def __init__(self, seconds: float, deadline: Deadline | None = None):
        self.started = time.monotonic()
        self.fired = False
        #: a connection was made (the server accepted it)
        self.connected = False
        self._cap = None if deadline is None else self.started + deadline.remaining()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self.allow(seconds)

    def allow(self, seconds: float) -> None:
        """Set the time allowed, counted from the start of the fetch (cut to the deadline)."""
        if self._timer is not None:
            self._timer.cancel()
        end = self.started + seconds
        if self._cap is not None:
            end = min(end, self._cap)
        self.seconds = end - self.started
        self.deadline = end
        self._timer = threading.Timer(max(0.0, self.remaining()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def check(self, url: str) -> None:
        if self.fired or self.remaining() <= 0:
            self.fired = True
            raise self.error(url)

    def error(self, url: str) -> FetchError:
        return FetchError(msg("hubbot-fetch-timed-out", format_seconds(self.seconds), url), url=url)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            self.connected = True
            fired = self.fired
        if fired:
            _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class WatchedHTTPConnection(HTTPConnection):
    watchdog: Watchdog | None = None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        if self.watchdog is not None:
            self.watchdog.watch(sock)
        return sock


class WatchedHTTPSConnection(HTTPSConnection):
    watchdog: Watchdog | None = None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        if self.watchdog is not None:
            self.watchdog.watch(sock)
        return sock
