"""The upload loop of one approved request: one file at a time, behind the write gate.

Before each file the loop asks the gate (budget, SIGTERM, the stop page at
least once a minute, the request's lease) and the request (its trial limit).
Records already settled in the journal are skipped; records a crash left in
flight are settled by asking the wiki first. Every wait inside the loop ends
at once when the run must stop.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

from bots.jobs.context import Job
from bots.jobs.item_links import ItemLinks, references
from bots.jobs.item_pages import item_linker
from bots.jobs.items import ItemBatch
from bots.jobs.pages import BotPages
from bots.jobs.preview import Preview
from bots.jobs.session import STOP_CHECK_SECONDS
from bots.jobs.structured import with_record_items
from bots.jobs.structured_edit import StructuredWriter
from bots.jobs.upload_file import MustStop, Uploader, UploadOptions
from bots.model import MappingTable, PlannedFile, Request
from bots.net.pacing import Pacer, PacingPolicy
from bots.pipeline.plan import Skipped
from bots.pipeline.structured_plan import plan_structured
from bots.sources import SourceData
from bots.store import Outcome
from bots.wiki import AccountRefused, WikiError

SETTLED = frozenset({Outcome.UPLOADED, Outcome.DUPLICATE, Outcome.FAILED})

#: The status page's message while uploaded files still wait for their structured data.
STRUCTURED_WAITING = (
    "All files are settled; {files} uploaded file(s) still wait for their structured data "
    "(captions and statements), which the next run adds."
)


@dataclass(frozen=True)
class BatchEnd:
    """How a request's upload loop ended in this run: its state and what the status says."""

    state: str
    message: str
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
        self.pages = BotPages(
            job.wiki, job.store, job.hub, job.progress, item_link=item_linker(job.config)
        )
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
        )
        #: each uploaded file's structured data (SPEC 11)
        self.structured = StructuredWriter(job, name, on=preview.structured.on)

    def run(self) -> str:
        """Upload what is pending; write the status page; return the request's state."""
        job = self.job
        job.gate.check_stop()
        for journalled in job.store.in_flight(self.name):
            self.uploader.settle_in_flight(journalled)
        # every wait inside the loop ends at once on SIGTERM or the end of the budget
        pacer, job.wiki.pacer = (
            job.wiki.pacer,
            Pacer(PacingPolicy.from_config(job.config.upload), should_stop=job.gate.out_of_budget),
        )
        stopped: MustStop | None = None
        try:
            # files an earlier run uploaded without their structured data, before any new upload
            self.structured.finish_pending()
            end = self._items() or self._loop()
        except MustStop as e:
            stopped = e
            end = self._stopped(e)
        finally:
            paused = job.wiki.pacer.total("read-only")
            job.wiki.pacer = pacer
            shutil.rmtree(job.media_dir(self.name), ignore_errors=True)
        message = end.message
        if paused and not (stopped and stopped.read_only):
            message += f" This run waited {paused:.0f} s for the wiki's read-only mode to end."
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
        gate, store, name = self.job.gate, self.job.store, self.name
        last_status = self.job.gate.clock()
        for planned in self._pending():
            stop_reason = gate.out_of_budget()
            if stop_reason:
                return BatchEnd(
                    "uploading", f"This run ended because {stop_reason}; the next run carries on."
                )
            limit = self.request.limit
            if limit is not None and store.counts(name).get(Outcome.UPLOADED, 0) >= limit:
                return BatchEnd(
                    "paused",
                    f"The trial limit of {limit} uploaded files is reached. "
                    "Check the files, then raise or remove |limit= to go on.",
                    reason="limit",
                    limit=limit,
                )
            gate.check_stop_if_older(STOP_CHECK_SECONDS)
            if not gate.keeps_lease(name):
                return BatchEnd("uploading", "Another run took over this request; it carries on.")
            self._upload(planned)
            if gate.clock() - last_status >= self.job.config.hub.status_interval:
                self.pages.report(name, state="uploading", message="Uploading.")
                last_status = gate.clock()
        counts = store.counts(name)
        if sum(counts.get(o, 0) for o in SETTLED) >= self.preview.files:
            waiting = self.structured.pending()
            if waiting:
                return BatchEnd("uploading", STRUCTURED_WAITING.format(files=waiting))
            return BatchEnd(
                "done",
                "All files are settled: uploaded, already on the wiki, or failed (see below).",
            )
        return BatchEnd("uploading", "Uploading.")

    def _upload(self, planned: PlannedFile) -> None:
        shown = self.preview.approved_media(planned.record_id)
        self.structured.begin(planned)
        result = self.uploader.upload(
            planned,
            approved_sha1=shown.binding if shown is not None else None,
            prefetched=shown.fetched if shown is not None else None,
        )
        self.structured.after_upload(planned, result)
        self.job.gate.count_file()
        if self.links is not None and result.outcome is Outcome.UPLOADED:
            self.links.after_upload(planned.record_id, f"File:{result.title}")
        self.job.progress(
            f"{self.name}: record {planned.record_id}: {result.outcome.value}"
            + (f" {result.title}" if result.title else "")
            + (f" ({result.reason})" if result.reason else "")
        )

    def _stopped(self, e: MustStop) -> BatchEnd:
        if e.stale:
            return BatchEnd("awaiting-approval", f"Uploading stopped: {e.reason}.")
        message = f"Uploading stopped: {e.reason}. The next run carries on."
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
            raise AccountRefused("muststop", f"Uploading stopped: {stopped.reason}.")
        return state

    def _pending(self) -> Iterator[PlannedFile]:
        # read once: this run holds the request's lease, so nobody else settles records
        settled = {s.record_id for s in self.job.store.all(self.name) if s.outcome in SETTLED}
        records = self.source.records
        rules = self.job.title_rules(self.request, records(), self.tables)
        licenses = self.job.config.license_templates
        # the records' items are settled by now: their files' structured data links them
        structured = with_record_items(self.job, self.name, self.preview.structured.plan)
        for item in plan_structured(
            self.request, records(), self.tables, licenses, rules=rules, structured=structured
        ):
            if isinstance(item, Skipped) or item.record_id in settled:
                continue
            yield item
