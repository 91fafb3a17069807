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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bots.config import DEFAULT_ITEMS, DEFAULT_PROPERTIES, Licence
from bots.i18n import Message, Param, msg
from bots.model import MappingTable, Problem, Record, Request
from bots.pipeline.licences import record_licence_name
from bots.pipeline.patterns import CompiledPattern, cell, lookup, mapped_parts, placeholders
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


#: A plain http(s) address with a host name: what :func:`urlsplit` reads as one, found faster.
_PLAIN_WEB_ADDRESS = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#]|\Z)", re.IGNORECASE)


def is_web_address(text: str) -> bool:
    if " " in text:
        return False
    if _PLAIN_WEB_ADDRESS.match(text):
        return True
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


#: Statements a builder keeps by the text they were made from (dates, licences).
_KEPT = 4096

_Key = tuple[str, Value]


def _keyed(statement: Statement) -> tuple[_Key, Statement]:
    # what makes two statements the same (Statement.key): the property and the value;
    # values are frozen records, equal exactly when their repr is
    return (statement.snak.property, statement.snak.value), statement


class StructuredBuilder:
    """The captions and statements of each file of one batch (see :func:`build_structured`).

    What every record shares is made once: the patterns compiled with the
    tables, the licence's statements, the source, operator and collection
    snaks, which mapping tables give statements. ``tables`` must not change
    while it is used.
    """

    def __init__(
        self,
        request: Request,
        tables: Mapping[str, MappingTable],
        settings: StructuredSettings,
        vocab: Vocabulary,
    ) -> None:
        self.request, self.tables, self.settings, self.vocab = request, tables, settings, vocab
        split = request.split
        structured = request.structured
        self.source = CompiledPattern(request.fields.get("source", ""), tables, split)
        self.date = CompiledPattern(request.fields.get("date", ""), tables, split)
        self.inventory = CompiledPattern(structured.inventory or "", tables, split)
        self.statements = tuple(
            (pid, CompiledPattern(written, tables, split), bool(placeholders(written)))
            for pid, written in structured.statements
        )
        self.captions = tuple(
            (language, CompiledPattern(pattern, tables, split))
            for language, pattern in caption_languages(request, settings.language).items()
        )
        self.mapped = tuple(
            (column, lookup(table), table.property)
            for column in dict.fromkeys([*request.mapped, *tables])
            if (table := tables.get(column)) is not None
            and table.property
            and vocab.datatypes.get(table.property) == "wikibase-item"
        )
        self.source_item = ItemValue(settings.item("file_available_on_the_internet"))
        partner = structured.partner_item
        self.operator = self._snak("operator", ItemValue(partner) if partner else None)
        collection = ItemValue(structured.collection) if structured.collection else None
        self.collection = self._snak("collection", collection)
        self.collection_statement = (
            _keyed(self._statement("collection", collection)) if collection else None
        )
        self.url_pid = settings.prop("described_at_url")
        self.source_snak = Snak(
            settings.prop("source_of_file"), self.source_item, ROLE_DATATYPES["source_of_file"]
        )
        self.inventory_pid = settings.prop("inventory_number")
        self._licences: dict[str | None, list[tuple[_Key, Statement]]] = {}
        self._dates: dict[str, tuple[_Key, Statement] | None] = {}

    def build(
        self, record: Record, *, record_id: str, item: str = ""
    ) -> tuple[EntityDraft, list[Problem]]:
        """:func:`build_structured` of ``record``."""
        found: dict[_Key, Statement] = {}
        problems: list[Problem] = []
        where = f"record {record_id}"
        for key, statement in self._licence(record):
            found.setdefault(key, statement)
        self._add(found, self._source(record))
        self._mapped(record, found, problems, where)
        self._dates_and_collection(record, found)
        self._written(record, found, problems, where)
        if item and ITEM_ID.fullmatch(item):
            self._add(found, self._statement("digital_representation_of", ItemValue(item)))
        captions = self._captions(record, problems, where)
        return EntityDraft(labels=captions, statements=tuple(found.values())), problems

    # -- what every record's statements are made of --------------------------------
    def _datatype(self, role_or_pid: str) -> str:
        if role_or_pid in ROLE_DATATYPES:
            return ROLE_DATATYPES[role_or_pid]
        return self.vocab.datatypes.get(role_or_pid, "")

    def _statement(self, role_or_pid: str, value: Value, *qualifiers: Snak | None) -> Statement:
        pid = self.settings.prop(role_or_pid) if role_or_pid in ROLE_DATATYPES else role_or_pid
        snak = Snak(pid, value, self._datatype(role_or_pid))
        return Statement(snak, tuple(q for q in qualifiers if q))

    def _snak(self, role: str, value: Value | None) -> Snak | None:
        return (
            None if value is None else Snak(self.settings.prop(role), value, ROLE_DATATYPES[role])
        )

    @staticmethod
    def _add(found: dict[_Key, Statement], statement: Statement) -> None:
        key, statement = _keyed(statement)
        found.setdefault(key, statement)

    def _fill(self, pattern: CompiledPattern, record: Record) -> str:
        return " ".join(pattern.fill(record).split())

    def _problem(self, problems: list[Problem], where: str, key: str, **values: Param) -> None:
        name, params = MESSAGES[key]
        problems.append(Problem(where, msg(name, *(values[p] for p in params))))

    # -- each part, in the order of the module's doc -------------------------------
    def _licence(self, record: Record) -> list[tuple[_Key, Statement]]:
        name = (
            record_licence_name(self.request, record, self.settings.licences)
            if self.request.license_column or not self._licences
            else next(iter(self._licences))
        )
        kept = self._licences.get(name)
        if kept is None:
            kept = self._licences[name] = self._licence_statements(name)
            if len(self._licences) > _KEPT:
                self._licences.clear()
        return kept

    def _licence_statements(self, name: str | None) -> list[tuple[_Key, Statement]]:
        licence = self.settings.licences.get(name or "")
        if licence is None:
            return []  # render_file refused the record already
        out = []
        if ITEM_ID.fullmatch(licence.item):
            out.append(_keyed(self._statement("copyright_license", ItemValue(licence.item))))
        if ITEM_ID.fullmatch(licence.status):
            out.append(_keyed(self._statement("copyright_status", ItemValue(licence.status))))
        return out

    def _source(self, record: Record) -> Statement:
        url = self._fill(self.source, record)
        described = (
            Snak(self.url_pid, StringValue(url), ROLE_DATATYPES["described_at_url"])
            if is_web_address(url)
            else None
        )
        qualifiers = tuple(q for q in (described, self.operator) if q)
        return Statement(self.source_snak, qualifiers)

    def _mapped(
        self, record: Record, found: dict[_Key, Statement], problems: list[Problem], where: str
    ) -> None:
        for column, rows, prop in self.mapped:
            for part in mapped_parts(cell(record, column), self.request.split):
                row = rows.get(part)
                qid = row.wikidata.strip().upper() if row is not None else ""
                if not ITEM_ID.fullmatch(qid):
                    continue  # no Q-id (or "-"): no statement, never a guess
                if self.vocab.missing_item(qid):
                    self._problem(problems, where, "no_item", column=column, value=part, item=qid)
                    continue
                self._add(found, self._statement(prop, ItemValue(qid)))

    def _dates_and_collection(self, record: Record, found: dict[_Key, Statement]) -> None:
        text = self._fill(self.date, record)
        if text in self._dates:
            inception = self._dates[text]
        else:
            date = time_value(text)
            inception = None if date is None else _keyed(self._statement("inception", date))
            if len(self._dates) >= _KEPT:
                self._dates.clear()
            self._dates[text] = inception
        if inception is not None:
            found.setdefault(*inception)
        if self.collection_statement is not None:
            found.setdefault(*self.collection_statement)
        inventory = self._fill(self.inventory, record)
        if inventory:
            snak = Snak(
                self.inventory_pid, StringValue(inventory), ROLE_DATATYPES["inventory_number"]
            )
            qualifiers = (self.collection,) if self.collection else ()
            self._add(found, Statement(snak, qualifiers))

    def _written(
        self, record: Record, found: dict[_Key, Statement], problems: list[Problem], where: str
    ) -> None:
        for pid, written, has_placeholders in self.statements:
            datatype = self.vocab.datatypes.get(pid, "")
            if not datatype:
                continue  # a property the Wikibase does not have: reported once for the request
            text = self._fill(written, record)
            if not text:
                continue  # nothing for this record: no statement
            value = parse_value(datatype, text, self.settings.language)
            if isinstance(value, Message):
                if has_placeholders:  # a literal was checked once for the whole request
                    self._problem(problems, where, "bad_value", prop=pid, reason=value)
                continue
            if isinstance(value, ItemValue) and self.vocab.missing_item(value.id):
                if has_placeholders:
                    self._problem(problems, where, "missing_item", prop=pid, item=value.id)
                continue
            self._add(found, self._statement(pid, value))

    def _captions(self, record: Record, problems: list[Problem], where: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for language, pattern in self.captions:
            text = cut_caption(self._fill(pattern, record), self.settings.caption_limit)
            if not text:
                name = "caption" if language == self.settings.language else f"caption_{language}"
                self._problem(problems, where, "no_caption", param=name)
                continue
            out[language] = text
        return out


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
    digital representation of (P6243). A batch builds with one
    :class:`StructuredBuilder` instead.
    """
    builder = StructuredBuilder(request, tables, settings, vocab)
    return builder.build(record, record_id=record_id, item=item)


def caption_languages(request: Request, language: str) -> dict[str, str]:
    """Caption language -> pattern: ``caption`` in ``language``, ``caption_LANG`` in LANG."""
    captions = dict(request.structured.captions)
    own = captions.pop("", None)
    if own is not None:
        captions.setdefault(language, own)
    return captions


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
