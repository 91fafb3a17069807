"""Faults of the structured-data edit (SPEC 11): one ``wbeditentity`` per uploaded file.

The Wikibase is the test wiki's own (Wikibase and WikibaseMediaInfo, REL1_39).
Its answers are real unless the row says otherwise: read-only mode, a block,
an edit conflict made by a person between the bot's read and its write, a
caption longer than the Wikibase takes, maxlag and a wrong token (the proxy
nudges one field of the real request) come from the wiki itself; a gateway's
503, a dropped connection, and recorded ``ratelimited`` and ``failed-save``
answers come from the loopback proxy. After each fault the files are
checked on the wiki: every file once (by SHA-1), and every statement the bot
meant to write there exactly once (lost, duplicated, and statements written
on files the request did not upload count in the report's columns).
"""

from __future__ import annotations

import json
from collections import Counter
from html import unescape

import pytest

from bots.store import DataState, Outcome
from bots.wiki import AccountRefused
from tests.faults.helpers import (
    FAST_UPLOAD_CONFIG,
    Tally,
    make_flow,
    own_hub_root,
    report,
    row,
    sha1,
    tally,
    through,
    unique_png,
)
from tests.support.faultproxy import Rule, Seen

TATE = "Q430682"


def is_entity_edit(seen: Seen) -> bool:
    return seen.method == "POST" and seen.action == "wbeditentity"


def answer(code: str, info: str) -> bytes:
    return json.dumps({"error": {"code": code, "info": info}}).encode()


@pytest.fixture
def hub_root(request):
    return own_hub_root(request)


@pytest.fixture
def flow(bot, proxy, person, config_file, hub_root, media):
    return make_flow(
        through(bot, proxy), person, config_file(upload=FAST_UPLOAD_CONFIG), hub_root, media
    )


def batch(flow, media, name: str, count: int = 2, **params: str) -> dict[str, bytes]:
    files = {f"S{i}": unique_png() for i in range(1, count + 1)}
    slug = name.replace(" ", "-")
    rows = [row(flow, rid, media.put(f"{flow.tag}-{slug}-{rid}", d)) for rid, d in files.items()]
    flow.file_request(name, rows, caption="{title}", collection=TATE, inventory="{id}", **params)
    flow.run()
    flow.approve(name)
    return files


def data_tally(flow, name: str, files: dict[str, bytes]) -> Tally:
    """Files by SHA-1, then the structured data: each statement the bot meant, once, per file."""
    result = tally(flow.bot, present=[sha1(d) for d in files.values()])
    store = flow.store()
    lost = duplicated = 0
    for record_id in files:
        title = "File:" + store.get(name, record_id).title
        state = flow.bot.entities_of_files([title], ())[title]
        have = Counter(h.key() for h in state.statements)
        wanted = store.structured_of(name, [record_id])[record_id].draft
        lost += sum(1 for s in wanted.statements if have[s.key()] == 0)
        lost += sum(1 for lang, text in wanted.labels.items() if lang not in state.labels)
        duplicated += sum(n - 1 for n in have.values() if n > 1)
    return result + Tally(lost=lost, duplicated=duplicated)


def done(flow, name: str) -> None:
    status = flow.status(name)
    assert (status["state"], status["sdc_pending"]) == ("done", "0"), status
    assert flow.store().structured_counts(name)[DataState.DONE] >= 1


FAULTS = {
    "saved-no-answer": (
        Rule("drop-after-forward", match=is_entity_edit, times={1}),
        "the connection dropped after the Wikibase saved a file's structured data",
        "read the entity: everything there; nothing sent again",
        "proxy",
    ),
    "gateway-503": (
        Rule(
            "respond",
            match=is_entity_edit,
            times={1},
            status=503,
            headers={"Retry-After": "1", "Content-Type": "text/html"},
            body=b"busy",
        ),
        "503 from a gateway on a file's wbeditentity (the Wikibase never saw it)",
        "read the entity: nothing there; waited; sent what was missing once",
        "proxy",
    ),
    "never-sent": (
        Rule("drop-before-forward", match=is_entity_edit, times={2}),
        "the connection closed before the Wikibase saw a file's wbeditentity",
        "read the entity; sent what was missing once",
        "proxy",
    ),
    "maxlag": (
        Rule("real-maxlag", match=is_entity_edit, times={1}),
        "maxlag from the Wikibase itself on a wbeditentity",
        "waited as asked (Retry-After); sent again; not counted as a failure",
        "real wiki (via proxy)",
    ),
    "badtoken": (
        Rule("bad-token", match=is_entity_edit, times={1}),
        "badtoken from the Wikibase itself on a wbeditentity",
        "fetched a new token once; sent again",
        "real wiki (via proxy)",
    ),
    "ratelimited": (
        Rule(
            "respond",
            match=is_entity_edit,
            times={1},
            status=200,
            headers={"Content-Type": "application/json", "Retry-After": "1"},
            body=answer("ratelimited", "You've exceeded your rate limit. Please wait."),
        ),
        "ratelimited answer to a wbeditentity (recorded answer, Retry-After: 1)",
        "waited it out without counting a failure; sent again",
        "proxy",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_faults_of_the_structured_data_edit(flow, proxy, media, fault):
    rule, what, did, source = FAULTS[fault]
    files = batch(flow, media, f"Fault {fault}")
    proxy.add(rule)
    flow.run()
    assert rule.applied == 1
    done(flow, f"Fault {fault}")
    result = data_tally(flow, f"Fault {fault}", files)
    report(what, did, result, source)
    assert result.clean, result


def test_a_refusal_for_the_moment_waits_for_the_next_run(flow, proxy, media):
    name = "Failed save"
    files = batch(flow, media, name, count=1)
    refusal = proxy.add(
        Rule(
            "respond",
            match=is_entity_edit,
            status=200,
            headers={"Content-Type": "application/json"},
            body=answer("failed-save", "The save has failed."),
        )
    )
    flow.run()
    status = flow.status(name)
    assert (status["state"], status["uploaded"], status["sdc_pending"]) == ("uploading", "1", "1")
    assert "for their structured data" in flow.status_text(name)
    proxy.rules.remove(refusal)
    flow.run()
    done(flow, name)
    result = data_tally(flow, name, files)
    report(
        "failed-save from the Wikibase (recorded answer) on every wbeditentity of a run",
        "the file uploaded, its structured data pending (status: sdc_pending=1); "
        "the next run added it",
        result,
        "proxy",
    )
    assert result.clean, result


def test_a_refusal_of_the_data_is_listed_and_the_upload_stays(flow, media, config_file):
    # the bot is told captions may be 1000 long; the Wikibase takes 250
    flow.config_path = config_file(upload=FAST_UPLOAD_CONFIG, wikibase={"caption_limit": 1000})
    name = "Too long"
    files = {"S1": unique_png()}
    record = row(flow, "S1", flow.media.put(f"{flow.tag}-long", files["S1"]), "x " * 200)
    flow.file_request(name, [record], caption="{title}", title="{id} long")
    flow.run()
    flow.approve(name)
    flow.run()
    status = flow.status(name)
    assert (status["state"], status["uploaded"], status["sdc_pending"]) == ("done", "1", "0")
    text = unescape(flow.status_text(name))
    assert "The Wikibase refused the structured data of these files" in text
    assert "modification-failed" in text
    assert flow.store().structured_counts(name)[DataState.FAILED] == 1
    result = tally(flow.bot, present=[sha1(d) for d in files.values()])
    report(
        "the Wikibase refuses a file's structured data for good (modification-failed: "
        "a caption longer than it takes)",
        "the file stays uploaded; its structured data failed, with the Wikibase's reason "
        "on the status page",
        result,
        "real wiki",
    )
    assert result.clean


def test_an_edit_conflict_on_the_entity_keeps_the_persons_edit(flow, proxy, media, person):
    """A person adds a depicts statement right after the upload, and a caption while the
    bot finishes its edit: the bot reads again and adds only what is still missing."""
    name = "Conflict"
    files = batch(flow, media, name, count=1)
    store = flow.store()
    volunteer = person("Volunteer")

    def file_title() -> str:
        return "File:" + store.get(name, "S1").title

    depicts = {
        "claims": [
            {
                "mainsnak": {
                    "snaktype": "value",
                    "property": "P180",
                    "datavalue": {"type": "wikibase-entityid", "value": {"id": "Q5"}},
                },
                "type": "statement",
            }
        ]
    }
    caption = {"labels": {"en": {"language": "en", "value": "A volunteer's caption"}}}
    proxy.add(
        Rule(
            "drop-before-forward",
            match=is_entity_edit,
            times={1},
            then=lambda _seen: volunteer.edit_file_data(file_title(), depicts),
        )
    )
    proxy.add(
        Rule(
            "forward",
            match=is_entity_edit,
            times={2},
            then=lambda _seen: volunteer.edit_file_data(file_title(), caption),
        )
    )
    flow.run()
    done(flow, name)
    state = flow.bot.entities_of_files([file_title()], ())[file_title()]
    assert state.labels["en"] == "A volunteer's caption"
    assert "P180" in [h.property for h in state.statements]
    edits = [e for e in proxy.faults() if is_entity_edit(e.seen)]
    assert len(proxy.seen(is_entity_edit)) == 3, edits  # fresh, after the read, after the conflict
    result = data_tally(flow, name, files)
    # the volunteer's caption stands for the bot's: not lost, it is the person's
    report(
        "a person edits a file's structured data between the bot's read and its write "
        "(a real edit conflict on the same caption)",
        "read the entity again and sent only what was still missing; the person's caption "
        "and statement kept",
        Tally(duplicated=result.duplicated, wrong=result.wrong),
        "real wiki",
    )
    assert result.duplicated == result.wrong == 0


def test_read_only_during_the_structured_data_edit(
    bot, proxy, person, config_file, hub_root, media, devwiki
):
    upload = {**FAST_UPLOAD_CONFIG, "read_only_wait": 2}
    flow = make_flow(through(bot, proxy), person, config_file(upload=upload), hub_root, media)
    name = "Read only"
    files = batch(flow, media, name, count=2)
    flow.config_path = config_file(upload=upload, wiki={"api": proxy.api_url})
    proxy.add(
        Rule(
            "forward",
            match=is_entity_edit,
            times={1},
            then=lambda _seen: devwiki.set_read_only("Maintenance (test)"),
        )
    )
    try:
        result = flow.run_cli("run")
        assert result.returncode == 0, result.stderr
        assert "read-only" in result.stderr
        store = flow.store()
        assert store.get(name, "S1").outcome == Outcome.UPLOADED
        assert store.structured_counts(name)[DataState.PENDING] == 1
    finally:
        devwiki.set_read_only(None)
    assert flow.run_cli("run").returncode == 0
    done(flow, name)
    outcome = data_tally(flow, name, files)
    report(
        "$wgReadOnly switched on as the first file's wbeditentity arrives, for longer "
        "than upload.read_only_wait",
        "waited, then ended the run (exit 0) with the file uploaded and its structured data "
        "pending; the next run added it before uploading the rest",
        outcome,
        "real wiki",
    )
    assert outcome.clean, outcome


def test_a_blocked_bot_stops_with_its_structured_data_pending(flow, proxy, media, person):
    name = "Blocked data"
    files = batch(flow, media, name, count=2)
    admin = person("Admin")
    proxy.add(
        Rule(
            "forward",
            match=is_entity_edit,
            times={1},
            then=lambda _seen: admin.block("HubBot", "test: blocked while adding data"),
        )
    )
    try:
        with pytest.raises(AccountRefused, match="HubBot is blocked"):
            flow.run()
        store = flow.store()
        assert store.get(name, "S1").outcome == Outcome.UPLOADED
        assert store.structured_counts(name)[DataState.PENDING] == 1
        assert store.get(name, "S2") is None or store.get(name, "S2").outcome != Outcome.UPLOADED
    finally:
        admin.unblock("HubBot")
    flow.run()
    done(flow, name)
    outcome = data_tally(flow, name, files)
    report(
        "the bot blocked by an administrator just before a file's wbeditentity",
        "stopped (exit 1) saying the account is blocked, the file uploaded and its "
        "structured data pending; after the unblock the next run finished both",
        outcome,
        "real wiki",
    )
    assert outcome.clean, outcome


def test_a_wrong_token_twice_stops_the_run(flow, proxy, media):
    name = "Token twice"
    files = batch(flow, media, name, count=1)
    proxy.add(Rule("bad-token", match=is_entity_edit, times={1, 2}))
    with pytest.raises(AccountRefused, match="edit token"):
        flow.run()
    assert flow.store().structured_counts(name)[DataState.PENDING] == 1
    flow.run()
    done(flow, name)
    outcome = data_tally(flow, name, files)
    report(
        "badtoken from the Wikibase itself twice in a row on a wbeditentity",
        "stopped the run (exit 1), structured data pending; the next run added it",
        outcome,
        "real wiki (via proxy)",
    )
    assert outcome.clean, outcome
