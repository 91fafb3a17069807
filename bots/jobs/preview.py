"""Publishing a request's preview (SPEC 5): plan every record, show the first files.

Every record is rendered (streaming: a large batch is never held in memory),
the first ``hub.preview_files`` files are shown as they will be uploaded,
with the SHA-1 of their media, and the preview id covers everything that
decides what is uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bots.i18n import Message, msg
from bots.jobs.context import Job
from bots.jobs.item_match import plan_items, roles
from bots.jobs.item_pages import items_preview
from bots.jobs.mappings import Mappings
from bots.jobs.pages import BotPages
from bots.jobs.preview_media import check_shown
from bots.jobs.structured import StructuredRun
from bots.model import MediaCheck, PlannedFile, Problem, Request
from bots.net.deadline import Deadline
from bots.pipeline.advice import file_page_advice
from bots.pipeline.item_plan import ItemPlan
from bots.pipeline.plan import BatchChecks, Skipped
from bots.pipeline.preview import preview_id
from bots.pipeline.render import templates_digest
from bots.pipeline.structured_checks import StructuredMode
from bots.pipeline.structured_plan import plan_structured
from bots.pipeline.suggestions import without_suggestions
from bots.pipeline.titles import STOCK_RULES, TitleRules
from bots.reports.preview import TableSummary, render_preview
from bots.reports.structured import StructuredShown
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
    #: the files' structured data in this run (SPEC 11): on or off, and what it is made from
    structured: StructuredRun = field(default_factory=lambda: StructuredRun(StructuredMode(False)))
    #: what becomes of each record's item, when the request asks for items (SPEC 12)
    items: ItemPlan | None = None

    def approved_media(self, record_id: str) -> MediaCheck | None:
        """The media check the preview showed for a record, if it showed it."""
        return next((m for m in self.media if m.record_id == record_id), None)


def publish_preview(
    job: Job,
    name: str,
    request: Request,
    source: SourceData,
    mappings: Mappings,
    structured: StructuredRun | None = None,
) -> Preview:
    """Plan every record, inspect the shown media, save the preview page.

    ``structured``: the files' structured data (SPEC 11), none when not given.
    """
    structured = structured or StructuredRun(StructuredMode(False))
    counted = _plan_all(job, request, source, mappings, structured)
    shown = counted.shown
    media = _inspect_shown(job, name, request, shown)
    items = (
        plan_items(job, name, request, source, mappings.tables, counted.planned)
        if request.items is not None
        else None
    )
    pid = preview_id(
        request.raw,
        {c: without_suggestions(t) for c, t in mappings.texts.items()},
        source.digest,
        templates_digest(),
        job.config.license_templates,
        name=name,
        media={m.record_id: m.binding for m in media},
        structured=structured.digest(f.structured for f in shown if f.structured is not None),
        items=items.digest(roles(job).retrieved) if items is not None else "",
    )
    text = render_preview(
        id=pid,
        request=name,
        records=counted.records,
        files=counted.files,
        license=request.license
        or msg("hubbot-preview-license-column", request.license_column or ""),
        template=request.template,
        tables=table_summaries(job, name, mappings),
        problems=counted.problems,
        shown=shown,
        media=media,
        advice=file_page_advice(request),
        structured=StructuredShown(
            msg("hubbot-sdc-on") if structured.on else structured.mode.note or "",
            structured.labels,
        ),
        items=items_preview(job, request, items, job.page_language(name))
        if items is not None
        else "",
        lang=job.page_language(name),
    )
    BotPages(job.wiki, job.store, job.hub, job.progress).save_if_changed(
        job.hub.preview(name), text, f"preview {pid}"
    )
    job.store.update_request(name, structured=structured.on)
    notes = _notes(counted, mappings, structured.mode.note, items)
    return Preview(
        pid,
        counted.records,
        counted.files,
        tuple(counted.problems),
        notes,
        tuple(media),
        counted.rules,
        structured=structured,
        items=items,
    )


@dataclass
class _Planned:
    """Every record planned: what the preview counts, shows and notes."""

    checks: BatchChecks
    problems: list[Problem]
    rules: TitleRules = STOCK_RULES
    records: int = 0
    files: int = 0
    shown: list[PlannedFile] = field(default_factory=list)
    #: records that will get a file, when the request asks for items
    planned: set[str] = field(default_factory=set)


def _plan_all(
    job: Job, request: Request, source: SourceData, mappings: Mappings, structured: StructuredRun
) -> _Planned:
    out = _Planned(BatchChecks(), list(source.problems))
    out.rules = job.title_rules(
        request, source.records(), mappings.tables, title_letters=mappings.title_letters
    )
    for item in plan_structured(
        request,
        source.records(),
        mappings.tables,
        job.config.license_templates,
        out.checks,
        rules=out.rules,
        structured=structured.plan,
    ):
        out.records += 1
        if isinstance(item, Skipped):
            out.problems.extend(item.problems)
            continue
        out.files += 1
        if request.items is not None:
            out.planned.add(item.record_id)
        if len(out.shown) < job.config.hub.preview_files:
            out.shown.append(item)
    return out


def _inspect_shown(
    job: Job, name: str, request: Request, shown: list[PlannedFile]
) -> list[MediaCheck]:
    """The shown files' media, read within the request's share of the run's time."""
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
    return media


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


def _notes(
    counted: _Planned,
    mappings: Mappings,
    structured: Message | None = None,
    items: ItemPlan | None = None,
) -> tuple[Message, ...]:
    notes = [structured] if structured is not None else []
    notes += [p.as_note() for p in (*counted.checks.notes, *mappings.notes)]
    problems = counted.problems
    if items is not None:
        notes += list(items.notes)
        problems = problems + items.problems()
    # records that will not be uploaded are named on the status page too
    notes += [p.as_note() for p in problems[:NOTES_LIMIT]]
    if len(problems) > NOTES_LIMIT:
        notes.append(msg("hubbot-status-more-problems", len(problems) - NOTES_LIMIT))
    return tuple(notes)
