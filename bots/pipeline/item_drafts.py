"""One record's Wikidata item, as the bot would create it (SPEC 12). Pure.

The request's ``item_label`` and ``item_description`` patterns give the
label and description (in the request's language, from the record's values
as they are: an item's label is plain text, not wikitext). Each
``item_statements`` entry gives statements: ``@column`` one statement per Q-id
the column's mapping table gives the record's values (a value without a Q-id
gives none: never a guess), anything else one value converted by the
property's datatype. Every statement carries one reference: reference URL
(P854) = the record's ``source_url``, retrieved (P813) = the day the source
was read; the identifier of ``item_match`` is qualified by the ``collection``.

A draft the community would refuse (no label, no description, no instance of,
a statement without a reference) carries its problems instead of being sent
(:attr:`ItemDraft.problems`); the preview lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from bots.i18n import Message, Param, msg
from bots.model import ItemSpec, ItemStatementSpec, MappingTable, Record
from bots.pipeline.patterns import cell, fill_pattern, lookup, mapped_parts
from bots.pipeline.values import parse_value
from bots.statements import (
    DAY,
    ITEM_ID,
    EntityDraft,
    ItemValue,
    Snak,
    Statement,
    TimeValue,
    Value,
)

#: Wikibase's longest label or description.
MAX_TERM = 250

# --- the sentences a partner reads (one place) ----------------------------------------
#: Each problem's message key.
SAY = {
    "no_label": "hubbot-items-draft-no-label",
    "no_description": "hubbot-items-draft-no-description",
    "long_label": "hubbot-items-draft-long-label",
    "long_description": "hubbot-items-draft-long-description",
    "same": "hubbot-items-draft-same",
    "no_instance": "hubbot-items-draft-no-instance",
    "no_reference": "hubbot-items-draft-no-reference",
    "empty_url": "hubbot-items-draft-empty-url",
    "value": "hubbot-items-draft-value",
    "repeated": "hubbot-items-draft-repeated",
}


def say(key: str, *params: Param) -> Message:
    """The message of :data:`SAY` named ``key``, with its parameters."""
    return msg(SAY[key], *params)


@dataclass(frozen=True)
class ItemRoles:
    """The properties items need, by role (``wikibase.properties`` may rename them)."""

    instance_of: str = "P31"
    collection: str = "P195"
    reference_url: str = "P854"
    retrieved: str = "P813"


@dataclass(frozen=True)
class ItemContext:
    """What every record's item shares: the request's parameters and the Wikibase's facts."""

    spec: ItemSpec
    source_url: str  # the request's source_url pattern
    #: the datatype of every property the statements use, as the Wikibase has them
    datatypes: Mapping[str, str]
    retrieved: date  # the day the source was read
    language: str = "en"
    collection: str = ""
    split: str = ";"
    roles: ItemRoles = field(default_factory=ItemRoles)


@dataclass(frozen=True)
class ItemDraft:
    """A record's item: the entity to send, and why it cannot be sent if it cannot."""

    record_id: str
    label: str
    description: str
    entity: EntityDraft
    #: the value of the ``item_match`` property, if the record has one
    identifier: Value | None = None
    problems: tuple[Message, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def retrieved_value(day: date) -> TimeValue:
    return TimeValue(f"+{day:%Y-%m-%d}T00:00:00Z", DAY)


def build_item(
    record_id: str,
    record: Record,
    tables: Mapping[str, MappingTable],
    ctx: ItemContext,
) -> ItemDraft:
    """The item of one record, with its problems (pure)."""
    language, spec = ctx.language, ctx.spec
    label = fill_pattern(spec.label, record, {}, ctx.split, plain=True).strip()
    description = fill_pattern(spec.description, record, {}, ctx.split, plain=True).strip()
    problems: list[Message] = []
    references, reason = _references(record, ctx)
    statements: list[Statement] = []
    identifier: Value | None = None
    for wanted in spec.statements:
        values, value_problems = _values(wanted, record, tables, ctx)
        problems += value_problems
        for value in values:
            snak = Snak(wanted.property, value, ctx.datatypes.get(wanted.property, ""))
            qualifiers: tuple[Snak, ...] = ()
            if wanted.property == spec.match:
                identifier = identifier or value
                if ctx.collection:
                    qualifiers = (_item_snak(ctx.roles.collection, ctx.collection),)
            statement = Statement(snak, qualifiers, references)
            if statement.key() not in {s.key() for s in statements}:
                statements.append(statement)
    entity = EntityDraft(
        labels={language: label} if label else {},
        descriptions={language: description} if description else {},
        statements=tuple(statements),
    )
    problems = _term_problems(label, description) + problems
    if ctx.roles.instance_of not in {s.property for s in statements}:
        problems.append(say("no_instance", ctx.roles.instance_of))
    if statements and not references:
        problems.append(say("no_reference", reason))
    return ItemDraft(record_id, label, description, entity, identifier, tuple(problems))


def _term_problems(label: str, description: str) -> list[Message]:
    problems: list[Message] = []
    if not label:
        problems.append(say("no_label"))
    if not description:
        problems.append(say("no_description"))
    for what, text in (("long_label", label), ("long_description", description)):
        if len(text) > MAX_TERM:
            problems.append(say(what, MAX_TERM))
    if label and label == description:
        problems.append(say("same"))
    return problems


def _item_snak(prop: str, qid: str) -> Snak:
    return Snak(prop, ItemValue(qid), "wikibase-item")


def _references(record: Record, ctx: ItemContext) -> tuple[tuple[tuple[Snak, ...], ...], Param]:
    """The one reference every statement of this record's item carries, or why there is none."""
    text = fill_pattern(ctx.source_url, record, {}, ctx.split, plain=True).strip()
    if not text:
        return (), say("empty_url")
    url = parse_value("url", text, ctx.language)
    if isinstance(url, Message):
        return (), url
    roles = ctx.roles
    return (
        (
            Snak(roles.reference_url, url, "url"),
            Snak(roles.retrieved, retrieved_value(ctx.retrieved), "time"),
        ),
    ), ""


def _values(
    wanted: ItemStatementSpec,
    record: Record,
    tables: Mapping[str, MappingTable],
    ctx: ItemContext,
) -> tuple[list[Value], list[Message]]:
    """The values one ``Pnnn=VALUE`` gives this record (none when its cell is empty)."""
    prop = wanted.property
    if wanted.column is not None:
        table = tables.get(wanted.column)
        rows = lookup(table) if table is not None else {}
        found: list[Value] = []
        for part in mapped_parts(cell(record, wanted.column), ctx.split):
            row = rows.get(part)
            qid = row.wikidata.strip() if row is not None else ""
            if ITEM_ID.fullmatch(qid) and ItemValue(qid) not in found:
                found.append(ItemValue(qid))
        return found, []
    text = fill_pattern(wanted.value, record, {}, ctx.split, plain=True).strip()
    if not text:
        return [], []
    value = parse_value(ctx.datatypes.get(prop, ""), text, ctx.language)
    if isinstance(value, Message):
        return [], [say("value", prop, value)]
    return [value], []


def repeated_terms(drafts: Sequence[ItemDraft]) -> list[ItemDraft]:
    """The drafts, those repeating an earlier record's label and description refused.

    Two records with one label and description cannot both get an item
    (Wikibase refuses the second), and one item for both would be wrong.
    """
    seen: dict[tuple[str, str], str] = {}
    out: list[ItemDraft] = []
    for draft in drafts:
        key = (draft.label, draft.description)
        first = seen.setdefault(key, draft.record_id) if all(key) else draft.record_id
        if first != draft.record_id:
            problem = say("repeated", first)
            draft = replace(draft, problems=(*draft.problems, problem))
        out.append(draft)
    return out
