"""Export: rows per record with community categories and mapped Wikidata ids, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bots.followup.export import (
    CSV_COLUMNS,
    ExportRow,
    community_categories,
    export_row,
    mapped_wikidata,
    write_csv,
    write_export,
    write_json,
)
from bots.jobs.export import gather_export
from bots.model import MappingRow, MappingTable
from bots.pipeline.mapping import mapping_from_text
from bots.store import Outcome, StateStore
from bots.wiki.usage import file_pages

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

BOT_PAGE = """=={{int:filedesc}}==
{{Artwork
 |artist = Blake, Robert
 |title = A Figure Bowing
}}

=={{int:license-header}}==
{{cc-zero}}
{{Partnership upload|request=Tate drawings|id=A00001}}

[[Category:Tate]]
[[Category:Drawings in Tate]]"""

COMMUNITY_PAGE = (
    BOT_PAGE.replace("[[Category:Drawings in Tate]]", "[[Category:Old men in art]]")
    + "\n[[Category:Robert_Blake|Figure]]\n{{Depicts|Q5}}"
)


@pytest.mark.parametrize(
    "categories,page,bot,expected",
    [
        (
            ["Tate", "Old men in art", "Robert Blake"],
            COMMUNITY_PAGE,
            BOT_PAGE,
            ("Old men in art", "Robert Blake"),
        ),
        (["Tate", "Drawings in Tate"], BOT_PAGE, BOT_PAGE, ()),
        # a category added by a template is listed, not marked: the text does not show it
        (["Tate", "People (from Depicts)"], BOT_PAGE + "\n{{Depicts|Q5}}", BOT_PAGE, ()),
        # without the bot's revision nothing can be told apart
        (["Tate", "Old men in art"], COMMUNITY_PAGE, None, ()),
        # a volunteer re-adding a category the bot wrote does not make it theirs
        (["Tate"], BOT_PAGE.replace("[[Category:Tate]]", "[[Category:tate]]"), BOT_PAGE, ()),
    ],
    ids=["added by hand", "untouched", "via template", "no bot revision", "same category"],
)
def test_community_categories(
    categories: list[str], page: str, bot: str | None, expected: tuple[str, ...]
) -> None:
    assert community_categories(categories, page, bot) == expected


ARTIST_TABLE = MappingTable(
    "Tate drawings",
    "artist",
    (
        MappingRow("Blake, Robert", 3, "Robert Blake", "Q3938143", ""),
        MappingRow("Blake, William", 212, "", "q41513", ""),
        MappingRow("Unknown", 9, "-", "-", "-"),
        MappingRow("Richmond, George", 1, "George Richmond", "", ""),
    ),
)
MEDIUM_TABLE = MappingTable(
    "Tate drawings",
    "medium",
    (MappingRow("Graphite", 10, "", "Q5309", ""), MappingRow("Ink", 3, "", "Q127418", "")),
)


@pytest.mark.parametrize(
    "record,expected",
    [
        ({"artist": "Blake, Robert", "medium": "Graphite; Ink"}, ("Q3938143", "Q5309", "Q127418")),
        ({"artist": "Blake, William; Blake, Robert"}, ("Q41513", "Q3938143")),
        ({"artist": "Unknown", "medium": "Chalk"}, ()),
        ({"artist": "Richmond, George"}, ()),
        ({"artist": " Blake, Robert ;Blake, Robert", "medium": "Graphite"}, ("Q3938143", "Q5309")),
        ({}, ()),
        (None, ()),
    ],
)
def test_mapped_wikidata(record: dict[str, str] | None, expected: tuple[str, ...]) -> None:
    tables = {"artist": ARTIST_TABLE, "medium": MEDIUM_TABLE}
    assert mapped_wikidata(record, tables) == expected


def test_mapped_wikidata_from_a_mapping_page_as_volunteers_fill_it() -> None:
    page = """{{Mapping table|request=Tate drawings|column=artist}}
{{Mapping row|value=Blake, Robert|count=3|categories=Robert Blake|wikidata=Q3938143|text=}}
{{Mapping row|value=Blake, William|count=212|categories=|wikidata=|text=}}
{{Mapping table end}}"""
    table = mapping_from_text("Tate drawings", "artist", page)
    assert mapped_wikidata({"artist": "Blake, Robert"}, {"artist": table}) == ("Q3938143",)
    assert mapped_wikidata({"artist": "Blake, William"}, {"artist": table}) == ()


def test_export_row_defaults_to_the_written_categories() -> None:
    row = export_row(
        "A00001",
        file_title="File:A figure.jpg",
        page_text=COMMUNITY_PAGE,
        bot_text=BOT_PAGE,
        record={"artist": "Blake, Robert"},
        tables={"artist": ARTIST_TABLE},
        usage_count=3,
    )
    assert row.categories == ("Tate", "Old men in art", "Robert Blake")
    assert row.community_categories == ("Old men in art", "Robert Blake")
    assert row.wikidata == ("Q3938143",)
    assert row.usage_count == 3


ROWS = [
    ExportRow(
        "A00001",
        "File:A figure, bowing.jpg",
        "https://upload.example/a/ab/A_figure.jpg",
        "0123456789abcdef0123456789abcdef01234567",
        ("Tate", "Old men in art"),
        ("Old men in art",),
        ("Q3938143", "Q5309"),
        3,
        item="Q1",
    ),
    ExportRow("A00002", "", "", "", (), (), (), None),
    ExportRow('A"3', 'File:Tyger; "quoted".jpg', "u", "s", ("Ünïcode",), (), (), 0),
]


def test_csv_has_a_header_and_one_line_per_record() -> None:
    out = io.StringIO()
    assert write_csv(ROWS, out) == 3
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(lines[0]) == CSV_COLUMNS
    assert lines[1] == [
        "A00001",
        "File:A figure, bowing.jpg",
        "https://upload.example/a/ab/A_figure.jpg",
        "0123456789abcdef0123456789abcdef01234567",
        "Tate|Old men in art",
        "Old men in art",
        "Q3938143|Q5309",
        "3",
        "",
        "",
        "",
        "Q1",
    ]
    usage, item = CSV_COLUMNS.index("usage_count"), CSV_COLUMNS.index("item")
    assert lines[2][usage] == ""  # unknown usage is empty, not 0
    assert lines[2][item] == ""  # no item
    assert lines[3][0] == 'A"3' and lines[3][1] == 'File:Tyger; "quoted".jpg'
    assert lines[3][usage] == "0"


def test_json_marks_community_categories_and_keeps_unknown_as_null() -> None:
    out = io.StringIO()
    assert write_json(ROWS, out) == 3
    data = json.loads(out.getvalue())
    assert data[0]["categories"] == [
        {"name": "Tate", "added_by_community": False},
        {"name": "Old men in art", "added_by_community": True},
    ]
    assert data[0]["wikidata"] == ["Q3938143", "Q5309"]
    assert data[1]["usage_count"] is None
    assert data[2]["categories"][0]["name"] == "Ünïcode"


@pytest.mark.parametrize("format", ["csv", "json"])
def test_writers_stream_row_by_row(format: str) -> None:
    out = io.StringIO()
    seen_before_last: list[int] = []

    def rows() -> Iterator[ExportRow]:
        for number, row in enumerate(ROWS):
            if number == len(ROWS) - 1:
                seen_before_last.append(len(out.getvalue()))
            yield row

    write_export(rows(), out, format)
    assert seen_before_last[0] > 0
    assert "A00002" in out.getvalue()[: seen_before_last[0]]


def test_an_empty_export_is_valid() -> None:
    out = io.StringIO()
    write_json([], out)
    assert json.loads(out.getvalue()) == []
    out = io.StringIO()
    write_csv([], out)
    assert out.getvalue().strip() == ",".join(CSV_COLUMNS)


def test_an_unknown_format_is_refused_in_plain_words() -> None:
    with pytest.raises(ValueError, match="--format must be one of csv, json"):
        write_export(ROWS, io.StringIO(), "xml")


# --- against recorded answers and a real state store -------------------------------------


class RecordedWiki:
    """Answers the export's queries in MediaWiki's formatversion=2 shapes."""

    def __init__(self, pages: dict[str, dict[str, Any]], bot_texts: dict[str, str]) -> None:
        self.pages = pages
        self.bot_texts = bot_texts
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **params: Any) -> dict[str, Any]:
        self.calls.append(params)
        if params.get("meta") == "siteinfo":
            return {"query": {"general": {"servername": "127.0.0.1"}, "extensions": []}}
        if "rvdir" in params:  # one page's history, oldest first
            title = params["titles"]
            info = self.pages[title]
            history = [("HubBot", self.bot_texts[title])] + info.get("history", [])
            history.append((info["user"], info["text"]))
            revisions = [
                {
                    "revid": n + 1,
                    "parentid": n,
                    "user": user,
                    "timestamp": f"2026-11-{n + 1:02d}T00:00:00Z",
                    "slots": {"main": {"content": text}},
                }
                for n, (user, text) in enumerate(history)
            ]
            return {"query": {"pages": [{"ns": 6, "title": title, "revisions": revisions}]}}
        titles = params["titles"].split("|")
        assert len(titles) <= 50
        if params["prop"] == "fileusage":
            return {
                "query": {
                    "pages": [
                        {
                            "ns": 6,
                            "title": t,
                            "fileusage": [
                                {"pageid": i, "ns": 0, "title": f"Page {i}"}
                                for i in range(self.pages.get(t, {}).get("uses", 0))
                            ],
                        }
                        for t in titles
                    ]
                }
            }
        out = []
        half = "clcontinue" not in params
        for title in titles:
            info = self.pages.get(title)
            if info is None:
                out.append({"ns": 6, "title": title, "missing": True})
                continue
            cats = info["categories"]
            shown = cats[: len(cats) // 2] if half else cats[len(cats) // 2 :]
            page = {
                "pageid": 1,
                "ns": 6,
                "title": title,
                "categories": [{"ns": 14, "title": f"Category:{c}"} for c in shown],
            }
            if half:
                page["imageinfo"] = [{"url": info["url"], "sha1": info["sha1"]}]
                edited = info["user"] != "HubBot" or "history" in info
                page["revisions"] = [
                    {
                        "revid": 10,
                        "parentid": 9 if edited else 0,
                        "user": info["user"],
                        "slots": {"main": {"content": info["text"]}},
                    }
                ]
            out.append(page)
        answer: dict[str, Any] = {"query": {"pages": out}}
        if half:
            answer["continue"] = {"clcontinue": "1|x", "continue": "||"}
        return answer


def tate_records(count: int) -> dict[str, dict[str, str]]:
    with (DATA / "tate" / "artwork_data.csv").open(encoding="utf-8", newline="") as handle:
        records: dict[str, dict[str, str]] = {}
        for row in csv.DictReader(handle):
            records[row["accession_number"]] = row
            if len(records) == count:
                break
    return records


@pytest.fixture
def store() -> Iterator[StateStore]:
    with StateStore.from_url("sqlite://") as opened:
        yield opened


def test_gather_export_with_a_category_a_volunteer_added(store: StateStore) -> None:
    records = tate_records(60)
    artists = sorted({r["artist"] for r in records.values()})
    table = MappingTable(
        "Tate drawings",
        "artist",
        tuple(MappingRow(a, 1, "", f"Q{100 + i}", "") for i, a in enumerate(artists)),
    )
    pages = {}
    for number, record_id in enumerate(records):
        title = f"File:Tate {record_id}.jpg"
        if number < 55:
            store.finish("Tate drawings", record_id, Outcome.UPLOADED, title=title[5:])
        edited = number % 2 == 0
        pages[title] = {
            "url": f"https://upload.example/{record_id}.jpg",
            "sha1": f"{number:040x}",
            "categories": ["Tate", "Drawings in Tate"] + (["Volunteer picks"] if edited else []),
            "text": BOT_PAGE + ("\n[[Category:Volunteer picks]]" if edited else ""),
            "user": "Volunteer" if edited else "HubBot",
            "uses": number % 3,
        }
    store.finish(
        "Tate drawings",
        "DUP1",
        Outcome.DUPLICATE,
        title="Dup.jpg",
        existing_file="File:Tate A00001.jpg",
    )
    store.finish("Tate drawings", "FAIL1", Outcome.FAILED, title="Failed.jpg", reason="too big")
    wiki = RecordedWiki(pages, {t: BOT_PAGE for t in pages})
    rows = list(
        gather_export(
            wiki,
            store,
            "Tate drawings",
            bot_user="HubBot",
            records=records,
            tables={"artist": table},
        )
    )
    by_id = {r.record_id: r for r in rows}
    assert set(by_id) == set(list(records)[:55]) | {"DUP1"}
    first_id = next(iter(records))
    first = by_id[first_id]
    assert first.file_title == f"File:Tate {first_id}.jpg"
    assert first.sha1 == f"{0:040x}"
    assert first.categories == ("Tate", "Drawings in Tate", "Volunteer picks")
    assert first.community_categories == ("Volunteer picks",)
    artist = records[first_id]["artist"]
    assert first.wikidata == (f"Q{100 + artists.index(artist)}",)
    second = by_id[list(records)[1]]
    assert second.community_categories == () and second.usage_count == 1
    assert by_id["DUP1"].file_title == f"File:Tate {first_id}.jpg"
    assert by_id["DUP1"].community_categories == ()
    assert sum(1 for c in wiki.calls if c.get("meta") == "siteinfo") == 1
    # a page's history is read only when someone edited it after the upload
    asked = [c["titles"] for c in wiki.calls if "rvdir" in c]
    assert len(asked) == 28 and all(pages[t]["user"] == "Volunteer" for t in asked)


def test_a_category_a_sync_kept_for_the_community_stays_theirs(store: StateStore) -> None:
    volunteer = BOT_PAGE + "\n[[Category:Volunteer picks]]"
    synced = volunteer.replace("A Figure Bowing", "A Figure Bowing Low")  # a later bot edit
    page = {
        "url": "u",
        "sha1": "c" * 40,
        "categories": ["Tate", "Drawings in Tate", "Volunteer picks"],
        "text": synced,
        "user": "HubBot",
        "history": [("Volunteer", volunteer)],
    }
    store.finish("X", "R1", Outcome.UPLOADED, title="A.jpg")
    wiki = RecordedWiki({"File:A.jpg": page}, {"File:A.jpg": BOT_PAGE})
    rows = list(gather_export(wiki, store, "X", bot_user="HubBot"))
    assert rows[0].community_categories == ("Volunteer picks",)


def test_a_deleted_file_is_still_a_row_without_title(store: StateStore) -> None:
    store.finish("X", "R1", Outcome.UPLOADED, title="Gone.jpg", sha1="a" * 40)
    rows = list(gather_export(RecordedWiki({}, {}), store, "X", bot_user="HubBot"))
    assert rows == [ExportRow("R1", "", "", "a" * 40, (), (), (), None)]


def test_file_pages_merges_continued_answers() -> None:
    wiki = RecordedWiki(
        {
            "File:A.jpg": {
                "url": "u",
                "sha1": "s",
                "categories": ["One", "Two", "Three"],
                "text": "t",
                "user": "HubBot",
            }
        },
        {},
    )
    page = file_pages(wiki, ["File:A.jpg"])["File:A.jpg"]
    assert page.categories == ("One", "Two", "Three")
    assert (page.url, page.sha1, page.text, page.user) == ("u", "s", "t", "HubBot")
    assert wiki.calls[0]["clshow"] == "!hidden"


def test_usage_that_cannot_be_read_is_empty_not_zero(store: StateStore) -> None:
    from bots.wiki import WikiUnavailable

    class NoUsage(RecordedWiki):
        def __call__(self, **params: Any) -> dict[str, Any]:
            if params.get("prop") == "fileusage":
                raise WikiUnavailable("unreachable", "timeout")
            return super().__call__(**params)

    page = {"url": "u", "sha1": "b" * 40, "categories": [], "text": BOT_PAGE, "user": "HubBot"}
    store.finish("X", "R1", Outcome.UPLOADED, title="A.jpg")
    rows = list(gather_export(NoUsage({"File:A.jpg": page}, {}), store, "X", bot_user="HubBot"))
    assert rows[0].usage_count is None
    out = io.StringIO()
    write_csv(rows, out)
    assert out.getvalue().splitlines()[1].endswith(",")
