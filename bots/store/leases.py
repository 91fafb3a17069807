"""Leases: one run at a time works on a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bots.store.db import Database
from bots.store.schema import leases
from bots.store.values import check_name


@dataclass(frozen=True)
class Lease:
    """Who works on a request, and until when (UTC) unless renewed."""

    request: str
    holder: str
    expires: datetime


class Leases(Database):
    """Taking, renewing and releasing the lease on a request."""

    def acquire_lease(self, request: str, holder: str, seconds: float) -> bool:
        """Take (or extend) the lease on ``request`` for ``seconds``; False if another holds it.

        Atomic on both databases: the UPDATE only matches a lease that is ours
        or expired, and a missing lease is created by an INSERT that fails on
        the primary key when another process got there first.
        """
        check_name("request name", request)
        check_name("lease holder", holder)
        if seconds <= 0:
            raise ValueError(f"a lease must last more than 0 seconds, not {seconds}")
        now = self._now()
        expires = now + timedelta(seconds=seconds)
        take = (
            update(leases)
            .where(
                leases.c.request == request,
                or_(leases.c.holder == holder, leases.c.expires <= now),
            )
            .values(holder=holder, expires=expires)
        )
        action = f"take the lease on request {request}"
        if self._run(action, lambda conn: conn.execute(take).rowcount):
            return True
        try:
            self._run(
                action,
                lambda conn: conn.execute(
                    insert(leases).values(request=request, holder=holder, expires=expires)
                ),
            )
        except IntegrityError:
            return False
        return True

    def renew_lease(self, request: str, holder: str, seconds: float) -> bool:
        """Extend our lease to ``seconds`` from now; False if it is not (or no longer) ours."""
        if seconds <= 0:
            raise ValueError(f"a lease must last more than 0 seconds, not {seconds}")
        expires = self._now() + timedelta(seconds=seconds)
        renew = (
            update(leases)
            .where(leases.c.request == request, leases.c.holder == holder)
            .values(expires=expires)
        )
        return bool(
            self._run(
                f"renew the lease on request {request}", lambda conn: conn.execute(renew).rowcount
            )
        )

    def release_lease(self, request: str, holder: str) -> None:
        """Give the lease up, if it is ours; someone else's lease is left alone."""
        release = delete(leases).where(leases.c.request == request, leases.c.holder == holder)
        self._run(f"release the lease on request {request}", lambda conn: conn.execute(release))

    def lease(self, request: str) -> Lease | None:
        """Who holds the lease on ``request`` right now, or None if nobody does."""
        now = self._now()
        query = select(leases).where(leases.c.request == request, leases.c.expires > now)
        row = self._run(
            f"read the lease on request {request}",
            lambda conn: conn.execute(query).first(),
            write=False,
        )
        return None if row is None else Lease(row.request, row.holder, row.expires)
