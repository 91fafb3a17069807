"""What undoing a request takes back (SPEC 13), decided from the journal and the wiki now (pure).

The bot reverses only its own work, and only where nobody built on it:

- an edit of a page is reverted when the bot's revision is still the page's
  newest, or only structured data changed after it (the page's text is still
  the bot's: the text goes back to the revision the bot edited, the
  structured data stays as it is); when someone edited the text after it,
  the edit stays and is listed;
- the files the bot uploaded are listed for deletion (or deleted, when the
  configuration allows it and the account may delete): never a file another
  upload's duplicate pointed at, never a file someone else uploaded.

Nothing else is touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bots.i18n.message import Message, Param, msg
from bots.wiki.records import PageInfo

if TYPE_CHECKING:
    from bots.pipeline.undo_files import FileRemoval
    from bots.pipeline.undo_items import ItemRemoval


@dataclass(frozen=True)
class PageEdit:
    """One edit the bot made to a page for a request."""

    title: str
    revid: int  # the bot's revision
    parent: int  # the revision it edited
    record_id: str


@dataclass(frozen=True)
class Revert:
    """An edit of the bot to take back: ``title`` goes back to revision ``parent``."""

    title: str
    revid: int
    parent: int
    record_id: str
    #: the page's newest revision, when only structured data changed after ``revid``
    newest: int = 0

    @property
    def now(self) -> int:
        """The page's revision the revert expects to find."""
        return self.newest or self.revid


@dataclass(frozen=True)
class Left:
    """Something the undo leaves as it is, and why (a message)."""

    title: str
    why: Message


@dataclass(frozen=True)
class UndoPlan:
    reverts: tuple[Revert, ...] = ()
    files: tuple[str, ...] = ()  # uploads to delete or list for deletion, with File:
    left: tuple[Left, ...] = ()
    #: statements the bot added to items, to remove (see :mod:`bots.pipeline.undo_items`)
    items: tuple[ItemRemoval, ...] = ()
    #: statements and captions batch edits added to files, to remove
    #: (see :mod:`bots.pipeline.undo_files`)
    data: tuple[FileRemoval, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.reverts or self.files or self.items or self.data)

    @property
    def statements(self) -> int:
        """How many item statements the undo removes."""
        return sum(len(r.claims) for r in self.items)

    def key(self) -> list[str]:
        """What the undo's preview id covers: every step, in order."""
        steps = [
            f"revert {r.title} {r.revid}>{r.parent}" + (f"@{r.newest}" if r.newest else "")
            for r in self.reverts
        ]
        steps += [f"delete {f}" for f in self.files]
        steps += [f"unclaim {r.item} {r.revid} {','.join(r.claims)}" for r in self.items]
        steps += [r.key() for r in self.data]
        return steps


def plan_undo(
    edits: Iterable[PageEdit],
    pages_now: Mapping[str, PageInfo],
    uploads: Iterable[str],
    bot: str,
    tails: Mapping[str, int] | None = None,
) -> UndoPlan:
    """The undo of a request's edits and uploads, given its pages as they are now.

    ``tails``: pages edited after the bot's last edit whose text is still the
    bot's (only their structured data changed), with their newest revision.
    """
    tails = tails or {}
    reverts: list[Revert] = []
    left: list[Left] = []
    newest: dict[str, PageEdit] = {}
    for edit in edits:  # oldest first
        before = newest.get(edit.title)
        if before is not None and edit.parent == before.revid:
            # the bot's edits follow each other: taking back the last takes back both
            edit = PageEdit(edit.title, edit.revid, before.parent, edit.record_id)
        newest[edit.title] = edit
    for title, edit in newest.items():
        page = pages_now.get(title)
        if page is None or not page.exists:
            left.append(Left(title, msg("hubbot-undo-page-gone")))
        elif page.revid != edit.revid and tails.get(title) != page.revid:
            who: Param = page.user or msg("hubbot-undo-someone")
            left.append(Left(title, msg("hubbot-undo-edited-after", who)))
        else:
            tail = page.revid if page.revid != edit.revid else 0
            reverts.append(Revert(title, edit.revid, edit.parent, edit.record_id, tail))
    files = tuple(dict.fromkeys(f"File:{u.removeprefix('File:')}" for u in uploads))
    for title in files:
        page = pages_now.get(title)
        if page is not None and page.exists and page.user and page.user != bot:
            left.append(Left(title, msg("hubbot-undo-file-edited", page.user)))
    return UndoPlan(tuple(reverts), files, tuple(left))
