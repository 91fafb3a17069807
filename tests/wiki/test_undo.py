"""Undoing a request (SPEC 13), on the real wiki: approved like an upload, nothing else touched."""

from __future__ import annotations

from tests.faults.helpers import Tally, report
from tests.wiki.test_batch_edit import edit_request, old_files


def undo(flow, name: str) -> str:
    """The partner asks for the undo; the bot previews it; a reviewer approves that preview."""
    flow.set_request_param(name, "undo", "yes")
    assert flow.run().requests[name] == "awaiting-approval"
    return flow.approve(name)


def test_undo_of_a_batch_edit_reverts_only_what_nobody_built_on(flow, person):
    files = old_files(flow, person, 3)
    rows = [
        {"id": f"U{n}", "file": title, "caption": f"Improved {n}", "year": f"180{n}"}
        for n, (title, _) in enumerate(files)
    ]
    edit_request(flow, "Regret", rows)
    flow.run()
    flow.approve("Regret")
    assert flow.run().requests["Regret"] == "done"
    before = {t: person("Volunteer").text(t) for t, _ in files}
    assert all("Improved" in text for text in before.values())
    # someone builds on the bot's edit of the last file
    last = files[2][0]
    person("Volunteer").edit(last, before[last] + "\n[[Category:Reviewed]]", "reviewed")

    pid = undo(flow, "Regret")
    preview = flow.bot.read_page(flow.hub.preview("Regret")).text
    assert "Page edits to revert: 2" in preview and "Left as they are: 1" in preview
    assert flow.run().requests["Regret"] == "done"
    for title, _ in files[:2]:
        text = flow.file_text(title)
        assert "Improved" not in text and "|description = Scan" in text  # back to the old page
    assert "Improved 2" in flow.file_text(last) and "[[Category:Reviewed]]" in flow.file_text(last)
    status = flow.status_text("Regret")
    assert f"Undo (preview {pid})" in status and "edited the page after the bot" in status
    # a second run does nothing more
    revids = {t: flow.bot.read_page(t).revid for t, _ in files}
    flow.run()
    assert {t: flow.bot.read_page(t).revid for t, _ in files} == revids
    report(
        "undo of a batch edit after a volunteer built on one of the edited pages",
        "reverted the two pages nobody edited after the bot; the third left and listed",
        Tally(),
        "real wiki",
    )


def test_undo_of_an_upload_batch_lists_the_files_for_deletion(flow):
    rows = flow.rows(3)
    flow.file_request("Oops", rows)
    flow.run()
    flow.approve("Oops")
    assert flow.run().requests["Oops"] == "done"
    uploaded = flow.uploads("Oops")
    assert len(uploaded) == 3

    undo(flow, "Oops")
    assert flow.run().requests["Oops"] == "done"
    page = flow.bot.read_page(flow.hub.request("Oops") + "/Undo").text
    assert all(f"[[:{title}]]" in page for title in uploaded)
    assert "Reviewer" in page  # who approved the undo
    assert flow.uploads("Oops") == uploaded  # listed, not deleted: an administrator decides


def test_undo_deletes_when_configured_and_the_bot_may(flow, devwiki, config_file):
    rows = flow.rows(2)
    flow.file_request("Gone", rows)
    flow.run()
    flow.approve("Gone")
    flow.run()
    uploaded = flow.uploads("Gone")
    devwiki.set_extra_settings("$wgGroupPermissions['bot']['delete'] = true;")
    try:
        flow.bot.refresh_account()
        flow.config_path = config_file(
            hub={"root": flow.hub_root, "install_standins": True, "undo_deletes": True}
        )
        undo(flow, "Gone")
        assert flow.run().requests["Gone"] == "done"
    finally:
        devwiki.set_extra_settings(None)
        flow.bot.refresh_account()
    assert flow.uploads("Gone") == []
    assert all(not flow.bot.files([t])[t].exists for t in uploaded)
    assert "deleted by the bot" in flow.bot.read_page(flow.hub.request("Gone") + "/Undo").text
