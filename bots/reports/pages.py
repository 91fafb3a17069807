"""The bot's own pages: Preview, Status and the Dashboard (SPEC 2, 5, 7).

Pure functions from facts to wikitext, through the Jinja2 templates in
``wiki_templates/reports``. Anything that came from a partner, a request page
or the wiki (messages quoting values, titles, reasons) is escaped here, so a
report can never be turned into markup by the data it reports on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import jinja2

from bots import WIKI_TEMPLATES_DIR
from bots.model import PlannedFile, Problem
from bots.pipeline.escape import escape_value

if TYPE_CHECKING:
    from bots.jobs.upload import MediaCheck

REPORTS_DIR = WIKI_TEMPLATES_DIR / "reports"

STATES = ("invalid", "awaiting-approval", "uploading", "paused", "stopped", "done")

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(REPORTS_DIR),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,
    # wikitext is full of {{ }}: the same delimiters as the file page templates
    variable_start_string="<<",
    variable_end_string=">>",
    block_start_string="<%",
    block_end_string="%>",
    comment_start_string="<#",
    comment_end_string="#>",
)


def render_report(template: str, /, **context: object) -> str:
    """One of the bot's pages from ``wiki_templates/reports/NAME``, blank runs folded."""
    text = _env.get_template(template).render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


_render = render_report


def _escaped(problems: Iterable[Problem]) -> list[Problem]:
    return [Problem(escape_value(p.where), escape_value(p.message)) for p in problems]


# --- preview ---------------------------------------------------------------


def preview_id(
    raw_params: Mapping[str, str],
    mapping_pages: Mapping[str, str],
    source_digest: str,
    templates_digest: str,
    licenses: Mapping[str, str],
    *,
    name: str = "",
    media: Mapping[str, str] | None = None,
) -> str:
    """A short hash over everything that decides the upload (SPEC 5).

    ``name`` is the request's page name: a moved request needs a new approval,
    because every file page and the tracking category carry the name. ``media``
    holds the SHA-1 of each media file the preview shows, by record id (or
    ``unreadable``): other bytes served later make the approval stale.
    ``approve``, ``pause``, ``limit`` and ``sync`` steer the run but do not
    change what a file looks like, so they are left out.
    """
    decisive = {
        k: v
        for k, v in raw_params.items()
        if v.strip() and k not in ("approve", "pause", "limit", "sync")
    }
    payload = json.dumps(
        {
            "name": name,
            "request": sorted(decisive.items()),
            "mappings": sorted(mapping_pages.items()),
            "source": source_digest,
            "templates": templates_digest,
            "licenses": sorted(licenses.items()),
            "media": sorted((media or {}).items()),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:10]


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
) -> str:
    """The preview page; ``media`` says, for each shown file, its real title and SHA-1."""
    checks = {m.record_id: m for m in media}
    return _render(
        "preview.wikitext.j2",
        id=id,
        request=escape_value(request),
        records=records,
        files=files,
        license=escape_value(license),
        template=template,
        tables=tables,
        problems=_escaped(problems),
        problem_limit=problem_limit,
        shown=[_shown_file(f, checks.get(f.record_id)) for f in shown],
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


def preview_id_on_page(text: str) -> str | None:
    match = re.search(r"\{\{\s*Batch preview\s*\|\s*id\s*=\s*([0-9a-f]+)", text)
    return match.group(1) if match else None


# --- status ----------------------------------------------------------------


@dataclass(frozen=True)
class RecordLine:
    record_id: str
    title: str = ""
    reason: str = ""
    existing_file: str = ""


#: Why a ``paused`` request is paused, as the status line's ``reason`` says it.
PAUSE_REASONS = ("pause", "limit")


@dataclass(frozen=True)
class StatusReport:
    """What a status page says (SPEC 7).

    ``reason`` is set only for ``paused``: ``pause`` (the request says
    ``|pause=yes``) or ``limit`` (its trial limit is reached, ``limit`` being
    that limit), so that the status box can say which and what to do.
    """

    state: str
    total: int = 0
    uploaded: int = 0
    duplicates: int = 0
    failed: int = 0
    pending: int = 0
    preview: str = ""
    updated: str = ""
    message: str = ""
    problems: Sequence[Problem] = ()
    notes: Sequence[str] = ()
    failed_records: Sequence[RecordLine] = ()
    duplicate_records: Sequence[RecordLine] = ()
    recent: Sequence[RecordLine] = ()
    extra: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""
    limit: int | None = None


def render_status(report: StatusReport, request_page: str) -> str:
    assert report.state in STATES, report.state
    assert (report.state == "paused") == (report.reason in PAUSE_REASONS), report.reason
    return _render(
        "status.wikitext.j2",
        state=report.state,
        reason=report.reason,
        limit=report.limit if report.reason == "limit" else None,
        total=report.total,
        uploaded=report.uploaded,
        duplicates=report.duplicates,
        failed=report.failed,
        pending=report.pending,
        preview=report.preview,
        updated=report.updated,
        message=escape_value(report.message),
        problems=_escaped(report.problems),
        notes=[escape_value(n) for n in report.notes],
        request_page=request_page,
        failed_records=[
            RecordLine(escape_value(r.record_id), _file_link(r.title), escape_value(r.reason))
            for r in report.failed_records
        ],
        duplicate_records=[
            RecordLine(escape_value(r.record_id), existing_file=r.existing_file)
            for r in report.duplicate_records
        ],
        recent=[RecordLine(escape_value(r.record_id), r.title) for r in report.recent],
    )


def _file_link(title: str) -> str:
    return f"[[:{title}]]" if title else ""


_STATUS_LINE = re.compile(r"\{\{\s*Batch status\s*\|([^}]*)\}\}")


def parse_status_line(text: str) -> dict[str, str]:
    """The machine-readable first line of a status page, as a dict."""
    match = _STATUS_LINE.search(text.split("\n", 1)[0])
    if not match:
        return {}
    out: dict[str, str] = {}
    for part in match.group(1).split("|"):
        key, _, value = part.partition("=")
        out[key.strip()] = value.strip()
    return out


# --- dashboard ---------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    name: str
    page: str
    partner: str
    state: str
    done: int
    total: int
    updated: str


def render_dashboard(rows: Sequence[DashboardRow], *, stopped: str = "", updated: str = "") -> str:
    return _render(
        "dashboard.wikitext.j2",
        rows=[
            DashboardRow(
                escape_value(r.name),
                r.page,
                escape_value(r.partner),
                r.state,
                r.done,
                r.total,
                r.updated,
            )
            for r in sorted(rows, key=lambda r: r.name.casefold())
        ],
        stopped=escape_value(stopped),
        updated=updated,
    )


def dashboard_rows(text: str) -> list[DashboardRow]:
    """Read back the rows of a dashboard (used when one request is refreshed)."""
    rows = []
    for line in text.splitlines():
        m = re.match(
            r"\|\s*\[\[(?P<page>[^|\]]+)\|(?P<name>[^\]]*)\]\]\s*\|\|(?P<partner>.*?)\|\|"
            r"(?P<state>.*?)\|\|\s*(?P<done>\d+)\s*/\s*(?P<total>\d+)\s*\|\|(?P<updated>.*)$",
            line,
        )
        if m:
            rows.append(
                DashboardRow(
                    name=_unescape(m["name"].strip()),
                    page=m["page"].strip(),
                    partner=_unescape(m["partner"].strip()),
                    state=m["state"].strip(),
                    done=int(m["done"]),
                    total=int(m["total"]),
                    updated=m["updated"].strip(),
                )
            )
    return rows


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)
