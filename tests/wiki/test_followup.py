"""After the upload, on the real wiki: impact, sync that respects the community, export."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from bots.jobs.export import run_export
from bots.jobs.impact import run_impact
from bots.jobs.sync import run_sync
from bots.store import StateStore
from tests.support.workflow import Workflow, csv_text


def finished(flow: Workflow, name: str, rows, **params) -> None:
    flow.file_request(name, rows, **params)
    flow.run()
    flow.approve(name)
    assert flow.run().requests == {name: "done"}


def with_store(flow: Workflow, fn, *args, **kwargs):
    store = StateStore.from_url(flow.config.state.url)
    try:
        return fn(flow.config, flow.bot, store, *args, **kwargs)
    finally:
        store.close()


def test_impact_counts_real_usage_and_not_the_hubs_own_pages(flow, person):
    rows = flow.rows(3)
    finished(flow, "Reach", rows)
    used = flow.title("R001")
    person("Volunteer").edit("Article about reach", f"[[{used}|thumb]] and [[{used}]]", "use")
    person("Partner").edit("User:Partner/Gallery", f"<gallery>\n{used}\n</gallery>", "gallery")
    written = with_store(flow, run_impact, "Reach", progress=lambda m: None)
    assert written == [flow.hub.impact("Reach")]
    text = flow.bot.read_page(flow.hub.impact("Reach")).text
    assert '| Files uploaded || style="text-align:right;" | 3 ||' in text
    assert '| Files in use || style="text-align:right;" | 1 (33 % of the files)' in text
    assert '| Pages using the files || style="text-align:right;" | 2 ||' in text
    assert "Article about reach" in text and "User:Partner/Gallery" in text
    assert "not measured" in text  # no analytics service configured: said, not zero
    chart = flow.bot.files(["File:Content Partnerships Hub impact Reach.png"])
    assert chart["File:Content Partnerships Hub impact Reach.png"].exists
    # a second day's run uploads the chart as a new version, never a second file
    with_store(flow, run_impact, "Reach", progress=lambda m: None)
    assert flow.bot.find_sha1(chart["File:Content Partnerships Hub impact Reach.png"].sha1) == [
        "File:Content Partnerships Hub impact Reach.png"
    ]


def test_every_chart_of_a_one_request_hub_is_a_file_of_its_own(flow, person):
    """With one request the hub's chart draws that request's line: still two files."""
    name = f"Alone {flow.tag}"  # chart titles are wiki-wide
    finished(flow, name, flow.rows(2))
    used = flow.title("R001")
    person("Volunteer").edit(f"Article about {name}", f"[[{used}|thumb]]", "use")
    written = with_store(flow, run_impact, progress=lambda m: None)
    hub_page = f"{flow.hub.root}/Impact"
    assert written == [flow.hub.impact(name), hub_page]
    charts = {
        flow.hub.impact(name): f"File:Content Partnerships Hub impact {name}.png",
        hub_page: "File:Content Partnerships Hub impact.png",
    }
    for page, chart in charts.items():
        text = flow.bot.read_page(page).text
        linked = re.findall(r"\[\[:?(File:[^|\]]+)", text)
        assert linked[0] == chart, (page, linked)
        # every file the page shows or links is on the wiki
        files = flow.bot.files(linked)
        assert all(files[title].exists for title in linked), (page, linked)
        # the chart is its own file, not refused as a copy of another chart
        assert flow.bot.find_sha1(files[chart].sha1) == [chart]
        info = flow.bot.call(
            action="query", titles=chart, prop="imageinfo", iiprop="metadata|timestamp"
        )["query"]["pages"][0]["imageinfo"][0]
        metadata = {m["name"]: m["value"] for m in info["metadata"]}
        assert page in str(metadata), metadata


def test_sync_updates_untouched_fields_and_keeps_community_edits(flow, person):
    rows = flow.rows(2)
    for r in rows:
        r["year"] = "1800"
    finished(flow, "Synced", rows, date="{year}", sync="yes")
    title = flow.title("R001")
    page = person("Volunteer").text(title)
    community = page.replace(f"|author = {rows[0]['artist']}", "|author = [[William Blake]]")
    community += "\n[[Category:Added by a volunteer]]"
    person("Volunteer").edit(title, community, "improving the author")

    # the partner corrects both the date and the artist in the catalogue
    for r in rows:
        r["year"] = "1801"
        r["artist"] = "Blake, W."
    flow.media.put("Synced.csv", csv_text(rows).encode())
    results = with_store(flow, run_sync, "Synced", progress=lambda m: None)
    assert "2 file pages updated" in results["Synced"]
    assert "1 community changes kept" in results["Synced"]

    synced = flow.file_text(title)
    assert "|date = 1801" in synced  # untouched by the community: updated
    assert "|author = [[William Blake]]" in synced  # the community's value stays
    assert "[[Category:Added by a volunteer]]" in synced
    other = flow.file_text(flow.title("R002"))
    assert "|date = 1801" in other and "|author = Blake, W." in other
    status = flow.status_text("Synced")
    assert "Keeping files in step" in status and "author" in status
    # edits link the request
    rc = flow.bot.call(
        action="query", list="recentchanges", rctitle=title, rcprop="comment|user", rclimit=1
    )["query"]["recentchanges"][0]
    assert rc["user"] == "HubBot" and "Synced" in rc["comment"]
    # a second sync changes nothing and still keeps the community's value
    again = with_store(flow, run_sync, "Synced", progress=lambda m: None)
    assert "0 file pages updated" in again["Synced"]
    assert "|author = [[William Blake]]" in flow.file_text(title)


def test_sync_lists_new_and_vanished_records_without_touching_them(flow):
    rows = flow.rows(2)
    finished(flow, "Moving", rows, sync="yes")
    new_rows = [rows[1], *flow.rows(1, prefix="N")]
    flow.media.put("Moving.csv", csv_text(new_rows).encode())
    result = with_store(flow, run_sync, "Moving", progress=lambda m: None)["Moving"]
    assert "1 new records" in result and "1 gone from the source" in result
    assert flow.bot.read_page(flow.title("R001")).exists  # never deleted
    assert not flow.bot.files([flow.title("N001")])[flow.title("N001")].exists
    # the next run previews the new record; it waits for a reviewer
    assert flow.run().requests["Moving"] == "awaiting-approval"
    assert "N001" in flow.bot.read_page(flow.hub.preview("Moving")).text
    flow.approve("Moving")
    assert flow.run().requests["Moving"] == "done"
    assert flow.bot.files([flow.title("N001")])[flow.title("N001")].exists


def test_sync_only_with_sync_yes(flow):
    finished(flow, "Nosync", flow.rows(1))
    result = with_store(flow, run_sync, "Nosync", progress=lambda m: None)["Nosync"]
    assert "does not say |sync=yes" in result


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_marks_community_categories(flow, person, fmt):
    rows = flow.rows(2)
    name = f"Export {fmt}"
    finished(flow, name, rows, categories="Test Museum", mapped="artist")
    title = flow.title("R001")
    person("Volunteer").edit(
        title, person("Volunteer").text(title) + "\n[[Category:Portraits]]", "categorising"
    )
    out = io.StringIO()
    count = with_store(flow, run_export, name, out, fmt)
    assert count == 2
    if fmt == "json":
        data = json.loads(out.getvalue())
        records = data if isinstance(data, list) else data["records"]
        row = next(r for r in records if r["id"] == "R001")
        text = json.dumps(row)
    else:
        table = list(csv.DictReader(io.StringIO(out.getvalue())))
        row = next(r for r in table if r["id"] == "R001")
        text = json.dumps(row)
    assert title.removeprefix("File:") in text
    assert "Portraits" in text and "Test Museum" in text
    info = flow.bot.files([title])[title]
    assert info.sha1 in text


def test_cli_commands_exist_and_export_runs(flow):
    finished(flow, "Cli", flow.rows(1))
    result = flow.run_cli("export", "Cli", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "R001" in result.stdout
    result = flow.run_cli("impact", "--request", "Cli")
    assert result.returncode == 0, result.stderr
    result = flow.run_cli("sync", "--request", "Nope")
    assert result.returncode == 1 and "no request Nope" in result.stderr
