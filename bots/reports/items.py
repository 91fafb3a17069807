"""The items part of the preview and of the status page (SPEC 12). Pure.

Item labels, descriptions and values come from a partner's data or from a
Wikibase: they are escaped here. Links to items are made by the caller
(they depend on where the Wikibase is) and are wikitext.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bots.i18n import ENGLISH, Message, PageLanguage, Param, Wikitext, msg
from bots.model import Problem
from bots.reports import shown_problems
from bots.templates import render_report


@dataclass(frozen=True)
class ShownStatement:
    property: str  # "instance of (P31)"
    value: str  # "painting (Q3305213)" or the value as text
    qualifiers: str = ""  # "collection: Tate (Q430682)"


@dataclass(frozen=True)
class ShownItem:
    """One record's item as the preview shows it in full."""

    record_id: str
    action: str  # create, match, ambiguous, refused
    link: str = ""  # wikitext link of the matched item
    label: str = ""
    description: str = ""
    statements: Sequence[ShownStatement] = ()
    #: the reference every statement carries ("https://…, retrieved 2026-11-20")
    reference: Param = ""
    problems: Sequence[Param] = ()


@dataclass(frozen=True)
class ItemsPreview:
    """The counts of the preview's items section and what it shows in full."""

    create: int = 0
    match: int = 0
    ambiguous: int = 0
    refused: int = 0
    alone: int = 0  # items = match and no item found
    created_already: int = 0
    #: wikitext links of matched items (the first ones), with the record id
    matched: Sequence[tuple[str, str]] = ()
    shown: Sequence[ShownItem] = ()
    notes: Sequence[Message] = ()
    creates: bool = True
    #: records that get no item (ambiguous, refused drafts), with why
    problems: Sequence[Problem] = ()


def render_items_preview(
    section: ItemsPreview, problem_limit: int = 200, lang: PageLanguage = ENGLISH
) -> str:
    """The preview's Wikidata items section, every word a message of ``lang``."""
    return render_report(
        "items_preview.wikitext.j2",
        lang,
        s=section,
        problems=shown_problems(section.problems, lang),
        problem_limit=problem_limit,
        matched=[(record, Wikitext(link)) for record, link in section.matched],
        shown=[_shown(item, lang) for item in section.shown],
        notes=[lang.text(n) for n in section.notes],
        nothing=msg("hubbot-items-section-none"),
    )


@dataclass(frozen=True)
class _Shown:
    """One item as the template shows it: message parameters and escaped table cells."""

    record_id: str
    action: Message
    link: str
    label: str
    description: str
    statements: Sequence[ShownStatement]
    reference: Param
    problems: Sequence[Param]


def _shown(item: ShownItem, lang: PageLanguage) -> _Shown:
    """Values go into messages as they are (the message escapes them); cells are escaped here."""
    return _Shown(
        record_id=item.record_id,
        action=msg(f"hubbot-items-section-action-{item.action}"),
        link=item.link,
        label=item.label,
        description=item.description,
        statements=[
            ShownStatement(lang.value(s.property), lang.value(s.value), lang.value(s.qualifiers))
            for s in item.statements
        ],
        reference=item.reference,
        problems=list(item.problems),
    )


@dataclass(frozen=True)
class ItemLine:
    record_id: str
    link: str  # wikitext link of the item
    how: str  # created, matched, failed (an ItemState)
    reason: Message | None = None


@dataclass(frozen=True)
class ItemsStatus:
    """The status page's items section: counts and the items the bot made or linked."""

    created: int = 0
    matched: int = 0
    failed: int = 0
    in_flight: int = 0
    lines: Sequence[ItemLine] = field(default_factory=tuple)
    notes: Sequence[Message] = ()


def render_items_status(section: ItemsStatus, lang: PageLanguage = ENGLISH) -> str:
    """The status page's Wikidata items section, every word a message of ``lang``."""
    lines = [
        ItemLine(lang.value(line.record_id), line.link, _how(line, lang)) for line in section.lines
    ]
    return render_report(
        "items_status.wikitext.j2",
        lang,
        s=section,
        lines=lines,
        notes=[lang.text(n) for n in section.notes],
    )


def _how(line: ItemLine, lang: PageLanguage) -> str:
    how = msg(f"hubbot-items-section-how-{line.how.replace('_', '-')}")
    if line.reason is None:
        return lang.text(how)
    return lang.text(msg("hubbot-items-section-how-reason", how, line.reason))
