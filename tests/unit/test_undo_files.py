"""What an undo takes back from files' structured data (pure): only what the bot's batch edit
added, as it wrote it; and a page whose text is still the bot's is reverted."""

from __future__ import annotations

from bots.pipeline.undo import PageEdit, UndoPlan, plan_undo
from bots.pipeline.undo_files import (
    CAPTION,
    STATEMENT,
    FileClaim,
    captions_added,
    plan_file_undo,
)
from bots.statements import EntityDraft, EntityState, HeldStatement, ItemValue, kept_captions
from bots.wiki.records import PageInfo

TITLE = "File:Old scan.png"


def held(claim: str, prop: str, digest: str) -> HeldStatement:
    return HeldStatement(claim, prop, ItemValue("Q5"), (), digest)


def mine(kind: str, key: str, value: str, prop: str = "") -> FileClaim:
    return FileClaim("M7", TITLE, kind, key, prop, value, "r1")


def test_only_the_unchanged_statements_and_captions_of_the_bot_go() -> None:
    claims = [
        mine(STATEMENT, "M7$a", "d1", "P136"),
        mine(STATEMENT, "M7$b", "d2", "P571"),
        mine(STATEMENT, "M7$c", "d3", "P7482"),  # someone removed it already
        mine(CAPTION, "en", "Scan 1"),
        mine(CAPTION, "sv", "Bild 1"),  # someone rewrote it
        mine(CAPTION, "fr", "Image 1"),  # someone removed it
    ]
    now = {
        "M7": EntityState(
            "M7",
            True,
            revid=30,
            labels={"en": "Scan 1", "sv": "Bättre", "de": "Bild"},
            statements=(
                held("M7$a", "P136", "d1"),
                held("M7$b", "P571", "x"),
                held("M7$z", "P1", "y"),
            ),
        )
    }
    removals, left = plan_file_undo(claims, now)
    assert [(r.entity, r.title, r.claims, r.properties, r.captions, r.revid) for r in removals] == [
        ("M7", TITLE, ("M7$a",), ("P136",), ("en",), 30)
    ]
    assert [(entry.title, entry.why.key, entry.why.params) for entry in left] == [
        (TITLE, "hubbot-undo-item-statement-changed", ("P571",)),
        (TITLE, "hubbot-undo-caption-changed", ("sv",)),
    ]
    plan = UndoPlan(data=removals)
    assert plan.key() == ["unfile M7 30 M7$a en"] and not plan.empty


def test_a_file_whose_data_is_gone_is_listed() -> None:
    removals, left = plan_file_undo([mine(CAPTION, "en", "x")], {"M7": EntityState("M7", False)})
    assert removals == () and [e.why.key for e in left] == ["hubbot-undo-file-data-gone"]
    removals, left = plan_file_undo([mine(CAPTION, "en", "x")], {})
    assert removals == () and len(left) == 1


def test_captions_the_bot_sent_are_its_own_only_as_sent() -> None:
    assert captions_added({"en": "A", "sv": "B"}, {"en": "A", "sv": "C"}) == {"en": "A"}
    draft = EntityDraft(labels={"en": "Mine", "sv": "Same"})
    state = EntityState("M1", True, labels={"en": "Theirs", "sv": "Same"})
    assert kept_captions(draft, state) == {"en": "Theirs"}


def page(title: str, revid: int, user: str = "Volunteer") -> PageInfo:
    return PageInfo(title=title, exists=True, revid=revid, text="text", user=user)


def test_a_page_changed_only_in_its_structured_data_is_reverted() -> None:
    edits = [PageEdit("File:A.png", 10, 9, "r1"), PageEdit("File:B.png", 20, 19, "r2")]
    now = {"File:A.png": page("File:A.png", 12), "File:B.png": page("File:B.png", 22)}
    plan = plan_undo(edits, now, [], "HubBot", {"File:A.png": 12})
    assert [(r.title, r.revid, r.parent, r.now) for r in plan.reverts] == [
        ("File:A.png", 10, 9, 12)
    ]
    assert [entry.title for entry in plan.left] == ["File:B.png"]
    assert plan.key() == ["revert File:A.png 10>9@12"]
    # without later revisions the key is what it always was
    plan = plan_undo(edits[:1], {"File:A.png": page("File:A.png", 10)}, [], "HubBot")
    assert plan.key() == ["revert File:A.png 10>9"] and plan.reverts[0].now == 10


def test_a_batch_edit_plans_the_structured_data_an_upload_would_get() -> None:
    from bots.pipeline.edits import PlannedEdit, plan_edit
    from bots.pipeline.structured_plan import StructuredPlan
    from tests.unit.test_structured import SETTINGS, VOCAB, request

    req = request(
        mode="edit",
        target="file",
        caption="{title}",
        statements="P136=Q3305213; P136={genre}",
    )
    plan = StructuredPlan(SETTINGS, VOCAB)
    record = {"id": "A1", "file": "File:A.png", "title": "A drawing", "genre": "Q3305213"}
    planned = plan_edit(req, record, {}, structured=plan)
    assert isinstance(planned, PlannedEdit) and planned.structured is not None
    assert planned.structured.labels == {"en": "A drawing"}
    assert "P136=Q3305213" in planned.structured.shown()
    assert plan_edit(req, record, {}).structured is None  # type: ignore[union-attr]
    # a record whose statements cannot be made is not edited, as it would not be uploaded
    problems = plan_edit(req, {**record, "genre": "Q2"}, {}, structured=plan)
    assert isinstance(problems, list)
    assert [p.message.key for p in problems] == ["hubbot-sdc-record-missing-item"]
