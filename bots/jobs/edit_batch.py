"""The edit loop of an approved batch edit (SPEC 13): one page at a time, behind the write gate.

For each record: the base (the page when the approved preview was made, kept
in the journal), the intended page (the base with the request's fields and
categories), and the page now; the three-way merge brings base -> intended
into the page now. A field someone changed since the preview is kept and
listed. An edit conflict reads the page again and merges again, so nothing is
ever lost. Every save is journalled before it is sent (:meth:`begin_edit`);
after a crash, the page's history tells whether it happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bots.followup.merge import SyncResult, three_way_merge
from bots.hub import editgroup, upload_summary
from bots.i18n.message import Message, items, msg, to_text
from bots.jobs.context import Job
from bots.jobs.edit_preview import FoundEdit
from bots.jobs.pages import BotPages
from bots.jobs.session import STOP_CHECK_SECONDS
from bots.pipeline.edits import intended_page
from bots.store import EditBase, Outcome, PageEdit
from bots.wiki import PageInfo

SETTLED = frozenset({Outcome.EDITED, Outcome.UNCHANGED, Outcome.FAILED})
#: How often a page that keeps changing is read and merged again.
MERGE_ATTEMPTS = 3


@dataclass(frozen=True)
class EditResult:
    outcome: Outcome
    title: str
    reason: Message | None = None


class EditBatch:
    """Edits the pages of one approved batch edit."""

    def __init__(self, job: Job, name: str, preview_id: str, found: Iterable[FoundEdit]) -> None:
        self.job, self.name, self.preview_id = job, name, preview_id
        self.found = list(found)
        self.pages = BotPages(job.wiki, job.store, job.hub, job.progress)
        self.edited: set[str] = set()

    def run(self) -> str:
        """Edit what is pending; write the status page; return the request's state."""
        job, name = self.job, self.name
        job.gate.check_stop()
        self.settle_pending()
        # pages this request edited already (a run that died after saving one, before journalling)
        self.edited = {e.title for e in job.store.edits(name)}
        settled = {s.record_id for s in job.store.all(name) if s.outcome in SETTLED}
        message: Message | None = None
        for item in self.found:
            if item.edit.record_id in settled:
                continue
            ended = job.gate.out_of_budget()
            if ended is not None:
                message = msg("hubbot-status-run-ended", ended)
                break
            job.gate.check_stop_if_older(STOP_CHECK_SECONDS)
            if not job.gate.keeps_lease(name):
                message = msg("hubbot-status-lease-lost")
                break
            result = self.edit(item)
            job.store.finish(
                name,
                item.edit.record_id,
                result.outcome,
                title=result.title.removeprefix("File:"),
                reason=to_text(result.reason),
            )
            job.gate.count_file()
            job.progress(
                f"{name}: record {item.edit.record_id}: {result.outcome.value} {result.title}"
            )
        counts = job.store.counts(name)
        done = sum(counts.get(o, 0) for o in SETTLED) >= len(self.found) and message is None
        state = "done" if done else "uploading"
        return self.pages.report(name, state=state, message=message or msg("hubbot-edit-done"))

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
