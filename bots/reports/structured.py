"""Structured data on the bot's pages: a file's captions and statements, with labels (pure).

Labels come from the Wikibase in the request's language (English where it
has none); an entity without a label shows its id. Every value is escaped:
captions and values come from the partner's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bots.i18n import ENGLISH, Message, PageLanguage
from bots.pipeline.escape import escape_value
from bots.statements import EntityDraft, ItemValue, Snak, Value


@dataclass(frozen=True)
class StructuredShown:
    """What the preview says of structured data: its summary line, and labels for the files'."""

    line: str | Message = ""
    labels: Mapping[str, str] = field(default_factory=dict)


def entity_name(entity: str, labels: Mapping[str, str]) -> str:
    """``creator (P170)``, or the id alone when the Wikibase gave no label."""
    label = labels.get(entity, "")
    return f"{escape_value(label)} ({entity})" if label and label != entity else entity


def value_text(value: Value, labels: Mapping[str, str]) -> str:
    if isinstance(value, ItemValue):
        return entity_name(value.id, labels)
    return escape_value(value.shown())


def _snak_text(snak: Snak, labels: Mapping[str, str]) -> str:
    return f"{entity_name(snak.property, labels)}: {value_text(snak.value, labels)}"


def structured_block(
    draft: EntityDraft,
    labels: Mapping[str, str],
    lang: PageLanguage = ENGLISH,
    *,
    heading: str = "hubbot-sdc-heading",
    kept: Mapping[str, str] | None = None,
) -> str:
    """A file's captions as a list and its statements as a table (qualifiers under the value).

    ``kept``: captions the file has already in someone else's words (a batch
    edit leaves them), by language.
    """
    lines = [lang(heading)]
    for language, caption in sorted(draft.labels.items()):
        lines.append(f"* {lang('hubbot-sdc-caption', language)}: {escape_value(caption)}")
    for language, caption in sorted((kept or {}).items()):
        lines.append(f"* {lang('hubbot-edit-sdc-caption-kept', language)}: {escape_value(caption)}")
    if draft.statements:
        lines += [
            '{| class="wikitable"',
            f"! {lang('hubbot-sdc-property')} !! {lang('hubbot-sdc-value')}",
        ]
        for statement in draft.statements:
            qualifiers = "".join(
                f"<br /><small>{_snak_text(q, labels)}</small>" for q in statement.qualifiers
            )
            lines += [
                "|-",
                f"| {entity_name(statement.property, labels)} "
                f"|| {value_text(statement.snak.value, labels)}{qualifiers}",
            ]
        lines.append("|}")
    if draft.empty and not kept:
        lines.append(lang("hubbot-sdc-none"))
    return "\n".join(lines)
