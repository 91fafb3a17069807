"""The journal of items (SPEC 12): per record, the item the bot created or linked.

A creation is journalled ``in_flight`` (with the label and description it
sends) and committed *before* the ``wbeditentity`` goes out, and ``created``
once the Wikibase named the new item. A crash in between leaves the record in
flight: the next run looks for an item with exactly that label and
description (Wikibase allows only one) before it sends anything again, so a
crash never makes a second item for a record. The journal also answers "did
the bot itself make an item for these terms or this identifier?" across
requests, the last place the bot looks before creating one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, delete, func, select, update

from bots.store.db import Database
from bots.store.lookups import all_rows
from bots.store.schema import items
from bots.store.values import check_name, cut


class ItemState(StrEnum):
    IN_FLIGHT = "in_flight"  # a creation was sent; its answer is not journalled
    CREATED = "created"
    MATCHED = "matched"  # an existing item, linked
    FAILED = "failed"  # the Wikibase refused; the reason says why


#: States in which a record has its item.
LINKED = (ItemState.CREATED, ItemState.MATCHED)


@dataclass(frozen=True)
class ItemEntry:
    request: str
    record_id: str
    item: str
    state: ItemState
    label: str
    description: str
    language: str
    reason: str
    file_linked: bool
    image_done: bool
    updated: datetime


def terms_key(language: str, label: str, description: str) -> str:
    return _sha1("terms", language, label, description)


def identifier_key(prop: str, value: str, collection: str) -> str:
    return _sha1("identifier", prop, value, collection)


def _sha1(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def _entry(row: Any) -> ItemEntry:
    return ItemEntry(
        request=row.request,
        record_id=row.record_id,
        item=row.item,
        state=ItemState(row.state),
        label=row.label,
        description=row.description,
        language=row.language,
        reason=row.reason,
        file_linked=bool(row.file_linked),
        image_done=bool(row.image_done),
        updated=row.updated,
    )


class ItemJournal(Database):
    """Records' items."""

    def item_entries(self, request: str) -> dict[str, ItemEntry]:
        """Every record of ``request`` the item journal knows, by record id."""
        query = select(items).where(items.c.request == request)
        rows = self._run(
            f"read the items of {request}",
            lambda conn: conn.execute(query).fetchall(),
            write=False,
        )
        return {row.record_id: _entry(row) for row in rows}

    def item_entry(self, request: str, record_id: str) -> ItemEntry | None:
        where = and_(items.c.request == request, items.c.record_id == record_id)
        row = self._run(
            f"read the item of record {record_id}",
            lambda conn: conn.execute(select(items).where(where)).first(),
            write=False,
        )
        return None if row is None else _entry(row)

    def begin_item(
        self,
        request: str,
        record_id: str,
        *,
        label: str,
        description: str,
        language: str,
        identifier: str = "",
    ) -> None:
        """Journal a creation about to be sent (committed before it goes out)."""
        check_name("request name", request)
        check_name("record id", record_id)
        values = {
            "item": "",
            "state": ItemState.IN_FLIGHT.value,
            "label": label,
            "description": description,
            "language": language,
            "terms_key": terms_key(language, label, description),
            "identifier_key": identifier,
            "reason": "",
            "updated": self._now(),
        }
        first = {**values, "file_linked": 0, "image_done": 0}
        key = {"request": request, "record_id": record_id}
        self._upsert(f"journal the item of record {record_id}", items, key, values, first)

    def finish_item(
        self,
        request: str,
        record_id: str,
        state: ItemState,
        *,
        item: str = "",
        reason: str = "",
        label: str = "",
        description: str = "",
        language: str = "",
        identifier: str = "",
    ) -> None:
        """Record how a record's item ended: created, matched (with its id) or failed."""
        check_name("record id", record_id)
        changes: dict[str, Any] = {
            "item": item,
            "state": state.value,
            "reason": cut(reason),
            "updated": self._now(),
        }
        first = {
            **changes,
            "label": label,
            "description": description,
            "language": language,
            "terms_key": terms_key(language, label, description),
            "identifier_key": identifier,
            "file_linked": 0,
            "image_done": 0,
        }
        if identifier:
            changes["identifier_key"] = identifier
        key = {"request": request, "record_id": record_id}
        self._upsert(f"journal the item of record {record_id}", items, key, changes, first)

    def mark_item(
        self,
        request: str,
        record_id: str,
        *,
        file_linked: bool | None = None,
        image_done: bool | None = None,
    ) -> None:
        """Note that the record's file and item are linked (P6243, P18)."""
        changes: dict[str, Any] = {"updated": self._now()}
        if file_linked is not None:
            changes["file_linked"] = int(file_linked)
        if image_done is not None:
            changes["image_done"] = int(image_done)
        where = and_(items.c.request == request, items.c.record_id == record_id)
        self._run(
            f"note the links of record {record_id}'s item",
            lambda conn: conn.execute(update(items).where(where).values(changes)),
        )

    def forget_item(self, request: str, record_id: str) -> None:
        where = and_(items.c.request == request, items.c.record_id == record_id)
        self._run(
            f"forget the item of record {record_id}",
            lambda conn: conn.execute(delete(items).where(where)),
        )

    def forget_failed_items(self, request: str) -> None:
        """A new approval gives records whose item was refused another try."""
        where = and_(items.c.request == request, items.c.state == ItemState.FAILED.value)
        self._run(
            f"forget the refused items of {request}",
            lambda conn: conn.execute(delete(items).where(where)),
        )

    def items_with_keys(self, keys: Iterable[str]) -> dict[str, list[str]]:
        """Items the bot created or linked, by their terms key or identifier key (any request)."""
        wanted = [k for k in dict.fromkeys(keys) if k]
        found: dict[str, list[str]] = {}
        linked = [s.value for s in LINKED]
        for start in range(0, len(wanted), 500):
            batch = wanted[start : start + 500]
            query = select(items.c.item, items.c.terms_key, items.c.identifier_key).where(
                items.c.state.in_(linked),
                (items.c.terms_key.in_(batch)) | (items.c.identifier_key.in_(batch)),
            )
            rows = self._run("look up the bot's own items", all_rows(query), write=False)
            for row in rows:
                for key in (row.terms_key, row.identifier_key):
                    if key in batch and row.item not in found.setdefault(key, []):
                        found[key].append(row.item)
        return found

    def item_counts(self, request: str) -> dict[ItemState, int]:
        query = (
            select(items.c.state, func.count())
            .where(items.c.request == request)
            .group_by(items.c.state)
        )
        rows = self._run(
            f"count the items of {request}",
            lambda conn: conn.execute(query).fetchall(),
            write=False,
        )
        counts = dict.fromkeys(ItemState, 0)
        for state, number in rows:
            counts[ItemState(state)] = int(number)
        return counts
