"""The preview page that reviewers approve (SPEC 5)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bots.model import MediaCheck, PlannedFile, Problem
from bots.pipeline.escape import escape_value
from bots.reports import escaped
from bots.templates import render_report


@dataclass(frozen=True)
class TableSummary:
    column: str
    page: str
    values: int
    unmapped: int


def _source_block(text: str) -> str:
    """Wikitext shown verbatim inside <pre>: only & and < need escaping there."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _inline_copy(planned: PlannedFile) -> str:
    """The file page as it will look, without categorising the preview page."""
    text = re.sub(r"\[\[\s*[Cc]ategory\s*:", "[[:Category:", planned.page_text)
    return text.replace("=={{int:filedesc}}==", "").replace("=={{int:license-header}}==", "")


def render_preview(
    *,
    id: str,
    request: str,
    records: int,
    files: int,
    license: str,
    template: str,
    tables: Sequence[TableSummary],
    problems: Sequence[Problem],
    shown: Sequence[PlannedFile],
    media: Sequence[MediaCheck] = (),
    problem_limit: int = 200,
    items: str = "",
) -> str:
    """The preview page; ``media`` says, for each shown file, its real title and SHA-1.

    ``items`` is the rendered items section (:func:`bots.reports.items.render_items_preview`).
    """
    checks = {m.record_id: m for m in media}
    return render_report(
        "preview.wikitext.j2",
        id=id,
        request=escape_value(request),
        records=records,
        files=files,
        license=escape_value(license),
        template=template,
        tables=tables,
        problems=escaped(problems),
        problem_limit=problem_limit,
        shown=[_shown_file(f, checks.get(f.record_id)) for f in shown],
        items=items,
    )


def _shown_file(planned: PlannedFile, media: MediaCheck | None) -> dict[str, str]:
    title = media.title if media is not None else planned.full_title()
    return {
        "title": f"[[:File:{title}]]",
        "sha1": media.sha1 if media is not None else "",
        "problem": escape_value(media.problem) if media is not None else "",
        "rendered": _inline_copy(planned),
        "source": _source_block(planned.page_text),
    }
