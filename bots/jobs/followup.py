"""After the upload: ``hubbot impact``, ``hubbot sync`` and ``hubbot export`` (SPEC 9).

The figures, merges and rows are computed by the pure modules ``impact``,
``sync`` and ``export``; this module reads what they need from the wiki, the
state store and the partner's source, and writes the results back.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bots.config import Config
from bots.followup import export as export_mod
from bots.followup import impact as impact_mod
from bots.followup import sync as sync_mod
from bots.hub import Hub
from bots.jobs.run import Runner, RunOptions, now_iso
from bots.model import MappingTable, PlannedFile, Request
from bots.net.analytics import AnalyticsClient
from bots.net.fetch import FetchError
from bots.pipeline import mapping as mappings_mod
from bots.pipeline.plan import plan
from bots.pipeline.request import parse_request
from bots.sources import SourceData, SourceError
from bots.store import Outcome, StateStore
from bots.wiki import (
    Duplicate,
    EditConflict,
    NoChange,
    PageInfo,
    Saved,
    Uploaded,
    Wiki,
    WikiError,
    user_agent,
)

log = logging.getLogger(__name__)


class FollowupError(Exception):
    """A request cannot be followed up (invalid, unreadable source...)."""


@dataclass
class OpenRequest:
    request: Request
    source: SourceData
    tables: dict[str, MappingTable]


@contextmanager
def open_request(runner: Runner, name: str) -> Iterator[OpenRequest]:
    """The request, its source and its mapping tables as they are now (read only)."""
    hub = runner.hub
    page = runner.wiki.read_page(hub.request(name))
    if not page.exists:
        raise FollowupError(f"There is no request page {hub.request(name)}.")
    request, problems = parse_request(name, page.text, licenses=runner.config.licenses)
    if request is None:
        raise FollowupError(
            f"The request {name} has problems: " + "; ".join(str(p) for p in problems)
        )
    try:
        source = runner.open_source(request)
    except (SourceError, FetchError) as e:
        raise FollowupError(f"The source of {name} cannot be read: {e}") from None
    titles = {c: hub.mapping(name, c) for c in request.mapped}
    pages = runner.wiki.read_pages(titles.values())
    tables = {
        c: mappings_mod.mapping_from_text(name, c, pages[t].text if pages[t].exists else "")
        for c, t in titles.items()
    }
    with source:
        yield OpenRequest(request, source, tables)


def requests_to_follow(runner: Runner, only: str | None) -> list[str]:
    names = runner.request_names()
    if only is not None:
        wanted = only.replace("_", " ")
        if wanted not in names:
            raise FollowupError(f"There is no request {only} under {runner.hub.requests_prefix}.")
        return [wanted]
    return names


# --- impact ------------------------------------------------------------------


def run_impact(
    config: Config,
    wiki: Wiki,
    store: StateStore,
    only: str | None = None,
    progress: Callable[[str], None] = log.info,
    max_seconds: float | None = None,
) -> list[str]:
    """Write the impact pages behind the write gate; returns the titles written.

    Raises :class:`bots.jobs.session.Stopped` when the stop page says stop.
    """
    runner = Runner(config, wiki, store, progress=progress)
    runner.gate = runner.open_gate(RunOptions(max_seconds=max_seconds))
    with runner.gate:
        return _impact(runner, only, progress)


def _impact(runner: Runner, only: str | None, progress: Callable[[str], None]) -> list[str]:
    config, wiki, store, gate = runner.config, runner.wiki, runner.store, runner.gate
    hub = runner.hub
    analytics = None
    if config.impact.analytics_url:
        analytics = AnalyticsClient(
            config.impact.analytics_url, user_agent=user_agent(config.wiki.contact)
        )
    written: list[str] = []
    reports = []
    for name in requests_to_follow(runner, only):
        if gate.out_of_budget():
            progress(f"impact stopped early: {gate.out_of_budget()}")
            return written
        if not impact_mod.request_files(store, name):
            continue
        progress(f"{name}: gathering impact")
        with gate.lease(name) as held:
            if not held:
                progress(f"{name}: another run is working on it; its impact is written next time")
                continue
            report = impact_mod.gather_request_impact(
                wiki.call, store, name, analytics=analytics, ignore_prefix=hub.root + "/"
            )
        reports.append(report)
        chart = _upload_chart(wiki, impact_mod.chart_title(name), report, hub.impact(name))
        facts = store.get_request(name) or {}
        text = impact_mod.render_impact(
            report,
            request_page=hub.request(name),
            partner=str(facts.get("partner", "")),
            chart=chart,
        )
        runner.save_if_changed(hub.impact(name), text, "impact report")
        written.append(hub.impact(name))
    if only is None:
        hub_report = impact_mod.gather_hub_impact(store, reports)
        chart = _upload_chart(wiki, impact_mod.chart_title(None), hub_report, hub_impact(hub))
        text = impact_mod.render_hub_impact(hub_report, impact_page=hub.impact, chart=chart)
        runner.save_if_changed(hub_impact(hub), text, "hub impact report")
        written.append(hub_impact(hub))
    return written


def hub_impact(hub: Hub) -> str:
    return f"{hub.root}/Impact"


def _upload_chart(wiki: Wiki, title: str, report, report_page: str) -> str | None:
    """Upload today's chart as a new version of its one chart file; the file to show.

    Each chart names its report page in its metadata, so charts that look
    alike (the hub's and its only request's) are still different files. When
    the wiki does hold these exact bytes already (today's chart is the
    current one, or someone uploaded a copy), that existing file is shown:
    it is what the wiki has, and Commons deletes exact duplicates.
    """
    points = report.chart_points()
    if not points:
        return None
    data = impact_mod.make_chart(points, title=impact_mod.chart_caption(report_page))
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(data)
        f.flush()
        outcome = wiki.upload(
            title,
            Path(f.name),
            impact_mod.chart_page_text(report_page),
            f"Impact chart for [[{report_page}]]",
            mime="image/png",
            new_version=True,
        )
    if isinstance(outcome, Uploaded):
        return outcome.title
    if isinstance(outcome, Duplicate):
        return outcome.existing
    log.warning("the chart %s was not uploaded: %s", title, outcome)
    return None


# --- sync ----------------------------------------------------------------------


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
    runner = Runner(config, wiki, store, progress=progress)
    runner.gate = runner.open_gate(RunOptions(max_seconds=max_seconds))
    results: dict[str, str] = {}
    with runner.gate:
        for name in requests_to_follow(runner, only):
            if runner.gate.out_of_budget():
                progress(f"sync stopped early: {runner.gate.out_of_budget()}")
                break
            result = _sync_request(runner, name, only is not None)
            if result:
                results[name] = result
                progress(f"{name}: {result}")
    return results


def _sync_request(runner: Runner, name: str, asked: bool) -> str:
    """Sync one request; "" when it is silently not for sync (only said when ``asked``)."""
    facts = runner.store.get_request(name) or {}
    if facts.get("state") != "done":
        return f"not synced: its state is {facts.get('state', 'new')}, not done" if asked else ""
    with runner.gate.lease(name) as held:
        if not held:
            return "not synced: another run is working on it"
        try:
            with open_request(runner, name) as opened:
                if not opened.request.sync:
                    return "not synced: the request does not say |sync=yes" if asked else ""
                return _sync_one(runner, name, opened)
        except FollowupError as e:
            return f"not synced: {e}"


def _sync_one(runner: Runner, name: str, opened: OpenRequest) -> str:
    wiki, store, hub = runner.wiki, runner.store, runner.hub
    ours: dict[str, PlannedFile] = {}
    source_ids: list[str] = []
    # the wiki's own capitalisation, as at upload: category links must come out the same
    rules = runner.title_rules(opened.request, opened.source, opened.tables)
    for item in plan(
        opened.request,
        opened.source.records(),
        opened.tables,
        runner.config.licenses,
        rules=rules,
    ):
        if isinstance(item, PlannedFile):
            ours[item.record_id] = item
            source_ids.append(item.record_id)
    uploaded = [
        (s.record_id, f"File:{s.title}") for s in store.all(name) if s.outcome is Outcome.UPLOADED
    ]
    journal_ids = [s.record_id for s in store.all(name)]
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
            base = sync_mod.last_rendering(wiki.revisions(title), wiki.username)
        candidates.append(sync_mod.SyncCandidate(record_id, title, base, planned.page_text, theirs))
    sync_plan = sync_mod.plan_sync(
        name,
        hub.request(name),
        candidates,
        source_ids=source_ids,
        journal_ids=journal_ids,
        uploaded=uploaded,
    )
    saved = 0
    for edit in sync_plan.edits:
        if _save_edit(wiki, edit, current[edit.title]):
            saved += 1
    section = sync_mod.render_sync_section(sync_plan, updated=now_iso(), saved=saved)
    store.set_request(name, sync_section=section)
    if sync_plan.new_records:
        # the next run reads the source again and previews the new records for approval
        store.set_request(name, done_inputs=None)
    status = wiki.read_page(hub.status(name))
    if status.exists:
        text = _replace_sync_section(status.text, section)
        runner.save_if_changed(hub.status(name), text, "sync report")
    return (
        f"{saved} file pages updated, {len(sync_plan.conflicts)} community changes kept, "
        f"{len(sync_plan.new_records)} new records, {len(sync_plan.vanished)} gone from the source"
    )


def _save_edit(wiki: Wiki, edit: sync_mod.SyncEdit, page: PageInfo) -> bool:
    outcome = wiki.save(edit.title, edit.text, edit.summary, base=page, no_create=True)
    if isinstance(outcome, Saved | NoChange):
        return True
    if isinstance(outcome, EditConflict):
        log.info("%s changed while syncing; it is synced at the next run", edit.title)
        return False
    log.warning("could not sync %s: %s", edit.title, outcome)
    return False


SYNC_HEADING = "== Keeping files in step with the partner's data =="


def _replace_sync_section(status_text: str, section: str) -> str:
    head, _, _ = status_text.partition(SYNC_HEADING)
    return head.rstrip() + "\n\n" + section.strip() + "\n"


# --- export ----------------------------------------------------------------------


def run_export(
    config: Config,
    wiki: Wiki,
    store: StateStore,
    name: str,
    out: TextIO = sys.stdout,
    format: str = "csv",
) -> int:
    runner = Runner(config, wiki, store, progress=lambda m: None)
    [name] = requests_to_follow(runner, name)
    try:
        with open_request(runner, name) as opened:
            records = {
                (r.get(opened.request.id_column) or "").strip(): r for r in opened.source.records()
            }
            rows = export_mod.gather_export(
                wiki.call,
                store,
                name,
                bot_user=wiki.username,
                records=records,
                tables=opened.tables,
                split=opened.request.split,
            )
            return export_mod.write_export(rows, out, format)
    except FollowupError as e:
        log.warning("%s; exporting without the mapped Wikidata ids", e)
    rows = export_mod.gather_export(wiki.call, store, name, bot_user=wiki.username)
    return export_mod.write_export(rows, out, format)


__all__ = ["run_impact", "run_sync", "run_export", "FollowupError", "WikiError"]
