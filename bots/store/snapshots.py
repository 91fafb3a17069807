"""Small dated snapshots of figures, for reports that show a trend."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from bots.store.db import Database
from bots.store.schema import snapshots
from bots.store.values import check_name, day_of, from_json, to_json


class Snapshots(Database):
    """One JSON value per request, day and key."""

    def put_snapshot(self, request: str, day: date, key: str, value: Any) -> None:
        """Keep ``value`` (JSON) for ``key`` on ``day``, replacing that day's value.

        Use ``HUB_WIDE`` as the request for figures about the whole hub.
        """
        check_name("request name", request, allow_empty=True)
        check_name("snapshot key", key)
        text = to_json(value)
        self._upsert(
            f"save snapshot {key} of request {request}",
            snapshots,
            {"request": request, "day": day_of(day), "name": key},
            {"value": text},
            {"value": text},
        )

    def get_snapshot(self, request: str, day: date, key: str) -> Any | None:
        """The value kept for ``key`` on ``day``, or None."""
        query = select(snapshots.c.value).where(
            snapshots.c.request == request,
            snapshots.c.day == day_of(day),
            snapshots.c.name == key,
        )
        text = self._run(
            f"read snapshot {key} of request {request}",
            lambda conn: conn.execute(query).scalar(),
            write=False,
        )
        return None if text is None else from_json(text)

    def snapshots(
        self, request: str, key: str, *, since: date | None = None
    ) -> list[tuple[date, Any]]:
        """Every (day, value) kept for ``key``, oldest first, from ``since`` on."""
        query = select(snapshots.c.day, snapshots.c.value).where(
            snapshots.c.request == request, snapshots.c.name == key
        )
        if since is not None:
            query = query.where(snapshots.c.day >= day_of(since))
        rows = self._run(
            f"read snapshots {key} of request {request}",
            lambda conn: conn.execute(query.order_by(snapshots.c.day)).all(),
            write=False,
        )
        return [(row.day, from_json(row.value)) for row in rows]
