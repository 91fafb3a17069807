"""Structured data on files (SPEC 11), the pure parts: request parameters, the builder,
the checks of the whole request, the on/off decision, the preview id and the three-way merge."""

from __future__ import annotations

from collections import Counter

import pytest

from bots.config import licence
from bots.followup.export import FileData, entity_columns
from bots.followup.structured_sync import merge_structured
from bots.i18n import msg
from bots.model import MappingRow, MappingTable, PlannedFile, Request
from bots.pipeline.mapping import mapping_from_text, merge_mapping, parse_mapping_page
from bots.pipeline.patterns import placeholders
from bots.pipeline.preview import preview_id
from bots.pipeline.request import parse_request
from bots.pipeline.request_checks import check_columns
from bots.pipeline.structured import (
    StructuredSettings,
    Vocabulary,
    build_structured,
    cut_caption,
)
from bots.pipeline.structured_checks import (
    decide_mode,
    dynamic_item_ids,
    request_problems,
    structured_digest,
    wanted_ids,
)
from bots.pipeline.structured_plan import StructuredPlan, plan_structured
from bots.reports.status import StatusReport, parse_status_line, render_status
from bots.statements import (
    EntityDraft,
    EntityState,
    HeldStatement,
    ItemValue,
    MonolingualValue,
    QuantityValue,
    Snak,
    Statement,
    StringValue,
    TimeValue,
    draft_from_json,
)

LICENSES = {"CC0": "cc-zero", "CC BY 4.0": "cc-by-4.0"}
SETTINGS = StructuredSettings(
    language="en",
    licences={"CC0": licence("cc-zero"), "CC BY 4.0": licence("cc-by-4.0")},
)
DATATYPES = {
    "P136": "wikibase-item",
    "P170": "wikibase-item",
    "P1476": "monolingualtext",
    "P2048": "quantity",
    "P571": "time",
    "P854": "url",
    "P217": "string",
    "P625": "globe-coordinate",
}
VOCAB = Vocabulary(
    datatypes=DATATYPES,
    items=frozenset({"Q5", "Q1", "Q430682", "Q3305213"}),
    checked=frozenset({"Q5", "Q1", "Q2", "Q430682", "Q3305213"}),
    labels={"P170": "creator", "Q5": "human"},
)


def request(**params: str) -> Request:
    base = {
        "partner": "Tate",
        "source": "https://example.org/data.csv",
        "id": "id",
        "file": "image",
        "license": "CC0",
        "title": "{title} ({id})",
    }
    base.update(params)
    text = "{{Partnership request\n" + "".join(f"|{k}={v}\n" for k, v in base.items()) + "}}"
    parsed, problems = parse_request("Test", text, licenses=LICENSES)
    assert parsed is not None, problems
    return parsed


def record(**values: str) -> dict[str, str]:
    base = {"id": "A1", "title": "A drawing", "image": "https://example.org/a1.png"}
    base.update(values)
    return base


def build(req: Request, rec: dict[str, str], tables=None, item: str = ""):
    return build_structured(req, rec, tables or {}, SETTINGS, VOCAB, record_id="A1", item=item)


def shown(draft: EntityDraft) -> list[str]:
    return draft.shown()


# --- request parameters -------------------------------------------------------------


def test_the_request_reads_captions_statements_and_items() -> None:
    req = request(
        caption="{title}",
        caption_SV="Teckning {id}",
        **{"caption pt-br": "Desenho"},
        statements="p136=Q3305213; P1476={title}; P136=Q3305213",
        collection="Q430682",
        inventory="{id}",
        partner_item="Q430682",
        mapped="artist = P170; medium",
        language="De",
    )
    s = req.structured
    assert s.captions == {"": "{title}", "sv": "Teckning {id}", "pt-br": "Desenho"}
    assert s.statements == (("P136", "Q3305213"), ("P1476", "{title}"))  # each once
    assert (s.collection, s.inventory, s.partner_item) == ("Q430682", "{id}", "Q430682")
    assert s.mapped_properties == {"artist": "P170"}
    assert req.mapped == ("artist", "medium")
    assert req.language == "de"


@pytest.mark.parametrize(
    ("params", "where", "words"),
    [
        ({"language": "english!"}, "language", "is not a language code"),
        ({"collection": "Tate"}, "collection", "is not a Wikidata item id"),
        ({"partner_item": "q12x"}, "partner_item", "is not a Wikidata item id"),
        ({"statements": "P136"}, "statements", "is not written as property=value"),
        ({"statements": "genre=Q5"}, "statements", "is not a property id"),
        ({"statements": "P136= "}, "statements", "gives the property no value"),
    ],
)
def test_mistakes_in_the_form_of_the_parameters(params, where, words) -> None:
    base = "{{Partnership request|partner=x|source=https://e.org/a.csv|id=id|file=f|license=CC0"
    text = base + "|title={t}" + "".join(f"|{k}={v}" for k, v in params.items()) + "}}"
    parsed, problems = parse_request("Test", text, licenses=LICENSES)
    assert parsed is None
    assert [p.where for p in problems] == [where] and words in problems[0].message


def test_the_language_is_the_iiif_sources_too() -> None:
    req = request(language="fr", format="iiif")
    assert req.options["language"] == "fr" and req.language == "fr"


def test_columns_of_structured_patterns_must_exist() -> None:
    req = request(caption="{title}", caption_sv="{titel}", inventory="{inv}", statements="P1={x}")
    problems = check_columns(req, ["id", "image", "title"], placeholders)
    assert sorted(p.where for p in problems) == ["caption_sv", "inventory", "statements"]


# --- mapping tables name a property -------------------------------------------------


def test_a_new_table_names_the_requests_property_and_a_volunteers_stays() -> None:
    new = merge_mapping(None, "Test", "artist", Counter({"Blake": 2}), "P170")
    assert new.startswith("{{Mapping table|request=Test|column=artist|property=P170}}")
    assert mapping_from_text("Test", "artist", new).property == "P170"
    changed = new.replace("property=P170", "property=p180")
    again = merge_mapping(
        parse_mapping_page(changed), "Test", "artist", Counter({"Blake": 2}), "P170"
    )
    assert (
        "property=p180" in again and mapping_from_text("Test", "artist", again).property == "P180"
    )
    bare = merge_mapping(None, "Test", "artist", Counter({"Blake": 2}))
    filled = merge_mapping(
        parse_mapping_page(bare), "Test", "artist", Counter({"Blake": 2}), "P170"
    )
    assert "|column=artist|property=P170}}" in filled


# --- the builder -------------------------------------------------------------------


def test_licence_and_source_statements() -> None:
    req = request(source_url="https://example.org/o/{id}", partner_item="Q430682")
    draft, problems = build(req, record())
    assert problems == []
    assert shown(draft) == [
        "P275=Q6938433",
        "P6216=Q88088423",
        "P7482=Q74228490 (P973=https://example.org/o/A1, P137=Q430682)",
    ]
    assert draft.labels == {}


def test_a_records_own_licence_and_no_url_qualifier_for_text() -> None:
    req = request(license_column="rights", source_url="the museum")
    draft, _ = build(req, record(rights="CC-BY-4.0"))
    assert shown(draft)[:3] == ["P275=Q20007257", "P6216=Q50423863", "P7482=Q74228490"]


def test_mapped_values_give_statements_only_with_a_q_id() -> None:
    table = MappingTable(
        "Test",
        "artist",
        (
            MappingRow("Blake", 2, wikidata="Q5"),
            MappingRow("Turner", 1, wikidata=""),
            MappingRow("Anon", 1, wikidata="-"),
        ),
        property="P170",
    )
    req = request(mapped="artist")
    draft, problems = build(req, record(artist="Blake; Turner; Anon; Blake"), {"artist": table})
    assert problems == [] and [s for s in shown(draft) if s.startswith("P170")] == ["P170=Q5"]
    # a row whose Q-id is not an item holds the record back
    table = MappingTable("Test", "artist", (MappingRow("Blake", 1, wikidata="Q2"),), "P170")
    _, problems = build(req, record(artist="Blake"), {"artist": table})
    assert len(problems) == 1 and "gives Q2, which is not an item" in problems[0].message


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        ("1850", TimeValue("+1850-00-00T00:00:00Z", 9)),
        ("1850-03", TimeValue("+1850-03-00T00:00:00Z", 10)),
        ("1850-03-21", TimeValue("+1850-03-21T00:00:00Z", 11)),
        ("c. 1850", None),
        ("1850-13", None),
        ("", None),
    ],
)
def test_date_gives_inception_when_it_reads_as_a_date(year, expected) -> None:
    draft, problems = build(request(date="{year}"), record(year=year))
    found = [s.snak.value for s in draft.statements if s.property == "P571"]
    assert problems == [] and found == ([expected] if expected else [])


def test_collection_and_inventory_qualified_by_it() -> None:
    draft, _ = build(request(collection="Q430682", inventory="N{id}"), record())
    assert "P195=Q430682" in shown(draft) and "P217=NA1 (P195=Q430682)" in shown(draft)
    draft, _ = build(request(inventory="{id}"), record())
    assert "P217=A1" in shown(draft)


def test_statements_by_the_propertys_datatype() -> None:
    req = request(statements="P136=Q3305213; P1476={title}; P2048={h}; P170={who}; P571={year}")
    draft, problems = build(req, record(h="12.5 Q11573", who="Q5", year=""))
    assert problems == []
    values = {s.property: s.snak.value for s in draft.statements}
    assert values["P136"] == ItemValue("Q3305213")
    assert values["P1476"] == MonolingualValue("A drawing", "en")
    assert values["P2048"] == QuantityValue("+12.5", "http://www.wikidata.org/entity/Q11573")
    assert values["P170"] == ItemValue("Q5") and "P571" not in values  # empty: no statement


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("twelve", '"twelve" is not a number'),
        ("Q2", "Q2 is not an item on the Wikibase"),
    ],
)
def test_a_records_value_that_does_not_fit_is_a_problem(value, words) -> None:
    req = request(statements="P2048={h}" if "Q" not in value else "P170={h}")
    draft, problems = build(req, record(h=value))
    assert len(problems) == 1 and words in problems[0].message
    assert problems[0].where == "record A1"


def test_the_records_own_item_gives_digital_representation_of() -> None:
    draft, _ = build(request(), record(), item="Q1")
    assert shown(draft)[-1] == "P6243=Q1"
    assert "P6243" not in "".join(shown(build(request(), record())[0]))


def test_captions_in_the_requests_language_and_others() -> None:
    req = request(caption="{title}", caption_sv="Teckning {id}")
    draft, _ = build(req, record())
    assert draft.labels == {"en": "A drawing", "sv": "Teckning A1"}
    _, problems = build(req, record(title=""))
    assert [str(p.message) for p in problems] == [
        "The caption (caption) comes out empty for this record, and a caption cannot be empty."
    ]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 250, "short"),
        ("  many   spaces\nand lines ", 250, "many spaces and lines"),
        ("one two three four", 12, "one two…"),
        ("one two three four", 13, "one two…"),
        ("one two, three", 12, "one two…"),
        ("Supercalifragilistic", 8, "Superca…"),
        ("", 250, ""),
    ],
)
def test_captions_are_cut_on_a_word_boundary(text, limit, expected) -> None:
    cut = cut_caption(text, limit)
    assert cut == expected and len(cut) <= limit


def test_a_long_caption_is_cut_at_the_limit() -> None:
    settings = StructuredSettings(language="en", caption_limit=30)
    req = request(caption="{title}")
    draft, _ = build_structured(
        req, record(title="word " * 20), {}, settings, VOCAB, record_id="A1"
    )
    assert draft.labels["en"] == "word word word word word word…"


def test_the_planner_holds_back_records_with_problems() -> None:
    req = request(statements="P2048={h}")
    records = [record(id="A1", h="1"), record(id="A2", h="x", image="https://e.org/2.png")]
    items = list(
        plan_structured(req, records, {}, LICENSES, structured=StructuredPlan(SETTINGS, VOCAB))
    )
    assert isinstance(items[0], PlannedFile) and items[0].structured is not None
    assert not isinstance(items[1], PlannedFile) and items[1].problems
    kept = list(
        plan_structured(
            req, records, {}, LICENSES, structured=StructuredPlan(SETTINGS, VOCAB), hold_back=False
        )
    )
    assert isinstance(kept[1], PlannedFile) and kept[1].structured is None
    plain = list(plan_structured(req, records, {}, LICENSES))
    assert all(isinstance(i, PlannedFile) and i.structured is None for i in plain)


# --- checks of the whole request ---------------------------------------------------


def test_what_to_ask_the_wikibase() -> None:
    table = MappingTable("Test", "artist", (MappingRow("Blake", 1, wikidata="q7"),), "P170")
    req = request(statements="P136=Q3305213; P1476={title}", collection="Q430682", date="{year}")
    props, items = wanted_ids(req, {"artist": table}, SETTINGS)
    assert props == {"P7482", "P275", "P6216", "P571", "P195", "P136", "P1476", "P170"}
    assert items == {"Q74228490", "Q6938433", "Q88088423", "Q430682", "Q3305213", "Q7"}
    req = request(statements="P170={who}")
    records = [record(who="Q9"), record(who="nobody"), record(who="Q9")]
    assert dynamic_item_ids(req, records, {}, DATATYPES) == {"Q9"}


def test_mistakes_for_every_record() -> None:
    vocab = Vocabulary(
        datatypes={
            **DATATYPES,
            "P7482": "wikibase-item",
            "P275": "wikibase-item",
            "P6216": "string",
            "P195": "wikibase-item",
        },
        items=frozenset({"Q74228490", "Q6938433", "Q88088423"}),
        checked=frozenset({"Q74228490", "Q6938433", "Q88088423", "Q8", "Q430682", "P9"})
        | frozenset(DATATYPES),
    )
    tables = {
        "medium": MappingTable("Test", "medium", (), property="P217"),
        "place": MappingTable("Test", "place", (), property="P9"),
        "who": MappingTable("Test", "who", (), property="creator"),
    }
    req = request(
        statements="P99=Q5; P571=someday; P625=1,2; P136=Q8",
        collection="Q430682",
        caption="{title}",
        caption_en="Other {title}",
    )
    problems = request_problems(req, tables, SETTINGS, vocab, languages=frozenset({"en"}))
    found = [(p.where, str(p.message).split(";")[0]) for p in problems]
    assert (
        "configuration",
        "The property P6216 for copyright_status has the datatype "
        "string, not wikibase-item (configuration key wikibase.properties.copyright_status).",
    ) in found
    assert ("statements", "There is no property P99 on the Wikibase") in found
    assert any(w == "statements" and m.startswith("P571=someday") for w, m in found)
    assert any(w == "statements" and "globe-coordinate" in m for w, m in found)
    assert ("statements", "Q8 is not an item on the Wikibase") in found
    assert ("collection", "Q430682 is not an item on the Wikibase") in found
    assert any(w == "Mappings/medium" and "datatype string" in m for w, m in found)
    assert any(w == "caption_en" and "both give the caption in en" in m for w, m in found)
    assert ("Mappings/place", "There is no property P9 on the Wikibase") in found
    # "creator" is no property id: not asked about; the mapping page's own check says so
    assert not any(w == "Mappings/who" for w, _ in found)
    only_other = request(caption_xx="x {title}")
    assert [
        p.where
        for p in request_problems(only_other, {}, SETTINGS, vocab, languages=frozenset({"en"}))
        if p.where.startswith("caption")
    ] == ["caption_xx"]


# --- on or off ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "mediainfo", "on", "asked"),
    [
        ("auto", True, True, True),
        ("auto", False, False, True),
        ("true", False, True, False),
        ("yes", False, True, False),
        ("false", True, False, False),
        ("No", True, False, False),
    ],
)
def test_whether_a_run_writes_structured_data(setting, mediainfo, on, asked) -> None:
    calls = []

    def has_mediainfo() -> bool:
        calls.append(1)
        return mediainfo

    mode = decide_mode(setting, has_mediainfo)
    assert mode.on is on and bool(calls) is asked
    assert (mode.note is not None) is (not on)
    if mode.note is not None:
        switched_off = setting.lower() in ("false", "no")
        assert mode.note.key == (
            "hubbot-sdc-mode-off" if switched_off else "hubbot-sdc-mode-no-mediainfo"
        )
        assert "uploaded without captions and statements" in str(mode.note)


# --- the preview id -----------------------------------------------------------------


def test_the_preview_id_covers_the_structured_data_but_not_labels() -> None:
    def pid(structured: str) -> str:
        return preview_id({"title": "{t}"}, {}, "src", "tpl", LICENSES, structured=structured)

    draft = EntityDraft(labels={"en": "x"})
    base = structured_digest(SETTINGS, VOCAB, [draft])
    assert pid("") == preview_id({"title": "{t}"}, {}, "src", "tpl", LICENSES)  # as before
    assert pid(base) != pid("")
    relabelled = Vocabulary(VOCAB.datatypes, VOCAB.items, VOCAB.checked, {"P170": "maker"})
    assert structured_digest(SETTINGS, relabelled, [draft]) == base
    assert structured_digest(SETTINGS, VOCAB, [EntityDraft(labels={"en": "y"})]) != base
    other = StructuredSettings(language="en", properties={"creator": "P50"})
    assert structured_digest(other, VOCAB, [draft]) != base


# --- the journal's JSON ---------------------------------------------------------------


def test_a_draft_reads_back_from_its_json() -> None:
    draft = EntityDraft(
        labels={"en": "x"},
        statements=(
            Statement(
                Snak("P217", StringValue("N1"), "string"),
                (Snak("P195", ItemValue("Q5"), "wikibase-item"),),
            ),
            Statement(Snak("P571", TimeValue("+1850-00-00T00:00:00Z", 9), "time")),
        ),
        remove=("M1$abc",),
    )
    assert draft_from_json(draft.to_json()) == draft
    assert draft.to_json()["claims"][-1] == {"id": "M1$abc", "remove": ""}


# --- sync, three ways ---------------------------------------------------------------


def item(prop: str, qid: str) -> Statement:
    return Statement(Snak(prop, ItemValue(qid), "wikibase-item"))


def text(prop: str, value: str) -> Statement:
    return Statement(Snak(prop, StringValue(value), "string"))


def now(labels: dict[str, str], *statements: tuple[str, str, object]) -> EntityState:
    return EntityState(
        "M1",
        True,
        7,
        labels=labels,
        statements=tuple(HeldStatement(i, p, v) for i, p, v in statements),
    )


def test_sync_takes_the_partners_changes_where_nobody_on_the_wiki_changed_anything() -> None:
    base = EntityDraft({"en": "Old"}, statements=(text("P217", "N1"), item("P195", "Q1")))
    ours = EntityDraft({"en": "New"}, statements=(text("P217", "N2"), item("P195", "Q1")))
    theirs = now({"en": "Old"}, ("g1", "P217", StringValue("N1")), ("g2", "P195", ItemValue("Q1")))
    merged = merge_structured(base, ours, theirs)
    assert merged.send.labels == {"en": "New"}
    assert [s.snak.value for s in merged.send.statements] == [StringValue("N2")]
    assert merged.send.remove == ("g1",)
    assert merged.base == ours and not merged.conflicts and not merged.community


def test_sync_keeps_and_lists_what_the_community_did() -> None:
    base = EntityDraft({"en": "Old"}, statements=(text("P217", "N1"), item("P195", "Q1")))
    ours = EntityDraft({"en": "New"}, statements=(text("P217", "N2"), item("P195", "Q1")))
    theirs = now(
        {"en": "A volunteer's", "de": "Alt"},
        ("g1", "P217", StringValue("N1-corrected")),  # changed on the wiki, and by the partner
        ("g3", "P180", ItemValue("Q5")),  # added on the wiki
    )  # P195 removed on the wiki
    merged = merge_structured(base, ours, theirs)
    assert merged.send.empty  # nothing to write: every difference is the community's
    assert [(c.param, c.base, c.ours, c.theirs) for c in merged.conflicts] == [
        ("P217", "N1", "N2", "N1-corrected"),
        ("caption (en)", "Old", "New", "A volunteer's"),
    ]
    assert merged.community == (
        msg("hubbot-sync-structured-statements-removed", "P195"),
        msg("hubbot-sync-structured-statements-added", "P180"),
        msg("hubbot-sync-structured-caption-added", "de"),
    )
    assert str(merged.community[0]) == (
        "the P195 statements were removed on the wiki; not added again"
    )
    assert merged.base == base  # the next sync still sees the community's changes as theirs
    # the next sync, with the same data: no conflict is resolved by the bot, nothing written
    assert merge_structured(merged.base, ours, theirs).send.empty


def test_sync_when_the_wiki_already_says_what_the_data_says() -> None:
    base = EntityDraft({}, statements=(text("P217", "N1"),))
    ours = EntityDraft({"en": "Caption"}, statements=(text("P217", "N2"),))
    theirs = now({"en": "Caption"}, ("g1", "P217", StringValue("N2")))
    merged = merge_structured(base, ours, theirs)
    assert merged.send.empty and merged.base == ours and not merged.conflicts


# --- the export's columns and the status line -----------------------------------------


def test_export_marks_statements_the_bot_did_not_write() -> None:
    state = now({"en": "c"}, ("g1", "P195", ItemValue("Q1")), ("g2", "P180", ItemValue("Q5")))
    bot = EntityDraft(statements=(item("P195", "Q1"),))
    assert entity_columns(FileData(state, bot)) == (
        ("P195=Q1", "P180=Q5"),
        ("P180=Q5",),
        {"en": "c"},
    )
    assert entity_columns(FileData(state, None))[1] == ()
    assert entity_columns(None) == ((), (), {})


def test_the_status_line_counts_files_waiting_for_structured_data() -> None:
    report = StatusReport(state="uploading", total=3, uploaded=3, structured=True, sdc_pending=2)
    text = render_status(report, "R/Requests/X")
    assert parse_status_line(text)["sdc_pending"] == "2"
    assert "2 still wait for them" in text
    plain = render_status(StatusReport(state="done", total=1, uploaded=1), "R/Requests/X")
    assert "sdc_pending" not in plain and "Structured data" not in plain


# --- every Wikibase refusal has its outcome -------------------------------------------


@pytest.mark.parametrize(
    ("code", "data", "kind", "retry", "whole_run"),
    [
        ("editconflict", {}, "EntityConflict", False, False),
        ("readonly", {}, "ReadOnly", False, False),
        ("blocked", {}, "Blocked", False, False),
        (
            "permissiondenied",
            {"messages": [{"name": "blockedtext", "parameters": ["Admin", "vandalism"]}]},
            "Blocked",
            False,
            False,
        ),
        ("permissiondenied", {}, "EntityRefused", False, True),
        ("badtoken", {}, "EntityRefused", False, True),
        ("failed-save", {}, "EntityRefused", True, False),
        ("modification-failed", {}, "EntityRefused", False, False),
        ("no-such-entity", {}, "EntityRefused", False, False),
        ("something-new", {}, "EntityRefused", False, False),
    ],
)
def test_every_wikibase_refusal_has_an_outcome(code, data, kind, retry, whole_run) -> None:
    from bots.wiki import Blocked, EntityConflict, EntityRefused, ReadOnly, WikiError
    from bots.wiki.wikibase import entity_refusal

    kinds = {
        "EntityConflict": EntityConflict,
        "ReadOnly": ReadOnly,
        "Blocked": Blocked,
        "EntityRefused": EntityRefused,
    }
    outcome = entity_refusal("M1", WikiError(code, "the wiki's words", data=data))
    assert isinstance(outcome, kinds[kind])
    if isinstance(outcome, EntityRefused):
        assert (outcome.retry, outcome.whole_run) == (retry, whole_run)
        assert code in outcome.reason and str(outcome.reason).startswith("the ")
    if data:
        assert outcome == Blocked(reason="vandalism")


def test_a_configured_item_that_does_not_exist_names_its_configuration_key() -> None:
    vocab = Vocabulary(
        datatypes={**DATATYPES, "P7482": "wikibase-item", "P275": "wikibase-item"},
        items=frozenset({"Q6938433", "Q88088423"}),
        checked=frozenset({"Q74228490", "Q6938433", "Q88088423"}) | frozenset(DATATYPES),
    )
    problems = request_problems(request(), {}, SETTINGS, vocab, languages=frozenset({"en"}))
    found = [(p.where, str(p.message)) for p in problems]
    assert (
        "configuration",
        "Q74228490 (wikibase.items.file_available_on_the_internet) is not an item on the "
        "Wikibase; an operator must set the right id in the configuration.",
    ) in found
