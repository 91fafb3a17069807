"""Connections to partners' servers, kept open between fetches: one pool per host and address.

A run downloads hundreds of files from the same museum server; opening a
new connection (and, over HTTPS, a new TLS session) for each one costs a
round trip or three per file. A pool belongs to one checked address of one
host name (the address the fetcher resolved and judged, the name it sends in
``Host`` and TLS SNI), so keeping connections open never bypasses a check:
a connection only ever goes to an address that was checked for the host
name it serves, and every fetch checks its host's addresses anew.

Each connection used by a fetch is watched by that fetch's watchdog
(:mod:`bots.net.watchdog`), whether the pool makes it or hands out a kept one.
"""

from __future__ import annotations

import threading
from typing import Any

import urllib3
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from bots.net.watchdog import WatchedHTTPConnection, WatchedHTTPSConnection, current_watchdog

#: Connections kept per pool; more may be open at once, the extra ones are closed after use.
KEPT_PER_POOL = 8


def _watch_kept(conn: Any) -> Any:
    dog = current_watchdog()
    if dog is not None and getattr(conn, "sock", None) is not None:
        dog.watch(conn.sock, reused=True)
    return conn


class WatchedPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        return _watch_kept(super()._get_conn(timeout))


class WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        return _watch_kept(super()._get_conn(timeout))


class Pools:
    """The fetcher's pools, by scheme, host name, port and checked address; thread-safe."""

    def __init__(self, ca_certs: str | None) -> None:
        self._ca_certs = ca_certs
        self._pools: dict[tuple[str, str, int, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, scheme: str, host: str, port: int, address: str) -> Any:
        key = (scheme, host, port, address)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = self._new(scheme, host, port, address)
            return pool

    def _new(self, scheme: str, host: str, port: int, address: str) -> Any:
        if scheme == "https":
            return WatchedHTTPSPool(
                host=address,
                port=port,
                maxsize=KEPT_PER_POOL,
                retries=False,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self._ca_certs,
                assert_hostname=host,
                server_hostname=host,
            )
        return WatchedPool(host=address, port=port, maxsize=KEPT_PER_POOL, retries=False)

    def close(self) -> None:
        """Close every kept connection (the pools stay usable and open new ones)."""
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
        for pool in pools:
            pool.close()


def finish(response: Any, *, complete: bool) -> None:
    """Hand a response's connection back when its body was read to the end, else close it.

    A connection whose answer was cut short (a limit, a timeout, an error)
    still holds unread bytes, so it is never used again.
    """
    if response is None:
        return
    if not complete:
        response.close()
    response.release_conn()  # urllib3 may have done so already at the end of the body


__all__ = ["KEPT_PER_POOL", "Pools", "WatchedHTTPSPool", "WatchedPool", "finish", "urllib3"]
