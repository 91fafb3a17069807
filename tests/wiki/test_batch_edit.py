"""Batch edits of files already on the wiki (SPEC 13), on the real wiki.

Files uploaded years ago by another tool (here: a volunteer's own uploads),
edited by the community in between, are improved by a request with
``mode = edit``: the preview shows each change as a diff, and the approved
edit merges three ways, keeping what the community changed.
"""

from __future__ import annotations

import hashlib
import uuid

from bots.dev.demo import png
from bots.store import Outcome
from tests.faults.helpers import Tally, report
from tests.support.workflow import Workflow, csv_text

OLD_PAGE = """=={{{{int:filedesc}}}}==
{{{{Information
 |description = {description}
 |date = 1900
 |source = old scan
 |author = Unknown
}}}}

=={{{{int:license-header}}}}==
{{{{cc-zero}}}}

[[Category:Old uploads]]
"""


def old_files(flow: Workflow, person, count: int) -> list[tuple[str, str]]:
    """Files another user uploaded earlier: (title, sha1)."""
    files = []
    tag = uuid.uuid4().hex[:6]
    for n in range(count):
        data = png(20 + n, 16, 5000 + n + int(tag, 16) % 1000)
        name = f"Old scan {tag} {n}.png"
        person("Volunteer").upload(name, data, OLD_PAGE.format(description=f"Scan {n}"))
        files.append((f"File:{name}", hashlib.sha1(data).hexdigest()))
    return files


def edit_request(flow: Workflow, name: str, rows: list[dict[str, str]]) -> None:
    source = flow.media.put(f"{name}.csv", csv_text(rows).encode())
    flow.file_request(
        name,
        None,
        source=source,
        mode="edit",
        target="file",
        file=None,
        title=None,
        license=None,
        description="{caption}",
        date="{year}",
        author=None,
        categories="Improved by the hub test",
    )


def test_a_batch_edit_keeps_community_changes_and_shows_diffs(flow, person):
    files = old_files(flow, person, 3)
    # the community improves the author of the first file before anything happens
    first = files[0][0]
    person("Volunteer").edit(
        first, person("Volunteer").text(first).replace("Unknown", "[[William Blake]]"), "author"
    )
    rows = [
        {"id": "E1", "file": files[0][0], "caption": "The Tyger, first state", "year": "1794"},
        {
            "id": "E2",
            "file": files[1][0].removeprefix("File:"),
            "caption": "A proof",
            "year": "1795",
        },
        {"id": "E3", "file": files[2][1], "caption": "Found by its bytes", "year": "1796"},
        {"id": "E4", "file": "File:No such scan.png", "caption": "x", "year": "1"},
    ]
    edit_request(flow, "Improve", rows)
    assert flow.run().requests["Improve"] == "awaiting-approval"
    preview = flow.bot.read_page(flow.hub.preview("Improve")).text
    assert "File page to change" in preview or "File pages to change: 3" in preview
    assert "The Tyger, first state" in preview and "Scan 0" in preview  # both sides of the diff
    assert "There is no file page File:No such scan.png" in preview
    pid = flow.approve("Improve")

    # after the preview, someone changes a field the request sets: their value stays
    second = files[1][0]
    person("Volunteer").edit(
        second, person("Volunteer").text(second).replace("date = 1900", "date = c. 1795"), "date"
    )
    assert flow.run().requests["Improve"] == "done"

    one = flow.file_text(first)
    assert "|description = The Tyger, first state" in one and "|date = 1794" in one
    assert "[[William Blake]]" in one  # the community's author is kept
    assert "[[Category:Improved by the hub test]]" in one and "[[Category:Old uploads]]" in one
    assert "{{cc-zero}}" in one and "old scan" in one  # nothing else touched
    two = flow.file_text(second)
    assert "|description = A proof" in two and "date = c. 1795" in two
    three = flow.file_text(files[2][0])
    assert "|description = Found by its bytes" in three
    status = flow.status_text("Improve")
    assert "Community changes kept" in status and "date" in status
    line = flow.status("Improve")
    assert (line["edited"], line["state"]) == ("3", "done")

    # summaries link the request and carry one EditGroups id for the batch
    history = list(flow.bot.revisions(first))
    assert history[0].user == "HubBot" and "editgroups/b/CB/" in history[0].comment
    assert "Improve" in history[0].comment
    # a second run changes nothing
    before = {t: flow.bot.read_page(t).revid for t, _ in files}
    flow.run()
    assert {t: flow.bot.read_page(t).revid for t, _ in files} == before
    report(
        "a batch edit of files another user uploaded, with community edits before and after "
        "the preview",
        "fields and categories the request sets updated; the community's changes kept and "
        "listed; nothing else on the pages touched",
        Tally(),
        "real wiki",
    )
    assert pid


def test_an_ambiguous_sha1_is_a_problem(flow, person):
    data = png(21, 17, 777_000 + int(uuid.uuid4().hex[:4], 16))
    tag = uuid.uuid4().hex[:6]
    person("Volunteer").upload(f"Twin {tag} a.png", data, OLD_PAGE.format(description="a"))
    # the wiki refuses exact duplicates through the API's warnings; ignore them as a person might
    person("Volunteer").site.upload(
        __import__("io").BytesIO(data),
        filename=f"Twin {tag} b.png",
        description=OLD_PAGE.format(description="b"),
        ignore=True,
    )
    rows = [{"id": "T1", "file": hashlib.sha1(data).hexdigest(), "caption": "x", "year": "1"}]
    edit_request(flow, "Twins", rows)
    flow.run()
    preview = flow.bot.read_page(flow.hub.preview("Twins")).text
    assert "2 files on the wiki have the SHA-1" in preview
    with flow.store() as store:
        assert store.counts("Twins")[Outcome.EDITED] == 0
