"""The workflow of SPEC sections 3 to 9 against the real wiki, with several users."""

from __future__ import annotations

import re
import time
from html import unescape

from bots.store import Outcome
from tests.support.workflow import Workflow


def approve_and_run(flow: Workflow, name: str, by: str = "Reviewer"):
    flow.run()
    flow.approve(name, by=by)
    return flow.run()


# --- the happy path ------------------------------------------------------------


def test_request_to_uploaded_files(flow, media):
    batch = flow.rows(3)
    flow.file_request("Happy", batch, mapped="artist", categories="Test Museum")
    summary = flow.run()
    assert summary.requests == {"Happy": "awaiting-approval"}
    status = flow.status("Happy")
    assert status["state"] == "awaiting-approval"
    assert status["total"] == "3"
    preview = flow.bot.read_page(flow.hub.preview("Happy")).text
    pid = flow.preview_id("Happy")
    assert status["preview"] == pid
    assert flow.title("R001") in preview
    mapping = flow.bot.read_page(flow.hub.mapping("Happy", "artist")).text
    assert "{{Mapping row|value=Blake, William|count=1|" in mapping
    assert "{{Mapping row|value=Turner, J. M. W.|count=2|" in mapping
    assert mapping.index("Turner") < mapping.index("Blake")  # by count, then value

    flow.approve("Happy")
    summary = flow.run()
    assert summary.requests == {"Happy": "done"}
    status = flow.status("Happy")
    assert (status["state"], status["uploaded"], status["pending"]) == ("done", "3", "0")
    text = flow.file_text(flow.title("R001"))
    assert "{{Information" in text and "{{cc-zero}}" in text
    assert "{{Partnership upload|request=Happy|id=R001}}" in text
    assert "[[Category:Test Museum]]" in text
    info = flow.bot.files([flow.title("R001")])[flow.title("R001")]
    assert info.exists and info.mime == "image/png"
    dashboard = flow.bot.read_page(flow.hub.dashboard).text
    assert re.search(r"\[\[[^]]*Happy\|Happy\]\] \|\| Test Museum \|\| done \|\| 3 / 3", dashboard)
    # the request's tracking category exists and is hidden
    info = flow.bot.call(
        action="query",
        titles="Category:Content Partnerships Hub uploads/Happy",
        prop="categoryinfo|info",
    )["query"]["pages"][0]
    assert "missing" not in info and info["categoryinfo"].get("hidden") is True
    assert info["categoryinfo"]["files"] == 3
    # a later run changes nothing and uploads nothing again
    assert flow.run().requests == {"Happy": "done"}
    assert flow.status("Happy")["uploaded"] == "3"


def test_mapping_fills_categories_and_text(flow, media):
    flow.file_request("Mapped", flow.rows(2), mapped="artist")
    flow.run()
    title = flow.hub.mapping("Mapped", "artist")
    volunteer = flow.person("Volunteer")
    table = volunteer.text(title)
    table = table.replace(
        "|value=Turner, J. M. W.|count=1|categories=|wikidata=|text=}}",
        "|value=Turner, J. M. W.|count=1|categories=J. M. W. Turner|wikidata=Q159758"
        "|text=[[w:J. M. W. Turner|Turner]]}}",
    )
    table = table + "\nA volunteer's note under the table.\n"
    volunteer.edit(title, table, "mapping Turner")
    approve_and_run(flow, "Mapped")
    assert flow.status("Mapped")["state"] == "done"
    text = flow.file_text(flow.title("R001"))
    assert "[[Category:J. M. W. Turner]]" in text
    assert "[[w:J. M. W. Turner|Turner]]" in text
    # the bot regenerated the table later without losing the human's work
    kept = flow.bot.read_page(title).text
    assert "categories=J. M. W. Turner|wikidata=Q159758" in kept
    assert "A volunteer's note under the table." in kept


def test_data_pasted_on_the_wiki(flow, media):
    data_page = f"{flow.hub.request('Pasted')}/Data"
    lines = ["id\ttitle\tartist\timage"]
    for i in range(1, 3):
        lines.append(f"P{i}\tPasted {i}\tAnon\t{media.image(f'pasted-{i}.png')}")
    flow.person("Partner").edit(data_page, "<pre>\n" + "\n".join(lines) + "\n</pre>", "data")
    flow.file_request("Pasted", source=data_page, format="tsv")
    approve_and_run(flow, "Pasted")
    assert flow.status("Pasted")["uploaded"] == "2"
    assert flow.bot.files(["Pasted 1 (P1).png"])["Pasted 1 (P1).png"].exists


# --- approval (SPEC 5) -------------------------------------------------------


def test_self_approval_is_refused(flow, media):
    flow.file_request("Self", flow.rows(1), by="Reviewer")
    flow.run()
    flow.approve("Self", by="Reviewer")
    assert flow.run().requests == {"Self": "awaiting-approval"}
    assert "four eyes" in flow.status_text("Self")
    assert flow.store().counts("Self")[Outcome.UPLOADED] == 0


def test_approval_by_a_non_approver_is_refused(flow, media):
    flow.file_request("Nonapprover", flow.rows(1))
    flow.run()
    flow.approve("Nonapprover", by="Volunteer")
    assert flow.run().requests == {"Nonapprover": "awaiting-approval"}
    assert "Volunteer is not an approver" in flow.status_text("Nonapprover")


def test_approval_by_a_blocked_approver_is_refused(flow, media, person):
    flow.file_request("Blocked", flow.rows(1))
    flow.run()
    flow.approve("Blocked", by="Reviewer")
    person("Admin").block("Reviewer", "test: blocked approver")
    try:
        assert flow.run().requests == {"Blocked": "awaiting-approval"}
        assert "Reviewer is blocked" in flow.status_text("Blocked")
    finally:
        person("Admin").unblock("Reviewer")
    assert flow.run().requests == {"Blocked": "done"}


def test_approver_list_in_config(flow, media, config_file):
    flow.config_path = config_file(approvers={"groups": [], "users": ["Volunteer"]})
    flow.file_request("Listed", flow.rows(1))
    flow.run()
    pid = flow.approve("Listed", by="Reviewer")
    assert flow.run().requests == {"Listed": "awaiting-approval"}
    assert "Reviewer is not an approver" in flow.status_text("Listed")
    flow.set_request_param("Listed", "approve", "", by="Reviewer")
    flow.approve("Listed", by="Volunteer", pid=pid)
    assert flow.run().requests == {"Listed": "done"}


def test_stale_approval_after_a_data_edit(flow, media):
    batch = flow.rows(2)
    flow.file_request("Stale", batch)
    flow.run()
    old = flow.approve("Stale")
    batch[0]["title"] = "Changed title"
    flow.media.put("Stale.csv", _csv(batch))
    assert flow.run().requests == {"Stale": "awaiting-approval"}
    new = flow.preview_id("Stale")
    assert new != old
    text = flow.status_text("Stale")
    assert f"approval of preview {old} is stale" in text and new in text
    assert flow.store().counts("Stale")[Outcome.UPLOADED] == 0


def test_stale_approval_after_a_mapping_edit(flow, media):
    flow.file_request("Stalemap", flow.rows(2), mapped="artist")
    flow.run()
    old = flow.approve("Stalemap")
    title = flow.hub.mapping("Stalemap", "artist")
    text = flow.person("Volunteer").text(title)
    flow.person("Volunteer").edit(
        title, text.replace("|categories=|", "|categories=Paintings|", 1), "map"
    )
    assert flow.run().requests == {"Stalemap": "awaiting-approval"}
    assert flow.preview_id("Stalemap") != old
    assert "stale" in flow.status_text("Stalemap")


def status_box(flow, name: str) -> str:
    """The status box as the requester sees it on the request page, as plain text."""
    html = flow.bot.call(action="parse", page=flow.hub.request(name), prop="text")["parse"]["text"]
    box = html[html.index('class="cph-batch-status') :]
    box = box[box.index(">") + 1 :]
    box = re.sub(r"</?(code|b|i|span)\b[^>]*>", "", box)  # inline: no space
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", box)).split())


def after_a_second(flow):
    """Run the bot in the next second after a human edited the request page.

    The wiki keeps the request page's rendering (which shows the status box)
    until a purge with a later second: page_touched has a resolution of one
    second, so a status saved in the very second of an edit still shows the
    box as it was at that edit.
    """
    time.sleep(1.1)
    return flow.run()


def test_limit_and_pause(flow, media):
    flow.file_request("Trial", flow.rows(3), limit="1")
    flow.run()
    flow.approve("Trial")
    assert after_a_second(flow).requests == {"Trial": "paused"}
    assert flow.status("Trial")["uploaded"] == "1"
    assert flow.status("Trial")["reason"] == "limit" and flow.status("Trial")["limit"] == "1"
    assert "limit of 1" in flow.status_text("Trial")
    box = status_box(flow, "Trial")
    assert "Paused: the trial limit is reached" in box
    assert "trial limit of 1 uploaded file is reached" in box and "(|limit=1)" in box
    assert "raise |limit= on the request, or remove it" in box
    assert "Files uploaded: 1 of 3" in box
    assert "pause=yes" not in box
    flow.set_request_param("Trial", "pause", "yes")
    flow.set_request_param("Trial", "limit", "")
    assert after_a_second(flow).requests == {"Trial": "paused"}
    assert flow.status("Trial")["uploaded"] == "1"
    assert flow.status("Trial")["reason"] == "pause" and "limit" not in flow.status("Trial")
    box = status_box(flow, "Trial")
    assert "The request has |pause=yes" in box and "trial limit" not in box
    flow.set_request_param("Trial", "pause", "")
    assert flow.run().requests == {"Trial": "done"}  # limit/pause do not change the preview id
    assert flow.status("Trial")["uploaded"] == "3"


# --- the stop page (SPEC 6) --------------------------------------------------


def test_stop_page(flow, media, person):
    flow.file_request("Stopme", flow.rows(1))
    flow.run()
    flow.approve("Stopme")
    stop = flow.hub.stop
    person("Partner").edit(stop, "stop", "stop the bot")
    before = flow.bot.read_page(flow.hub.status("Stopme")).revid
    result = flow.run_cli("run")
    assert result.returncode == 3, result.stderr
    assert "stop" in result.stderr
    assert flow.bot.read_page(flow.hub.status("Stopme")).revid == before
    assert "The bot is stopped" in flow.bot.read_page(flow.hub.dashboard).text
    # a non-approver cannot start it again
    person("Volunteer").edit(stop, "run", "start again")
    result = flow.run_cli("run")
    assert result.returncode == 3
    assert "only an approver can start the bot" in result.stderr
    assert flow.store().counts("Stopme")[Outcome.UPLOADED] == 0
    # an approver can (saving the same text again would be a null edit: stop, then run)
    person("Reviewer").edit(stop, "stop", "checking")
    person("Reviewer").edit(stop, "run", "start again")
    result = flow.run_cli("run")
    assert result.returncode == 0, result.stderr
    assert flow.status("Stopme")["state"] == "done"


# --- bad input (SPEC 3) --------------------------------------------------------


def test_request_with_every_kind_of_mistake(flow, media):
    flow.file_request(
        "Broken",
        flow.rows(1),
        license="All rights reserved",
        format="xls",
        template="Painting",
        limit="many",
        colour="blue",
        id=None,
    )
    flow.file_request("Fine", flow.rows(1, prefix="F"))
    summary = flow.run()
    assert summary.requests["Broken"] == "invalid"
    assert summary.requests["Fine"] == "awaiting-approval"  # the others carry on
    text = flow.status_text("Broken")
    assert flow.status("Broken")["state"] == "invalid"
    for param in ("license", "format", "template", "limit", "colour", "id"):
        assert f"'''{param}'''" in text, param
    assert not flow.bot.read_page(flow.hub.preview("Broken")).exists


def test_bad_column_and_unreadable_source(flow, media):
    flow.file_request("Badcol", flow.rows(1), title="{titel} ({id})")
    flow.file_request("Nosource", source=media.url("missing.csv"))
    flow.run()
    assert flow.status("Badcol")["state"] == "invalid"
    assert "titel" in flow.status_text("Badcol") and "title" in flow.status_text("Badcol")
    assert flow.status("Nosource")["state"] == "invalid"
    assert "404" in flow.status_text("Nosource")


def test_malicious_values_never_become_markup(flow, media):
    evil = "{{Delete}} [[Category:Spam]] <script>x</script> ~~~~ __NOTOC__ '''b''' |}{|"
    batch = [
        {
            "id": "E1",
            "title": "Evil {{subst:x}} title",
            "artist": evil,
            "image": media.image("evil.png"),
        }
    ]
    flow.file_request("Evil", batch, description="{title}. {artist}")
    approve_and_run(flow, "Evil")
    assert flow.status("Evil")["state"] == "done"
    [title] = flow.uploads("Evil") or [
        "File:" + flow.store().get("Evil", "E1").title  # categorylinks may lag behind
    ]
    text = flow.file_text(title)
    assert "{{Delete}}" not in text and "[[Category:Spam]]" not in text
    assert "<script>" not in text and "~~~~" not in text and "__NOTOC__" not in text
    parsed = flow.bot.call(action="parse", page=title, prop="categories|templates|text")["parse"]
    categories = {c["category"] for c in parsed["categories"]}
    assert "Spam" not in categories
    templates = {t["title"] for t in parsed["templates"]}
    assert "Template:Delete" not in templates
    assert "Delete" in parsed["text"] and "Spam" in parsed["text"]  # shown as text


# --- uploads (SPEC 8) ------------------------------------------------------------


def test_404_duplicates_and_taken_titles(flow, media):
    existing = media.image("existing.png", seed=4242)
    # a file already on the wiki, uploaded by someone else under another name
    flow.file_request(
        "First",
        [{"id": "X1", "title": "Original", "artist": "A", "image": existing}],
        title="{title}",
    )
    approve_and_run(flow, "First")
    assert flow.status("First")["uploaded"] == "1"

    same = media.put("twin.png", (media.folder / "existing.png").read_bytes())
    twin_a = media.image("twin-a.png", seed=99)
    twin_b = media.put("twin-b.png", (media.folder / "twin-a.png").read_bytes())
    taken = media.image("taken.png", seed=7)
    batch = [
        {"id": "D1", "title": "Again", "artist": "A", "image": same},
        {"id": "D2", "title": "Twin A", "artist": "A", "image": twin_a},
        {"id": "D3", "title": "Twin B", "artist": "A", "image": twin_b},
        {"id": "D4", "title": "Original", "artist": "A", "image": taken},
        {"id": "D5", "title": "Gone", "artist": "A", "image": media.url("nothing-here.png")},
    ]
    flow.file_request("Second", batch, title="{title}")
    approve_and_run(flow, "Second")
    store = flow.store()
    d1 = store.get("Second", "D1")
    assert d1.outcome == Outcome.DUPLICATE and d1.existing_file == "File:Original.png"
    d3 = store.get("Second", "D3")
    assert d3.outcome == Outcome.DUPLICATE and d3.existing_file == "File:Twin A.png"
    assert store.get("Second", "D4").outcome == Outcome.UPLOADED
    assert store.get("Second", "D4").title == "Original (D4).png"
    d5 = store.get("Second", "D5")
    assert d5.outcome == Outcome.FAILED and "404" in d5.reason
    status = flow.status("Second")
    assert (status["uploaded"], status["duplicates"], status["failed"]) == ("2", "2", "1")
    assert status["state"] == "done"
    text = flow.status_text("Second")
    assert "[[:File:Original.png]]" in text and "404" in text


def test_kill_in_the_middle_then_carry_on(flow, media):
    """kill -9 during uploading; the next run finishes without duplicates or losses."""
    import signal
    import subprocess
    import sys
    import time

    batch = flow.rows(12, prefix="K")
    flow.file_request("Killed", batch)
    flow.run()
    flow.approve("Killed")
    env_cmd = [sys.executable, "-m", "bots.cli", "--config", str(flow.config_path), "run"]
    proc = subprocess.Popen(env_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        counts = flow.store().counts("Killed")
        if counts[Outcome.UPLOADED] >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = flow.store().counts("Killed")[Outcome.UPLOADED]
    assert 3 <= done_before < 12
    result = flow.run_cli("run")
    assert result.returncode == 0, result.stderr
    store = flow.store()
    states = list(store.all("Killed"))
    assert len(states) == 12
    assert all(s.outcome == Outcome.UPLOADED for s in states), [
        (s.record_id, s.outcome, s.reason) for s in states
    ]
    titles = [f"File:{s.title}" for s in states]
    assert len(set(titles)) == 12
    infos = flow.bot.files(titles)
    assert all(i.exists for i in infos.values())
    # exactly once: no record's bytes live under two titles
    for s in states:
        assert flow.bot.find_sha1(s.sha1) == [f"File:{s.title}"]


def _csv(batch):
    from tests.support.workflow import csv_text

    return csv_text(batch).encode()


def test_a_status_page_someone_edited_is_written_over_their_revision(flow, media):
    """The bot saves its status page over the revision it made without reading it first
    (bots/store/bot_pages.py); a volunteer's edit since makes the wiki refuse that save as an
    edit conflict, and the bot reads the page and saves its status over what it read."""
    flow.file_request("Edited status", flow.rows(2))
    flow.run()
    title = flow.hub.status("Edited status")
    made = flow.bot.read_page(title)
    assert flow.store().saved_page(title).revid == made.revid  # the journal knows the bot's save
    flow.person("Volunteer").edit(title, made.text + "\nA volunteer's note.\n", "note")
    approve_and_run(flow, "Edited status")
    after = flow.bot.read_page(title)
    assert flow.status("Edited status")["state"] == "done"
    assert "A volunteer's note." not in after.text  # the bot's page is the bot's
    assert after.user == flow.bot.username
    assert flow.store().saved_page(title).revid == after.revid
