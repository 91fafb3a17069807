"""What an undo takes back from items (pure): only the bot's statements, as it wrote them."""

from __future__ import annotations

from bots.pipeline.undo import UndoPlan
from bots.pipeline.undo_items import ItemClaim, added_statements, plan_item_undo
from bots.statements import EntityState, HeldStatement, ItemValue, StringValue


def held(claim: str, prop: str, digest: str, value: str = "Q5") -> HeldStatement:
    return HeldStatement(claim, prop, ItemValue(value), (), digest)


def mine(claim: str, prop: str, digest: str, *, revid: int = 10, created: bool = False):
    return ItemClaim(claim.split("$")[0], claim, prop, digest, revid, "r1", created)


def test_a_matched_item_loses_only_the_unchanged_statements_of_the_bot() -> None:
    claims = [mine("Q1$a", "P170", "d1"), mine("Q1$b", "P31", "d2"), mine("Q1$c", "P18", "d3")]
    now = {
        "Q1": EntityState(
            "Q1",
            True,
            revid=12,  # someone edited after the bot: changed P31, removed P18
            statements=(
                held("Q1$a", "P170", "d1"),
                held("Q1$b", "P31", "other"),
                held("Q1$z", "P1", "x"),
            ),
        )
    }
    removals, left = plan_item_undo(claims, now)
    assert [(r.item, r.claims, r.revid) for r in removals] == [("Q1", ("Q1$a",), 12)]
    assert [(entry.title, entry.why.key, entry.why.params) for entry in left] == [
        ("Special:EntityPage/Q1", "hubbot-undo-item-statement-changed", ("P31",))
    ]
    assert UndoPlan(items=removals).key() == ["unclaim Q1 12 Q1$a"]
    assert UndoPlan(items=removals).statements == 1 and not UndoPlan(items=removals).empty


def test_a_created_item_someone_edited_keeps_everything() -> None:
    claims = [mine("Q2$a", "P31", "d1", created=True)]
    edited = {"Q2": EntityState("Q2", True, revid=11, statements=(held("Q2$a", "P31", "d1"),))}
    removals, left = plan_item_undo(claims, edited)
    assert removals == () and left[0].why.key == "hubbot-undo-item-edited-after"
    untouched = {"Q2": EntityState("Q2", True, revid=10, statements=(held("Q2$a", "P31", "d1"),))}
    removals, left = plan_item_undo(claims, untouched)
    assert [r.claims for r in removals] == [("Q2$a",)] and left == ()
    removals, left = plan_item_undo(claims, {"Q2": EntityState("Q2", False)})
    assert removals == () and left[0].why.key == "hubbot-undo-item-gone"


def test_an_edit_added_what_is_new_and_was_sent() -> None:
    before = [held("Q1$a", "P31", "d")]
    after = [*before, held("Q1$b", "P170", "e"), held("Q1$c", "P9", "f", "Q7")]
    sent = [("P170", repr(ItemValue("Q5"))), ("P2", repr(StringValue("x")))]
    assert [h.id for h in added_statements(before, after, sent)] == ["Q1$b"]
