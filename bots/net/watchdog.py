"""A timer that closes a fetch's socket when its time is up, however the server trickles.

Connections are kept open between fetches (one pool per partner host and
address, :mod:`bots.net.pools`), so a watchdog watches whatever socket its
fetch uses: a new one as it is made, or a kept one as the pool hands it out.
The fetch tells the connections which watchdog is its own through
:func:`watching` (one fetch per thread at a time).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from urllib3.connection import HTTPConnection, HTTPSConnection

from bots.i18n.message import msg
from bots.net.deadline import Deadline
from bots.net.errors import FetchError, format_seconds

_current = threading.local()


class Watchdog:
    """Closes the sockets of a fetch when its overall time is up.

    Socket timeouts only bound each single read; a server sending one byte
    per second would never trip them. Shutting the socket down from a timer
    makes the blocked read return at once. The caller's deadline caps
    whatever time is allowed, and cancelling that deadline fires the
    watchdog at once.
    """

    def __init__(self, seconds: float, deadline: Deadline | None = None):
        self.started = time.monotonic()
        self.fired = False
        #: a connection was made (the server accepted it)
        self.connected = False
        #: the connection in use was kept from an earlier fetch
        self.reused = False
        self._cap = None if deadline is None else self.started + deadline.remaining()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._done = False
        self._stop_listening: Callable[[], None] = lambda: None
        self.allow(seconds)
        if deadline is not None:
            self._stop_listening = deadline.on_cancel(self._fire)

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

    def watch(self, sock: socket.socket, *, reused: bool = False) -> None:
        with self._lock:
            self._sockets.append(sock)
            self.connected = True
            self.reused = reused
            fired = self.fired
        if fired:
            _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            if self._done:  # the fetch is over: its socket may serve another fetch now
                return
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def cancel(self) -> None:
        """The fetch is over: the timer stops and the sockets are left alone."""
        with self._lock:
            self._done = True
        if self._timer is not None:
            self._timer.cancel()
        self._stop_listening()


@contextmanager
def watching(watchdog: Watchdog) -> Iterator[None]:
    """Connections used by this thread in the block are watched by ``watchdog``."""
    previous = getattr(_current, "watchdog", None)
    _current.watchdog = watchdog
    try:
        yield
    finally:
        _current.watchdog = previous


def current_watchdog() -> Watchdog | None:
    dog: Watchdog | None = getattr(_current, "watchdog", None)
    return dog


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        dog = current_watchdog()
        if dog is not None:
            dog.watch(sock)
        return sock


class WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        dog = current_watchdog()
        if dog is not None:
            dog.watch(sock)
        return sock
