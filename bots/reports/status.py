"""The status page of a request: the machine-readable line and the report (SPEC 7)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bots.model import STATES, Problem, SyncReport
from bots.pipeline.escape import escape_value
from bots.reports import escaped
from bots.reports.sync import render_sync_section
from bots.templates import render_report


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
    reason: str = ""
    limit: int | None = None
    sync: SyncReport | None = None
    #: structured data (SPEC 11): whether the files get it, how many have it or wait for it,
    #: and the files the Wikibase refused it for
    structured: bool = False
    sdc_done: int = 0
    sdc_pending: int = 0
    sdc_failed_records: Sequence[RecordLine] = ()


def render_status(report: StatusReport, request_page: str) -> str:
    """The status page; its first line is the machine-readable ``{{Batch status}}``."""
    if report.state not in STATES:
        raise ValueError(f"{report.state!r} is not a request state")
    if (report.state == "paused") != (report.reason in PAUSE_REASONS):
        raise ValueError(f"state {report.state} with the reason {report.reason!r}")
    text = render_report(
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
        problems=escaped(report.problems),
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
        structured=report.structured or bool(report.sdc_pending or report.sdc_failed_records),
        sdc_done=report.sdc_done,
        sdc_pending=report.sdc_pending,
        sdc_failed_records=[
            RecordLine(escape_value(r.record_id), _file_link(r.title), escape_value(r.reason))
            for r in report.sdc_failed_records
        ],
    )
    if report.sync is not None:
        text = text.rstrip() + "\n\n" + render_sync_section(report.sync)
    return text


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
