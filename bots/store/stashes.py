"""Chunked uploads in progress: where each stands in the wiki's upload stash.

A run that died mid-file resumes from the offset the wiki confirmed.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, select

from bots.model import StashState
from bots.store.db import Database
from bots.store.schema import stashes
from bots.store.values import check_name, check_sha1


class Stashes(Database):
    """The upload stash of each record whose chunked upload is under way."""

    def put_stash(self, request: str, record_id: str, stash: StashState) -> None:
        """Remember how far a chunked upload got (the wiki confirmed ``stash.offset`` bytes)."""
        check_name("request name", request)
        check_name("record id", record_id)
        check_name("stash file key", stash.filekey)
        sha1 = check_sha1(stash.sha1, record_id)
        if not 0 <= stash.offset <= stash.size:
            raise ValueError(
                f"record {record_id}: stash offset {stash.offset} is not within 0..{stash.size}"
            )
        if stash.started.tzinfo is None:
            raise ValueError(
                f"time {stash.started} has no time zone; the state store keeps UTC times"
            )
        values = {
            "filekey": stash.filekey,
            "held": stash.offset,
            "size": stash.size,
            "sha1": sha1,
            "started": stash.started,
            "complete": 1 if stash.complete else 0,
        }
        self._upsert(
            f"save the upload stash of record {record_id}",
            stashes,
            {"request": request, "record_id": record_id},
            values,
            values,
        )

    def get_stash(self, request: str, record_id: str) -> StashState | None:
        """The stash kept by :meth:`put_stash`, or None."""
        where = and_(stashes.c.request == request, stashes.c.record_id == record_id)
        row = self._run(
            f"read the upload stash of record {record_id}",
            lambda conn: conn.execute(select(stashes).where(where)).first(),
            write=False,
        )
        if row is None:
            return None
        return StashState(
            filekey=row.filekey,
            offset=int(row.held),
            size=int(row.size),
            sha1=row.sha1,
            started=row.started,
            complete=bool(row.complete),
        )

    def stashed_records(self, request: str) -> set[str]:
        """The records of ``request`` that have a stash kept (one read for a whole batch)."""
        query = select(stashes.c.record_id).where(stashes.c.request == request)
        rows = self._run(
            f"read the upload stashes of {request}",
            lambda conn: conn.execute(query).scalars().all(),
            write=False,
        )
        return {str(record_id) for record_id in rows}

    def drop_stash(self, request: str, record_id: str) -> None:
        """Forget a record's stash (its upload finished, failed or starts again)."""
        where = and_(stashes.c.request == request, stashes.c.record_id == record_id)
        self._run(
            f"forget the upload stash of record {record_id}",
            lambda conn: conn.execute(delete(stashes).where(where)),
        )
