"""Loopback servers that misbehave below HTTP, for the fetcher's time and error tests.

A real HTTP server cannot be told to accept a connection and then say
nothing, or to stop in the middle of a body, or to reset the connection: a
plain socket can. Each :class:`RawServer` listens on a free loopback port
and treats every connection with one behaviour:

- :func:`mute`: accepts, reads the request and never answers;
- :func:`stall_after_headers`: answers the headers and part of the body, then
  nothing more (the connection stays open);
- :func:`close_without_answer`: reads the request and closes;
- :func:`reset`: reads the request and resets the connection (TCP RST);
- :func:`garbage`: answers something that is not HTTP.

:func:`refused_port` gives a loopback port nothing listens on.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from types import TracebackType

Behaviour = Callable[[socket.socket, threading.Event], None]


def _read_request(conn: socket.socket) -> None:
    data = b""
    conn.settimeout(5)
    try:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
    except OSError:
        return


def mute(conn: socket.socket, stop: threading.Event) -> None:
    _read_request(conn)
    stop.wait()


def stall_after_headers(size: int = 1_000_000, sent: int = 1000) -> Behaviour:
    def behave(conn: socket.socket, stop: threading.Event) -> None:
        _read_request(conn)
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {size}\r\n\r\n"
        conn.sendall(head.encode() + b"x" * sent)
        stop.wait()

    return behave


def close_without_answer(conn: socket.socket, stop: threading.Event) -> None:
    _read_request(conn)


def reset(conn: socket.socket, stop: threading.Event) -> None:
    _read_request(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def garbage(conn: socket.socket, stop: threading.Event) -> None:
    _read_request(conn)
    conn.sendall(b"this is not HTTP at all\r\n\r\n")


class RawServer:
    """Listens on 127.0.0.1; every connection gets ``behaviour`` in a thread of its own."""

    def __init__(self, behaviour: Behaviour):
        self.behaviour = behaviour
        self.connections = 0
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.05)
        self.port = int(self._listener.getsockname()[1])
        self._threads: list[threading.Thread] = []

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> RawServer:
        accepting = threading.Thread(target=self._accept, daemon=True)
        accepting.start()
        self._threads.append(accepting)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            worker.start()
            self._threads.append(worker)

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                self.behaviour(conn, self._stop)
            except OSError:
                pass


def refused_port() -> int:
    """A loopback port that nothing listens on (so a connection is refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
