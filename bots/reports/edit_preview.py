"""The preview of a batch edit (SPEC 13): the change to each of the first files, as a diff."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bots.i18n import ENGLISH, PageLanguage
from bots.model import Problem
from bots.pipeline.escape import escape_value
from bots.reports import shown_problems
from bots.reports.preview import TableSummary
from bots.templates import render_report


@dataclass(frozen=True)
class ShownChange:
    """One file's change on the preview: its title and the diff as (kind, line) pairs."""

    title: str
    lines: tuple[tuple[str, str], ...]


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
    problem_limit: int = 200,
    lang: PageLanguage = ENGLISH,
) -> str:
    """The preview of a batch edit in ``lang``; the diffs in the wiki's direction."""
    return render_report(
        "edit_preview.wikitext.j2",
        lang,
        id=id,
        request=escape_value(request),
        records=records,
        changes=changes,
        unchanged=unchanged,
        template=template,
        tables=tables,
        problems=shown_problems(problems, lang),
        problem_limit=problem_limit,
        shown=[
            {
                "title": f"[[:{c.title}]]",
                "lines": [(kind, _line(line)) for kind, line in c.lines],
            }
            for c in shown
        ],
    )
