"""Mapping tables: counting values, reading and merging mapping pages (SPEC section 4)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bots.model import MappingRow, MappingTable
from bots.pipeline.mapping import (
    MAPPING_ROW_TEMPLATE,
    MAPPING_TABLE_END_TEMPLATE,
    MAPPING_TABLE_TEMPLATE,
    NOT_APPLICABLE,
    ParsedMappingPage,
    check_mapping_page,
    count_values,
    decode_value,
    encode_value,
    mapping_from_text,
    merge_mapping,
    parse_mapping_page,
    split_values,
    validate_mapping,
)

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

#: The page of SPEC section 4.
SPEC_PAGE = """{{Mapping table|request=NAME|column=artist}}
{{Mapping row|value=Blake, William|count=212|categories=|wikidata=|text=}}
{{Mapping row|value=Richmond, George|count=3|categories=George Richmond|wikidata=Q1507366|text=}}
{{Mapping table end}}"""

SPEC_COUNTS = Counter({"Blake, William": 212, "Richmond, George": 3})


def merge_text(text: str | None, counts: Counter[str], column: str = "artist") -> str:
    existing = parse_mapping_page(text) if text is not None else None
    return merge_mapping(existing, "NAME", column, counts)


def row(value: str, count: int, categories: str = "", wikidata: str = "", text: str = "") -> str:
    return (
        f"{{{{Mapping row|value={value}|count={count}|categories={categories}"
        f"|wikidata={wikidata}|text={text}}}}}"
    )


def table(*rows: str, head: str = "", column: str = "artist") -> str:
    header = f"{{{{Mapping table|request=NAME|column={column}}}}}\n"
    return header + head + "".join(r + "\n" for r in rows) + "{{Mapping table end}}"


# --- constants --------------------------------------------------------------


def test_template_names() -> None:
    assert MAPPING_TABLE_TEMPLATE == "Mapping table"
    assert MAPPING_ROW_TEMPLATE == "Mapping row"
    assert MAPPING_TABLE_END_TEMPLATE == "Mapping table end"


# --- counting ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("records", "columns", "split", "expected"),
    [
        ([], ["a"], ";", {"a": {}}),
        ([{"a": "x"}, {"a": "x"}, {"a": "y"}], ["a"], ";", {"a": {"x": 2, "y": 1}}),
        ([{"a": "x; y"}, {"a": " y ;"}], ["a"], ";", {"a": {"x": 1, "y": 2}}),
        ([{"a": "x;x; x"}], ["a"], ";", {"a": {"x": 1}}),  # records, not mentions
        ([{"a": ""}, {"a": " ; ;"}, {}], ["a"], ";", {"a": {}}),
        ([{"a": "x", "b": "y|z"}], ["a", "b"], "|", {"a": {"x": 1}, "b": {"y": 1, "z": 1}}),
        ([{"a": "x, y"}], ["a"], ";", {"a": {"x, y": 1}}),
        ([{"a": "x and y"}], ["a"], " and ", {"a": {"x": 1, "y": 1}}),
        ([{"a": "x\ty"}], ["a"], "\t", {"a": {"x": 1, "y": 1}}),
        (
            [{"a": "Du\u0308rer"}, {"a": "D\u00fcrer"}],
            ["a"],
            ";",
            {"a": {"D\u00fcrer": 2}},  # NFC, as the wiki stores it
        ),
        ([{"a": None}], ["a"], ";", {"a": {}}),
    ],
)
def test_count_values(
    records: list[dict[str, str]], columns: list[str], split: str, expected: dict
) -> None:
    assert count_values(records, columns, split) == {
        column: Counter(values) for column, values in expected.items()
    }


def test_count_values_reads_records_once() -> None:
    seen = []

    def records():
        for i in range(5):
            seen.append(i)
            yield {"a": f"v{i % 2}", "b": "x;y"}

    counts = count_values(records(), ["a", "b"], ";")
    assert seen == [0, 1, 2, 3, 4]
    assert counts == {"a": Counter({"v0": 3, "v1": 2}), "b": Counter({"x": 5, "y": 5})}


def test_count_values_on_the_tate_sample() -> None:
    with (DATA / "tate" / "artwork_data.csv").open(newline="", encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    counts = count_values(records, ["artist", "units"], ";")
    artists = [r["artist"].strip() for r in records if r["artist"] and r["artist"].strip()]
    assert sum(counts["artist"].values()) == len(artists)
    assert counts["artist"]["Blake, Robert"] == artists.count("Blake, Robert")
    top, top_count = counts["artist"].most_common(1)[0]
    assert top_count == max(artists.count(a) for a in set(artists))
    assert counts["units"]["mm"] == sum(1 for r in records if (r["units"] or "").strip() == "mm")


@pytest.mark.parametrize(
    ("cell", "split", "expected"),
    [
        ("a; b", ";", ["a", "b"]),
        (None, ";", []),
        ("", ";", []),
        ("a;;b;", ";", ["a", "b"]),
        ("a;b", "", ["a;b"]),
    ],
)
def test_split_values(cell: str | None, split: str, expected: list[str]) -> None:
    assert split_values(cell, split) == expected


# --- encoding values --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Blake, William", "Blake, William"),
        ("a|b", "a&#124;b"),
        ("x=y", "x=y"),
        ("}}", "&#125;&#125;"),
        ("{{!}}", "&#123;&#123;!&#125;&#125;"),
        ("[[Foo]]", "&#91;&#91;Foo&#93;&#93;"),
        ("<!-- x -->", "&#60;!-- x -->"),
        ("AT&T", "AT&T"),
        ("&amp;", "&#38;amp;"),
        ("&#124;", "&#38;#124;"),
        (" padded ", "&#32;padded&#32;"),
        ("line\nbreak", "line&#10;break"),
        ("~1850", "~1850"),
        ("~~~~", "&#126;&#126;&#126;&#126;"),
        ("__NOTOC__", "&#95;_NOTOC&#95;_"),
        ("snake_case", "snake_case"),
        ("Dürer", "Dürer"),
    ],
)
def test_encode_value(value: str, written: str) -> None:
    assert encode_value(value) == written
    assert decode_value(written) == value


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("  Blake  ", "Blake"),
        ("a{{!}}b", "a|b"),
        ("a{{ = }}b", "a=b"),
        ("Foo &amp; Bar", "Foo & Bar"),
        ("&#x7C;", "|"),
        ("&nbsp;x", "\xa0x"),
        ("&bogus;", "&bogus;"),
        ("&#1114112;", "&#1114112;"),  # beyond Unicode: left as written
        ("&#xD800;", "&#xD800;"),  # a surrogate: left as written
        ("Blake<!-- check -->", "Blake"),
        ("&#124", "&#124"),  # no semicolon: not a reference, as in MediaWiki
    ],
)
def test_decode_value(written: str, value: str) -> None:
    assert decode_value(written) == value


@given(st.text())
def test_any_value_round_trips_through_encoding(value: str) -> None:
    written = encode_value(value)
    assert decode_value(written) == value
    for breaking in ("|", "{", "}", "[", "]", "<", "\n", "\r", "~~~", "__"):
        assert breaking not in written
    assert written == written.strip()


@given(st.text(), st.text(min_size=1), st.text(min_size=1))
@settings(max_examples=200)
def test_any_value_round_trips_through_a_page(value: str, request: str, column: str) -> None:
    text = merge_mapping(None, request, column, Counter({value: 7}))
    page = parse_mapping_page(text)
    assert [(r.value, r.count) for r in page.rows] == [(value, 7)]
    assert page.header_params["request"] == request
    assert page.header_params["column"] == column
    assert merge_mapping(page, request, column, Counter({value: 7})) == text
    assert [r.value for r in mapping_from_text(request, column, text).rows] == (
        [value] if value else []
    )


# --- parsing a page ---------------------------------------------------------


def test_parse_the_spec_page() -> None:
    page = parse_mapping_page(SPEC_PAGE)
    assert page.header_params == {"request": "NAME", "column": "artist"}
    assert [(r.value, r.count) for r in page.rows] == [
        ("Blake, William", 212),
        ("Richmond, George", 3),
    ]
    assert page.rows[1].cells == {
        "categories": "George Richmond",
        "wikidata": "Q1507366",
        "text": "",
    }
    assert not page.rows[0].has_human_work
    assert page.rows[1].has_human_work
    assert (page.prefix, page.header_trailer, page.tail, page.suffix) == ("", "", "", "")


@pytest.mark.parametrize(
    ("count", "expected"),
    [("3", 3), (" 3 ", 3), ("0", 0), ("", 0), ("many", 0), ("-2", 0), ("1,000", 0), ("2.5", 0)],
)
def test_a_malformed_count_is_zero(count: str, expected: int) -> None:
    page = parse_mapping_page(table(f"{{{{Mapping row|value=x|count={count}}}}}"))
    assert page.rows[0].count == expected


def test_unknown_parameters_and_comments_are_kept() -> None:
    text = table(
        "{{Mapping row | value = x | count = 2 | categories = A<!-- sure? --> "
        "| note = ask the museum | 5 }}"
    )
    (parsed,) = parse_mapping_page(text).rows
    assert parsed.value == "x"
    assert parsed.cells == {"categories": "A<!-- sure? -->", "note": "ask the museum", "1": "5"}
    assert parsed.has_human_work


@pytest.mark.parametrize(
    "text",
    [
        SPEC_PAGE,
        "Intro\n\n" + SPEC_PAGE + "\n\n== Notes ==\nAsk Tate about [[Foo|bar]].",
        SPEC_PAGE.replace(
            "\n{{Mapping row|value=R", "\n<!-- volunteers: -->\n{{Mapping row|value=R"
        ),
        SPEC_PAGE.replace("{{Mapping table end}}", "<!-- end -->\n{{Mapping table end}}"),
        SPEC_PAGE.replace(
            "text=}}\n{{Mapping row|value=R", "text=}} <!-- sure -->\n{{Mapping row|value=R"
        ),
        "{{mapping_table|request=NAME|column=artist}}\n{{mapping row|value=x|count=1}}\n{{Mapping table end}}",
    ],
)
def test_a_page_already_up_to_date_is_left_byte_identical(text: str) -> None:
    counts = Counter({r.value: r.count for r in parse_mapping_page(text).rows if r.count})
    assert merge_text(text, counts) == text


def test_a_page_without_a_table_gets_one_below_the_text() -> None:
    merged = merge_text("Just a note.", Counter({"x": 1}))
    assert merged == "Just a note.\n" + table(row("x", 1))


def test_a_new_page_is_exactly_the_spec_format() -> None:
    assert merge_text(None, SPEC_COUNTS) == table(
        row("Blake, William", 212), row("Richmond, George", 3)
    )
    assert merge_text(None, Counter()) == table()


# --- merging ----------------------------------------------------------------

MERGE_CASES = [
    pytest.param(
        SPEC_PAGE,
        Counter({"Blake, William": 200, "Richmond, George": 3}),
        SPEC_PAGE.replace("count=212", "count=200"),
        id="counts are updated",
    ),
    pytest.param(
        SPEC_PAGE,
        Counter({"Blake, William": 212, "Richmond, George": 3, "Turner, J. M. W.": 40}),
        table(
            row("Blake, William", 212),
            row("Turner, J. M. W.", 40),
            row("Richmond, George", 3, "George Richmond", "Q1507366"),
        ),
        id="new values are added with empty cells, in count order",
    ),
    pytest.param(
        SPEC_PAGE,
        Counter({"Blake, William": 212}),
        table(
            row("Blake, William", 212),
            row("Richmond, George", 0, "George Richmond", "Q1507366"),
        ),
        id="a filled row whose value vanished stays with count 0",
    ),
    pytest.param(
        SPEC_PAGE,
        Counter({"Richmond, George": 3}),
        table(row("Richmond, George", 3, "George Richmond", "Q1507366")),
        id="an unfilled row whose value vanished is dropped",
    ),
    pytest.param(
        table(row("b", 1), row("a", 1), row("B", 1), row("c", 5)),
        Counter({"a": 1, "b": 1, "B": 1, "c": 5, "ä": 1}),
        table(row("c", 5), row("a", 1), row("B", 1), row("b", 1), row("ä", 1)),
        id="sorted by count, then case-folded value, then value",
    ),
    pytest.param(
        table(row("x", 1, "-"), row("y", 1, text="<!-- ? -->")),
        Counter(),
        table(row("x", 0, "-"), row("y", 0, text="<!-- ? -->")),
        id="a dash or a comment in a cell is human work",
    ),
    pytest.param(
        table("{{Mapping row|value=x|count=1|note=ask Tate}}"),
        Counter(),
        table("{{Mapping row|value=x|count=0|note=ask Tate}}"),
        id="an unknown parameter is human work",
    ),
    pytest.param(
        table("{{Mapping row\n | value = x\n | count = 1\n | categories = A\n}}"),
        Counter({"x": 4}),
        table("{{Mapping row\n | value = x\n | count = 4\n | categories = A\n}}"),
        id="a hand-formatted row keeps its layout",
    ),
    pytest.param(
        table("{{Mapping row|value=x|categories=A}}", "{{Mapping row|value=y|count=lots}}"),
        Counter({"x": 2, "y": 1}),
        table("{{Mapping row|value=x|count=2|categories=A}}", "{{Mapping row|value=y|count=1}}"),
        id="a missing or malformed count is written",
    ),
    pytest.param(
        table(row("x", 1), row("x", 1, "A"), row("x", 1, wikidata="Q1"), row("x", 1)),
        Counter({"x": 2}),
        table(row("x", 2, "A"), row("x", 2, wikidata="Q1")),
        id="duplicate rows: the unfilled ones go, the filled ones stay",
    ),
    pytest.param(
        table(row("x", 1), row("x", 1)),
        Counter({"x": 2}),
        table(row("x", 2)),
        id="duplicate unfilled rows become one",
    ),
    pytest.param(
        "Intro\n{{Mapping table|request=OLD|column=artist|note=hi}}\n{{Mapping table end}}\nBye",
        Counter(),
        "Intro\n{{Mapping table|request=NAME|column=artist|note=hi}}\n{{Mapping table end}}\nBye",
        id="the header is corrected in place",
    ),
    pytest.param(
        "Notes\n" + row("x", 1, "A") + "\nmore notes",
        Counter({"x": 1, "y": 2}),
        "Notes\n" + table(row("y", 2), row("x", 1, "A")) + "\nmore notes",
        id="rows without a header or end marker get both",
    ),
    pytest.param(
        table(row("a", 1), "<!-- b is unclear -->\n" + row("b", 2), row("c", 3)),
        Counter({"a": 3, "b": 2, "c": 1}),
        table(row("a", 3), "<!-- b is unclear -->\n" + row("b", 2), row("c", 1)),
        id="a note above a row travels with it",
    ),
    pytest.param(
        table(row("a", 1) + " <!-- about a -->", row("b", 2)),
        Counter({"a": 3, "b": 2}),
        table(row("a", 3) + " <!-- about a -->", row("b", 2)),
        id="a note after a row on its line travels with it",
    ),
    pytest.param(
        table(row("a", 1), row("b", 2), head="<!-- a is unclear -->\n"),
        Counter({"a": 1, "b": 2}),
        table(row("b", 2), "<!-- a is unclear -->\n" + row("a", 1)),
        id="a note above the first row travels with it",
    ),
    pytest.param(
        "Use ; between categories.\n" + table(row("a", 1), row("b", 2)),
        Counter({"a": 1, "b": 2}),
        "Use ; between categories.\n" + table(row("b", 2), row("a", 1)),
        id="a note above the table stays at the top",
    ),
    pytest.param(
        table(head="Nothing to map yet.\n"),
        Counter({"a": 1}),
        table(row("a", 1), head="Nothing to map yet.\n").replace(
            "Nothing to map yet.\n" + row("a", 1), row("a", 1) + "\nNothing to map yet."
        ),
        id="text in an empty table stays at its bottom",
    ),
    pytest.param(
        table(row("a", 1), "<!-- nobody knows -->\n" + row("gone", 1)),
        Counter({"a": 1}),
        table(row("a", 1), "<!-- nobody knows -->\n" + row("gone", 0)),
        id="an unfilled row with a note above it is kept",
    ),
    pytest.param(
        table(row("gone", 1), head="<!-- a note -->\n"),
        Counter({"a": 1}),
        table(row("a", 1), "<!-- a note -->\n" + row("gone", 0)),
        id="a row with a note above it is kept even when it was first",
    ),
    pytest.param(
        table(row("a&#124;b", 1, "A")),
        Counter({"a|b": 2}),
        table(row("a&#124;b", 2, "A")),
        id="an encoded value matches",
    ),
    pytest.param(
        table(row("a{{!}}b", 1, "A")),
        Counter({"a|b": 2}),
        table(row("a{{!}}b", 2, "A")),
        id="a value written with {{!}} matches and is kept as written",
    ),
]


@pytest.mark.parametrize(("before", "counts", "after"), MERGE_CASES)
def test_merge(before: str, counts: Counter[str], after: str) -> None:
    merged = merge_text(before, counts)
    assert merged == after
    assert merge_text(merged, counts) == merged  # no null edits on the next run


def test_merging_twice_is_a_no_op_for_a_new_page() -> None:
    counts = Counter({f"value {i}": i % 7 + 1 for i in range(200)})
    first = merge_text(None, counts)
    assert merge_text(first, counts) == first


def test_trailing_whitespace_is_trimmed_as_mediawiki_does() -> None:
    assert merge_text(SPEC_PAGE + "\n\n", SPEC_COUNTS) == SPEC_PAGE


# --- edit conflicts ---------------------------------------------------------


def test_a_human_edit_between_read_and_write_is_kept_when_merging_again() -> None:
    read = merge_text(None, Counter({"Blake, William": 2, "Turner": 1}))
    new_counts = Counter({"Blake, William": 3, "Constable": 1})
    planned = merge_text(read, new_counts)  # the write that hits an edit conflict
    human = read.replace(
        row("Turner", 1),
        "<!-- JMW, surely -->\n" + row("Turner", 1, "J. M. W. Turner", "Q159758"),
    )
    assert "J. M. W. Turner" not in planned
    merged = merge_text(human, new_counts)  # re-read and merged again
    assert merged == table(
        row("Blake, William", 3),
        row("Constable", 1),
        "<!-- JMW, surely -->\n" + row("Turner", 0, "J. M. W. Turner", "Q159758"),
    )


def test_a_human_edit_after_the_bot_saved_survives_the_next_run() -> None:
    saved = merge_text(SPEC_PAGE, Counter({"Blake, William": 212, "Palmer, Samuel": 9}))
    human = saved.replace(
        row("Palmer, Samuel", 9), row("Palmer, Samuel", 9, text="[[Samuel Palmer]]")
    )
    merged = merge_text(human, Counter({"Blake, William": 1, "Palmer, Samuel": 10}))
    assert row("Palmer, Samuel", 10, text="[[Samuel Palmer]]") in merged
    assert row("Richmond, George", 0, "George Richmond", "Q1507366") in merged


# --- property: merging never loses human work -------------------------------

VALUES = st.one_of(
    st.sampled_from(["Blake, William", "a|b", "x = y", "Dürer", "~~~", "{{x}}", "&amp;", "", "Q"]),
    st.text(max_size=12),
)
CELLS = st.sampled_from(
    [
        "",
        "",
        "",
        "George Richmond",
        "A; B",
        "-",
        "Q1507366",
        "[[d:Q1507366|George Richmond]]",
        "{{w|George Richmond}}",
        "<!-- unsure -->",
        "x = y",
    ]
)


@st.composite
def human_rows(draw: st.DrawFn, values: list[str], index: int) -> str:
    value = draw(st.sampled_from(values))
    count = draw(st.sampled_from(["0", "1", "12", "", "lots", " 3 "]))
    cells = {cell: draw(CELLS) for cell in ("categories", "wikidata", "text")}
    spacing = draw(st.sampled_from(["", " "]))
    params = [f"value={encode_value(value)}", f"count={count}"]
    params += [f"{spacing}{name}{spacing}={spacing}{v}{spacing}" for name, v in cells.items()]
    if draw(st.booleans()):
        params.append(f"note=row note {index}")
    text = "{{Mapping row|" + "|".join(params) + "}}"
    if draw(st.integers(0, 4)) == 0:
        text = f"<!-- above {index} -->\n" + text
    if draw(st.integers(0, 4)) == 0:
        text += f" <!-- beside {index} -->"
    return text


@st.composite
def pages_and_counts(draw: st.DrawFn) -> tuple[str, Counter[str]]:
    values = draw(st.lists(VALUES, min_size=1, max_size=6, unique=True))
    rows = [draw(human_rows(values, i)) for i in range(draw(st.integers(0, 8)))]
    head = draw(st.sampled_from(["", "<!-- top note -->\n"]))
    text = draw(st.sampled_from(["", "Intro.\n"])) + table(*rows, head=head)
    text += draw(st.sampled_from(["", "\nOutro."]))
    counted = draw(st.lists(st.sampled_from(values) | VALUES, max_size=6))
    counts = Counter({value: draw(st.integers(1, 500)) for value in counted})
    return text, counts


@given(pages_and_counts())
@settings(max_examples=300, deadline=None)
def test_merge_never_loses_a_filled_cell(case: tuple[str, Counter[str]]) -> None:
    text, counts = case
    before = parse_mapping_page(text)
    merged = merge_text(text, counts)
    after = parse_mapping_page(merged)

    # every row with human work is still there, its cells exactly as written
    remaining = [(r.value, dict(r.cells)) for r in after.rows]
    for old in before.rows:
        if old.has_human_work:
            assert (old.value, dict(old.cells)) in remaining
            assert old.leading in merged
            assert old.trailer in merged
    # every note outside the rows too
    for part in ("Intro.", "<!-- top note -->", "Outro."):
        assert (part in text) == (part in merged)

    # counts are right, unworked vanished rows are gone, new values are there
    present = {v for v, n in counts.items() if n > 0}
    for new in after.rows:
        assert new.count == counts.get(new.value, 0)
        assert new.value in present or new.has_human_work
    assert present <= {r.value for r in after.rows}
    keys = [(-r.count, r.value.casefold(), r.value) for r in after.rows]
    assert keys == sorted(keys)

    # and the next run changes nothing
    assert merge_text(merged, counts) == merged


@given(pages_and_counts(), pages_and_counts())
@settings(max_examples=100, deadline=None)
def test_merge_keeps_human_work_across_changing_counts(
    first: tuple[str, Counter[str]], second: tuple[str, Counter[str]]
) -> None:
    text, counts = first
    _, later_counts = second
    once = merge_text(merge_text(text, counts), later_counts)
    worked = [(r.value, dict(r.cells)) for r in parse_mapping_page(text).rows if r.has_human_work]
    remaining = [(r.value, dict(r.cells)) for r in parse_mapping_page(once).rows]
    for item in worked:
        assert item in remaining


# --- the table for rendering -------------------------------------------------


def test_mapping_from_the_spec_page() -> None:
    assert mapping_from_text("NAME", "artist", SPEC_PAGE) == MappingTable(
        request="NAME",
        column="artist",
        rows=(
            MappingRow("Blake, William", 212),
            MappingRow("Richmond, George", 3, "George Richmond", "Q1507366", ""),
        ),
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (row("a&#124;b", 1), MappingRow("a|b", 1)),
        (row("x", 1, " - "), MappingRow("x", 1, "-")),
        (row("x", 1, wikidata="-", text="-"), MappingRow("x", 1, "", "-", "-")),
        (
            row("x", 1, "Category:Foo; ;Bar<!-- ? -->;category : Baz"),
            MappingRow("x", 1, "Foo; Bar; Baz"),
        ),
        (row("x", 1, "Foo &amp; Bar"), MappingRow("x", 1, "Foo & Bar")),
        (
            row("x", 1, text=" [[d:Q1|George &amp; co]] <!-- c --> "),
            MappingRow("x", 1, text="[[d:Q1|George &amp; co]]"),  # wikitext stays wikitext
        ),
        (row("x", 1, text="{{w|X}}"), MappingRow("x", 1, text="{{w|X}}")),
    ],
)
def test_mapping_rows_are_decoded(written: str, expected: MappingRow) -> None:
    table_ = mapping_from_text("NAME", "artist", table(written))
    assert table_.rows == (expected,)
    assert table_.lookup()[expected.value] == expected


def test_duplicate_rows_are_combined_cell_by_cell_first_wins() -> None:
    text = table(row("x", 2, "A"), row("x", 2, "B", "Q1"), row("x", 2, text="T"), row("", 1, "C"))
    assert mapping_from_text("NAME", "artist", text).rows == (MappingRow("x", 2, "A", "Q1", "T"),)


def test_mapping_from_a_page_without_a_table() -> None:
    assert mapping_from_text("NAME", "artist", "nothing yet").rows == ()


def test_not_applicable_means_no_categories() -> None:
    (mapped,) = mapping_from_text("NAME", "artist", table(row("x", 1, NOT_APPLICABLE))).rows
    assert mapped.categories == "-"
    assert mapped.category_list() == []


# --- checks for volunteers --------------------------------------------------


@pytest.mark.parametrize(
    ("mapped", "says"),
    [
        (MappingRow("x", 1), None),
        (MappingRow("x", 1, "-", "-", "-"), None),
        (MappingRow("x", 1, "Foo; Bar", "Q1507366", "[[d:Q1|x]]"), None),
        (MappingRow("x", 1, wikidata="q42"), "Q-id"),
        (MappingRow("x", 1, wikidata="Q0"), "Q-id"),
        (MappingRow("x", 1, wikidata="Q42 Q43"), "Q-id"),
        (MappingRow("x", 1, wikidata="https://www.wikidata.org/wiki/Q42"), 'write just "Q42"'),
        (MappingRow("x", 1, wikidata="[[d:Q42]]"), 'write just "Q42"'),
        (MappingRow("x", 1, "[[Category:Foo]]"), "without [[ ]]"),
        (MappingRow("x", 1, "Foo|Bar"), "without [[ ]]"),
        (MappingRow("x", 1, "Foo; -"), '"-" alone'),
        (MappingRow("x", 1, "Foo#Bar"), '"#"'),
    ],
)
def test_validate_mapping(mapped: MappingRow, says: str | None) -> None:
    problems = validate_mapping(MappingTable("NAME", "artist", (mapped,)))
    if says is None:
        assert problems == []
        return
    (problem,) = problems
    assert str(problem.where) == "Mappings/artist"
    assert says in str(problem.message)
    assert f'Row "{mapped.value}"' in str(problem.message)
    assert str(problem.message).endswith(".")


def test_check_mapping_page_reports_disagreeing_duplicates_and_missing_values() -> None:
    text = table(
        row("x", 2, "A", "Q1"),
        row("x", 2, "A", "Q2"),
        row("y", 1, "B"),
        row("y", 1, wikidata="Q3"),  # fills a different cell: no disagreement
        row("", 1, "C"),
        row("z", 1, wikidata="nope"),
    )
    problems = check_mapping_page("NAME", "artist", text)
    messages = [str(p.message) for p in problems]
    assert all(str(p.where) == "Mappings/artist" for p in problems)
    assert len(problems) == 3
    assert any('"z"' in m and "Q-id" in m for m in messages)
    assert any("no value" in m for m in messages)
    assert any('"x" appears twice' in m and "Q1" in m and "Q2" in m for m in messages)


def test_check_mapping_page_of_the_spec_page_is_clean() -> None:
    assert check_mapping_page("NAME", "artist", SPEC_PAGE) == []


def test_parsed_page_keeps_the_original_text() -> None:
    page = parse_mapping_page(SPEC_PAGE)
    assert isinstance(page, ParsedMappingPage)
    assert page.original == SPEC_PAGE


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
@settings(max_examples=200, deadline=None)
def test_any_text_on_the_page_is_kept(noise: str) -> None:
    """Whatever a human put on the page (outside rows) is still in the merged page."""
    assume("Mapping" not in noise and "{{" not in noise and "}}" not in noise)
    assume("<!--" not in noise and "<" not in noise)
    text = noise + "\n" + SPEC_PAGE + "\n" + noise
    merged = merge_text(text, SPEC_COUNTS)
    assert noise.rstrip(" \t\n\r\x00\x0b") in merged
    assert merged.count(noise.strip()) >= (2 if noise.strip() else 0)
