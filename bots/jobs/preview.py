"""Publishing a request's preview (SPEC 5): plan every record, show the first files.

Every record is rendered (streaming: a large batch is never held in memory),
the first ``hub.preview_files`` files are shown as they will be uploaded,
with the SHA-1 of their media, and the preview id covers everything that
decides what is uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bots.jobs.context import Job
from bots.jobs.item_match import plan_items, roles
from bots.jobs.item_pages import items_preview
from bots.jobs.mappings import Mappings
from bots.jobs.media import inspect_media
from bots.jobs.pages import BotPages
from bots.jobs.structured import StructuredRun
from bots.model import MediaCheck, PlannedFile, Problem, Request
from bots.net.deadline import Deadline
from bots.pipeline.item_plan import ItemPlan
from bots.pipeline.plan import BatchChecks, Skipped
from bots.pipeline.preview import preview_id
from bots.pipeline.render import templates_digest
from bots.pipeline.structured_checks import StructuredMode
from bots.pipeline.structured_plan import plan_structured
from bots.pipeline.suggestions import without_suggestions
from bots.reports.preview import TableSummary, render_preview
from bots.reports.structured import WORDS, StructuredShown
from bots.sources import SourceData

#: How many record problems the status page lists (the preview lists them all).
NOTES_LIMIT = 50


class PreviewNotDone(Exception):
    """The run ended before the preview was complete; the next run makes it."""


@dataclass(frozen=True)
class Preview:
    """A published preview: its id, what it counted, and the media files it showed."""

    id: str
    records: int
    files: int
    problems: tuple[Problem, ...]
    #: what the status page notes: title clashes, mapping mistakes, record problems
    notes: tuple[str, ...]
    media: tuple[MediaCheck, ...]
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
    checks, records, files = counted.checks, counted.records, counted.files
    problems, shown = counted.problems, counted.shown
    media = _inspect_shown(job, name, shown)
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
        records=records,
        files=files,
        license=request.license or f"per record, from column {request.license_column}",
        template=request.template,
        tables=_table_summaries(job, name, mappings),
        problems=problems,
        shown=shown,
        media=media,
        structured=StructuredShown(
            WORDS["on"] if structured.on else structured.mode.note, structured.labels
        ),
        items=items_preview(job, request, items) if items is not None else "",
    )
    BotPages(job.wiki, job.store, job.hub, job.progress).save_if_changed(
        job.hub.preview(name), text, f"preview {pid}"
    )
    job.store.update_request(name, structured=structured.on)
    notes = _notes(checks, mappings, problems, structured.mode.note, items)
    return Preview(
        pid,
        records,
        files,
        tuple(problems),
        notes,
        tuple(media),
        structured=structured,
        items=items,
    )


@dataclass
class _Planned:
    """Every record planned: what the preview counts, shows and notes."""

    checks: BatchChecks
    problems: list[Problem]
    records: int = 0
    files: int = 0
    shown: list[PlannedFile] = field(default_factory=list)
    #: records that will get a file, when the request asks for items
    planned: set[str] = field(default_factory=set)


def _plan_all(
    job: Job, request: Request, source: SourceData, mappings: Mappings, structured: StructuredRun
) -> _Planned:
    out = _Planned(BatchChecks(), list(source.problems))
    rules = job.title_rules(request, source.records(), mappings.tables)
    for item in plan_structured(
        request,
        source.records(),
        mappings.tables,
        job.config.license_templates,
        out.checks,
        rules=rules,
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


def _inspect_shown(job: Job, name: str, shown: list[PlannedFile]) -> list[MediaCheck]:
    """The shown files' media, read within the request's share of the run's time."""
    work = job.media_dir(name)
    # the shown files share half of the request's part of the run's time budget (the
    # other half is for its uploads), so a partner server that does not answer costs
    # part of this request's share, never the whole run
    share = job.gate.source_seconds()
    deadline = Deadline(share / 2, job.gate.clock) if share is not None else None
    media = [inspect_media(job.fetcher, name, f, work, deadline) for f in shown]
    ended = job.gate.out_of_budget()
    if ended:
        # a file the run's end cut short is not the partner's doing: no preview from it
        # (a server that stays silent through the request's share is: it shows as unread)
        raise PreviewNotDone(f"This run ended because {ended} while it read the previewed files.")
    return media


def _table_summaries(job: Job, name: str, mappings: Mappings) -> list[TableSummary]:
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
    checks: BatchChecks,
    mappings: Mappings,
    problems: list[Problem],
    structured: str = "",
    items: ItemPlan | None = None,
) -> tuple[str, ...]:
    notes = [structured] if structured else []
    notes += [str(p) for p in (*checks.notes, *mappings.notes)]
    if items is not None:
        notes += list(items.notes)
        problems = problems + items.problems()
    # records that will not be uploaded are named on the status page too
    notes += [str(p) for p in problems[:NOTES_LIMIT]]
    if len(problems) > NOTES_LIMIT:
        notes.append(f"…and {len(problems) - NOTES_LIMIT} more problems: see the preview page.")
    return tuple(notes)
