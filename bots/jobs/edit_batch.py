"""The edit loop of an approved batch edit (SPEC 13): one page at a time, behind the write gate.

For each record: the base (the page when the approved preview was made, kept
in the journal), the intended page (the base with the request's fields and
categories), and the page now; the three-way merge brings base -> intended
into the page now. A field someone changed since the preview is kept and
listed. An edit conflict reads the page again and merges again, so nothing is
ever lost. Every save is journalled before it is sent (:meth:`begin_edit`);
after a crash, the page's history tells whether it happened.

Where the wiki has structured data on files, each file then gets the
record's captions and statements (SPEC 11), through the same writer as
uploads (:class:`~bots.jobs.structured_edit.StructuredWriter`): the draft is
journalled as pending before the page edit, the entities are read 50 at a
time, only what is missing is sent, and a caption someone else wrote stays
and is reported with the fields the community changed. A file whose page
is edited but whose structured data is not (a crash, a refusal for the
moment) is finished by the next run before any other edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bots.followup.merge import SyncResult, three_way_merge
from bots.hub import editgroup, upload_summary
from bots.i18n.message import Message, items, msg, to_text
from bots.jobs.context import Job
from bots.jobs.edit_preview import FoundEdit, read_entities
from bots.jobs.pages import run_pages
from bots.jobs.preview import Preview
from bots.jobs.session import STOP_CHECK_SECONDS
from bots.jobs.structured_edit import StructuredWriter
from bots.jobs.upload_file import MustStop
from bots.pipeline.edits import intended_page
from bots.statements import EntityState, kept_captions
from bots.store import EditBase, Outcome, PageEdit
from bots.wiki import AccountRefused, PageInfo, WikiError

SETTLED = frozenset({Outcome.EDITED, Outcome.UNCHANGED, Outcome.FAILED})
#: How often a page that keeps changing is read and merged again.
MERGE_ATTEMPTS = 3
#: Files whose structured data one read asks for.
BATCH = 50


@dataclass(frozen=True)
class EditResult:
    outcome: Outcome
    title: str
    reason: Message | None = None


class EditBatch:
    """Edits the pages of one approved batch edit, and adds its files' structured data."""

    def __init__(self, job: Job, name: str, preview: Preview, found: Iterable[FoundEdit]) -> None:
        self.job, self.name, self.preview_id = job, name, preview.id
        self.found = list(found)
        self.pages = run_pages(job)
        self.edited: set[str] = set()
        self.structured = StructuredWriter(
            job,
            name,
            on=preview.structured.on,
            outcomes=frozenset({Outcome.EDITED, Outcome.UNCHANGED}),
            journal=True,
        )

    def run(self) -> str:
        """Edit what is pending; write the status page; return the request's state."""
        job, name = self.job, self.name
        job.gate.check_stop()
        self.settle_pending()
        # pages this request edited already (a run that died after saving one, before journalling)
        self.edited = {e.title for e in job.store.edits(name)}
        settled = {s.record_id for s in job.store.all(name) if s.outcome in SETTLED}
        stopped: MustStop | None = None
        try:
            # files an earlier run edited without their structured data, before any other edit
            self.structured.finish_pending()
            message = self._loop([i for i in self.found if i.edit.record_id not in settled])
        except MustStop as e:
            stopped, message = e, msg("hubbot-status-stopped", e.reason)
            job.progress(f"{name}: {message}")
            if e.fatal or e.read_only:
                job.gate.halt(e.reason)
        counts = job.store.counts(name)
        done = sum(counts.get(o, 0) for o in SETTLED) >= len(self.found) and message is None
        waiting = self.structured.pending() if done else 0
        if waiting:
            message = msg("hubbot-edit-sdc-waiting", waiting)
        state = "done" if done and not waiting else "uploading"
        return self._report(state, message or msg("hubbot-edit-done"), stopped)

    def _loop(self, todo: list[FoundEdit]) -> Message | None:
        """Edit ``todo``, 50 files at a time (their entities read together); why it ended early."""
        job, name = self.job, self.name
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            entities = (
                read_entities(job, [(i.edit, i.page) for i in chunk]) if self.structured.on else {}
            )
            for item in chunk:
                ended = job.gate.out_of_budget()
                if ended is not None:
                    return msg("hubbot-status-run-ended", ended)
                job.gate.check_stop_if_older(STOP_CHECK_SECONDS)
                if not job.gate.keeps_lease(name):
                    return msg("hubbot-status-lease-lost")
                self._one(item, entities.get(item.page.title))
        return None

    def _one(self, item: FoundEdit, entity: EntityState | None) -> None:
        """One record: its page edit, then its file's structured data."""
        job, name, record_id = self.job, self.name, item.edit.record_id
        draft = item.edit.structured if self.structured.on else None
        if draft is not None:
            job.store.structured_begin(name, record_id, draft)  # pending before the page edit
        result = self.edit(item)
        kept = kept_captions(draft, entity) if draft is not None and entity is not None else {}
        job.store.finish(
            name,
            record_id,
            result.outcome,
            title=result.title.removeprefix("File:"),
            reason=to_text(_with_captions(result.reason, kept)),
        )
        job.gate.count_file()
        job.progress(f"{name}: record {record_id}: {result.outcome.value} {result.title}")
        if draft is None:
            return
        if result.outcome is Outcome.FAILED:
            job.store.structured_drop(name, record_id)
            return
        now = entity if entity is not None else EntityState("", False)
        self.structured.add_to(record_id, result.title.removeprefix("File:"), draft, now)

    def _report(self, state: str, message: Message, stopped: MustStop | None) -> str:
        if stopped is None or not (stopped.fatal or stopped.read_only):
            return self.pages.report(self.name, state=state, message=message)
        try:
            # a read-only wiki or a blocked bot may not take the status page either
            state = self.pages.report(self.name, state=state, message=message)
        except WikiError as e:
            self.job.store.update_request(self.name, state=state, message=message)
            self.job.progress(f"{self.name}: the status page could not be saved: {e.info}")
        if stopped.fatal:
            raise AccountRefused("muststop", f"Editing stopped: {stopped.reason}.")  # the log
        return state

    def edit(self, item: FoundEdit) -> EditResult:
        """One record's edit: merge base -> intended into the page now, and save it."""
        job, name = self.job, self.name
        title = item.page.title
        base = job.store.base(name, item.edit.record_id, self.preview_id) or EditBase(
            title, item.page.revid
        )
        base_text = job.wiki.revision_texts([base.revid]).get(base.revid)
        if base_text is None:
            return EditResult(Outcome.FAILED, title, msg("hubbot-edit-base-gone"))
        intended = intended_page(base_text, item.edit)
        if intended.problem:
            return EditResult(Outcome.FAILED, title, intended.problem)
        for _attempt in range(MERGE_ATTEMPTS):
            now = job.wiki.read_page(title)
            if not now.exists:
                return EditResult(Outcome.FAILED, title, msg("hubbot-edit-page-gone"))
            merged = three_way_merge(base_text, intended.text, now.text)
            if not merged.changed:
                done = Outcome.EDITED if title in self.edited else Outcome.UNCHANGED
                return EditResult(done, title, _kept(merged))
            outcome = self._save(item, now, merged)
            if outcome is not None:
                return outcome
        return EditResult(Outcome.FAILED, title, msg("hubbot-edit-kept-changing"))

    def _save(self, item: FoundEdit, now: PageInfo, merged: SyncResult) -> EditResult | None:
        """Save the merged page; None when someone edited meanwhile (merge again)."""
        job, name, title = self.job, self.name, now.title
        summary = upload_summary(job.hub.request(name), name, item.edit.record_id)
        summary += f": batch edit ({_what(merged)}) {editgroup(name, self.preview_id)}"
        job.store.begin_edit(name, title, now.revid, item.edit.record_id)
        saved = job.wiki.save(title, merged.new_text, summary, base=now, no_create=True)
        if saved.saved:
            revid = getattr(saved, "revid", 0)
            job.store.finish_edit(name, PageEdit(title, revid, now.revid, item.edit.record_id))
            return EditResult(Outcome.EDITED, title, _kept(merged))
        job.store.finish_edit(name, PageEdit(title, 0, now.revid, item.edit.record_id))
        if saved.read_again:
            return None
        return EditResult(Outcome.FAILED, title, msg("hubbot-edit-refused", str(saved)))

    def settle_pending(self) -> None:
        """Edits a crashed run began: the page's history says whether they were saved."""
        job = self.job
        for pending in job.store.pending_edits(self.name):
            mine = None
            for revision in job.wiki.revisions(pending.title):
                if revision.revid <= pending.parent:
                    break
                if revision.user == job.wiki.username and self.name in revision.comment:
                    mine = revision
            job.store.finish_edit(
                self.name,
                PageEdit(
                    pending.title, mine.revid if mine else 0, pending.parent, pending.record_id
                ),
            )


def _what(merged: SyncResult) -> str:
    parts = []
    if merged.updated_params:
        parts.append("set " + ", ".join(merged.updated_params))
    if merged.added_categories:
        parts.append("added " + ", ".join(f"[[:Category:{c}]]" for c in merged.added_categories))
    return "; ".join(parts) or "no visible change"


def _kept(merged: SyncResult) -> Message | None:
    """The fields the community changed since the preview, which the edit left as they were."""
    if not merged.conflicts:
        return None
    return msg("hubbot-edit-kept", items([c.param for c in merged.conflicts]))


def _with_captions(reason: Message | None, kept: dict[str, str]) -> Message | None:
    """The record's note: the fields and the captions the community's words kept."""
    if not kept:
        return reason
    captions = msg("hubbot-edit-kept-captions", items(sorted(kept)))
    return captions if reason is None else msg("hubbot-edit-kept-also", reason, captions)
