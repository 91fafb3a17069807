"""CSV and TSV sources: encodings, delimiters, quoting, bad rows, streaming."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from bots.net.fetch import Fetcher, FetchPolicy
from bots.sources import SourceData, SourceError, open_source
from bots.sources.delimited import detect_delimiter
from tests.support.http import LoopbackServer

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
FETCHER = Fetcher(FetchPolicy(allow_private_addresses=True))


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(directory=DATA) as running:
        yield running


def from_page(text: str, tmp_path: Path, *, format: str | None = None) -> SourceData:  # noqa: A002
    return open_source(
        "Project:Hub/Requests/Test/Data",
        format,
        {},
        fetcher=FETCHER,
        read_wiki_page=lambda title: text,
        workdir=tmp_path,
    )


def from_bytes(
    data: bytes,
    server: LoopbackServer,
    tmp_path: Path,
    *,
    format: str | None = None,  # noqa: A002
) -> SourceData:
    path = f"/bytes/{tmp_path.name}.csv"
    server.add(path, (200, {"Content-Type": "text/csv"}, data))
    return open_source(
        server.url(path),
        format,
        {},
        fetcher=FETCHER,
        read_wiki_page=lambda title: None,
        workdir=tmp_path,
    )


# --- the Tate sample data -----------------------------------------------------------


def test_tate_artworks_with_the_truncated_last_row(server: LoopbackServer, tmp_path: Path) -> None:
    source = open_source(
        server.url("/tate/artwork_data.csv"),
        None,
        {},
        fetcher=FETCHER,
        read_wiki_page=lambda title: None,
        workdir=tmp_path,
    )
    assert source.format == "csv"
    assert source.encoding == "utf-8"
    assert source.delimiter == ","
    assert source.columns[:3] == ("id", "accession_number", "artist")
    assert len(source.columns) == 15
    assert source.record_count == 2134
    assert len(source.problems) == 1
    problem = source.problems[0]
    assert str(problem.where) == "row 2136"
    assert str(problem.message).startswith(
        "has 9 fields but the header has 15; the row was left out"
    )
    records = list(source.records())
    assert len(records) == 2134
    assert records[0]["accession_number"] == "A00001"
    assert records[0]["thumbnailUrl"].endswith("A00001_8.jpg")
    assert records[-1]["id"] != "99034"  # the truncated record is not among them
    multiline = [r for r in records if "\n" in r["creditLine"]]
    assert multiline and "\r\n" in multiline[0]["creditLine"]  # quoted CRLF kept as is
    assert all(isinstance(v, str) for r in records for v in r.values())


def test_tate_artists_with_byte_order_mark(server: LoopbackServer, tmp_path: Path) -> None:
    source = open_source(
        server.url("/tate/artist_data.csv"),
        "csv",
        {},
        fetcher=FETCHER,
        read_wiki_page=lambda title: None,
        workdir=tmp_path,
    )
    assert source.encoding == "utf-8-sig"
    assert source.columns == (
        "id",
        "name",
        "gender",
        "dates",
        "yearOfBirth",
        "yearOfDeath",
        "placeOfBirth",
        "placeOfDeath",
        "url",
    )
    assert source.record_count == 3532
    assert source.problems == []
    first = next(source.records())
    assert first["id"] and first["name"]


# --- encodings --------------------------------------------------------------------------


def test_utf16_with_bom(server: LoopbackServer, tmp_path: Path) -> None:
    text = "id\ttitle\r\n1\tÉtude für Klavier\r\n2\t東京\r\n"
    source = from_bytes(text.encode("utf-16"), server, tmp_path)
    assert source.encoding == "utf-16"
    assert source.format == "tsv"
    assert [r["title"] for r in source.records()] == ["Étude für Klavier", "東京"]


def test_utf16_without_bom(server: LoopbackServer, tmp_path: Path) -> None:
    text = "id,title\n1,Étude\n2,Nocturne\n"
    source = from_bytes(text.encode("utf-16-le"), server, tmp_path)
    assert source.encoding == "utf-16-le"
    assert [r["title"] for r in source.records()] == ["Étude", "Nocturne"]


def test_windows_1252_fallback(server: LoopbackServer, tmp_path: Path) -> None:
    text = "id;title\n1;Café – “Le Déjeuner”\n"
    source = from_bytes(text.encode("cp1252"), server, tmp_path)
    assert source.encoding == "cp1252"
    assert source.delimiter == ";"
    assert next(source.records())["title"] == "Café – “Le Déjeuner”"


def test_latin1_as_the_last_resort(server: LoopbackServer, tmp_path: Path) -> None:
    source = from_bytes(b"id,title\n1,a\x81b\xe9\n", server, tmp_path)
    assert source.encoding == "latin-1"
    assert next(source.records())["title"] == "a\x81bé"


# --- delimiters and quoting -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiter", "expected_artist"),
    [
        ('id,artist,year\n1,"Blake, William",1790\n2,Turner,1840\n', ",", "Blake, William"),
        ("id;artist;year\n1;Blake, William;1790\n2;Turner, J.M.W.;1840\n", ";", "Blake, William"),
        ("id\tartist\tyear\n1\tBlake, William\t1790\n2\tTurner\t1840\n", "\t", "Blake, William"),
        ("id|artist|year\n1|Blake, William|1790\n2|Turner; J.|1840\n", "|", "Blake, William"),
    ],
)
def test_delimiter_detection(
    text: str, delimiter: str, expected_artist: str, tmp_path: Path
) -> None:
    source = from_page(text, tmp_path)
    assert source.delimiter == delimiter
    assert source.format == ("tsv" if delimiter == "\t" else "csv")
    assert source.columns == ("id", "artist", "year")
    assert next(source.records())["artist"] == expected_artist


def test_format_tsv_splits_on_tabs_only(tmp_path: Path) -> None:
    text = "id\ttitle, with comma\n1\ta, b, c\n"
    source = from_page(text, tmp_path, format="tsv")
    assert source.format == "tsv"
    assert source.columns == ("id", "title, with comma")
    assert next(source.records())["title, with comma"] == "a, b, c"


def test_detect_delimiter_ignores_a_cut_off_last_row() -> None:
    sample = "a;b;c\n1;2;3\n4;5;6\n7;8"
    assert detect_delimiter(sample, complete=False) == ";"


def test_quoted_fields_newlines_quotes_and_crlf(tmp_path: Path) -> None:
    rows = [
        ["id", "title", "note"],
        ["1", 'He said "hello"', "line one\r\nline two"],
        ["2", "semi;colon, comma", "  padded  "],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    source = from_page(buffer.getvalue(), tmp_path)
    records = list(source.records())
    assert records[0]["title"] == 'He said "hello"'
    assert records[0]["note"] == "line one\r\nline two"
    assert records[1]["title"] == "semi;colon, comma"
    assert records[1]["note"] == "  padded  "  # whitespace kept


# --- headers and rows ---------------------------------------------------------------------------


def test_header_names_are_stripped_and_blank_ones_named(tmp_path: Path) -> None:
    source = from_page(" id , title ,,\n1,Sunset,x,\n", tmp_path)
    assert source.columns == ("id", "title", "column 3", "column 4")
    assert next(source.records()) == {
        "id": "1",
        "title": "Sunset",
        "column 3": "x",
        "column 4": "",
    }


def test_duplicate_column_names(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        from_page("id,title,date,title\n1,a,b,c\n", tmp_path)
    assert str(caught.value).startswith(
        'the header names the column "title" twice (columns 2 and 4)'
    )


@pytest.mark.parametrize("text", ["", "\n\n", ",,,\n"])
def test_no_header_row(text: str, tmp_path: Path, server: LoopbackServer) -> None:
    with pytest.raises(SourceError, match="the CSV has no header row"):
        from_bytes(text.encode(), server, tmp_path)


def test_rows_with_the_wrong_number_of_fields_are_reported_not_fatal(tmp_path: Path) -> None:
    text = "id,title,year\n1,a,1900\n\n2,b\n3,c,1901,extra\n4,d,1902,,\n,,\n5,e,1903\n"
    source = from_page(text, tmp_path)
    assert [r["id"] for r in source.records()] == ["1", "4", "5"]
    assert [(str(p.where), str(p.message).split(";")[0]) for p in source.problems] == [
        ("row 4", "has 2 fields but the header has 3"),
        ("row 5", "has 4 fields but the header has 3"),
    ]


def test_records_can_be_read_again(tmp_path: Path) -> None:
    source = from_page("id,title\n1,a\n2,b\n", tmp_path)
    first = list(source.records())
    assert list(source.records()) == first
    assert first == [{"id": "1", "title": "a"}, {"id": "2", "title": "b"}]


def test_a_hundred_thousand_rows_stream_from_disk(server: LoopbackServer, tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "title", "artist", "url"])
    for number in range(100_000):
        writer.writerow(
            [number, f"Title {number}", f"Artist {number % 97}", f"https://x.example/{number}.jpg"]
        )
    data = buffer.getvalue().encode()
    assert len(data) > 5_000_000
    del buffer
    tracemalloc.start()
    try:
        source = from_bytes(data, server, tmp_path)
        count = 0
        for record in source.records():
            count += 1
            last = record
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == source.record_count == 100_000
    assert last["id"] == "99999"
    assert peak < 3_000_000  # far less than the 5+ MB of data: nothing held as a list
