"""The journal of structured data on uploaded files (SPEC 11).

A record's row is written *before* its upload is sent (``pending``, with the
draft the approval covers), so a run that dies between the upload and the
``wbeditentity`` leaves it pending, and the next run finishes it (reading the
entity first, adding only what is missing). ``done`` keeps what the bot
wrote, the base of ``hubbot sync``'s three-way merge; ``failed`` keeps why
the Wikibase refused it for good.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, delete, func, select

from bots.statements import EntityDraft, draft_from_json
from bots.store.db import Database
from bots.store.schema import records, structured
from bots.store.values import check_name, check_title, cut

#: Outcomes of a record whose file is there to get structured data: uploaded, or edited
#: (or found as the request sets it) by a batch edit (SPEC 13).
WITH_FILE = ("uploaded", "edited", "unchanged")


class DataState(StrEnum):
    """Where a file's structured data stands."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class StructuredState:
    """What the journal knows of one record's structured data."""

    request: str
    record_id: str
    title: str  # the file title without "File:", "" before the upload
    state: DataState
    draft: EntityDraft  # pending: what to add; done: what the bot wrote
    entity: str  # M<page id>, once known
    reason: str
    attempts: int  # wbeditentity attempts that did not settle it
    updated: datetime


def _state(row: Any) -> StructuredState:
    return StructuredState(
        request=row.request,
        record_id=row.record_id,
        title=row.title,
        state=DataState(row.state),
        draft=draft_from_json(json.loads(row.draft)),
        entity=row.entity,
        reason=row.reason,
        attempts=row.attempts,
        updated=row.updated,
    )


def _json(draft: EntityDraft) -> str:
    return json.dumps(draft.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class StructuredJournal(Database):
    """Each uploaded record's structured data: pending, done (with what was written) or failed."""

    def structured_begin(self, request: str, record_id: str, draft: EntityDraft) -> None:
        """Before the upload is sent: this record's file is to get ``draft`` (committed)."""
        check_name("request name", request)
        check_name("record id", record_id)
        changes = {
            "state": DataState.PENDING.value,
            "draft": _json(draft),
            "reason": "",
            "updated": self._now(),
        }
        self._upsert(
            f"remember the structured data of record {record_id}",
            structured,
            {"request": request, "record_id": record_id},
            changes,
            {"title": "", "entity": "", "attempts": 0, **changes},
        )

    def structured_settle(
        self,
        request: str,
        record_id: str,
        state: DataState,
        *,
        title: str = "",
        draft: EntityDraft | None = None,
        entity: str = "",
        reason: str = "",
        attempt: bool = False,
    ) -> None:
        """Record where a record's structured data stands now.

        An empty ``title`` or ``entity`` and a missing ``draft`` keep what the
        store knows; ``attempt`` counts one more edit that did not settle it.
        """
        check_title("file title", title, record_id)
        changes: dict[str, Any] = {
            "state": DataState(state).value,
            "reason": cut(reason),
            "updated": self._now(),
        }
        if title:
            changes["title"] = title
        if entity:
            changes["entity"] = entity
        if draft is not None:
            changes["draft"] = _json(draft)
        if attempt:
            changes["attempts"] = structured.c.attempts + 1
        where = and_(structured.c.request == request, structured.c.record_id == record_id)
        self._run(
            f"save the structured data of record {record_id}",
            lambda conn: conn.execute(structured.update().where(where).values(changes)),
        )

    def structured_drop(self, request: str, record_id: str) -> None:
        """Forget a record's structured data (its file is someone else's, or not uploaded)."""
        where = and_(structured.c.request == request, structured.c.record_id == record_id)
        self._run(
            f"forget the structured data of record {record_id}",
            lambda conn: conn.execute(delete(structured).where(where)),
        )

    def structured_states(
        self, request: str, state: DataState | None = None, *, limit: int | None = None
    ) -> list[StructuredState]:
        """The request's rows (of one state), oldest change first."""
        query = select(structured).where(structured.c.request == request)
        if state is not None:
            query = query.where(structured.c.state == DataState(state).value)
        query = query.order_by(structured.c.updated, structured.c.record_id)
        if limit is not None:
            query = query.limit(max(0, limit))
        return self._structured_rows(request, query)

    def _structured_rows(self, request: str, query: Any) -> list[StructuredState]:
        rows = self._run(
            f"read the structured data of {request}",
            lambda conn: conn.execute(query).all(),
            write=False,
        )
        return [_state(row) for row in rows]

    def structured_of(self, request: str, record_ids: Iterable[str]) -> dict[str, StructuredState]:
        """The rows of some records, by record id (records without one are left out)."""
        wanted = list(dict.fromkeys(record_ids))
        out: dict[str, StructuredState] = {}
        for start in range(0, len(wanted), 500):
            batch = wanted[start : start + 500]
            query = select(structured).where(
                structured.c.request == request, structured.c.record_id.in_(batch)
            )
            out.update((s.record_id, s) for s in self._structured_rows(request, query))
        return out

    def structured_counts(self, request: str) -> dict[DataState, int]:
        """How many of the request's files are pending, done or failed (every state).

        Only uploaded files (and, in a batch edit, files whose page edit is
        settled) count: a record whose upload has not happened yet is not
        waiting for its structured data but for its upload.
        """
        query = (
            select(structured.c.state, func.count())
            .select_from(
                structured.join(
                    records,
                    and_(
                        records.c.request == structured.c.request,
                        records.c.record_id == structured.c.record_id,
                    ),
                )
            )
            .where(structured.c.request == request, records.c.outcome.in_(WITH_FILE))
            .group_by(structured.c.state)
        )
        rows = self._run(
            f"count the structured data of {request}",
            lambda conn: conn.execute(query).all(),
            write=False,
        )
        counted = dict.fromkeys(DataState, 0)
        for state, number in rows:
            counted[DataState(state)] = int(number)
        return counted
