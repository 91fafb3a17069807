"""Batch edits in the journal: each target page's base revision, and every edit made."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.exc import IntegrityError

from bots.pipeline.undo import PageEdit
from bots.store.db import Database
from bots.store.schema import edit_bases, page_edits
from bots.store.values import check_name, check_title


@dataclass(frozen=True)
class EditBase:
    """The page a batch edit starts from: its title and revision when the preview was made."""

    title: str
    revid: int


class Edits(Database):
    """Bases of batch edits and the edits made."""

    def keep_base(self, request: str, record_id: str, preview: str, base: EditBase) -> None:
        """Remember the base of a record's edit for ``preview``; the first one seen stays.

        A preview is remade at every run until it is approved: the base stays
        the page as it was when that preview (its id) was first shown, so a
        change someone makes later is theirs and is kept by the merge.
        """
        check_name("request name", request)
        check_name("record id", record_id)
        check_title("file title", base.title.removeprefix("File:"), record_id)
        row = {
            "request": request,
            "record_id": record_id,
            "preview": preview,
            "title": base.title,
            "revid": base.revid,
        }
        try:
            self._run(
                f"keep the base of record {record_id}",
                lambda c: c.execute(insert(edit_bases).values(row)),
            )
        except IntegrityError:
            pass  # kept before: the first base of this preview stays

    def base(self, request: str, record_id: str, preview: str) -> EditBase | None:
        where = and_(
            edit_bases.c.request == request,
            edit_bases.c.record_id == record_id,
            edit_bases.c.preview == preview,
        )
        row = self._run(
            f"read the base of record {record_id}",
            lambda c: c.execute(select(edit_bases).where(where)).first(),
            write=False,
        )
        return None if row is None else EditBase(row.title, int(row.revid))

    def note_edit(self, request: str, edit: PageEdit) -> None:
        row = {
            "request": request,
            "title": edit.title,
            "revid": edit.revid,
            "parent": edit.parent,
            "record_id": edit.record_id,
            "when": self._now(),
        }
        try:
            self._run(
                f"note the edit of {edit.title}",
                lambda c: c.execute(insert(page_edits).values(row)),
            )
        except IntegrityError:
            pass  # noted already (a run that died after saving and noting)

    def begin_edit(self, request: str, title: str, parent: int, record_id: str) -> None:
        """Before saving: the bot is about to edit revision ``parent`` of ``title``.

        Kept as an edit with revision 0 until the save is answered; a run that
        dies in between leaves it, and the next run finds the bot's revision in
        the page's history (:meth:`pending_edits`).
        """
        self.note_edit(request, PageEdit(title, 0, parent, record_id))

    def finish_edit(self, request: str, edit: PageEdit) -> None:
        """The save was answered: the pending edit becomes ``edit`` (or goes, for revision 0)."""
        where = and_(
            page_edits.c.request == request,
            page_edits.c.title == edit.title,
            page_edits.c.revid == 0,
        )
        self._run(
            f"finish the edit of {edit.title}", lambda c: c.execute(delete(page_edits).where(where))
        )
        if edit.revid:
            self.note_edit(request, edit)

    def pending_edits(self, request: str) -> list[PageEdit]:
        """Edits a run began and did not see answered."""
        return [e for e in self.edits(request, pending=True) if e.revid == 0]

    def edits(self, request: str, *, pending: bool = False) -> list[PageEdit]:
        """Every edit the bot made for ``request``, oldest first."""
        query = (
            select(page_edits)
            .where(page_edits.c.request == request)
            .order_by(page_edits.c.when, page_edits.c.revid)
        )
        if not pending:
            query = query.where(page_edits.c.revid != 0)
        rows = self._run(
            f"read the edits of request {request}", lambda c: c.execute(query).all(), write=False
        )
        return [PageEdit(r.title, int(r.revid), int(r.parent), r.record_id) for r in rows]
