"""The preview page that reviewers approve (SPEC 5)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bots.model import MediaCheck, PlannedFile, Problem
from bots.pipeline.escape import escape_value
from bots.reports import escaped
from bots.reports.structured import WORDS, StructuredShown, structured_block
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


#: How many problems the preview lists (the rest are counted).
PROBLEM_LIMIT = 200


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
    structured: StructuredShown | None = None,
    items: str = "",
) -> str:
    """The preview page; ``media`` says, for each shown file, its real title and SHA-1.

    ``structured`` gives the summary's line on structured data (SPEC 11): what
    the files get, or why they get none; and labels for the properties and
    items shown under each file. ``items`` is the rendered items section
    (:func:`bots.reports.items.render_items_preview`).
    """
    checks = {m.record_id: m for m in media}
    structured = structured or StructuredShown()
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
        problem_limit=PROBLEM_LIMIT,
        shown=[_shown_file(f, checks.get(f.record_id), structured.labels) for f in shown],
        structured_label=WORDS["summary"],
        structured=escape_value(structured.line),
        items=items,
    )


def _shown_file(
    planned: PlannedFile, media: MediaCheck | None, labels: Mapping[str, str]
) -> dict[str, str]:
    title = media.title if media is not None else planned.full_title()
    data = planned.structured
    return {
        "structured": structured_block(data, labels) if data is not None else "",
        "title": f"[[:File:{title}]]",
        "sha1": media.sha1 if media is not None else "",
        "problem": escape_value(media.problem) if media is not None else "",
        "rendered": _inline_copy(planned),
        "source": _source_block(planned.page_text),
    }
