"""The nouns of the hub, shared by every step of the pipeline.

They are plain frozen dataclasses so that parsing, validation, rendering and
policy stay pure functions that can be tested with tables of cases.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bots.i18n.message import Message
from bots.statements import EntityDraft

#: Record as read from a partner source: a flat mapping column -> text value.
Record = Mapping[str, str]


@dataclass(frozen=True)
class Problem:
    """Something wrong that a partner or volunteer can act on.

    ``where`` names the request parameter (``license``: a name, shown as it
    is in every language) or is a message (``record 1234``, a mapping page's
    row); ``message`` is one plain sentence, as a message to translate.
    """

    where: str | Message
    message: Message

    def as_note(self) -> Message:
        """The problem as one line of the status page's notes: where, then what."""
        where = self.where if isinstance(self.where, Message) else Message.verbatim(self.where)
        return Message("hubbot-status-note-problem", (where, self.message))

    def to_json(self) -> list[Any]:
        where = self.where.to_json() if isinstance(self.where, Message) else self.where
        return [where, self.message.to_json()]

    @classmethod
    def from_json(cls, data: Any) -> Problem:
        where, message = data
        return cls(
            Message.from_json(where) if isinstance(where, Mapping) else str(where),
            Message.from_json(message),
        )

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class StructuredParams:
    """The request parameters for structured data on files (SPEC 11).

    Patterns are filled per record like any other; ``captions`` maps a
    language code to its pattern ("" for ``caption``, in the request's
    language); ``statements`` holds ``Pnnn=VALUE`` pairs as written;
    ``mapped_properties`` the property a ``mapped`` column's new table names.
    """

    captions: Mapping[str, str] = field(default_factory=dict)
    statements: tuple[tuple[str, str], ...] = ()
    collection: str | None = None
    inventory: str | None = None
    partner_item: str | None = None
    mapped_properties: Mapping[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.captions or self.statements or self.collection or self.inventory)


@dataclass(frozen=True)
class Request:
    """A parsed ``{{Partnership request}}`` (SPEC section 3)."""

    name: str  # the page name below R/Requests/
    partner: str
    source: str
    format: str | None  # csv, tsv, json, iiif, oai-pmh, or None (detect)
    id_column: str
    file_column: str
    license: str | None
    license_column: str | None
    template: str  # Information, Artwork or Photograph
    title: str  # the file title pattern, without extension
    #: template field name (as the file page template spells it) -> pattern
    fields: Mapping[str, str] = field(default_factory=dict)
    categories: tuple[str, ...] = ()
    mapped: tuple[str, ...] = ()
    split: str = ";"
    limit: int | None = None
    pause: bool = False
    sync: bool = False
    approve: str | None = None
    #: "upload" (new files) or "edit" (files already on the wiki, found by ``target_column``)
    mode: str = "upload"
    #: for mode edit: the column holding each record's File: title or SHA-1
    target_column: str | None = None
    #: undo the bot's work for this request (SPEC 13), approved like an upload
    undo: bool = False
    #: source-specific options, e.g. ``set`` and ``from`` for OAI-PMH
    options: Mapping[str, str] = field(default_factory=dict)
    #: the language of the request's pages (``|language=``; None: the wiki's)
    language: str | None = None
    #: field (as TEMPLATE_FIELDS spells it) -> language -> pattern, from ``description_sv``...
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: every parameter as written (stripped), for the preview id
    raw: Mapping[str, str] = field(default_factory=dict)
    #: captions and statements of the uploaded files (SPEC 11)
    structured: StructuredParams = field(default_factory=StructuredParams)
    #: one Wikidata item per record (SPEC 12), when the request asks for them
    items: ItemSpec | None = None

    @property
    def collection(self) -> str:
        """The partner's collection (a Q-id, SPEC 11), or "": it qualifies the items' identifier."""
        return self.structured.collection or ""

    @property
    def item_language(self) -> str:
        """The language of item labels, descriptions and searches (SPEC 12): English by default."""
        return self.language or "en"


@dataclass(frozen=True)
class ItemStatementSpec:
    """One ``Pnnn=VALUE`` of ``item_statements``: ``VALUE`` as written.

    ``@column`` stands for the Q-ids the column's mapping table gives the
    record's values; anything else is a Q-id, a literal or a ``{column}``
    pattern, converted by the property's datatype.
    """

    property: str
    value: str

    @builtins.property
    def column(self) -> str | None:
        """The mapped column of an ``@column`` value, else None."""
        return self.value[1:].strip() if self.value.startswith("@") else None


@dataclass(frozen=True)
class ItemSpec:
    """What a request asks of Wikidata items (SPEC 12): ``items`` and the ``item_*`` parameters."""

    mode: str  # "create" (create items nobody has made) or "match" (only link existing ones)
    label: str  # pattern
    description: str  # pattern
    statements: tuple[ItemStatementSpec, ...] = ()
    #: the identifier property used to find an existing item ("" = none)
    match: str = ""

    @property
    def creates(self) -> bool:
        return self.mode == "create"


@dataclass(frozen=True)
class MappingRow:
    value: str
    count: int = 0
    categories: str = ""  # ";"-separated, without "Category:", or "-"
    wikidata: str = ""  # a Q-id, or "-"
    text: str = ""  # wikitext to print instead of the value, or "-"

    @property
    def filled(self) -> bool:
        return bool(self.categories or self.wikidata or self.text)

    def category_list(self) -> list[str]:
        if self.categories.strip() in ("", "-"):
            return []
        return [c.strip() for c in self.categories.split(";") if c.strip()]


@dataclass(frozen=True)
class MappingTable:
    request: str
    column: str
    rows: tuple[MappingRow, ...] = ()
    #: the property the header names (``property=P170``): each value's Q-id gives a statement
    property: str = ""

    def lookup(self) -> dict[str, MappingRow]:
        return {row.value: row for row in self.rows}


@dataclass(frozen=True)
class PlannedFile:
    """One file as it will be uploaded: the result of rendering one record."""

    record_id: str
    title: str  # without the "File:" prefix, without extension
    extension: str | None  # from the media URL when it names one; sniffed at upload
    media_url: str
    page_text: str
    categories: tuple[str, ...] = ()
    #: the file's captions and statements (SPEC 11), when the wiki takes structured data
    structured: EntityDraft | None = None

    def full_title(self, extension: str | None = None) -> str:
        ext = extension or self.extension
        return f"{self.title}.{ext}" if ext else self.title


@dataclass(frozen=True)
class StashState:
    """How far a chunked upload got in the wiki's upload stash (kept in the journal).

    ``offset`` is what the wiki confirmed; ``complete`` means every chunk
    arrived and ``filekey`` names the assembled file, ready to publish.
    ``sha1`` and ``size`` are the whole file's, so a file that changed at the
    partner never resumes an old stash.
    """

    filekey: str
    offset: int
    size: int
    sha1: str
    started: datetime  # UTC, when the first chunk was stashed
    complete: bool = False


@dataclass(frozen=True)
class MediaSeen:
    """A previewed media file as the bot last read it, kept in the journal between runs.

    The next preview asks the partner's server whether the file is still this
    version (``etag``, ``last_modified``); when it is, nothing is downloaded
    and the facts here stand for the bytes: their SHA-1 and size, the type the
    server declared, the type sniffed from them, and what was wrong with an SVG.
    """

    record_id: str
    url: str
    etag: str
    last_modified: str
    sha1: str
    size: int
    content_type: str
    #: the sniffed type ("" when the bytes are of no type the bot uploads)
    mime: str = ""
    extension: str = ""
    kind: str = ""  # the type's name in messages: "JPEG image"
    svg_problem: str = ""

    def to_json(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MediaSeen:
        text = {k: str(v) for k, v in data.items() if k in cls.__dataclass_fields__ and k != "size"}
        return cls(size=int(data.get("size") or 0), **text)


@dataclass(frozen=True)
class MediaCheck:
    """One media file as the preview shows it: the title it gets and its bytes' SHA-1.

    The preview id covers ``binding``, so other bytes served later for this
    record make the approval stale (SPEC 5).
    """

    record_id: str
    title: str  # the full file title, with the extension of the real media type when read
    sha1: str = ""  # "" when the file could not be read
    problem: Message | None = None  # why it could not be read or would not be uploaded
    #: the download (a :class:`bots.net.fetch.FetchResult`), kept for an upload in the same run
    fetched: Any = field(default=None, compare=False, repr=False)

    @property
    def binding(self) -> str:
        return self.sha1 or "unreadable"


#: The fields of each file page template a request may fill with a pattern,
#: spelled as Commons spells them. In a request, ``_`` may stand for a space
#: (``credit_line`` = ``credit line``) and ``source_url`` fills ``source``
#: (the request's own ``source`` parameter names the partner's data).
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    "Information": (
        "description",
        "date",
        "source",
        "author",
        "permission",
        "other versions",
        "other fields",
    ),
    "Artwork": (
        "artist",
        "author",
        "title",
        "object type",
        "description",
        "depicted people",
        "depicted place",
        "date",
        "medium",
        "dimensions",
        "institution",
        "department",
        "place of creation",
        "place of discovery",
        "object history",
        "exhibition history",
        "credit line",
        "inscriptions",
        "notes",
        "accession number",
        "references",
        "source",
        "permission",
        "other versions",
        "wikidata",
    ),
    "Photograph": (
        "photographer",
        "title",
        "description",
        "depicted people",
        "depicted place",
        "date",
        "medium",
        "dimensions",
        "institution",
        "department",
        "references",
        "object history",
        "exhibition history",
        "credit line",
        "inscriptions",
        "notes",
        "accession number",
        "source",
        "permission",
        "other versions",
        "wikidata",
    ),
}

#: The parameters of ``{{Partnership request}}`` that are not template fields.
REQUEST_PARAMS: tuple[str, ...] = (
    "partner",
    "source",
    "format",
    "id",
    "file",
    "license",
    "license_column",
    "template",
    "title",
    "source_url",
    "categories",
    "mapped",
    "split",
    "limit",
    "pause",
    "sync",
    "approve",
    "mode",
    "target",
    "undo",
    "language",
    "caption",
    "statements",
    "collection",
    "inventory",
    "partner_item",
    "items",
    "item_label",
    "item_description",
    "item_statements",
    "item_match",
)

#: Parameters that may also be given per language as ``NAME_LANG`` (``description_sv``);
#: a file-page field's text per language goes into Commons' ``{{LANG|1=...}}`` templates.
LANGUAGE_PARAMS: tuple[str, ...] = ("description",)

#: Source-specific parameters, by format.
SOURCE_OPTIONS: dict[str, tuple[str, ...]] = {
    "oai-pmh": ("set", "from", "until", "metadata_prefix"),
    "iiif": ("records",),  # records: "canvas" or "manifest"; IIIF reads |language= too
}

FORMATS: tuple[str, ...] = ("csv", "tsv", "json", "iiif", "oai-pmh")


# --- what the bot remembers of a request between runs ------------------------------


@dataclass(frozen=True)
class SyncConflict:
    """A field both the community and the partner's data changed: the wiki keeps its value."""

    title: str
    record_id: str
    param: str
    base: str | None  # what the bot wrote (None: no such field)
    ours: str | None  # what the partner's data says now
    theirs: str | None  # what the page says now


@dataclass(frozen=True)
class SyncNote:
    """A file page sync left alone, or something to know about one it synced."""

    title: str
    record_id: str
    message: Message


@dataclass(frozen=True)
class SyncReport:
    """What the last ``hubbot sync`` of a request changed, kept and could not do."""

    updated: str = ""
    saved: int = 0
    unchanged: int = 0
    conflicts: tuple[SyncConflict, ...] = ()
    new_records: tuple[str, ...] = ()
    vanished: tuple[tuple[str, str], ...] = ()  # (record id, file title)
    left_alone: tuple[SyncNote, ...] = ()
    #: files whose structured data (statements, captions) sync changed (SPEC 11)
    structured_saved: int = 0
    #: statements and captions the community added or changed, kept as they are
    community_data: tuple[SyncNote, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "updated": self.updated,
            "saved": self.saved,
            "unchanged": self.unchanged,
            "conflicts": [list(vars(c).values()) for c in self.conflicts],
            "new_records": list(self.new_records),
            "vanished": [list(v) for v in self.vanished],
            "left_alone": [[n.title, n.record_id, n.message.to_json()] for n in self.left_alone],
            "structured_saved": self.structured_saved,
            "community_data": [
                [n.title, n.record_id, n.message.to_json()] for n in self.community_data
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SyncReport:
        return cls(
            updated=str(data.get("updated", "")),
            saved=int(data.get("saved", 0)),
            unchanged=int(data.get("unchanged", 0)),
            conflicts=tuple(SyncConflict(*c) for c in data.get("conflicts", [])),
            new_records=tuple(str(r) for r in data.get("new_records", [])),
            vanished=tuple((str(i), str(t)) for i, t in data.get("vanished", [])),
            left_alone=tuple(
                SyncNote(str(t), str(i), Message.from_json(m))
                for t, i, m in data.get("left_alone", [])
            ),
            structured_saved=int(data.get("structured_saved", 0)),
            community_data=tuple(
                SyncNote(str(t), str(i), Message.from_json(m))
                for t, i, m in data.get("community_data", [])
            ),
        )


@dataclass(frozen=True)
class UndoReport:
    """What an approved undo did (SPEC 13): what it took back, and what it left and why."""

    preview: str  # the undo preview id it carried out
    reverted: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    listed: tuple[str, ...] = ()  # files listed on the deletion request page
    left: tuple[tuple[str, Message], ...] = ()  # (page, why)
    #: items whose statements added by the bot were removed, and how many statements
    items: tuple[str, ...] = ()
    statements: int = 0
    #: files whose statements and captions added by a batch edit were removed, and how many
    data_files: tuple[str, ...] = ()
    data_statements: int = 0
    data_captions: int = 0

    def to_json(self) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in self.__dataclass_fields__}
        out["left"] = [[title, why.to_json()] for title, why in self.left]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UndoReport:
        return cls(
            preview=str(data.get("preview", "")),
            reverted=tuple(data.get("reverted", ())),
            deleted=tuple(data.get("deleted", ())),
            listed=tuple(data.get("listed", ())),
            left=tuple((str(t), Message.from_json(w)) for t, w in data.get("left", ())),
            items=tuple(data.get("items", ())),
            statements=int(data.get("statements", 0)),
            data_files=tuple(data.get("data_files", ())),
            data_statements=int(data.get("data_statements", 0)),
            data_captions=int(data.get("data_captions", 0)),
        )


#: A request's states (SPEC 7).
STATES: tuple[str, ...] = ("invalid", "awaiting-approval", "uploading", "paused", "stopped", "done")


@dataclass(frozen=True)
class RequestFacts:
    """What the journal keeps of one request between runs (the status page is made from it)."""

    state: str = "new"
    partner: str = ""
    total: int = 0  # files to upload, as the preview counted them
    preview: str = ""  # the current preview id
    approved: str = ""  # the preview id of the last approval the bot acted on
    approved_by: str = ""
    updated: str = ""  # when the status page was last written
    message: Message | None = None  # the status page's message, in plain words
    notes: tuple[Message, ...] = ()
    problems: tuple[Problem, ...] = ()  # why an invalid request cannot go ahead
    reason: str = ""  # why a request is paused: "limit" or "pause"
    limit: int | None = None
    category_created: bool = False
    #: revisions of the pages humans edit, when the request was done (SPEC 7)
    done_inputs: Mapping[str, int] | None = None
    sync: SyncReport | None = None
    undo: UndoReport | None = None
    #: the media files the last preview showed, as read then (asked again conditionally)
    seen_media: tuple[MediaSeen, ...] = ()
    #: the language of the request's pages (``|language=``, else the wiki's)
    language: str = ""
    #: whether the request's files get structured data (SPEC 11): its status line counts them
    structured: bool = False
    #: what the status page's items section notes (SPEC 12), e.g. items get no image
    items_notes: tuple[Message, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in self.__dataclass_fields__}
        out["message"] = self.message.to_json() if self.message is not None else None
        out["notes"] = [n.to_json() for n in self.notes]
        out["items_notes"] = [n.to_json() for n in self.items_notes]
        out["problems"] = [p.to_json() for p in self.problems]
        out["done_inputs"] = dict(self.done_inputs) if self.done_inputs is not None else None
        out["sync"] = self.sync.to_json() if self.sync is not None else None
        out["undo"] = self.undo.to_json() if self.undo is not None else None
        out["seen_media"] = [m.to_json() for m in self.seen_media]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RequestFacts:
        """The facts from what the store kept; keys of older versions are ignored."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        message = known.get("message")
        known["message"] = Message.from_json(message) if message else None
        known["notes"] = tuple(Message.from_json(n) for n in known.get("notes") or ())
        known["items_notes"] = tuple(Message.from_json(n) for n in known.get("items_notes") or ())
        known["problems"] = tuple(Problem.from_json(p) for p in known.get("problems") or ())
        done = known.get("done_inputs")
        known["done_inputs"] = {str(k): int(v) for k, v in done.items()} if done else None
        sync = known.get("sync")
        known["sync"] = SyncReport.from_json(sync) if sync else None
        undo = known.get("undo")
        known["undo"] = UndoReport.from_json(undo) if undo else None
        known["seen_media"] = tuple(MediaSeen.from_json(m) for m in known.get("seen_media") or ())
        return cls(**known)
