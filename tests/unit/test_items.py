"""Items of records (SPEC 12): the request's item parameters, drafts and decisions (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bots.hub import batch_id, item_summary
from bots.i18n import Message
from bots.model import ItemSpec, ItemStatementSpec, MappingRow, MappingTable
from bots.pipeline.item_drafts import ItemContext, build_item, repeated_terms
from bots.pipeline.item_plan import Found, ItemAction, ItemPlan, decide, first_drafts
from bots.pipeline.request import parse_request
from bots.pipeline.request_items import check_item_request
from bots.statements import ItemValue, StringValue, TimeValue
from tests.support.plainwords import assert_plain
from tests.unit.test_request import LICENSES, MINIMAL, assert_plain_sentences


def page(**params: str) -> str:
    merged = {**MINIMAL, "mapped": "artist", "source_url": "https://example.org/o/{id}", **params}
    return "{{Partnership request\n" + "".join(f"|{k}={v}\n" for k, v in merged.items()) + "}}"


ITEMS = {
    "items": "create",
    "item_label": "{title}",
    "item_description": "painting by {artist}",
    "item_statements": "P31=Q3305213; P170=@artist; P217={id}; P571={year}",
    "item_match": "P217",
}


def test_item_parameters_are_read() -> None:
    request, problems = parse_request(
        "R", page(**ITEMS, collection="Q430682", language="sv"), licenses=LICENSES
    )
    assert problems == [] and request is not None
    assert request.language == "sv" and request.collection == "Q430682"
    assert request.items == ItemSpec(
        mode="create",
        label="{title}",
        description="painting by {artist}",
        statements=(
            ItemStatementSpec("P31", "Q3305213"),
            ItemStatementSpec("P170", "@artist"),
            ItemStatementSpec("P217", "{id}"),
            ItemStatementSpec("P571", "{year}"),
        ),
        match="P217",
    )
    assert request.items.statements[1].column == "artist"
    plain, _ = parse_request("R", page(), licenses=LICENSES)
    assert (
        plain is not None
        and plain.items is None
        and plain.item_language == "en"
        and plain.language is None
    )


@pytest.mark.parametrize(
    ("changes", "where", "says"),
    [
        ({"items": "maybe"}, "items", '"create"'),
        ({"item_label": ""}, "item_label", "Items need a label"),
        ({"item_description": ""}, "item_description", "Items need a description"),
        ({"item_statements": ""}, "item_statements", "at least an instance of (P31)"),
        ({"item_statements": "P31 Q5"}, "item_statements", "Pnnn=VALUE"),
        ({"item_statements": "P31=Q5; P170=@maker"}, "item_statements", "add it to mapped"),
        ({"item_match": "inventory"}, "item_match", "P217"),
        ({"item_match": "P350"}, "item_match", "add P350={column}"),
        ({"source_url": ""}, "source_url", "needs a reference"),
        ({"collection": "Tate"}, "collection", "Q430682"),
        ({"language": "Swedish"}, "language", "sv, es"),
        ({"items": "", "item_label": "{title}"}, "item_label", "items = create or items = match"),
    ],
)
def test_item_parameter_problems(changes: dict[str, str], where: str, says: str) -> None:
    request, problems = parse_request("R", page(**{**ITEMS, **changes}), licenses=LICENSES)
    assert request is None
    assert any(p.where == where and says in str(p.message) for p in problems), problems
    assert_plain_sentences(problems)


def test_what_only_the_wikibase_can_tell() -> None:
    request, _ = parse_request("R", page(**ITEMS), licenses=LICENSES)
    assert request is not None
    types = {"P31": "wikibase-item", "P170": "wikibase-item", "P217": "string", "P571": "time"}
    assert check_item_request(request, types, "P31") == []
    problems = check_item_request(request, {**types, "P170": "string"}, "P31")
    assert [str(p.message) for p in problems] == [
        "P170 takes string values, so it cannot be given the items of a mapped column (P170=@artist)."
    ]
    problems = check_item_request(request, {k: v for k, v in types.items() if k != "P217"}, "P31")
    assert {p.where for p in problems} == {"item_statements", "item_match"}
    assert (
        check_item_request(request, {**types, "P571": "geo-shape"}, "P31")[0]
        .message.__str__()
        .startswith("The bot cannot write values of P571")
    )
    assert "instance of (P1)" in check_item_request(request, types, "P1")[0].message


ARTISTS = MappingTable(
    "R",
    "artist",
    (
        MappingRow("Blake, William", 2, wikidata="Q41513"),
        MappingRow("Unknown", 1, wikidata="-"),
        MappingRow("Turner", 1),
    ),
)


def context(**changes: object) -> ItemContext:
    request, _ = parse_request("R", page(**ITEMS), licenses=LICENSES)
    assert request is not None and request.items is not None
    values = dict(
        spec=request.items,
        source_url="https://example.org/o/{id}",
        datatypes={
            "P31": "wikibase-item",
            "P170": "wikibase-item",
            "P217": "string",
            "P571": "time",
        },
        retrieved=date(2026, 11, 20),
        collection="Q430682",
    )
    values.update(changes)
    return ItemContext(**values)  # type: ignore[arg-type]


RECORD = {
    "id": "N01",
    "title": "The Ancient of Days",
    "artist": "Blake, William; Turner; Unknown",
    "year": "1794",
}


def test_a_records_item_with_references_and_the_collection_qualifier() -> None:
    draft = build_item("N01", RECORD, {"artist": ARTISTS}, context())
    assert draft.ok, draft.problems
    assert (draft.label, draft.description) == (
        "The Ancient of Days",
        "painting by Blake, William; Turner; Unknown",
    )
    assert draft.identifier == StringValue("N01")
    by_property = {s.property: s for s in draft.entity.statements}
    assert [s.property for s in draft.entity.statements] == ["P31", "P170", "P217", "P571"]
    assert by_property["P170"].snak.value == ItemValue("Q41513")  # only values with a Q-id
    assert by_property["P571"].snak.value == TimeValue("+1794-00-00T00:00:00Z", 9)
    assert [q.value for q in by_property["P217"].qualifiers] == [ItemValue("Q430682")]
    assert by_property["P31"].qualifiers == ()
    for statement in draft.entity.statements:
        (group,) = statement.references
        assert [s.property for s in group] == ["P854", "P813"]
        assert group[0].value == StringValue("https://example.org/o/N01")
        assert group[1].value == TimeValue("+2026-11-20T00:00:00Z", 11)
    data = draft.entity.to_json()
    assert data["labels"] == {"en": {"language": "en", "value": "The Ancient of Days"}}


@pytest.mark.parametrize(
    ("record", "ctx", "says"),
    [
        ({**RECORD, "title": ""}, {}, "would have no label"),
        (
            {**RECORD, "artist": ""},
            {"spec": ItemSpec("create", "{title}", "{artist}", (ItemStatementSpec("P31", "Q5"),))},
            "no description",
        ),
        ({**RECORD, "title": "x" * 251}, {}, "longer than the 250 characters"),
        ({**RECORD, "title": "painting by Blake, William; Turner; Unknown"}, {}, "the same"),
        (
            RECORD,
            {"spec": ItemSpec("create", "{title}", "d", (ItemStatementSpec("P217", "{id}"),))},
            "no instance of (P31)",
        ),
        (RECORD, {"source_url": "not an address {id}"}, "no reference"),
        ({**RECORD, "id": ""}, {"source_url": "{id}"}, "gives no address"),
        ({**RECORD, "year": "about 1794"}, {}, "P571"),
    ],
)
def test_drafts_the_community_would_refuse_carry_their_problems(
    record: dict[str, str], ctx: dict[str, object], says: str
) -> None:
    draft = build_item(record.get("id", ""), record, {"artist": ARTISTS}, context(**ctx))
    assert not draft.ok
    assert any(says in p for p in draft.problems), draft.problems
    for problem in draft.problems:
        assert_plain(str(problem))


def test_records_with_the_same_label_and_description_do_not_share_an_item() -> None:
    ctx = context()
    drafts = [
        build_item(rid, {**RECORD, "id": rid, "title": title}, {"artist": ARTISTS}, ctx)
        for rid, title in (("A", "Untitled"), ("B", "Other"), ("C", "Untitled"), ("D", ""))
    ]
    checked = repeated_terms(drafts)
    assert [d.ok for d in checked] == [True, True, False, False]
    assert "record A would give its item the same label and description" in checked[2].problems[-1]
    assert checked[3].problems == drafts[3].problems  # no label: its own problem only


def test_decisions_and_the_part_of_the_preview_id_they_make() -> None:
    draft = build_item("N01", RECORD, {"artist": ARTISTS}, context())
    bad = build_item("N02", {**RECORD, "title": ""}, {"artist": ARTISTS}, context())
    assert decide(draft, True, Found()).action is ItemAction.CREATE
    assert decide(draft, False, Found()).action is ItemAction.NONE
    match = decide(draft, True, Found(("Q1",), "identifier"))
    assert (match.action, match.item, match.how) == (ItemAction.MATCH, "Q1", "identifier")
    twins = decide(draft, True, Found(("Q1", "Q2", "Q1")))
    assert twins.action is ItemAction.AMBIGUOUS and twins.candidates == ("Q1", "Q2")
    assert "2 existing items match it (Q1, Q2)" in str(twins.problem())
    assert decide(bad, True, Found(("Q1",))).action is ItemAction.REFUSED
    assert "would have no label" in str(decide(bad, True, Found()).problem())

    plan = ItemPlan((decide(draft, True, Found()), twins))
    assert plan.count(ItemAction.CREATE) == 1 and len(plan.problems()) == 1
    # the retrieval day and whether the item exists already do not change the digest
    later = build_item("N01", RECORD, {"artist": ARTISTS}, context(retrieved=date(2027, 1, 1)))
    done = replace(decide(later, True, Found()), item="Q9", done=True)
    assert ItemPlan((done, twins)).digest("P813") == plan.digest("P813")
    # another label, another match, or another candidate does
    other = build_item("N01", {**RECORD, "title": "Other"}, {"artist": ARTISTS}, context())
    assert ItemPlan((decide(other, True, Found()), twins)).digest("P813") != plan.digest("P813")
    assert ItemPlan((match, twins)).digest("P813") != plan.digest("P813")
    assert first_drafts([decide(draft, False, Found()), twins], 5) == [twins]


def test_edit_summaries_carry_one_editgroups_batch_per_approval() -> None:
    batch = batch_id("Tate drawings", "3f9a1c02de")
    assert (
        batch == batch_id("Tate drawings", "3f9a1c02de") != batch_id("Tate drawings", "0000000000")
    )
    assert len(batch) == 12 and int(batch, 16) >= 0
    summary = item_summary("new item", "[[R/Requests/Tate|Tate]]", "A1|]]{{x}}", batch)
    assert summary == (
        "Content Partnerships Hub: new item for record A1x of [[R/Requests/Tate|Tate]] "
        f"([[:toollabs:editgroups/b/CB/{batch}|details]])"
    )


def test_the_items_sections_show_partner_and_wikibase_text_literally() -> None:
    from bots.model import Problem
    from bots.reports.items import (
        ItemLine,
        ItemsPreview,
        ItemsStatus,
        ShownItem,
        ShownStatement,
        render_items_preview,
        render_items_status,
    )

    evil = "}}[[Category:Spam]]{{Delete|<nowiki>"
    text = render_items_preview(
        ItemsPreview(
            create=1,
            ambiguous=1,
            created_already=1,
            shown=[
                ShownItem(
                    evil,
                    "create",
                    label=evil,
                    description=evil,
                    statements=[ShownStatement(f"{evil} (P1)", evil, evil)],
                    reference=evil,
                    problems=[evil],
                )
            ],
            problems=[Problem(f"record {evil}", Message.verbatim(evil))],
            matched=[(evil, "[[Special:EntityPage/Q1|Q1]]")],
        )
    )
    assert "[[Category:Spam]]" not in text and "{{Delete" not in text and "<nowiki>" not in text
    assert "* Items to create: 1 (1 created already)\n" in text
    assert "[[Special:EntityPage/Q1|Q1]]" in text
    status = render_items_status(
        ItemsStatus(
            created=1,
            failed=1,
            lines=[ItemLine(evil, "[[Special:EntityPage/Q2|Q2]]", "failed", evil)],
            notes=[Message.verbatim(evil)],
        )
    )
    assert "[[Category:Spam]]" not in status and "{{Delete" not in status
    assert "* Created: 1" in status and "[[Special:EntityPage/Q2|Q2]]" in status
