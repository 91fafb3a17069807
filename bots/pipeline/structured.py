"""The structured data of one file: its captions and statements (SPEC 11), from its record.

Pure: the record, the request, the mapping tables, the configuration's
property and item ids (:class:`StructuredSettings`) and what the Wikibase
said about the properties and items used (:class:`Vocabulary`) go in; an
:class:`~bots.statements.EntityDraft` and the record's problems come out.

The statements, in this order, each once (same property and value):

- copyright license (P275) and copyright status (P6216), from the record's licence;
- source of file (P7482) = file available on the internet, qualified by
  described at URL (P973, ``source_url`` when it is an address) and operator
  (P137, ``partner_item``);
- one statement per mapped value with a ``wikidata`` Q-id, for every mapping
  table whose header names a property (never a guess: a value without a
  Q-id gives nothing);
- inception (P571) from ``date``, when it reads as a year, a year-month or a
  date (other dates give nothing and are no problem);
- collection (P195) and inventory number (P217, qualified by the collection);
- ``statements = Pnnn=VALUE; ...``, each value read by its property's datatype;
- digital representation of (P6243), the record's own Wikidata item when there is one.

Captions come from ``caption`` (in the request's language) and
``caption_LANG``, as plain text on one line, cut on a word boundary to the
wiki's caption limit, never empty. A record whose statements or captions
cannot be made as asked has problems and is not uploaded; request-wide
mistakes (a property that does not exist) are found once, before the
records, by :mod:`bots.pipeline.structured_checks`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bots.config import DEFAULT_ITEMS, DEFAULT_PROPERTIES, Licence
from bots.i18n import msg
from bots.model import MappingTable, Problem, Record, Request
from bots.pipeline.licences import record_licence_name
from bots.pipeline.patterns import cell, fill_pattern, lookup, mapped_parts, placeholders
from bots.pipeline.values import parse_value, time_value
from bots.statements import (
    ITEM_ID,
    EntityDraft,
    ItemValue,
    Snak,
    Statement,
    StringValue,
    Value,
)

#: Wikibase's own default for labels, and Commons' limit for captions.
CAPTION_LIMIT = 250

#: What closes a caption that had to be cut.
ELLIPSIS = "…"

#: The datatype each role's property must have.
ROLE_DATATYPES: dict[str, str] = {
    "copyright_license": "wikibase-item",
    "copyright_status": "wikibase-item",
    "source_of_file": "wikibase-item",
    "described_at_url": "url",
    "operator": "wikibase-item",
    "inception": "time",
    "collection": "wikibase-item",
    "inventory_number": "string",
    "digital_representation_of": "wikibase-item",
}

#: Each problem's message key and the names of its parameters, in order.
MESSAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "no_item": ("hubbot-sdc-record-no-item", ("column", "value", "item")),
    "bad_value": ("hubbot-sdc-record-bad-value", ("prop", "reason")),
    "missing_item": ("hubbot-sdc-record-missing-item", ("prop", "item")),
    "no_caption": ("hubbot-sdc-record-no-caption", ("param",)),
}


@dataclass(frozen=True)
class StructuredSettings:
    """The configuration's part in every file's structured data, and the captions' language."""

    language: str = "en"
    properties: Mapping[str, str] = field(default_factory=dict)
    items: Mapping[str, str] = field(default_factory=dict)
    licences: Mapping[str, Licence] = field(default_factory=dict)
    caption_limit: int = CAPTION_LIMIT

    def prop(self, role: str) -> str:
        """The property id of a role (creator, inception...): configured, else Wikidata's."""
        return self.properties.get(role) or DEFAULT_PROPERTIES[role]

    def item(self, role: str) -> str:
        return self.items.get(role) or DEFAULT_ITEMS[role]

    def digest_parts(self) -> list[str]:
        """What of these settings decides a file's structured data, for the preview id."""
        licences = sorted(
            (n, lic.template, lic.item, lic.status) for n, lic in self.licences.items()
        )
        return [
            self.language,
            str(self.caption_limit),
            repr(sorted({**DEFAULT_PROPERTIES, **self.properties}.items())),
            repr(sorted({**DEFAULT_ITEMS, **self.items}.items())),
            repr(licences),
        ]


@dataclass(frozen=True)
class Vocabulary:
    """What the Wikibase said about the properties and items a request uses.

    ``checked`` holds every id asked for, so an id in it but not in
    ``items`` (or without a datatype) is one the Wikibase does not have.
    """

    datatypes: Mapping[str, str] = field(default_factory=dict)
    items: frozenset[str] = frozenset()
    checked: frozenset[str] = frozenset()
    labels: Mapping[str, str] = field(default_factory=dict)

    def missing_item(self, qid: str) -> bool:
        return qid in self.checked and qid not in self.items

    def label(self, entity: str) -> str:
        return self.labels.get(entity, "")


def cut_caption(text: str, limit: int = CAPTION_LIMIT) -> str:
    """``text`` on one line, at most ``limit`` characters, cut after a whole word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = text[: max(1, limit - len(ELLIPSIS))]
    if text[len(room)] != " " and " " in room:  # the room ends inside a word: drop that word
        room = room.rsplit(" ", 1)[0]
    return room.rstrip(" ,;:.-–—") + ELLIPSIS


def is_web_address(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in text


@dataclass
class _Builder:
    """One record's statements, each once, with the problems met on the way."""

    request: Request
    record: Record
    tables: Mapping[str, MappingTable]
    settings: StructuredSettings
    vocab: Vocabulary
    where: str
    statements: dict[tuple[str, str], Statement] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, role_or_pid: str, value: Value, *qualifiers: Snak | None) -> None:
        pid = self.pid(role_or_pid)
        statement = Statement(
            Snak(pid, value, self.datatype(role_or_pid)), tuple(q for q in qualifiers if q)
        )
        self.statements.setdefault(statement.key(), statement)

    def pid(self, role_or_pid: str) -> str:
        return self.settings.prop(role_or_pid) if role_or_pid in ROLE_DATATYPES else role_or_pid

    def datatype(self, role_or_pid: str) -> str:
        if role_or_pid in ROLE_DATATYPES:
            return ROLE_DATATYPES[role_or_pid]
        return self.vocab.datatypes.get(role_or_pid, "")

    def snak(self, role: str, value: Value | None) -> Snak | None:
        return (
            None if value is None else Snak(self.settings.prop(role), value, ROLE_DATATYPES[role])
        )

    def fill(self, pattern: str) -> str:
        filled = fill_pattern(pattern, self.record, self.tables, self.request.split, plain=True)
        return " ".join(filled.split())

    def problem(self, key: str, **values: str) -> None:
        name, params = MESSAGES[key]
        self.problems.append(Problem(self.where, msg(name, *(values[p] for p in params))))


def build_structured(
    request: Request,
    record: Record,
    tables: Mapping[str, MappingTable],
    settings: StructuredSettings,
    vocab: Vocabulary,
    *,
    record_id: str,
    item: str = "",
) -> tuple[EntityDraft, list[Problem]]:
    """The captions and statements of one record's file, and why any could not be made.

    ``item`` is the record's own Wikidata item (SPEC 12), which adds
    digital representation of (P6243).
    """
    b = _Builder(request, record, tables, settings, vocab, f"record {record_id}")
    _licence(b)
    _source(b)
    _mapped(b)
    _dates_and_collection(b)
    _statements(b)
    if item and ITEM_ID.fullmatch(item):
        b.add("digital_representation_of", ItemValue(item))
    captions = _captions(b)
    return EntityDraft(labels=captions, statements=tuple(b.statements.values())), b.problems


def _licence(b: _Builder) -> None:
    name = record_licence_name(b.request, b.record, b.settings.licences)
    licence = b.settings.licences.get(name or "")
    if licence is None:
        return  # render_file refused the record already
    if ITEM_ID.fullmatch(licence.item):
        b.add("copyright_license", ItemValue(licence.item))
    if ITEM_ID.fullmatch(licence.status):
        b.add("copyright_status", ItemValue(licence.status))


def _source(b: _Builder) -> None:
    url = b.fill(b.request.fields.get("source", ""))
    partner = b.request.structured.partner_item
    b.add(
        "source_of_file",
        ItemValue(b.settings.item("file_available_on_the_internet")),
        b.snak("described_at_url", StringValue(url) if is_web_address(url) else None),
        b.snak("operator", ItemValue(partner) if partner else None),
    )


def _mapped(b: _Builder) -> None:
    for column in dict.fromkeys([*b.request.mapped, *b.tables]):
        table = b.tables.get(column)
        if (
            table is None
            or not table.property
            or b.vocab.datatypes.get(table.property) != ("wikibase-item")
        ):
            continue  # no property, or one structured_checks reported for the whole table
        rows = lookup(table)
        for part in mapped_parts(cell(b.record, column), b.request.split):
            row = rows.get(part)
            qid = row.wikidata.strip().upper() if row is not None else ""
            if not ITEM_ID.fullmatch(qid):
                continue  # no Q-id (or "-"): no statement, never a guess
            if b.vocab.missing_item(qid):
                b.problem("no_item", column=column, value=part, item=qid)
                continue
            b.add(table.property, ItemValue(qid))


def _dates_and_collection(b: _Builder) -> None:
    date = time_value(b.fill(b.request.fields.get("date", "")))
    if date is not None:
        b.add("inception", date)
    structured = b.request.structured
    collection = ItemValue(structured.collection) if structured.collection else None
    if collection is not None:
        b.add("collection", collection)
    inventory = b.fill(structured.inventory or "")
    if inventory:
        b.add("inventory_number", StringValue(inventory), b.snak("collection", collection))


def _statements(b: _Builder) -> None:
    for pid, written in b.request.structured.statements:
        datatype = b.vocab.datatypes.get(pid, "")
        if not datatype:
            continue  # a property the Wikibase does not have: reported once for the request
        text = b.fill(written)
        if not text:
            continue  # nothing for this record: no statement
        value = parse_value(datatype, text, b.settings.language)
        if isinstance(value, str):
            if placeholders(written):  # a literal was checked once for the whole request
                b.problem("bad_value", prop=pid, reason=value)
            continue
        if isinstance(value, ItemValue) and b.vocab.missing_item(value.id):
            if placeholders(written):
                b.problem("missing_item", prop=pid, item=value.id)
            continue
        b.add(pid, value)


def caption_languages(request: Request, language: str) -> dict[str, str]:
    """Caption language -> pattern: ``caption`` in ``language``, ``caption_LANG`` in LANG."""
    captions = dict(request.structured.captions)
    own = captions.pop("", None)
    if own is not None:
        captions.setdefault(language, own)
    return captions


def _captions(b: _Builder) -> dict[str, str]:
    out: dict[str, str] = {}
    for language, pattern in caption_languages(b.request, b.settings.language).items():
        text = cut_caption(b.fill(pattern), b.settings.caption_limit)
        if not text:
            name = "caption" if language == b.settings.language else f"caption_{language}"
            b.problem("no_caption", param=name)
            continue
        out[language] = text
    return out


def used_item_ids(drafts: Iterable[EntityDraft]) -> set[str]:
    """Every item id the drafts' statements and qualifiers name (for labels)."""
    found: set[str] = set()
    for draft in drafts:
        for statement in draft.statements:
            for snak in (statement.snak, *statement.qualifiers):
                found.add(snak.property)
                if isinstance(snak.value, ItemValue):
                    found.add(snak.value.id)
    return found
