"""Polite pacing of writes: how long to wait, and when to give up waiting.

A busy wiki says "not now" in several ways: ``maxlag`` (its replicas lag
behind), ``ratelimited`` (this account did too much too fast), a 5xx page from
a proxy, ``Retry-After`` headers, read-only mode. None of these means the
record is bad, so none of them may count as a failure of a record; each is a
wait. This module decides the waits (pure functions) and does them
(:class:`Pacer`), always in short slices so that SIGTERM or the end of the
run's time budget interrupts a wait at once instead of after it.

Everything that sleeps goes through one :class:`Pacer`, whose clock and sleep
are injectable: tests measure waits without waiting, and the fault report
counts them.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bots.i18n import Message

log = logging.getLogger(__name__)

#: Longest slice of a wait between two looks at ``should_stop``.
SLICE_SECONDS = 0.5


class StopRequested(Exception):
    """The run must end now (SIGTERM, time budget): raised between writes or inside a wait."""

    def __init__(self, reason: Message) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class PacingPolicy:
    """The ``upload`` configuration keys that shape waiting (see bots/config.py)."""

    #: uploads started per minute by an account without the ``noratelimit``
    #: right (0: no pacing of our own; the wiki's ``ratelimited`` is still waited out)
    max_per_minute: float = 0.0
    #: the longest single wait, whatever the wiki asks
    max_wait: float = 300.0
    #: transient failures (5xx, timeouts, dropped connections, maxlag) of one
    #: write before the run gives up on the wiki for now
    retries: int = 5
    #: first back-off when the wiki gave no Retry-After; doubles each attempt
    backoff: float = 2.0
    #: how long a run waits for read-only mode to end before it ends itself
    read_only_wait: float = 900.0
    #: how often to ask whether read-only mode has ended
    read_only_poll: float = 30.0
    #: longest total wait for one write because of ``ratelimited`` answers
    rate_limit_wait: float = 3600.0

    @classmethod
    def from_config(cls, upload: Any) -> PacingPolicy:
        """From the ``upload`` configuration section (bots.config.UploadConfig)."""
        return cls(
            max_per_minute=float(upload.max_per_minute),
            max_wait=float(upload.max_wait),
            retries=int(upload.retries),
            backoff=float(upload.backoff),
            read_only_wait=float(upload.read_only_wait),
            read_only_poll=float(upload.read_only_poll),
            rate_limit_wait=float(upload.rate_limit_wait),
        )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(
    attempt: int, retry_after: float | None, *, base: float = 2.0, cap: float = 300.0
) -> float:
    """How long to wait before attempt ``attempt + 1`` (``attempt`` counts from 1).

    The wiki's ``Retry-After`` wins when it gave one (it knows its load);
    otherwise the wait doubles from ``base``. Never longer than ``cap``.
    """
    if retry_after is not None:
        return min(cap, max(0.0, retry_after))
    return min(cap, base * 2.0 ** max(0, attempt - 1))


def rate_limit_delay(attempt: int, hits: int, seconds: float, *, cap: float = 300.0) -> float:
    """Wait after the ``attempt``-th ``ratelimited`` answer in a row.

    MediaWiki does not say when the limit lifts; its window is ``seconds``
    for ``hits`` actions. Waiting one slot (seconds / hits) and then doubling
    finds the end of the window without hammering the wiki.
    """
    slot = seconds / hits if hits > 0 and seconds > 0 else 5.0
    return min(cap, max(1.0, slot) * 2.0 ** max(0, attempt - 1))


def upload_interval(max_per_minute: float) -> float:
    """Seconds between the starts of two uploads for a paced account (0: no pacing)."""
    return 60.0 / max_per_minute if max_per_minute > 0 else 0.0


@dataclass(frozen=True)
class Wait:
    """One wait the pacer did, for logs, tests and the fault report."""

    kind: str  # maxlag, retry-after, backoff, ratelimited, read-only, pacing
    seconds: float
    why: str


@dataclass
class Pacer:
    """Does the waiting for one connection to one wiki.

    ``should_stop`` returns a reason (a message) when the run must end; it is
    consulted between wait slices, so a stop never waits for a long back-off.
    """

    policy: PacingPolicy = field(default_factory=PacingPolicy)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    should_stop: Callable[[], Message | None] = lambda: None
    waits: list[Wait] = field(default_factory=list)
    _last_upload: float | None = None

    def check_stop(self) -> None:
        reason = self.should_stop()
        if reason is not None:
            raise StopRequested(reason)

    def wait(self, seconds: float, kind: str, why: str) -> None:
        """Sleep ``seconds`` in slices; raises :class:`StopRequested` if the run must end."""
        seconds = max(0.0, seconds)
        self.waits.append(Wait(kind, seconds, why))
        if len(self.waits) > 1000:
            del self.waits[:500]
        if seconds > 0:
            log.info("waiting %.1f s: %s", seconds, why)
        end = self.clock() + seconds
        while True:
            self.check_stop()
            left = end - self.clock()
            if left <= 0:
                return
            self.sleep(min(SLICE_SECONDS, left))

    def before_upload(self, paced: bool) -> None:
        """Space uploads for accounts the wiki rate-limits (no bot flag)."""
        interval = upload_interval(self.policy.max_per_minute) if paced else 0.0
        now = self.clock()
        if interval and self._last_upload is not None:
            left = self._last_upload + interval - now
            if left > 0:
                self.wait(
                    left,
                    "pacing",
                    f"at most {self.policy.max_per_minute:g} uploads a minute "
                    "for an account without the bot flag",
                )
        self._last_upload = self.clock()

    def total(self, kind: str | None = None) -> float:
        return sum(w.seconds for w in self.waits if kind is None or w.kind == kind)
