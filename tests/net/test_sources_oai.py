"""OAI-PMH harvesting against a loopback server serving recorded answers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bots.sources.oai
from bots.net.fetch import Fetcher, FetchPolicy
from bots.sources import SourceData, SourceError, open_source
from bots.sources.oai import media_url, split_base_url
from tests.support.http import LoopbackServer, SeenRequest

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
OAI = DATA / "oai"
FETCHER = Fetcher(FetchPolicy(allow_private_addresses=True))
XML = {"Content-Type": "text/xml; charset=utf-8"}


def sickle_pages(seen: SeenRequest) -> tuple[int, dict[str, str], bytes]:
    """The sickle sample pages, chained by their resumption tokens (the next file's name)."""
    token = seen.arg("resumptionToken")
    name = "sickle__ListRecords.xml" if token is None else f"sickle__{token}"
    return 200, XML, (OAI / name).read_bytes()


def page(
    records: str, token: str | None = None, response_date: str = "2024-01-01T00:00:00Z"
) -> bytes:
    resumption = f"<resumptionToken>{token}</resumptionToken>" if token is not None else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>{response_date}</responseDate>
  <request verb="ListRecords">http://museum.example/oai</request>
  <ListRecords>{records}{resumption}</ListRecords>
</OAI-PMH>""".encode()


def dc_record(identifier: str, *elements: tuple[str, str], sets: tuple[str, ...] = ()) -> str:
    set_specs = "".join(f"<setSpec>{s}</setSpec>" for s in sets)
    body = "".join(f"<dc:{name}>{value}</dc:{name}>" for name, value in elements)
    return f"""<record><header><identifier>{identifier}</identifier>
<datestamp>2020-05-01</datestamp>{set_specs}</header><metadata>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">{body}</oai_dc:dc></metadata></record>"""


def error_page(code: str, text: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2024-01-01T00:00:00Z</responseDate>
  <request verb="ListRecords">http://museum.example/oai</request>
  <error code="{code}">{text}</error>
</OAI-PMH>""".encode()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def harvest(
    server: LoopbackServer,
    tmp_path: Path,
    path: str = "/oai",
    options: dict[str, str] | None = None,
    **kwargs: Any,
) -> SourceData:
    return open_source(
        server.url(path),
        kwargs.pop("format", "oai-pmh"),
        options or {},
        fetcher=kwargs.pop("fetcher", FETCHER),
        read_wiki_page=lambda title: None,
        workdir=tmp_path,
        **kwargs,
    )


def listing_requests(server: LoopbackServer) -> list[dict[str, list[str]]]:
    return [seen.query for seen in server.requests if seen.arg("verb") == "ListRecords"]


# --- the recorded answers ------------------------------------------------------------------


def test_sickle_pages_follow_resumption_tokens(server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/oai", sickle_pages)
    source = harvest(server, tmp_path)
    assert source.format == "oai-pmh"
    assert source.record_count == 4  # 8 records, every other one deleted
    assert listing_requests(server) == [
        {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"]},
        {"verb": ["ListRecords"], "resumptionToken": ["ListRecords2.xml"]},
        {"verb": ["ListRecords"], "resumptionToken": ["ListRecords3.xml"]},
        {"verb": ["ListRecords"], "resumptionToken": ["ListRecords4.xml"]},
    ]
    assert source.columns[:4] == ("id", "datestamp", "setSpec", "title")
    assert source.columns[-1] == "file"
    record = next(source.records())
    assert record["id"] == "oai:test.example.com:1585322"
    assert record["datestamp"] == "2011-01-10T10:19:23Z"
    assert record["title"] == "Sample Title"
    assert record["creator"] == "John Doe;John Doe;John Doe;John Doe"
    assert record["type"] == "info:eu-repo/semantics/article;doc-type:article;text"
    assert record["description"].startswith("Lorem ipsum dolor sit amet")
    assert record["file"] == "http://test.example.com/publication/1585322"
    assert "oai:test.example.com:1585310" not in {r["id"] for r in source.records()}


def test_detected_without_a_format(server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/oai", sickle_pages)
    source = harvest(server, tmp_path, format=None)
    assert source.format == "oai-pmh"
    assert source.record_count == 4


def test_pyoai_harvest_with_options(server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/oai", (200, XML, (OAI / "pyoai__fake1_00005_ListRecords.xml").read_bytes()))
    source = harvest(
        server, tmp_path, options={"from": "2003-04-10", "set": "1:2", "until": "2003-05-01"}
    )
    assert listing_requests(server) == [
        {
            "verb": ["ListRecords"],
            "metadataPrefix": ["oai_dc"],
            "set": ["1:2"],
            "from": ["2003-04-10"],
            "until": ["2003-05-01"],
        }
    ]
    records = list(source.records())
    assert len(records) == 16
    first = records[0]
    assert first["id"] == "hdl:1765/308"
    assert first["setSpec"] == "1:2"
    assert first["contributor"] == "Smidts, A."
    assert first["identifier"] == "90-5892-036-4;http://hdl.handle.net/1765/308"
    assert first["file"] == "http://hdl.handle.net/1765/308"
    assert first["format"] == "995607;application/pdf"
    assert source.problems == []


def test_split_separator_and_metadata_prefix(server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/oai", sickle_pages)
    source = harvest(server, tmp_path, options={"metadata_prefix": "oai_dc"}, split=" | ")
    assert next(source.records())["creator"] == "John Doe | John Doe | John Doe | John Doe"
    server.requests.clear()
    harvest(server, tmp_path, options={"metadata_prefix": "lido"})
    assert listing_requests(server)[0]["metadataPrefix"] == ["lido"]


def test_no_records_match_names_the_harvest(server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/oai", (200, XML, (OAI / "sickle__noRecordsMatch.xml").read_bytes()))
    with pytest.raises(SourceError) as caught:
        harvest(server, tmp_path, options={"set": "empty", "from": "2030-01-01"})
    assert str(caught.value) == (
        "the OAI-PMH repository gave no records for metadataPrefix=oai_dc, set=empty, "
        "from=2030-01-01; check the set, from and until options"
    )
    assert len(listing_requests(server)) == 1


def test_only_deleted_records_is_no_records(server: LoopbackServer, tmp_path: Path) -> None:
    gone = (
        "<record><header status='deleted'><identifier>oai:x:1</identifier>"
        "<datestamp>2020-01-01</datestamp></header></record>"
    )
    server.add("/oai", (200, XML, page(gone * 3)))
    with pytest.raises(SourceError, match=r"gave no records \(3 were marked deleted\) for"):
        harvest(server, tmp_path)


def test_bad_resumption_token(server: LoopbackServer, tmp_path: Path) -> None:
    def first_page_then_refusal(seen: SeenRequest) -> tuple[int, dict[str, str], bytes]:
        if seen.arg("resumptionToken"):
            return 200, XML, (OAI / "sickle__badResumptionToken.xml").read_bytes()
        return sickle_pages(seen)

    server.add("/oai", first_page_then_refusal)
    with pytest.raises(SourceError) as caught:
        harvest(server, tmp_path)
    assert str(caught.value) == (
        "the OAI-PMH server refused its own resumption token (it may have expired); "
        "the harvest has to start again (badResumptionToken: This resumptionToken is invalid)"
    )


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("cannotDisseminateFormat", "cannot give records in the metadata format oai_dc"),
        ("noSetHierarchy", "has no sets; remove the set option"),
        ("badArgument", "the request's arguments are wrong"),
        ("somethingNew", "answered with the error somethingNew"),
    ],
)
def test_other_oai_errors(code: str, words: str, server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/oai", (200, XML, error_page(code, "details")))
    with pytest.raises(SourceError) as caught:
        harvest(server, tmp_path)
    assert words in str(caught.value)
    assert f"({code}: details)" in str(caught.value)


# --- hostile answers ---------------------------------------------------------------------------


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE OAI-PMH [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>
<identifier>&g;</identifier><datestamp>2020</datestamp></header></record></ListRecords></OAI-PMH>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE OAI-PMH [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>
<identifier>&secret;</identifier></header></record></ListRecords></OAI-PMH>"""


@pytest.mark.parametrize("body", [BOMB, EXTERNAL])
def test_xml_entities_are_refused(body: bytes, server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/oai", (200, XML, body))
    with pytest.raises(SourceError) as caught:
        harvest(server, tmp_path)
    assert "declares XML entities, which the bot refuses for safety" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            b"<html><head><title>Down for maintenance</title></head></html>",
            'is a web page (HTML) ("Down for maintenance"), not an OAI-PMH response',
        ),
        (
            b"<OAI-PMH><ListRecords>",
            "is not valid XML: no element found: line 1, column 22; "
            "it ends too early, so it may have been cut off",
        ),
        (
            b"<OAI-PMH><ListRecords></OAI-PMH>",
            "is not valid XML: mismatched tag: line 1, column 24",
        ),
        (b"id,title\n1,a\n", "is not valid XML: syntax error: line 1, column 0"),
        (
            b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><GetRecord/></OAI-PMH>',
            "has no ListRecords",
        ),
    ],
)
def test_answers_that_are_not_oai(
    body: bytes, words: str, server: LoopbackServer, tmp_path: Path
) -> None:
    server.add("/oai", (200, XML, body))
    with pytest.raises(SourceError) as caught:
        harvest(server, tmp_path)
    assert words in str(caught.value)


def test_a_repeating_token_stops_the_harvest(server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/oai", (200, XML, page(dc_record("oai:x:1", ("title", "A")), token="same")))
    with pytest.raises(SourceError) as caught:
        harvest(server, tmp_path)
    assert str(caught.value) == (
        'the OAI-PMH server sent the resumption token "same" a second time (page 2); '
        "the harvest was stopped so that it does not go round forever"
    )
    assert len(listing_requests(server)) == 2


def test_endless_new_tokens_stop_at_the_page_bound(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bots.sources.oai, "MAX_PAGES", 5)
    counter = itertools.count()
    server.add("/oai", lambda seen: (200, XML, page("", token=f"t{next(counter)}")))
    with pytest.raises(SourceError, match="did not end after 5 pages"):
        harvest(server, tmp_path)
    assert len(listing_requests(server)) == 5


def test_a_slow_endless_harvest_stops_at_the_time_bound(
    server: LoopbackServer, tmp_path: Path
) -> None:
    import time

    counter = itertools.count()

    def slow(seen: SeenRequest) -> tuple[int, dict[str, str], bytes]:
        time.sleep(0.2)
        number = next(counter)
        return 200, XML, page(dc_record(f"oai:x:{number}", ("title", "A")), token=f"t{number}")

    server.add("/oai", slow)
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        harvest(server, tmp_path, max_seconds=1)
    assert time.monotonic() - started < 3
    message = str(caught.value)
    assert message.startswith("the OAI-PMH harvest took longer than 1 second (")
    assert "records read); narrow it with set, from or until. " in message
    assert message.endswith(
        "This run could give the source only 1 second of its time budget; the next run tries again"
    )
    assert len(listing_requests(server)) < 10


def test_all_pages_together_within_the_metadata_limit(
    server: LoopbackServer, tmp_path: Path
) -> None:
    counter = itertools.count()
    big = dc_record("oai:x:1", ("description", "x" * 3000))
    server.add("/oai", lambda seen: (200, XML, page(big, token=f"t{next(counter)}")))
    small = Fetcher(FetchPolicy(allow_private_addresses=True, max_metadata_bytes=20_000))
    with pytest.raises(SourceError) as caught:
        harvest(server, tmp_path, fetcher=small)
    assert "the OAI-PMH answers together are larger than the limit of 19.5 KB" in str(caught.value)
    assert len(listing_requests(server)) == 6


def test_server_failure_names_the_page(server: LoopbackServer, tmp_path: Path) -> None:
    def second_page_fails(seen: SeenRequest) -> tuple[int, dict[str, str], bytes]:
        if seen.arg("resumptionToken"):
            return 503, {"Retry-After": "120"}, b"busy"
        return sickle_pages(seen)

    server.add("/oai", second_page_fails)
    with pytest.raises(SourceError) as caught:
        harvest(server, tmp_path)
    assert str(caught.value).startswith(
        "page 2 of the OAI-PMH harvest could not be read: "
        "the server answered 503 Service Unavailable"
    )


# --- records, digest, addresses ----------------------------------------------------------------


def test_media_identifier_is_preferred_for_file(server: LoopbackServer, tmp_path: Path) -> None:
    records = dc_record(
        "oai:museum:1",
        ("identifier", "INV-1234"),
        ("identifier", "https://museum.example/object/1234"),
        ("identifier", " https://media.museum.example/1234/full.TIF "),
        ("title", "Sunset"),
        sets=("paintings", "british"),
    ) + dc_record("oai:museum:2", ("title", "No links"))
    server.add("/oai", (200, XML, page(records)))
    first, second = list(harvest(server, tmp_path).records())
    assert first["file"] == "https://media.museum.example/1234/full.TIF"
    assert first["setSpec"] == "paintings;british"
    assert second["file"] == ""
    assert second["identifier"] == ""


@pytest.mark.parametrize(
    ("identifiers", "expected"),
    [
        (["https://x.example/item/1", "https://x.example/1.jpg"], "https://x.example/1.jpg"),
        (["urn:x", "http://x.example/landing"], "http://x.example/landing"),
        (["doi:10.1/x"], ""),
        ([], ""),
    ],
)
def test_media_url(identifiers: list[str], expected: str) -> None:
    assert media_url(identifiers) == expected


def test_other_metadata_formats_are_flattened_by_path(
    server: LoopbackServer, tmp_path: Path
) -> None:
    record = """<record><header><identifier>oai:m:1</identifier><datestamp>2020</datestamp>
</header><metadata><mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>Sunset</title>
</titleInfo><name><namePart>Turner</namePart></name><name><namePart>Blake</namePart></name>
</mods></metadata></record>"""
    server.add("/oai", (200, XML, page(record)))
    source = harvest(server, tmp_path, options={"metadata_prefix": "mods"})
    assert next(source.records()) == {
        "id": "oai:m:1",
        "datestamp": "2020",
        "setSpec": "",
        "titleInfo.title": "Sunset",
        "name.namePart": "Turner;Blake",
        "file": "",
    }


def test_digest_ignores_response_dates_but_not_records(
    server: LoopbackServer, tmp_path: Path
) -> None:
    record = dc_record("oai:x:1", ("title", "A"))
    server.add("/oai", (200, XML, page(record, response_date="2024-01-01T00:00:00Z")))
    first = harvest(server, tmp_path).digest
    server.add("/oai", (200, XML, page(record, response_date="2025-06-30T12:00:00Z")))
    assert harvest(server, tmp_path).digest == first
    server.add("/oai", (200, XML, page(dc_record("oai:x:1", ("title", "B")))))
    assert harvest(server, tmp_path).digest != first


def test_a_full_list_records_url_gives_the_defaults(server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/oai", sickle_pages)
    url = server.url("/oai?verb=ListRecords&metadataPrefix=oai_dc&set=prints&institution=tate")
    open_source(
        url,
        "oai-pmh",
        {"from": "2020-01-01"},
        fetcher=FETCHER,
        read_wiki_page=lambda title: None,
        workdir=tmp_path,
    )
    first = listing_requests(server)[0]
    assert first == {
        "institution": ["tate"],
        "verb": ["ListRecords"],
        "metadataPrefix": ["oai_dc"],
        "set": ["prints"],
        "from": ["2020-01-01"],
    }
    assert listing_requests(server)[1]["institution"] == ["tate"]


def test_split_base_url() -> None:
    assert split_base_url("https://x.example/oai?verb=Identify&metadataPrefix=lido&a=1") == (
        "https://x.example/oai?a=1",
        {"metadata_prefix": "lido"},
    )


def test_oai_from_a_wiki_page_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="must be the repository's base URL"):
        open_source(
            "Project:Hub/Requests/X/Data",
            "oai-pmh",
            {},
            fetcher=FETCHER,
            read_wiki_page=lambda title: "x",
            workdir=tmp_path,
        )
