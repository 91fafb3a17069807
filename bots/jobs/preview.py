"""Publishing a request's preview (SPEC 5): plan every record, show the first files.

Every record is rendered (streaming: a large batch is never held in memory),
the first ``hub.preview_files`` files are shown as they will be uploaded,
with the SHA-1 of their media, and the preview id covers everything that
decides what is uploaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from bots.jobs.context import Job
from bots.jobs.item_match import plan_items, roles
from bots.jobs.item_pages import items_preview
from bots.jobs.mappings import Mappings
from bots.jobs.media import inspect_media
from bots.jobs.pages import BotPages
from bots.model import MediaCheck, PlannedFile, Problem, Request
from bots.net.deadline import Deadline
from bots.pipeline.item_plan import ItemPlan
from bots.pipeline.plan import BatchChecks, Skipped, plan
from bots.pipeline.preview import preview_id
from bots.pipeline.render import templates_digest
from bots.pipeline.suggestions import without_suggestions
from bots.reports.preview import TableSummary, render_preview
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
    #: what becomes of each record's item, when the request asks for items (SPEC 12)
    items: ItemPlan | None = None

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
    planned: set[str] = set()
    rules = job.title_rules(request, source.records(), mappings.tables)
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
        if request.items is not None:
            planned.add(item.record_id)
        if len(shown) < job.config.hub.preview_files:
            shown.append(item)
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
    items = (
        plan_items(job, name, request, source, mappings.tables, planned)
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
        items=items.digest(roles(job).retrieved) if items is not None else "",
    )
    text = render_preview(
        id=pid,
        request=name,
        records=records,
        files=files,
        license=request.license or f"per record, from column {request.license_column}",
        template=request.template,
        tables=[
            TableSummary(
                column=c,
                page=job.hub.mapping(name, c),
                values=len(t.rows),
                unmapped=sum(1 for r in t.rows if r.count > 0 and not r.filled),
            )
            for c, t in mappings.tables.items()
        ],
        problems=problems,
        shown=shown,
        media=media,
        items=items_preview(job, request, items) if items is not None else "",
    )
    BotPages(job.wiki, job.store, job.hub, job.progress).save_if_changed(
        job.hub.preview(name), text, f"preview {pid}"
    )
    notes = _notes(checks, mappings, problems, items)
    return Preview(pid, records, files, tuple(problems), notes, tuple(media), items)


def _notes(
    checks: BatchChecks, mappings: Mappings, problems: list[Problem], items: ItemPlan | None
) -> tuple[str, ...]:
    notes = [str(p) for p in (*checks.notes, *mappings.notes)]
    if items is not None:
        notes += list(items.notes)
        problems = problems + items.problems()
    # records that will not be uploaded are named on the status page too
    notes += [str(p) for p in problems[:NOTES_LIMIT]]
    if len(problems) > NOTES_LIMIT:
        notes.append(f"…and {len(problems) - NOTES_LIMIT} more problems: see the preview page.")
    return tuple(notes)
