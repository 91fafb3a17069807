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

from bots.i18n.message import Message, msg


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
    words: Message

    @property
    def timed_out(self) -> bool:
        """The server was silent too long (as opposed to saying no)."""
        return self.kind in (Kind.CONNECT_TIMEOUT, Kind.READ_TIMEOUT)

    @property
    def before_connecting(self) -> bool:
        """No connection was made: the words follow "could not connect to HOST"."""
        return self.kind in (Kind.REFUSED, Kind.CONNECT_TIMEOUT, Kind.NAME, Kind.UNREACHABLE)


#: certificate verification codes (OpenSSL's X509_V_ERR_*) in words
_CERTIFICATE_WORDS: dict[int, Message] = {
    9: msg("hubbot-net-cert-not-yet-valid"),
    10: msg("hubbot-net-cert-expired"),
    18: msg("hubbot-net-cert-self-signed"),
    19: msg("hubbot-net-cert-untrusted-chain"),
    20: msg("hubbot-net-cert-untrusted"),
    21: msg("hubbot-net-cert-untrusted"),
    23: msg("hubbot-net-cert-revoked"),
    62: msg("hubbot-net-cert-other-host"),
}

#: OpenSSL's reasons for a failed handshake, in words
_TLS_WORDS: dict[str, Message] = {
    "WRONG_VERSION_NUMBER": msg("hubbot-net-tls-no-https"),
    "UNSUPPORTED_PROTOCOL": msg("hubbot-net-tls-outdated"),
    "TLSV1_ALERT_PROTOCOL_VERSION": msg("hubbot-net-tls-outdated"),
    "UNEXPECTED_EOF_WHILE_READING": msg("hubbot-net-tls-closed"),
    "SSLV3_ALERT_HANDSHAKE_FAILURE": msg("hubbot-net-tls-no-cipher"),
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
    return NetworkFailure(Kind.OTHER, msg("hubbot-net-unexpected"))


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
        words = _CERTIFICATE_WORDS.get(cause.verify_code, msg("hubbot-net-cert-unverified"))
        return NetworkFailure(Kind.TLS, words)
    if isinstance(cause, CertificateError):
        return NetworkFailure(Kind.TLS, _CERTIFICATE_WORDS[62])
    return None


def _timeout(cause: BaseException) -> NetworkFailure | None:
    # urllib3 derives its "could not connect" errors from its connect timeout
    if isinstance(cause, urllib3.exceptions.NewConnectionError):
        return None
    if isinstance(cause, urllib3.exceptions.ConnectTimeoutError):
        return NetworkFailure(Kind.CONNECT_TIMEOUT, msg("hubbot-net-connect-timeout"))
    if isinstance(cause, urllib3.exceptions.ReadTimeoutError | TimeoutError | socket.timeout):
        return NetworkFailure(Kind.READ_TIMEOUT, msg("hubbot-net-read-timeout"))
    return None


def _tls(cause: BaseException) -> NetworkFailure | None:
    if not isinstance(cause, ssl.SSLError):
        return None
    reason = str(getattr(cause, "reason", "") or "")
    return NetworkFailure(Kind.TLS, _TLS_WORDS.get(reason, msg("hubbot-net-tls-failed")))


def _name(cause: BaseException) -> NetworkFailure | None:
    if not isinstance(cause, socket.gaierror):
        return None
    if cause.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
        return NetworkFailure(Kind.NAME, msg("hubbot-net-no-such-host"))
    if cause.errno == socket.EAI_AGAIN:
        return NetworkFailure(Kind.NAME, msg("hubbot-net-name-server-silent"))
    return NetworkFailure(Kind.NAME, msg("hubbot-net-name-lookup-failed"))


def _connection(cause: BaseException) -> NetworkFailure | None:
    # RemoteDisconnected is a ConnectionResetError too: it goes first
    if isinstance(cause, http.client.RemoteDisconnected):
        return NetworkFailure(Kind.CLOSED, msg("hubbot-net-closed-without-answer"))
    if isinstance(cause, ConnectionRefusedError):
        return NetworkFailure(Kind.REFUSED, msg("hubbot-net-refused"))
    if isinstance(cause, ConnectionResetError):
        return NetworkFailure(Kind.RESET, msg("hubbot-net-reset"))
    if isinstance(cause, ConnectionAbortedError):
        return NetworkFailure(Kind.RESET, msg("hubbot-net-aborted"))
    if isinstance(cause, BrokenPipeError):
        return NetworkFailure(Kind.CLOSED, msg("hubbot-net-closed"))
    if isinstance(cause, OSError) and cause.errno in _UNREACHABLE:
        return NetworkFailure(Kind.UNREACHABLE, msg("hubbot-net-unreachable"))
    return None


def _body(cause: BaseException) -> NetworkFailure | None:
    if isinstance(cause, http.client.IncompleteRead):
        return NetworkFailure(Kind.BROKEN_BODY, msg("hubbot-net-ended-early"))
    if isinstance(cause, urllib3.exceptions.DecodeError):
        return NetworkFailure(Kind.BROKEN_BODY, msg("hubbot-net-broken-compression"))
    return None


def _protocol(cause: BaseException) -> NetworkFailure | None:
    if isinstance(cause, http.client.HTTPException | urllib3.exceptions.ProtocolError):
        return NetworkFailure(Kind.PROTOCOL, msg("hubbot-net-not-http"))
    return None


def _os_words(cause: BaseException) -> NetworkFailure | None:
    """Any other system error, by the operating system's own description."""
    if isinstance(cause, OSError) and cause.strerror:
        words = cause.strerror[:1].lower() + cause.strerror[1:]
        return NetworkFailure(Kind.OTHER, Message.verbatim(words))  # the system's own words
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
