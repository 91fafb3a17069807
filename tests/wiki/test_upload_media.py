"""Every media type through the whole bot, and media that must not be uploaded.

The type comes from the bytes: each record is downloaded from the partner's
(loopback) server, sniffed, titled with the extension its content calls for,
and uploaded to the real wiki. Records whose URL, declared type and content
disagree, empty files and SVG files with scripts fail with a reason the
partner can act on, and nothing of them reaches the wiki.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bots.i18n import from_text
from bots.store import Outcome
from tests.faults.helpers import (
    approve_and_run,
    make_flow,
    media_samples,
    own_hub_root,
    report,
    row,
    sha1,
    tally,
    unique_png,
)
from tests.support.http import LoopbackServer


@pytest.fixture
def hub_root(request):
    """A hub root of this test's own (whose title the wiki keeps as it is)."""
    return own_hub_root(request)


@pytest.fixture
def flow(bot, person, config_file, hub_root, media):
    return make_flow(bot, person, config_file(), hub_root, media)


#: What MediaWiki records as the MIME type of each sample (it knows Ogg as one family).
WIKI_MIME = {
    "Ogg Opus": "application/ogg",
    "Ogg Vorbis": "application/ogg",
    "Ogg video": "application/ogg",
    "WebM": "audio/webm",  # the sample has no video track
}

EXTENSION = {
    "JPEG": "jpg",
    "PNG": "png",
    "GIF": "gif",
    "TIFF": "tif",
    "SVG": "svg",
    "PDF": "pdf",
    "Ogg Opus": "ogg",
    "Ogg Vorbis": "ogg",
    "MP3": "mp3",
    "WAV": "wav",
    "FLAC": "flac",
    "WebM": "webm",
    "Ogg video": "ogv",
}


def test_every_media_type(flow, media, tmp_path):
    samples = media_samples(tmp_path)
    rows = []
    for n, (data, _mime) in enumerate(samples.values(), 1):
        # served without an extension: the type can only come from the bytes
        rows.append(row(flow, f"M{n:02d}", media.put(f"{flow.tag}-media-{n}", data)))
    flow.file_request("Media", rows)
    approve_and_run(flow, "Media")
    store = flow.store()
    for n, (kind, (data, mime)) in enumerate(samples.items(), 1):
        state = store.get("Media", f"M{n:02d}")
        assert state is not None and state.outcome == Outcome.UPLOADED, (kind, state)
        assert state.title.endswith("." + EXTENSION[kind]), (kind, state.title)
        info = flow.bot.files([f"File:{state.title}"])[f"File:{state.title}"]
        assert info.sha1 == sha1(data), kind
        assert info.mime == WIKI_MIME.get(kind, mime), (kind, info.mime)
    result = tally(flow.bot, present=[sha1(d) for d, _ in samples.values()])
    report(
        "13 media types (JPEG, PNG, GIF, TIFF, SVG, PDF, Ogg Opus and Vorbis, MP3, WAV, "
        "FLAC, WebM, Ogg video) served without a file extension",
        "uploaded, extension and type from the content",
        result,
        "real wiki",
    )
    assert result.clean, result


def test_media_not_to_upload(flow, media):
    svg_script = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert("' + flow.tag.encode() + b'")'
        b"</script></svg>"
    )
    png_named_jpg = unique_png()
    png_declared_jpeg = unique_png()
    html = b"<!DOCTYPE html><html><body>Image not found " + flow.tag.encode() + b"</body></html>"
    fine = unique_png()
    with LoopbackServer(
        {
            "/declared": (200, {"Content-Type": "image/jpeg"}, png_declared_jpeg),
            "/octet": (200, {"Content-Type": "application/octet-stream"}, fine),
        }
    ) as partner:
        rows = [
            row(flow, "B1", media.put(f"{flow.tag}-script.svg", svg_script)),
            row(flow, "B2", media.put(f"{flow.tag}-photo.jpg", png_named_jpg)),
            row(flow, "B3", partner.url("/declared")),
            row(flow, "B4", media.put(f"{flow.tag}-empty.png", b"")),
            row(flow, "B5", media.put(f"{flow.tag}-page", html)),
            row(flow, "B6", partner.url("/octet")),  # says nothing about the type: fine
        ]
        flow.file_request("Badmedia", rows)
        approve_and_run(flow, "Badmedia")
    store = flow.store()
    states = {r: store.get("Badmedia", r) for r in ("B1", "B2", "B3", "B4", "B5", "B6")}
    assert all(s is not None for s in states.values())
    # the journal keeps each reason as a message; its English words are what the test reads
    reasons = {r: replace(s, reason=str(from_text(s.reason) or "")) for r, s in states.items() if s}
    assert reasons["B1"].outcome == Outcome.FAILED and "SVG" in reasons["B1"].reason
    assert "script" in reasons["B1"].reason.lower()
    assert reasons["B2"].outcome == Outcome.FAILED and ".jpg" in reasons["B2"].reason
    assert reasons["B3"].outcome == Outcome.FAILED and "image/jpeg" in reasons["B3"].reason
    assert reasons["B4"].outcome == Outcome.FAILED and "empty" in reasons["B4"].reason
    assert reasons["B5"].outcome == Outcome.FAILED and "not of a type" in reasons["B5"].reason
    assert reasons["B6"].outcome == Outcome.UPLOADED
    status = flow.status_text("Badmedia")
    for state in list(reasons.values())[:5]:
        assert state.reason.split(";")[0][:40] in status, state.reason
    result = tally(
        flow.bot,
        present=[sha1(fine)],
        absent=[sha1(svg_script), sha1(png_named_jpg), sha1(png_declared_jpeg), sha1(html)],
    )
    report(
        "an SVG with a script; a .jpg URL serving a PNG; a PNG declared image/jpeg; "
        "an empty file; an HTML page instead of the media",
        "each record failed with a reason on the status page; nothing sent to the wiki",
        result,
        "real wiki",
    )
    assert result.clean, result
