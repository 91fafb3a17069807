"""Attacks through long page histories (SPEC 5 and 6), on the real wiki.

The bot must judge the stop page and an approval by the page's newest
revisions, however long its history, and find who set the current value even
when that was more than 500 revisions ago.

Histories of more than 500 revisions are made with the wiki's own
``importDump.php``: real revisions of the wiki's real accounts (the
volunteer, the partner, the reviewer), dated in the past, each newer than the
page's revisions before it, so they lie on the page's history as edits do.
(500 edits through the API would take half a minute a page.) The last edits
of each attack are ordinary edits through the API.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from bots.dev.install import install
from bots.hub import Hub
from bots.pipeline.approval import Approvers, check_stop_page
from bots.pipeline.request import set_param
from bots.store import StateStore
from tests.faults.helpers import Tally, report, tally
from tests.support.workflow import REQUEST_DEFAULTS, Workflow, csv_text, request_wikitext

#: More revisions than one API request (500) or the bot's old read gave.
PADDING = 520

Edit = tuple[str, str, str]  # user, text, summary


def import_revisions(devwiki, folder: Path, title: str, edits: list[Edit], start: datetime) -> None:
    """Put ``edits`` on ``title`` as revisions one second apart from ``start`` (importDump.php)."""
    revisions = []
    for n, (user, text, summary) in enumerate(edits):
        stamp = (start + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        revisions.append(
            f"<revision><timestamp>{stamp}</timestamp>"
            f"<contributor><username>{escape(user)}</username></contributor>"
            f"<comment>{escape(summary)}</comment>"
            "<model>wikitext</model><format>text/x-wiki</format>"
            f'<text xml:space="preserve">{escape(text)}</text></revision>'
        )
    dump = folder / f"history-{start.timestamp():.0f}.xml"
    dump.write_text(
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" '
        f'xml:lang="en"><page><title>{escape(title)}</title>'
        + "".join(revisions)
        + "</page></mediawiki>",
        encoding="utf-8",
    )
    devwiki.php("maintenance/importDump.php", str(dump))


def revision_count(bot, title: str) -> int:
    data = bot.call(action="query", prop="info", titles=title, formatversion=2)
    page = data["query"]["pages"][0]
    count = 0
    params = {"action": "query", "prop": "revisions", "pageids": page["pageid"]}
    while True:
        answer = bot.call(**params, rvprop="ids", rvlimit="max")
        count += len(answer["query"]["pages"][0]["revisions"])
        if "continue" not in answer:
            return count
        params.update(answer["continue"])


def sha1s(flow: Workflow, rows: list[dict[str, str]]) -> list[str]:
    return [
        hashlib.sha1((flow.media.folder / r["image"].rsplit("/", 1)[1]).read_bytes()).hexdigest()
        for r in rows
    ]


def test_stop_after_a_long_history_stops_the_bot(
    bot, person, devwiki, config_file, hub_root, media, tmp_path
):
    hub = Hub(bot.normalize(hub_root))
    # the install said run; a reviewer stopped and restarted the bot; then a
    # volunteer made 520 edits that keep the trimmed text `run` (MediaWiki trims
    # only the end of a page, so leading white space makes each edit a real one)
    edits: list[Edit] = [
        ("HubBot", "run", "install"),
        ("Volunteer", "stop", "stop"),
        ("Reviewer", "run", "go on"),
    ]
    edits += [("Volunteer", " " * (n % 2) + "run", f"tidy {n}") for n in range(PADDING)]
    import_revisions(devwiki, tmp_path, hub.stop, edits, datetime.now(UTC) - timedelta(days=2))
    install(bot, hub_root, standins=True, progress=lambda m: None)  # keeps the stop page
    person("Volunteer").edit(hub.stop, "  run", "one more")  # a real edit the same way
    assert bot.read_page(hub.stop).text == "  run"
    assert revision_count(bot, hub.stop) == PADDING + 4

    flow = Workflow(
        bot=bot, person=person, config_path=config_file(), hub_root=hub_root, media=media
    )
    # the reviewer's `run`, 521 revisions back, is found with its setter
    decision = check_stop_page(
        bot.revisions(hub.stop),
        bot.user,
        Approvers(flow.config.approvers.groups, flow.config.approvers.users),
        bot.username,
    )
    assert decision.ok and decision.user == "Reviewer", decision.reason
    rows = flow.rows(3)
    flow.file_request("Long stop", rows)
    assert flow.run().requests == {"Long stop": "awaiting-approval"}
    flow.approve("Long stop")

    # now anyone says stop: the newest revision decides
    person("Volunteer").edit(hub.stop, "stop", "stop the bot")
    summary = flow.run()
    assert summary.stopped and '"stop"' in summary.stopped and "Volunteer" in summary.stopped
    assert summary.requests == {}
    assert flow.uploads("Long stop") == []
    assert "stopped" in bot.read_page(hub.dashboard).text.lower()
    result = tally(bot, absent=sha1s(flow, rows))
    report(
        f"stop page with {PADDING + 5} revisions: a volunteer's {PADDING + 1} white-space "
        "edits after the reviewer's run, then `stop` (an approved request waiting)",
        "read the newest revision: stopped before any write, dashboard says stopped, "
        "no file uploaded; the reviewer's run 521 revisions back was found with its setter",
        result,
        "real wiki",
    )
    assert result == Tally()


def test_long_discussion_keeps_the_approver_and_removing_approve_revokes(flow, devwiki, tmp_path):
    name = "Long talk"
    title = flow.hub.request(name)
    rows = flow.rows(3)
    params = dict(REQUEST_DEFAULTS)
    params["source"] = flow.media.put("long-talk.csv", csv_text(rows).encode())
    params["limit"] = "1"
    filed = request_wikitext(params)
    start = datetime.now(UTC) - timedelta(days=2)
    import_revisions(devwiki, tmp_path, title, [("Partner", filed, "new request")], start)
    assert flow.run().requests == {name: "awaiting-approval"}
    pid = flow.preview_id(name)

    # the reviewer approves; then a long discussion below the template
    approved = set_param(filed, "approve", pid)
    talk: list[Edit] = [("Reviewer", approved, "approve")]
    comments: list[str] = []
    for n in range(PADDING):
        user = ("Volunteer", "Partner")[n % 2]
        comments = [*comments[-5:], f"* Comment {n} by {user}."]
        talk.append((user, approved + "\n== Discussion ==\n" + "\n".join(comments), "reply"))
    import_revisions(devwiki, tmp_path, title, talk, start + timedelta(minutes=1))
    assert revision_count(flow.bot, title) == PADDING + 2

    # the approval set 520 revisions back is found, with its setter
    assert flow.run().requests == {name: "paused"}  # at the trial limit of 1 file
    assert len(flow.uploads(name)) == 1
    store = StateStore.from_url(flow.config.state.url)
    try:
        facts = store.get_request(name) or {}
    finally:
        store.close()
    assert (facts.get("approved"), facts.get("approved_by")) == (pid, "Reviewer")

    # the partner lifts the limit, the reviewer withdraws the approval
    flow.set_request_param(name, "limit", "", by="Partner")
    reviewer = flow.person("Reviewer")
    reviewer.edit(title, set_param(reviewer.text(title), "approve", ""), "not yet")
    assert flow.run().requests == {name: "awaiting-approval"}
    assert "Waiting for a reviewer" in flow.status_text(name)
    assert len(flow.uploads(name)) == 1
    result = tally(flow.bot, present=sha1s(flow, rows[:1]), absent=sha1s(flow, rows[1:]))
    report(
        f"request page with {PADDING + 4} revisions: approval, a {PADDING}-edit discussion "
        "below the template, then the reviewer removes approve (and the partner the limit)",
        "found the approver 520 revisions back for the trial upload; after the removal "
        "read the newest revision: awaiting approval, no further file uploaded",
        result,
        "real wiki",
    )
    assert result == Tally()
