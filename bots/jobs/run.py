"""``hubbot run``: one pass over the requests (SPEC 3 to 8).

For each request: read and validate it, read its source, merge the mapping
tables, publish the preview, check the approval, upload what is approved,
and write the status page; then the dashboard. A problem with one request
becomes a message on its status page and the others carry on. Everything
is behind the write gate of :mod:`bots.jobs.session`.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bots.config import Config
from bots.hub import Hub
from bots.i18n import Message, msg, valid_language
from bots.jobs.context import Job
from bots.jobs.edit_batch import EditBatch
from bots.jobs.edit_preview import publish_edit_preview
from bots.jobs.item_match import check_items
from bots.jobs.mappings import update_mappings
from bots.jobs.pages import run_pages
from bots.jobs.preview import Preview, PreviewNotDone, publish_preview
from bots.jobs.session import Stopped
from bots.jobs.structured import prepare_structured
from bots.jobs.unchanged import unchanged_done
from bots.jobs.undo import UndoRun
from bots.jobs.uploads import UploadBatch
from bots.model import Problem, Request
from bots.net.errors import FetchError
from bots.net.fetch import Fetcher
from bots.pipeline.approval import Decision, check_approval
from bots.pipeline.patterns import placeholders
from bots.pipeline.request import find_request_template, parse_request, request_param
from bots.pipeline.request_checks import check_columns
from bots.progress import Bars
from bots.sources import SourceData, SourceError
from bots.store import Outcome, StateStore
from bots.wiki import PageInfo, Wiki, WikiUnavailable

log = logging.getLogger(__name__)


@dataclass
class RunOptions:
    request: str | None = None
    max_seconds: float | None = None
    max_files: int | None = None


@dataclass
class RunSummary:
    requests: dict[str, str] = field(default_factory=dict)  # name -> state
    #: requests that hit an unexpected error (the others carried on)
    errors: dict[str, str] = field(default_factory=dict)
    uploaded: int = 0
    stopped: str = ""


class Runner:
    """One pass of ``hubbot run`` over a hub's requests."""

    def __init__(
        self,
        config: Config,
        wiki: Wiki,
        store: StateStore,
        *,
        fetcher: Fetcher | None = None,
        progress: Callable[[str], None] = log.info,
        clock: Callable[[], float] = time.monotonic,
        bars: Bars | None = None,
    ) -> None:
        self.config, self.wiki, self.store = config, wiki, store
        self.fetcher, self.progress, self.clock = fetcher, progress, clock
        self.bars = bars or Bars()
        self.job = self._job(RunOptions())
        #: the mapping pages' revisions each request's run worked from (done_inputs)
        self._worked_from: dict[str, dict[str, int]] = {}

    def _job(self, options: RunOptions) -> Job:
        return Job.open(
            self.config,
            self.wiki,
            self.store,
            max_seconds=options.max_seconds,
            max_files=options.max_files,
            fetcher=self.fetcher,
            progress=self.progress,
            clock=self.clock,
            bars=self.bars,
        )

    @property
    def hub(self) -> Hub:
        return self.job.hub

    def run(self, options: RunOptions) -> RunSummary:
        summary = RunSummary()
        self.job = self._job(options)
        self.pages = run_pages(self.job)
        try:
            with self.job.gate:
                self._run(options, summary)
        except Stopped as e:
            summary.stopped = e.reason
        finally:
            self.job.purge_pending()
        return summary

    def _run(self, options: RunOptions, summary: RunSummary) -> None:
        job = self.job
        names = job.select(options.request)
        finished = unchanged_done(job, names)
        left = len(names) - len(finished)
        for name in names:
            if job.gate.out_of_budget():
                break
            if name in finished:
                summary.requests[name] = "done"  # SPEC 7: nothing a human decides changed
                continue
            job.gate.requests_left, left = left, left - 1
            try:
                summary.requests[name] = self.process(name)
            except (Stopped, WikiUnavailable):
                raise  # the other requests would fail the same way
            except Exception as e:  # a bug or an unplanned answer: the others carry on
                log.exception("%s: unexpected error", name)
                summary.requests[name] = "error"
                summary.errors[name] = f"{e.__class__.__name__}: {e}"
        if job.gate.halted is None:  # a read-only wiki takes no dashboard either
            self.pages.write_dashboard(job.request_names())

    # -- one request ----------------------------------------------------------
    def process(self, name: str) -> str:
        with self.job.gate.lease(name) as held:
            if not held:
                self.progress(f"{name}: another run is working on it; skipped")
                return self.store.request_facts(name).state
            try:
                return self._process(name)
            finally:
                shutil.rmtree(self.job.media_dir(name), ignore_errors=True)

    def _process(self, name: str) -> str:
        job = self.job
        page = job.wiki.read_page(job.hub.request(name))
        if not page.exists or find_request_template(page.text) is None:
            self.progress(f"{name}: no {{{{Partnership request}}}} on the page; ignored")
            return "ignored"
        request, problems = parse_request(name, page.text, licenses=self.config.license_templates)
        partner = request_param(page.text, "partner") or ""
        self.store.update_request(name, language=self.language_of(page.text))
        if request is None:
            return self.invalid(name, partner, problems)
        if request.undo:
            return UndoRun(job, name, request, self.approval).run()
        facts = self.store.request_facts(name)
        if facts.state == "done" and facts.done_inputs == self.inputs_now(name, request, page):
            # SPEC 7: nothing a human decides changed; the source is sync's business
            return "done"
        try:
            source = job.open_source(request)
        except (SourceError, FetchError) as e:
            return self.invalid(name, partner, [Problem("source", e.message)])
        with source:
            problems = check_columns(request, source.columns, placeholders)
            problems += check_items(job, request, source.columns)
            if problems:
                return self.invalid(name, partner, problems)
            state = self._with_source(name, request, source)
        if state == "done":
            inputs = self.inputs_now(name, request, page, self._worked_from.pop(name, None))
            self.store.update_request(name, done_inputs=inputs)
        return state

    def language_of(self, text: str) -> str:
        """The language of the request's pages: its ``|language=``, else the wiki's (SPEC 14).

        A code that is not a language code is a problem of the request
        (:func:`bots.pipeline.request.parse_request`); until it is fixed the
        pages are written in the wiki's language.
        """
        written = (request_param(text, "language") or "").strip().lower()
        return written if valid_language(written) else self.wiki.content_language()

    def inputs_now(
        self, name: str, request: Request, page: PageInfo, known: Mapping[str, int] | None = None
    ) -> dict[str, int]:
        """The revisions of the pages humans edit for a request: its page, mappings, data.

        A finished request whose pages are all still at these revisions is
        left alone by a run, without reading its source (SPEC 7). ``known``:
        revisions this run worked from (its mapping tables), not read again;
        a page edited since then makes the next run look again, as it should.
        """
        titles = [self.job.hub.mapping(name, column) for column in request.mapped]
        if not request.source.startswith(("http://", "https://")):
            titles.append(request.source)
        known = {t: r for t, r in (known or {}).items() if r and t in titles}
        unknown = [t for t in titles if t not in known]
        revisions = self.wiki.revision_ids(unknown) if unknown else {}
        return {self.job.hub.request(name): page.revid, **known, **revisions}

    def _with_source(self, name: str, request: Request, source: SourceData) -> str:
        mappings = update_mappings(self.job, name, request, source)
        self._worked_from[name] = mappings.revisions
        structured = prepare_structured(self.job, request, source, mappings.tables)
        if structured.problems:  # SPEC 11: a property, item or caption wrong for every record
            return self.invalid(name, request.partner, list(structured.problems))
        if request.mode == "edit":  # SPEC 13: files on the wiki already, page by page
            preview, found = publish_edit_preview(
                self.job, name, request, source, mappings, structured
            )
            return self._approved(
                name,
                request,
                preview,
                msg("hubbot-edit-paused"),
                lambda: EditBatch(self.job, name, preview, found).run(),
            )
        try:
            preview = publish_preview(self.job, name, request, source, mappings, structured)
        except PreviewNotDone as e:
            self.progress(f"{name}: {e.reason}")
            return self.store.request_facts(name).state

        def upload() -> str:
            self.pages.ensure_tracking_category(name)
            return UploadBatch(self.job, name, request, source, mappings.tables, preview).run()

        return self._approved(name, request, preview, msg("hubbot-status-paused"), upload)

    def _approved(
        self,
        name: str,
        request: Request,
        preview: Preview,
        paused: Message,
        start: Callable[[], str],
    ) -> str:
        """SPEC 5 for uploads and batch edits alike: ``start`` the work only once approved."""
        decision = self.approval(name, preview.id)
        self.store.update_request(
            name, partner=request.partner, total=preview.files, preview=preview.id
        )
        if not decision.ok:
            return self._report(name, preview, "awaiting-approval", decision.reason)
        if self.store.request_facts(name).approved != preview.id:
            # A new approval: records that failed before get another chance.
            self.store.update_request(name, approved=preview.id, approved_by=decision.user)
            self._retry_failed(name)
        if request.pause:
            return self._report(name, preview, "paused", paused, reason="pause")
        self.store.update_request(name, state="uploading", notes=preview.notes, problems=())
        return start()

    def approval(self, name: str, pid: str) -> Decision:
        """SPEC 5, from the request page's newest revisions and the users' rights now.

        The page's creator (the four-eyes rule) comes with its history when
        that history is short enough to come in the requests already made.
        """
        request_page = self.job.hub.request(name)
        history = self.wiki.revisions(request_page)
        return check_approval(
            history,
            lambda text: request_param(text, "approve"),
            pid,
            lambda: (
                history.creator if history.creator is not None else self.wiki.creator(request_page)
            ),
            self.wiki.user,
            self.job.approvers,
        )

    def _report(
        self, name: str, preview: Preview, state: str, message: Message, reason: str = ""
    ) -> str:
        return self.pages.report(
            name, state=state, message=message, notes=preview.notes, problems=(), reason=reason
        )

    def _retry_failed(self, name: str) -> None:
        for state in list(self.store.all(name)):
            if state.outcome == Outcome.FAILED:
                self.store.finish(name, state.record_id, Outcome.PENDING)
        self.store.forget_failed_items(name)

    def invalid(self, name: str, partner: str, problems: list[Problem]) -> str:
        if self.store.request_facts(name).state == "done":
            # SPEC 7: a finished request stays finished; what is wrong now is a note
            return self.pages.report(
                name,
                message=msg("hubbot-status-done-unreadable"),
                notes=tuple(p.as_note() for p in problems),
                problems=(),
            )
        self.progress(f"{name}: invalid: " + "; ".join(str(p) for p in problems))
        return self.pages.report(
            name,
            state="invalid",
            partner=partner,
            total=0,
            preview="",
            message=msg("hubbot-status-invalid"),
            problems=tuple(problems),
            notes=(),
        )
