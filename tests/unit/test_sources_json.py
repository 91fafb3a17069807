"""JSON sources: record lists, flattening, and plain-words errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bots.net.fetch import Fetcher, FetchPolicy
from bots.sources import SourceData, SourceError, open_source
from bots.sources.jsonsource import flatten

FETCHER = Fetcher(FetchPolicy())


def from_page(
    text: str,
    tmp_path: Path,
    *,
    format: str | None = None,  # noqa: A002
    split: str = ";",
) -> SourceData:
    return open_source(
        "Project:Hub/Requests/Test/Data",
        format,
        {},
        fetcher=FETCHER,
        read_wiki_page=lambda title: text,
        workdir=tmp_path,
        split=split,
    )


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"id": "1", "title": "Sunset"}, {"id": "1", "title": "Sunset"}),
        (
            {"artist": {"name": "Blake", "born": 1757}},
            {"artist.name": "Blake", "artist.born": "1757"},
        ),
        ({"a": {"b": {"c": "deep"}}}, {"a.b.c": "deep"}),
        ({"tags": ["sea", "boat"]}, {"tags": "sea;boat"}),
        (
            {"creators": [{"name": "Blake"}, {"name": "Turner", "role": "painter"}]},
            {"creators.name": "Blake;Turner", "creators.role": "painter"},
        ),
        ({"x": None, "y": [], "z": {}}, {"x": "", "y": "", "z": ""}),
        ({"flag": True, "other": False}, {"flag": "true", "other": "false"}),
        ({"price": "1.50", "count": 3}, {"price": "1.50", "count": "3"}),
        ({"mixed": ["a", None, 2]}, {"mixed": "a;2"}),
        ({"nested": [["a", "b"], ["c"]]}, {"nested": "a;b;c"}),
        ({"text": "  spaced  "}, {"text": "  spaced  "}),
    ],
)
def test_flatten(item: dict[str, object], expected: dict[str, str]) -> None:
    assert flatten(item, split=";") == expected


def test_list_of_objects(tmp_path: Path) -> None:
    text = json.dumps(
        [
            {"id": "A1", "title": "Sunset", "artist": {"name": "Turner"}, "size": 1.5},
            {"id": "A2", "title": "Tiger", "tags": ["animal", "poem"]},
        ]
    )
    source = from_page(text, tmp_path)
    assert source.format == "json"
    assert source.columns == ("id", "title", "artist.name", "size", "tags")
    assert list(source.records()) == [
        {"id": "A1", "title": "Sunset", "artist.name": "Turner", "size": "1.5", "tags": ""},
        {"id": "A2", "title": "Tiger", "artist.name": "", "size": "", "tags": "animal;poem"},
    ]


def test_numbers_keep_their_text(tmp_path: Path) -> None:
    source = from_page('[{"id": 7, "w": 1.50, "h": 1e3, "big": 12345678901234567890}]', tmp_path)
    assert next(source.records()) == {
        "id": "7",
        "w": "1.50",
        "h": "1e3",
        "big": "12345678901234567890",
    }


def test_records_wrapper_and_split(tmp_path: Path) -> None:
    text = json.dumps({"meta": {"n": 1}, "records": [{"id": "1", "subjects": ["a", "b"]}]})
    source = from_page(text, tmp_path, format="json", split=" | ")
    assert list(source.records()) == [{"id": "1", "subjects": "a | b"}]


def test_items_that_are_not_objects_are_problems(tmp_path: Path) -> None:
    source = from_page('[{"id": "1"}, 5, "text", [1, 2], null, {"id": "2"}]', tmp_path)
    assert [r["id"] for r in source.records()] == ["1", "2"]
    assert [str(p.where) for p in source.problems] == [
        "record 2",
        "record 3",
        "record 4",
        "record 5",
    ]
    assert str(source.problems[0].message) == (
        "is a number, not an object with named fields; it was left out"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[\n  {"id": "1"},\n  {"id": "2" "title": "x"}\n]',
            "the JSON is not valid: line 3 column 14: a comma is missing",
        ),
        (
            '[{"id": 1}',
            "the JSON is not valid: line 1 column 11: a comma is missing; "
            "the document ends too early, so it may have been cut off",
        ),
        (
            '[{"id": "1", "title": "Cut o',
            "the JSON is not valid: line 1 column 23: a text in quotes is never closed; "
            "the document ends too early, so it may have been cut off",
        ),
        (
            '{"id": 1}}',
            "the JSON is not valid: line 1 column 10: more data follows the end of the document",
        ),
        (
            r'[{"id": "a\qb"}]',
            "the JSON is not valid: line 1 column 11: a backslash in a text is not followed by a valid escape",
        ),
        ('{"id": NaN}', "the JSON is not valid: NaN is not a JSON value"),
        ('"just text"', "the JSON is a text, not a list of records"),
        (
            '{"items": [], "total": 0}',
            'the JSON must be a list of objects or an object with a "records" list; '
            "this object has the keys: items, total.",
        ),
        ('{"records": {"id": 1}}', 'the JSON\'s "records" is an object, not a list'),
        ("[" * 5000 + "]" * 5000, "the JSON is nested too deeply to read"),
    ],
)
def test_unreadable_json(text: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        from_page(text, tmp_path, format="json")
    assert str(caught.value) == message


def test_deep_objects_are_refused(tmp_path: Path) -> None:
    text = "[" + '{"a":' * 100 + "1" + "}" * 100 + "]"
    with pytest.raises(SourceError, match="nested more than 64 levels"):
        from_page(text, tmp_path)


def test_a_iiif_manifest_read_as_plain_json_gets_a_hint(tmp_path: Path) -> None:
    text = json.dumps({"@context": "http://iiif.io/api/presentation/3/context.json", "id": "x"})
    with pytest.raises(SourceError, match="looks like a IIIF manifest"):
        from_page(text, tmp_path, format="json")


def test_utf8_byte_order_mark_and_bad_bytes(tmp_path: Path) -> None:
    from bots.sources.jsonsource import parse_json

    assert parse_json(b'\xef\xbb\xbf[{"id": "1"}]') == [{"id": "1"}]
    assert parse_json('[{"t": "é"}]'.encode("utf-16")) == [{"t": "é"}]
    with pytest.raises(SourceError, match="not valid UTF-8 text"):
        parse_json(b'[{"t": "\xff"}]')


def test_records_keep_their_columns_across_blocks(tmp_path: Path) -> None:
    """Records stored in several blocks come back whole, in order, as often as asked;
    a column first seen late reads as "" in the records before it."""
    items = [{"id": str(n), "title": f"T{n}"} for n in range(2500)]
    items[1700]["late"] = "here"
    items.append({"title": "no id", "late": "x"})
    source = from_page(json.dumps(items), tmp_path, format="json")
    expected = [
        {"id": i.get("id", ""), "title": i["title"], "late": i.get("late", "")} for i in items
    ]
    assert source.columns == ("id", "title", "late")
    assert list(source.records()) == expected
    assert [list(r) for r in source.records()][:1] == [["id", "title", "late"]]
    assert list(source.records()) == expected
    source.close()
