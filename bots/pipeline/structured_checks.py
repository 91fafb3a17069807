"""What a request's structured data needs from the Wikibase, and its mistakes of the whole request.

Before a preview, the run asks the Wikibase once (50 ids a request) about
every property and item the request may use (:func:`wanted_ids`, then
:func:`dynamic_item_ids` for Q-ids that records give through patterns).
With those answers, :func:`request_problems` finds what is wrong for every
record at once: a property that does not exist or has another datatype than
its use needs, a literal value that does not fit its property, an item that
does not exist, two captions for one language, a language the Wikibase does
not take. Such a request is invalid until they are fixed (each problem names
its parameter, mapping page or configuration key); a record's own values are
checked record by record (:mod:`bots.pipeline.structured`). Pure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from bots.config import STRUCTURED_DATA_SETTINGS
from bots.i18n import Message, Param, msg
from bots.model import MappingTable, Problem, Record, Request
from bots.pipeline.patterns import fill_pattern, placeholders
from bots.pipeline.structured import (
    ROLE_DATATYPES,
    StructuredSettings,
    Vocabulary,
    caption_languages,
)
from bots.pipeline.values import parse_value
from bots.statements import ITEM_ID, PROPERTY_ID, EntityDraft, ItemValue

#: The datatypes whose values the bot can write.
WRITABLE = frozenset(
    {
        "wikibase-item",
        "string",
        "external-id",
        "url",
        "time",
        "quantity",
        "monolingualtext",
        "commonsMedia",
    }
)

#: Where a problem with the configuration is named.
CONFIGURATION = "configuration"

#: Each problem's message key and the names of its parameters, in order.
MESSAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "no_property": ("hubbot-sdc-check-no-property", ("prop",)),
    "role_property": ("hubbot-sdc-check-role-property", ("prop", "role")),
    "role_datatype": ("hubbot-sdc-check-role-datatype", ("prop", "role", "datatype", "wanted")),
    "table_datatype": ("hubbot-sdc-check-table-datatype", ("prop", "datatype")),
    "datatype": ("hubbot-sdc-check-datatype", ("prop", "datatype")),
    "bad_literal": ("hubbot-sdc-check-bad-literal", ("prop", "value", "reason")),
    "no_item": ("hubbot-sdc-check-no-item", ("item",)),
    "no_config_item": ("hubbot-sdc-check-no-config-item", ("item", "what")),
    "two_captions": ("hubbot-sdc-check-two-captions", ("language",)),
    "language": ("hubbot-sdc-check-language", ("language",)),
}


def _words(key: str, **values: Param) -> Message:
    name, params = MESSAGES[key]
    return msg(name, *(values[p] for p in params))


def used_roles(request: Request, settings: StructuredSettings, *, items: bool = False) -> list[str]:
    """The roles (see ROLE_DATATYPES) whose properties this request's files may get."""
    roles = ["source_of_file"]
    if any(lic.item or lic.status for lic in settings.licences.values()):
        roles += ["copyright_license", "copyright_status"]
    if request.fields.get("source"):
        roles.append("described_at_url")
    structured = request.structured
    if structured.partner_item:
        roles.append("operator")
    if request.fields.get("date"):
        roles.append("inception")
    if structured.collection:
        roles.append("collection")
    if structured.inventory:
        roles.append("inventory_number")
    if items:
        roles.append("digital_representation_of")
    return roles


def _licences_used(request: Request, settings: StructuredSettings) -> list[str]:
    if request.license_column or not request.license:
        return list(settings.licences)
    return [request.license]


def wanted_ids(
    request: Request,
    tables: Mapping[str, MappingTable],
    settings: StructuredSettings,
    *,
    items: bool = False,
) -> tuple[set[str], set[str]]:
    """(property ids, item ids) to ask the Wikibase about before any record is read."""
    props = {settings.prop(role) for role in used_roles(request, settings, items=items)}
    props.update(pid for pid, _ in request.structured.statements)
    wanted = {settings.item("file_available_on_the_internet")}
    for name in _licences_used(request, settings):
        licence = settings.licences.get(name)
        if licence is not None:
            wanted.update(q for q in (licence.item, licence.status) if q)
    structured = request.structured
    wanted.update(q for q in (structured.collection, structured.partner_item) if q)
    wanted.update(w for _, w in structured.statements if ITEM_ID.fullmatch(w))
    for table in tables.values():
        if table.property:
            props.add(table.property)
            wanted.update(
                r.wikidata.strip().upper()
                for r in table.rows
                if ITEM_ID.fullmatch(r.wikidata.strip().upper())
            )
    return {p for p in props if PROPERTY_ID.fullmatch(p)}, {
        q for q in wanted if ITEM_ID.fullmatch(q)
    }


def dynamic_item_ids(
    request: Request,
    records: Iterable[Record],
    tables: Mapping[str, MappingTable],
    datatypes: Mapping[str, str],
) -> set[str]:
    """Q-ids that records give through patterns for item properties (one pass, only when needed)."""
    patterns = [
        w
        for pid, w in request.structured.statements
        if datatypes.get(pid) == "wikibase-item" and placeholders(w)
    ]
    found: set[str] = set()
    if not patterns:
        return found
    for record in records:
        for pattern in patterns:
            text = fill_pattern(pattern, record, tables, request.split, plain=True).strip()
            if ITEM_ID.fullmatch(text):
                found.add(text)
    return found


def request_problems(
    request: Request,
    tables: Mapping[str, MappingTable],
    settings: StructuredSettings,
    vocab: Vocabulary,
    *,
    languages: frozenset[str] | None = None,
    items: bool = False,
) -> list[Problem]:
    """What is wrong with the request's structured data for every record (see the module doc).

    ``languages`` are the caption languages the Wikibase takes (None: not known).
    """
    problems = _role_problems(request, settings, vocab, items)
    problems += _statement_problems(request, settings, vocab)
    problems += _table_problems(tables, vocab)
    for param in ("collection", "partner_item"):
        qid = getattr(request.structured, param)
        if qid and vocab.missing_item(qid):
            problems.append(Problem(param, _words("no_item", item=qid)))
    problems += _caption_problems(request, settings, languages)
    return problems


def _role_problems(
    request: Request, settings: StructuredSettings, vocab: Vocabulary, items: bool
) -> list[Problem]:
    problems: list[Problem] = []
    for role in used_roles(request, settings, items=items):
        prop, wanted = settings.prop(role), ROLE_DATATYPES[role]
        datatype = vocab.datatypes.get(prop, "")
        if not datatype:
            problems.append(Problem(CONFIGURATION, _words("role_property", prop=prop, role=role)))
        elif datatype != wanted:
            problems.append(
                Problem(
                    CONFIGURATION,
                    _words("role_datatype", prop=prop, role=role, datatype=datatype, wanted=wanted),
                )
            )
    # each item named by its configuration key, which an operator can look up
    configured = [
        (
            settings.item("file_available_on_the_internet"),
            "wikibase.items.file_available_on_the_internet",
        )
    ]
    for name in _licences_used(request, settings):
        licence = settings.licences.get(name)
        if licence is not None:
            configured += [
                (licence.item, f"licenses.{name}.item"),
                (licence.status, f"licenses.{name}.status"),
            ]
    for qid, what in configured:
        if qid and vocab.missing_item(qid):
            problems.append(Problem(CONFIGURATION, _words("no_config_item", item=qid, what=what)))
    return problems


def _statement_problems(
    request: Request, settings: StructuredSettings, vocab: Vocabulary
) -> list[Problem]:
    problems: list[Problem] = []
    for pid, written in request.structured.statements:
        datatype = vocab.datatypes.get(pid, "")
        if not datatype:
            problems.append(Problem("statements", _words("no_property", prop=pid)))
        elif datatype not in WRITABLE:
            problems.append(Problem("statements", _words("datatype", prop=pid, datatype=datatype)))
        elif not placeholders(written):
            value = parse_value(datatype, written, settings.language)
            if isinstance(value, Message):
                problems.append(
                    Problem(
                        "statements", _words("bad_literal", prop=pid, value=written, reason=value)
                    )
                )
            elif isinstance(value, ItemValue) and vocab.missing_item(value.id):
                problems.append(Problem("statements", _words("no_item", item=value.id)))
    return problems


def _table_problems(tables: Mapping[str, MappingTable], vocab: Vocabulary) -> list[Problem]:
    problems: list[Problem] = []
    for column, table in tables.items():
        prop = table.property
        if not prop:
            continue
        datatype = vocab.datatypes.get(prop, "")
        where = f"Mappings/{column}"
        if prop not in vocab.checked:
            continue  # not a property id: check_mapping_page says so
        if not datatype:
            problems.append(Problem(where, _words("no_property", prop=prop)))
        elif datatype != "wikibase-item":
            problems.append(Problem(where, _words("table_datatype", prop=prop, datatype=datatype)))
    return problems


def _caption_problems(
    request: Request, settings: StructuredSettings, languages: frozenset[str] | None
) -> list[Problem]:
    problems: list[Problem] = []
    captions = request.structured.captions
    own = captions.get("")
    if own is not None and captions.get(settings.language, own) != own:
        problems.append(
            Problem(
                f"caption_{settings.language}", _words("two_captions", language=settings.language)
            )
        )
    if languages is not None:
        for language in caption_languages(request, settings.language):
            if language not in languages:
                where = (
                    "caption" if language == settings.language and own else f"caption_{language}"
                )
                problems.append(Problem(where, _words("language", language=language)))
    return problems


# --- on or off -----------------------------------------------------------------------

NOTES: dict[str, str] = {
    "off": "hubbot-sdc-mode-off",
    "no_mediainfo": "hubbot-sdc-mode-no-mediainfo",
}


@dataclass(frozen=True)
class StructuredMode:
    """Whether a run writes structured data, and what the status page says when it does not."""

    on: bool
    note: Message | None = None


def decide_mode(setting: str, has_mediainfo: Callable[[], bool]) -> StructuredMode:
    """``wikibase.structured_data``: true, false, or auto (ask the wiki, only then)."""
    wanted = STRUCTURED_DATA_SETTINGS.get(setting.strip().lower())
    if wanted is False:
        return StructuredMode(False, msg(NOTES["off"]))
    if wanted is True or has_mediainfo():
        return StructuredMode(True)
    return StructuredMode(False, msg(NOTES["no_mediainfo"]))


def structured_digest(
    settings: StructuredSettings, vocab: Vocabulary, shown: Iterable[EntityDraft]
) -> str:
    """What the preview id covers of the structured data (SPEC 11).

    The settings and what the Wikibase said decide every file's statements
    (with the request, mapping pages and source, which the id covers anyway),
    and the shown files' captions and statements are hashed as shown. Labels
    are not: a label changed on Wikidata does not make an approval stale.
    """
    digest = hashlib.sha256(b"structured 1\0")
    for part in settings.digest_parts():
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(repr(sorted(vocab.datatypes.items())).encode("utf-8") + b"\0")
    digest.update(repr(sorted(vocab.checked - vocab.items)).encode("utf-8") + b"\0")
    for draft in shown:
        digest.update(json.dumps(draft.to_json(), sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()
