"""The bot's Wikibase client against the real Wikibase and MediaInfo of the test wiki."""

from __future__ import annotations

import uuid

from bots.statements import EntityDraft, ItemValue, Snak, Statement, StringValue, missing
from bots.wiki import EntityConflict, EntityEdited, EntityRefused, Uploaded
from tests.faults.helpers import unique_png


def test_entities_give_labels_datatypes_and_statements(bot):
    found = bot.entities(["P170", "P217", "Q5", "Q999999999"])
    assert found["P170"].datatype == "wikibase-item" and found["P217"].datatype == "string"
    assert found["Q5"].label("en") == "human" and found["Q5"].exists
    assert not found["Q999999999"].exists


def test_search_finds_by_label_best_first(bot):
    hits = bot.search_entities("Creative Commons CC0", "en")
    assert hits[0].id == "Q6938433" and hits[0].description


def test_one_edit_creates_an_item_and_adding_only_what_is_missing_changes_nothing_else(bot):
    label = f"Client test {uuid.uuid4().hex[:8]}"
    draft = EntityDraft(
        labels={"en": label},
        descriptions={"en": "an item of the client test"},
        statements=(
            Statement(
                Snak("P31", ItemValue("Q3305213"), "wikibase-item"),
                references=((Snak("P854", StringValue("https://example.org/o/1"), "url"),),),
            ),
        ),
    )
    created = bot.edit_entity(draft, "client test", new="item")
    assert isinstance(created, EntityEdited) and created.id.startswith("Q")
    state = bot.entities([created.id])[created.id]
    assert state.labels == {"en": label}
    assert [(h.property, h.value) for h in state.statements] == [("P31", ItemValue("Q3305213"))]
    # the same draft again: nothing is missing, so nothing would be sent
    assert missing(draft, state).empty


def test_a_refused_edit_is_an_outcome_in_words(bot):
    draft = EntityDraft(
        statements=(Statement(Snak("P31", ItemValue("Q999999999"), "wikibase-item")),)
    )
    outcome = bot.edit_entity(draft, "client test", entity="Q5")
    assert isinstance(outcome, EntityRefused), outcome
    assert str(outcome.reason).startswith("the Wikibase") and "Traceback" not in outcome.reason


def test_an_edit_against_an_old_revision_of_the_same_term_is_a_conflict(bot):
    created = bot.edit_entity(EntityDraft(labels={"en": f"Conflict {uuid.uuid4().hex[:8]}"}), "t")
    assert isinstance(created, EntityEdited)
    later = bot.edit_entity(EntityDraft(labels={"en": "Someone's label"}), "t", entity=created.id)
    assert isinstance(later, EntityEdited)
    stale = bot.edit_entity(
        EntityDraft(labels={"en": "The bot's label"}),
        "t",
        entity=created.id,
        base_revid=created.revid,
    )
    assert isinstance(stale, EntityConflict) and stale.read_again
    assert bot.entities([created.id])[created.id].labels == {"en": "Someone's label"}


def test_a_files_mediainfo_by_its_title(bot, tmp_path):
    path = tmp_path / "f.png"
    path.write_bytes(unique_png())
    title = f"File:Client test {uuid.uuid4().hex[:8]}.png"
    assert isinstance(bot.upload(title, path, "x", "x", mime="image/png"), Uploaded)
    assert bot.has_mediainfo()
    before = bot.entities_of_files([title])[title]
    assert not before.exists  # no structured data yet
    edited = bot.edit_entity(
        EntityDraft(
            labels={"en": "A caption"},
            statements=(Statement(Snak("P180", ItemValue("Q5"), "wikibase-item")),),
        ),
        "client test",
        file_title=title,
    )
    assert isinstance(edited, EntityEdited) and edited.id.startswith("M")
    after = bot.entities_of_files([title])[title]
    assert after.id == edited.id and after.labels == {"en": "A caption"}
    assert [h.value for h in after.statements] == [ItemValue("Q5")]
