"""A partner's media file on disk: is it what it claims to be, and fit to upload?

The type comes from the bytes (sniffed), never from the address or the
server's word alone; an address ending in another extension, or a server
declaring another media type, is a reason to fail the record, as is an SVG
with scripts. A previewed file is downloaded once per run: the preview
learns its SHA-1 and real type, and the upload later takes the same bytes
(:mod:`bots.jobs.preview_media`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from bots.i18n import Message, msg
from bots.model import PlannedFile
from bots.net.mediatypes import MediaType, extension_matches, sniff, svg_problem, url_extension
from bots.pipeline.titles import AS_WRITTEN, TitleError, legal_title


@dataclass(frozen=True)
class FitMedia:
    """Media fit to upload: the full file title it gets, and its type."""

    title: str
    media: MediaType


def media_path(work_dir: Path, request: str, record_id: str) -> Path:
    """Where a record's media is downloaded to within a run's work folder."""
    key = hashlib.sha1(f"{request}\0{record_id}".encode()).hexdigest()
    return work_dir / f"media-{key}"


#: Media types a partner's server may declare, by the extension they stand for.
_DECLARED_TYPES: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/jpg": "jpg",
    "image/pjpeg": "jpg",
    "image/png": "png",
    "image/x-png": "png",
    "image/gif": "gif",
    "image/tiff": "tif",
    "image/tif": "tif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
    "image/vnd.djvu": "djvu",
    "image/djvu": "djvu",
    "image/x-djvu": "djvu",
    "application/pdf": "pdf",
    "application/ogg": "ogg",
    "application/x-ogg": "ogg",
    "audio/ogg": "ogg",
    "audio/opus": "ogg",
    "audio/vorbis": "ogg",
    "video/ogg": "ogg",
    "video/x-ogg": "ogg",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/x-mpeg": "mp3",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/vnd.wave": "wav",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "video/webm": "webm",
    "audio/webm": "webm",
}


def declared_type_agrees(declared: str, media: MediaType) -> bool:
    """Whether the type the partner's server declared agrees with the content (pure).

    Only a media claim counts (image/, audio/, video/, PDF, Ogg): servers
    often send ``application/octet-stream`` or ``text/plain`` for files
    they do not know, and that says nothing about the content.
    """
    name = declared.split(";", 1)[0].strip().lower()
    if name in _DECLARED_TYPES:
        return extension_matches(_DECLARED_TYPES[name], media)
    return not name.startswith(("image/", "audio/", "video/"))


def check_media(
    planned: PlannedFile, dest: Path, content_type: str, size: int
) -> FitMedia | Message:
    """The title and type of downloaded media fit to upload, or why it is not (plain words)."""
    if size == 0:
        return judge_media(planned, None, content_type, size)
    media, svg = read_media(dest)
    return judge_media(planned, media, content_type, size, svg)


def read_media(dest: Path) -> tuple[MediaType | None, Message | None]:
    """The type sniffed from a file's bytes, and what is wrong with it if it is an SVG."""
    with dest.open("rb") as f:
        head = f.read(65536)
    media = sniff(head)
    if media is not None and media.extension == "svg":
        return media, svg_problem(dest.read_bytes())
    return media, None


def judge_media(
    planned: PlannedFile,
    media: MediaType | None,
    content_type: str,
    size: int,
    svg: Message | None = None,
) -> FitMedia | Message:
    """Whether media of this type, declared so, fit the planned file (pure; see :func:`check_media`).

    ``media`` is the type sniffed from the bytes, ``svg`` what was wrong with
    an SVG's content; the journal keeps both, so a file the partner's server
    says is unchanged is judged again without its bytes.
    """
    if size == 0:
        return msg("hubbot-media-empty")
    if media is None:
        if content_type:
            return msg("hubbot-media-unknown-type", content_type)
        return msg("hubbot-media-unknown-type-undeclared")
    declared = url_extension(planned.media_url)
    if declared and not extension_matches(declared, media):
        return msg("hubbot-media-extension-mismatch", declared, media.name)
    if content_type and not declared_type_agrees(content_type, media):
        return msg("hubbot-media-type-mismatch", content_type.split(";")[0], media.name)
    if media.extension == "svg" and svg is not None:
        return msg("hubbot-media-svg-refused", svg)
    try:
        # the planned title already has the wiki's capitalisation (see bots.pipeline.plan)
        return FitMedia(legal_title(planned.title, media.extension, rules=AS_WRITTEN), media)
    except TitleError as e:
        return msg("hubbot-record-no-title", e.message)
