"""Deadlines and plain-words failures of the fetcher, against real loopback sockets.

A server that accepts and never answers, one that stops in the middle of a
body, a refused port, a reset: each must end by the caller's deadline (or
``sources.timeout``, whichever comes first) and be reported in words a
partner can read, never with Python's class names or reprs.
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import urllib3
from urllib3.util.ssl_match_hostname import CertificateError

from bots.net.deadline import Deadline, share
from bots.net.errors import FetchError, Kind, explain
from bots.net.fetch import Fetcher, FetchPolicy
from tests.support.http import LoopbackServer, SeenRequest
from tests.support.plainwords import assert_plain
from tests.support.rawserver import (
    RawServer,
    close_without_answer,
    garbage,
    mute,
    refused_port,
    reset,
    stall_after_headers,
)

#: the slack a deadline may overrun by: timers, thread switches, a busy machine
SLACK = 0.8


def fetcher(timeout: float = 30.0) -> Fetcher:
    return Fetcher(FetchPolicy(allow_private_addresses=True, timeout=timeout))


def timed(action: Callable[[], object]) -> tuple[FetchError, float]:
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        action()
    return caught.value, time.monotonic() - started


@pytest.fixture
def mute_server() -> Iterator[RawServer]:
    with RawServer(mute) as server:
        yield server


# --- a server that accepts and never answers -------------------------------------------


def test_a_mute_server_costs_no_more_than_the_deadline(mute_server: RawServer) -> None:
    """sources.timeout is 30 s here: the deadline of 1 s is what ends the wait."""
    error, elapsed = timed(
        lambda: fetcher(30).fetch_bytes(mute_server.url("/data.csv"), deadline=Deadline(1.0))
    )
    assert 0.9 <= elapsed < 1 + SLACK
    assert str(error) == (
        "the server at 127.0.0.1 accepted the connection but did not answer within 1 s"
    )
    assert mute_server.connections == 1


def test_a_mute_https_server_is_cut_in_the_handshake(mute_server: RawServer) -> None:
    url = f"https://127.0.0.1:{mute_server.port}/data.json"
    error, elapsed = timed(lambda: fetcher(30).fetch_bytes(url, deadline=Deadline(1.0)))
    assert elapsed < 1 + SLACK
    assert str(error) == (
        "the server at 127.0.0.1 accepted the connection but did not answer within 1 s"
    )


def test_a_mute_server_ends_at_the_source_timeout_when_that_comes_first(
    mute_server: RawServer,
) -> None:
    error, elapsed = timed(
        lambda: fetcher(0.5).fetch_bytes(mute_server.url("/data.csv"), deadline=Deadline(30))
    )
    assert 0.45 <= elapsed < 0.5 + SLACK
    assert str(error) == (
        "the server at 127.0.0.1 accepted the connection but did not answer within 0.5 s"
    )


def test_without_a_deadline_the_source_timeout_bounds_the_first_byte(
    mute_server: RawServer, tmp_path: Path
) -> None:
    """A media download gets a second per MiB of its limit, but not to wait for a first byte."""
    error, elapsed = timed(
        lambda: fetcher(0.5).fetch_to_file(mute_server.url("/big.tif"), tmp_path / "big.tif")
    )
    assert elapsed < 0.5 + SLACK
    assert "accepted the connection but did not answer within 0.5 s" in str(error)
    assert list(tmp_path.iterdir()) == []


def test_a_media_download_ends_at_the_deadline_whatever_its_size(
    mute_server: RawServer, tmp_path: Path
) -> None:
    """With the default limit the size allowance is over an hour; the deadline wins."""
    policy = FetchPolicy(allow_private_addresses=True, timeout=300)
    error, elapsed = timed(
        lambda: Fetcher(policy).fetch_to_file(
            mute_server.url("/huge.tif"), tmp_path / "huge.tif", deadline=Deadline(1.0)
        )
    )
    assert elapsed < 1 + SLACK
    assert "did not answer within 1 s" in str(error)


def test_a_deadline_already_past_fetches_nothing(mute_server: RawServer) -> None:
    error, elapsed = timed(
        lambda: fetcher().fetch_bytes(mute_server.url("/a.csv"), deadline=Deadline(0))
    )
    assert elapsed < 0.2
    assert str(error) == f"no time was left to fetch {mute_server.url('/a.csv')}"
    assert mute_server.connections == 0


# --- a body that stops coming ------------------------------------------------------------


def test_a_body_that_stalls_ends_at_the_source_timeout(tmp_path: Path) -> None:
    with RawServer(stall_after_headers(size=1_000_000, sent=1000)) as server:
        error, elapsed = timed(
            lambda: fetcher(0.5).fetch_to_file(server.url("/a.csv"), tmp_path / "a.csv")
        )
    assert 0.45 <= elapsed < 0.5 + SLACK
    assert str(error) == (
        f"the server at 127.0.0.1 stopped sending {server.url('/a.csv')} before the end: "
        "nothing arrived for 0.5 s"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_body_that_stalls_ends_at_the_deadline(tmp_path: Path) -> None:
    with RawServer(stall_after_headers()) as server:
        error, elapsed = timed(
            lambda: fetcher(30).fetch_to_file(
                server.url("/a.csv"), tmp_path / "a.csv", deadline=Deadline(1.0)
            )
        )
    assert 0.9 <= elapsed < 1 + SLACK
    assert str(error) == f"timed out after 1 s fetching {server.url('/a.csv')}"


def test_the_size_allowance_never_reaches_past_the_deadline(tmp_path: Path) -> None:
    """A large declared file trickling in: a second per MiB, but only up to the deadline."""

    def trickle(_: SeenRequest):
        def body() -> Iterator[bytes]:
            for _ in range(1000):
                time.sleep(0.05)
                yield b"z" * 100

        return 200, {"Content-Length": str(500 * 1024 * 1024)}, body()

    with LoopbackServer({"/big.tif": trickle}) as server:
        error, elapsed = timed(
            lambda: fetcher(30).fetch_to_file(
                server.url("/big.tif"), tmp_path / "big.tif", deadline=Deadline(1.0)
            )
        )
    assert 0.9 <= elapsed < 1 + SLACK
    assert str(error).startswith("timed out after 1 s fetching")


# --- refused, closed, reset, garbage, unknown names: plain words ----------------------------


def test_a_refused_connection_in_plain_words() -> None:
    port = refused_port()
    error, elapsed = timed(lambda: fetcher().fetch_bytes(f"http://127.0.0.1:{port}/a.csv"))
    assert elapsed < 1
    assert str(error) == (
        "could not connect to 127.0.0.1: the server refused the connection "
        f"(nothing is listening on port {port})"
    )
    assert_plain(str(error))


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        (mute, "the server at 127.0.0.1 accepted the connection but did not answer within 0.5 s"),
        (
            close_without_answer,
            "no usable answer from 127.0.0.1: the server closed the connection without answering",
        ),
        (reset, "no usable answer from 127.0.0.1: the server reset the connection"),
        (garbage, "no usable answer from 127.0.0.1: the server's answer is not valid HTTP"),
    ],
)
def test_servers_that_misbehave_are_described_in_plain_words(
    behaviour: Callable[..., None], expected: str
) -> None:
    with RawServer(behaviour) as server:
        error, elapsed = timed(lambda: fetcher(0.5).fetch_bytes(server.url("/a.csv")))
    assert str(error) == expected
    assert elapsed < 0.5 + SLACK
    assert_plain(str(error))


def test_an_unknown_host_name_in_plain_words() -> None:
    def resolve(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    policy = FetchPolicy(allow_private_addresses=True)
    with pytest.raises(FetchError) as caught:
        Fetcher(policy, resolve=resolve).fetch_bytes("http://nowhere.example/a.csv")
    assert str(caught.value) == (
        "the host name nowhere.example could not be resolved: no such host name is known"
    )


def test_a_resolver_that_hangs_ends_at_the_deadline() -> None:
    def resolve(host: str, port: int) -> list[str]:
        time.sleep(5)
        return ["127.0.0.1"]

    policy = FetchPolicy(allow_private_addresses=True)
    error, elapsed = timed(
        lambda: Fetcher(policy, resolve=resolve).fetch_bytes(
            "http://slow-dns.example/a.csv", deadline=Deadline(0.5)
        )
    )
    assert elapsed < 0.5 + SLACK
    assert str(error) == "the host name slow-dns.example could not be resolved within 0.5 s"


# --- every kind of error the libraries raise, as a table -----------------------------------


def _caused(outer: BaseException, cause: BaseException) -> BaseException:
    """``outer`` raised ``from cause``, as urllib3 does."""
    outer.__cause__ = cause
    return outer


def _cert_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] {message}")
    error.verify_code = code
    error.verify_message = message
    return error


def _ssl_error(reason: str) -> ssl.SSLError:
    error = ssl.SSLError(1, f"[SSL: {reason}] {reason.lower()} (_ssl.c:1006)")
    error.reason = reason
    return error


_CONN = object()
_POOL = urllib3.HTTPConnectionPool("127.0.0.1", 9)

ERROR_TABLE: list[tuple[str, BaseException, Kind, str]] = [
    (
        "refused",
        _caused(
            urllib3.exceptions.NewConnectionError(
                _CONN,  # type: ignore[arg-type]
                "Failed to establish a new connection: [Errno 111] Connection refused",
            ),
            ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
        ),
        Kind.REFUSED,
        "the server refused the connection",
    ),
    (
        "unknown name",
        _caused(
            urllib3.exceptions.NameResolutionError(
                "nowhere.example",
                _CONN,  # type: ignore[arg-type]
                socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
            ),
            socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
        ),
        Kind.NAME,
        "no such host name is known",
    ),
    (
        "name server down",
        socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"),
        Kind.NAME,
        "the name server did not answer (this may pass)",
    ),
    (
        "connect timeout",
        _caused(
            urllib3.exceptions.ConnectTimeoutError(_CONN, "Connection to x timed out."),
            TimeoutError("timed out"),
        ),
        Kind.CONNECT_TIMEOUT,
        "the server did not accept a connection",
    ),
    (
        "read timeout",
        _caused(
            urllib3.exceptions.ReadTimeoutError(_POOL, "/a.csv", "Read timed out."),
            TimeoutError("timed out"),
        ),
        Kind.READ_TIMEOUT,
        "the server did not answer in time",
    ),
    (
        "certificate expired",
        urllib3.exceptions.SSLError(_cert_error(10, "certificate has expired")),
        Kind.TLS,
        "the server's certificate has expired",
    ),
    (
        "certificate untrusted",
        urllib3.exceptions.SSLError(_cert_error(20, "unable to get local issuer certificate")),
        Kind.TLS,
        "the server's certificate is not issued by a trusted authority",
    ),
    (
        "certificate for another name",
        urllib3.exceptions.SSLError(CertificateError("hostname 'a' doesn't match 'b'")),
        Kind.TLS,
        "the server's certificate is for another host name",
    ),
    (
        "plain http on an https port",
        urllib3.exceptions.SSLError(_ssl_error("WRONG_VERSION_NUMBER")),
        Kind.TLS,
        "the server does not speak https on this port (an http address?)",
    ),
    (
        "handshake",
        urllib3.exceptions.SSLError(_ssl_error("SOMETHING_ELSE")),
        Kind.TLS,
        "the secure handshake failed",
    ),
    (
        "closed without answer",
        urllib3.exceptions.ProtocolError(
            "Connection aborted.",
            http.client.RemoteDisconnected("Remote end closed connection without response"),
        ),
        Kind.CLOSED,
        "the server closed the connection without answering",
    ),
    (
        "reset",
        urllib3.exceptions.ProtocolError(
            "Connection aborted.", ConnectionResetError(errno.ECONNRESET, "Connection reset")
        ),
        Kind.RESET,
        "the server reset the connection",
    ),
    (
        "unreachable",
        _caused(
            urllib3.exceptions.NewConnectionError(
                _CONN,  # type: ignore[arg-type]
                "Failed to establish a new connection: [Errno 101] Network is unreachable",
            ),
            OSError(errno.ENETUNREACH, "Network is unreachable"),
        ),
        Kind.UNREACHABLE,
        "the network has no route to the server",
    ),
    (
        "body cut off",
        urllib3.exceptions.ProtocolError(
            "Connection broken: IncompleteRead(10 bytes read, 90 more expected)",
            http.client.IncompleteRead(b"0123456789", 90),
        ),
        Kind.BROKEN_BODY,
        "the server ended the answer early",
    ),
    (
        "broken gzip",
        _caused(
            urllib3.exceptions.DecodeError("Received response with content-encoding: gzip"),
            zlib.error("Error -3 while decompressing data"),
        ),
        Kind.BROKEN_BODY,
        "the server's compressed data is broken",
    ),
    (
        "not http",
        urllib3.exceptions.ProtocolError(
            "Connection aborted.", http.client.BadStatusLine("garbage")
        ),
        Kind.PROTOCOL,
        "the server's answer is not valid HTTP",
    ),
    (
        "other system error",
        OSError(errno.ENOBUFS, "No buffer space available"),
        Kind.OTHER,
        "no buffer space available",
    ),
    (
        "anything else",
        ValueError("<object at 0x7f>"),
        Kind.OTHER,
        "an unexpected network error happened",
    ),
]


@pytest.mark.parametrize(
    ("error", "kind", "words"),
    [row[1:] for row in ERROR_TABLE],
    ids=[row[0] for row in ERROR_TABLE],
)
def test_every_error_kind_has_plain_words(error: BaseException, kind: Kind, words: str) -> None:
    failure = explain(error)
    assert (failure.kind, str(failure.words)) == (kind, words)
    assert_plain(str(failure.words))


def test_the_internals_check_catches_what_it_should() -> None:
    """The check above is only worth something if it fails on the old messages."""
    old = (
        "could not connect to 127.0.0.1 (_WatchedHTTPConnection(host='127.0.0.1', port=1): "
        "Failed to establish a new connection: [Errno 111] Connection refused)"
    )
    with pytest.raises(AssertionError):
        assert_plain(old)


# --- the share of a run's budget ---------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "requests", "expected"),
    [
        (60.0, 3, 20.0),  # evenly
        (60.0, 1, 60.0),  # the last request gets all that is left
        (10.0, 20, 2.0),  # never below the floor...
        (1.5, 3, 1.5),  # ...unless less than that is left
        (60.0, 0, 60.0),
    ],
)
def test_a_requests_share_of_the_budget(left: float, requests: int, expected: float) -> None:
    assert share(left, requests) == pytest.approx(expected)


def test_deadline_describes_itself() -> None:
    assert Deadline(1).describe() == "1 second"
    assert Deadline(1.62).describe() == "1.6 seconds"
    assert Deadline(45).describe() == "45 seconds"
    assert Deadline(600).describe() == "10 minutes"
