"""Saving the bot's own pages: preview, status, dashboard, reports, the tracking category.

A bot page is saved only when its text would change, and over nothing it has
not read: on an edit conflict it reads the page again and saves over that.
The status page is rendered from the journal's facts of the request and its
records, so every command that changes them writes the same page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from bots.hub import Hub, summary
from bots.i18n import PageLanguage, from_text
from bots.jobs.context import Job
from bots.jobs.item_pages import item_linker, items_status, local_item_link
from bots.jobs.session import now_iso
from bots.model import RequestFacts
from bots.reports.dashboard import DashboardRow, render_dashboard
from bots.reports.status import RecordLine, StatusReport, render_status
from bots.store import DataState, Outcome, SavedPage, StateStore, text_sha1
from bots.wiki import PageInfo, Saved, Wiki, WikiError

log = logging.getLogger(__name__)

#: How many failed and duplicate records the status page lists (the counts are exact).
LISTED_RECORDS = 100
#: How many recent uploads the status page's gallery shows.
GALLERY_FILES = 24


def run_pages(job: Job) -> BotPages:
    """The bot's pages as ``hubbot run`` writes them, whatever the request asks for
    (uploads, batch edits, undo): items linked on the configured Wikibase, and the
    pages that show a bot page purged once, when the run ends (:meth:`Job.purge_pending`).
    """
    return BotPages(
        job.wiki,
        job.store,
        job.hub,
        job.progress,
        item_link=item_linker(job.config),
        purges=job.purges,
    )


class BotPages:
    """The pages the bot owns on one hub."""

    def __init__(
        self,
        wiki: Wiki,
        store: StateStore,
        hub: Hub,
        progress: Callable[[str], None] = log.info,
        *,
        item_link: Callable[[str], str] = local_item_link,
        purges: set[str] | None = None,
    ) -> None:
        self.wiki, self.store, self.hub, self.progress = wiki, store, hub, progress
        #: how the status page links the Wikibase's items (SPEC 12)
        self.item_link = item_link
        #: pages to purge when the command ends (:meth:`bots.jobs.context.Job.purge_pending`);
        #: None: purged at once
        self.purges = purges

    def save_if_changed(self, title: str, text: str, what: str) -> bool:
        """Save a bot page unless it already says this; True when it was saved.

        When the journal knows the revision the bot made last and the text
        differs from it, the page is saved over that revision without being
        read: nobody else writes these pages, and if someone did, the wiki
        answers with an edit conflict and the page is read then. The same
        text as last time is checked against the page, which someone may have
        changed.
        """
        last = self.store.saved_page(title)
        info: PageInfo | None = None
        if last is not None and last.text_sha1 != text_sha1(text):
            info = PageInfo(
                title=title,
                exists=True,
                revid=last.revid,
                timestamp=last.timestamp,
                starttimestamp=last.timestamp,
            )
        for _attempt in range(3):
            if info is None:
                info = self.wiki.read_page(title)
                if info.exists and info.text.rstrip() == text.rstrip():
                    if last is None or last.revid != info.revid:
                        self._remember(title, info.revid, info.timestamp, text)
                    return False
            outcome = self.wiki.save(title, text, summary(what), base=info)
            if isinstance(outcome, Saved):
                self._remember(title, outcome.revid, outcome.timestamp, text)
            if outcome.saved:
                return True
            if not outcome.read_again:
                raise WikiError("save", f"Could not save {title}: {outcome}")
            info = None  # a bot page: ours wins, but only over what we have read
        return False

    def _remember(self, title: str, revid: int, timestamp: str, text: str) -> None:
        if revid and timestamp:
            self.store.remember_saved_page(title, SavedPage(revid, timestamp, text_sha1(text)))

    def report(self, name: str, **changes: Any) -> str:
        """Change the request's facts (state, message, notes...), then write its status page."""
        self.store.update_request(name, updated=now_iso(), **changes)
        return self.write_status(name)

    def write_status(self, name: str) -> str:
        """The request's status page, from its facts and records; returns its state.

        The request page shows the status page, so it is purged when it changed.
        """
        facts = self.store.request_facts(name)
        counts = self.store.counts(name)
        report = status_report(name, facts, counts, self.store)
        content = self.wiki.content_language()
        lang = PageLanguage(facts.language or content, content)
        text = render_status(report, self.hub.request(name), lang)
        items = items_status(self.store, name, facts.items_notes, self.item_link, lang)
        if items:
            text = text.rstrip() + "\n\n" + items
        if self.save_if_changed(
            self.hub.status(name),
            text,
            f"status: {facts.state}, {report.uploaded} of {report.total} uploaded",
        ):
            self.purge(self.hub.request(name))
        self.progress(
            f"{name}: {facts.state}: {report.uploaded} uploaded, {report.duplicates} duplicates, "
            f"{report.failed} failed, {report.pending} pending of {report.total}"
        )
        return facts.state

    def ensure_tracking_category(self, name: str) -> None:
        """The request's hidden tracking category, created before its first upload."""
        if self.store.request_facts(name).category_created:
            return
        title = self.hub.tracking_category(name)
        info = self.wiki.read_page(title)
        if not info.exists:
            self.wiki.save(
                title,
                "{{Partnership upload category}}\n",
                summary(f"tracking category of [[{self.hub.request(name)}|{name}]]"),
                base=info,
            )
        self.store.update_request(name, category_created=True)

    def write_dashboard(self, names: Iterable[str]) -> None:
        """One row per request, from the journal (SPEC 2): two reads for the whole hub."""
        rows = []
        every_facts = self.store.all_request_facts()
        every_count = self.store.counts_by_request()
        for name in names:
            facts = every_facts.get(name) or RequestFacts()
            counts = every_count.get(name, {})
            rows.append(
                DashboardRow(
                    name=name,
                    page=self.hub.request(name),
                    partner=facts.partner,
                    state=facts.state,
                    done=counts.get(Outcome.UPLOADED, 0) + counts.get(Outcome.DUPLICATE, 0),
                    total=facts.total,
                    updated=facts.updated,
                )
            )
        if self.save_if_changed(
            self.hub.dashboard,
            render_dashboard(
                rows, updated=now_iso(), lang=PageLanguage(self.wiki.content_language())
            ),
            "dashboard",
        ):
            self.purge(self.hub.root)

    def purge(self, title: str) -> None:
        """Render a page that shows a bot page again, so it does not show the old one.

        A long run saves the status page every few minutes and the request
        page, which shows it, is purged once when the run ends, together with
        the hub's page (the wiki's own jobs refresh it meanwhile).
        """
        if self.purges is not None:
            self.purges.add(title)
            return
        try:
            self.wiki.purge([title])
        except WikiError as e:  # only a delay in what the page shows
            log.debug("purging %s failed: %s", title, e)


def status_report(
    name: str, facts: RequestFacts, counts: dict[Outcome, int], store: StateStore
) -> StatusReport:
    """What the status page of a request says now."""
    uploaded = counts.get(Outcome.UPLOADED, 0)
    duplicates = counts.get(Outcome.DUPLICATE, 0)
    failed = counts.get(Outcome.FAILED, 0)
    edited = counts.get(Outcome.EDITED, 0)
    unchanged = counts.get(Outcome.UNCHANGED, 0)
    settled = uploaded + duplicates + failed + edited + unchanged
    structured = store.structured_counts(name)
    return StatusReport(
        state=facts.state,
        total=facts.total,
        uploaded=uploaded,
        duplicates=duplicates,
        failed=failed,
        pending=max(facts.total - settled, 0),
        edited=edited,
        unchanged=unchanged,
        kept=tuple(
            RecordLine(s.record_id, f"File:{s.title}", from_text(s.reason))
            for s in [
                *store.recent(name, Outcome.EDITED, LISTED_RECORDS),
                *store.recent(name, Outcome.UNCHANGED, LISTED_RECORDS),
            ]
            if s.reason
        ),
        preview=facts.preview,
        updated=facts.updated,
        message=facts.message,
        problems=facts.problems,
        notes=facts.notes,
        reason=facts.reason if facts.state == "paused" else "",
        limit=facts.limit if facts.state == "paused" else None,
        sync=facts.sync,
        undo=facts.undo,
        failed_records=[
            RecordLine(s.record_id, f"File:{s.title}" if s.title else "", from_text(s.reason))
            for s in store.recent(name, Outcome.FAILED, LISTED_RECORDS)
        ],
        duplicate_records=[
            RecordLine(s.record_id, existing_file=s.existing_file)
            for s in store.recent(name, Outcome.DUPLICATE, LISTED_RECORDS)
        ],
        recent=[
            RecordLine(s.record_id, f"File:{s.title}")
            for s in store.recent(name, Outcome.UPLOADED, GALLERY_FILES)
        ],
        structured=facts.structured,
        sdc_done=structured[DataState.DONE],
        sdc_pending=structured[DataState.PENDING],
        sdc_failed_records=[
            RecordLine(s.record_id, f"File:{s.title}" if s.title else "", from_text(s.reason))
            for s in store.structured_states(name, DataState.FAILED, limit=LISTED_RECORDS)
        ],
    )
