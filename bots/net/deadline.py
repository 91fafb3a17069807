"""How long a piece of work may still take: the bound every partner read obeys.

A run with ``--max-seconds`` hands each request a share of what is left
(:func:`share`), and each read of that request (the source, an OAI-PMH page,
a IIIF manifest, a media file) is cut to what is left of it. The fetcher
turns the time left into socket timeouts and a watchdog, so a server that
accepts a connection and never answers costs no more than the deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: A request's share of a run's budget is never less than this (unless the
#: budget itself has less left): a server needs a moment to answer at all.
MIN_SHARE_SECONDS = 2.0


class Deadline:
    """A point in time, given as the seconds from now, on a monotonic clock.

    A deadline can also be called off early (:meth:`cancel`): work that no
    longer matters, such as a download ahead of an upload loop that stopped,
    then ends at once; the fetcher's watchdogs listen for it.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds
        self._cancelled = False
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def remaining(self) -> float:
        if self._cancelled:
            return 0.0
        return max(0.0, self._end - self._clock())

    def expired(self) -> bool:
        return self._cancelled or self._clock() >= self._end

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """End the deadline now, and tell everyone listening (each once)."""
        with self._lock:
            self._cancelled = True
            listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener()

    def on_cancel(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` when the deadline is cancelled (at once if it is already).

        Returns what stops listening.
        """
        with self._lock:
            if not self._cancelled:
                self._listeners.append(listener)
                return lambda: self._forget(listener)
        listener()
        return lambda: None

    def _forget(self, listener: Callable[[], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def describe(self) -> str:
        """The bound in words: "10 minutes", "45 seconds"."""
        if self.seconds >= 120:
            return f"{self.seconds / 60:g} minutes"
        seconds = _round(self.seconds)
        return "1 second" if seconds == 1 else f"{seconds:g} seconds"


def share(seconds_left: float, requests_left: int) -> float:
    """One request's share of what is left of a run's budget.

    What is left, divided evenly among the requests still to come (this one
    included), but at least :data:`MIN_SHARE_SECONDS`, and never more than
    what is left. A request that finishes early leaves its unused time to
    the ones after it, since the share is worked out when a request starts.
    """
    even = seconds_left / max(requests_left, 1)
    return min(seconds_left, max(even, MIN_SHARE_SECONDS))


def _round(seconds: float) -> float:
    return round(seconds) if seconds >= 10 else round(seconds, 1)
