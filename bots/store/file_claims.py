"""What batch edits added to files' structured data (SPEC 13), kept so that an undo takes
back exactly that and nothing else.

Each ``wbeditentity`` a batch edit sends is journalled first (:meth:`file_send_begin`,
what it sends); once the Wikibase answered, the statements it added (their ids,
from the answer) and its captions are kept and the send is forgotten, in one
transaction (:meth:`keep_file_claims`). A run that died before that, or an
edit that got no answer, leaves the send: the next read of the file tells
which of the sent statements and captions are there, and those are the bot's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.engine import Connection

from bots.pipeline.undo_files import CAPTION, STATEMENT, FileClaim
from bots.statements import EntityDraft, HeldStatement, draft_from_json
from bots.store.db import Database
from bots.store.schema import file_claims, file_sends
from bots.store.values import check_name, check_title


class FileClaims(Database):
    """Statements and captions the bot added to files in batch edits, by request."""

    def file_send_begin(self, request: str, record_id: str, title: str, sent: EntityDraft) -> None:
        """Before a file's ``wbeditentity`` is sent: what it sends (committed)."""
        check_name("record id", record_id)
        check_title("file title", title, record_id)
        text = json.dumps(sent.to_json(), ensure_ascii=False, sort_keys=True)
        values = {"title": title, "sent": text, "updated": self._now()}
        key = {"request": request, "record_id": record_id}
        self._upsert(
            f"journal the structured data sent for {record_id}", file_sends, key, values, values
        )

    def file_send(self, request: str, record_id: str) -> EntityDraft | None:
        """What an edit of the record's file sent that no answer settled yet, if any."""
        where = and_(file_sends.c.request == request, file_sends.c.record_id == record_id)
        row = self._run(
            f"read the structured data sent for {record_id}",
            lambda conn: conn.execute(select(file_sends.c.sent).where(where)).first(),
            write=False,
        )
        return None if row is None else draft_from_json(json.loads(row.sent))

    def file_send_forget(self, request: str, record_id: str) -> None:
        """The record's send wrote nothing (the Wikibase refused it): forget it."""
        where = and_(file_sends.c.request == request, file_sends.c.record_id == record_id)
        self._run(
            f"forget the structured data sent for {record_id}",
            lambda conn: conn.execute(delete(file_sends).where(where)),
        )

    def keep_file_claims(
        self,
        request: str,
        record_id: str,
        title: str,
        entity: str,
        revid: int,
        statements: Iterable[HeldStatement],
        captions: Mapping[str, str],
    ) -> None:
        """Journal what one edit of a file added, and forget its send (one transaction)."""
        check_name("record id", record_id)
        now = self._now()
        rows = [
            {"kind": STATEMENT, "claim": h.id, "property": h.property, "value": h.digest}
            for h in statements
        ] + [
            {"kind": CAPTION, "claim": lang, "property": "", "value": text}
            for lang, text in sorted(captions.items())
        ]

        def keep(conn: Connection) -> None:
            for row in rows:
                where = and_(
                    file_claims.c.request == request,
                    file_claims.c.entity == entity,
                    file_claims.c.kind == row["kind"],
                    file_claims.c.claim == row["claim"],
                )
                conn.execute(delete(file_claims).where(where))
                conn.execute(
                    insert(file_claims).values(
                        {
                            "request": request,
                            "entity": entity,
                            **row,
                            "record_id": record_id,
                            "title": title,
                            "revid": revid,
                            "updated": now,
                        }
                    )
                )
            conn.execute(
                delete(file_sends).where(
                    file_sends.c.request == request, file_sends.c.record_id == record_id
                )
            )

        self._run(f"journal the structured data added to {entity}", keep)

    def file_claims(self, request: str) -> list[FileClaim]:
        """Every statement and caption batch edits of ``request`` added to files, oldest first."""
        query = (
            select(file_claims)
            .where(file_claims.c.request == request)
            .order_by(file_claims.c.updated, file_claims.c.entity, file_claims.c.claim)
        )
        rows = self._run(
            f"read the structured data added for {request}",
            lambda conn: conn.execute(query).fetchall(),
            write=False,
        )
        return [
            FileClaim(
                entity=row.entity,
                title=f"File:{row.title}",
                kind=row.kind,
                key=row.claim,
                property=row.property,
                value=row.value,
                record_id=row.record_id,
            )
            for row in rows
        ]
