"""Wikibase data as typed records: values, statements, captions, entity drafts.

The bot builds structured data for files (MediaInfo) and items as these
frozen records, shows them on the preview, hashes them into the preview id,
and only at the last step turns them into the JSON that ``wbeditentity``
takes (:meth:`Statement.to_json`). Reading an entity back gives the same
records (:func:`statements_from_json`), so "is this statement there
already?" is a comparison of records, whatever the rank or the references.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Wikidata's concept URI: quantity units, calendars and globe items are written with it.
ENTITY_URI = "http://www.wikidata.org/entity/"
#: The proleptic Gregorian calendar, as Wikidata writes times.
GREGORIAN = ENTITY_URI + "Q1985727"

#: Ids as Wikibase reads them (at most ten digits: a longer one is refused as invalid).
ITEM_ID = re.compile(r"Q[1-9][0-9]{0,9}")
PROPERTY_ID = re.compile(r"P[1-9][0-9]{0,9}")

#: Time precisions of Wikibase: year, month, day.
YEAR, MONTH, DAY = 9, 10, 11


@dataclass(frozen=True)
class ItemValue:
    id: str  # Q123

    def datavalue(self) -> dict[str, Any]:
        return {
            "type": "wikibase-entityid",
            "value": {"entity-type": "item", "numeric-id": int(self.id[1:]), "id": self.id},
        }

    def shown(self) -> str:
        return self.id


@dataclass(frozen=True)
class StringValue:
    """A string, an external identifier or a URL (the property's datatype says which)."""

    text: str

    def datavalue(self) -> dict[str, Any]:
        return {"type": "string", "value": self.text}

    def shown(self) -> str:
        return self.text


@dataclass(frozen=True)
class TimeValue:
    time: str  # "+1850-00-00T00:00:00Z"
    precision: int  # YEAR, MONTH or DAY
    calendar: str = GREGORIAN

    def datavalue(self) -> dict[str, Any]:
        return {
            "type": "time",
            "value": {
                "time": self.time,
                "timezone": 0,
                "before": 0,
                "after": 0,
                "precision": self.precision,
                "calendarmodel": self.calendar,
            },
        }

    def shown(self) -> str:
        date = self.time.lstrip("+").split("T", 1)[0]
        parts = date.split("-")
        return "-".join(parts[: {YEAR: 1, MONTH: 2}.get(self.precision, 3)])


@dataclass(frozen=True)
class QuantityValue:
    amount: str  # "+12.5"
    unit: str = "1"  # "1" or an entity URI

    def datavalue(self) -> dict[str, Any]:
        return {"type": "quantity", "value": {"amount": self.amount, "unit": self.unit}}

    def shown(self) -> str:
        unit = "" if self.unit == "1" else " " + self.unit.rsplit("/", 1)[-1]
        return self.amount.lstrip("+") + unit


@dataclass(frozen=True)
class MonolingualValue:
    text: str
    language: str

    def datavalue(self) -> dict[str, Any]:
        return {"type": "monolingualtext", "value": {"text": self.text, "language": self.language}}

    def shown(self) -> str:
        return f"{self.text} ({self.language})"


Value = ItemValue | StringValue | TimeValue | QuantityValue | MonolingualValue


@dataclass(frozen=True)
class Snak:
    """A property with one value (a main snak, a qualifier or a part of a reference)."""

    property: str
    value: Value
    datatype: str

    def to_json(self) -> dict[str, Any]:
        return {
            "snaktype": "value",
            "property": self.property,
            "datatype": self.datatype,
            "datavalue": self.value.datavalue(),
        }


@dataclass(frozen=True)
class Statement:
    """One statement: a main snak, its qualifiers and its references (each a group of snaks)."""

    snak: Snak
    qualifiers: tuple[Snak, ...] = ()
    references: tuple[tuple[Snak, ...], ...] = ()

    @property
    def property(self) -> str:
        return self.snak.property

    def key(self) -> tuple[str, str]:
        """What makes two statements the same one: the property and the value, not the rank."""
        return self.snak.property, repr(self.snak.value)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "mainsnak": self.snak.to_json(),
            "type": "statement",
            "rank": "normal",
        }
        if self.qualifiers:
            data["qualifiers"] = _grouped(self.qualifiers)
            data["qualifiers-order"] = list(dict.fromkeys(q.property for q in self.qualifiers))
        if self.references:
            data["references"] = [
                {
                    "snaks": _grouped(group),
                    "snaks-order": list(dict.fromkeys(s.property for s in group)),
                }
                for group in self.references
            ]
        return data


def _grouped(snaks: Iterable[Snak]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for snak in snaks:
        out.setdefault(snak.property, []).append(snak.to_json())
    return out


@dataclass(frozen=True)
class EntityDraft:
    """What the bot wants an entity (a file's MediaInfo, or an item) to hold.

    ``labels`` are captions for a MediaInfo entity. Only what is missing is
    ever sent: statements already there (same property and value) and labels
    someone else wrote are left as they are.
    """

    labels: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    statements: tuple[Statement, ...] = ()
    #: ids of statements to remove (the bot's own, which the partner's data no longer gives)
    remove: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.labels or self.descriptions or self.statements or self.remove)

    def to_json(self, *, statements_key: str = "claims") -> dict[str, Any]:
        """The ``data`` of ``wbeditentity`` (MediaInfo takes ``claims`` as well)."""
        data: dict[str, Any] = {}
        if self.labels:
            data["labels"] = {
                k: {"language": k, "value": v} for k, v in sorted(self.labels.items())
            }
        if self.descriptions:
            data["descriptions"] = {
                k: {"language": k, "value": v} for k, v in sorted(self.descriptions.items())
            }
        if self.statements or self.remove:
            data[statements_key] = [s.to_json() for s in self.statements] + [
                {"id": claim, "remove": ""} for claim in self.remove
            ]
        return data

    def shown(self) -> list[str]:
        """The statements as ``Pnnn=value`` (qualifiers in brackets), for exports and logs."""
        return [statement_text(s) for s in self.statements]


def statement_text(statement: Statement) -> str:
    """``P195=Q430682`` or ``P217=N01234 (P195=Q430682)``."""
    main = f"{statement.property}={statement.snak.value.shown()}"
    if not statement.qualifiers:
        return main
    return (
        main
        + " ("
        + ", ".join(f"{q.property}={q.value.shown()}" for q in statement.qualifiers)
        + ")"
    )


def draft_from_json(data: Mapping[str, Any]) -> EntityDraft:
    """An entity draft from what :meth:`EntityDraft.to_json` gave (the journal keeps it so).

    Snaks of kinds the bot does not write are left out.
    """
    claims = data.get("claims") or data.get("statements") or []
    return EntityDraft(
        labels={k: str(v.get("value", "")) for k, v in (data.get("labels") or {}).items()},
        descriptions={
            k: str(v.get("value", "")) for k, v in (data.get("descriptions") or {}).items()
        },
        statements=tuple(
            s for s in (_statement_from_json(c) for c in claims if "remove" not in c) if s
        ),
        remove=tuple(str(c["id"]) for c in claims if "remove" in c and "id" in c),
    )


def _snak_from_json(data: Mapping[str, Any]) -> Snak | None:
    value = value_from_json(data.get("datavalue") or {})
    if value is None:
        return None
    return Snak(str(data.get("property", "")), value, str(data.get("datatype", "")))


def _snaks(grouped: Mapping[str, Any], order: Iterable[str]) -> tuple[Snak, ...]:
    snaks = (_snak_from_json(s) for prop in order for s in grouped.get(prop, []))
    return tuple(s for s in snaks if s is not None)


def _statement_from_json(data: Mapping[str, Any]) -> Statement | None:
    snak = _snak_from_json(data.get("mainsnak") or {})
    if snak is None:
        return None
    qualifiers = data.get("qualifiers") or {}
    return Statement(
        snak,
        _snaks(qualifiers, data.get("qualifiers-order") or list(qualifiers)),
        tuple(
            _snaks(r.get("snaks") or {}, r.get("snaks-order") or list(r.get("snaks") or {}))
            for r in data.get("references") or []
        ),
    )


def value_from_json(datavalue: Mapping[str, Any]) -> Value | None:
    """A value as the Wikibase API gives it; None for kinds the bot does not write."""
    kind, value = datavalue.get("type"), datavalue.get("value")
    if kind == "wikibase-entityid" and isinstance(value, Mapping):
        entity = str(value.get("id", ""))
        return ItemValue(entity) if ITEM_ID.fullmatch(entity) else None
    if kind == "string" and isinstance(value, str):
        return StringValue(value)
    if kind == "time" and isinstance(value, Mapping):
        return TimeValue(
            str(value.get("time", "")),
            int(value.get("precision", DAY)),
            str(value.get("calendarmodel", GREGORIAN)),
        )
    if kind == "quantity" and isinstance(value, Mapping):
        return QuantityValue(str(value.get("amount", "")), str(value.get("unit", "1")))
    if kind == "monolingualtext" and isinstance(value, Mapping):
        return MonolingualValue(str(value.get("text", "")), str(value.get("language", "")))
    return None


@dataclass(frozen=True)
class HeldStatement:
    """A statement an entity holds, as read back: its id, key and who may touch it."""

    id: str  # the statement's GUID, to remove it
    property: str
    value: Value | None  # None: a value kind the bot does not write, or no value
    #: its qualifiers as (property, value) pairs (an identifier's collection, for one)
    qualifiers: tuple[tuple[str, Value | None], ...] = ()
    #: a digest of all of it (value, qualifiers, references, rank): "is it unchanged?" for undo
    digest: str = field(default="", compare=False)

    def key(self) -> tuple[str, str]:
        return self.property, repr(self.value)

    def qualified_by(self, prop: str, value: Value) -> bool:
        return (prop, value) in self.qualifiers


def statements_from_json(claims: Mapping[str, Any]) -> list[HeldStatement]:
    """The statements of an entity's ``claims`` (items) or ``statements`` (MediaInfo)."""
    held: list[HeldStatement] = []
    if not isinstance(claims, Mapping):  # an entity without statements gives []
        return held
    for prop, group in claims.items():
        for claim in group or []:
            snak = claim.get("mainsnak", {})
            value = None
            if snak.get("snaktype") == "value":
                value = value_from_json(snak.get("datavalue", {}))
            held.append(
                HeldStatement(
                    str(claim.get("id", "")),
                    str(prop),
                    value,
                    _qualifiers(claim.get("qualifiers")),
                    statement_digest(claim),
                )
            )
    return held


def statement_digest(claim: Mapping[str, Any]) -> str:
    """SHA-1 of a statement as read (main snak, qualifiers, references, rank), hashes left out.

    The same statement read twice gives the same digest; any change anyone
    makes to it (value, qualifier, reference, rank) gives another.
    """
    parts = {k: _without_hashes(claim.get(k)) for k in ("mainsnak", "qualifiers", "references")}
    parts["rank"] = claim.get("rank", "normal")
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _without_hashes(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {k: _without_hashes(v) for k, v in data.items() if k != "hash"}
    if isinstance(data, list):
        return [_without_hashes(v) for v in data]
    return data


def _qualifiers(qualifiers: Any) -> tuple[tuple[str, Value | None], ...]:
    if not isinstance(qualifiers, Mapping):
        return ()
    out: list[tuple[str, Value | None]] = []
    for prop, snaks in qualifiers.items():
        for snak in snaks or []:
            value = None
            if isinstance(snak, Mapping) and snak.get("snaktype") == "value":
                value = value_from_json(snak.get("datavalue", {}))
            out.append((str(prop), value))
    return tuple(out)


@dataclass(frozen=True)
class EntityState:
    """An entity as the Wikibase holds it now (what the bot reads before adding to it)."""

    id: str
    exists: bool
    revid: int = 0
    labels: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    statements: tuple[HeldStatement, ...] = ()
    datatype: str = ""  # for a property: its datatype

    def label(self, language: str) -> str:
        """The label in ``language``, else in English, else the id."""
        return self.labels.get(language) or self.labels.get("en") or self.id


def missing(draft: EntityDraft, state: EntityState) -> EntityDraft:
    """What of ``draft`` the entity still lacks; the rest is left as it is.

    A statement counts as there when the entity has the same property and
    value (whatever its rank, qualifiers or references); a label (caption) or
    description in a language the entity has already is someone's and is
    never replaced.
    """
    have = {h.key() for h in state.statements}
    return EntityDraft(
        labels={k: v for k, v in draft.labels.items() if k not in state.labels},
        descriptions={k: v for k, v in draft.descriptions.items() if k not in state.descriptions},
        statements=tuple(s for s in draft.statements if s.key() not in have),
    )


def kept_captions(draft: EntityDraft, state: EntityState) -> dict[str, str]:
    """Captions of ``draft`` the entity has already, in someone else's words: they stay.

    (:func:`missing` never sends them; a batch edit reports them, as it reports
    a page field the community changed.)
    """
    return {
        lang: state.labels[lang]
        for lang, text in draft.labels.items()
        if lang in state.labels and state.labels[lang] != text
    }
