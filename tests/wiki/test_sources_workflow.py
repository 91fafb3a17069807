"""GLAM-native sources through the whole workflow on the real wiki (SPEC 3, 7, 8).

The partner's server is :class:`~tests.support.glamserver.GlamServer`: the
real IIIF manifests and OAI-PMH answers of ``../shared/data``, served on
loopback with the links the bot follows pointing back at it, and real image
and sound files made up for every media URL. A request names the manifest or
the OAI-PMH endpoint, the bot reads it, a reviewer approves the preview, and
the files land on the wiki with their descriptions; bad and hostile sources
end as messages on the Status page.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bots.sources.base
import bots.sources.oai
from bots.dev.install import install
from bots.pipeline.escape import escape_value
from bots.store import Outcome
from tests.support.glamserver import DATA, GlamServer, billion_laughs
from tests.support.workflow import Media, Workflow

IIIF = DATA / "iiif"
OAI = DATA / "oai"
DC = "{http://purl.org/dc/elements/1.1/}"
OAI_NS = "{http://www.openarchives.org/OAI/2.0/}"

#: what IIIF and OAI-PMH requests need besides their own patterns
IIIF_REQUEST = {
    "format": "iiif",
    "id": "id",
    "file": "file",
    "description": "{label}",
    "author": None,
}
OAI_REQUEST = {"format": "oai-pmh", "id": "id", "file": "file"}


@pytest.fixture
def glam(tmp_path: Path) -> Iterator[GlamServer]:
    folder = tmp_path / "partner-site"
    folder.mkdir()
    with GlamServer(directory=folder) as server:
        yield server


@pytest.fixture
def flow(bot, person, config_file, hub_root, glam) -> Workflow:
    install(bot, hub_root, standins=True, progress=lambda m: None)
    return Workflow(
        bot=bot,
        person=person,
        config_path=config_file(),
        hub_root=hub_root,
        media=Media(glam.directory, glam.base),
    )


# --- helpers -------------------------------------------------------------------------


def file_iiif(flow: Workflow, name: str, **params: str | None) -> str:
    """File a IIIF request as the partner (a parameter set to None is left out)."""
    merged: dict[str, Any] = {**IIIF_REQUEST, **params}
    return flow.file_request(name, **merged)


def file_oai(flow: Workflow, name: str, **params: str | None) -> str:
    """File an OAI-PMH request as the partner."""
    merged: dict[str, Any] = {**OAI_REQUEST, **params}
    return flow.file_request(name, **merged)


def approve_and_run(flow: Workflow, *names: str) -> None:
    flow.run()
    for name in names:
        assert flow.status(name)["state"] == "awaiting-approval", flow.status_text(name)
        flow.approve(name)
    flow.run()


def uploaded(flow: Workflow, name: str) -> dict[str, str]:
    """record id -> ``File:`` title of every file the request uploaded."""
    store = flow.store()
    try:
        return {
            s.record_id: f"File:{s.title}" for s in store.all(name) if s.outcome == Outcome.UPLOADED
        }
    finally:
        store.close()


def field(page: str, name: str) -> str:
    """The value of one template field on a file page (``|name = value``)."""
    match = re.search(rf"^ \|{re.escape(name)} =(?: (.*))?$", page, re.MULTILINE)
    assert match, f"no field {name} on the page:\n{page}"
    return match.group(1) or ""


def painted_canvases(name: str) -> int:
    """How many canvases of a sample manifest paint something (counted from the file)."""
    document = json.loads((IIIF / name).read_text(encoding="utf-8"))
    count = 0
    for canvas in document.get("items", []):
        bodies = [
            annotation.get("body")
            for page in canvas.get("items", [])
            for annotation in page.get("items", [])
            if annotation.get("motivation") == "painting"
        ]
        count += bool(bodies)
    return count


def oai_records(name: str) -> list[dict[str, list[str]]]:
    """The live records of a sample OAI-PMH answer: DC element -> values, plus the id."""
    root = ET.parse(OAI / name).getroot()
    out = []
    for record in root.iter(f"{OAI_NS}record"):
        header = record.find(f"{OAI_NS}header")
        if header is None or header.get("status") == "deleted":
            continue
        values: dict[str, list[str]] = {"id": [header.findtext(f"{OAI_NS}identifier") or ""]}
        for element in record.iter():
            if element.tag.startswith(DC):
                values.setdefault(element.tag[len(DC) :], []).append(element.text or "")
        out.append(values)
    return out


def source_problem(flow: Workflow, name: str) -> str:
    """The message about ``source`` on an invalid request's status page (escaped text)."""
    status = flow.status(name)
    text = flow.status_text(name)
    assert status["state"] == "invalid", text
    match = re.search(r"^\* '''source''': (.*)$", text, re.MULTILINE)
    assert match, text
    return match.group(1)


# --- IIIF manifests ----------------------------------------------------------------------


def test_iiif_manifest_in_two_languages_becomes_an_artwork_page(flow, glam):
    url = glam.iiif("0006-text-language__manifest.json")
    file_iiif(
        flow,
        "Whistler",
        source=url,
        template="Artwork",
        title=f"{flow.tag} {{label}}",
        work_title="{{en|1={label}}} {{fr|1={label.fr}}}",
        artist="{metadata.Creator}",
        description="{summary}",
        credit_line="{requiredStatement.label}: {requiredStatement}",
        source_url="{manifest}",
    )
    approve_and_run(flow, "Whistler")
    status = flow.status("Whistler")
    assert (status["state"], status["total"], status["uploaded"]) == ("done", "1", "1")

    [title] = uploaded(flow, "Whistler").values()
    assert title == f"File:{flow.tag} Whistler's Mother.jpg"
    page = flow.file_text(title)
    assert field(page, "title") == (
        "{{en|1=" + escape_value("Whistler's Mother") + "}} "
        "{{fr|1=" + escape_value("La Mère de Whistler") + "}}"
    )
    assert field(page, "artist") == escape_value("Whistler, James Abbott McNeill")
    assert field(page, "description") == escape_value(
        "Arrangement in Grey and Black No. 1, also called Portrait of the Artist's Mother."
    )
    assert field(page, "credit line") == "Held By: " + escape_value("Musée d'Orsay, Paris, France")
    assert field(page, "source") == escape_value(url)
    assert "{{cc-zero}}" in page
    # the file is the full-size image from the Image API 3 service, byte for byte
    info = flow.bot.files([title])[title]
    assert info.mime == "image/jpeg"
    [path] = glam.paths_with_sha1(info.sha1)
    assert path.endswith("-Whistlers_Mother/full/max/0/default.jpg")
    # and the page shows the text, not markup made of it
    html = flow.bot.call(action="parse", page=title, prop="text")["parse"]["text"]
    assert "Whistler, James Abbott McNeill" in html and "Held By: Musée d" in html


def test_iiif_book_gives_one_file_per_canvas(flow, glam):
    name = "0009-book-1__manifest.json"
    file_iiif(
        flow,
        "Book",
        source=glam.iiif(name),
        title=f"{flow.tag} {{label}} - {{canvas.label}}",
        description="{label}: {canvas.label}, image {canvas.index} of {canvas.count}",
    )
    approve_and_run(flow, "Book")
    files = uploaded(flow, "Book")
    canvases = painted_canvases(name)
    assert canvases == 5
    assert len(files) == canvases
    assert flow.status("Book")["state"] == "done"
    labels = ["Blank page", "Frontispiece", "Title page", "Blank page", "Bookplate"]
    for index, label in enumerate(labels, start=1):
        canvas_id = f"{glam.base}/iiif/0009-book-1/manifest/canvas/p{index}"
        page = flow.file_text(files[canvas_id])
        assert field(page, "description") == (
            f"{escape_value('Simple Manifest - Book')}: {label}, image {index} of 5"
        )
    # two canvases are called "Blank page": the second title gets its record id
    assert files[f"{glam.base}/iiif/0009-book-1/manifest/canvas/p1"] == (
        f"File:{flow.tag} Simple Manifest - Book - Blank page.jpg"
    )
    assert "Blank page" in files[f"{glam.base}/iiif/0009-book-1/manifest/canvas/p4"]
    assert len(set(files.values())) == 5
    full = [p for p in glam.media_requests() if p.endswith("/full/max/0/default.jpg")]
    assert len(set(full)) == 5


def test_iiif_presentation_2_manifests(flow, glam):
    europeana = glam.iiif("v2__mirador__BibliographicResource_3000126341277.json")
    bodleian = glam.iiif("v2__mirador__001.json")
    file_iiif(
        flow,
        "Europeana",
        source=europeana,
        title=f"{flow.tag} {{label}} {{canvas.label}}",
        description="{label}, {canvas.label}",
        date="{navDate}",
        permission="{rights}",
        other_fields="{requiredStatement}",
    )
    file_iiif(
        flow,
        "Bodleian",
        author="{metadata.Creator}",
        source=bodleian,
        title=f"{flow.tag} {{label}}",
        description="{summary}. Subjects: {metadata.Subject}",
        split="&#32;/&#32;",  # spaces around the separator, written so trimming keeps them
    )
    approve_and_run(flow, "Europeana", "Bodleian")

    files = uploaded(flow, "Europeana")
    assert len(files) == 2 == flow.store().counts("Europeana")[Outcome.UPLOADED]
    page = flow.file_text(files[sorted(files)[0]])
    assert field(page, "description") == escape_value("Uusi Aura, nr: 274A - 1909-11-26, p. 1")
    assert field(page, "date") == "1909-11-26T00:00:00Z"
    assert field(page, "permission") == escape_value(
        "http://creativecommons.org/publicdomain/mark/1.0/"
    )
    assert "National Library of Finland. Public Domain Mark" in field(page, "other fields")
    europeana_paths = [p for p in glam.media_requests() if "europeana" in p]
    # each of the two runs reads each previewed image once (the preview shows its SHA-1);
    # the upload takes the bytes the preview read
    assert len(europeana_paths) == 4 and len(set(europeana_paths)) == 2
    assert all(p.endswith("/full/full/0/default.jpg") for p in europeana_paths)

    [title] = uploaded(flow, "Bodleian").values()
    page = flow.file_text(title)
    # square brackets in the data are text, not links
    assert field(page, "author") == escape_value("Becket, Mr ([London], England) [author]")
    assert "&#91;London&#93;" in field(page, "author")
    subjects = field(page, "description").split("Subjects: ", 1)[1]
    assert subjects.split(" / ") == [
        "Curiosities and wonders",
        "Dwarfs",
        "Abnormalities, Human",
        "Printed ephemera",
        "Human curiosities",
        "Dwarfs",
        "Hills",
        "Umbrellas",
    ]


def test_iiif_collection_is_walked_to_its_manifests(flow, glam):
    collection = glam.iiif("0032-collection__collection.json")
    members = collection.removesuffix(".json")
    glam.iiif("0006-text-language__manifest.json", path=_path(f"{members}/manifest-01.json"))
    glam.iiif("0005-image-service__manifest.json", path=_path(f"{members}/manifest-02.json"))
    file_iiif(
        flow,
        "Collection",
        source=collection,
        title=f"{flow.tag} {{label}}",
        description="{label} ({collection.label})",
    )
    approve_and_run(flow, "Collection")
    files = uploaded(flow, "Collection")
    assert sorted(files) == [f"{members}/manifest-01.json", f"{members}/manifest-02.json"]
    assert flow.status("Collection")["state"] == "done"
    first = flow.file_text(files[f"{members}/manifest-01.json"])
    assert field(first, "description") == escape_value(
        "Whistler's Mother (Simple Collection Example)"
    )
    second = flow.file_text(files[f"{members}/manifest-02.json"])
    assert field(second, "description") == escape_value(
        "Picture of Göttingen taken during the 2019 IIIF Conference (Simple Collection Example)"
    )


# --- audio and video ---------------------------------------------------------------------------


def test_av_manifests_as_published_are_refused_with_a_reason(flow, glam):
    """The cookbook's audio and video are MP4, which the bot cannot upload: it says so."""
    for name, manifest in (
        ("Audio", "0002-mvm-audio__manifest.json"),
        ("Video", "0003-mvm-video__manifest.json"),
    ):
        file_iiif(
            flow,
            name,
            source=glam.iiif(manifest),
            title=f"{flow.tag} {{label}}",
            description="{label}, {duration} seconds",
        )
    flow.run()
    for name, kind in (("Audio", "audio/mp4"), ("Video", "video/mp4")):
        preview = flow.bot.read_page(flow.hub.preview(name)).text
        assert f"its media is {kind}, which the bot cannot upload" in preview
        flow.approve(name)
    flow.run()
    for name, kind in (("Audio", "audio/mp4"), ("Video", "video/mp4")):
        status = flow.status(name)
        assert (status["state"], status["uploaded"], status["failed"]) == ("done", "0", "1")
        assert f"not of a type the bot uploads (the server called it {kind})" in (
            flow.status_text(name)
        )
    # read once per run for the preview (two runs); the upload fails it from those bytes
    assert sum(p.endswith(".mp4") for p in glam.media_requests()) == 4


def test_audio_manifest_offering_wav_uploads_the_sound(flow, glam):
    """The audio recipe as a partner offering WAV would publish it (a variant served here)."""
    url = glam.iiif(
        "0002-mvm-audio__manifest.json",
        replace={"128Kbps.mp4": "128Kbps.wav", '"audio/mp4"': '"audio/wav"'},
    )
    file_iiif(
        flow,
        "Sound",
        source=url,
        title=f"{flow.tag} {{label}}",
        description="{label}, {duration} seconds",
    )
    approve_and_run(flow, "Sound")
    [title] = uploaded(flow, "Sound").values()
    assert title == f"File:{flow.tag} Simplest Audio Example 1.wav"
    info = flow.bot.files([title])[title]
    assert info.mime in ("audio/wav", "audio/x-wav")
    [path] = glam.paths_with_sha1(info.sha1)
    assert path.endswith("/CD1/medium/128Kbps.wav")
    assert field(flow.file_text(title), "description") == (
        "Simplest Audio Example 1, 1985.024 seconds"
    )


# --- OAI-PMH -------------------------------------------------------------------------------


def test_oai_pmh_harvest_to_uploaded_files(flow, glam):
    """The real 2003 Erasmus University harvest: sixteen records, each with its file."""
    name = "pyoai__fake1_00005_ListRecords.xml"
    endpoint = glam.oai_files("/oai", {None: name}, expect={"from": "2003-04-10"})
    fields = {
        "title": f"{flow.tag} {{title}}",
        "description": "{title}",
        "author": "{contributor}",
        "date": "{date}",
        "source_url": "{identifier}",
    }
    file_oai(flow, "Erasmus", source=endpoint, **{"from": "2003-04-10"}, **fields)
    file_oai(flow, "Future", source=endpoint, **{"from": "2030-01-01"}, **fields)
    approve_and_run(flow, "Erasmus")
    assert escape_value("gave no records for metadataPrefix=oai_dc, from=2030-01-01") in (
        source_problem(flow, "Future")
    )

    expected = oai_records(name)
    files = uploaded(flow, "Erasmus")
    assert len(expected) == 16
    assert sorted(files) == sorted(r["id"][0] for r in expected)
    status = flow.status("Erasmus")
    assert (status["state"], status["uploaded"], status["failed"]) == ("done", "16", "0")
    for record in expected:
        page = flow.file_text(files[record["id"][0]])
        assert field(page, "description") == escape_value(";".join(record["title"]))
        assert field(page, "author") == escape_value(";".join(record["contributor"]))
        assert field(page, "date") == escape_value(";".join(record["date"]))
        handle = record["id"][0].removeprefix("hdl:")
        assert f"/ext/hdl.handle.net/{handle}" in field(page, "source")
        assert "{{Partnership upload|request=Erasmus|id=" + record["id"][0] + "}}" in page
    first = glam.listing_requests("/oai")[0]
    assert (first.arg("metadataPrefix"), first.arg("from")) == ("oai_dc", "2003-04-10")


def test_oai_pmh_resumption_tokens_are_followed(flow, glam):
    """Sickle's four pages: every token followed; the record on every page uploaded once."""
    pages = {
        None: "sickle__ListRecords.xml",
        "ListRecords2.xml": "sickle__ListRecords2.xml",
        "ListRecords3.xml": "sickle__ListRecords3.xml",
        "ListRecords4.xml": "sickle__ListRecords4.xml",
    }
    file_oai(
        flow,
        "Sickle",
        source=glam.oai_files("/oai", pages),
        title=f"{flow.tag} {{title}}",
        description="{title}. {description}",
        author="{creator}",
        date="{date}",
    )
    approve_and_run(flow, "Sickle")
    tokens = [r.arg("resumptionToken") for r in glam.listing_requests("/oai")]
    assert tokens[:4] == [None, "ListRecords2.xml", "ListRecords3.xml", "ListRecords4.xml"]
    [title] = uploaded(flow, "Sickle").values()
    page = flow.file_text(title)
    assert field(page, "author") == "John Doe;John Doe;John Doe;John Doe"  # split
    assert field(page, "date") == "2010"
    assert field(page, "description").startswith("Sample Title. Lorem ipsum dolor sit amet")
    preview = flow.bot.read_page(flow.hub.preview("Sickle")).text
    assert preview.count("appears more than once in column id") == 3
    assert flow.status("Sickle")["state"] == "done"


# --- bad and hostile sources ----------------------------------------------------------------------


def test_hostile_oai_pmh_endpoints_end_as_clear_messages(flow, glam):
    sickle_first = "sickle__ListRecords.xml"
    glam.oai("/bomb", lambda seen: billion_laughs())
    loop = {None: "A", "A": "B", "B": "A"}
    glam.oai("/loop", lambda seen: glam.oai_page(sickle_first, loop[seen.arg("resumptionToken")]))
    glam.oai(
        "/expired",
        lambda seen: glam.oai_text(
            sickle_first
            if seen.arg("resumptionToken") is None
            else "sickle__badResumptionToken.xml"
        ),
    )
    glam.oai("/truncated", lambda seen: glam.oai_text("pyoai__fake1_00005_ListRecords.xml")[:5000])
    glam.oai("/identify", lambda seen: glam.oai_text("pyoai__fake1_00001_Identify.xml"))
    glam.document(
        "/web-page",
        b"<html><head><title>Our collection</title></head><body><p>Welcome</p></body></html>",
        headers={"Content-Type": "text/html"},
    )
    cases = {
        "Bomb": ("/bomb", "declares XML entities, which the bot refuses for safety"),
        "Loop": ("/loop", 'sent the resumption token "A" a second time (page 3)'),
        "Expired": ("/expired", "refused its own resumption token (it may have expired)"),
        "Truncated": (
            "/truncated",
            "is not valid XML: unclosed token: line 3, column 137; it ends",
        ),
        "Identify": ("/identify", "has no ListRecords"),
        "Webpage": (
            "/web-page",
            'is a web page (HTML) ("Our collection"), not an OAI-PMH response',
        ),
    }
    for name, (path, _words) in cases.items():
        file_oai(flow, name, source=glam.url(path), title="{title}")
    started = time.monotonic()
    summary = flow.run()
    assert time.monotonic() - started < 120
    assert summary.requests == dict.fromkeys(cases, "invalid")
    for name, (_path, words) in cases.items():
        assert words in source_problem(flow, name), name
        assert not flow.bot.read_page(flow.hub.preview(name)).exists
    assert len(glam.listing_requests("/loop")) == 3


def test_endless_resumption_tokens_stop_at_the_bounds(flow, glam, monkeypatch):
    """Fresh tokens for ever: stopped by the page bound, or by the time bound when slow."""
    monkeypatch.setattr(bots.sources.oai, "MAX_PAGES", 300)
    fresh = itertools.count()
    glam.oai(
        "/endless",
        lambda seen: glam.oai_page("sickle__ListRecords.xml", f"fresh-{next(fresh)}"),
    )
    file_oai(flow, "Endless", source=glam.url("/endless"), title="{title}")
    started = time.monotonic()
    assert flow.run().requests == {"Endless": "invalid"}
    assert time.monotonic() - started < 60
    assert "the OAI-PMH harvest did not end after 300 pages; narrow it with set, from or until" in (
        source_problem(flow, "Endless")
    )
    assert len(glam.listing_requests("/endless")) == 300

    monkeypatch.setattr(bots.sources.base, "MAX_READ_SECONDS", 2.0)
    slow = itertools.count()

    def trickle(seen):
        time.sleep(0.25)
        return glam.oai_page("sickle__ListRecords.xml", f"slow-{next(slow)}")

    glam.oai("/slow", trickle)
    file_oai(flow, "Slow", source=glam.url("/slow"), title="{title}")
    started = time.monotonic()
    assert flow.run(request="Slow").requests == {"Slow": "invalid"}
    assert time.monotonic() - started < 30
    message = source_problem(flow, "Slow")
    assert message.startswith("the OAI-PMH harvest took longer than 2 seconds (")
    assert message.endswith("narrow it with set, from or until")


def test_bad_and_hostile_iiif_documents_end_as_clear_messages(flow, glam):
    book = (IIIF / "0009-book-1__manifest.json").read_bytes()
    glam.document("/truncated.json", book[:2000])
    glam.document("/records.json", json.dumps([{"id": "1", "file": "x.jpg"}]).encode())
    glam.document("/nested.json", b"[" * 100_000 + b"]" * 100_000)
    glam.add(
        "/endless.json", lambda seen: (200, {"Content-Type": "application/json"}, endless_json())
    )
    glam.generated_collection("/huge.json", 12_000)
    cases = {
        "Truncated": (
            "/truncated.json",
            "the JSON is not valid: line 59 column 23: a text in quotes is never closed; "
            "the document ends too early, so it may have been cut off",
        ),
        "Records": ("/records.json", "the JSON is not a IIIF manifest or collection"),
        "Nested": ("/nested.json", "the JSON is nested too deeply to read"),
        "Endless": (
            "/endless.json",
            "is larger than the limit of 50 MB (sources.max_metadata_bytes)",
        ),
        "Huge": ("/huge.json", "the collection lists more than 10,000 manifests"),
    }
    for name, (path, _words) in cases.items():
        file_iiif(flow, name, source=glam.url(path), title="{label}")
    started = time.monotonic()
    summary = flow.run()
    assert time.monotonic() - started < 120
    assert summary.requests == dict.fromkeys(cases, "invalid")
    for name, (_path, words) in cases.items():
        assert words in source_problem(flow, name), name
    assert glam.manifest_requests() == []  # the huge collection was refused from its listing


def test_a_broken_manifest_in_a_collection_is_left_out_and_named(flow, glam):
    collection = glam.iiif("0032-collection__collection.json")
    members = collection.removesuffix(".json")
    glam.iiif("0005-image-service__manifest.json", path=_path(f"{members}/manifest-01.json"))
    broken = (IIIF / "0006-text-language__manifest.json").read_bytes()[:700]
    glam.document(_path(f"{members}/manifest-02.json"), broken)
    file_iiif(flow, "Partly", source=collection, title=f"{flow.tag} {{label}} partly")
    approve_and_run(flow, "Partly")
    assert list(uploaded(flow, "Partly")) == [f"{members}/manifest-01.json"]
    status = flow.status("Partly")
    assert (status["state"], status["total"], status["uploaded"]) == ("done", "1", "1")
    preview = flow.bot.read_page(flow.hub.preview("Partly")).text
    assert "manifest-02.json" in preview
    assert (
        "could not be read: the JSON is not valid: line 35 column 12: a text in quotes" in preview
    )
    assert "so it may have been cut off; it was left out" in preview


def test_a_large_collection_is_read_within_bounds(flow, glam):
    """Three thousand manifests: all read, previewed and waiting for approval."""
    file_iiif(
        flow,
        "Large",
        source=glam.generated_collection("/large.json", 3_000),
        title=f"{flow.tag} {{label}}",
    )
    started = time.monotonic()
    assert flow.run().requests == {"Large": "awaiting-approval"}
    assert time.monotonic() - started < 180
    status = flow.status("Large")
    assert status["total"] == "3000"
    assert len(set(glam.manifest_requests())) == 3_000
    preview = flow.bot.read_page(flow.hub.preview("Large")).text
    assert "files=3000" in preview
    assert f"File:{flow.tag} Generated manifest 20.jpg" in preview


def endless_json() -> Iterator[bytes]:
    """A manifest that never ends, sent without a length: the size limit must stop it."""
    yield b'{"type": "Manifest", "label": "'
    while True:
        yield b"x" * 1024 * 1024


def _path(url: str) -> str:
    """The path of a URL on the loopback server."""
    return "/" + url.split("/", 3)[3]
