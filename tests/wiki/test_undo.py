"""Undoing a request (SPEC 13), on the real wiki: approved like an upload, nothing else touched."""

from __future__ import annotations

import json
import uuid

from bots.statements import ItemValue
from tests.faults.helpers import Tally, report
from tests.support.items import claim, make_item
from tests.wiki.test_batch_edit import community_data, edit_request, entity, old_files

COLLECTION = "Q430682"  # on the test wiki as on Wikidata
PAINTING = "Q3305213"


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


def test_undo_removes_the_statements_the_bot_added_to_items(flow, bot, person):
    """A matched item loses the bot's statements but one a volunteer changed since;
    an item the bot created loses its statements (the item itself stays), unless
    someone edited it after the bot."""
    tag = uuid.uuid4().hex[:6]
    volunteer = person("Volunteer")
    existing = make_item(
        volunteer,
        f"Kept label {tag}",
        "an object a volunteer described",
        [claim("P217", f"{tag}-1")],
    )
    other = make_item(volunteer, f"Other collection {tag}", "a collection", [])
    rows = [
        {
            "id": f"{tag}-{i}",
            "title": f"{flow.tag} undo item object {tag} {i}",
            "artist": "",
            "image": flow.media.image(f"u{tag}-{i}.png"),
        }
        for i in (1, 2, 3)
    ]
    flow.file_request(
        "Unitem",
        rows,
        source_url="https://example.org/object/{id}",
        items="create",
        item_label="{title}",
        item_description="undo test object {id}",
        item_statements=f"P31={PAINTING}; P217={{id}}; P195={COLLECTION}",
        item_match="P217",
    )
    flow.run()
    flow.approve("Unitem")
    assert flow.run().requests["Unitem"] == "done", flow.status_text("Unitem")
    store = flow.store()
    entries = store.item_entries("Unitem")
    created, touched = entries[f"{tag}-2"].item, entries[f"{tag}-3"].item
    assert entries[f"{tag}-1"].item == existing and created
    assert {c.property for c in store.item_claims("Unitem") if c.item == existing} == {
        "P31",
        "P195",
    }
    store.close()
    # a volunteer changes the collection the bot added to the matched item
    (collection,) = _claims(bot, existing)["P195"]
    token = volunteer.site.get_token("csrf")
    value = {"entity-type": "item", "numeric-id": int(other[1:])}
    volunteer.api(
        "wbsetclaimvalue",
        claim=collection["id"],
        snaktype="value",
        value=json.dumps(value),
        token=token,
    )

    # and someone improves the label of another item the bot created
    volunteer.api("wbsetlabel", id=touched, language="en", value=f"Better label {tag}", token=token)

    undo(flow, "Unitem")
    preview = flow.bot.read_page(flow.hub.preview("Unitem")).text
    assert "Statements the bot added to Wikidata items, to remove: 4 (on 2 items)" in preview
    assert f"[[Special:EntityPage/{existing}|{existing}]] || 1 (P31)" in preview
    assert "someone changed the statement P195 after the bot added it" in preview
    assert f"[[:Special:EntityPage/{touched}]] || someone edited this item after the bot" in preview
    assert flow.run().requests["Unitem"] == "done", flow.status_text("Unitem")

    kept = _claims(bot, existing)
    assert set(kept) == {"P217", "P195"}  # the volunteer's identifier, the changed collection
    assert kept["P195"][0]["mainsnak"]["datavalue"]["value"]["id"] == other
    new = bot.call(action="wbgetentities", ids=created)["entities"][created]
    assert "missing" not in new and not _claims(bot, created)  # the item stays, bare
    assert new["labels"]["en"]["value"] == rows[1]["title"]
    assert set(_claims(bot, touched)) == {"P31", "P217", "P195"}  # all kept
    status = flow.status_text("Unitem")
    assert "someone edited this item after the bot created it" in status
    assert "Statements removed from Wikidata items: 4 (on 2 items)" in status
    assert f"Special:EntityPage/{existing}" in status
    assert "someone changed the statement P195 after the bot added it, so it stays" in status
    # a second run removes nothing more
    revid = bot.call(action="wbgetentities", ids=existing)["entities"][existing]["lastrevid"]
    flow.run()
    assert (
        bot.call(action="wbgetentities", ids=existing)["entities"][existing]["lastrevid"] == revid
    )


def _claims(bot, qid: str) -> dict:
    entity = bot.call(action="wbgetentities", ids=qid)["entities"][qid]
    return entity.get("claims") or {}


def test_undo_of_a_batch_edit_removes_its_statements_and_captions(flow, person):
    """The bot's captions and statements go; the community's stay, and so do the bot's
    that a volunteer changed since (listed with why)."""
    files = old_files(flow, person, 2)
    first, second = files[0][0], files[1][0]
    community_data(
        person,
        first,
        {"labels": {"en": {"language": "en", "value": "Caption by a volunteer"}}},
    )
    rows = [
        {"id": f"D{n}", "file": title, "caption": f"Described {n}", "year": f"191{n}"}
        for n, (title, _) in enumerate(files)
    ]
    edit_request(
        flow,
        "Undescribe",
        rows,
        caption="{caption}",
        caption_sv="Bild {id}",
        statements=f"P136={PAINTING}",
    )
    flow.run()
    flow.approve("Undescribe")
    assert flow.run().requests["Undescribe"] == "done", flow.status_text("Undescribe")
    one, two = entity(flow, first), entity(flow, second)
    assert {"P136", "P571", "P7482"} <= {h.property for h in one.statements}
    volunteer = person("Volunteer")
    token = volunteer.site.get_token("csrf")
    # a volunteer corrects the genre the bot gave the first file...
    (genre,) = [h for h in one.statements if h.property == "P136"]
    value = {"entity-type": "item", "numeric-id": 5}
    volunteer.api(
        "wbsetclaimvalue", claim=genre.id, snaktype="value", value=json.dumps(value), token=token
    )
    # ...and rewrites the Swedish caption the bot gave the second
    volunteer.api("wbsetlabel", id=two.id, language="sv", value="Bättre bildtext", token=token)

    undo(flow, "Undescribe")
    preview = flow.bot.read_page(flow.hub.preview("Undescribe")).text
    assert "Page edits to revert: 2" in preview  # only structured data changed since
    assert "Statements and captions the bot added to files, to remove: 5 statements and " in (
        preview
    )
    assert "2 captions (on 2 files)" in preview
    assert "someone changed the statement P136 after the bot added it, so it stays" in preview
    assert "someone changed the caption (sv) after the bot added it, so it stays" in preview
    assert flow.run().requests["Undescribe"] == "done", flow.status_text("Undescribe")

    one, two = entity(flow, first), entity(flow, second)
    assert one.labels == {"en": "Caption by a volunteer"}  # the community's caption stays
    assert [(h.property, h.value) for h in one.statements] == [("P136", ItemValue("Q5"))]
    assert two.labels == {"sv": "Bättre bildtext"} and not two.statements
    for title, _ in files:
        text = flow.file_text(title)
        assert "Described" not in text and "|description = Scan" in text  # text reverted
    status = flow.status_text("Undescribe")
    assert "Removed from files' structured data: 5 statements and 2 captions (on 2 files)" in (
        status
    )
    assert "someone changed the statement P136 after the bot added it, so it stays" in status
    assert "someone changed the caption (sv) after the bot added it, so it stays" in status
    # a second run removes nothing more
    revids = (one.revid, two.revid)
    flow.run()
    assert (entity(flow, first).revid, entity(flow, second).revid) == revids
    report(
        "undo of a batch edit that gave files captions and statements, after a volunteer "
        "changed one statement and one caption",
        "the bot's unchanged statements and captions removed, the changed ones and the "
        "community's caption kept and listed; the page texts reverted",
        Tally(),
        "real wiki and Wikibase",
    )
