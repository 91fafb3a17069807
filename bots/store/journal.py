"""The journal: where each record of each request stands (DESIGN.md "State").

The wiki is the truth for what exists; the journal remembers, per request and
record, the planned title, the SHA-1 once known, the outcome, the reason and
the number of attempts, so that an interrupted run picks up where it stopped
and a finished record costs nothing on the next run. ``begin_upload`` is
committed before an upload is sent: a crash leaves the record ``IN_FLIGHT``
for the next run to check against the wiki.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.engine import Connection

from bots.store.db import Database
from bots.store.schema import records, requests, stashes, structured
from bots.store.values import check_name, check_sha1, check_title, cut


class Outcome(StrEnum):
    """Where a record stands. ``IN_FLIGHT`` means an upload may have reached the wiki."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    UPLOADED = "uploaded"
    DUPLICATE = "duplicate"
    FAILED = "failed"
    SKIPPED = "skipped"
    #: batch edits (SPEC 13): the page was changed, or already said what the request sets
    EDITED = "edited"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class RecordState:
    """What the journal knows about one record of one request."""

    request: str
    record_id: str
    title: str  # the full file title without "File:", or "" before it is known
    sha1: str  # lower-case hex, or "" before the media was fetched
    outcome: Outcome
    reason: str
    existing_file: str  # for duplicates: the file that already has this content
    attempts: int  # upload attempts started (begin_upload calls)
    updated: datetime  # UTC


def _record(row: Any) -> RecordState:
    return RecordState(
        request=row.request,
        record_id=row.record_id,
        title=row.title,
        sha1=row.sha1,
        outcome=Outcome(row.outcome),
        reason=row.reason,
        existing_file=row.existing_file,
        attempts=row.attempts,
        updated=row.updated,
    )


class Journal(Database):
    """Records and their outcomes."""

    def get(self, request: str, record_id: str) -> RecordState | None:
        """The journal entry of one record, or None if the store never saw it."""
        where = and_(records.c.request == request, records.c.record_id == record_id)
        row = self._run(
            f"read record {record_id}",
            lambda conn: conn.execute(select(records).where(where)).first(),
            write=False,
        )
        return None if row is None else _record(row)

    def all(self, request: str, *, page_size: int = 1000) -> Iterator[RecordState]:
        """Every record of ``request`` by id, read page by page.

        Pages keep each read short, so the caller may write to the store while
        iterating without waiting on its own read.
        """
        after: str | None = None
        while True:
            query = (
                select(records)
                .where(records.c.request == request)
                .order_by(records.c.record_id)
                .limit(page_size)
            )
            if after is not None:
                query = query.where(records.c.record_id > after)
            states = self._select(f"read the records of {request}", query)
            yield from states
            if len(states) < page_size:
                return
            after = states[-1].record_id

    def in_flight(self, request: str) -> list[RecordState]:
        """Records whose upload may have reached the wiki: ask the wiki before resending."""
        return self._select(
            f"read the unfinished uploads of {request}",
            select(records)
            .where(records.c.request == request, records.c.outcome == Outcome.IN_FLIGHT.value)
            .order_by(records.c.updated, records.c.record_id),
        )

    def recent(self, request: str, outcome: Outcome, limit: int) -> list[RecordState]:
        """The ``limit`` records most recently given ``outcome``, newest first."""
        return self._select(
            f"read the recent records of {request}",
            select(records)
            .where(records.c.request == request, records.c.outcome == Outcome(outcome).value)
            .order_by(records.c.updated.desc(), records.c.record_id.desc())
            .limit(max(0, limit)),
        )

    def _select(self, action: str, query: Any) -> list[RecordState]:
        rows = self._run(action, lambda conn: conn.execute(query).all(), write=False)
        return [_record(row) for row in rows]

    def counts(self, request: str) -> dict[Outcome, int]:
        """How many records of ``request`` have each outcome (every outcome present)."""
        query = (
            select(records.c.outcome, func.count())
            .where(records.c.request == request)
            .group_by(records.c.outcome)
        )
        rows = self._run(
            f"count the records of {request}", lambda conn: conn.execute(query).all(), write=False
        )
        counted = dict.fromkeys(Outcome, 0)
        for outcome, number in rows:
            counted[Outcome(outcome)] = int(number)
        return counted

    def counts_by_request(self) -> dict[str, dict[Outcome, int]]:
        """:meth:`counts` of every request, in one read (for the dashboard)."""
        query = select(records.c.request, records.c.outcome, func.count()).group_by(
            records.c.request, records.c.outcome
        )
        rows = self._run(
            "count the records of every request",
            lambda conn: conn.execute(query).all(),
            write=False,
        )
        counted: dict[str, dict[Outcome, int]] = {}
        for request, outcome, number in rows:
            counted.setdefault(str(request), dict.fromkeys(Outcome, 0))[Outcome(outcome)] = int(
                number
            )
        return counted

    def begin_upload(self, request: str, record_id: str, title: str, sha1: str) -> None:
        """Mark the record IN_FLIGHT and count the attempt; committed on return.

        Call it before the upload is sent: if the run dies mid-upload, the next
        run finds the record in :meth:`in_flight` and asks the wiki first.
        """
        check_name("request name", request)
        check_name("record id", record_id)
        check_title("file title", title, record_id)
        sha1 = check_sha1(sha1, record_id)
        changes = {
            "title": title,
            "sha1": sha1,
            "outcome": Outcome.IN_FLIGHT.value,
            "reason": "",
            "existing_file": "",
            "updated": self._now(),
        }
        self._upsert(
            f"start the upload of record {record_id}",
            records,
            {"request": request, "record_id": record_id},
            {**changes, "attempts": records.c.attempts + 1},
            {**changes, "attempts": 1},
        )

    def finish(
        self,
        request: str,
        record_id: str,
        outcome: Outcome,
        *,
        title: str = "",
        sha1: str = "",
        reason: str = "",
        existing_file: str = "",
    ) -> None:
        """Record how a record ended (or put it back to PENDING).

        An empty ``title`` or ``sha1`` keeps what the store already knows;
        ``reason`` and ``existing_file`` always describe the new outcome.
        """
        outcome = Outcome(outcome)
        if outcome is Outcome.IN_FLIGHT:
            raise ValueError(f"record {record_id}: use begin_upload to mark an upload in flight")
        check_name("request name", request)
        check_name("record id", record_id)
        check_title("file title", title, record_id)
        check_title("existing file", existing_file, record_id)
        sha1 = check_sha1(sha1, record_id)
        changes: dict[str, Any] = {
            "outcome": outcome.value,
            "reason": cut(reason),
            "existing_file": existing_file,
            "updated": self._now(),
        }
        if title:
            changes["title"] = title
        if sha1:
            changes["sha1"] = sha1
        self._upsert(
            f"save the outcome of record {record_id}",
            records,
            {"request": request, "record_id": record_id},
            changes,
            {"title": title, "sha1": sha1, "attempts": 0, **changes},
        )

    def forget(self, request: str) -> None:
        """Drop the journal and facts of ``request``; its lease and snapshots stay."""

        def drop(conn: Connection) -> None:
            conn.execute(delete(records).where(records.c.request == request))
            conn.execute(delete(stashes).where(stashes.c.request == request))
            conn.execute(delete(structured).where(structured.c.request == request))
            conn.execute(delete(requests).where(requests.c.request == request))

        self._run(f"forget request {request}", drop)
