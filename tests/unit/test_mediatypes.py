"""Sniffing media types from hand-built file headers, and SVG safety."""

from __future__ import annotations

import struct
import zlib

import pytest

from bots.net import mediatypes
from bots.net.mediatypes import (
    MediaType,
    extension_matches,
    media_type_for_extension,
    sniff,
    svg_is_safe,
    svg_problem,
    url_extension,
)

# --- builders for real (tiny) file headers --------------------------------------


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def gif(version: bytes = b"89a") -> bytes:
    return b"GIF" + version + struct.pack("<HHBBB", 1, 1, 0, 0, 0) + b",\x00\x00\x00\x00;"


def tiff(little_endian: bool) -> bytes:
    if little_endian:
        return b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 0) + b"\x00" * 4
    return b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 0) + b"\x00" * 4


def riff(form: bytes, first_chunk: bytes) -> bytes:
    body = form + first_chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wav() -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    return riff(b"WAVE", b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data\x00\x00\x00\x00")


def webp() -> bytes:
    return riff(b"WEBP", b"VP8L" + struct.pack("<I", 5) + b"\x2f\x00\x00\x00\x00\x00")


def ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def ogg_page(packet: bytes) -> bytes:
    """A beginning-of-stream Ogg page carrying one packet, with a real checksum."""
    segments = [255] * (len(packet) // 255) + [len(packet) % 255]
    header = (
        b"OggS"
        + bytes([0, 0x02])
        + struct.pack("<qIII", 0, 0x1234, 0, 0)
        + bytes([len(segments)])
        + bytes(segments)
    )
    page = bytearray(header + packet)
    struct.pack_into("<I", page, 22, ogg_crc(bytes(page)))
    return bytes(page)


OPUS_HEAD = b"OpusHead" + bytes([1, 2]) + struct.pack("<HIhB", 312, 48000, 0, 0)
VORBIS_ID = b"\x01vorbis" + struct.pack("<IBIiiiBB", 0, 2, 44100, 0, 128000, 0, 0xB8, 1)
THEORA_ID = b"\x80theora" + bytes([3, 2, 1]) + b"\x00" * 35
FLAC_IN_OGG = b"\x7fFLAC\x01\x00\x00\x01fLaC" + b"\x00" * 38
SPEEX_HEAD = b"Speex   1.2" + b"\x00" * 69


def ebml(doctype: bytes) -> bytes:
    elements = (
        b"\x42\x86\x81\x01"  # EBMLVersion 1
        + b"\x42\xf7\x81\x01"  # EBMLReadVersion 1
        + b"\x42\x82"
        + bytes([0x80 | len(doctype)])
        + doctype
        + b"\x42\x87\x81\x04"  # DocTypeVersion 4
    )
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(elements)]) + elements + b"\x18\x53\x80\x67"


def mp3_frame() -> bytes:
    # MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding, stereo
    return b"\xff\xfb\x90\x64" + b"\x00" * 413


SVG_PLAIN = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'
SVG_WITH_PROLOG = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    b"<!-- Created with Inkscape (http://www.inkscape.org/) -->\n"
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    b'<defs><linearGradient id="g"/></defs><use xlink:href="#g"/>'
    b'<a xlink:href="https://www.tate.org.uk/"><text>Tate</text></a>'
    b'<image xlink:href="data:image/png;base64,iVBORw0KGgo="/>'
    b'<rect style="fill:url(#g);stroke:none"/></svg>'
)
SVG_PREFIXED = b'<svg:svg xmlns:svg="http://www.w3.org/2000/svg"><svg:g/></svg:svg>'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (jpeg(), mediatypes.JPEG),
        (png(), mediatypes.PNG),
        (gif(b"89a"), mediatypes.GIF),
        (gif(b"87a"), mediatypes.GIF),
        (tiff(little_endian=True), mediatypes.TIFF),
        (tiff(little_endian=False), mediatypes.TIFF),
        (webp(), mediatypes.WEBP),
        (wav(), mediatypes.WAV),
        (b"AT&TFORM\x00\x00\x01\x00DJVUINFO", mediatypes.DJVU),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", mediatypes.PDF),
        (b"\r\n%PDF-1.4\n", mediatypes.PDF),
        (b"fLaC\x00\x00\x00\x22" + b"\x00" * 34, mediatypes.FLAC),
        (ogg_page(OPUS_HEAD), mediatypes.OGG_OPUS),
        (ogg_page(VORBIS_ID), mediatypes.OGG_VORBIS),
        (ogg_page(THEORA_ID), mediatypes.OGG_THEORA),
        (ogg_page(FLAC_IN_OGG), mediatypes.OGG_FLAC),
        (ogg_page(SPEEX_HEAD), mediatypes.OGG_SPEEX),
        (ogg_page(b"\x00unknown codec"), mediatypes.OGG_OTHER),
        (b"ID3\x04\x00\x00\x00\x00\x00\x0f" + b"\x00" * 15 + mp3_frame(), mediatypes.MP3),
        (mp3_frame(), mediatypes.MP3),
        (ebml(b"webm"), mediatypes.WEBM),
        (SVG_PLAIN, mediatypes.SVG),
        (SVG_WITH_PROLOG, mediatypes.SVG),
        (SVG_PREFIXED, mediatypes.SVG),
        (b"\xef\xbb\xbf" + SVG_PLAIN, mediatypes.SVG),
        (b"\xff\xfe" + SVG_PLAIN.decode().encode("utf-16-le"), mediatypes.SVG),
        (b"  \n" + SVG_PLAIN, mediatypes.SVG),
    ],
)
def test_sniff_recognises(data: bytes, expected: MediaType) -> None:
    assert sniff(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"id,title\n1,Sunset\n",
        b"<!DOCTYPE html><html><body>Not found</body></html>",
        b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"/>',
        b"<svgfoo/>",
        b'{"type": "Manifest"}',
        ebml(b"matroska"),  # Commons does not take Matroska
        b"\xff\xf1\x50\x80\x02\x1f\xfc",  # AAC (ADTS) shares the sync bits, not layer III
        b"\xff\xfb\xf0\x64",  # bitrate index 15 is invalid
        riff(b"AVI ", b"LIST\x00\x00\x00\x00"),
        b"<p>Download: %PDF-1.4</p>",
        b"PK\x03\x04 a zip file",
        b"OggS",  # too short to be a page
    ],
)
def test_sniff_refuses(data: bytes) -> None:
    assert sniff(data) is None


def test_canonical_extensions_are_ones_commons_accepts() -> None:
    accepted = {"jpg", "png", "gif", "tif", "webp", "svg", "djvu", "pdf", "ogg", "ogv"}
    accepted |= {"mp3", "wav", "flac", "webm"}
    assert {t.extension for t in mediatypes.ALL_TYPES} <= accepted
    assert mediatypes.OGG_THEORA.extension == "ogv"
    assert mediatypes.OGG_VORBIS.extension == mediatypes.OGG_OPUS.extension == "ogg"


@pytest.mark.parametrize(
    ("extension", "sniffed", "expected"),
    [
        ("jpg", mediatypes.JPEG, True),
        ("JPEG", mediatypes.JPEG, True),
        (".jpe", mediatypes.JPEG, True),
        ("tiff", mediatypes.TIFF, True),
        ("tif", mediatypes.TIFF, True),
        ("ogg", mediatypes.OGG_OPUS, True),
        ("opus", mediatypes.OGG_OPUS, True),
        ("oga", mediatypes.OGG_VORBIS, True),
        ("ogv", mediatypes.OGG_THEORA, True),
        ("ogg", mediatypes.OGG_THEORA, True),
        ("jpg", mediatypes.PNG, False),
        ("png", mediatypes.JPEG, False),
        ("tif", mediatypes.JPEG, False),
        ("mp3", mediatypes.OGG_VORBIS, False),
        ("svg", mediatypes.PDF, False),
        (None, mediatypes.PNG, True),
        ("", mediatypes.PNG, True),
        ("php", mediatypes.JPEG, True),  # not a media extension: no claim made
    ],
)
def test_extension_matches(extension: str | None, sniffed: MediaType, expected: bool) -> None:
    assert extension_matches(extension, sniffed) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/images/N01234.JPG", "jpg"),
        ("https://example.org/a%20b.tiff?size=full#x", "tiff"),
        ("https://example.org/iiif/1/full/max/0/default.jpg", "jpg"),
        ("https://example.org/getimage.php?id=7.jpg", None),
        ("https://example.org/object/1234", None),
        ("https://example.org/", None),
        ("https://example.org/archive.tar.gz", None),
    ],
)
def test_url_extension(url: str, expected: str | None) -> None:
    assert url_extension(url) == expected


def test_media_type_for_extension() -> None:
    assert media_type_for_extension("JPEG") == mediatypes.JPEG
    assert media_type_for_extension("ogv") == mediatypes.OGG_THEORA
    assert media_type_for_extension("opus") is not None
    assert media_type_for_extension("opus").extension == "ogg"  # type: ignore[union-attr]
    assert media_type_for_extension("exe") is None
    assert media_type_for_extension(None) is None


# --- SVG safety ----------------------------------------------------------------------


@pytest.mark.parametrize("data", [SVG_PLAIN, SVG_WITH_PROLOG, SVG_PREFIXED])
def test_safe_svgs(data: bytes) -> None:
    assert svg_problem(data) is None
    assert svg_is_safe(data)


def _svg(inner: str, attrs: str = "") -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f"{attrs}>{inner}</svg>"
    ).encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>"""


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (_svg("<script>alert(1)</script>"), "<script>"),
        (_svg('<svg:script xmlns:svg="http://www.w3.org/2000/svg"/>'), "<script>"),
        (_svg("<rect/>", ' onload="alert(1)"'), "onload"),
        (_svg('<rect ONCLICK="x()"/>'), "ONCLICK"),
        (_svg('<a xlink:href="javascript:alert(1)"><text>x</text></a>'), "script URL"),
        (_svg('<a href="  java&#9;script:alert(1)"><text>x</text></a>'), "script URL"),
        (_svg("<foreignObject><div/></foreignObject>"), "foreignObject"),
        (
            _svg('<g><p xmlns="http://www.w3.org/1999/xhtml">hi</p></g>'),
            "HTML element",
        ),
        (_svg('<image xlink:href="https://tracker.example/pixel.png"/>'), "outside resource"),
        (_svg('<use href="https://evil.example/defs.svg#x"/>'), "outside resource"),
        (_svg('<image href="data:image/svg+xml;base64,PHN2Zy8+"/>'), "outside resource"),
        (_svg('<rect style="fill:url(https://evil.example/p.svg#a)"/>'), "stylesheet"),
        (_svg("<style>@import url(https://evil.example/a.css);</style>"), "stylesheet"),
        (
            _svg('<a xlink:href="#x"><set attributeName="xlink:href" to="#y"/></a>'),
            "animates a link",
        ),
        (BILLION_LAUGHS, "internal subset"),
        (EXTERNAL_ENTITY, "internal subset"),
        (
            b'<!DOCTYPE svg SYSTEM "http://evil.example/svg.dtd"><svg '
            b'xmlns="http://www.w3.org/2000/svg"/>',
            "outside DTD",
        ),
        (
            b'<?xml version="1.0"?><?xml-stylesheet href="https://evil.example/s.css"?>'
            b'<svg xmlns="http://www.w3.org/2000/svg"/>',
            "xml-stylesheet",
        ),
        (
            b'<?xml version="1.0" encoding="UTF-7"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            "UTF-7",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "not well-formed"),
        (png(), "not an SVG"),
    ],
)
def test_unsafe_svgs(data: bytes, words: str) -> None:
    problem = svg_problem(data)
    assert problem is not None
    assert words in problem
    assert not svg_is_safe(data)


@pytest.mark.parametrize(
    ("mime", "expected"),
    [
        ("image/jpeg", True),
        ("image/jpg", True),
        ("IMAGE/PNG; charset=binary", True),
        ("audio/wav", True),
        ("audio/x-wav", True),
        ("video/webm", True),
        ("audio/ogg", True),
        ("application/pdf", True),
        ("video/mp4", False),
        ("audio/mp4", False),
        ("image/jp2", False),
        ("text/html", False),
        ("", False),
    ],
)
def test_is_uploadable_mime(mime: str, expected: bool) -> None:
    assert mediatypes.is_uploadable_mime(mime) is expected
