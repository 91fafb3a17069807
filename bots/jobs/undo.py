"""``|undo = yes``: the bot takes back its own work for a request (SPEC 13).

The undo has a preview of its own (what would be reverted, deleted or listed,
and what is left and why); a reviewer approves it like an upload (approver,
four eyes, the id shown). The approved undo then reverts the bot's edits that
nobody built on, and writes one mass deletion request for the uploads on
``R/Requests/NAME/Undo`` (or deletes them, when ``hub.undo_deletes`` is set
and the bot's account may delete), removes the statements it added to
Wikidata items where unchanged (:mod:`bots.jobs.undo_items`; never an item),
and the statements and captions its batch edits added to files where
unchanged (:mod:`bots.jobs.undo_files`).
Carried out once per approved id: its report stays on the status page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bots.hub import editgroup, summary
from bots.i18n import Wikitext
from bots.i18n.message import msg
from bots.jobs.context import Job
from bots.jobs.pages import run_pages
from bots.jobs.undo_files import plan_file_data, remove_file_data, text_tails
from bots.jobs.undo_items import plan_items, remove_statements
from bots.model import Request, UndoReport
from bots.pipeline.approval import Decision
from bots.pipeline.preview import preview_id
from bots.pipeline.render import templates_digest
from bots.pipeline.undo import Left, UndoPlan, plan_undo
from bots.reports.undo import render_deletion_request, render_undo_preview
from bots.store import Outcome


class UndoRun:
    """Previews, and once approved carries out, the undo of one request."""

    def __init__(
        self, job: Job, name: str, request: Request, approval: Callable[[str, str], Decision]
    ) -> None:
        self.job, self.name, self.request, self.approval = job, name, request, approval
        self.pages = run_pages(job)

    @property
    def undo_page(self) -> str:
        return f"{self.job.hub.request(self.name)}/Undo"

    def run(self) -> str:
        facts = self.job.store.request_facts(self.name)
        if facts.undo is not None and facts.undo.preview == self.request.approve:
            return facts.state  # carried out already: its report stays
        plan = self.plan()
        pid = preview_id(
            self.request.raw,
            {},
            "",
            templates_digest(),
            {},
            name=self.name,
            media={step: "" for step in plan.key()},
        )
        deletes = self.deletes()
        text = render_undo_preview(
            id=pid,
            request=self.name,
            plan=plan,
            delete=deletes,
            undo_page=self.undo_page,
            lang=self.job.page_language(self.name),
        )
        self.pages.save_if_changed(self.job.hub.preview(self.name), text, f"undo preview {pid}")
        decision = self.approval(self.name, pid)
        self.job.store.update_request(self.name, preview=pid)
        if not decision.ok:
            return self.pages.report(
                self.name, state="awaiting-approval", message=decision.reason, notes=(), problems=()
            )
        report = self.carry_out(plan, pid, decision.user, deletes)
        return self.pages.report(
            self.name,
            state="done",
            undo=report,
            message=msg(
                "hubbot-undo-done",
                pid,
                len(report.reverted),
                len(report.deleted),
                len(report.listed),
                Wikitext(f"[[{self.undo_page}]]"),
                len(report.left),
                report.statements,
                len(report.items),
            ),
            notes=tuple(msg("hubbot-undo-note", title, why) for title, why in report.left),
        )

    def plan(self) -> UndoPlan:
        job = self.job
        edits = job.store.edits(self.name)
        uploads = [
            s.title for s in job.store.all(self.name) if s.outcome is Outcome.UPLOADED and s.title
        ]
        titles = {e.title for e in edits} | {f"File:{t}" for t in uploads}
        pages = job.wiki.read_pages(titles)
        tails = text_tails(edits, pages, job)
        plan = plan_undo(edits, pages, uploads, job.wiki.username, tails)
        removals, left = plan_items(job, self.name)
        data, data_left = plan_file_data(job, self.name)
        return replace(plan, items=removals, data=data, left=plan.left + left + data_left)

    def deletes(self) -> bool:
        return self.job.config.hub.undo_deletes and self.job.wiki.may("delete")

    def carry_out(self, plan: UndoPlan, pid: str, approver: str, deletes: bool) -> UndoReport:
        job, name = self.job, self.name
        why = summary(f"undo of [[{job.hub.request(name)}|{name}]]") + " " + editgroup(name, pid)
        reverted: list[str] = []
        left = [(item.title, item.why) for item in plan.left]
        # structured data first: its removal is a revision of the file page, which the
        # page's revert then expects (reverting first would look like someone's edit)
        data = remove_file_data(job, name, pid, plan.data)
        left += data.left
        parents = job.wiki.revision_texts(r.parent for r in plan.reverts)
        for revert in plan.reverts:
            now = job.wiki.read_page(revert.title)
            if now.revid != data.moved.get(revert.title, revert.now):
                left.append((revert.title, msg("hubbot-undo-edited-since-preview")))
                continue
            outcome = job.wiki.save(
                revert.title, parents.get(revert.parent, ""), why, base=now, no_create=True
            )
            if outcome.saved:
                reverted.append(revert.title)
            else:
                left.append((revert.title, msg("hubbot-undo-refused", str(outcome))))
        deleted: list[str] = []
        if deletes:
            for title in plan.files:
                if job.wiki.delete(title, why).saved:
                    deleted.append(title)
        listed = [f for f in plan.files if f not in deleted]
        items = remove_statements(job, name, pid, plan.items)
        left += items.left
        if listed or deleted:
            text = render_deletion_request(
                request=name,
                request_page=job.hub.request(name),
                approver=approver,
                id=pid,
                files=listed,
                deleted=deleted,
                lang=job.page_language(),
            )
            self.pages.save_if_changed(self.undo_page, text, f"deletion request, undo {pid}")
        return UndoReport(
            pid,
            tuple(reverted),
            tuple(deleted),
            tuple(listed),
            tuple(left),
            items=tuple(items.items),
            statements=items.statements,
            data_files=tuple(data.files),
            data_statements=data.statements,
            data_captions=data.captions,
        )


__all__ = ["Left", "UndoRun"]
