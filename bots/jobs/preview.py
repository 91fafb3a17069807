"""Publishing a request's preview (SPEC 5): plan every record, show the first files.

Every record is rendered (streaming: a large batch is never held in memory),
the first ``hub.preview_files`` files are shown as they will be uploaded,
with the SHA-1 of their media, and the preview id covers everything that
decides what is uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from bots.i18n import Message, msg
from bots.jobs.context import Job
from bots.jobs.mappings import Mappings
from bots.jobs.pages import BotPages
from bots.jobs.preview_media import check_shown
from bots.model import MediaCheck, PlannedFile, Problem, Request
from bots.net.deadline import Deadline
from bots.pipeline.advice import file_page_advice
from bots.pipeline.plan import BatchChecks, Skipped, plan
from bots.pipeline.preview import preview_id
from bots.pipeline.render import templates_digest
from bots.pipeline.titles import STOCK_RULES, TitleRules
from bots.reports.preview import TableSummary, render_preview
from bots.sources import SourceData

#: How many record problems the status page lists (the preview lists them all).
NOTES_LIMIT = 50


class PreviewNotDone(Exception):
    """The run ended before the preview was complete; the next run makes it."""

    def __init__(self, reason: Message) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Preview:
    """A published preview: its id, what it counted, and the media files it showed."""

    id: str
    records: int
    files: int
    problems: tuple[Problem, ...]
    #: what the status page notes: title clashes, mapping mistakes, record problems
    notes: tuple[Message, ...]
    media: tuple[MediaCheck, ...]
    #: the wiki's capitalisation the titles were planned with (the upload plans with it too)
    rules: TitleRules = STOCK_RULES

    def approved_media(self, record_id: str) -> MediaCheck | None:
        """The media check the preview showed for a record, if it showed it."""
        return next((m for m in self.media if m.record_id == record_id), None)


def publish_preview(
    job: Job, name: str, request: Request, source: SourceData, mappings: Mappings
) -> Preview:
    """Plan every record, inspect the shown media, save the preview page."""
    checks = BatchChecks()
    records = files = 0
    problems: list[Problem] = list(source.problems)
    shown: list[PlannedFile] = []
    rules = job.title_rules(
        request, source.records(), mappings.tables, title_letters=mappings.title_letters
    )
    for item in plan(
        request,
        source.records(),
        mappings.tables,
        job.config.license_templates,
        checks,
        rules=rules,
    ):
        records += 1
        if isinstance(item, Skipped):
            problems.extend(item.problems)
            continue
        files += 1
        if len(shown) < job.config.hub.preview_files:
            shown.append(item)
    # the shown files share half of the request's part of the run's time budget (the
    # other half is for its uploads), so a partner server that does not answer costs
    # part of this request's share, never the whole run
    share = job.gate.source_seconds()
    deadline = Deadline(share / 2, job.gate.clock) if share is not None else None
    media = check_shown(job, name, shown, deadline, approve=request.approve)
    ended = job.gate.out_of_budget()
    if ended is not None:
        # a file the run's end cut short is not the partner's doing: no preview from it
        # (a server that stays silent through the request's share is: it shows as unread)
        raise PreviewNotDone(msg("hubbot-preview-run-ended", ended))
    pid = preview_id(
        request.raw,
        mappings.texts,
        source.digest,
        templates_digest(),
        job.config.license_templates,
        name=name,
        media={m.record_id: m.binding for m in media},
    )
    text = render_preview(
        id=pid,
        request=name,
        records=records,
        files=files,
        license=request.license
        or msg("hubbot-preview-license-column", request.license_column or ""),
        template=request.template,
        tables=table_summaries(job, name, mappings),
        problems=problems,
        shown=shown,
        media=media,
        advice=file_page_advice(request),
        lang=job.page_language(name),
    )
    BotPages(job.wiki, job.store, job.hub, job.progress).save_if_changed(
        job.hub.preview(name), text, f"preview {pid}"
    )
    return Preview(
        pid,
        records,
        files,
        tuple(problems),
        _notes(checks, mappings, problems),
        tuple(media),
        rules,
    )


def table_summaries(job: Job, name: str, mappings: Mappings) -> list[TableSummary]:
    """Each mapping table as the preview's summary names it: its page and what is unmapped."""
    return [
        TableSummary(
            column=c,
            page=job.hub.mapping(name, c),
            values=len(t.rows),
            unmapped=sum(1 for r in t.rows if r.count > 0 and not r.filled),
        )
        for c, t in mappings.tables.items()
    ]


def _notes(checks: BatchChecks, mappings: Mappings, problems: list[Problem]) -> tuple[Message, ...]:
    notes = [p.as_note() for p in (*checks.notes, *mappings.notes)]
    # records that will not be uploaded are named on the status page too
    notes += [p.as_note() for p in problems[:NOTES_LIMIT]]
    if len(problems) > NOTES_LIMIT:
        notes.append(msg("hubbot-status-more-problems", len(problems) - NOTES_LIMIT))
    return tuple(notes)
