"""The upload loop of one approved request: one file at a time, behind the write gate.

Before each file the loop asks the gate (budget, SIGTERM, the stop page at
least once a minute, the request's lease) and the request (its trial limit).
Records already settled in the journal are skipped; records a crash left in
flight are settled by asking the wiki first. Every wait inside the loop ends
at once when the run must stop. The media files are downloaded ahead of the
loop (:mod:`bots.jobs.prefetch`); whatever was downloaded for records the
loop does not reach is discarded when it ends.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

from bots.i18n import Message, msg
from bots.jobs.context import Job
from bots.jobs.item_links import ItemLinks, references
from bots.jobs.items import ItemBatch
from bots.jobs.pages import run_pages
from bots.jobs.prefetch import Download, Prefetcher
from bots.jobs.preview import Preview
from bots.jobs.session import STOP_CHECK_SECONDS
from bots.jobs.structured import with_record_items
from bots.jobs.structured_edit import StructuredWriter
from bots.jobs.upload_file import MustStop, Uploader, UploadOptions
from bots.model import MappingTable, PlannedFile, Request
from bots.net.fetch import FetchResult
from bots.net.pacing import Pacer, PacingPolicy
from bots.pipeline.plan import Skipped
from bots.pipeline.structured_plan import plan_structured
from bots.progress import Bar
from bots.sources import SourceData
from bots.store import Outcome
from bots.wiki import AccountRefused, WikiError

SETTLED = frozenset({Outcome.UPLOADED, Outcome.DUPLICATE, Outcome.FAILED})


@dataclass(frozen=True)
class BatchEnd:
    """How a request's upload loop ended in this run: its state and what the status says."""

    state: str
    message: Message
    reason: str = ""  # why paused: "limit"
    limit: int | None = None


class UploadBatch:
    """Uploads the pending files of one approved request."""

    def __init__(
        self,
        job: Job,
        name: str,
        request: Request,
        source: SourceData,
        tables: dict[str, MappingTable],
        preview: Preview,
    ) -> None:
        self.job, self.name, self.request = job, name, request
        self.source, self.tables, self.preview = source, tables, preview
        self.pages = run_pages(job)
        #: links files and items after each upload, when the request has items (SPEC 12)
        self.links: ItemLinks | None = None
        self.uploader = Uploader(
            wiki=job.wiki,
            store=job.store,
            fetcher=job.fetcher,
            request=name,
            request_page=job.hub.request(name),
            work_dir=job.media_dir(name),
            options=UploadOptions.from_config(job.config.upload),
            should_stop=job.gate.out_of_budget,
            deadline=job.gate.budget_deadline,
            stashed=job.store.stashed_records(name),
        )
        #: each uploaded file's structured data (SPEC 11)
        self.structured = StructuredWriter(job, name, on=preview.structured.on)

    def run(self) -> str:
        """Upload what is pending; write the status page; return the request's state."""
        job = self.job
        job.gate.check_stop_if_older(STOP_CHECK_SECONDS)  # the run read it when it began
        for journalled in job.store.in_flight(self.name):
            self.uploader.settle_in_flight(journalled)
        # every wait inside the loop ends at once on SIGTERM or the end of the budget
        pacer, job.wiki.pacer = (
            job.wiki.pacer,
            Pacer(PacingPolicy.from_config(job.config.upload), should_stop=job.gate.out_of_budget),
        )
        stopped: MustStop | None = None
        self.prefetch = self._prefetcher()
        try:
            # files an earlier run uploaded without their structured data, before any new upload
            self.structured.finish_pending()
            end = self._items() or self._loop()
        except MustStop as e:
            stopped = e
            end = self._stopped(e)
        finally:
            self.prefetch.close()
            paused = job.wiki.pacer.total("read-only")
            job.wiki.pacer = pacer
            shutil.rmtree(job.media_dir(self.name), ignore_errors=True)
        message = end.message
        if paused and not (stopped and stopped.read_only):
            message = msg("hubbot-status-read-only-waited", message, round(paused))
        return self._report(BatchEnd(end.state, message, end.reason, end.limit), stopped)

    def _items(self) -> BatchEnd | None:
        """The request's items, all settled before its files go up (None: go on uploading)."""
        plan = self.preview.items
        if plan is None:
            return None
        batch = ItemBatch(self.job, self.name, self.request, plan)
        message = batch.run()
        self.links = ItemLinks(
            self.job, self.name, self.request, references(plan), files=self.structured.on
        )
        notes = (*self.links.notes, *batch.notes)
        if self.job.store.request_facts(self.name).items_notes != notes:
            self.job.store.update_request(self.name, items_notes=notes)
        if message:
            return BatchEnd("uploading", message)
        self.links.catch_up()
        return None

    def _loop(self) -> BatchEnd:
        settled = sum(self.job.store.counts(self.name).get(o, 0) for o in SETTLED)
        to_do = max(self.preview.files - settled, 0)
        with self.job.bars.bar(f"{self.name}: uploading", to_do) as bar:
            return self._files(bar)

    def _files(self, bar: Bar) -> BatchEnd:
        gate, store, name = self.job.gate, self.job.store, self.name
        last_status = self.job.gate.clock()
        for download in self.prefetch.files(self._pending()):
            planned = download.planned
            stop_reason = gate.out_of_budget()
            if stop_reason is not None:
                return BatchEnd("uploading", msg("hubbot-status-run-ended", stop_reason))
            limit = self.request.limit
            if limit is not None and store.counts(name).get(Outcome.UPLOADED, 0) >= limit:
                return BatchEnd(
                    "paused", msg("hubbot-status-limit-reached", limit), reason="limit", limit=limit
                )
            gate.check_stop_if_older(STOP_CHECK_SECONDS)
            if not gate.keeps_lease(name):
                return BatchEnd("uploading", msg("hubbot-status-lease-lost"))
            self._upload(planned, download)
            bar.advance()
            if gate.clock() - last_status >= max(self.job.config.hub.status_interval, 60):
                self.pages.report(name, state="uploading", message=msg("hubbot-status-uploading"))
                last_status = gate.clock()
        counts = store.counts(name)
        if sum(counts.get(o, 0) for o in SETTLED) >= self.preview.files:
            waiting = self.structured.pending()
            if waiting:
                return BatchEnd("uploading", msg("hubbot-status-sdc-waiting", waiting))
            return BatchEnd("done", msg("hubbot-status-done"))
        return BatchEnd("uploading", msg("hubbot-status-uploading"))

    def _prefetcher(self) -> Prefetcher:
        """Downloads ahead of the loop; the preview's files of this run are taken as they are."""

        def ready(record_id: str) -> FetchResult | None:
            shown = self.preview.approved_media(record_id)
            return shown.fetched if shown is not None else None

        return Prefetcher(
            self.job.fetcher,
            self.job.media_dir(self.name),
            self.name,
            per_host=self.job.config.sources.parallel_downloads,
            deadline=self.job.gate.budget_deadline(),
            ready=ready,
        )

    def _upload(self, planned: PlannedFile, download: Download | None = None) -> None:
        shown = self.preview.approved_media(planned.record_id)
        self.structured.begin(planned)
        result = self.uploader.upload(
            planned,
            approved_sha1=shown.binding if shown is not None else None,
            prefetched=download,
        )
        self.structured.after_upload(planned, result)
        self.job.gate.count_file()
        if self.links is not None and result.outcome is Outcome.UPLOADED:
            self.links.after_upload(planned.record_id, f"File:{result.title}")
        self.job.progress(
            f"{self.name}: record {planned.record_id}: {result.outcome.value}"
            + (f" {result.title}" if result.title else "")
            + (f" ({result.reason})" if result.reason is not None else "")
        )

    def _stopped(self, e: MustStop) -> BatchEnd:
        if e.stale:
            return BatchEnd("awaiting-approval", msg("hubbot-status-stopped-stale", e.reason))
        message = msg("hubbot-status-stopped", e.reason)
        self.job.progress(f"{self.name}: {message}")
        if e.fatal or e.read_only:
            self.job.gate.halt(e.reason)
        return BatchEnd("uploading", message)

    def _report(self, end: BatchEnd, stopped: MustStop | None) -> str:
        changes = dict(state=end.state, message=end.message, reason=end.reason, limit=end.limit)
        if stopped is None or not (stopped.fatal or stopped.read_only):
            return self.pages.report(self.name, **changes)
        try:
            # a read-only wiki or a blocked bot may not take the status page either
            state = self.pages.report(self.name, **changes)
        except WikiError as e:
            self.job.store.update_request(self.name, **changes)
            state = end.state
            self.job.progress(f"{self.name}: the status page could not be saved: {e.info}")
        if stopped.fatal:
            raise AccountRefused("muststop", f"Uploading stopped: {stopped.reason}.")  # the log
        return state

    def _pending(self) -> Iterator[PlannedFile]:
        # read once: this run holds the request's lease, so nobody else settles records
        settled = {s.record_id for s in self.job.store.all(self.name) if s.outcome in SETTLED}
        records = self.source.records
        rules = self.preview.rules  # as the preview planned them, in this run
        licenses = self.job.config.license_templates
        # the records' items are settled by now: their files' structured data links them
        structured = with_record_items(self.job, self.name, self.preview.structured.plan)
        for item in plan_structured(
            self.request, records(), self.tables, licenses, rules=rules, structured=structured
        ):
            if isinstance(item, Skipped) or item.record_id in settled:
                continue
            yield item
