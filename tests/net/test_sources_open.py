"""open_source: locations, wiki pages, format detection, digests and failures."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bots.net.fetch import Fetcher, FetchPolicy
from bots.sources import SourceData, SourceError, is_url, open_source
from bots.sources.detect import detect_format, looks_like_iiif
from bots.sources.wikipage import data_from_page
from tests.support.http import LoopbackServer

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
FETCHER = Fetcher(FetchPolicy(allow_private_addresses=True))
PAGE = "Project:Content Partnerships Hub/Requests/Tate/Data"


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(directory=DATA) as running:
        yield running


def from_pages(
    pages: dict[str, str],
    tmp_path: Path,
    *,
    title: str = PAGE,
    format: str | None = None,  # noqa: A002
) -> SourceData:
    return open_source(
        title,
        format,
        {},
        fetcher=FETCHER,
        read_wiki_page=pages.get,
        workdir=tmp_path,
    )


def from_url(url: str, tmp_path: Path, *, fetcher: Fetcher = FETCHER, **kw: str) -> SourceData:
    return open_source(
        url,
        kw.get("format"),
        {},
        fetcher=fetcher,
        read_wiki_page=lambda title: None,
        workdir=tmp_path,
    )


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'[{"id": 1}]', "json"),
        (b'  \n{"records": []}', "json"),
        (b'\xef\xbb\xbf{"a": 1}', "json"),
        ('{"a": 1}'.encode("utf-16"), "json"),
        (
            b'<?xml version="1.0"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">',
            "oai-pmh",
        ),
        (b'<oai:OAI-PMH xmlns:oai="http://www.openarchives.org/OAI/2.0/">', "oai-pmh"),
        (b"<!DOCTYPE html>\n<html lang=en><head>", "html"),
        (b"<html><body>", "html"),
        (b'<?xml version="1.0"?><rdf:RDF>', "xml"),
        (b"id,title\n1,a\n", "delimited"),
        (b"id\ttitle\n", "delimited"),
        (b"", "delimited"),
    ],
)
def test_detect_format(head: bytes, expected: str) -> None:
    assert detect_format(head) == expected


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"@context": "http://iiif.io/api/presentation/3/context.json"}, True),
        (
            {
                "@context": [
                    "http://www.w3.org/ns/anno.jsonld",
                    "http://iiif.io/api/presentation/3/context.json",
                ]
            },
            True,
        ),
        ({"@type": "sc:Manifest"}, True),
        ({"type": "Collection"}, True),
        ({"records": []}, False),
        ([{"type": "Manifest"}], False),
    ],
)
def test_looks_like_iiif(document: object, expected: bool) -> None:
    assert looks_like_iiif(document) is expected


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("https://example.org/a.csv", True),
        ("  HTTP://example.org/a.csv", True),
        ("Project:Content Partnerships Hub/Requests/Tate/Data", False),
        ("ftp://example.org/a.csv", False),
        ("http:/example.org", False),
    ],
)
def test_is_url(location: str, expected: bool) -> None:
    assert is_url(location) is expected


# --- wiki pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id,title\n1,a\n", ("id,title\n1,a\n", 0)),
        ("Intro text\n<pre>\nid,title\n1,a\n</pre>\nThanks!", ("id,title\n1,a\n", 1)),
        (
            '<syntaxhighlight lang="json">\n[{"id": "1"}]\n</syntaxhighlight>',
            ('[{"id": "1"}]\n', 1),
        ),
        ("<PRE>a\tb\n1\t2</PRE>", ("a\tb\n1\t2", 1)),
        ("<pre>a\n1</pre>\n<pre>b\n2</pre>", ("a\n1", 2)),
    ],
)
def test_data_from_page(text: str, expected: tuple[str, int]) -> None:
    assert data_from_page(text) == expected


def test_csv_inside_pre_on_a_wiki_page(tmp_path: Path) -> None:
    text = "Data for the Tate batch.\n<pre>\nid;artist;title\nA1;Blake, William;Tiger\n</pre>\n"
    source = from_pages({PAGE: text}, tmp_path)
    assert (source.format, source.delimiter, source.encoding) == ("csv", ";", "utf-8")
    assert list(source.records()) == [{"id": "A1", "artist": "Blake, William", "title": "Tiger"}]
    assert (
        source.digest == hashlib.sha256(b"id;artist;title\nA1;Blake, William;Tiger\n").hexdigest()
    )


def test_tsv_and_json_on_wiki_pages(tmp_path: Path) -> None:
    tsv = from_pages({PAGE: "<pre>id\ttitle\n1\tA\n</pre>"}, tmp_path)
    assert tsv.format == "tsv"
    json_source = from_pages({PAGE: '{"records": [{"id": "1", "a": {"b": "c"}}]}'}, tmp_path)
    assert json_source.format == "json"
    assert list(json_source.records()) == [{"id": "1", "a.b": "c"}]


def test_several_data_blocks_are_a_problem(tmp_path: Path) -> None:
    source = from_pages({PAGE: "<pre>id\n1\n</pre><pre>id\n2\n</pre>"}, tmp_path)
    assert [r["id"] for r in source.records()] == ["1"]
    assert [str(p) for p in source.problems] == [
        f"page {PAGE}: has 2 data blocks; only the first was read"
    ]


def test_missing_and_empty_pages(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        from_pages({}, tmp_path)
    assert str(caught.value) == f"the page {PAGE} does not exist"
    with pytest.raises(SourceError, match="has no data"):
        from_pages({PAGE: "<pre>\n\n</pre>"}, tmp_path)


# --- URLs ----------------------------------------------------------------------------------------


def test_digest_is_the_sha256_of_the_download(server: LoopbackServer, tmp_path: Path) -> None:
    source = from_url(server.url("/tate/artist_data.csv"), tmp_path)
    expected = hashlib.sha256((DATA / "tate" / "artist_data.csv").read_bytes()).hexdigest()
    assert source.digest == expected


def test_digest_changes_with_the_content(server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/d.csv", (200, {}, b"id,title\n1,a\n"))
    first = from_url(server.url("/d.csv"), tmp_path).digest
    assert from_url(server.url("/d.csv"), tmp_path).digest == first
    server.add("/d.csv", (200, {}, b"id,title\n1,b\n"))
    assert from_url(server.url("/d.csv"), tmp_path).digest != first


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            b"<!DOCTYPE html><html><body>Our collection</body></html>",
            "the source address gave a web page (HTML), not data: a page without a title",
        ),
        (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"/>', "XML but not an OAI-PMH answer"),
    ],
)
def test_content_that_is_not_data(
    body: bytes, words: str, server: LoopbackServer, tmp_path: Path
) -> None:
    server.add("/page", (200, {"Content-Type": "text/html"}, body))
    with pytest.raises(SourceError) as caught:
        from_url(server.url("/page"), tmp_path)
    assert words in str(caught.value)


LOGIN_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Sign in &ndash; Museum   collections</title></head>
<body><form action="/login"><input name="user"><input name="password"></form></body></html>
"""


@pytest.mark.parametrize(
    ("wanted", "words"),
    [
        (
            "csv",
            'not CSV data: "Sign in – Museum collections" (a login page, an error page, '
            "or a page about the data?). Give the address of the CSV file itself",
        ),
        ("tsv", "not TSV data: "),
        ("json", "not JSON data: "),
        ("iiif", "not IIIF data: "),
        (None, "not data: "),
    ],
)
def test_a_web_page_is_one_clear_message_whatever_the_format(
    wanted: str | None, words: str, server: LoopbackServer, tmp_path: Path
) -> None:
    """A login or error page served with 200 is not read as rows of HTML tags."""
    server.add("/export", (200, {"Content-Type": "text/html; charset=utf-8"}, LOGIN_PAGE))
    with pytest.raises(SourceError) as caught:
        from_url(server.url("/export"), tmp_path, format=wanted)
    message = str(caught.value)
    assert message.startswith("the source address gave a web page (HTML), ")
    assert words in message
    assert "column" not in message


def test_a_web_page_is_recognised_without_the_servers_word(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.add("/export.csv", (200, {"Content-Type": "text/csv"}, b"\n  " + LOGIN_PAGE))
    with pytest.raises(SourceError, match=r"gave a web page \(HTML\), not CSV data"):
        from_url(server.url("/export.csv"), tmp_path, format="csv")


def test_an_html_fragment_labelled_html_is_a_web_page(
    server: LoopbackServer, tmp_path: Path
) -> None:
    body = b"<div class=error>Access denied</div>"
    server.add("/denied", (200, {"Content-Type": "text/html"}, body))
    with pytest.raises(SourceError) as caught:
        from_url(server.url("/denied"), tmp_path, format="csv")
    assert "not CSV data: a page without a title" in str(caught.value)


def test_csv_that_a_careless_server_labels_html_is_still_read(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.add("/data", (200, {"Content-Type": "text/html"}, b"id,title\n1,<b>bold</b>\n"))
    source = from_url(server.url("/data"), tmp_path, format="csv")
    assert source.columns == ("id", "title")
    assert [r["title"] for r in source.records()] == ["<b>bold</b>"]


def test_a_wiki_page_holding_html_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        from_pages({PAGE: LOGIN_PAGE.decode()}, tmp_path, format="csv")
    assert str(caught.value).startswith(f"the page {PAGE} holds a web page (HTML), not CSV data")


def test_fetch_failures_become_source_errors(server: LoopbackServer, tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        from_url(server.url("/nothing.csv"), tmp_path)
    assert str(caught.value) == (
        f"the source could not be read: the server answered 404 Not Found for "
        f"{server.url('/nothing.csv')}"
    )
    with pytest.raises(SourceError, match="127.0.0.1 is loopback"):
        from_url(server.url("/tate/artist_data.csv"), tmp_path, fetcher=Fetcher(FetchPolicy()))


def test_a_mute_source_costs_at_most_the_time_given_and_says_so(tmp_path: Path) -> None:
    """The run's share for the request ends the read, and the message says whose limit it was."""
    import time

    from tests.support.rawserver import RawServer, mute

    with RawServer(mute) as silent:
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            open_source(
                silent.url("/data.csv"),
                "csv",
                {},
                fetcher=FETCHER,
                read_wiki_page=lambda title: None,
                workdir=tmp_path,
                max_seconds=1.0,
            )
        elapsed = time.monotonic() - started
    assert elapsed < 1.8
    assert str(caught.value) == (
        "the source could not be read: the server at 127.0.0.1 accepted the connection but "
        "did not answer within 1 s. This run could give the source only 1 second of its "
        "time budget; the next run tries again"
    )
    assert list(tmp_path.iterdir()) == []


def test_oversize_source(server: LoopbackServer, tmp_path: Path) -> None:
    small = Fetcher(FetchPolicy(allow_private_addresses=True, max_metadata_bytes=100_000))
    with pytest.raises(SourceError) as caught:
        from_url(server.url("/tate/artwork_data.csv"), tmp_path, fetcher=small)
    assert "is larger than the limit of 97.7 KB (sources.max_metadata_bytes)" in str(caught.value)


@pytest.mark.parametrize("name", ["xml", "Excel", "csv2"])
def test_unknown_format(name: str, tmp_path: Path) -> None:
    with pytest.raises(
        SourceError, match=f'the format "{name}" is not known; use one of: csv, tsv'
    ):
        from_pages({PAGE: "id\n1\n"}, tmp_path, format=name)


def test_format_names_are_forgiving(tmp_path: Path) -> None:
    assert from_pages({PAGE: "id\n1\n"}, tmp_path, format=" CSV ").format == "csv"


# --- the work directory -------------------------------------------------------------------------


def test_close_removes_the_records_and_failures_leave_nothing(tmp_path: Path) -> None:
    source = from_pages({PAGE: "id\n1\n"}, tmp_path)
    assert len(list(tmp_path.iterdir())) == 1
    source.close()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SourceError):
        from_pages({PAGE: '[{"id": 1}'}, tmp_path)
    assert list(tmp_path.iterdir()) == []
    with from_pages({PAGE: "id\n1\n"}, tmp_path) as opened:
        assert opened.record_count == 1
    assert list(tmp_path.iterdir()) == []
