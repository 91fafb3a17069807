"""Polite pacing against the real wiki: rate limits, read-only mode, a blocked bot.

All three faults are the wiki's own: ``$wgRateLimits`` with the bot's
``noratelimit`` right taken away, ``$wgReadOnly`` switched on while the bot
uploads, and an administrator blocking the bot. The proxy in front of the
wiki only forwards here; it tells the test when the first upload goes by.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest

from bots.dev.install import install
from bots.store import Outcome
from tests.faults.helpers import (
    FAST_UPLOAD_CONFIG,
    make_flow,
    own_hub_root,
    report,
    row,
    sha1,
    tally,
    through,
    unique_png,
)
from tests.support.faultproxy import Rule, is_file_upload


@pytest.fixture
def hub_root(request):
    """A hub root of this test's own (whose title the wiki keeps as it is)."""
    return own_hub_root(request)


@pytest.fixture
def waits(caplog):
    caplog.set_level(logging.INFO, logger="bots.net.pacing")

    def read(words: str) -> list[float]:
        return [
            float(r.args[0])
            for r in caplog.records
            if r.name == "bots.net.pacing"
            and r.msg.startswith("waiting")
            and words in str(r.args[1])
        ]

    return read


@pytest.fixture
def limited(devwiki, bot, hub_root):
    """The bot loses its ``noratelimit`` right; uploads are limited to 2 per 4 seconds.

    The hub's pages are installed first, as an operator does once: the test's
    own install (48 pages) would otherwise spend most of the wiki's per-minute
    edit limit (90 for a user) that the bot's run then meets.
    """
    install(bot, hub_root, standins=True, progress=lambda message: None)
    devwiki.set_extra_settings(
        "$wgGroupPermissions['bot']['noratelimit'] = false;\n"
        "$wgRateLimits['upload']['user'] = [2, 4];"
    )
    bot.refresh_account()
    yield
    devwiki.set_extra_settings(None)
    bot.refresh_account()


def request_of(flow, media, name: str, count: int) -> dict[str, bytes]:
    files = {f"P{i}": unique_png() for i in range(1, count + 1)}
    rows = [
        row(flow, rid, media.put(f"{flow.tag}-{name}-{rid}", data)) for rid, data in files.items()
    ]
    flow.file_request(name, rows)
    flow.run()
    flow.approve(name)
    return files


def test_rate_limits_are_waited_out_not_failed(
    bot, proxy, person, config_file, hub_root, media, limited, waits
):
    assert through(bot, proxy).paced
    flow = make_flow(
        through(bot, proxy), person, config_file(upload=FAST_UPLOAD_CONFIG), hub_root, media
    )
    files = request_of(flow, media, "Limited", 5)
    flow.run()
    store = flow.store()
    assert store.counts("Limited")[Outcome.UPLOADED] == 5
    assert store.counts("Limited")[Outcome.FAILED] == 0
    assert all(store.get("Limited", r).attempts == 1 for r in files)  # waits, not attempts
    assert waits("rate limited by the wiki")  # the wiki really said ratelimited
    result = tally(bot, present=[sha1(d) for d in files.values()])
    report(
        "the wiki's rate limit ($wgRateLimits: 2 uploads per 4 s, no noratelimit right)",
        f"waited {len(waits('rate limited by the wiki'))} times (one slot, doubling); "
        "no record failed or counted an attempt",
        result,
        "real wiki",
    )
    assert result.clean


def test_uploads_are_paced_for_an_account_without_the_bot_flag(
    bot, person, config_file, hub_root, media, limited, waits
):
    config = config_file(upload={**FAST_UPLOAD_CONFIG, "max_per_minute": 20})
    flow = make_flow(bot, person, config, hub_root, media)
    files = request_of(flow, media, "Paced", 3)
    flow.run()
    assert flow.store().counts("Paced")[Outcome.UPLOADED] == 3
    paced = waits("uploads a minute")
    assert len(paced) == 2 and all(1.5 < w <= 3.0 for w in paced)  # one every 3 s
    assert not waits("rate limited by the wiki")  # the pacing kept under the limit
    result = tally(bot, present=[sha1(d) for d in files.values()])
    report(
        "an account without the bot flag, upload.max_per_minute: 20",
        "one upload every 3 s; the wiki never had to refuse one",
        result,
        "real wiki",
    )
    assert result.clean


def test_read_only_pauses_the_run_until_the_wiki_is_back(
    bot, proxy, person, config_file, hub_root, media, devwiki
):
    flow = make_flow(
        through(bot, proxy), person, config_file(upload=FAST_UPLOAD_CONFIG), hub_root, media
    )
    files = request_of(flow, media, "Readonly", 3)

    def switch_over(_seen) -> None:
        devwiki.set_read_only("Data centre switchover (test)")
        threading.Timer(3.0, devwiki.set_read_only, args=(None,)).start()

    proxy.add(Rule("forward", match=is_file_upload, times={1}, then=switch_over))
    try:
        summary = flow.run()
    finally:
        devwiki.set_read_only(None)
    assert summary.requests == {"Readonly": "done"}
    assert flow.store().counts("Readonly")[Outcome.UPLOADED] == 3
    assert "read-only mode to end" in flow.status_text("Readonly")
    result = tally(bot, present=[sha1(d) for d in files.values()])
    report(
        "$wgReadOnly switched on during an upload, off 3 s later",
        "paused (asking every second), then carried on; the status page says it waited",
        result,
        "real wiki",
    )
    assert result.clean


def test_read_only_for_longer_than_a_run_waits(
    bot, proxy, person, config_file, hub_root, media, devwiki
):
    config = config_file(upload={**FAST_UPLOAD_CONFIG, "read_only_wait": 2})
    flow = make_flow(through(bot, proxy), person, config, hub_root, media)
    files = request_of(flow, media, "Longro", 2)
    flow.config_path = config_file(
        upload={**FAST_UPLOAD_CONFIG, "read_only_wait": 2}, wiki={"api": proxy.api_url}
    )
    proxy.add(
        Rule(
            "forward",
            match=is_file_upload,
            times={1},
            then=lambda _seen: devwiki.set_read_only("Maintenance (test)"),
        )
    )
    try:
        result = flow.run_cli("run")
        store = flow.store()
        assert result.returncode == 0, result.stderr  # a normal stop, no alarm
        assert "read-only" in result.stderr
        assert store.counts("Longro")[Outcome.UPLOADED] == 0
        assert store.counts("Longro")[Outcome.FAILED] == 0
        assert store.get("Longro", "P1").outcome == Outcome.PENDING
    finally:
        devwiki.set_read_only(None)
    assert flow.run_cli("run").returncode == 0
    assert flow.status("Longro")["state"] == "done"
    outcome = tally(bot, present=[sha1(d) for d in files.values()])
    report(
        "$wgReadOnly on for longer than upload.read_only_wait",
        "ended the run (exit 0) with the records pending; the next run uploaded them",
        outcome,
        "real wiki",
    )
    assert outcome.clean


def test_a_blocked_bot_stops_with_a_clear_message(bot, proxy, person, config_file, hub_root, media):
    flow = make_flow(
        through(bot, proxy), person, config_file(upload=FAST_UPLOAD_CONFIG), hub_root, media
    )
    files = request_of(flow, media, "Blocked", 2)
    flow.config_path = config_file(upload=FAST_UPLOAD_CONFIG, wiki={"api": proxy.api_url})
    admin = person("Admin")
    proxy.add(
        Rule(
            "forward",
            match=is_file_upload,
            times={1},
            then=lambda _seen: admin.block("HubBot", "test: a blocked bot"),
        )
    )
    try:
        result = flow.run_cli("run")
        assert result.returncode == 1
        assert "HubBot is blocked" in result.stderr and "administrator" in result.stderr
        store = flow.store()
        assert store.counts("Blocked")[Outcome.FAILED] == 0
        assert store.get("Blocked", "P1").outcome == Outcome.PENDING
    finally:
        admin.unblock("HubBot")
    assert flow.run_cli("run").returncode == 0
    assert flow.status("Blocked")["state"] == "done"
    outcome = tally(bot, present=[sha1(d) for d in files.values()])
    report(
        "the bot blocked by an administrator during a run",
        "stopped (exit 1) saying the account is blocked; records pending; "
        "after the unblock the next run uploaded them",
        outcome,
        "real wiki",
    )
    assert outcome.clean


def test_an_edit_conflict_on_a_bot_page_is_detected(bot, person, hub_root):
    from bots.wiki import EditConflict

    title = f"{hub_root}/Conflicted"
    bot.save(title, "first", "test")
    base = bot.read_page(title)
    # MediaWiki tells revisions apart by their second: let the volunteer's be a later one
    time.sleep(1.1)
    person("Volunteer").edit(title, "a volunteer's text", "meanwhile")
    outcome = bot.save(title, "the bot's text", "test", base=base)
    assert outcome == EditConflict(title)
    assert bot.read_page(title).text == "a volunteer's text"
    report(
        "a second user edits a bot page between the bot's read and its save",
        "edit conflict: nothing overwritten; the caller reads again and merges",
        tally(bot),
        "real wiki",
    )


def test_a_protected_bot_page_is_an_outcome(bot, person, hub_root):
    from bots.wiki import Protected

    title = f"{hub_root}/Protected page"
    bot.save(title, "first", "test")
    person("Admin").protect(title, "edit=sysop|move=sysop")
    outcome = bot.save(title, "again", "test", base=bot.read_page(title))
    assert isinstance(outcome, Protected)
    report(
        "a bot page protected by an administrator",
        "a Protected outcome with the wiki's reason; nothing saved",
        tally(bot),
        "real wiki",
    )


def test_the_time_budget_ends_a_rate_limit_wait(
    bot, proxy, person, config_file, hub_root, media, devwiki
):
    devwiki.set_extra_settings(
        "$wgGroupPermissions['bot']['noratelimit'] = false;\n"
        "$wgRateLimits['upload']['user'] = [1, 60];"
    )
    bot.refresh_account()
    try:
        config = config_file(upload={**FAST_UPLOAD_CONFIG, "max_wait": 60})
        flow = make_flow(through(bot, proxy), person, config, hub_root, media)
        files = request_of(flow, media, "Budget", 3)
        started = time.monotonic()
        summary = flow.run(max_seconds=10)
        took = time.monotonic() - started
        store = flow.store()
        assert summary.requests == {"Budget": "uploading"}
        assert took < 20  # not the 60 s the rate limit asks for
        assert store.counts("Budget")[Outcome.FAILED] == 0
        assert store.counts("Budget")[Outcome.UPLOADED] >= 1
        assert "time budget" in flow.status_text("Budget")
    finally:
        devwiki.set_extra_settings(None)
        bot.refresh_account()
    flow.run()
    assert flow.status("Budget")["state"] == "done"
    result = tally(bot, present=[sha1(d) for d in files.values()])
    report(
        "the time budget (--max-seconds 10) ends while the bot waits out a 60 s rate limit",
        "stopped waiting at once, saved the status page; the next run carried on",
        result,
        "real wiki",
    )
    assert result.clean
