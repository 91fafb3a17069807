"""``hubbot sync``: finished requests with ``|sync=yes`` kept in step with their source.

Behind the write gate. Each uploaded file page is merged three ways (what
the bot last wrote, what it would write now, the page now) by
:mod:`bots.followup.sync`; community changes are kept and listed on the
status page, new records wait for a new preview and approval, and records
gone from the source are listed, never deleted.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from bots.config import Config
from bots.followup import sync as merge
from bots.jobs.context import Job
from bots.jobs.pages import BotPages
from bots.jobs.requests import FollowupError, OpenRequest, open_request
from bots.jobs.session import now_iso
from bots.jobs.structured import prepare_structured, with_record_items
from bots.jobs.sync_structured import sync_structured
from bots.model import PlannedFile
from bots.pipeline.request import parse_request
from bots.pipeline.structured_plan import plan_structured
from bots.store import Outcome, StateStore
from bots.wiki import EditConflict, PageInfo, Wiki

log = logging.getLogger(__name__)


def run_sync(
    config: Config,
    wiki: Wiki,
    store: StateStore,
    only: str | None = None,
    progress: Callable[[str], None] = log.info,
    max_seconds: float | None = None,
) -> dict[str, str]:
    """Bring finished requests with |sync=yes in step with their source, behind the write gate.

    Raises :class:`bots.jobs.session.Stopped` when the stop page says stop.
    """
    job = Job.open(config, wiki, store, max_seconds=max_seconds, progress=progress)
    results: dict[str, str] = {}
    with job.gate:
        names = job.select(only)
        facts = store.all_request_facts()
        done = [name for name in names if name in facts and facts[name].state == "done"]
        # the request pages of every finished request, 50 a query: only those that say
        # |sync=yes have their source read
        pages = job.wiki.read_pages(job.hub.request(name) for name in done)
        for name in names:
            if job.gate.out_of_budget() is not None:
                progress(f"sync stopped early: {job.gate.out_of_budget()}")
                break
            result = _sync_request(job, name, only is not None, pages.get(job.hub.request(name)))
            if result:
                results[name] = result
                progress(f"{name}: {result}")
    return results


def _sync_request(job: Job, name: str, asked: bool, page: PageInfo | None) -> str:
    """Sync one request; "" when it is silently not for sync (only said when ``asked``)."""
    state = job.store.request_facts(name).state
    if state != "done":
        return f"not synced: its state is {state}, not done" if asked else ""
    if page is not None and page.exists and not _says_sync(name, page, job):
        return "not synced: the request does not say |sync=yes" if asked else ""
    with job.gate.lease(name) as held:
        if not held:
            return "not synced: another run is working on it"
        try:
            with open_request(job, name, page) as opened:
                if not opened.request.sync:
                    return "not synced: the request does not say |sync=yes" if asked else ""
                return _sync_one(job, name, opened)
        except FollowupError as e:
            return f"not synced: {e}"


def _says_sync(name: str, page: PageInfo, job: Job) -> bool:
    """Whether the request page asks for sync (a request that cannot be read: let it say why)."""
    request, _problems = parse_request(name, page.text, licenses=job.config.license_templates)
    return request is None or request.sync


def _sync_one(job: Job, name: str, opened: OpenRequest) -> str:
    wiki, store, hub = job.wiki, job.store, job.hub
    ours: dict[str, PlannedFile] = {}
    source_ids: list[str] = []
    # the wiki's own capitalisation, as at upload: category links must come out the same
    rules = job.title_rules(opened.request, opened.source.records(), opened.tables)
    structured = prepare_structured(job, opened.request, opened.source, opened.tables)
    for item in plan_structured(
        opened.request,
        opened.source.records(),
        opened.tables,
        job.config.license_templates,
        rules=rules,
        structured=None if structured.problems else with_record_items(job, name, structured.plan),
        hold_back=False,
    ):
        if isinstance(item, PlannedFile):
            ours[item.record_id] = item
            source_ids.append(item.record_id)
    states = list(store.all(name))
    uploaded = [(s.record_id, f"File:{s.title}") for s in states if s.outcome is Outcome.UPLOADED]
    current = wiki.read_pages(title for _, title in uploaded)
    candidates = []
    for record_id, title in uploaded:
        planned = ours.get(record_id)
        if planned is None:
            continue
        page = current[title]
        theirs = page.text if page.exists else None
        base = None
        if theirs is not None and theirs != planned.page_text:
            base = merge.last_rendering(wiki.revisions(title), wiki.username)
        candidates.append(merge.SyncCandidate(record_id, title, base, planned.page_text, theirs))
    sync_plan = merge.plan_sync(
        name,
        hub.request(name),
        candidates,
        source_ids=source_ids,
        journal_ids=[s.record_id for s in states],
        uploaded=uploaded,
    )
    saved = sum(_save_edit(wiki, edit, current[edit.title]) for edit in sync_plan.edits)
    data = sync_structured(job, name, ours, uploaded)  # SPEC 11: captions and statements
    report = merge.sync_report(sync_plan, updated=now_iso(), saved=saved)
    store.update_request(
        name,
        sync=dataclasses.replace(
            report,
            conflicts=report.conflicts + data.conflicts,
            structured_saved=data.saved,
            community_data=data.community,
        ),
    )
    if sync_plan.new_records:
        # the next run reads the source again and previews the new records for approval
        store.update_request(name, done_inputs=None)
    if wiki.read_page(hub.status(name)).exists:
        BotPages(wiki, store, hub, job.progress).write_status(name)
    return (
        f"{saved} file pages updated, {len(sync_plan.conflicts)} community changes kept, "
        f"{len(sync_plan.new_records)} new records, {len(sync_plan.vanished)} gone from the source"
    )


def _save_edit(wiki: Wiki, edit: merge.SyncEdit, page: PageInfo) -> bool:
    outcome = wiki.save(edit.title, edit.text, edit.summary, base=page, no_create=True)
    if outcome.saved:
        return True
    if isinstance(outcome, EditConflict):
        log.info("%s changed while syncing; it is synced at the next run", edit.title)
        return False
    log.warning("could not sync %s: %s", edit.title, outcome)
    return False
