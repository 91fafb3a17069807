"""The statements the bot added to items (SPEC 12), kept so that an undo can take
back exactly those and nothing else (SPEC 13).

Written right after the Wikibase answered the edit (the answer names the new
statements' ids). A statement whose edit got no answer is not known here:
the undo leaves it, as it leaves anything it cannot tell is the bot's.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, select, update

from bots.pipeline.undo_items import ItemClaim
from bots.statements import HeldStatement
from bots.store.db import Database
from bots.store.items import ItemState
from bots.store.schema import item_claims, items
from bots.store.values import check_name


class ItemClaims(Database):
    """Statements the bot added to items, by request."""

    def keep_item_claims(
        self,
        request: str,
        record_id: str,
        item: str,
        revid: int,
        added: Iterable[HeldStatement],
    ) -> None:
        """Journal the statements one edit of ``item`` added (its answer's ``revid``).

        The item's other journalled statements of this request move to
        ``revid`` too: the bot's edit is now the item's newest.
        """
        check_name("record id", record_id)
        now = self._now()
        for held in added:
            key = {"request": request, "claim": held.id}
            values = {
                "record_id": record_id,
                "item": item,
                "property": held.property,
                "digest": held.digest,
                "revid": revid,
                "updated": now,
            }
            self._upsert(f"journal a statement of {item}", item_claims, key, values, values)
        where = and_(item_claims.c.request == request, item_claims.c.item == item)
        self._run(
            f"note the bot's revision of {item}",
            lambda conn: conn.execute(update(item_claims).where(where).values(revid=revid)),
        )

    def item_claims(self, request: str) -> list[ItemClaim]:
        """Every statement the bot added to items for ``request``, oldest first."""
        query = (
            select(item_claims, items.c.state)
            .select_from(
                item_claims.outerjoin(
                    items,
                    and_(
                        items.c.request == item_claims.c.request,
                        items.c.record_id == item_claims.c.record_id,
                    ),
                )
            )
            .where(item_claims.c.request == request)
            .order_by(item_claims.c.updated, item_claims.c.claim)
        )
        rows = self._run(
            f"read the item statements of {request}",
            lambda conn: conn.execute(query).fetchall(),
            write=False,
        )
        return [
            ItemClaim(
                item=row.item,
                claim=row.claim,
                property=row.property,
                digest=row.digest,
                revid=int(row.revid),
                record_id=row.record_id,
                created=row.state == ItemState.CREATED.value,
            )
            for row in rows
        ]
