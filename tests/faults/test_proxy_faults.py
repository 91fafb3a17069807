"""Faults the real wiki cannot give on cue, from the loopback proxy in front of it.

Every answer here is the real wiki's, unless the rule is a gateway's answer
(503, 502) or the recorded shape of Wikimedia's maxlag error. After each
fault the wiki is asked what it holds: every record's bytes exactly once.
"""

from __future__ import annotations

import logging

import pytest
from pywikibot import config as pwb_config

from bots.i18n import from_text
from bots.store import Outcome
from bots.wiki import AmbiguousWrite, Saved, WikiUnavailable
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
    wav_bytes,
)
from tests.support.faultproxy import (
    GATEWAY_502,
    MAXLAG_BODY,
    Rule,
    is_chunk,
    is_commit,
    is_edit,
    is_file_upload,
)

UPLOAD_CONFIG = {"chunk_threshold": 64 * 1024, "chunk_size": 16 * 1024, **FAST_UPLOAD_CONFIG}


@pytest.fixture
def hub_root(request):
    """A hub root of this test's own (whose title the wiki keeps as it is)."""
    return own_hub_root(request)


@pytest.fixture
def flow(bot, proxy, person, config_file, hub_root, media):
    return make_flow(
        through(bot, proxy), person, config_file(upload=UPLOAD_CONFIG), hub_root, media
    )


@pytest.fixture
def waits(caplog):
    """The pacer's waits as logged: (seconds, why)."""
    caplog.set_level(logging.INFO, logger="bots.net.pacing")

    def read() -> list[tuple[float, str]]:
        out = []
        for record in caplog.records:
            if record.name == "bots.net.pacing" and record.msg.startswith("waiting"):
                out.append((float(record.args[0]), str(record.args[1])))
        return out

    return read


def batch(flow, media, name: str, files: dict[str, bytes]) -> dict[str, bytes]:
    rows = [
        row(flow, rid, media.put(f"{flow.tag}-{name}-{rid}", data)) for rid, data in files.items()
    ]
    flow.file_request(name, rows)
    return files


def settle_check(flow, name: str, files: dict[str, bytes]):
    store = flow.store()
    states = {rid: store.get(name, rid) for rid in files}
    assert all(s.outcome == Outcome.UPLOADED for s in states.values()), states
    return tally(flow.bot, present=[sha1(d) for d in files.values()])


SINGLE_FAULTS = {
    "drop-after-forward": (
        Rule("drop-after-forward", match=is_file_upload, times={1}),
        "the connection dropped after the wiki saved the upload",
        "asked the wiki by title and SHA-1: there; not sent again",
        0,
    ),
    "503-retry-after": (
        Rule(
            "respond",
            match=is_file_upload,
            times={1},
            status=503,
            headers={"Retry-After": "2", "Content-Type": "text/html"},
            body=b"busy",
        ),
        "503 with Retry-After: 2 from a gateway (the wiki never saw the upload)",
        "asked the wiki: not there; waited the 2 s asked for; sent again",
        1,
    ),
    "502-gateway": (
        Rule(
            "respond",
            match=is_file_upload,
            times={1},
            status=502,
            headers={"Content-Type": "text/html"},
            body=GATEWAY_502,
        ),
        "502 Bad Gateway page from a CDN",
        "asked the wiki: not there; backed off; sent again",
        1,
    ),
    "reset-mid-body": (
        Rule("reset-mid-body", match=is_file_upload, times={1}),
        "connection reset while the upload was being sent",
        "asked the wiki: not there; sent again",
        1,
    ),
    "drop-before-forward": (
        Rule("drop-before-forward", match=is_file_upload, times={2}),
        "connection closed before the wiki saw the request",
        "asked the wiki: not there; sent again",
        1,
    ),
    "slow": (
        Rule("delay", match=is_file_upload, delay=1.5),
        "every upload answered after 1.5 s",
        "waited for the answers; one request per file",
        0,
    ),
}


@pytest.mark.parametrize("fault", list(SINGLE_FAULTS))
def test_unanswered_single_uploads(flow, proxy, media, fault):
    rule, what, did, resent = SINGLE_FAULTS[fault]
    files = batch(flow, media, "Single", {"A1": unique_png(), "A2": unique_png()})
    flow.run()
    flow.approve("Single")
    proxy.add(rule)
    flow.run()
    result = settle_check(flow, "Single", files)
    assert len(proxy.seen(is_file_upload)) == len(files) + resent
    report(what, did, result, "proxy")
    assert result.clean, result


def test_timeout_after_the_wiki_saved(flow, proxy, media, monkeypatch):
    monkeypatch.setattr(pwb_config, "socket_timeout", (5, 2))
    files = batch(flow, media, "Timeout", {"A1": unique_png(), "A2": unique_png()})
    flow.run()
    flow.approve("Timeout")
    proxy.add(Rule("timeout-after-forward", match=is_file_upload, times={1}, delay=4))
    flow.run()
    result = settle_check(flow, "Timeout", files)
    assert len(proxy.seen(is_file_upload)) == 2  # never sent twice
    report(
        "read timeout (2 s) while the wiki saved the upload",
        "asked the wiki by title and SHA-1: there; not sent again",
        result,
        "proxy",
    )
    assert result.clean, result


def test_retry_after_is_honoured(flow, proxy, media, waits):
    files = batch(flow, media, "Retry", {"A1": unique_png()})
    flow.run()
    flow.approve("Retry")
    proxy.add(
        Rule("respond", match=is_file_upload, times={1}, status=503, headers={"Retry-After": "2"})
    )
    flow.run()
    assert [w for w, why in waits() if "sending it again" in why] == [2.0]
    assert settle_check(flow, "Retry", files).clean


CHUNK_FAULTS = {
    "chunk dropped after the wiki kept it": (
        Rule("drop-after-forward", match=is_chunk, times={3}),
        "sent the chunk again; the wiki answered stashfailed (invalid chunk offset) "
        "with its own offset; went on from there",
        1,
    ),
    "connection reset mid-chunk": (
        Rule("reset-mid-body", match=is_chunk, times={2}),
        "sent the chunk again at the same offset",
        1,
    ),
    "503 on a chunk": (
        Rule("respond", match=is_chunk, times={4}, status=503, headers={"Retry-After": "1"}),
        "waited the 1 s asked for; sent the chunk again",
        1,
    ),
    "commit dropped after the wiki published": (
        Rule("drop-after-forward", match=is_commit, times={1}),
        "asked the wiki by title and SHA-1: published; not committed again",
        0,
    ),
    "commit answered 502 before the wiki saw it": (
        Rule("respond", match=is_commit, times={1}, status=502, body=GATEWAY_502),
        "asked the wiki: not published; committed the stash again (no chunk re-sent)",
        0,
    ),
}


@pytest.mark.parametrize("fault", list(CHUNK_FAULTS))
def test_faults_in_chunked_uploads(flow, proxy, media, fault):
    rule, did, extra_chunks = CHUNK_FAULTS[fault]
    large = wav_bytes(6.0)
    files = batch(flow, media, "Chunky", {"L1": large, "S1": unique_png()})
    flow.run()
    flow.approve("Chunky")
    proxy.add(rule)
    flow.run()
    result = settle_check(flow, "Chunky", files)
    chunks = -(-len(large) // (16 * 1024))
    assert len(proxy.seen(is_chunk)) == chunks + extra_chunks
    report(fault, did, result, "proxy")
    assert result.clean, result


def test_maxlag_from_the_real_wiki(flow, proxy, media, waits):
    """The proxy asks for maxlag=-2, so the wiki itself answers maxlag (Retry-After: 5)."""
    files = batch(flow, media, "Lag", {"A1": unique_png()})
    flow.run()
    flow.approve("Lag")
    proxy.add(Rule("real-maxlag", match=is_file_upload, times={1}))
    flow.run()
    assert [w for w, why in waits() if "lagging" in why] == [5.0]
    result = settle_check(flow, "Lag", files)
    assert flow.store().get("Lag", "A1").attempts == 1  # a wait, not a failed attempt
    report(
        "maxlag error from the wiki itself (Retry-After: 5)",
        "waited 5 s as asked; sent again; not counted as a failure",
        result,
        "real wiki (via proxy)",
    )
    assert result.clean


def test_maxlag_for_longer_than_the_run_waits(flow, proxy, media, waits):
    files = batch(flow, media, "Lagging", {"A1": unique_png(), "A2": unique_png()})
    flow.run()
    flow.approve("Lagging")
    lag = Rule(
        "respond",
        match=is_file_upload,
        status=200,
        headers={"Retry-After": "1", "X-Database-Lag": "7", "Content-Type": "application/json"},
        body=MAXLAG_BODY,
    )
    proxy.add(lag)
    summary = flow.run()
    assert summary.requests == {"Lagging": "uploading"}
    assert [w for w, why in waits() if "lagging" in why] == [1.0, 1.0, 1.0]  # retries: 3
    store = flow.store()
    assert store.counts("Lagging")[Outcome.UPLOADED] == 0
    assert store.counts("Lagging")[Outcome.FAILED] == 0  # a busy wiki fails no record
    assert store.get("Lagging", "A1").outcome == Outcome.PENDING
    assert "too busy" in flow.status_text("Lagging")
    proxy.rules.remove(lag)
    flow.run()
    result = settle_check(flow, "Lagging", files)
    report(
        "maxlag on every upload (recorded Wikimedia answer, Retry-After: 1)",
        "waited 3 times, then ended the run with records pending; the next run uploaded them",
        result,
        "proxy",
    )
    assert result.clean


@pytest.mark.parametrize("times", [{1}, {1, 2}], ids=["once", "twice in a row"])
def test_badtoken_is_refreshed_once(flow, proxy, media, times):
    files = batch(flow, media, "Token", {"A1": unique_png()})
    flow.run()
    flow.approve("Token")
    proxy.add(Rule("bad-token", match=is_file_upload, times=times))
    if len(times) == 1:
        flow.run()
        result = settle_check(flow, "Token", files)
        did = "fetched a new token once; sent again"
    else:
        from bots.wiki import AccountRefused

        with pytest.raises(AccountRefused, match="edit token"):
            flow.run()
        assert flow.store().get("Token", "A1").outcome == Outcome.PENDING
        flow.run()
        result = settle_check(flow, "Token", files)
        did = "a second badtoken in a row stops the run (exit 1), the record stays pending"
    report(
        f"badtoken from the wiki itself, {len(times)} time(s) in a row",
        did,
        result,
        "real wiki (via proxy)",
    )
    assert result.clean


def test_an_unanswered_save_is_not_saved_twice(bot, proxy, hub_root):
    wiki = through(bot, proxy)
    title = f"{hub_root}/Saved once"
    proxy.add(Rule("drop-after-forward", match=is_edit, times={1}))
    outcome = wiki.save(title, "The bot's page.", "test", base=wiki.read_page(title))
    assert isinstance(outcome, Saved)
    assert len(list(wiki.revisions(title))) == 1
    assert len(proxy.seen(is_edit)) == 1
    report(
        "connection dropped after the wiki saved a page edit (status page)",
        "read the page again: our text is there; not sent again",
        tally(wiki),
        "proxy",
    )


def test_the_wiki_refusing_connections(flow, proxy, media, waits):
    import dataclasses

    from bots.dev.devwiki import free_port

    files = batch(flow, media, "Down", {"A1": unique_png()})
    flow.run()
    flow.approve("Down")
    down = dataclasses.replace(flow.bot, write_api=f"http://127.0.0.1:{free_port()}/api.php")
    flow.bot, working = down, flow.bot
    with pytest.raises(WikiUnavailable, match="could not be reached"):
        flow.run()  # not even the status page can be saved: the run fails (exit 1)
    state = flow.store().get("Down", "A1")  # the first write may be another page
    assert state is None or state.outcome == Outcome.PENDING
    assert len([w for w in waits() if "could not be reached" in w[1]]) >= 3
    flow.bot = working
    flow.run()
    result = settle_check(flow, "Down", files)
    report(
        "connection refused on every write",
        "backed off 3 times, ended the run (exit 1) with nothing sent; "
        "the next run uploaded the file",
        result,
        "closed port",
    )
    assert result.clean


def test_ambiguous_upload_raises_for_the_caller(bot, proxy, tmp_path):
    """Wiki.upload never re-sends a publishing request itself."""
    wiki = through(bot, proxy)
    path = tmp_path / "a.png"
    path.write_bytes(unique_png())
    proxy.add(Rule("drop-after-forward", match=is_file_upload, times={1}))
    with pytest.raises(AmbiguousWrite):
        wiki.upload(f"File:Ambiguous {sha1(path.read_bytes())[:8]}.png", path, "t", "s")
    assert len(proxy.seen(is_file_upload)) == 1


def _api_error(code: str, info: str) -> bytes:
    """An API error in the shape MediaWiki 1.39 gives it (formatversion 2)."""
    import json

    return json.dumps({"error": {"code": code, "info": info, "docref": "See api.php."}}).encode()


#: Stash failures of storage and sessions, in MediaWiki 1.39's words (includes/api/i18n/en.json).
STASH_ERRORS = {
    "stashfilestorage": "Could not store upload in the stash: Could not store file.",
    "stashnosuchfilekey": "No such filekey: 1d3n0op8fo04.fultx.3.wav.",
    "stashedfilenotfound": "Could not find the file in the stash: 1d3n0op8fo04.fultx.3.wav.",
    "stashfailed": "No chunked upload session with this key.",
}


@pytest.mark.parametrize("code", list(STASH_ERRORS))
def test_a_stash_error_starts_the_upload_again(flow, proxy, media, code):
    large = wav_bytes(6.0)
    files = batch(flow, media, "Stasherr", {"L1": large})
    flow.run()
    flow.approve("Stasherr")
    answer = _api_error(code, STASH_ERRORS[code])
    proxy.add(
        Rule("respond", match=is_chunk, times={3}, status=200,
             headers={"Content-Type": "application/json"}, body=answer)
    )  # fmt: skip
    flow.run()
    result = settle_check(flow, "Stasherr", files)
    chunks = -(-len(large) // (16 * 1024))
    assert len(proxy.seen(is_chunk)) == chunks + 3  # two chunks again, and the refused one
    assert int(proxy.seen(is_chunk)[3].params["offset"]) == 0
    report(
        f"stash error `{code}` on the 3rd chunk (MediaWiki's answer, from the proxy)",
        "started the chunked upload again from offset 0 with a new stash",
        result,
        "proxy",
    )
    assert result.clean, result


def test_a_stash_that_keeps_failing_fails_the_record(flow, proxy, media):
    large, small = wav_bytes(6.0), unique_png()
    batch(flow, media, "Stashbad", {"L1": large, "S1": small})
    flow.run()
    flow.approve("Stashbad")
    answer = _api_error("stashfilestorage", STASH_ERRORS["stashfilestorage"])
    proxy.add(
        Rule("respond", match=is_chunk, times={2, 4}, status=200,
             headers={"Content-Type": "application/json"}, body=answer)
    )  # fmt: skip
    flow.run()
    store = flow.store()
    l1, s1 = store.get("Stashbad", "L1"), store.get("Stashbad", "S1")
    assert l1.outcome == Outcome.FAILED and "stash failed twice" in str(from_text(l1.reason))
    assert s1.outcome == Outcome.UPLOADED  # the others carry on
    assert store.get_stash("Stashbad", "L1") is None
    result = tally(flow.bot, present=[sha1(small)], absent=[sha1(large)])
    report(
        "stash error `stashfilestorage` again after starting over (from the proxy)",
        "that record failed with the wiki's reason; the other records carried on",
        result,
        "proxy",
    )
    assert result.clean, result


def test_a_lost_session_is_logged_in_again(flow, proxy, media):
    files = batch(flow, media, "Session", {"A1": unique_png()})
    flow.run()
    flow.approve("Session")
    answer = _api_error(
        "assertuserfailed", "You are no longer logged in, so the action could not be completed."
    )
    proxy.add(
        Rule("respond", match=is_file_upload, times={1}, status=200,
             headers={"Content-Type": "application/json"}, body=answer)
    )  # fmt: skip
    flow.run()
    result = settle_check(flow, "Session", files)
    report(
        "`assertuserfailed`: the wiki forgot the bot's session (MediaWiki's answer, from the proxy)",
        "logged in again once; sent the upload again",
        result,
        "proxy",
    )
    assert result.clean, result
