"""Sync: three-way merge of file pages that respects community edits, and the sync plan."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bots.followup.merge import categories_in, compared_form
from bots.followup.sync import (
    Conflict,
    SyncCandidate,
    edit_summary,
    last_rendering,
    plan_sync,
    sync_report,
    three_way_merge,
)
from bots.model import Request
from bots.pipeline.render import render_file
from bots.reports.sync import render_sync_section
from bots.wiki import Revision

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def page(
    fields: Sequence[tuple[str, str]],
    categories: Sequence[str] = ("Tate",),
    *,
    template: str = "Artwork",
    license: str = "cc-zero",
    record_id: str = "A00001",
) -> str:
    """A file page laid out as the bot writes it (wiki_templates/filepage)."""
    lines = ["=={{int:filedesc}}==", "{{" + template]
    for name, value in fields:
        lines.append(f" |{name} =" + (f" {value}" if value else ""))
    lines += [
        "}}",
        "",
        "=={{int:license-header}}==",
        "{{" + license + "}}",
        f"{{{{Partnership upload|request=Tate drawings|id={record_id}}}}}",
    ]
    if categories:
        lines.append("")
        lines += [f"[[Category:{c}]]" for c in categories]
    return "\n".join(lines)


BASE_FIELDS = [
    ("artist", "Blake, Robert"),
    ("title", "A Figure Bowing before a Seated Old Man"),
    ("date", ""),
    ("medium", "Graphite on paper"),
    ("credit line", "Presented by Mrs John Richmond 1922"),
    ("accession number", "A00001"),
]
BASE = page(BASE_FIELDS, ["Tate", "Drawings in Tate"])


def with_field(fields: Sequence[tuple[str, str]], name: str, value: str | None) -> list:
    """``fields`` with ``name`` set to ``value`` (None removes it; new names go last)."""
    out = [(n, value if n == name else v) for n, v in fields if not (n == name and value is None)]
    if value is not None and name not in dict(fields):
        out.append((name, value))
    return out


def param(text: str, name: str) -> str | None:
    for template in mwparserfromhell.parse(text, skip_style_tags=True).filter_templates(
        recursive=False
    ):
        if str(template.name).strip() in ("Artwork", "Information", "Photograph"):
            return str(template.get(name).value).strip() if template.has(name) else None
    raise AssertionError("no description template")


# --- the merge, case by case -------------------------------------------------------

OURS_NEW_DATE = page(with_field(BASE_FIELDS, "date", "1922"), ["Tate", "Drawings in Tate"])
OURS_NEW_TITLE = page(
    with_field(BASE_FIELDS, "title", "A Figure Bowing before an Old Man"),
    ["Tate", "Drawings in Tate"],
)
COMMUNITY_TITLE = BASE.replace(
    "A Figure Bowing before a Seated Old Man", "{{en|A figure bowing before a seated old man}}"
)

CASES = [
    # (id, base, ours, theirs, expected params, updated, conflicts)
    (
        "untouched parameter takes the partner's new value",
        BASE,
        OURS_NEW_DATE,
        BASE,
        {"date": "1922", "title": "A Figure Bowing before a Seated Old Man"},
        ("date",),
        (),
    ),
    (
        "a community change is kept and the partner's other change still lands",
        BASE,
        OURS_NEW_DATE,
        COMMUNITY_TITLE,
        {"date": "1922", "title": "{{en|A figure bowing before a seated old man}}"},
        ("date",),
        (),
    ),
    (
        "both changed the same parameter: the community's value stays, a conflict is reported",
        BASE,
        OURS_NEW_TITLE,
        COMMUNITY_TITLE,
        {"title": "{{en|A figure bowing before a seated old man}}"},
        (),
        (
            Conflict(
                "title",
                "A Figure Bowing before a Seated Old Man",
                "A Figure Bowing before an Old Man",
                "{{en|A figure bowing before a seated old man}}",
            ),
        ),
    ),
    (
        "both made the same change: no conflict",
        BASE,
        OURS_NEW_TITLE,
        OURS_NEW_TITLE.replace("Presented by", "Presented by"),
        {"title": "A Figure Bowing before an Old Man"},
        (),
        (),
    ),
    (
        "a field the community added is kept",
        BASE,
        OURS_NEW_DATE,
        BASE.replace(" |date =\n", " |date =\n |depicted people = {{Q|Q5}}\n"),
        {"date": "1922", "depicted people": "{{Q|Q5}}"},
        ("date",),
        (),
    ),
    (
        "a field the community removed stays removed",
        BASE,
        OURS_NEW_DATE,
        BASE.replace(" |credit line = Presented by Mrs John Richmond 1922\n", ""),
        {"date": "1922", "credit line": None},
        ("date",),
        (),
    ),
    (
        "a field the community removed and the partner changed is a conflict",
        BASE,
        page(
            with_field(BASE_FIELDS, "medium", "Graphite and ink on paper"),
            ["Tate", "Drawings in Tate"],
        ),
        BASE.replace(" |medium = Graphite on paper\n", ""),
        {"medium": None},
        (),
        (Conflict("medium", "Graphite on paper", "Graphite and ink on paper", None),),
    ),
    (
        "white space the community changed does not count as an edit",
        BASE,
        OURS_NEW_TITLE,
        BASE.replace(
            " |title = A Figure Bowing before a Seated Old Man\n",
            "| title   =   A Figure Bowing before a\n   Seated Old Man  \n",
        ),
        {"title": "A Figure Bowing before an Old Man"},
        ("title",),
        (),
    ),
    (
        "a field the partner's data now fills is added in the bot's order",
        BASE,
        page(
            with_field(BASE_FIELDS, "inscriptions", "Signed lower right"),
            ["Tate", "Drawings in Tate"],
        ),
        BASE,
        {"inscriptions": "Signed lower right"},
        ("inscriptions",),
        (),
    ),
    (
        "a field the partner emptied is emptied",
        BASE,
        page(with_field(BASE_FIELDS, "medium", ""), ["Tate", "Drawings in Tate"]),
        BASE,
        {"medium": ""},
        ("medium",),
        (),
    ),
    (
        "a field the bot no longer writes is removed when nobody touched it",
        BASE,
        page(with_field(BASE_FIELDS, "credit line", None), ["Tate", "Drawings in Tate"]),
        BASE,
        {"credit line": None},
        ("credit line",),
        (),
    ),
]


INFO_FIELDS = [
    ("description", "{{en|1=Study of a tiger}}"),
    ("date", "1794"),
    ("source", "https://example.org/object/A00001"),
    ("author", "Robert Blake"),
]
INFO_BASE = page(INFO_FIELDS, ["Tate"], template="Information")
CASES += [
    (
        "Information: a field the community added is kept, the changed date lands",
        INFO_BASE,
        page(with_field(INFO_FIELDS, "date", "c. 1794"), ["Tate"], template="Information"),
        INFO_BASE.replace(
            " |author = Robert Blake\n",
            " |author = Robert Blake\n |other versions = [[:File:Tiger (detail).jpg]]\n",
        ),
        {"date": "c. 1794", "other versions": "[[:File:Tiger (detail).jpg]]"},
        ("date",),
        (),
    ),
    (
        "Information: a translated description is the community's",
        INFO_BASE,
        page(
            with_field(INFO_FIELDS, "description", "{{en|1=Study of a tiger, pen}}"),
            ["Tate"],
            template="Information",
        ),
        INFO_BASE.replace(
            "{{en|1=Study of a tiger}}", "{{en|1=Study of a tiger}} {{de|1=Tigerstudie}}"
        ),
        {"description": "{{en|1=Study of a tiger}} {{de|1=Tigerstudie}}"},
        (),
        (
            Conflict(
                "description",
                "{{en|1=Study of a tiger}}",
                "{{en|1=Study of a tiger, pen}}",
                "{{en|1=Study of a tiger}} {{de|1=Tigerstudie}}",
            ),
        ),
    ),
]


@pytest.mark.parametrize(
    "base,ours,theirs,expected,updated,conflicts",
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_three_way_merge_parameters(
    base: str,
    ours: str,
    theirs: str,
    expected: dict[str, str | None],
    updated: tuple[str, ...],
    conflicts: tuple[Conflict, ...],
) -> None:
    result = three_way_merge(base, ours, theirs)
    for name, value in expected.items():
        assert param(result.new_text, name) == value, name
    assert result.updated_params == updated
    assert result.conflicts == conflicts
    assert result.changed == (result.new_text != theirs)
    # the licence section and the tracking template stay exactly as they were
    tail = theirs[theirs.index("=={{int:license-header}}==") :]
    assert result.new_text.endswith(tail)


def test_an_untouched_page_becomes_exactly_the_new_rendering() -> None:
    ours = page(
        with_field(with_field(BASE_FIELDS, "date", "1922"), "inscriptions", "Signed"),
        ["Tate", "Drawings by Robert Blake"],
    )
    result = three_way_merge(BASE, ours, BASE)
    assert result.new_text == ours
    assert result.updated_params == ("date", "inscriptions")
    assert result.added_categories == ("Drawings by Robert Blake",)
    assert result.removed_categories == ("Drawings in Tate",)


def test_an_added_field_is_laid_out_like_its_neighbours() -> None:
    ours = page(with_field(BASE_FIELDS, "notes", "Verso: sketch"), ["Tate", "Drawings in Tate"])
    result = three_way_merge(BASE, ours, BASE)
    assert " |accession number = A00001\n |notes = Verso: sketch\n}}" in result.new_text
    inserted = page(
        [*BASE_FIELDS[:2], ("object type", "drawing"), *BASE_FIELDS[2:]],
        ["Tate", "Drawings in Tate"],
    )
    result = three_way_merge(BASE, inserted, BASE)
    assert result.new_text == inserted


def test_an_emptied_field_is_written_as_the_bot_writes_empty_fields() -> None:
    ours = page(with_field(BASE_FIELDS, "medium", ""), ["Tate", "Drawings in Tate"])
    result = three_way_merge(BASE, ours, BASE)
    assert " |medium =\n |credit line" in result.new_text


def test_removing_the_last_field_keeps_the_closing_braces_on_their_own_line() -> None:
    ours = page(with_field(BASE_FIELDS, "accession number", None), ["Tate", "Drawings in Tate"])
    result = three_way_merge(BASE, ours, BASE)
    assert result.new_text == ours


def test_when_theirs_equals_ours_nothing_changes() -> None:
    result = three_way_merge(BASE, OURS_NEW_DATE, OURS_NEW_DATE)
    assert not result.changed
    assert result.new_text == OURS_NEW_DATE
    assert result.updated_params == ()


def test_when_the_partner_changed_nothing_the_page_is_left_alone() -> None:
    theirs = COMMUNITY_TITLE + "\n[[Category:Men in art]]"
    result = three_way_merge(BASE, BASE, theirs)
    assert result.new_text == theirs
    assert not result.changed


def test_community_templates_text_and_sections_stay_byte_identical() -> None:
    theirs = (
        BASE.replace("=={{int:filedesc}}==\n", "=={{int:filedesc}}==\n{{Depicts|Q42}}\n")
        .replace("{{cc-zero}}", "{{cc-zero}}\n{{Assessments|quality=1}}")
        .replace("}}\n\n=={{int:license", "}}\n{{Object location|51.49|-0.13}}\n\n=={{int:license")
        + "\n\n== Notes ==\nThe sitter may be the artist's brother. ~~~~"
    )
    result = three_way_merge(BASE, OURS_NEW_DATE, theirs)
    assert result.updated_params == ("date",)
    assert result.new_text == theirs.replace(" |date =\n", " |date = 1922\n")


CATEGORY_CASES = [
    (
        "a category the community added is never removed",
        ["Tate", "Drawings in Tate"],
        ["Tate"],
        "[[Category:Drawings in Tate]]\n[[Category:Old men in art]]",
        ["Tate", "Old men in art"],
    ),
    (
        "a bot category the community re-sorted is kept",
        ["Tate", "Drawings in Tate"],
        ["Tate"],
        "[[Category:Drawings in Tate|Blake]]",
        ["Tate", "Drawings in Tate"],
    ),
    (
        "a bot category the community removed is not put back",
        ["Tate", "Drawings in Tate"],
        ["Tate", "Drawings in Tate", "Robert Blake"],
        "",
        ["Tate", "Robert Blake"],
    ),
    (
        "a category the bot adds that the community already added is not doubled",
        ["Tate", "Drawings in Tate"],
        ["Tate", "Drawings in Tate", "Robert Blake"],
        "[[Category:Drawings in Tate]]\n[[Category:Robert_Blake]]",
        ["Tate", "Drawings in Tate", "Robert Blake"],
    ),
]


@pytest.mark.parametrize(
    "base_cats,ours_cats,theirs_tail,expected",
    [c[1:] for c in CATEGORY_CASES],
    ids=[c[0] for c in CATEGORY_CASES],
)
def test_three_way_merge_categories(
    base_cats: list[str], ours_cats: list[str], theirs_tail: str, expected: list[str]
) -> None:
    base = page(BASE_FIELDS, base_cats)
    ours = page(BASE_FIELDS, ours_cats)
    theirs = base.replace("[[Category:Drawings in Tate]]", theirs_tail).rstrip("\n")
    result = three_way_merge(base, ours, theirs)
    assert categories_in(result.new_text) == expected
    assert result.new_text.count("[[Category:") == len(expected)


def test_a_category_is_added_to_a_page_the_community_left_without_categories() -> None:
    base = page(BASE_FIELDS, [])
    ours = page(BASE_FIELDS, ["Tate"])
    result = three_way_merge(base, ours, base)
    assert result.new_text == ours


def test_a_replaced_description_template_is_left_alone_with_a_note() -> None:
    theirs = BASE.replace("{{Artwork", "{{Information")
    result = three_way_merge(BASE, OURS_NEW_DATE, theirs)
    assert result.new_text == theirs
    assert not result.changed
    assert "Information" in result.notes[0] and "Artwork" in result.notes[0]


def test_a_page_without_description_template_gets_no_field_updates() -> None:
    theirs = "{{Delete|reason=copyvio}}\n" + BASE.replace("{{Artwork", "{{Artwork/old")
    result = three_way_merge(BASE, OURS_NEW_DATE, theirs)
    assert result.new_text == theirs
    assert result.notes


def test_underscores_and_case_in_field_names_are_the_same_field() -> None:
    theirs = BASE.replace(" |credit line =", " |Credit_line =")
    ours = page(
        with_field(BASE_FIELDS, "credit line", "Presented 1922"), ["Tate", "Drawings in Tate"]
    )
    result = three_way_merge(BASE, ours, theirs)
    assert " |Credit_line = Presented 1922\n" in result.new_text


@pytest.mark.parametrize(
    "value,normal",
    [(" a  b\n c ", "a b c"), ("", ""), (None, None), ("\n", "")],
)
def test_normalize_value(value: str | None, normal: str | None) -> None:
    assert compared_form(value) == normal


# --- with pages rendered from real partner data --------------------------------------


def tate_rows(count: int) -> list[dict[str, str]]:
    path = DATA / "tate" / "artwork_data.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = []
        for row in csv.DictReader(handle):
            rows.append(row)
            if len(rows) == count:
                return rows
    return rows


TATE_REQUEST = Request(
    name="Tate drawings",
    partner="Tate",
    source="https://example.org/artwork_data.csv",
    format="csv",
    id_column="accession_number",
    file_column="thumbnailUrl",
    license="CC0",
    license_column=None,
    template="Artwork",
    title="{title} ({accession_number})",
    fields={
        "artist": "{artist}",
        "title": "{title}",
        "date": "{year}",
        "dimensions": "{dimensions}",
        "credit line": "{creditLine}",
        "accession number": "{accession_number}",
    },
    categories=("Tate",),
)


def rendered(record: dict[str, str]) -> str:
    planned = render_file(TATE_REQUEST, record, {}, {"CC0": "cc-zero"})
    assert not isinstance(planned, list), planned
    return planned.page_text


def test_rendered_tate_pages_merge_with_community_edits() -> None:
    for record in tate_rows(25)[5:25]:
        base = rendered(record)
        changed = dict(record, year="1890", creditLine=record["creditLine"] + " (corrected)")
        ours = rendered(changed)
        theirs = (
            base.replace("|dimensions =", "|dimensions = {{Size|mm|1|2}}<!-- was: ", 1).replace(
                "\n |credit line", " -->\n |credit line", 1
            )
            + "\n[[Category:Drawings by unknown artists]]"
        )
        result = three_way_merge(base, ours, theirs)
        assert param(result.new_text, "date") == "1890"
        assert param(result.new_text, "credit line").endswith("(corrected)")
        assert param(result.new_text, "dimensions") == param(theirs, "dimensions")
        assert "Drawings by unknown artists" in categories_in(result.new_text)
        assert three_way_merge(base, ours, base).new_text == ours


# --- properties -----------------------------------------------------------------------

FIELD_NAMES = ["artist", "title", "date", "medium", "dimensions", "notes", "inscriptions"]
WORDS = st.text(alphabet="abcdefghij KLMNOP,.()'-0123456789", max_size=20)
CATEGORY_NAMES = st.sampled_from(["Tate", "Drawings", "Blake", "Paper", "Ink", "Men"])


@st.composite
def field_lists(draw: st.DrawFn) -> list[tuple[str, str]]:
    names = draw(st.lists(st.sampled_from(FIELD_NAMES), unique=True, min_size=1))
    return [(n, draw(WORDS).strip()) for n in names]


@st.composite
def page_triples(draw: st.DrawFn) -> tuple[str, str, str, list[str], dict[str, str]]:
    """(base, ours, theirs, community chunks, community values) for one file page."""
    base_fields = draw(field_lists())
    base_cats = draw(st.lists(CATEGORY_NAMES, unique=True, max_size=3))
    ours_fields = list(base_fields)
    for name in draw(st.lists(st.sampled_from(FIELD_NAMES), unique=True)):
        ours_fields = with_field(ours_fields, name, draw(st.none() | WORDS.map(str.strip)))
    if not ours_fields:
        ours_fields = base_fields
    ours_cats = draw(st.lists(CATEGORY_NAMES, unique=True, max_size=3))
    base = page(base_fields, base_cats)
    ours = page(ours_fields, ours_cats)
    community: dict[str, str] = {}
    theirs_fields = list(base_fields)
    for name, _ in base_fields:
        if draw(st.booleans()):
            value = "{{en|" + draw(WORDS).strip() + "}}"
            theirs_fields = with_field(theirs_fields, name, value)
            community[name] = value
    theirs_cats = list(base_cats) + draw(
        st.lists(st.sampled_from(["Old men", "Sketches"]), unique=True)
    )
    theirs = page(theirs_fields, theirs_cats)
    chunks = []
    for marker in draw(
        st.lists(st.sampled_from(["{{cc-zero}}", "}}\n\n", "=={{int:filedesc}}=="]))
    ):
        chunk = f"\n{{{{Depicts|Q{len(chunks) + 1}}}}} Note {draw(WORDS)}.\n"
        if marker not in theirs:
            continue
        if marker == "}}\n\n":
            theirs = theirs.replace(marker, "}}" + chunk + "\n", 1)
        else:
            theirs = theirs.replace(marker, marker + chunk, 1)
        chunks.append(chunk.strip())
    if draw(st.booleans()):
        chunk = "Talk to the museum about the date. ~~~~"
        theirs += "\n" + chunk
        chunks.append(chunk)
    return base, ours, theirs, chunks, community


@settings(max_examples=200, deadline=None)
@given(page_triples())
def test_merge_never_drops_community_text(triple: tuple) -> None:
    base, ours, theirs, chunks, community = triple
    result = three_way_merge(base, ours, theirs)
    for chunk in chunks:
        assert chunk in result.new_text
    for name, value in community.items():
        assert param(result.new_text, name) == value
    community_cats = set(categories_in(theirs)) - set(categories_in(base))
    assert community_cats <= set(categories_in(result.new_text))
    # the text before the description template is untouched
    start = theirs.index("{{Artwork")
    assert result.new_text[:start] == theirs[:start]


@settings(max_examples=200, deadline=None)
@given(page_triples())
def test_parameters_nobody_touched_take_the_new_value(triple: tuple) -> None:
    base, ours, theirs, _chunks, community = triple
    result = three_way_merge(base, ours, theirs)
    for name in FIELD_NAMES:
        if name in community:
            continue
        base_v, ours_v = param(base, name), param(ours, name)
        if param(theirs, name) == base_v and base != ours:
            assert compared_form(param(result.new_text, name)) == compared_form(ours_v)


@settings(max_examples=200, deadline=None)
@given(page_triples())
def test_merge_with_unchanged_rendering_returns_theirs(triple: tuple) -> None:
    base, _ours, theirs, _chunks, _community = triple
    assert three_way_merge(base, base, theirs).new_text == theirs
    # also when the rendering differs from what the bot wrote only in white space
    respaced = base.replace(" =", "  =   ")
    assert three_way_merge(base, respaced, theirs).new_text == theirs


# --- the plan --------------------------------------------------------------------------


def test_plan_sync_edits_conflicts_new_and_vanished_records() -> None:
    candidates = [
        SyncCandidate("A00001", "File:One.jpg", BASE, OURS_NEW_DATE, BASE),
        SyncCandidate("A00002", "File:Two.jpg", BASE, OURS_NEW_TITLE, COMMUNITY_TITLE),
        SyncCandidate("A00003", "File:Three.jpg", BASE, BASE, COMMUNITY_TITLE),
        SyncCandidate("A00004", "File:Four.jpg", BASE, OURS_NEW_DATE, None),
        SyncCandidate("A00005", "File:Five.jpg", None, OURS_NEW_DATE, BASE),
    ]
    plan = plan_sync(
        "Tate drawings",
        "Project:Content Partnerships Hub/Requests/Tate drawings",
        candidates,
        source_ids=["A00001", "A00002", "A00003", "A00004", "A00005", "A00009", "A00010"],
        journal_ids=["A00001", "A00002", "A00003", "A00004", "A00005", "A00006", "A00007"],
        uploaded=[("A00006", "File:Six.jpg"), ("A00001", "File:One.jpg")],
    )
    assert [e.title for e in plan.edits] == ["File:One.jpg"]
    edit = plan.edits[0]
    assert edit.text == OURS_NEW_DATE
    assert "[[Project:Content Partnerships Hub/Requests/Tate drawings|Tate drawings]]" in (
        edit.summary
    )
    assert "date" in edit.summary
    assert [(c.record_id, c.conflict.param) for c in plan.conflicts] == [("A00002", "title")]
    assert plan.unchanged == 2
    assert plan.new_records == ("A00009", "A00010")
    assert plan.vanished == (("A00006", "File:Six.jpg"),)
    assert [n.record_id for n in plan.skipped] == ["A00004", "A00005"]


def test_edit_summary_names_categories_as_links_not_categorising_the_summary() -> None:
    summary = edit_summary("R/Requests/X", "X", ["date"], ["New"], ["Old"])
    assert "[[:Category:New]]" in summary and "[[:Category:Old]]" in summary
    assert summary.startswith("Content Partnerships Hub bot: ")


def test_the_status_section_escapes_values_and_lists_everything() -> None:
    plan = plan_sync(
        "X",
        "R/Requests/X",
        [SyncCandidate("A|1", "File:Two.jpg", BASE, OURS_NEW_TITLE, COMMUNITY_TITLE)],
        source_ids=["A|1", "NEW}}1"],
        journal_ids=["A|1", "GONE"],
        uploaded=[("GONE", "File:Gone.jpg")],
    )
    text = render_sync_section(sync_report(plan, updated="2026-11-20T10:00:00Z", saved=0))
    assert "{{en|" not in text  # community values are shown, never run
    assert "&#123;&#123;en&#124;" in text
    assert "NEW&#125;&#125;1" in text and "A&#124;1" in text
    assert "[[:File:Gone.jpg]]" in text
    assert "nothing is deleted" in text


# --- what the bot last rendered ----------------------------------------------------------


def rev(revid: int, user: str, text: str) -> Revision:
    return Revision(revid=revid, user=user, timestamp=f"2026-11-{revid:02d}T00:00:00Z", text=text)


def newest_first(*revisions: Revision) -> list[Revision]:
    """A history written oldest first, as the wiki gives it to the bot (newest first)."""
    return list(reversed(revisions))


def test_a_merged_save_does_not_make_community_values_the_bots() -> None:
    # the community changes the title; a sync then updates the date and keeps their title
    first_sync = three_way_merge(BASE, OURS_NEW_DATE, COMMUNITY_TITLE)
    history = newest_first(
        rev(1, "HubBot", BASE),
        rev(2, "Volunteer", COMMUNITY_TITLE),
        rev(3, "HubBot", first_sync.new_text),
    )
    base = last_rendering(history, "HubBot")
    assert base == OURS_NEW_DATE  # what the bot rendered, not what it saved
    # the partner now changes the title too: the community's title must survive
    ours = page(
        with_field(with_field(BASE_FIELDS, "date", "1922"), "title", "A New Title"),
        ["Tate", "Drawings in Tate"],
    )
    result = three_way_merge(base, ours, first_sync.new_text)
    assert param(result.new_text, "title") == "{{en|A figure bowing before a seated old man}}"
    assert [c.param for c in result.conflicts] == ["title"]
    # whereas the naive base (the bot's latest revision) would have overwritten it
    naive = three_way_merge(first_sync.new_text, ours, first_sync.new_text)
    assert param(naive.new_text, "title") == "A New Title"


def test_last_rendering_follows_the_bots_category_changes_only() -> None:
    theirs = BASE + "\n[[Category:Old men in art]]"
    ours = page(BASE_FIELDS, ["Tate", "Robert Blake"])
    merged = three_way_merge(BASE, ours, theirs).new_text
    history = newest_first(
        rev(1, "HubBot", BASE), rev(2, "Volunteer", theirs), rev(3, "HubBot", merged)
    )
    assert categories_in(last_rendering(history, "HubBot") or "") == ["Tate", "Robert Blake"]


def test_last_rendering_of_pages_the_bot_never_synced() -> None:
    assert last_rendering([rev(1, "HubBot", BASE)], "HubBot") == BASE
    history = newest_first(rev(1, "HubBot", BASE), rev(2, "V", COMMUNITY_TITLE))
    assert last_rendering(history, "HubBot") == BASE
    assert last_rendering(iter(history), "HubBot") == BASE  # any iterable, read once
    assert last_rendering([rev(1, "Someone", BASE)], "HubBot") is None
    assert last_rendering([rev(1, "Hub_bot", BASE)], "Hub bot") == BASE


@settings(max_examples=100, deadline=None)
@given(page_triples(), page_triples())
def test_syncing_twice_never_overwrites_a_community_value(first: tuple, second: tuple) -> None:
    base, ours, theirs, _chunks, community = first
    saved = three_way_merge(base, ours, theirs).new_text
    history = newest_first(
        rev(1, "HubBot", base), rev(2, "Volunteer", theirs), rev(3, "HubBot", saved)
    )
    rebuilt = last_rendering(history, "HubBot")
    assert rebuilt is not None
    later_ours = second[1]
    result = three_way_merge(rebuilt, later_ours, saved)
    for name, value in community.items():
        assert param(result.new_text, name) == value
