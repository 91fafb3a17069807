"""IIIF manifests and collections, from the sample files and a loopback server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bots.sources.iiif
from bots.net.fetch import Fetcher, FetchPolicy
from bots.sources import SourceData, SourceError, open_source
from bots.sources.iiif_values import language_map, preferred_language
from tests.support.http import LoopbackServer, SeenRequest

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
IIIF = DATA / "iiif"
FETCHER = Fetcher(FetchPolicy(allow_private_addresses=True))

#: file -> (records, problems) with the default options
EXPECTED = {
    "0001-mvm-image__manifest.json": (1, 0),
    "0002-mvm-audio__manifest.json": (1, 1),  # MP4, which the uploader does not take
    "0003-mvm-video__manifest.json": (1, 1),  # MP4, which the uploader does not take
    "0005-image-service__manifest.json": (1, 0),
    "0006-text-language__manifest.json": (1, 0),
    "0009-book-1__manifest.json": (5, 0),
    "0032-collection__collection.json": (0, 2),  # its manifest ids are template placeholders
    "mirador-v3__0001-mvm-image.json": (1, 0),
    "mirador-v3__0002-mvm-audio.json": (1, 1),  # MP4, which the uploader does not take
    "mirador-v3__001.json": (1, 0),
    "mirador-v3__0015-start.json": (1, 1),  # MP4, which the uploader does not take
    "v2__mirador__001.json": (1, 0),
    "v2__mirador__2017498721.json": (0, 1),  # a manifest without canvases
    "v2__mirador__BibliographicResource_3000126341277.json": (2, 0),
}


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(directory=DATA) as running:
        yield running


def open_url(
    url: str, tmp_path: Path, options: dict[str, str] | None = None, **kwargs: Any
) -> SourceData:
    return open_source(
        url,
        kwargs.pop("format", None),
        options or {},
        fetcher=kwargs.pop("fetcher", FETCHER),
        read_wiki_page=lambda title: None,
        workdir=tmp_path,
        **kwargs,
    )


def sample(name: str, server: LoopbackServer, tmp_path: Path, **options: str) -> SourceData:
    return open_url(server.url(f"/iiif/{name}"), tmp_path, options)


def only(source: SourceData) -> dict[str, str]:
    records = list(source.records())
    assert len(records) == 1
    return records[0]


def test_every_sample_file_is_covered() -> None:
    assert sorted(p.name for p in IIIF.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_sample_file_reads(name: str, server: LoopbackServer, tmp_path: Path) -> None:
    source = sample(name, server, tmp_path)
    assert source.format == "iiif"
    assert (source.record_count, len(source.problems)) == EXPECTED[name]
    assert source.columns[:8] == bots.sources.iiif.CORE_COLUMNS
    for record in source.records():
        assert all(isinstance(value, str) for value in record.values())
        assert record["file"].startswith("https://")


def test_same_result_for_format_given_and_for_a_wiki_page(tmp_path: Path) -> None:
    text = (IIIF / "0009-book-1__manifest.json").read_text(encoding="utf-8")
    source = open_source(
        "Project:Hub/Requests/Book/Data",
        "iiif",
        {},
        fetcher=FETCHER,
        read_wiki_page=lambda title: f"<pre>\n{text}\n</pre>",
        workdir=tmp_path,
    )
    assert source.format == "iiif"
    assert [r["canvas.label"] for r in source.records()] == [
        "Blank page",
        "Frontispiece",
        "Title page",
        "Blank page",
        "Bookplate",
    ]


def test_simple_image_without_service(server: LoopbackServer, tmp_path: Path) -> None:
    record = only(sample("0001-mvm-image__manifest.json", server, tmp_path))
    assert record["id"] == "{{ id.path }}/canvas/p1"
    assert record["manifest"] == "{{ id.url }}"
    assert record["label"] == "Single Image Example"
    assert record["file"] == (
        "https://iiif.io/api/presentation/2.1/example/fixtures/resources/page1-full.png"
    )
    assert (record["format"], record["width"], record["height"]) == ("image/png", "1200", "1800")


def test_image_api_3_service_gives_full_max(server: LoopbackServer, tmp_path: Path) -> None:
    record = only(sample("0005-image-service__manifest.json", server, tmp_path))
    service = (
        "https://iiif.io/api/image/3.0/example/reference/918ecd18c2592080851777620de9bcb5-gottingen"
    )
    assert record["service"] == service
    assert record["file"] == f"{service}/full/max/0/default.jpg"
    assert record["format"] == "image/jpeg"
    assert record["canvas.label"] == "Canvas with a single IIIF image"
    assert record["label"] == "Picture of Göttingen taken during the 2019 IIIF Conference"


def test_image_api_2_service_gives_full_full(server: LoopbackServer, tmp_path: Path) -> None:
    record = only(sample("v2__mirador__001.json", server, tmp_path))
    image = "https://iiif.bodleian.ox.ac.uk/iiif/image/9cca8fdd-4a61-4429-8ac1-f648764b4d6d"
    assert record["file"] == f"{image}/full/full/0/default.jpg"
    assert record["label"] == "Bodleian Library Human Freaks 2 (33)"
    assert record["summary"] == "[Handbill of Mr. Becket, [1787] ]"
    assert record["requiredStatement"] == "http://creativecommons.org/licenses/by-nc-sa/3.0/."
    # repeated metadata labels give one column, values joined
    assert record["metadata.Contributor"] == (
        "Becket Mr [funder/Sponsor];Incledon, Charles Benjamin, 1763-1826 [performer]"
    )
    assert record["metadata.Subject"].split(";")[:2] == ["Curiosities and wonders", "Dwarfs"]
    assert record["metadata.Homepage"] == "View on Digital Bodleian"  # HTML reduced to text
    assert record["canvas.metadata.Label"] == "Whole Page"
    assert record["thumbnail"].endswith("/full/256,/0/default.jpg")


def test_presentation_3_service_typed_image_service_2(
    server: LoopbackServer, tmp_path: Path
) -> None:
    record = only(sample("mirador-v3__001.json", server, tmp_path))
    assert record["file"].endswith("/full/full/0/default.jpg")
    assert record["summary"] == "[Handbill of Mr. Becket, [1787] ]"
    assert record["metadata.Subject"].count(";") == 7
    assert record["requiredStatement.label"] == "Terms of Use"
    assert record["homepage"].startswith("https://digital.bodleian.ox.ac.uk/")


def test_audio_and_video(server: LoopbackServer, tmp_path: Path) -> None:
    audio = only(sample("0002-mvm-audio__manifest.json", server, tmp_path / "a"))
    assert audio["file"].endswith("/128Kbps.mp4")
    assert (audio["format"], audio["duration"], audio["width"]) == ("audio/mp4", "1985.024", "")
    video = only(sample("mirador-v3__0015-start.json", server, tmp_path / "v"))
    assert video["file"].endswith("/30-minute-clock.mp4")  # not the captions beside it
    assert video["format"] == "video/mp4"


def test_media_the_uploader_refuses_is_named_before_approval(
    server: LoopbackServer, tmp_path: Path
) -> None:
    source = sample("0003-mvm-video__manifest.json", server, tmp_path)
    record = only(source)  # kept, so that its failure is reported on the status page
    [problem] = source.problems
    assert str(problem.where) == f"record {record['id']}"
    assert str(problem.message).startswith("its media is video/mp4, which the bot cannot upload")
    assert "Ogg, WebM" in problem.message


def test_a_collection_listing_too_many_manifests_is_refused_before_fetching_them(
    museum: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bots.sources.iiif, "MAX_MANIFESTS", 5)
    base = museum.url("").rstrip("/")
    top = [(f"{base}/a.json", "Collection"), (f"{base}/b.json", "Collection")]
    museum.add("/top.json", (200, {}, collection_json(f"{base}/top.json", top)))
    for name, first in (("a", 0), ("b", 3)):
        members = [(f"{base}/m{n}.json", "Manifest") for n in range(first, first + 3)]
        museum.add(f"/{name}.json", (200, {}, collection_json(f"{base}/{name}.json", members)))
    for number in range(6):
        museum.add(f"/m{number}.json", (200, {}, manifest_json(number, base)))
    with pytest.raises(SourceError, match="lists more than 5 manifests"):
        open_url(f"{base}/top.json", tmp_path)
    fetched = [seen.path for seen in museum.requests]
    assert fetched == ["/top.json", "/a.json", "/m0.json", "/m1.json", "/m2.json", "/b.json"]


def test_reading_a_collection_stops_at_the_time_bound(
    museum: LoopbackServer, tmp_path: Path
) -> None:
    import time

    base = museum.url("").rstrip("/")
    members = [(f"{base}/slow{n}.json", "Manifest") for n in range(50)]
    museum.add("/slow.json", (200, {}, collection_json(f"{base}/slow.json", members)))

    def slow(seen: SeenRequest) -> tuple[int, dict[str, str], bytes]:
        time.sleep(0.2)
        number = int(seen.path.removeprefix("/slow").removesuffix(".json"))
        return 200, {}, manifest_json(number, base)

    for number in range(50):
        museum.add(f"/slow{number}.json", slow)
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"took longer than 1 second \(\d+ manifests read\)"):
        open_url(f"{base}/slow.json", tmp_path, max_seconds=1)
    assert time.monotonic() - started < 3
    assert len(museum.requests) < 10


def test_language_maps_keep_every_language(server: LoopbackServer, tmp_path: Path) -> None:
    record = only(sample("0006-text-language__manifest.json", server, tmp_path))
    assert record["label"] == "Whistler's Mother"
    assert record["label.fr"] == "La Mère de Whistler"
    assert record["metadata.Creator"] == "Whistler, James Abbott McNeill"
    assert record["metadata.Subject"] == "McNeill Anna Matilda, mother of Whistler (1804-1881)"
    assert record["metadata.Subject.fr"] == "McNeill Anna Matilda, mère de Whistler (1804-1881)"
    assert record["requiredStatement"] == "Musée d'Orsay, Paris, France"
    assert record["requiredStatement.label"] == "Held By"
    assert record["requiredStatement.label.fr"] == "Détenu par"
    assert record["summary.fr"].startswith("Arrangement en gris et noir")


def test_preferred_language_option(server: LoopbackServer, tmp_path: Path) -> None:
    record = only(sample("0006-text-language__manifest.json", server, tmp_path, language="fr"))
    assert record["label"] == "La Mère de Whistler"
    assert record["label.en"] == "Whistler's Mother"
    assert record["metadata.Auteur"] == "Whistler, James Abbott McNeill"
    assert record["metadata.Sujet"] == "McNeill Anna Matilda, mère de Whistler (1804-1881)"


@pytest.mark.parametrize(
    ("languages", "wanted", "expected"),
    [
        (["en", "fr"], "fr", "fr"),
        (["fr", "en-GB"], "en", "en-GB"),
        (["fr", "none"], "en", "none"),
        (["de", "fr"], "en", "de"),
        (["EN"], "en", "EN"),
    ],
)
def test_preferred_language(languages: list[str], wanted: str, expected: str) -> None:
    assert preferred_language(languages, wanted) == expected


@pytest.mark.parametrize(
    ("value", "version", "expected"),
    [
        ("plain", 2, {"none": ["plain"]}),
        ([{"@value": "Titre", "@language": "fr"}, "x"], 2, {"fr": ["Titre"], "none": ["x"]}),
        ({"en": ["a", "b"], "none": ["c"]}, 3, {"en": ["a", "b"], "none": ["c"]}),
        ("A &amp; <b>B</b>", 2, {"none": ["A & B"]}),
        ("A &amp; B", 3, {"none": ["A &amp; B"]}),  # Presentation 3 HTML starts with "<"
        ({"en": ["<p>A<br/>B</p>"]}, 3, {"en": ["A\nB"]}),
        (None, 3, {}),
    ],
)
def test_language_map(value: Any, version: int, expected: dict[str, list[str]]) -> None:
    assert language_map(value, version) == expected


def test_presentation_2_details(server: LoopbackServer, tmp_path: Path) -> None:
    source = sample("v2__mirador__BibliographicResource_3000126341277.json", server, tmp_path)
    first, second = list(source.records())
    assert first["label"] == "Uusi Aura, nr: 274A - 1909-11-26"
    assert first["canvas.label"] == "p. 1" and second["canvas.label"] == "p. 2"
    assert first["canvas.index"] == "1" and second["canvas.index"] == "2"
    assert first["rights"] == "http://creativecommons.org/publicdomain/mark/1.0/"
    assert first["navDate"] == "1909-11-26T00:00:00Z"
    assert first["metadata.type"] == "Analytic serial;Newspaper;Newspaper Issue"
    assert first["metadata.type.none"] == "http://schema.org/PublicationIssue"
    assert first["file"].endswith("19091126_274B_1-0001/full/full/0/default.jpg")


def test_one_record_per_manifest(server: LoopbackServer, tmp_path: Path) -> None:
    record = only(sample("0009-book-1__manifest.json", server, tmp_path, records="manifest"))
    assert record["id"] == "{{ id.url }}"
    assert record["canvas.id"] == "{{ id.path }}/canvas/p1"
    assert record["canvas.count"] == "5"
    assert record["file"].endswith("bpt6k1526005v_f18/full/max/0/default.jpg")


def test_manifest_without_canvases_still_gives_its_record(
    server: LoopbackServer, tmp_path: Path
) -> None:
    record = only(sample("v2__mirador__2017498721.json", server, tmp_path, records="manifest"))
    assert record["file"] == ""
    assert record["canvas.count"] == "0"
    assert "<cite>" not in record["metadata.APA Citation Style"]
    assert "M. & Eltaher Collection" in record["metadata.APA Citation Style"]
    assert record["metadata.Subjects"] == (
        "palestine;politics and government;arab-israeli conflict;sources"
    )


def test_start_canvas_is_the_manifests_file(tmp_path: Path) -> None:
    manifest = json.loads((IIIF / "0009-book-1__manifest.json").read_text(encoding="utf-8"))
    manifest["start"] = {"id": "{{ id.path }}/canvas/p3", "type": "Canvas"}
    source = open_source(
        "Data",
        None,
        {"records": "manifest"},
        fetcher=FETCHER,
        read_wiki_page=lambda title: json.dumps(manifest),
        workdir=tmp_path,
    )
    assert only(source)["canvas.label"] == "Title page"


def test_largest_of_several_images(tmp_path: Path) -> None:
    def body(name: str, width: int, height: int) -> dict[str, Any]:
        return {
            "id": f"https://img.example/{name}.jpg",
            "type": "Image",
            "format": "image/jpeg",
            "width": width,
            "height": height,
        }

    manifest = {
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": "https://m.example/manifest",
        "type": "Manifest",
        "label": {"en": ["Choice"]},
        "items": [
            {
                "id": "https://m.example/canvas/1",
                "type": "Canvas",
                "width": 100,
                "height": 100,
                "items": [
                    {
                        "id": "https://m.example/page/1",
                        "type": "AnnotationPage",
                        "items": [
                            {
                                "id": "https://m.example/anno/1",
                                "type": "Annotation",
                                "motivation": "painting",
                                "body": {
                                    "type": "Choice",
                                    "items": [body("small", 10, 10), body("large", 800, 600)],
                                },
                                "target": "https://m.example/canvas/1",
                            },
                            {
                                "id": "https://m.example/anno/2",
                                "type": "Annotation",
                                "motivation": "painting",
                                "body": body("medium", 300, 300),
                                "target": "https://m.example/canvas/1",
                            },
                        ],
                    }
                ],
            }
        ],
    }
    source = open_source(
        "Data",
        None,
        {},
        fetcher=FETCHER,
        read_wiki_page=lambda title: json.dumps(manifest),
        workdir=tmp_path,
    )
    record = only(source)
    assert record["file"] == "https://img.example/large.jpg"
    assert (record["width"], record["height"]) == ("800", "600")


# --- collections -------------------------------------------------------------------------


def manifest_json(number: int, base: str) -> bytes:
    """A sample manifest renamed so that it lives on the loopback server."""
    document = json.loads((IIIF / "0005-image-service__manifest.json").read_text("utf-8"))
    document["id"] = f"{base}/m{number}.json"
    document["label"] = {"en": [f"Picture {number}"]}
    document["items"][0]["id"] = f"{base}/m{number}/canvas/p1"
    return json.dumps(document).encode()


def collection_json(collection_id: str, members: list[tuple[str, str]], version: int = 3) -> bytes:
    if version == 2:
        return json.dumps(
            {
                "@context": "http://iiif.io/api/presentation/2/context.json",
                "@id": collection_id,
                "@type": "sc:Collection",
                "label": "A version 2 collection",
                "manifests": [{"@id": member, "@type": "sc:Manifest"} for member, _ in members],
            }
        ).encode()
    return json.dumps(
        {
            "@context": "http://iiif.io/api/presentation/3/context.json",
            "id": collection_id,
            "type": "Collection",
            "label": {"en": [f"Collection {collection_id.rsplit('/', 1)[-1]}"]},
            "items": [{"id": member, "type": kind} for member, kind in members],
        }
    ).encode()


@pytest.fixture
def museum() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def test_collection_walks_manifests_and_nested_collections(
    museum: LoopbackServer, tmp_path: Path
) -> None:
    base = museum.url("").rstrip("/")
    for number in (1, 2, 3):
        museum.add(f"/m{number}.json", (200, {}, manifest_json(number, base)))
    museum.add(
        "/top.json",
        (
            200,
            {},
            collection_json(
                f"{base}/top.json",
                [
                    (f"{base}/m1.json", "Manifest"),
                    (f"{base}/sub.json", "Collection"),
                    (f"{base}/missing.json", "Manifest"),
                    (f"{base}/m1.json", "Manifest"),
                    ("{{ id.path }}/m9.json", "Manifest"),
                ],
            ),
        ),
    )
    museum.add(
        "/sub.json",
        (
            200,
            {},
            collection_json(
                f"{base}/sub.json",
                [(f"{base}/m2.json", "Manifest"), (f"{base}/m3.json", "Manifest")],
                version=2,
            ),
        ),
    )
    source = open_url(f"{base}/top.json", tmp_path)
    records = list(source.records())
    assert [r["label"] for r in records] == ["Picture 1", "Picture 2", "Picture 3"]
    assert [r["id"] for r in records] == [f"{base}/m{n}.json" for n in (1, 2, 3)]
    assert records[0]["collection"] == f"{base}/top.json"
    assert records[0]["collection.label"] == "Collection top.json"
    assert records[1]["collection"] == f"{base}/sub.json"
    assert records[1]["collection.label"] == "A version 2 collection"
    assert records[2]["file"].endswith("/full/max/0/default.jpg")
    problems = {str(p.where): str(p.message) for p in source.problems}
    assert problems[f"manifest {base}/missing.json"].startswith(
        "could not be read: the server answered 404 Not Found"
    )
    assert problems[f"manifest {base}/m1.json"] == "is listed twice"
    assert problems["manifest {{ id.path }}/m9.json"] == (
        "is not an http(s) address, so it cannot be read"
    )
    assert [seen.path for seen in museum.requests].count("/m1.json") == 1
    canvases = open_url(f"{base}/top.json", tmp_path, {"records": "canvas"})
    assert [r["id"] for r in canvases.records()][0] == f"{base}/m1/canvas/p1"


def test_collection_digest_covers_its_manifests(museum: LoopbackServer, tmp_path: Path) -> None:
    base = museum.url("").rstrip("/")
    museum.add(
        "/c.json", (200, {}, collection_json(f"{base}/c.json", [(f"{base}/m.json", "Manifest")]))
    )
    museum.add("/m.json", (200, {}, manifest_json(1, base)))
    first = open_url(f"{base}/c.json", tmp_path).digest
    assert open_url(f"{base}/c.json", tmp_path).digest == first
    museum.add("/m.json", (200, {}, manifest_json(2, base)))
    assert open_url(f"{base}/c.json", tmp_path).digest != first


def test_collection_cycle_ends(museum: LoopbackServer, tmp_path: Path) -> None:
    base = museum.url("").rstrip("/")
    museum.add(
        "/a.json", (200, {}, collection_json(f"{base}/a.json", [(f"{base}/b.json", "Collection")]))
    )
    museum.add(
        "/b.json", (200, {}, collection_json(f"{base}/b.json", [(f"{base}/a.json", "Collection")]))
    )
    source = open_url(f"{base}/a.json", tmp_path)
    assert source.record_count == 0
    assert [str(p.message) for p in source.problems] == ["is listed twice"]


def test_collections_nested_too_deep(museum: LoopbackServer, tmp_path: Path) -> None:
    base = museum.url("").rstrip("/")

    def endless(seen: SeenRequest):
        number = int(seen.path.removeprefix("/c").removesuffix(".json"))
        me, child = f"{base}/c{number}.json", f"{base}/c{number + 1}.json"
        return 200, {}, collection_json(me, [(child, "Collection")])

    for number in range(30):
        museum.add(f"/c{number}.json", endless)
    with pytest.raises(SourceError, match="nests collections more than 8 levels deep"):
        open_url(f"{base}/c0.json", tmp_path)
    assert len(museum.requests) == 9


def test_too_many_manifests(
    museum: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bots.sources.iiif, "MAX_MANIFESTS", 3)
    base = museum.url("").rstrip("/")
    members = [(f"{base}/m{n}.json", "Manifest") for n in range(10)]
    museum.add("/big.json", (200, {}, collection_json(f"{base}/big.json", members)))
    for number in range(10):
        museum.add(f"/m{number}.json", (200, {}, manifest_json(number, base)))
    with pytest.raises(SourceError, match="lists more than 3 manifests"):
        open_url(f"{base}/big.json", tmp_path)
    assert len(museum.requests) == 1  # refused from the listing, no manifest fetched


def test_all_documents_together_within_the_metadata_limit(
    museum: LoopbackServer, tmp_path: Path
) -> None:
    base = museum.url("").rstrip("/")
    members = [(f"{base}/m{n}.json", "Manifest") for n in range(20)]
    museum.add("/c.json", (200, {}, collection_json(f"{base}/c.json", members)))
    for number in range(20):
        museum.add(f"/m{number}.json", (200, {}, manifest_json(number, base)))
    small = Fetcher(FetchPolicy(allow_private_addresses=True, max_metadata_bytes=10_000))
    with pytest.raises(SourceError, match="together are larger than the limit of 9.8 KB"):
        open_url(f"{base}/c.json", tmp_path, fetcher=small)


def test_a_member_that_is_not_iiif(museum: LoopbackServer, tmp_path: Path) -> None:
    base = museum.url("").rstrip("/")
    members = [(f"{base}/bad.json", "Manifest"), (f"{base}/list.json", "Manifest")]
    museum.add("/c.json", (200, {}, collection_json(f"{base}/c.json", members)))
    museum.add("/bad.json", (200, {}, b"{not json"))
    museum.add("/list.json", (200, {}, b"[1, 2]"))
    source = open_url(f"{base}/c.json", tmp_path)
    messages = [str(p.message) for p in source.problems]
    assert messages[0].startswith("could not be read: the JSON is not valid: line 1 column 2")
    assert messages[1] == "is not a IIIF manifest or collection; it was left out"


def test_bad_records_option(server: LoopbackServer, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match='records must be "canvas" or "manifest", not "pages"'):
        sample("0001-mvm-image__manifest.json", server, tmp_path, records="pages")


def test_format_iiif_for_json_that_is_not(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a IIIF manifest or collection"):
        open_source(
            "Data",
            "iiif",
            {},
            fetcher=FETCHER,
            read_wiki_page=lambda title: '[{"id": "1"}]',
            workdir=tmp_path,
        )
