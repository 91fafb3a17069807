"""Suggestions in mapping tables: searched texts, ranking, the cell, and the preview id (pure)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bots.pipeline.mapping import merge_mapping, parse_mapping_page
from bots.pipeline.preview import preview_id
from bots.pipeline.suggestions import (
    candidates,
    cell_text,
    flipped,
    of_type,
    ranked,
    search_texts,
    table_type,
    wanting,
    with_suggestions,
    without_suggestions,
)
from bots.wiki.records import SearchHit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Blake, William", "William Blake"),
        ("Turner, J. M. W.", "J. M. W. Turner"),
        ("  Blake ,  William ", "William Blake"),
        ("William Blake", None),
        ("Paris, France, Europe", None),
        ("Blake,", None),
        (", William", None),
    ],
)
def test_last_first_is_turned_around(value: str, expected: str | None) -> None:
    assert flipped(value) == expected


def test_what_is_searched() -> None:
    assert search_texts("Blake, William") == ["Blake, William", "William Blake"]
    assert search_texts("oil on canvas") == ["oil on canvas"]


def hit(qid: str, label: str, matched: str = "", description: str = "") -> SearchHit:
    return SearchHit(qid, label, description, "label", matched or label)


def test_exact_labels_and_aliases_come_first_then_the_searchs_order() -> None:
    texts = ["Blake, William", "William Blake"]
    first_search = [hit("Q9", "Blake, William (ship)")]
    second_search = [
        hit("Q2", "William Blake Richmond"),
        hit("Q1", "William Blake"),
        hit("Q3", "W. Blake", matched="william blake"),  # an alias, other case
        hit("Q9", "Blake, William (ship)"),
    ]
    assert [h.id for h in ranked(texts, [first_search, second_search])] == ["Q1", "Q3", "Q9", "Q2"]


def test_type_keeps_only_its_instances() -> None:
    hits = [hit("Q1", "a"), hit("Q2", "b"), hit("Q3", "c")]
    classes = {"Q1": {"Q5"}, "Q2": {"Q3305213"}, "Q3": {"Q5", "Q215627"}}
    assert [h.id for h in of_type(hits, "Q5", classes)] == ["Q1", "Q3"]
    assert of_type(hits, "", classes) == hits


def test_the_cell_shows_three_candidates_with_label_and_description() -> None:
    hits = [
        hit("Q1", "William Blake", description="English poet  and painter"),
        hit("Q2", "Blake", description=""),
        hit("Q3", "", description=""),
        hit("Q4", "fourth"),
    ]
    cell = cell_text(hits)
    assert cell == "Q1 (William Blake; English poet and painter), Q2 (Blake), Q3"
    assert candidates(cell) == ["Q1", "Q2", "Q3"]
    long = cell_text([hit("Q5", "x", description="d" * 200)])
    assert len(long) < 100 and long.endswith("…)")


def test_candidates_read_labels_with_commas_and_brackets() -> None:
    cell = "Q1 (Blake, William (poet); English, 1757), Q22 (Q3 (a label), really)"
    assert candidates(cell) == ["Q1", "Q22"]
    assert candidates("") == []


TABLE = """{{Mapping table|request=R|column=artist|type=q5}}
{{Mapping row|value=Blake, William|count=3|categories=Blake|wikidata=|text=}}
{{Mapping row|value=Turner|count=2|categories=|wikidata=Q1|suggestions=Q1 (Turner)|text=}}
{{Mapping row|value=Nobody|count=1|categories=|wikidata=-|text=}}
{{Mapping table end}}"""


def test_which_rows_want_suggestions_and_the_tables_type() -> None:
    page = parse_mapping_page(TABLE)
    assert table_type(page) == "Q5"
    assert wanting(page, ["Blake, William", "Turner", "Nobody", "New"]) == ["Blake, William", "New"]
    assert table_type(parse_mapping_page(TABLE.replace("|type=q5", "|type=human"))) == ""


def test_suggestions_are_written_refreshed_and_emptied_once_wikidata_is_filled() -> None:
    text = with_suggestions(TABLE, {"Blake, William": "Q41 (William Blake; poet|painter)"})
    assert "|wikidata=|suggestions=Q41 (William Blake; poet&#124;painter)|text=}}" in text
    assert "|wikidata=Q1|suggestions=|text=}}" in text  # filled: emptied
    assert with_suggestions(text, {"Blake, William": "Q41 (William Blake; poet|painter)"}) == text
    refreshed = with_suggestions(text, {"Blake, William": "Q42 (W. Blake)"})
    assert "|suggestions=Q42 (W. Blake)|" in refreshed
    # a row not looked up in this run keeps its cell; everything else stays byte for byte
    assert with_suggestions(text, {}) == text
    assert refreshed.replace("Q42 (W. Blake)", "Q41 (William Blake; poet&#124;painter)") == text


def test_suggestions_are_not_human_work_and_not_in_the_preview_id() -> None:
    text = with_suggestions(TABLE, {"Blake, William": "Q41 (William Blake)"})
    assert without_suggestions(text) == without_suggestions(TABLE)
    ids = {
        preview_id({"title": "{t}"}, {"artist": without_suggestions(t)}, "s", "t", {})
        for t in (TABLE, text, with_suggestions(text, {"Blake, William": "Q7 (x)"}))
    }
    assert len(ids) == 1
    # what a volunteer writes does change it
    human = text.replace("|categories=Blake|", "|categories=Blake; Poets|")
    assert preview_id({}, {"a": without_suggestions(human)}, "s", "t", {}) != preview_id(
        {}, {"a": without_suggestions(text)}, "s", "t", {}
    )
    # a row with nothing but suggestions is dropped when its value leaves the data
    page = "{{Mapping table|request=R|column=a}}\n{{Mapping row|value=Gone|count=1|categories=|wikidata=|suggestions=Q1 (x)|text=}}\n{{Mapping table end}}"
    merged = merge_mapping(parse_mapping_page(page), "R", "a", Counter({"Other": 1}))
    assert "Gone" not in merged


@given(st.text(min_size=1, max_size=40), st.text(max_size=40))
def test_any_label_reads_back_from_the_cell(label: str, description: str) -> None:
    cell = cell_text([hit("Q7", label, description=description)])
    text = with_suggestions(TABLE, {"Turner": "x", "Blake, William": cell})
    page = parse_mapping_page(text)
    from bots.pipeline.mapping import decode_value

    assert decode_value(page.rows[0].cells["suggestions"]) == cell.strip() or not cell.strip()
    assert [r.value for r in page.rows] == ["Blake, William", "Turner", "Nobody"]
