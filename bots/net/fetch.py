"""The one door through which the bot reads anything a partner points it at.

A request page lets anyone name a URL, and the bot runs inside a cloud
network, so a careless fetch could read internal services (server-side
request forgery), fill the disk, or hang a scheduled run. Every partner URL
therefore goes through :class:`Fetcher`, which:

- accepts only ``http`` and ``https``, and only hosts in ``allow_hosts`` when
  that list is not empty (a listed host also admits its subdomains);
- resolves the host name itself, refuses the fetch when *any* address is
  loopback, private, link-local, multicast, reserved, unspecified or otherwise
  not public (IPv4-mapped, 6to4 and NAT64 IPv6 addresses are judged by the
  IPv4 address inside), unless ``allow_private_addresses`` is set;
- connects to the address it checked (never resolving again, so DNS rebinding
  cannot swap it), while sending the real host name in the ``Host`` header
  and in TLS SNI and verifying the certificate against that name;
- follows at most 5 redirects itself, checking every hop the same way;
- enforces the size limit while streaming (``Content-Length`` first when the
  body is not compressed) and one overall time limit per fetch, with a
  watchdog that closes the socket when the time is up even if the server
  trickles bytes;
- ends every fetch by the caller's :class:`~bots.net.deadline.Deadline` (a run's
  time budget, or a request's share of it), whatever the other limits allow:
  a server that accepts the connection and never answers costs no more;
- says what went wrong in plain words (:mod:`bots.net.errors`), never
  with Python's class names or reprs.

Three bounds apply to every fetch, the tightest winning: each single wait
(for the connection, the first byte, the next byte) is at most
``sources.timeout``; the whole fetch is at most ``sources.timeout`` for a
document, plus a second per MiB of the declared size (or of the limit) for
a streamed file; and nothing runs past the deadline.

Plain urllib3 connection pools do the HTTP work: they let us pin the address
per connection without patching requests' adapters, and they ignore proxy
environment variables, which would otherwise bypass the address checks.
Connections stay open between fetches, one pool per host name and checked
address (:mod:`bots.net.pools`); the fetcher may be used by several threads
at once.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3

from bots.i18n.message import Message, msg
from bots.net.addresses import Target, classify_address, host_allowed, parse_target, system_resolver
from bots.net.deadline import Deadline
from bots.net.errors import (
    FetchError,
    FileTooLarge,
    Kind,
    NetworkFailure,
    explain,
    format_seconds,
    human_size,
)
from bots.net.pools import KEPT_PER_POOL, Pools, finish
from bots.net.validators import NotModified, Validators
from bots.net.watchdog import Watchdog, watching

try:  # requests depends on certifi; fall back to the system store without it
    import certifi

    _DEFAULT_CA_CERTS: str | None = certifi.where()
except ImportError:  # pragma: no cover
    _DEFAULT_CA_CERTS = None

MAX_REDIRECTS = 5
CHUNK_SIZE = 64 * 1024
#: Streamed files get ``timeout`` plus one second per MiB of their size (the
#: declared length, else the limit): a slow partner server may take a while
#: for a large TIFF, but not forever.
MIN_BYTES_PER_SECOND = 1024 * 1024
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

#: host, port -> the addresses the name resolves to (IP address strings)
Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True, kw_only=True)
class FetchPolicy:
    """What the bot may fetch (the ``sources`` configuration keys)."""

    allow_hosts: tuple[str, ...] = ()
    allow_private_addresses: bool = False
    max_metadata_bytes: int = 52428800
    max_file_bytes: int = 5368709120
    timeout: float = 30.0
    user_agent: str = "hubbot/0.1 (Content Partnerships Hub bots)"

    @classmethod
    def from_config(cls, sources: Any, *, user_agent: str, timeout: float = 30.0) -> FetchPolicy:
        """Build from an object with the ``sources`` keys as attributes."""
        return cls(
            allow_hosts=tuple(sources.allow_hosts),
            allow_private_addresses=bool(sources.allow_private_addresses),
            max_metadata_bytes=int(sources.max_metadata_bytes),
            max_file_bytes=int(sources.max_file_bytes),
            timeout=timeout,
            user_agent=user_agent,
        )


@dataclass(frozen=True)
class FetchResult:
    """A body saved to disk, with the hashes the uploader and preview need."""

    path: Path
    size: int
    sha1: str
    sha256: str
    content_type: str | None  # the media type only, lower case, no parameters
    final_url: str  # after redirects
    #: what the server said identifies this version of the file ("" when it said nothing)
    validators: Validators | None = None


# --- the stream --------------------------------------------------------------


@dataclass
class FetchStream:
    """An open response body, read in chunks within the size and time limits."""

    url: str  # the final URL, after redirects
    content_type: str | None
    content_length: int | None
    limit: int
    _response: Any = field(repr=False)
    _watchdog: Watchdog = field(repr=False)
    #: the final URL's host name, for messages
    host: str = ""
    #: the longest wait for the next bytes (seconds)
    read_timeout: float = 0.0
    bytes_read: int = 0
    #: the body was read to its end without a fault: the connection may serve again
    complete: bool = False
    validators: Validators | None = None

    def chunks(self, size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """The body in chunks; raises :class:`FetchError` past a limit."""
        try:
            while True:
                self._watchdog.check(self.url)
                chunk = self._response.read(size)
                if not chunk:
                    break
                self.bytes_read += len(chunk)
                if self.bytes_read > self.limit:
                    raise _too_large(self.url, self.limit)
                yield chunk
        except FetchError:
            raise
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise self._broken(error) from None
        # A socket shut down by the watchdog can look like a normal end.
        if self._watchdog.fired:
            raise self._watchdog.error(self.url)
        if self.content_length is not None and self.bytes_read < self.content_length:
            raise FetchError(
                msg(
                    "hubbot-fetch-short-body",
                    str(self.bytes_read),
                    str(self.content_length),
                    self.url,
                ),
                url=self.url,
            )
        self.complete = True

    def read_all(self) -> bytes:
        return b"".join(self.chunks())

    def _broken(self, error: BaseException) -> FetchError:
        """Why reading the body failed, in words."""
        if self._watchdog.fired or self._watchdog.remaining() <= 0:
            return self._watchdog.error(self.url)
        failure = explain(error)
        if failure.timed_out:
            seconds = format_seconds(self.read_timeout)
            return FetchError(
                msg("hubbot-fetch-stalled", self.host, self.url, seconds), url=self.url
            )
        return FetchError(msg("hubbot-fetch-broken", self.url, failure.words), url=self.url)


def _too_large(url: str, limit: int) -> FileTooLarge:
    return FileTooLarge(msg("hubbot-fetch-too-large", url, human_size(limit)), url=url, limit=limit)


# --- the fetcher -------------------------------------------------------------


class Fetcher:
    """Fetches partner URLs under a :class:`FetchPolicy`.

    ``resolve`` replaces the system resolver (tests use it to point a made-up
    host name at a loopback server); ``ca_certs`` replaces the certificate
    bundle (tests use a throwaway certificate authority).
    """

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        resolve: Resolver | None = None,
        ca_certs: str | None = None,
    ):
        self.policy = policy
        self._resolve = resolve or system_resolver
        self._pools = Pools(ca_certs or _DEFAULT_CA_CERTS)

    def close(self) -> None:
        """Close the connections kept open; the fetcher stays usable."""
        self._pools.close()

    # public API

    @contextmanager
    def open(
        self,
        url: str,
        *,
        limit: int | None = None,
        accept: str | None = None,
        timeout: float | None = None,
        deadline: Deadline | None = None,
        unless: Validators | None = None,
    ) -> Iterator[FetchStream]:
        """Open ``url`` for streaming; the body is read with ``stream.chunks()``.

        ``limit`` defaults to ``max_file_bytes``. ``timeout`` bounds the whole
        fetch, from resolving the name to the last byte; by default it is the
        policy's timeout plus a second per MiB of the declared length (or of
        the limit when no length is declared). Every single read is bounded
        by the policy's timeout in any case, and nothing goes on past
        ``deadline``. With ``unless``, the request is conditional: a server
        that says the file is still that version raises :class:`NotModified`.
        """
        limit = self.policy.max_file_bytes if limit is None else limit
        if deadline is not None and deadline.expired():
            raise FetchError(msg("hubbot-fetch-no-time", url), url=url)
        scaled = timeout is None
        watchdog = Watchdog(
            self.policy.timeout + limit / MIN_BYTES_PER_SECOND if timeout is None else timeout,
            deadline,
        )
        response = stream = None
        try:
            response, read_timeout, final_url = self._get(
                url, accept=accept, watchdog=watchdog, unless=unless
            )
            length = _content_length(response)
            encoded = response.headers.get("Content-Encoding", "identity").lower()
            if length is not None and length > limit and encoded in ("", "identity"):
                raise _too_large(final_url, limit)
            if scaled and length is not None and encoded in ("", "identity"):
                watchdog.allow(self.policy.timeout + length / MIN_BYTES_PER_SECOND)
            stream = FetchStream(
                url=final_url,
                content_type=_media_type(response.headers.get("Content-Type")),
                content_length=length if encoded in ("", "identity") else None,
                limit=limit,
                _response=response,
                _watchdog=watchdog,
                host=urlsplit(final_url).hostname or "",
                read_timeout=read_timeout,
                validators=Validators.of(response.headers),
            )
            yield stream
        finally:
            watchdog.cancel()
            finish(response, complete=stream is not None and stream.complete)

    def fetch_bytes(
        self,
        url: str,
        *,
        limit: int | None = None,
        accept: str | None = None,
        timeout: float | None = None,
        deadline: Deadline | None = None,
    ) -> bytes:
        """A small document in memory; ``limit`` defaults to ``max_metadata_bytes``.

        ``timeout`` (the whole fetch) defaults to the policy's timeout;
        ``deadline`` cuts it shorter.
        """
        limit = self.policy.max_metadata_bytes if limit is None else limit
        timeout = self.policy.timeout if timeout is None else timeout
        with self.open(
            url, limit=limit, accept=accept, timeout=timeout, deadline=deadline
        ) as stream:
            return stream.read_all()

    def fetch_to_file(
        self,
        url: str,
        dest: Path,
        *,
        limit: int | None = None,
        accept: str | None = None,
        timeout: float | None = None,
        deadline: Deadline | None = None,
        unless: Validators | None = None,
    ) -> FetchResult:
        """Stream ``url`` into ``dest`` (never whole in memory), with its hashes.

        The body goes to a temporary file beside ``dest`` and is renamed only
        when complete, so a failed fetch never leaves a partial file behind.
        ``limit``, ``timeout``, ``deadline`` and ``unless`` work as for :meth:`open`.
        """
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.{os.getpid()}.{threading.get_ident()}.part")
        sha1 = hashlib.sha1()
        sha256 = hashlib.sha256()
        size = 0
        try:
            with self.open(
                url, limit=limit, accept=accept, timeout=timeout, deadline=deadline, unless=unless
            ) as stream:
                with partial.open("wb") as out:
                    for chunk in stream.chunks():
                        out.write(chunk)
                        sha1.update(chunk)
                        sha256.update(chunk)
                        size += len(chunk)
                final_url, content_type = stream.url, stream.content_type
                validators = stream.validators
            partial.replace(dest)
        finally:
            partial.unlink(missing_ok=True)
        return FetchResult(
            path=dest,
            size=size,
            sha1=sha1.hexdigest(),
            sha256=sha256.hexdigest(),
            content_type=content_type,
            final_url=final_url,
            validators=validators,
        )

    def check_url(self, url: str) -> list[str]:
        """Apply every rule to ``url`` without fetching; return the checked addresses."""
        target = self._check_target(url)
        watchdog = Watchdog(self.policy.timeout)
        try:
            return self._checked_addresses(target, watchdog)
        finally:
            watchdog.cancel()

    # the steps

    def _check_target(self, url: str) -> Target:
        target = parse_target(url)
        if not host_allowed(target.host, self.policy.allow_hosts):
            listed = ", ".join(self.policy.allow_hosts)
            raise FetchError(msg("hubbot-fetch-host-not-allowed", target.host, listed), url=url)
        return target

    def _checked_addresses(self, target: Target, watchdog: Watchdog) -> list[str]:
        addresses = _resolve_in_time(self._resolve, target, watchdog)
        if not addresses:
            raise FetchError(msg("hubbot-fetch-no-address", target.host), url=target.url)
        if not self.policy.allow_private_addresses:
            for address in addresses:
                kind = classify_address(address)
                if kind is not None:
                    message = (
                        msg("hubbot-fetch-private-address", address, address_kind(kind))
                        if address == target.host
                        else msg(
                            "hubbot-fetch-private-address-of",
                            address,
                            address_kind(kind),
                            target.host,
                        )
                    )
                    raise FetchError(message, url=target.url)
        return addresses

    def _get(
        self, url: str, *, accept: str | None, watchdog: Watchdog, unless: Validators | None
    ) -> tuple[Any, float, str]:
        """GET with redirects followed by hand; a 2xx response, unread, its read timeout, its URL."""
        current = url
        headers = {"Accept": accept or "*/*", **(unless.headers() if unless else {})}
        for _hop in range(MAX_REDIRECTS + 1):
            target = self._check_target(current)
            addresses = self._checked_addresses(target, watchdog)
            response, per_read = self._request(target, addresses, headers, watchdog=watchdog)
            status = response.status
            if status == 304 and unless is not None:
                finish(response, complete=True)  # a 304 has no body
                raise NotModified(target.url)
            if status in _REDIRECT_STATUSES:
                location = response.headers.get("Location")
                finish(response, complete=False)
                if not location:
                    raise FetchError(
                        msg("hubbot-fetch-redirect-nowhere", target.url),
                        url=target.url,
                        status=status,
                    )
                current = urljoin(target.url, location.strip())
                continue
            if status >= 400 or status < 200:
                finish(response, complete=False)
                phrase = _status_phrase(status, response)
                raise FetchError(
                    msg("hubbot-fetch-http-error", str(status), phrase, target.url),
                    url=target.url,
                    status=status,
                )
            return response, per_read, target.url
        raise FetchError(msg("hubbot-fetch-redirect-loop", url, MAX_REDIRECTS), url=url)

    def _request(
        self, target: Target, addresses: list[str], sent: dict[str, str], *, watchdog: Watchdog
    ) -> tuple[Any, float]:
        """The first address that answers; a kept connection the server had closed is retried."""
        headers = {
            "Host": target.host_header,
            "User-Agent": self.policy.user_agent,
            "Accept-Encoding": "gzip, deflate",
            **sent,
        }
        last: NetworkFailure | None = None
        per_read = self.policy.timeout
        for address in addresses:
            pool = self._pools.get(target.scheme, target.host, target.port, address)
            for _kept in range(KEPT_PER_POOL + 1):
                watchdog.check(target.url)
                watchdog.connected = watchdog.reused = False  # not accepted yet
                per_read = max(0.001, min(self.policy.timeout, watchdog.remaining()))
                try:
                    with watching(watchdog):
                        response = pool.urlopen(
                            "GET",
                            target.path,
                            headers=headers,
                            redirect=False,
                            retries=False,
                            timeout=urllib3.Timeout(connect=per_read, read=per_read),
                            preload_content=False,
                            decode_content=True,
                            assert_same_host=False,
                            release_conn=False,
                        )
                    return response, per_read
                except urllib3.exceptions.HTTPError as error:
                    last = explain(error)
                    if (
                        watchdog.reused
                        and not watchdog.fired
                        and last.kind is not Kind.READ_TIMEOUT
                    ):
                        continue  # the server closed a kept connection: a new one
                    ended = _unanswered(target, last, watchdog, per_read)
                    if ended is not None:
                        raise ended from None
                    break
        raise _not_connected(target, last, per_read)


def _resolve_in_time(resolve: Resolver, target: Target, watchdog: Watchdog) -> list[str]:
    """Resolve in a helper thread, because getaddrinfo has no timeout."""
    result: list[list[str]] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(resolve(target.host, target.port))
        except BaseException as error:  # handed to the caller below
            failure.append(error)

    worker = threading.Thread(target=work, daemon=True, name="hubbot-resolve")
    worker.start()
    worker.join(max(0.0, watchdog.remaining()))
    if worker.is_alive():
        watchdog.fired = True
        seconds = format_seconds(watchdog.seconds)
        raise FetchError(msg("hubbot-fetch-resolve-slow", target.host, seconds), url=target.url)
    if failure:
        error = failure[0]
        if isinstance(error, FetchError):
            raise error
        raise FetchError(
            msg("hubbot-fetch-resolve-failed", target.host, explain(error).words),
            url=target.url,
        )
    return result[0]


def _unanswered(
    target: Target, failure: NetworkFailure, watchdog: Watchdog, waited: float
) -> FetchError | None:
    """Why a request got no answer; None when the host's next address may be tried.

    ``waited`` is the longest single wait that was allowed. A connection
    that was refused, could not be routed or was not accepted in time lets
    the fetcher try the next address, unless the time is up; anything that
    goes wrong after connecting ends the fetch.
    """
    out_of_time = watchdog.fired or watchdog.remaining() <= 0
    seconds = format_seconds(watchdog.seconds if out_of_time else waited)
    if failure.kind is Kind.READ_TIMEOUT or (out_of_time and watchdog.connected):
        return FetchError(msg("hubbot-fetch-no-answer", target.host, seconds), url=target.url)
    if out_of_time:
        return _not_connected(target, failure, watchdog.seconds)
    if failure.kind is Kind.TLS:
        return FetchError(msg("hubbot-fetch-tls", target.host, failure.words), url=target.url)
    if failure.before_connecting:
        return None
    return FetchError(msg("hubbot-fetch-unusable", target.host, failure.words), url=target.url)


def _not_connected(target: Target, failure: NetworkFailure | None, waited: float) -> FetchError:
    """No address of the host took the connection; the last one's failure says why."""
    if failure is None:
        words = msg("hubbot-fetch-no-host-address")
    elif failure.kind is Kind.REFUSED:
        words = msg("hubbot-fetch-refused-port", failure.words, str(target.port))
    elif failure.timed_out:
        words = msg("hubbot-fetch-not-accepted", format_seconds(waited))
    else:
        words = failure.words
    return FetchError(msg("hubbot-fetch-cannot-connect", target.host, words), url=target.url)


def address_kind(kind: str) -> Message:
    """What kind of address a refused one is (loopback, private...), in words."""
    return msg("hubbot-address-" + kind.replace(" ", "-").lower())


def _content_length(response: Any) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None:
        return None
    try:
        length = int(value.split(",")[0].strip())
    except ValueError:
        return None
    return length if length >= 0 else None


def _media_type(header: str | None) -> str | None:
    if not header:
        return None
    return header.split(";", 1)[0].strip().lower() or None


def _status_phrase(status: int, response: Any) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(getattr(response, "reason", "") or "error")
