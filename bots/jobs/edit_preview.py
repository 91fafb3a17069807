"""The preview of a batch edit (SPEC 13): find each record's file, read it, show the change.

Every record's target is looked up on the wiki (titles 50 a request; a SHA-1
by the files that hold those bytes): a target that does not exist, or a SHA-1
several files share, is a problem and that record is not edited. Each found
page is read, and its revision is kept in the journal as the base of the
approved edit's three-way merge. Where the wiki has structured data on
files, each file's MediaInfo entity is read too (50 a request), and what the
record's captions and statements would add to it is part of the change
(SPEC 11). The first files' changes are shown as diffs, with the captions and
statements to add; the preview id covers the request, its data and mappings,
which file each record edits, and every file's captions and statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from bots.i18n.message import Message, items, msg
from bots.jobs.context import Job
from bots.jobs.mappings import Mappings
from bots.jobs.pages import BotPages
from bots.jobs.preview import Preview, table_summaries
from bots.jobs.structured import StructuredRun
from bots.model import Problem, Request
from bots.pipeline.edits import PlannedEdit, intended_page, plan_edit, readable_diff
from bots.pipeline.preview import preview_id
from bots.pipeline.render import templates_digest
from bots.pipeline.structured_plan import StructuredPlan
from bots.reports.edit_preview import ShownChange, render_edit_preview
from bots.reports.structured import StructuredShown
from bots.sources import SourceData
from bots.statements import EntityState, kept_captions, missing
from bots.store import EditBase
from bots.wiki import PageInfo

#: Records looked up and read together (the wiki's limit of titles a request).
BATCH = 50


@dataclass(frozen=True)
class FoundEdit:
    """A record's edit whose file is on the wiki, with the page as it is now."""

    edit: PlannedEdit
    page: PageInfo
    #: the file's MediaInfo entity as read, when the record's file gets structured data
    entity: EntityState | None = None


@dataclass
class _Tally:
    changes: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    shown: list[ShownChange] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)  # record id -> file title


def find_edits(
    job: Job,
    request: Request,
    source: SourceData,
    mappings: Mappings,
    problems: list[Problem],
    structured: StructuredPlan | None = None,
) -> Iterator[FoundEdit]:
    """Each record's edit with its file's page, 50 at a time; what is wrong goes to ``problems``."""
    rules = job.title_rules(request, source.records(), mappings.tables)
    batch: list[PlannedEdit] = []
    for record in source.records():
        planned = plan_edit(request, record, mappings.tables, rules, structured)
        if isinstance(planned, list):
            problems.extend(planned)
            continue
        batch.append(planned)
        if len(batch) == BATCH:
            yield from _find(job, batch, problems)
            batch = []
    yield from _find(job, batch, problems)


def _find(job: Job, batch: list[PlannedEdit], problems: list[Problem]) -> Iterator[FoundEdit]:
    titles: dict[str, str] = {}
    for edit in batch:
        if not edit.by_sha1:
            titles[edit.record_id] = edit.target
            continue
        holders = job.wiki.find_sha1(edit.target)
        if len(holders) == 1:
            titles[edit.record_id] = holders[0]
        else:
            problems.append(
                Problem(msg("hubbot-where-record", edit.record_id), _sha1_problem(edit, holders))
            )
    pages = job.wiki.read_pages(titles.values())
    entities = read_entities(
        job, [(e, pages[titles[e.record_id]]) for e in batch if e.record_id in titles]
    )
    for edit in batch:
        title = titles.get(edit.record_id)
        if title is None:
            continue
        page = pages[title]
        if not page.exists:
            problems.append(
                Problem(
                    msg("hubbot-where-record", edit.record_id), msg("hubbot-edit-no-page", title)
                )
            )
            continue
        yield FoundEdit(edit, page, entities.get(page.title))


def read_entities(job: Job, edits: list[tuple[PlannedEdit, PageInfo]]) -> dict[str, EntityState]:
    """The MediaInfo entities of the files that get structured data, by title (one read)."""
    wanted = [(e, p) for e, p in edits if e.structured is not None and p.exists]
    if not wanted:
        return {}
    languages = sorted({lang for e, _ in wanted if e.structured for lang in e.structured.labels})
    return job.wiki.entities_of_files([p.title for _, p in wanted], languages or ["en"])


def _sha1_problem(edit: PlannedEdit, holders: list[str]) -> Message:
    if not holders:
        return msg("hubbot-edit-sha1-none", edit.target)
    return msg("hubbot-edit-sha1-many", len(holders), edit.target, items(holders[:5]))


def publish_edit_preview(
    job: Job,
    name: str,
    request: Request,
    source: SourceData,
    mappings: Mappings,
    structured: StructuredRun,
) -> tuple[Preview, list[FoundEdit]]:
    """Look up every record's file, keep its base, save the preview page with the diffs."""
    tally = _Tally(problems=list(source.problems))
    found: list[FoundEdit] = []
    for item in find_edits(job, request, source, mappings, tally.problems, structured.plan):
        found.append(item)
        tally.targets[item.edit.record_id] = item.page.title
    pid = preview_id(
        request.raw,
        mappings.texts,
        source.digest,
        templates_digest(),
        job.config.license_templates,
        name=name,
        media={f"target {k}": v for k, v in tally.targets.items()},
        structured=structured.digest(
            i.edit.structured for i in found if i.edit.structured is not None
        ),
    )
    for item in found:
        _tally_change(job, name, pid, item, tally)
    text = render_edit_preview(
        id=pid,
        request=name,
        records=len(found) + len(tally.problems),
        changes=tally.changes,
        unchanged=tally.unchanged,
        template=request.template,
        tables=table_summaries(job, name, mappings),
        problems=tally.problems,
        shown=tally.shown,
        structured=StructuredShown(
            msg("hubbot-edit-sdc-on") if structured.on else structured.mode.note or "",
            structured.labels,
        ),
        lang=job.page_language(name),
    )
    BotPages(job.wiki, job.store, job.hub, job.progress).save_if_changed(
        job.hub.preview(name), text, f"preview {pid}"
    )
    job.store.update_request(name, structured=structured.on)
    note = structured.mode.note
    notes: tuple[Message, ...] = (note,) if note is not None else ()
    notes += tuple(p.as_note() for p in tally.problems[:50])
    records = len(found) + len(tally.problems)
    preview = Preview(
        pid, records, len(found), tuple(tally.problems), notes, (), structured=structured
    )
    return preview, found


def _tally_change(job: Job, name: str, pid: str, item: FoundEdit, tally: _Tally) -> None:
    job.store.keep_base(name, item.edit.record_id, pid, EditBase(item.page.title, item.page.revid))
    intended = intended_page(item.page.text, item.edit)
    if intended.problem:
        tally.problems.append(
            Problem(msg("hubbot-where-record", item.edit.record_id), intended.problem)
        )
        return
    draft, entity = item.edit.structured, item.entity
    adds = missing(draft, entity or EntityState("", False)) if draft is not None else None
    if intended.text == item.page.text and (adds is None or adds.empty):
        tally.unchanged += 1
        return
    tally.changes += 1
    if len(tally.shown) < job.config.hub.preview_files:
        lines = tuple(readable_diff(item.page.text, intended.text))
        kept = kept_captions(draft, entity) if draft is not None and entity is not None else {}
        tally.shown.append(ShownChange(item.page.title, lines, adds, kept))
