"""Network failures in plain words, for status pages a partner reads.

The exceptions that urllib3, http.client, ssl and socket raise print Python
class names, reprs and error numbers (``_WatchedHTTPConnection(host=...)``,
``[Errno 111]``, ``(_ssl.c:1006)``) that tell a partner nothing. :func:`explain`
walks an exception's chain to the cause that says what happened and returns
a :class:`NetworkFailure`: a kind the fetcher decides on (a timeout is told
apart from a refusal) and words for it. The fetcher adds the host name and
the time waited; nothing of the exception's own text reaches a message
except the operating system's description of an unusual error.
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

import urllib3
from urllib3.util.ssl_match_hostname import CertificateError

from bots.i18n.message import Message


class Kind(Enum):
    REFUSED = "refused"
    CONNECT_TIMEOUT = "connect timeout"
    READ_TIMEOUT = "read timeout"
    NAME = "name"
    TLS = "tls"
    CLOSED = "closed"
    RESET = "reset"
    UNREACHABLE = "unreachable"
    BROKEN_BODY = "broken body"
    PROTOCOL = "protocol"
    OTHER = "other"


@dataclass(frozen=True)
class NetworkFailure:
    """What went wrong on the network, in words that fit after a colon."""

    kind: Kind
    words: str

    @property
    def timed_out(self) -> bool:
        """The server was silent too long (as opposed to saying no)."""
        return self.kind in (Kind.CONNECT_TIMEOUT, Kind.READ_TIMEOUT)

    @property
    def before_connecting(self) -> bool:
        """No connection was made: the words follow "could not connect to HOST"."""
        return self.kind in (Kind.REFUSED, Kind.CONNECT_TIMEOUT, Kind.NAME, Kind.UNREACHABLE)


#: certificate verification codes (OpenSSL's X509_V_ERR_*) in words
_CERTIFICATE_WORDS = {
    9: "the server's certificate is not valid yet",
    10: "the server's certificate has expired",
    18: "the server's certificate is self-signed, not issued by a trusted authority",
    19: "the server's certificate chain ends in an untrusted authority",
    20: "the server's certificate is not issued by a trusted authority",
    21: "the server's certificate is not issued by a trusted authority",
    23: "the server's certificate has been revoked",
    62: "the server's certificate is for another host name",
}

#: OpenSSL's reasons for a failed handshake, in words
_TLS_WORDS = {
    "WRONG_VERSION_NUMBER": "the server does not speak https on this port (an http address?)",
    "UNSUPPORTED_PROTOCOL": "the server offers only an outdated version of TLS",
    "TLSV1_ALERT_PROTOCOL_VERSION": "the server offers only an outdated version of TLS",
    "UNEXPECTED_EOF_WHILE_READING": "the server closed the connection during the handshake",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "the server and the bot have no encryption method in common",
}

_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}


def explain(error: BaseException) -> NetworkFailure:
    """The failure behind ``error``, however deeply the libraries wrapped it."""
    chain = list(_chain(error))
    for check in _CHECKS:
        for cause in chain:
            found = check(cause)
            if found is not None:
                return found
    return NetworkFailure(Kind.OTHER, "an unexpected network error happened")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and every exception it wraps, outermost first, each once."""
    seen: set[int] = set()
    queue: list[BaseException | None] = [error]
    while queue:
        current = queue.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        queue += [current.__cause__, current.__context__]
        queue += [arg for arg in current.args if isinstance(arg, BaseException)]
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            queue.append(reason)


def _certificate(cause: BaseException) -> NetworkFailure | None:
    if isinstance(cause, ssl.SSLCertVerificationError):
        words = _CERTIFICATE_WORDS.get(
            cause.verify_code, "the server's certificate could not be verified"
        )
        return NetworkFailure(Kind.TLS, words)
    if isinstance(cause, CertificateError):
        return NetworkFailure(Kind.TLS, _CERTIFICATE_WORDS[62])
    return None


def _timeout(cause: BaseException) -> NetworkFailure | None:
    # urllib3 derives its "could not connect" errors from its connect timeout
    if isinstance(cause, urllib3.exceptions.NewConnectionError):
        return None
    if isinstance(cause, urllib3.exceptions.ConnectTimeoutError):
        return NetworkFailure(Kind.CONNECT_TIMEOUT, "the server did not accept a connection")
    if isinstance(cause, urllib3.exceptions.ReadTimeoutError | TimeoutError | socket.timeout):
        return NetworkFailure(Kind.READ_TIMEOUT, "the server did not answer in time")
    return None


def _tls(cause: BaseException) -> NetworkFailure | None:
    if not isinstance(cause, ssl.SSLError):
        return None
    reason = str(getattr(cause, "reason", "") or "")
    return NetworkFailure(Kind.TLS, _TLS_WORDS.get(reason, "the secure handshake failed"))


def _name(cause: BaseException) -> NetworkFailure | None:
    if not isinstance(cause, socket.gaierror):
        return None
    if cause.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
        return NetworkFailure(Kind.NAME, "no such host name is known")
    if cause.errno == socket.EAI_AGAIN:
        return NetworkFailure(Kind.NAME, "the name server did not answer (this may pass)")
    return NetworkFailure(Kind.NAME, "the name could not be looked up")


def _connection(cause: BaseException) -> NetworkFailure | None:
    # RemoteDisconnected is a ConnectionResetError too: it goes first
    if isinstance(cause, http.client.RemoteDisconnected):
        return NetworkFailure(Kind.CLOSED, "the server closed the connection without answering")
    if isinstance(cause, ConnectionRefusedError):
        return NetworkFailure(Kind.REFUSED, "the server refused the connection")
    if isinstance(cause, ConnectionResetError):
        return NetworkFailure(Kind.RESET, "the server reset the connection")
    if isinstance(cause, ConnectionAbortedError):
        return NetworkFailure(Kind.RESET, "the connection was aborted")
    if isinstance(cause, BrokenPipeError):
        return NetworkFailure(Kind.CLOSED, "the server closed the connection")
    if isinstance(cause, OSError) and cause.errno in _UNREACHABLE:
        return NetworkFailure(Kind.UNREACHABLE, "the network has no route to the server")
    return None


def _body(cause: BaseException) -> NetworkFailure | None:
    if isinstance(cause, http.client.IncompleteRead):
        return NetworkFailure(Kind.BROKEN_BODY, "the server ended the answer early")
    if isinstance(cause, urllib3.exceptions.DecodeError):
        return NetworkFailure(Kind.BROKEN_BODY, "the server's compressed data is broken")
    return None


def _protocol(cause: BaseException) -> NetworkFailure | None:
    if isinstance(cause, http.client.HTTPException | urllib3.exceptions.ProtocolError):
        return NetworkFailure(Kind.PROTOCOL, "the server's answer is not valid HTTP")
    return None


def _os_words(cause: BaseException) -> NetworkFailure | None:
    """Any other system error, by the operating system's own description."""
    if isinstance(cause, OSError) and cause.strerror:
        return NetworkFailure(Kind.OTHER, cause.strerror[:1].lower() + cause.strerror[1:])
    return None


#: most telling first: a certificate problem is also an ssl.SSLError, an
#: unanswered read also shows up as a closed socket, and so on
_CHECKS = (_certificate, _timeout, _tls, _name, _connection, _body, _protocol, _os_words)


class FetchError(Exception):
    """A fetch that cannot be done, in words a partner or operator can act on."""

    def __init__(
        self, message: Message | str, *, url: str | None = None, status: int | None = None
    ):
        self.message = message if isinstance(message, Message) else Message.verbatim(message)
        super().__init__(str(self.message))
        self.url = url
        #: the HTTP status when the server answered with an error
        self.status = status

    def __str__(self) -> str:
        return str(self.message)


class FileTooLarge(FetchError):
    """The body is larger than the limit the caller set."""

    def __init__(self, message: Message | str, *, url: str | None = None, limit: int):
        super().__init__(message, url=url)
        self.limit = limit


def human_size(size: int) -> str:
    """``52428800`` -> ``50 MB`` (binary units, as operators configure them)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            if unit == "bytes":
                return f"{int(value)} bytes"
            text = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{text} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def format_seconds(seconds: float) -> str:
    if seconds >= 10:
        return f"{round(seconds)} s"
    return f"{seconds:.1f}".rstrip("0").rstrip(".") + " s"
