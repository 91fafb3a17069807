"""The preview page that reviewers approve (SPEC 5)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bots.i18n import ENGLISH, Message, PageLanguage, Wikitext
from bots.model import MediaCheck, PlannedFile, Problem
from bots.pipeline.escape import escape_value
from bots.reports import shown_problems
from bots.reports.structured import StructuredShown, structured_block
from bots.templates import render_report


@dataclass(frozen=True)
class TableSummary:
    column: str
    page: str
    values: int
    unmapped: int

    @property
    def link(self) -> Wikitext:
        return Wikitext(f"[[{self.page}|{escape_value(self.column)}]]")


def _source_block(text: str) -> str:
    """Wikitext shown verbatim inside <pre>: only & and < need escaping there."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _inline_copy(planned: PlannedFile) -> str:
    """The file page as it will look, without categorising the preview page."""
    text = re.sub(r"\[\[\s*[Cc]ategory\s*:", "[[:Category:", planned.page_text)
    return text.replace("=={{int:filedesc}}==", "").replace("=={{int:license-header}}==", "")


def render_preview(  # noqa: PLR0913 (keyword-only: each is one part of the page)
    *,
    id: str,
    request: str,
    records: int,
    files: int,
    license: str | Message,
    template: str,
    tables: Sequence[TableSummary],
    problems: Sequence[Problem],
    shown: Sequence[PlannedFile],
    media: Sequence[MediaCheck] = (),
    problem_limit: int = 200,
    advice: Sequence[Message] = (),
    structured: StructuredShown | None = None,
    items: str = "",
    lang: PageLanguage = ENGLISH,
) -> str:
    """The preview page in ``lang``; ``media`` says, for each shown file, its title and SHA-1;
    ``advice``, what the file pages will lack.

    The file pages themselves are shown in the wiki's content language and
    direction (``lang.content``), as they will be on the wiki. ``structured``
    gives the summary's line on structured data (SPEC 11): what the files get,
    or why they get none; and labels for the properties and items shown under
    each file. ``items`` is the rendered items section
    (:func:`bots.reports.items.render_items_preview`).
    """
    structured = structured or StructuredShown()
    line = structured.line
    checks = {m.record_id: m for m in media}
    return render_report(
        "preview.wikitext.j2",
        lang,
        id=id,
        request=escape_value(request),
        records=records,
        files=files,
        license=license,
        template=template,
        tables=tables,
        problems=shown_problems(problems, lang),
        problem_limit=problem_limit,
        advice=[lang.text(a) for a in advice],
        shown=[_shown_file(f, checks.get(f.record_id), structured.labels, lang) for f in shown],
        structured=lang.text(line) if isinstance(line, Message) else escape_value(line),
        items=items,
    )


def _shown_file(
    planned: PlannedFile, media: MediaCheck | None, labels: Mapping[str, str], lang: PageLanguage
) -> dict[str, object]:
    data = planned.structured
    title = media.title if media is not None else planned.full_title()
    problem = media.problem if media is not None else None
    return {
        "structured": structured_block(data, labels, lang) if data is not None else "",
        "title": lang.value(Wikitext(f"[[:File:{title}]]")),
        "sha1": Wikitext(f"<code>{media.sha1}</code>") if media is not None and media.sha1 else "",
        "problem": problem if problem is not None else "",
        "rendered": _inline_copy(planned),
        "source": _source_block(planned.page_text),
        "lang": lang.content,
        "dir": lang.content_dir,
    }
