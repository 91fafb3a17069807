"""Waiting politely: Retry-After, back-off, rate limits, pacing, stopping mid-wait."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bots.i18n import msg
from bots.net.pacing import (
    Pacer,
    PacingPolicy,
    StopRequested,
    backoff_delay,
    parse_retry_after,
    rate_limit_delay,
    upload_interval,
)


class FakeTime:
    """A clock and a sleep that only move when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("5", 5.0),
        (" 2 ", 2.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("soon", None),
        ("Fri, 20 Nov 2026 10:00:30 GMT", 30.0),
        ("Fri, 20 Nov 2026 09:59:00 GMT", 0.0),
    ],
)
def test_retry_after_header(header, seconds):
    now = datetime(2026, 11, 20, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after(header, now) == seconds


@pytest.mark.parametrize(
    ("attempt", "retry_after", "expected"),
    [
        (1, None, 2.0),
        (2, None, 4.0),
        (3, None, 8.0),
        (20, None, 300.0),  # capped
        (1, 5.0, 5.0),  # the wiki's Retry-After wins
        (4, 5.0, 5.0),
        (1, 9999.0, 300.0),  # but never beyond the cap
        (1, 0.0, 0.0),
    ],
)
def test_backoff_honours_retry_after(attempt, retry_after, expected):
    assert backoff_delay(attempt, retry_after, base=2.0, cap=300.0) == expected


@pytest.mark.parametrize(
    ("attempt", "hits", "seconds", "expected"),
    [
        (1, 380, 4320, 4320 / 380),  # Commons: one slot of 380 uploads per 72 minutes
        (2, 380, 4320, 2 * 4320 / 380),
        (1, 2, 6, 3.0),
        (1, 100, 10, 1.0),  # at least a second
        (1, 0, 0, 5.0),  # the wiki did not say: five seconds
        (30, 2, 6, 300.0),
    ],
)
def test_rate_limit_delay(attempt, hits, seconds, expected):
    assert rate_limit_delay(attempt, hits, seconds, cap=300.0) == pytest.approx(expected)


def test_upload_interval():
    assert upload_interval(0) == 0.0
    assert upload_interval(5) == 12.0
    assert upload_interval(380 / 72) == pytest.approx(72 * 60 / 380)


def test_waits_are_done_in_slices_and_recorded():
    t = FakeTime()
    pacer = Pacer(PacingPolicy(), clock=t.clock, sleep=t.sleep)
    pacer.wait(2.2, "maxlag", "lagging")
    assert sum(t.slept) == pytest.approx(2.2)
    assert max(t.slept) <= 0.5
    assert pacer.total("maxlag") == pytest.approx(2.2)
    assert pacer.total("ratelimited") == 0


def test_a_stop_request_ends_a_wait_at_once():
    t = FakeTime()
    stop_at = t.now + 1.0
    pacer = Pacer(
        PacingPolicy(),
        clock=t.clock,
        sleep=t.sleep,
        should_stop=lambda: msg("hubbot-end-sigterm") if t.now >= stop_at else None,
    )
    with pytest.raises(StopRequested, match="SIGTERM"):
        pacer.wait(600, "ratelimited", "rate limited")
    assert t.now - 100.0 == pytest.approx(1.0)


def test_uploads_are_spaced_only_for_accounts_without_the_bot_flag():
    t = FakeTime()
    pacer = Pacer(PacingPolicy(max_per_minute=30), clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        pacer.before_upload(paced=False)
    assert t.slept == []
    for _ in range(3):
        pacer.before_upload(paced=True)
    # three gaps of 2 s (the first counted from the last unpaced upload)
    assert pacer.total("pacing") == pytest.approx(6.0)
    t.now += 10
    pacer.before_upload(paced=True)  # long enough since the last one: no wait
    assert pacer.total("pacing") == pytest.approx(6.0)
