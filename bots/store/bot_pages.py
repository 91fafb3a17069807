"""The bot's own pages as it last saved them, so that a changed page is saved without a read.

A run that uploads writes the request's status page and the hub's dashboard;
both change with every run. Reading each page before saving it would cost a
request per page per save; instead the journal keeps the revision the bot
made and the SHA-1 of its text, and the next save names that revision as its
base. If someone edited the page since, the wiki answers with an edit
conflict and the bot reads the page then (:meth:`bots.jobs.pages.BotPages.save_if_changed`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from bots.store.db import Database
from bots.store.schema import bot_pages


def _key(title: str) -> str:
    return hashlib.sha1(title.encode("utf-8")).hexdigest()


def text_sha1(text: str) -> str:
    """The SHA-1 of a page text as the bot compares it (trailing white space aside)."""
    return hashlib.sha1(text.rstrip().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SavedPage:
    """A revision the bot made of one of its pages."""

    revid: int
    timestamp: str
    text_sha1: str


class BotPageJournal(Database):
    """Which revision of each bot page the bot made last, and of which text."""

    def saved_page(self, title: str) -> SavedPage | None:
        query = select(bot_pages.c.revid, bot_pages.c.timestamp, bot_pages.c.text_sha1).where(
            bot_pages.c.title_key == _key(title)
        )
        row = self._run(
            f"read the last save of {title}",
            lambda conn: conn.execute(query).first(),
            write=False,
        )
        if row is None:
            return None
        return SavedPage(int(row.revid), str(row.timestamp), str(row.text_sha1))

    def remember_saved_page(self, title: str, page: SavedPage) -> None:
        values = {"revid": page.revid, "timestamp": page.timestamp, "text_sha1": page.text_sha1}
        self._upsert(
            f"remember the save of {title}",
            bot_pages,
            {"title_key": _key(title)},
            values,
            values,
        )
