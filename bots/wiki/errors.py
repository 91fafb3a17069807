"""Errors of the wiki client: API errors nobody planned for, and a wiki that does not answer."""

from __future__ import annotations

from typing import Any


class WikiError(Exception):
    """An API error the caller did not plan for; ``data`` holds the error's other fields."""

    def __init__(self, code: str, info: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {info}")
        self.code = code
        self.info = info
        self.data: dict[str, Any] = dict(data or {})


class LoginError(WikiError):
    pass


class WikiUnavailable(WikiError):
    """The wiki did not answer (network, 5xx, timeouts after retries)."""


class AmbiguousWrite(WikiUnavailable):
    """A write got no clear answer (timeout, 5xx, dropped connection): it may have happened.

    Never simply send it again: ask the wiki first (title and SHA-1 for an
    upload, the page's text for an edit). ``retry_after`` is what the wiki
    (or the proxy in front of it) asked for, in seconds, if anything.
    """

    def __init__(self, code: str, info: str, retry_after: float | None = None) -> None:
        super().__init__(code, info)
        self.retry_after = retry_after


class AccountRefused(WikiUnavailable):
    """The wiki refuses this account's writes (blocked, no upload right, a session it
    keeps refusing): every request would fail the same way, so the run ends."""


class WikiBusy(WikiUnavailable):
    """The wiki kept saying "not now" (maxlag, rate limits, refused connections)
    for longer than the pacing policy allows; nothing was done. Try in a later run."""
