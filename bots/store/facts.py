"""A few facts per request (state, preview id, totals), kept as one JSON object."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bots.model import RequestFacts
from bots.store.db import RETRIES, Database, StateStoreError
from bots.store.schema import requests
from bots.store.values import check_name, from_json, to_json


class Facts(Database):
    """What the bot remembers about each request between runs."""

    def request_facts(self, request: str) -> RequestFacts:
        """The facts of ``request`` (all defaults for a request never seen)."""
        return RequestFacts.from_json(self.get_request(request) or {})

    def all_request_facts(self) -> dict[str, RequestFacts]:
        """The facts of every request the store knows, in one read (a hub's pass needs them all)."""
        query = select(requests.c.request, requests.c.facts)
        rows = self._run("read the requests", lambda conn: conn.execute(query).all(), write=False)
        return {str(name): RequestFacts.from_json(dict(from_json(text))) for name, text in rows}

    def update_request(self, request: str, **changes: Any) -> None:
        """Change some facts of ``request``; a name that is not a fact is a programming error."""
        unknown = set(changes) - set(RequestFacts.__dataclass_fields__)
        if unknown:
            raise TypeError(f"not facts of a request: {', '.join(sorted(unknown))}")
        merged = replace(RequestFacts(), **changes).to_json()
        self.set_request(request, **{name: merged[name] for name in changes})

    def get_request(self, request: str) -> dict[str, Any] | None:
        """The facts saved for ``request`` (datetimes come back as UTC datetimes)."""
        query = select(requests.c.facts).where(requests.c.request == request)
        text = self._run(
            f"read request {request}", lambda conn: conn.execute(query).scalar(), write=False
        )
        return None if text is None else dict(from_json(text))

    def set_request(self, request: str, **fields: Any) -> None:
        """Merge ``fields`` into the facts of ``request`` (state, preview_id, total...).

        Values are anything JSON can hold, plus aware datetimes and dates.
        """
        check_name("request name", request)
        to_json(fields)  # fail on values the store cannot keep, before touching it
        where = requests.c.request == request

        def merge(conn: Connection) -> bool:
            text = conn.execute(select(requests.c.facts).where(where).with_for_update()).scalar()
            if text is None:
                return False
            facts = from_json(text)
            facts.update(fields)
            conn.execute(
                update(requests).where(where).values(facts=to_json(facts), updated=self._now())
            )
            return True

        for _ in range(RETRIES):
            if self._run(f"save request {request}", merge):
                return
            try:
                self._run(
                    f"save request {request}",
                    lambda conn: conn.execute(
                        insert(requests).values(
                            request=request, facts=to_json(fields), updated=self._now()
                        )
                    ),
                )
                return
            except IntegrityError:
                continue
        raise StateStoreError(f"the state store {self._display} could not save request {request}")
