"""Every command that writes obeys the stop page (SPEC 6), on the real wiki.

`hubbot run`, `impact` and `sync` pass one write gate: while the stop page says
anything but an approver's `run`, each exits with status 3 and the only page it
writes is the one line on the dashboard.
"""

from __future__ import annotations

import pytest

from tests.faults.helpers import Tally, report, sha1, tally
from tests.support.workflow import Workflow, csv_text


def finished(flow: Workflow, name: str, rows, **params) -> None:
    flow.file_request(name, rows, **params)
    flow.run()
    flow.approve(name)
    assert flow.run().requests == {name: "done"}


def newest_revisions(flow: Workflow, titles: list[str]) -> dict[str, int]:
    pages = flow.bot.read_pages(titles)
    return {title: pages[title].revid for title in titles}


def bot_edits_since(flow: Workflow, revid: int) -> list[str]:
    """Titles the bot saved after revision ``revid`` (from the wiki's recent changes)."""
    data = flow.bot.call(
        action="query",
        list="recentchanges",
        rcuser="HubBot",
        rcprop="title|ids",
        rclimit="max",
        rctype="edit|new",
    )
    return sorted({rc["title"] for rc in data["query"]["recentchanges"] if rc["revid"] > revid})


@pytest.mark.parametrize("command", ["impact", "sync", "run"])
def test_every_writing_command_stops_at_the_stop_page(flow, person, command):
    rows = flow.rows(2)
    for r in rows:
        r["year"] = "1800"
    finished(flow, "Gated", rows, date="{year}", sync="yes")
    # the partner changes the data, so sync would have something to write
    for r in rows:
        r["year"] = "1801"
    flow.media.put("Gated.csv", csv_text(rows).encode())
    # a new request that run would preview
    flow.file_request("Waiting", flow.rows(1, prefix="W"))

    person("Volunteer").edit(flow.hub.stop, "stop", "something looks wrong")
    last = flow.bot.read_page(flow.hub.stop).revid
    result = flow.run_cli(command)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "stopped" in result.stderr and "Traceback" not in result.stderr
    # the one write: a line on the dashboard
    assert bot_edits_since(flow, last) == [flow.hub.dashboard]
    assert "The bot is stopped" in flow.bot.read_page(flow.hub.dashboard).text
    assert "1800" in flow.file_text(flow.title("R001"))  # sync wrote nothing
    assert not flow.bot.read_page(flow.hub.preview("Waiting")).exists
    assert not flow.bot.read_page(flow.hub.impact("Gated")).exists
    report(
        f"the stop page says stop; `hubbot {command}` is started",
        "exit status 3; the only page written is the stop line on the dashboard",
        Tally(wrong=len(bot_edits_since(flow, last)) - 1),
        "real wiki",
    )

    # an approver starts the bot again: the same command now writes
    person("Reviewer").edit(flow.hub.stop, "run", "all clear")
    result = flow.run_cli(command)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_stop_during_a_run_ends_it_before_the_next_upload(flow, person, monkeypatch):
    """The wiki client asks the gate before every write: a stop set mid-run is obeyed."""
    from bots.jobs import session as gate

    monkeypatch.setattr(gate, "STOP_CHECK_SECONDS", 0)  # re-read the stop page at every write
    rows = flow.rows(4)
    flow.file_request("Midway", rows)
    flow.run()
    flow.approve("Midway")

    uploaded: list[str] = []
    original = flow.bot.upload

    def upload_then_stop(*args, **kwargs):
        outcome = original(*args, **kwargs)
        uploaded.append(args[0])
        if len(uploaded) == 2:
            person("Volunteer").edit(flow.hub.stop, "stop", "stop now")
        return outcome

    monkeypatch.setattr(flow.bot, "upload", upload_then_stop)
    summary = flow.run()
    assert summary.stopped and "stop" in summary.stopped
    assert len(uploaded) == 2
    with flow.store() as store:
        states = {s.record_id: s.outcome.value for s in store.all("Midway")}
    assert sorted(states.values()).count("uploaded") == 2
    assert "in_flight" not in states.values()  # the refused write was never sent
    # the two records after the stop are approved, but nothing may be written while stopped
    later = [
        sha1((flow.media.folder / r["image"].rsplit("/", 1)[1]).read_bytes()) for r in rows[2:]
    ]
    result = tally(flow.bot, absent=later)
    assert result.clean
    report(
        "the stop page is set to stop while a run uploads",
        "the next write is refused by the gate; the record stays pending; exit status 3",
        result,
        "real wiki",
    )
