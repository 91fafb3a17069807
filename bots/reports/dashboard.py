"""The hub's dashboard: one row per request (SPEC 2), in the wiki's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bots.i18n import ENGLISH, Message, PageLanguage, Wikitext, msg
from bots.model import STATES
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


def state_name(state: str) -> Message:
    """A request's state in words (``hubbot-state-done``...); an unknown one as it is."""
    return msg(f"hubbot-state-{state}") if state in STATES else Message.verbatim(state)


def render_dashboard(
    rows: Sequence[DashboardRow],
    *,
    stopped: str | Message = "",
    updated: str = "",
    lang: PageLanguage = ENGLISH,
) -> str:
    return render_report(
        "dashboard.wikitext.j2",
        lang,
        rows=[
            {
                "link": lang.value(Wikitext(f"[[{r.page}|{escape_value(r.name)}]]")),
                "partner": lang.value(r.partner),
                "state": lang.text(state_name(r.state)),
                "done": lang.value(r.done),
                "total": lang.value(r.total),
                "updated": r.updated,
            }
            for r in sorted(rows, key=lambda r: r.name.casefold())
        ],
        stopped=stopped,
        updated=updated,
    )
