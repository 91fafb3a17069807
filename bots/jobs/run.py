"""``hubbot run``: one pass over the requests (SPEC 3 to 8).

For each request: read and validate it, read its source, merge the mapping
tables, plan every file, publish the preview, check the approval, upload what
is approved, and write the status page; then the dashboard. A problem with one
request becomes a message on its status page and the others carry on.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bots.config import Config
from bots.hub import SUMMARY_PREFIX, Hub
from bots.jobs.session import STOP_CHECK_SECONDS, Stopped, WriteGate, now_iso
from bots.jobs.upload import (
    MediaCheck,
    MustStop,
    UploadOptions,
    inspect_media,
    settle_in_flight,
    upload_planned,
)
from bots.model import MappingTable, PlannedFile, Problem, Request
from bots.net.fetch import Fetcher, FetchError, FetchPolicy
from bots.net.pacing import Pacer, PacingPolicy
from bots.pipeline import mapping as mappings_mod
from bots.pipeline.approval import Approvers, check_approval
from bots.pipeline.plan import BatchChecks, Skipped, letters_to_ask, plan
from bots.pipeline.preview import preview_id
from bots.pipeline.render import placeholders, templates_digest
from bots.pipeline.request import check_columns, find_request_template, parse_request
from bots.pipeline.titles import STOCK_RULES, TitleRules
from bots.reports.dashboard import DashboardRow, render_dashboard
from bots.reports.preview import TableSummary, render_preview
from bots.reports.status import RecordLine, StatusReport, render_status
from bots.sources import SourceData, SourceError, open_source
from bots.store import Outcome, StateStore
from bots.wiki import (
    AccountRefused,
    EditConflict,
    NoChange,
    PageInfo,
    Saved,
    Wiki,
    WikiError,
    WikiUnavailable,
    user_agent,
)

log = logging.getLogger(__name__)

#: how many record problems the status page lists (the preview lists them all)
NOTES_LIMIT = 50


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
    def __init__(
        self,
        config: Config,
        wiki: Wiki,
        store: StateStore,
        *,
        fetcher: Fetcher | None = None,
        progress: Callable[[str], None] = log.info,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.wiki = wiki
        self.store = store
        self.hub = Hub(wiki.normalize(config.hub.root))
        self.fetcher = fetcher or Fetcher(
            FetchPolicy.from_config(
                config.sources,
                user_agent=user_agent(config.wiki.contact),
                timeout=float(config.sources.timeout),
            )
        )
        self.approvers = Approvers(config.approvers.groups, config.approvers.users)
        self.progress = progress
        self.clock = clock
        self.work_root = Path(config.upload.work_dir)
        self.gate = self.open_gate(RunOptions())
        #: the wiki's capitalisation of the first letters asked so far in this run
        self.known_titles: TitleRules | None = None

    def open_gate(self, options: RunOptions) -> WriteGate:
        """The write gate of one pass (SPEC 6): stop page, budget, SIGTERM, leases."""
        return WriteGate(
            wiki=self.wiki,
            store=self.store,
            stop_page=self.hub.stop,
            dashboard=self.hub.dashboard,
            approvers=self.approvers,
            max_seconds=options.max_seconds,
            max_files=options.max_files,
            clock=self.clock,
            progress=self.progress,
        )

    # -- the pass -------------------------------------------------------------
    def run(self, options: RunOptions) -> RunSummary:
        summary = RunSummary()
        self.gate = self.open_gate(options)
        try:
            with self.gate:
                self._run(options, summary)
        except Stopped as e:
            summary.stopped = e.reason
        return summary

    def _run(self, options: RunOptions, summary: RunSummary) -> None:
        names = self.request_names()
        if options.request is not None:
            wanted = options.request.replace("_", " ")
            if wanted not in names:
                raise WikiError(
                    "norequest",
                    f"There is no request {options.request} under {self.hub.requests_prefix}.",
                )
            names = [wanted]
        for index, name in enumerate(names):
            if self.gate.out_of_budget():
                break
            self.gate.requests_left = len(names) - index
            try:
                summary.requests[name] = self.process(name)
            except (Stopped, WikiUnavailable):
                raise  # the other requests would fail the same way
            except Exception as e:  # a bug or an unplanned answer: the others carry on
                log.exception("%s: unexpected error", name)
                summary.requests[name] = "error"
                summary.errors[name] = f"{e.__class__.__name__}: {e}"
        if not self.gate.halted:  # a read-only wiki takes no dashboard either
            self.write_dashboard()

    def request_names(self) -> list[str]:
        titles = self.wiki.subpages(self.hub.requests_prefix)
        return sorted(name for name in map(self.hub.request_name, titles) if name)

    # -- one request ----------------------------------------------------------
    def process(self, name: str) -> str:
        with self.gate.lease(name) as held:
            if not held:
                self.progress(f"{name}: another run is working on it; skipped")
                facts = self.store.get_request(name) or {}
                return str(facts.get("state", "uploading"))
            try:
                return self._process(name)
            finally:
                shutil.rmtree(self.media_dir(name), ignore_errors=True)

    def _process(self, name: str) -> str:
        page = self.wiki.read_page(self.hub.request(name))
        if not page.exists or find_request_template(page.text) is None:
            self.progress(f"{name}: no {{{{Partnership request}}}} on the page; ignored")
            return "ignored"
        request, problems = parse_request(name, page.text, licenses=self.config.licenses)
        partner = _partner_of(page.text)
        if request is None:
            return self.invalid(name, partner, problems)
        facts = self.store.get_request(name) or {}
        if facts.get("state") == "done" and facts.get("done_inputs") == self.inputs_now(
            name, request, page.revid
        ):
            # SPEC 7: nothing a human decides changed; the source is sync's business
            return "done"
        try:
            source = self.open_source(request)
        except (SourceError, FetchError) as e:
            return self.invalid(name, partner, [Problem("source", str(e))])
        with source:
            problems = check_columns(request, source.columns, placeholders)
            if problems:
                return self.invalid(name, partner, problems)
            state = self._with_source(name, page, request, source)
        if state == "done":
            self.store.set_request(name, done_inputs=self.inputs_now(name, request, page.revid))
        return state

    def inputs_now(self, name: str, request: Request, request_revid: int) -> dict[str, int]:
        """The revisions of the pages humans edit for a request: its page, mappings, data.

        A finished request whose pages are all still at these revisions is
        left alone by a run, without reading its source (SPEC 7).
        """
        titles = [self.hub.mapping(name, column) for column in request.mapped]
        if not request.source.startswith(("http://", "https://")):
            titles.append(request.source)
        revisions = self.wiki.revision_ids(titles)
        return {self.hub.request(name): request_revid, **revisions}

    def open_source(self, request: Request) -> SourceData:
        """The request's records, read through the safe fetcher within the run's budget."""
        source_dir = self.work_root / "sources"
        source_dir.mkdir(parents=True, exist_ok=True)
        return open_source(
            request.source,
            request.format,
            request.options,
            fetcher=self.fetcher,
            read_wiki_page=self._read_wiki_text,
            workdir=source_dir,
            split=request.split,
            max_seconds=self.gate.source_seconds(),
        )

    def _read_wiki_text(self, title: str) -> str | None:
        info = self.wiki.read_page(title)
        return info.text if info.exists else None

    def _with_source(self, name: str, page: PageInfo, request: Request, source: SourceData) -> str:
        tables, mapping_texts, mapping_notes = self.update_mappings(name, request, source)
        checks = BatchChecks()
        records = 0
        files = 0
        problems: list[Problem] = list(source.problems)
        shown: list[PlannedFile] = []
        limit = self.config.hub.preview_files
        rules = self.title_rules(request, source, tables)
        for item in plan(
            request, source.records(), tables, self.config.licenses, checks, rules=rules
        ):
            records += 1
            if isinstance(item, Skipped):
                problems.extend(item.problems)
                continue
            files += 1
            if len(shown) < limit:
                shown.append(item)
        media = self.inspect_shown(name, shown)
        pid = preview_id(
            request.raw,
            mapping_texts,
            source.digest,
            templates_digest(),
            self.config.licenses,
            name=name,
            media={m.record_id: m.binding for m in media},
        )
        summaries = [
            TableSummary(
                column=c,
                page=self.hub.mapping(name, c),
                values=len(t.rows),
                unmapped=sum(1 for r in t.rows if r.count > 0 and not r.filled),
            )
            for c, t in tables.items()
        ]
        license_text = request.license or f"per record, from column {request.license_column}"
        preview_text = render_preview(
            id=pid,
            request=name,
            records=records,
            files=files,
            license=license_text,
            template=request.template,
            tables=summaries,
            problems=problems,
            shown=shown,
            media=media,
        )
        self.save_if_changed(self.hub.preview(name), preview_text, f"preview {pid}")

        request_page = self.hub.request(name)
        decision = check_approval(
            self.wiki.revisions(request_page),
            lambda text: _param(text, "approve"),
            pid,
            lambda: self.wiki.creator(request_page),
            self.wiki.user,
            self.approvers,
        )
        facts = self.store.get_request(name) or {}
        notes = [f"{p.where}: {p.message}" for p in checks.notes + mapping_notes]
        # records that will not be uploaded are named on the status page too
        notes += [f"{p.where}: {p.message}" for p in problems[:NOTES_LIMIT]]
        if len(problems) > NOTES_LIMIT:
            notes.append(f"…and {len(problems) - NOTES_LIMIT} more problems: see the preview page.")
        base = {
            "partner": request.partner,
            "total": files,
            "preview": pid,
        }
        if not decision.ok:
            self.store.set_request(name, state="awaiting-approval", **base)
            return self.write_status(name, "awaiting-approval", pid, files, decision.reason, notes)

        if facts.get("approved") != pid:
            # A new approval: records that failed before get another chance.
            self.store.set_request(name, approved=pid, approved_by=decision.user)
            self._retry_failed(name)
        if request.pause:
            self.store.set_request(name, state="paused", **base)
            return self.write_status(
                name,
                "paused",
                pid,
                files,
                "Uploading is paused (|pause=yes).",
                notes,
                reason="pause",
            )
        self.store.set_request(name, state="uploading", **base)
        self.ensure_upload_category(name)
        return self.upload_all(name, request, source, tables, pid, files, notes, media)

    def inspect_shown(self, name: str, shown: list[PlannedFile]) -> list[MediaCheck]:
        """The SHA-1 and real type of each media file the preview shows (SPEC 5).

        The files stay in the run's work folder for this request, for an upload
        later in the same run.
        """
        work = self.media_dir(name)
        return [
            inspect_media(self.fetcher, name, f, work, self.gate.budget_deadline()) for f in shown
        ]

    def media_dir(self, name: str) -> Path:
        """A folder of this run's own for a request's media: other runs may download beside it."""
        key = hashlib.sha1(name.encode()).hexdigest()[:16]
        return self.work_root / "media" / self.gate.holder.replace(":", "-") / key

    def title_rules(
        self, request: Request, source: SourceData, tables: dict[str, MappingTable]
    ) -> TitleRules:
        """The wiki's own capitalisation of the first letters this batch's titles start with.

        Asked once per letter and run, so the preview shows the titles the
        wiki will store (SPEC 5, 8). Titles starting with ASCII capitals, digits
        or signs cost no request: every wiki leaves those as they are.
        """
        letters = letters_to_ask(request, source.records(), tables)
        if not letters:
            return STOCK_RULES
        self.known_titles = self.wiki.title_rules(letters, self.known_titles)
        return self.known_titles

    def _retry_failed(self, name: str) -> None:
        for state in list(self.store.all(name)):
            if state.outcome == Outcome.FAILED:
                self.store.finish(name, state.record_id, Outcome.PENDING)

    # -- mappings -------------------------------------------------------------
    def update_mappings(
        self, name: str, request: Request, source: SourceData
    ) -> tuple[dict[str, MappingTable], dict[str, str], list[Problem]]:
        if not request.mapped:
            return {}, {}, []
        counts = mappings_mod.count_values(source.records(), request.mapped, request.split)
        titles = {c: self.hub.mapping(name, c) for c in request.mapped}
        tables: dict[str, MappingTable] = {}
        texts: dict[str, str] = {}
        notes: list[Problem] = []
        current = self.wiki.read_pages(titles.values())
        for column, title in titles.items():
            info = current[title]
            text = self._merge_and_save(name, column, title, info, counts.get(column, Counter()))
            texts[column] = text
            tables[column] = mappings_mod.mapping_from_text(name, column, text)
            notes.extend(mappings_mod.check_mapping_page(name, column, text))
        return tables, texts, notes

    def _merge_and_save(
        self, name: str, column: str, title: str, info: PageInfo, counts: Counter[str]
    ) -> str:
        for _attempt in range(5):
            existing = mappings_mod.parse_mapping_page(info.text) if info.exists else None
            text = mappings_mod.merge_mapping(existing, name, column, counts)
            if info.exists and text == info.text:
                return text
            outcome = self.wiki.save(
                title,
                text,
                f"{SUMMARY_PREFIX}: mapping table for column {column} "
                f"of [[{self.hub.request(name)}|{name}]]",
                base=info,
            )
            if isinstance(outcome, Saved | NoChange):
                return text
            if isinstance(outcome, EditConflict) or outcome.__class__.__name__ == "PageExists":
                # Somebody edited meanwhile: read their version and merge again.
                info = self.wiki.read_page(title)
                continue
            raise WikiError("mapping", f"Could not save {title}: {outcome}")
        raise WikiError("mapping", f"{title} kept changing while the bot merged it; try again.")

    # -- uploads --------------------------------------------------------------
    def upload_all(
        self,
        name: str,
        request: Request,
        source: SourceData,
        tables: dict[str, MappingTable],
        pid: str,
        files: int,
        notes: list[str],
        media: list[MediaCheck],
    ) -> str:
        work = self.media_dir(name)
        shown = {m.record_id: m for m in media}
        message = ""
        last_status = self.clock()
        self.gate.check_stop()
        for journalled in self.store.in_flight(name):
            settle_in_flight(self.wiki, self.store, name, journalled)
        limit_hit = False
        gate = self.gate
        stopped: MustStop | None = None
        options = UploadOptions.from_config(self.config.upload)
        # every wait inside the loop ends at once on SIGTERM or the end of the budget
        pacer, self.wiki.pacer = (
            self.wiki.pacer,
            Pacer(PacingPolicy.from_config(self.config.upload), should_stop=gate.out_of_budget),
        )
        try:
            for planned in self._pending(name, request, source, tables):
                stop_reason = gate.out_of_budget()
                if stop_reason:
                    message = f"This run ended because {stop_reason}; the next run carries on."
                    break
                if request.limit is not None:
                    if self.store.counts(name).get(Outcome.UPLOADED, 0) >= request.limit:
                        limit_hit = True
                        break
                gate.check_stop_if_older(STOP_CHECK_SECONDS)
                if not gate.keeps_lease(name):
                    message = "Another run took over this request; it carries on."
                    break
                result = upload_planned(
                    wiki=self.wiki,
                    store=self.store,
                    fetcher=self.fetcher,
                    request=name,
                    request_page=self.hub.request(name),
                    planned=planned,
                    work_dir=work,
                    options=options,
                    should_stop=gate.out_of_budget,
                    approved_sha1=shown[planned.record_id].binding
                    if planned.record_id in shown
                    else None,
                    prefetched=shown[planned.record_id].fetched
                    if planned.record_id in shown
                    else None,
                    deadline=gate.budget_deadline(),
                )
                gate.count_file()
                self.progress(
                    f"{name}: record {planned.record_id}: {result.outcome.value}"
                    + (f" {result.title}" if result.title else "")
                    + (f" ({result.reason})" if result.reason else "")
                )
                if self.clock() - last_status >= self.config.hub.status_interval:
                    self.write_status(name, "uploading", pid, files, "Uploading.", notes)
                    last_status = self.clock()
        except MustStop as e:
            stopped = e
            message = f"Uploading stopped: {e.reason}. The next run carries on."
            self.progress(f"{name}: {message}")
            if e.fatal or e.read_only:
                gate.halt(e.reason)
        finally:
            paused = self.wiki.pacer.total("read-only")
            self.wiki.pacer = pacer
        counts = self.store.counts(name)
        settled = sum(
            counts.get(o, 0) for o in (Outcome.UPLOADED, Outcome.DUPLICATE, Outcome.FAILED)
        )
        if stopped is not None and stopped.stale:
            state = "awaiting-approval"
            message = f"Uploading stopped: {stopped.reason}."
        elif limit_hit:
            state = "paused"
            message = (
                f"The trial limit of {request.limit} uploaded files is reached. "
                "Check the files, then raise or remove |limit= to go on."
            )
        elif settled >= files and not message:
            state = "done"
            message = "All files are settled: uploaded, already on the wiki, or failed (see below)."
        else:
            state = "uploading"
            message = message or "Uploading."
        if paused and not (stopped and stopped.read_only):
            message += f" This run waited {paused:.0f} s for the wiki's read-only mode to end."
        self.store.set_request(name, state=state)
        shutil.rmtree(work, ignore_errors=True)
        # the status box says why a request is paused (SPEC 7)
        reason, limit = ("limit", request.limit) if limit_hit else ("", None)
        if stopped is None or not (stopped.fatal or stopped.read_only):
            return self.write_status(name, state, pid, files, message, notes, reason, limit)
        try:
            # a read-only wiki or a blocked bot may not take the status page either
            state = self.write_status(name, state, pid, files, message, notes, reason, limit)
        except WikiError as e:
            self.progress(f"{name}: the status page could not be saved: {e.info}")
        if stopped.fatal:
            raise AccountRefused("muststop", f"Uploading stopped: {stopped.reason}.")
        return state

    def _pending(
        self,
        name: str,
        request: Request,
        source: SourceData,
        tables: dict[str, MappingTable],
    ) -> Iterator[PlannedFile]:
        done = {Outcome.UPLOADED, Outcome.DUPLICATE, Outcome.FAILED}
        # read once: this run holds the request's lease, so nobody else settles records
        settled = {s.record_id for s in self.store.all(name) if s.outcome in done}
        rules = self.title_rules(request, source, tables)
        for item in plan(request, source.records(), tables, self.config.licenses, rules=rules):
            if isinstance(item, Skipped) or item.record_id in settled:
                continue
            yield item

    # -- pages ----------------------------------------------------------------
    def save_if_changed(self, title: str, text: str, what: str) -> bool:
        """Save a bot page unless it already says this; True when it was saved."""
        for _attempt in range(3):
            info = self.wiki.read_page(title)
            if info.exists and info.text.rstrip() == text.rstrip():
                return False
            outcome = self.wiki.save(title, text, f"{SUMMARY_PREFIX}: {what}", base=info)
            if isinstance(outcome, Saved | NoChange):
                return True
            if isinstance(outcome, EditConflict) or outcome.__class__.__name__ == "PageExists":
                continue  # a bot page: ours wins, but only over what we have read
            raise WikiError("save", f"Could not save {title}: {outcome}")
        return False

    def save_status(self, name: str, text: str, what: str) -> None:
        """The status page; the request page shows it, so it is purged to show it now."""
        if self.save_if_changed(self.hub.status(name), text, what):
            try:
                self.wiki.call(action="purge", titles=self.hub.request(name))
            except WikiError as e:  # only a delay in what the request page shows
                log.debug("purging %s failed: %s", self.hub.request(name), e)

    def ensure_upload_category(self, name: str) -> None:
        """The request's hidden tracking category, created before its first upload."""
        facts = self.store.get_request(name) or {}
        if facts.get("category_created"):
            return
        title = self.hub.tracking_category(name)
        info = self.wiki.read_page(title)
        if not info.exists:
            self.wiki.save(
                title,
                "{{Partnership upload category}}\n",
                f"{SUMMARY_PREFIX}: tracking category of [[{self.hub.request(name)}|{name}]]",
                base=info,
            )
        self.store.set_request(name, category_created=True)

    def invalid(self, name: str, partner: str, problems: list[Problem]) -> str:
        facts = self.store.get_request(name) or {}
        if facts.get("state") == "done":
            # SPEC 7: a finished request stays finished; what is wrong now is a note
            return self.write_status(
                name,
                "done",
                str(facts.get("preview", "")),
                int(facts.get("total", 0) or 0),
                "All files are settled. The request or its source has changed since, and the "
                "bot cannot read it as it is now (see below); files already uploaded stay as "
                "they are.",
                [f"{p.where}: {p.message}" for p in problems],
            )
        self.store.set_request(name, state="invalid", partner=partner, total=0, preview="")
        report = StatusReport(
            state="invalid",
            updated=now_iso(),
            message=(
                "The request cannot go ahead yet. Fix the problems below on the request page; "
                "the bot looks again at its next run."
            ),
            problems=problems,
        )
        self.save_status(
            name,
            render_status(report, self.hub.request(name)),
            f"status: invalid ({len(problems)} problems)",
        )
        self.progress(f"{name}: invalid: " + "; ".join(str(p) for p in problems))
        return "invalid"

    def write_status(
        self,
        name: str,
        state: str,
        pid: str,
        files: int,
        message: str,
        notes: list[str],
        reason: str = "",
        limit: int | None = None,
    ) -> str:
        counts = self.store.counts(name)
        uploaded = counts.get(Outcome.UPLOADED, 0)
        duplicates = counts.get(Outcome.DUPLICATE, 0)
        failed = counts.get(Outcome.FAILED, 0)
        pending = max(files - uploaded - duplicates - failed, 0)
        report = StatusReport(
            state=state,
            total=files,
            uploaded=uploaded,
            duplicates=duplicates,
            failed=failed,
            pending=pending,
            preview=pid,
            updated=now_iso(),
            message=message,
            notes=notes,
            reason=reason,
            limit=limit,
            failed_records=[
                RecordLine(s.record_id, f"File:{s.title}" if s.title else "", s.reason)
                for s in self.store.recent(name, Outcome.FAILED, 100)
            ],
            duplicate_records=[
                RecordLine(s.record_id, existing_file=s.existing_file)
                for s in self.store.recent(name, Outcome.DUPLICATE, 100)
            ],
            recent=[
                RecordLine(s.record_id, f"File:{s.title}")
                for s in self.store.recent(name, Outcome.UPLOADED, 24)
            ],
        )
        text = render_status(report, self.hub.request(name))
        sync_section = (self.store.get_request(name) or {}).get("sync_section")
        if sync_section:
            text = text.rstrip() + "\n\n" + str(sync_section).strip() + "\n"
        self.save_status(name, text, f"status: {state}, {uploaded} of {files} uploaded")
        self.store.set_request(name, state=state, updated=report.updated)
        self.progress(
            f"{name}: {state}: {uploaded} uploaded, {duplicates} duplicates, "
            f"{failed} failed, {pending} pending of {files}"
        )
        return state

    def write_dashboard(self) -> None:
        rows = []
        for name in self.request_names():
            facts = self.store.get_request(name) or {}
            counts = self.store.counts(name)
            rows.append(
                DashboardRow(
                    name=name,
                    page=self.hub.request(name),
                    partner=str(facts.get("partner", "")),
                    state=str(facts.get("state", "new")),
                    done=counts.get(Outcome.UPLOADED, 0) + counts.get(Outcome.DUPLICATE, 0),
                    total=int(facts.get("total", 0) or 0),
                    updated=str(facts.get("updated", "")),
                )
            )
        self.save_if_changed(
            self.hub.dashboard, render_dashboard(rows, updated=now_iso()), "dashboard"
        )


def _param(text: str, name: str) -> str | None:
    template = find_request_template(text)
    if template is None or not template.has(name):
        return None
    import mwparserfromhell

    value = template.get(name).value
    for comment in value.filter_comments():
        value.remove(comment)
    return str(mwparserfromhell.parse(value)).strip()


def _partner_of(text: str) -> str:
    return _param(text, "partner") or ""
