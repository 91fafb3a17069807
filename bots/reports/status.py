"""The status page of a request: the machine-readable line and the report (SPEC 7)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bots.i18n import ENGLISH, Message, PageLanguage, Wikitext
from bots.model import STATES, Problem, SyncReport, UndoReport
from bots.pipeline.escape import escape_value
from bots.reports import shown_problems
from bots.reports.sync import render_sync_section
from bots.templates import render_report


@dataclass(frozen=True)
class RecordLine:
    record_id: str
    title: str = ""
    reason: Message | None = None
    existing_file: str = ""


@dataclass(frozen=True)
class ShownRecord:
    """A record's line as wikitext."""

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
    message: Message | None = None
    problems: Sequence[Problem] = ()
    notes: Sequence[Message] = ()
    failed_records: Sequence[RecordLine] = ()
    duplicate_records: Sequence[RecordLine] = ()
    recent: Sequence[RecordLine] = ()
    reason: str = ""
    limit: int | None = None
    sync: SyncReport | None = None
    undo: UndoReport | None = None
    #: batch edits (SPEC 13): pages changed, pages already as the request sets them
    edited: int = 0
    unchanged: int = 0
    #: edited pages where fields the community changed were kept, with which
    kept: Sequence[RecordLine] = ()
    #: structured data (SPEC 11): whether the files get it, how many have it or wait for it,
    #: and the files the Wikibase refused it for
    structured: bool = False
    sdc_done: int = 0
    sdc_pending: int = 0
    sdc_failed_records: Sequence[RecordLine] = ()


def render_status(report: StatusReport, request_page: str, lang: PageLanguage = ENGLISH) -> str:
    """The status page in ``lang``; its first line is the machine-readable ``{{Batch status}}``."""
    if report.state not in STATES:
        raise ValueError(f"{report.state!r} is not a request state")
    if (report.state == "paused") != (report.reason in PAUSE_REASONS):
        raise ValueError(f"state {report.state} with the reason {report.reason!r}")
    return render_report(
        "status.wikitext.j2",
        lang,
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
        message=lang.text(report.message) if report.message is not None else "",
        problems=shown_problems(report.problems, lang),
        notes=[lang.text(n) for n in report.notes],
        request_link=Wikitext(f"[[{request_page}]]"),
        failed_records=_shown(report.failed_records, lang),
        duplicate_records=[
            ShownRecord(
                lang.value(r.record_id),
                existing_file=_file_link(r.existing_file, lang),
            )
            for r in report.duplicate_records
        ],
        recent=[ShownRecord(escape_value(r.record_id), r.title) for r in report.recent],
        sync=render_sync_section(report.sync, lang) if report.sync is not None else "",
        edited=report.edited,
        unchanged=report.unchanged,
        undo=_undo(report.undo, lang),
        kept=_shown(report.kept, lang),
        structured=report.structured or bool(report.sdc_pending or report.sdc_failed_records),
        sdc_done=report.sdc_done,
        sdc_pending=report.sdc_pending,
        sdc_failed_records=_shown(report.sdc_failed_records, lang),
    )


def _shown(records: Sequence[RecordLine], lang: PageLanguage) -> list[ShownRecord]:
    """Records with a file and why, as the status page's tables show them."""
    return [
        ShownRecord(
            lang.value(r.record_id),
            _file_link(r.title, lang),
            lang.text(r.reason) if r.reason is not None else "",
        )
        for r in records
    ]


def _undo(report: UndoReport | None, lang: PageLanguage) -> dict[str, object] | None:
    if report is None:
        return None
    return {
        "preview": report.preview,
        "reverted": [_file_link(t, lang) for t in report.reverted],
        "deleted": [_file_link(t, lang) for t in report.deleted],
        "listed": [_file_link(t, lang) for t in report.listed],
        "statements": report.statements,
        "item_count": len(report.items),
        "data_files": len(report.data_files),
        "data_statements": report.data_statements,
        "data_captions": report.data_captions,
        "left": [(_file_link(t, lang), lang.text(w)) for t, w in report.left],
    }


def _file_link(title: str, lang: PageLanguage) -> str:
    """A link to a file, isolated so that its title keeps its own direction."""
    return lang.value(Wikitext(f"[[:{title}]]")) if title else ""


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
