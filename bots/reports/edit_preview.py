"""The preview of a batch edit (SPEC 13): the change to each of the first files, as a diff."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bots.i18n import ENGLISH, Message, PageLanguage
from bots.model import Problem
from bots.pipeline.escape import escape_value
from bots.reports import shown_problems
from bots.reports.preview import TableSummary
from bots.reports.structured import StructuredShown, structured_block
from bots.statements import EntityDraft
from bots.templates import render_report


@dataclass(frozen=True)
class ShownChange:
    """One file's change on the preview: its title, the diff as (kind, line) pairs, and the
    captions and statements the file gains (None: it gets no structured data)."""

    title: str
    lines: tuple[tuple[str, str], ...]
    adds: EntityDraft | None = None
    #: captions the file has already in someone else's words, which stay (by language)
    kept: Mapping[str, str] = field(default_factory=dict)


def _line(text: str) -> str:
    """A line of wikitext shown as it is written, never as markup."""
    return escape_value(text) if text else "&#160;"


def render_edit_preview(
    *,
    id: str,
    request: str,
    records: int,
    changes: int,
    unchanged: int,
    template: str,
    tables: Sequence[TableSummary],
    problems: Sequence[Problem],
    shown: Sequence[ShownChange],
    structured: StructuredShown | None = None,
    problem_limit: int = 200,
    lang: PageLanguage = ENGLISH,
) -> str:
    """The preview of a batch edit in ``lang``; the diffs in the wiki's direction, and the
    captions and statements each shown file gains, with their labels (SPEC 11)."""
    structured = structured or StructuredShown()
    line = structured.line
    summary = lang.text(line) if isinstance(line, Message) else escape_value(line)
    return render_report(
        "edit_preview.wikitext.j2",
        lang,
        id=id,
        request=escape_value(request),
        records=records,
        changes=changes,
        unchanged=unchanged,
        template=template,
        structured=summary,
        tables=tables,
        problems=shown_problems(problems, lang),
        problem_limit=problem_limit,
        shown=[
            {
                "title": f"[[:{c.title}]]",
                "lines": [(kind, _line(line)) for kind, line in c.lines],
                "structured": _adds(c, structured.labels, lang),
            }
            for c in shown
        ],
    )


def _adds(change: ShownChange, labels: Mapping[str, str], lang: PageLanguage) -> str:
    if change.adds is None or (change.adds.empty and not change.kept):
        return ""
    return structured_block(
        change.adds, labels, lang, heading="hubbot-edit-sdc-heading", kept=change.kept
    )
