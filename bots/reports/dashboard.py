"""The hub's dashboard: one row per request (SPEC 2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bots.pipeline.escape import escape_value
from bots.templates import render_report


@dataclass(frozen=True)
class DashboardRow:
    name: str
    page: str
    partner: str
    state: str
    done: int
    total: int
    updated: str


def render_dashboard(rows: Sequence[DashboardRow], *, stopped: str = "", updated: str = "") -> str:
    return render_report(
        "dashboard.wikitext.j2",
        rows=[
            DashboardRow(
                escape_value(r.name),
                r.page,
                escape_value(r.partner),
                r.state,
                r.done,
                r.total,
                r.updated,
            )
            for r in sorted(rows, key=lambda r: r.name.casefold())
        ],
        stopped=escape_value(stopped),
        updated=updated,
    )
