"""What a media file really is, judged by its first bytes rather than its name.

Partners' URLs often lie (``.jpg`` serving a PNG, ``getimage.php?id=7``), and
Commons refuses a file whose extension does not match its content. So the
uploader sniffs the first bytes of every download, takes the canonical
extension from the sniffed type, and checks SVG files for active content
before they go anywhere near the wiki.

Only formats Commons accepts are recognised; anything else sniffs as ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from bots.i18n.message import Message, msg

#: How many leading bytes :func:`sniff` wants to see. Fewer work for most
#: formats; SVG files with long comments or DOCTYPEs before the root need more.
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class MediaType:
    """A media type with the file extension Commons expects for it."""

    mime: str
    extension: str  # canonical, without the dot, lower case
    name: str  # for messages: "JPEG image", "Ogg Vorbis audio"


JPEG = MediaType("image/jpeg", "jpg", "JPEG image")
PNG = MediaType("image/png", "png", "PNG image")
GIF = MediaType("image/gif", "gif", "GIF image")
TIFF = MediaType("image/tiff", "tif", "TIFF image")
WEBP = MediaType("image/webp", "webp", "WebP image")
SVG = MediaType("image/svg+xml", "svg", "SVG drawing")
DJVU = MediaType("image/vnd.djvu", "djvu", "DjVu document")
PDF = MediaType("application/pdf", "pdf", "PDF document")
OGG_OPUS = MediaType("audio/ogg", "ogg", "Ogg Opus audio")
OGG_VORBIS = MediaType("audio/ogg", "ogg", "Ogg Vorbis audio")
OGG_FLAC = MediaType("audio/ogg", "ogg", "Ogg FLAC audio")
OGG_SPEEX = MediaType("audio/ogg", "ogg", "Ogg Speex audio")
OGG_THEORA = MediaType("video/ogg", "ogv", "Ogg Theora video")
OGG_OTHER = MediaType("application/ogg", "ogg", "Ogg media")
MP3 = MediaType("audio/mpeg", "mp3", "MP3 audio")
WAV = MediaType("audio/wav", "wav", "WAV audio")
FLAC = MediaType("audio/flac", "flac", "FLAC audio")
WEBM = MediaType("video/webm", "webm", "WebM video")

ALL_TYPES: tuple[MediaType, ...] = (
    JPEG,
    PNG,
    GIF,
    TIFF,
    WEBP,
    SVG,
    DJVU,
    PDF,
    OGG_OPUS,
    OGG_VORBIS,
    OGG_FLAC,
    OGG_SPEEX,
    OGG_THEORA,
    OGG_OTHER,
    MP3,
    WAV,
    FLAC,
    WEBM,
)

#: Extensions that name the same kind of file. Ogg is one family: Commons
#: accepts ``.ogg``, ``.oga``, ``.ogv`` and ``.opus`` for any Ogg stream.
_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"jpg", "jpeg", "jpe"}),
    frozenset({"png"}),
    frozenset({"gif"}),
    frozenset({"tif", "tiff"}),
    frozenset({"webp"}),
    frozenset({"svg"}),
    frozenset({"djvu", "djv"}),
    frozenset({"pdf"}),
    frozenset({"ogg", "oga", "ogv", "opus", "spx"}),
    frozenset({"mp3"}),
    frozenset({"wav"}),
    frozenset({"flac"}),
    frozenset({"webm"}),
)
_FAMILY_OF: dict[str, frozenset[str]] = {ext: fam for fam in _FAMILIES for ext in fam}

#: Every extension that names a media file this module knows.
MEDIA_EXTENSIONS: frozenset[str] = frozenset(_FAMILY_OF)


def sniff(head: bytes) -> MediaType | None:
    """The media type of a file from its first bytes, or None if not a known one.

    Pass at least :data:`SNIFF_BYTES` bytes when the file is that long.
    """
    for check in _CHECKS:
        found = check(head)
        if found is not None:
            return found
    return None


def _sniff_jpeg(head: bytes) -> MediaType | None:
    return JPEG if head.startswith(b"\xff\xd8\xff") else None


def _sniff_png(head: bytes) -> MediaType | None:
    return PNG if head.startswith(b"\x89PNG\r\n\x1a\n") else None


def _sniff_gif(head: bytes) -> MediaType | None:
    return GIF if head[:6] in (b"GIF87a", b"GIF89a") else None


def _sniff_tiff(head: bytes) -> MediaType | None:
    return TIFF if head[:4] in (b"II*\x00", b"MM\x00*") else None


def _sniff_riff(head: bytes) -> MediaType | None:
    if head[:4] != b"RIFF" or len(head) < 12:
        return None
    return {b"WAVE": WAV, b"WEBP": WEBP}.get(head[8:12])


def _sniff_djvu(head: bytes) -> MediaType | None:
    if head.startswith(b"AT&TFORM") and head[12:16] in (b"DJVU", b"DJVM"):
        return DJVU
    return None


def _sniff_pdf(head: bytes) -> MediaType | None:
    # Leading whitespace is tolerated; other junk before the signature is not.
    return PDF if head.lstrip()[:5] == b"%PDF-" else None


def _sniff_flac(head: bytes) -> MediaType | None:
    return FLAC if head.startswith(b"fLaC") else None


def _sniff_ogg(head: bytes) -> MediaType | None:
    """Ogg, told apart by the codec header in the first page's first packet."""
    if not head.startswith(b"OggS") or len(head) < 27:
        return None
    segments = head[26]
    payload = head[27 + segments : 27 + segments + 16]
    if payload.startswith(b"OpusHead"):
        return OGG_OPUS
    if payload.startswith(b"\x01vorbis"):
        return OGG_VORBIS
    if payload.startswith(b"\x80theora"):
        return OGG_THEORA
    if payload.startswith(b"\x7fFLAC"):
        return OGG_FLAC
    if payload.startswith(b"Speex   "):
        return OGG_SPEEX
    return OGG_OTHER


def _sniff_mp3(head: bytes) -> MediaType | None:
    if head.startswith(b"ID3") and len(head) >= 10 and head[3] in (2, 3, 4):
        return MP3
    return MP3 if _is_mpeg_audio_frame(head) else None


def _is_mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio layer III frame header (not AAC, which shares the sync)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0b11
    layer = (head[1] >> 1) & 0b11
    bitrate = head[2] >> 4
    sampling = (head[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate not in (0, 0xF) and sampling != 0b11


def _sniff_webm(head: bytes) -> MediaType | None:
    if not head.startswith(b"\x1a\x45\xdf\xa3"):
        return None
    doctype = _ebml_doctype(head)
    return WEBM if doctype == b"webm" else None


def _ebml_doctype(head: bytes) -> bytes | None:
    """The DocType string of an EBML header (``webm``, ``matroska``)."""
    pos = 4
    size, pos = _ebml_vint(head, pos)
    if size is None:
        return None
    end = min(len(head), pos + size)
    while pos < end:
        element_id, pos = _ebml_id(head, pos)
        length, pos = _ebml_vint(head, pos)
        if element_id is None or length is None:
            return None
        if element_id == 0x4282:
            return head[pos : pos + length].rstrip(b"\x00")
        pos += length
    return None


def _ebml_id(data: bytes, pos: int) -> tuple[int | None, int]:
    if pos >= len(data):
        return None, pos
    first = data[pos]
    width = _vint_width(first)
    if width is None or width > 4 or pos + width > len(data):
        return None, pos
    return int.from_bytes(data[pos : pos + width], "big"), pos + width


def _ebml_vint(data: bytes, pos: int) -> tuple[int | None, int]:
    if pos >= len(data):
        return None, pos
    first = data[pos]
    width = _vint_width(first)
    if width is None or pos + width > len(data):
        return None, pos
    value = first & (0xFF >> width)
    for byte in data[pos + 1 : pos + width]:
        value = (value << 8) | byte
    return value, pos + width


def _vint_width(first: int) -> int | None:
    for width in range(1, 9):
        if first & (0x80 >> (width - 1)):
            return width
    return None


#: What may come before an SVG's root element: whitespace, the XML declaration and
#: processing instructions, comments, a DOCTYPE (possibly with an internal subset).
_XML_PROLOG = re.compile(
    r"(?:\s+|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.DOTALL | re.IGNORECASE
)
_SVG_ROOT = re.compile(r"\A<(?:[A-Za-z_][\w.-]*:)?svg[\s/>]")


def _sniff_svg(head: bytes) -> MediaType | None:
    text = _decode_xml_head(head)
    if text is None:
        return None
    pos = 0
    while True:
        match = _XML_PROLOG.match(text, pos)
        if not match or match.end() == pos:
            break
        pos = match.end()
    return SVG if _SVG_ROOT.match(text[pos:]) else None


def _decode_xml_head(head: bytes) -> str | None:
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:].decode("utf-8", "ignore")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore")
    stripped = head.lstrip()
    if not stripped.startswith(b"<"):
        return None
    return head.decode("utf-8", "ignore")


_CHECKS = (
    _sniff_jpeg,
    _sniff_png,
    _sniff_gif,
    _sniff_tiff,
    _sniff_riff,
    _sniff_djvu,
    _sniff_flac,
    _sniff_ogg,
    _sniff_webm,
    _sniff_mp3,
    _sniff_pdf,
    _sniff_svg,
)


def normalise_extension(extension: str | None) -> str | None:
    """``.JPEG`` -> ``jpeg``; empty -> None."""
    if extension is None:
        return None
    extension = extension.strip().lstrip(".").lower()
    return extension or None


def extension_matches(url_extension: str | None, sniffed: MediaType) -> bool:
    """Whether an extension a URL shows agrees with what the content is.

    An absent extension, or one that is not a media extension at all (``php``,
    ``aspx``), makes no claim and so never disagrees. ``jpeg`` matches ``jpg``,
    ``tiff`` matches ``tif``, and any Ogg extension matches any Ogg stream.
    """
    extension = normalise_extension(url_extension)
    if extension is None or extension not in _FAMILY_OF:
        return True
    return sniffed.extension in _FAMILY_OF[extension]


def url_extension(url: str) -> str | None:
    """The media extension a URL's path ends in (``jpg``), or None.

    Only known media extensions count, so ``/view.php?id=3`` gives None.
    """
    path = unquote(urlsplit(url).path)
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return None
    extension = normalise_extension(name.rsplit(".", 1)[1])
    return extension if extension in _FAMILY_OF else None


#: Other names servers and IIIF manifests use for the types above.
_MIME_ALIASES: frozenset[str] = frozenset(
    {
        "image/jpg",
        "image/pjpeg",
        "image/x-png",
        "image/djvu",
        "image/x-djvu",
        "audio/x-wav",
        "audio/wave",
        "audio/vnd.wave",
        "audio/x-flac",
        "audio/mp3",
        "audio/x-mpeg",
        "audio/opus",
        "audio/webm",
        "video/x-ogg",
        "application/x-ogg",
    }
)


def is_uploadable_mime(mime: str) -> bool:
    """Whether a declared media type (``video/mp4``) is one the uploader takes.

    For warnings before anything is downloaded; the upload itself always
    judges the file by its content (:func:`sniff`).
    """
    name = mime.split(";", 1)[0].strip().lower()
    return name in _MIME_ALIASES or any(t.mime == name for t in ALL_TYPES)


def media_type_for_extension(extension: str | None) -> MediaType | None:
    """The media type an extension stands for (Ogg audio for the Ogg family)."""
    extension = normalise_extension(extension)
    if extension is None or extension not in _FAMILY_OF:
        return None
    if extension == "ogv":
        return OGG_THEORA
    for media_type in ALL_TYPES:
        if media_type.extension in _FAMILY_OF[extension]:
            return media_type
    return None


# --- SVG safety -------------------------------------------------------------

_XHTML_NS = "http://www.w3.org/1999/xhtml"
_SVG_DTD_IDS = re.compile(r"^(?:-//W3C//DTD SVG [\w. ]+//EN|http://www\.w3\.org/[\w./-]+\.dtd)$")
_DOCTYPE = re.compile(
    r"<!DOCTYPE\s+([^\s\[>]+)(?:\s+(PUBLIC|SYSTEM)((?:\s+(?:\"[^\"]*\"|'[^']*'))*))?\s*(\[)?",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_ENCODING = re.compile(r"<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_SAFE_ENCODINGS = re.compile(
    r"^(?:utf-?8|utf-?16|us-ascii|ascii|iso-8859-\d+|latin-?1|windows-125\d)$", re.IGNORECASE
)
_FORBIDDEN_ELEMENTS = frozenset({"script", "foreignobject", "handler", "iframe", "object", "embed"})
_ANIMATION_ELEMENTS = frozenset({"set", "animate", "animatecolor", "animatemotion"})
_SAFE_DATA_URI = re.compile(r"^data:image/(?:png|gif|jpe?g|webp)[;,]", re.IGNORECASE)
_BAD_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|livescript)\s*:", re.IGNORECASE)
_STYLE_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)
_STYLE_ACTIVE = re.compile(r"@import|expression\s*\(|javascript\s*:|behavior\s*:", re.IGNORECASE)
_SCRIPT_CHARS = re.compile(r"[\x00-\x20]")


def svg_problem(data: bytes) -> Message | None:
    """Why an SVG file is unsafe to put on a wiki, or None when it is safe.

    Mirrors what MediaWiki refuses on upload: scripts, event handler
    attributes, ``javascript:`` URLs, ``foreignObject`` and other embedded
    HTML, references to outside resources, stylesheets that load or run
    things, and any DTD other than the standard SVG one (no entities at all,
    so no external entities and no entity expansion bombs).
    """
    text = _decode_xml_head(data[:SNIFF_BYTES])
    if text is None or _sniff_svg(data[:SNIFF_BYTES]) is None:
        return msg("hubbot-svg-not-svg")
    encoding = _ENCODING.search(text[:200])
    if encoding and not _SAFE_ENCODINGS.match(encoding.group(1)):
        return msg("hubbot-svg-encoding", encoding.group(1))
    if re.search(r"<\?xml-stylesheet", text, re.IGNORECASE) or re.search(
        rb"<\?xml-stylesheet", data, re.IGNORECASE
    ):
        return msg("hubbot-svg-xml-stylesheet")
    doctype_problem = _doctype_problem(text)
    if doctype_problem:
        return doctype_problem
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException:
        return msg("hubbot-svg-entities")
    except ParseError as error:
        return msg("hubbot-svg-not-well-formed", str(error))
    except (ValueError, LookupError) as error:
        return msg("hubbot-svg-unreadable", str(error))
    for element in root.iter():
        problem = _element_problem(element)
        if problem:
            return problem
    return None


def svg_is_safe(data: bytes) -> bool:
    """True when :func:`svg_problem` finds nothing wrong."""
    return svg_problem(data) is None


def _doctype_problem(text: str) -> Message | None:
    if "<!doctype" not in text.lower() and "<!entity" not in text.lower():
        return None
    match = _DOCTYPE.search(text)
    if match is None:
        return msg("hubbot-svg-doctype-unreadable")
    if match.group(4):
        return msg("hubbot-svg-internal-subset")
    for quoted in _QUOTED.finditer(match.group(3) or ""):
        identifier = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
        if not _SVG_DTD_IDS.match(identifier.strip()):
            return msg("hubbot-svg-outside-dtd", identifier)
    return None


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1] if name.startswith("{") else name


def _namespace(name: str) -> str:
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def _element_problem(element: Element) -> Message | None:
    tag = element.tag if isinstance(element.tag, str) else ""
    local = _local(tag).lower()
    if local in _FORBIDDEN_ELEMENTS:
        return msg("hubbot-svg-element", _local(tag))
    if _namespace(tag) == _XHTML_NS:
        return msg("hubbot-svg-html", _local(tag))
    if local == "style" and element.text:
        problem = _style_problem(element.text)
        if problem:
            return problem
    for name, value in element.attrib.items():
        attribute = _local(name).lower()
        if attribute.startswith("on"):
            return msg("hubbot-svg-event-handler", _local(name))
        compact = _SCRIPT_CHARS.sub("", value)
        if _BAD_SCHEME.match(compact) or _BAD_SCHEME.match(value):
            return msg("hubbot-svg-script-url", _local(name))
        if attribute == "href" and not _reference_is_safe(local, value):
            return msg("hubbot-svg-outside-resource", value[:80])
        if attribute == "style":
            problem = _style_problem(value)
            if problem:
                return problem
        if local in _ANIMATION_ELEMENTS and attribute == "attributename":
            if _local(value).lower() == "href" or value.lower().endswith(":href"):
                return msg("hubbot-svg-animates-link")
    return None


def _reference_is_safe(element: str, value: str) -> bool:
    value = value.strip()
    if value == "" or value.startswith("#") or _SAFE_DATA_URI.match(value):
        return True
    # Ordinary hyperlinks are fine; only loading outside content is not.
    return element == "a" and re.match(r"^(?:https?|mailto):", value, re.IGNORECASE) is not None


def _style_problem(style: str) -> Message | None:
    if _STYLE_ACTIVE.search(style):
        return msg("hubbot-svg-style-code")
    for match in _STYLE_URL.finditer(style):
        target = match.group(1)
        if target and not target.startswith("#") and not _SAFE_DATA_URI.match(target):
            return msg("hubbot-svg-style-resource", target[:80])
    return None
