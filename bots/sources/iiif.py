"""IIIF Presentation 2 and 3 manifests and collections as records.

A manifest gives one record per canvas (a page, a view of an object, a
recording); a collection gives one record per manifest, reached by walking
the collection (nested collections included) and fetching each manifest
through the safe fetcher. The source option ``records`` overrides this:
``canvas`` or ``manifest``. The option ``language`` (default ``en``) says
which language a value is shown in first.

Columns (all text; numbers as written in the manifest):

``id``
    the record id: the canvas id, or the manifest id for one record per manifest
``manifest``
    the manifest id
``file``
    the media to upload: for an image with an IIIF Image API service, the full
    size image from that service (``{service}/full/max/0/default.jpg`` for
    Image API 3, ``{service}/full/full/0/default.jpg`` for 2,
    ``.../native.jpg`` for 1); otherwise the painting annotation body's id,
    for images, audio and video alike. When a canvas paints several images
    (or a choice of images) the largest one is taken; a canvas with a
    duration prefers its audio or video.
``format``
    the media type the manifest gives for that body (``image/jpeg`` when the
    file comes from an image service)
``width``, ``height``, ``duration``
    of the chosen body, else of the canvas
``service``
    the image service id, for other sizes
``canvas.id``, ``canvas.index`` (1-based), ``canvas.label``, ``canvas.metadata.<Label>``
    the canvas (for one record per manifest: the ``start`` canvas, else the first)
``canvas.count``
    how many canvases the manifest has
``label``, ``summary``
    of the manifest (Presentation 2: ``label``, ``description``)
``metadata.<Label>``
    each metadata pair, by its label in the preferred language; a label
    repeated (as Presentation 2 manifests do for several subjects) gives one
    column with the values joined by the request's ``split`` separator
``requiredStatement``, ``requiredStatement.label``
    (Presentation 2: ``attribution``)
``rights``
    (Presentation 2: ``license``)
``navDate``, ``homepage`` (Presentation 2: ``related``), ``thumbnail``
``collection``, ``collection.label``
    the collection the manifest was found in, when walking one

Language maps keep every language: the column itself holds the preferred
language (the ``language`` option; else an untagged ``none`` value; else the
first language given), and ``<column>.<lang>`` each other language, e.g.
``label`` = "Whistler's Mother", ``label.fr`` = "La Mère de Whistler". Several
values in one language are joined with ``split``. HTML in values (allowed by
IIIF) is reduced to its text, since values are shown as plain text.

Bounds: at most :data:`MAX_MANIFESTS` manifests (counted as collections list
them, so a collection listing too many is refused before its manifests are
fetched), collections nested at most :data:`MAX_DEPTH` deep, each collection
or manifest read once, all documents together within ``max_metadata_bytes``
and within the read's time bound (the request's share of the
run's time budget, else :data:`bots.sources.base.MAX_READ_SECONDS`).
A manifest that cannot be fetched or read is left out with a problem naming
it.

A painting body whose ``format`` is a media type the uploader does not take
(IIIF audio and video are nearly always MP4, which Commons refuses) keeps its
record, so that its failure shows on the status page, and gets a problem in
the preview before anyone approves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bots.i18n.message import Param, msg
from bots.net.deadline import Deadline
from bots.net.errors import FetchError, FileTooLarge, human_size
from bots.net.fetch import Fetcher
from bots.net.mediatypes import is_uploadable_mime
from bots.sources.base import RecordStore, SourceError, duration, join_values
from bots.sources.detect import looks_like_iiif
from bots.sources.iiif_media import choose_body
from bots.sources.iiif_values import (
    as_list,
    collection_members,
    first_id,
    is_embedded,
    language_map,
    node_id,
    node_kind,
    node_type,
    node_where,
    preferred_language,
    presentation_version,
    text_of,
)
from bots.sources.jsonsource import parse_json, scalar_text

MAX_MANIFESTS = 10_000
MAX_DEPTH = 8
ACCEPT = (
    'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json", '
    "application/ld+json;q=0.9, application/json;q=0.8, */*;q=0.1"
)

#: the columns every IIIF source has, even when a manifest leaves them empty
CORE_COLUMNS = ("id", "manifest", "file", "format", "width", "height", "duration", "label")


@dataclass
class _Walk:
    fetcher: Fetcher
    store: RecordStore
    hasher: hashlib._Hash
    split: str
    language: str
    per_manifest: bool
    bytes_used: int
    byte_limit: int
    deadline: Deadline | None = None
    manifests: int = 0
    #: manifests announced by the collections read so far, fetched or not
    listed: int = 0
    seen: set[str] = field(default_factory=set)


def records_mode(options: Mapping[str, str], document: Any) -> bool:
    """True for one record per manifest, False for one per canvas."""
    wanted = (options.get("records") or "").strip().lower()
    if wanted in ("manifest", "manifests"):
        return True
    if wanted in ("canvas", "canvases"):
        return False
    if wanted:
        raise SourceError(msg("hubbot-src-iiif-records-option", wanted))
    return node_kind(document) == "Collection"


def read_iiif(
    document: Any,
    *,
    options: Mapping[str, str],
    fetcher: Fetcher,
    store: RecordStore,
    hasher: hashlib._Hash,
    split: str,
    bytes_used: int,
    deadline: Deadline | None = None,
) -> None:
    """Turn a parsed manifest or collection into records in ``store``.

    ``hasher`` receives the bytes of every further document fetched. Member
    ids must be absolute http(s) URLs, as IIIF requires.
    """
    if not looks_like_iiif(document) or node_kind(document) is None:
        raise SourceError(msg("hubbot-src-iiif-not-iiif"))
    walk = _Walk(
        fetcher=fetcher,
        store=store,
        hasher=hasher,
        split=split,
        language=(options.get("language") or "en").strip() or "en",
        per_manifest=records_mode(options, document),
        bytes_used=bytes_used,
        byte_limit=fetcher.policy.max_metadata_bytes,
        deadline=deadline,
    )
    for column in CORE_COLUMNS:
        store.add_column(column)
    top_id = node_id(document)
    if top_id:
        walk.seen.add(top_id)
    _walk(walk, document, depth=0, collection={})


def _walk(walk: _Walk, node: dict[str, Any], *, depth: int, collection: dict[str, str]) -> None:
    kind = node_kind(node)
    if kind == "Manifest":
        walk.manifests += 1
        if walk.manifests > MAX_MANIFESTS:
            raise SourceError(msg("hubbot-src-iiif-too-many", MAX_MANIFESTS))
        _emit_manifest(walk, node, collection)
        return
    if depth >= MAX_DEPTH:
        at: Param = node_id(node) or msg("hubbot-src-iiif-unnamed")
        raise SourceError(msg("hubbot-src-iiif-deep", MAX_DEPTH, at))
    version = presentation_version(node)
    here = {"collection": node_id(node)}
    _language_fields("collection.label", node.get("label"), walk, version, here)
    members = list(collection_members(node))
    walk.listed += sum(1 for member in members if node_kind(member) != "Collection")
    if walk.listed > MAX_MANIFESTS:
        raise SourceError(msg("hubbot-src-iiif-too-many", MAX_MANIFESTS))
    for member in members:
        member_id = node_id(member)
        if not member_id:
            walk.store.problem(node_where(node), msg("hubbot-src-iiif-member-no-id"))
            continue
        if member_id in walk.seen:
            kind = (node_kind(member) or "member").lower()
            where = msg("hubbot-where-iiif", kind, member_id)
            walk.store.problem(where, msg("hubbot-src-iiif-twice"))
            continue
        walk.seen.add(member_id)
        document = member if is_embedded(member) else _fetch(walk, member_id)
        if document is None:
            continue
        _walk(walk, document, depth=depth + 1, collection=here)


def _fetch(walk: _Walk, address: str) -> dict[str, Any] | None:
    where = msg("hubbot-where-iiif", "manifest", address)
    if not address.lower().startswith(("http://", "https://")):
        walk.store.problem(where, msg("hubbot-src-iiif-not-http"))
        return None
    remaining = walk.byte_limit - walk.bytes_used
    if walk.deadline is not None and walk.deadline.expired():
        raise _too_slow(walk)
    try:
        data = walk.fetcher.fetch_bytes(
            address, limit=max(0, remaining), accept=ACCEPT, deadline=walk.deadline
        )
    except FileTooLarge:
        raise SourceError(msg("hubbot-src-iiif-too-large", human_size(walk.byte_limit))) from None
    except FetchError as error:
        if walk.deadline is not None and walk.deadline.expired():
            raise _too_slow(walk) from None
        walk.store.problem(where, msg("hubbot-src-iiif-unreadable", error.message))
        return None
    walk.bytes_used += len(data)
    walk.hasher.update(data)
    try:
        document = parse_json(data)
    except SourceError as error:
        walk.store.problem(where, msg("hubbot-src-iiif-unreadable", error.message))
        return None
    if not looks_like_iiif(document) or node_kind(document) is None:
        walk.store.problem(where, msg("hubbot-src-iiif-not-manifest"))
        return None
    return dict(document)


def _too_slow(walk: _Walk) -> SourceError:
    if walk.deadline is None:  # pragma: no cover - only a deadline ends a walk early
        return SourceError(msg("hubbot-src-iiif-too-slow-untimed", walk.manifests))
    bound = duration(walk.deadline.seconds)
    return SourceError(msg("hubbot-src-iiif-too-slow", bound, walk.manifests))


# --- manifests and canvases ----------------------------------------------------------


def _emit_manifest(walk: _Walk, manifest: dict[str, Any], collection: dict[str, str]) -> None:
    version = presentation_version(manifest)
    canvases = list(_canvases(manifest, version))
    shared = _manifest_fields(walk, manifest, version, canvas_count=len(canvases))
    shared.update(collection)
    if walk.per_manifest:
        index = _start_index(manifest, canvases)
        record = {"id": shared["manifest"]}
        if index is not None:
            record.update(_canvas_fields(walk, canvases[index], index, version))
        record.update(shared)
        _check_media_type(walk, record)
        walk.store.add(record)
        return
    if not canvases:
        walk.store.problem(node_where(manifest), msg("hubbot-src-iiif-no-canvases"))
    for index, canvas in enumerate(canvases):
        fields = _canvas_fields(walk, canvas, index, version)
        record = {"id": fields["canvas.id"], **fields, **shared}
        _check_media_type(walk, record)
        walk.store.add(record)


def _check_media_type(walk: _Walk, record: dict[str, str]) -> None:
    """A preview problem for media the uploader will refuse (see the module docstring)."""
    media_type = record.get("format", "").split(";", 1)[0].strip().lower()
    if not record.get("file") or not media_type or is_uploadable_mime(media_type):
        return
    where = msg("hubbot-where-record", record["id"])
    walk.store.problem(where, msg("hubbot-src-iiif-media", media_type))


def _manifest_fields(
    walk: _Walk, manifest: dict[str, Any], version: int, *, canvas_count: int
) -> dict[str, str]:
    out: dict[str, str] = {"manifest": node_id(manifest)}
    _language_fields("label", manifest.get("label"), walk, version, out)
    summary = manifest.get("summary") if version == 3 else manifest.get("description")
    _language_fields("summary", summary, walk, version, out)
    _metadata_fields("metadata", manifest.get("metadata"), walk, version, out)
    if version == 3:
        statement = manifest.get("requiredStatement")
        if isinstance(statement, dict):
            _language_fields("requiredStatement", statement.get("value"), walk, version, out)
            _language_fields("requiredStatement.label", statement.get("label"), walk, version, out)
        rights = manifest.get("rights")
        homepage = manifest.get("homepage")
    else:
        _language_fields("requiredStatement", manifest.get("attribution"), walk, version, out)
        rights = manifest.get("license")
        homepage = manifest.get("related")
    rights_values = [text_of(value) for value in as_list(rights)]
    if any(rights_values):
        out["rights"] = join_values([v for v in rights_values if v], walk.split)
    if isinstance(manifest.get("navDate"), str):
        out["navDate"] = manifest["navDate"]
    homepage_id = first_id(homepage)
    if homepage_id:
        out["homepage"] = homepage_id
    thumbnail_id = first_id(manifest.get("thumbnail"))
    if thumbnail_id:
        out["thumbnail"] = thumbnail_id
    out["canvas.count"] = str(canvas_count)
    return out


def _canvases(manifest: dict[str, Any], version: int) -> Iterator[dict[str, Any]]:
    if version == 3:
        for item in as_list(manifest.get("items")):
            if isinstance(item, dict) and node_type(item) == "Canvas":
                yield item
        return
    for sequence in as_list(manifest.get("sequences"))[:1]:
        if isinstance(sequence, dict):
            for canvas in as_list(sequence.get("canvases")):
                if isinstance(canvas, dict):
                    yield canvas


def _start_index(manifest: dict[str, Any], canvases: list[dict[str, Any]]) -> int | None:
    if not canvases:
        return None
    start = manifest.get("start")
    start_id = start if isinstance(start, str) else None
    if isinstance(start, dict):
        start_id = (
            start.get("source") if start.get("type") == "SpecificResource" else node_id(start)
        )
        if isinstance(start_id, dict):
            start_id = node_id(start_id)
    for sequence in as_list(manifest.get("sequences"))[:1]:
        if isinstance(sequence, dict) and isinstance(sequence.get("startCanvas"), str):
            start_id = sequence["startCanvas"]
    for index, canvas in enumerate(canvases):
        if start_id and node_id(canvas) == start_id:
            return index
    return 0


def _canvas_fields(walk: _Walk, canvas: dict[str, Any], index: int, version: int) -> dict[str, str]:
    body = choose_body(canvas, version)
    out: dict[str, str] = {
        "canvas.id": node_id(canvas),
        "file": "",
        "format": "",
        "width": "",
        "height": "",
        "duration": "",
    }
    if body is not None:
        out["file"] = body.file_url
        out["format"] = body.format
    for name in ("width", "height", "duration"):
        value = getattr(body, name) if body is not None else None
        if value is None:
            value = canvas.get(name)
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            out[name] = scalar_text(value)
    if body is not None and body.service_id:
        out["service"] = body.service_id
    out["canvas.index"] = str(index + 1)
    _language_fields("canvas.label", canvas.get("label"), walk, version, out)
    _metadata_fields("canvas.metadata", canvas.get("metadata"), walk, version, out)
    return out


# --- painting bodies -------------------------------------------------------------------


# --- language maps and text ---------------------------------------------------------------


def _language_fields(name: str, value: Any, walk: _Walk, version: int, out: dict[str, str]) -> None:
    texts = language_map(value, version)
    if not texts:
        return
    chosen = preferred_language(list(texts), walk.language)
    out[name] = join_values(texts[chosen], walk.split)
    for language, values in texts.items():
        if language != chosen:
            out[f"{name}.{language}"] = join_values(values, walk.split)


def _metadata_fields(
    prefix: str, metadata: Any, walk: _Walk, version: int, out: dict[str, str]
) -> None:
    collected: dict[str, list[str]] = {}
    for entry in as_list(metadata):
        if not isinstance(entry, dict):
            continue
        labels = language_map(entry.get("label"), version)
        if not labels:
            continue
        label_language = preferred_language(list(labels), walk.language)
        label = " ".join(labels[label_language]).strip()
        if not label:
            continue
        values = language_map(entry.get("value"), version)
        if not values:
            collected.setdefault(f"{prefix}.{label}", [])
            continue
        chosen = preferred_language(list(values), walk.language)
        for language, texts in values.items():
            key = f"{prefix}.{label}" if language == chosen else f"{prefix}.{label}.{language}"
            collected.setdefault(key, []).extend(texts)
    for key, texts in collected.items():
        out[key] = join_values(texts, walk.split)


# --- small readers ---------------------------------------------------------------------------
