"""Answers of a Wikibase kept for a while: suggestions and lookups of existing items.

A hub of many mapping tables, or a request that waits days for its
approval, would otherwise ask the Wikibase the same questions at every run.
Each answer is kept under the SHA-1 of its question with the time it was
asked; the caller says how old an answer it accepts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, delete, select
from sqlalchemy.engine import Connection

from bots.store.db import Database
from bots.store.schema import wikibase_lookups
from bots.store.values import from_json, to_json


def lookup_key(*question: str) -> str:
    """The key of a question: the SHA-1 of its parts."""
    return hashlib.sha1("\x1f".join(question).encode("utf-8")).hexdigest()


class Lookups(Database):
    """Answers kept by question."""

    def recall(self, keys: list[str], max_age: timedelta) -> dict[str, Any]:
        """The answers to ``keys`` asked no longer than ``max_age`` ago."""
        oldest = self._now() - max_age
        found: dict[str, Any] = {}
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            query = select(wikibase_lookups).where(
                wikibase_lookups.c.lookup.in_(batch), wikibase_lookups.c.checked >= oldest
            )
            rows = self._run("read kept Wikibase answers", all_rows(query), write=False)
            found.update({row.lookup: from_json(row.answer) for row in rows})
        return found

    def remember(self, key: str, answer: Any) -> None:
        """Keep an answer (replacing an older one)."""
        values = {"answer": to_json(answer), "checked": self._now()}
        self._upsert("keep a Wikibase answer", wikibase_lookups, {"lookup": key}, values, values)

    def forget_answers(self, keys: list[str]) -> None:
        where = wikibase_lookups.c.lookup.in_(keys)
        self._run(
            "forget kept Wikibase answers",
            lambda conn: conn.execute(delete(wikibase_lookups).where(where)),
        )


def all_rows(query: Any) -> Callable[[Connection], Sequence[Row[Any]]]:
    return lambda conn: conn.execute(query).fetchall()
