"""Batch edits of files already on the wiki (SPEC 13), on the real wiki.

Files uploaded years ago by another tool (here: a volunteer's own uploads),
edited by the community in between, are improved by a request with
``mode = edit``: the preview shows each change as a diff, and the approved
edit merges three ways, keeping what the community changed. The files also
get the record's captions and statements (the test wiki has WikibaseMediaInfo),
added to what the community gave them, never twice, never over a caption
someone wrote.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter

from bots.dev.demo import png
from bots.statements import ItemValue, TimeValue
from bots.store import DataState, Outcome
from tests.faults.helpers import Tally, report
from tests.support.items import claim
from tests.support.workflow import Workflow, csv_text

PAINTING, HUMAN = "Q3305213", "Q5"

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


def edit_request(flow: Workflow, name: str, rows: list[dict[str, str]], **more: str) -> None:
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
        **more,
    )


def community_data(person, title: str, data: dict) -> None:
    """A volunteer gives a file structured data of their own (captions, statements)."""
    volunteer = person("Volunteer")
    token = volunteer.site.get_token("csrf")
    volunteer.api(
        "wbeditentity", site="commonswiki", title=title, data=json.dumps(data), token=token
    )


def entity(flow: Workflow, title: str):
    return flow.bot.entities_of_files([title], ())[title]


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


def test_a_batch_edit_adds_captions_and_statements(flow, person):
    files = old_files(flow, person, 2)
    first, second = files[0][0], files[1][0]
    # the community described the first file already: a caption and the genre
    community_data(
        person,
        first,
        {
            "labels": {"en": {"language": "en", "value": "Caption by a volunteer"}},
            "claims": [claim("P136", PAINTING)],
        },
    )
    theirs = entity(flow, first)
    rows = [
        {"id": f"S{n}", "file": title, "caption": f"Scan caption {n}", "year": f"190{n}"}
        for n, (title, _) in enumerate(files)
    ]
    edit_request(
        flow,
        "Describe",
        rows,
        caption="{caption}",
        caption_sv="Bild {id}",
        statements=f"P136={PAINTING}",
    )
    assert flow.run().requests["Describe"] == "awaiting-approval"
    preview = flow.bot.read_page(flow.hub.preview("Describe")).text
    assert "'''Structured data''' the bot adds to the file:" in preview
    assert "Caption (en) the file has already, which stays: Caption by a volunteer" in preview
    assert "Caption (sv): Bild S0" in preview and "Caption (en): Scan caption 1" in preview
    assert "(P7482)" in preview and "(Q3305213)" in preview  # with their labels
    shown_first = preview.split(f"=== [[:{first}]] ===")[1].split("=== ")[0]
    assert "(P136)" not in shown_first  # the file has it already: never twice
    flow.approve("Describe")
    assert flow.run().requests["Describe"] == "done", flow.status_text("Describe")

    one, two = entity(flow, first), entity(flow, second)
    assert one.labels == {"en": "Caption by a volunteer", "sv": "Bild S0"}
    assert two.labels == {"en": "Scan caption 1", "sv": "Bild S1"}
    for state, year in ((one, "1900"), (two, "1901")):
        keys = Counter((h.property, h.value) for h in state.statements)
        assert keys[("P136", ItemValue(PAINTING))] == 1
        assert keys[("P571", TimeValue(f"+{year}-00-00T00:00:00Z", 9))] == 1
        assert any(p == "P7482" for p, _ in keys)
    status = flow.status_text("Describe")
    assert "Kept the caption someone wrote in en" in status
    with flow.store() as store:
        assert store.structured_counts("Describe")[DataState.DONE] == 2
        journal = store.file_claims("Describe")
    volunteers = {h.id for h in theirs.statements}
    mine = {c.key for c in journal if c.kind == "statement"}
    assert not mine & volunteers  # the volunteer's genre is theirs
    assert mine == {h.id for h in one.statements + two.statements} - volunteers
    captions = {(c.entity, c.key, c.value) for c in journal if c.kind == "caption"}
    assert captions == {
        (one.id, "sv", "Bild S0"),
        (two.id, "en", "Scan caption 1"),
        (two.id, "sv", "Bild S1"),
    }
    # a second run adds nothing
    revids = (one.revid, two.revid)
    flow.run()
    assert (entity(flow, first).revid, entity(flow, second).revid) == revids
    report(
        "a batch edit of files another user uploaded and described, with captions and statements",
        "each file got what it lacked in one wbeditentity; the community's caption and "
        "statement kept, nothing added twice, every addition journalled for undo",
        Tally(),
        "real wiki and Wikibase",
    )


def test_a_batch_edit_without_structured_data_edits_the_pages(flow, person, config_file):
    flow.config_path = config_file(wikibase={"structured_data": False})
    ((title, _),) = old_files(flow, person, 1)
    rows = [{"id": "P1", "file": title, "caption": "Plain caption", "year": "1920"}]
    edit_request(flow, "Unstructured", rows, caption="{caption}")
    summary = flow.run()
    assert summary.requests["Unstructured"] == "awaiting-approval", flow.status_text("Unstructured")
    assert (
        "Structured data is switched off"
        in flow.bot.read_page(flow.hub.preview("Unstructured")).text
    )
    flow.approve("Unstructured")
    assert flow.run().requests["Unstructured"] == "done"
    assert "|description = Plain caption" in flow.file_text(title)
    assert "Structured data is switched off" in flow.status_text("Unstructured")
    assert not entity(flow, title).exists


def test_a_batch_edit_with_a_wrong_property_is_invalid(flow, person):
    ((title, _),) = old_files(flow, person, 1)
    rows = [{"id": "W1", "file": title, "caption": "x", "year": "1920"}]
    edit_request(flow, "Wrongprop", rows, statements="P99999=Q5")
    assert flow.run().requests["Wrongprop"] == "invalid"
    assert "There is no property P99999" in flow.status_text("Wrongprop")
    assert "Improved by the hub test" not in flow.file_text(title)
