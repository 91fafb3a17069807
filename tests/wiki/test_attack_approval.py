"""What an approval binds (SPEC 5), tried as an attacker would, on the real wiki.

The preview id covers the request's name and the SHA-1 of every media file the
preview shows: a moved request and bytes swapped on the partner's server after
the preview both make the approval stale, and nothing is uploaded until a
reviewer approves the new preview.
"""

from __future__ import annotations

from bots.dev.demo import png
from bots.jobs import preview as preview_step
from tests.faults.helpers import report, sha1, tally
from tests.support.workflow import Workflow


def media_bytes(flow: Workflow, row: dict[str, str]) -> bytes:
    return (flow.media.folder / row["image"].rsplit("/", 1)[1]).read_bytes()


def test_a_moved_request_needs_a_new_approval(flow, person):
    rows = flow.rows(2)
    flow.file_request("Before move", rows)
    flow.run()
    approved = flow.approve("Before move")
    moved = flow.hub.request("After move")
    person("Volunteer").api(
        "move",
        **{"from": flow.hub.request("Before move")},
        to=moved,
        reason="a better name",
        noredirect=0,
        token=person("Volunteer").site.get_token("csrf"),
    )
    summary = flow.run()
    assert summary.requests["After move"] == "awaiting-approval"
    assert flow.preview_id("After move") != approved
    assert f"approval of preview {approved} is stale" in flow.status_text("After move")
    assert flow.uploads("After move") == [] and flow.uploads("Before move") == []
    result = tally(flow.bot, absent=[sha1(media_bytes(flow, r)) for r in rows])
    assert result.clean
    report(
        "a plain user moves an approved request page to a new name",
        "the preview id covers the name: approval stale, nothing uploaded under the new name",
        result,
        "real wiki",
    )
    # a reviewer approves the preview of the request under its new name
    flow.approve("After move")
    assert flow.run().requests["After move"] == "done"
    assert len(flow.uploads("After move")) == 2


def test_media_swapped_after_the_preview_makes_the_approval_stale(flow):
    rows = flow.rows(3)
    flow.file_request("Swapped", rows)
    flow.run()
    preview = flow.bot.read_page(flow.hub.preview("Swapped")).text
    original = media_bytes(flow, rows[0])
    assert f"<code>{sha1(original)}</code>" in preview  # the preview shows each SHA-1
    approved = flow.approve("Swapped")

    swapped = png(33, 25, 99_001)  # the partner's server now serves another image
    flow.media.put(rows[0]["image"].rsplit("/", 1)[1], swapped)
    summary = flow.run()
    assert summary.requests["Swapped"] == "awaiting-approval"
    assert flow.preview_id("Swapped") != approved
    assert f"<code>{sha1(swapped)}</code>" in flow.bot.read_page(flow.hub.preview("Swapped")).text
    result = tally(flow.bot, absent=[sha1(swapped), sha1(original)])
    assert result.clean and flow.uploads("Swapped") == []
    report(
        "the partner's server swaps a previewed image after the approval",
        "the preview id covers each shown file's SHA-1: approval stale, nothing uploaded",
        result,
        "real wiki",
    )


def test_media_swapped_during_the_run_uploads_the_bytes_the_preview_read(flow, monkeypatch):
    """Bytes swapped between the preview's reading and the upload are never uploaded."""
    rows = flow.rows(2)
    flow.file_request("Raced", rows)
    flow.run()
    flow.approve("Raced")
    original = media_bytes(flow, rows[1])
    swapped = png(31, 23, 99_002)
    check_shown = preview_step.check_shown

    def check_then_swap(*args, **kwargs):
        checks = check_shown(*args, **kwargs)
        assert checks[-1].record_id == rows[-1]["id"]  # the preview read the last file
        flow.media.put(rows[1]["image"].rsplit("/", 1)[1], swapped)
        return checks

    monkeypatch.setattr(preview_step, "check_shown", check_then_swap)
    assert flow.run().requests["Raced"] == "done"
    result = tally(
        flow.bot,
        present=[sha1(media_bytes(flow, rows[0])), sha1(original)],
        absent=[sha1(swapped)],
    )
    assert result.clean
    report(
        "the partner's server swaps an image between the preview's reading and its upload",
        "the upload takes the bytes the preview read and showed; the new bytes are never sent",
        result,
        "real wiki",
    )


def test_media_unreadable_in_the_preview_is_not_uploaded_when_it_appears(flow, monkeypatch):
    """A file the approved preview could not read binds "no file": bytes that appear later
    in the same run stop the upload until a reviewer sees them."""
    rows = flow.rows(2)
    name = rows[1]["image"].rsplit("/", 1)[1]
    late = (flow.media.folder / name).read_bytes()
    (flow.media.folder / name).unlink()
    flow.file_request("Late", rows)
    flow.run()
    preview = flow.bot.read_page(flow.hub.preview("Late")).text
    assert "The media file: " in preview and "404" in preview
    flow.approve("Late")
    check_shown = preview_step.check_shown

    def check_then_publish(*args, **kwargs):
        checks = check_shown(*args, **kwargs)
        assert checks[-1].record_id == rows[-1]["id"]  # the preview read the last file
        flow.media.put(name, late)
        return checks

    monkeypatch.setattr(preview_step, "check_shown", check_then_publish)
    summary = flow.run()
    assert summary.requests["Late"] == "awaiting-approval"
    status = flow.status_text("Late")
    assert "gives other bytes for record" in status and sha1(late) in status
    result = tally(flow.bot, present=[sha1(media_bytes(flow, rows[0]))], absent=[sha1(late)])
    assert result.clean
    report(
        "a previewed media file the server did not give appears after the approval",
        "the approval bound no file for it: uploading stops, awaiting a new approval",
        result,
        "real wiki",
    )


def test_a_finished_request_stays_done_when_its_source_goes_away(flow, person):
    """SPEC 7: a done request is not read again; an unreadable source is only a note."""
    finished = "Finished"
    rows = flow.rows(2)
    flow.file_request(finished, rows)
    flow.run()
    flow.approve(finished)
    assert flow.run().requests[finished] == "done"
    status = flow.bot.read_page(flow.hub.status(finished)).revid
    (flow.media.folder / "Finished.csv").unlink()  # the partner's server lost the data

    assert flow.run().requests[finished] == "done"
    assert flow.bot.read_page(flow.hub.status(finished)).revid == status  # not even read

    # a human edits the request page: the bot looks again, and says what it cannot read
    text = person("Partner").text(flow.hub.request(finished))
    person("Partner").edit(flow.hub.request(finished), text + "\nThanks!", "discussion")
    assert flow.run().requests[finished] == "done"
    line = flow.status(finished)
    assert (line["state"], line["uploaded"]) == ("done", "2")
    page = flow.status_text(finished)
    assert "cannot read it as it is now" in page and "404" in page
    assert len(flow.uploads(finished)) == 2
