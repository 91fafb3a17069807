"""The bot's own pages: Preview, Status, Dashboard and Impact, rendered from facts (pure).

Anything that came from a partner, a request page or the wiki (messages
quoting values, titles, reasons) is escaped here, so a report can never be
turned into markup by the data it reports on.
"""

from __future__ import annotations

from collections.abc import Iterable

from bots.model import Problem
from bots.pipeline.escape import escape_value


def escaped(problems: Iterable[Problem]) -> list[Problem]:
    """Problems as wikitext that shows them literally."""
    return [Problem(escape_value(p.where), escape_value(p.message)) for p in problems]
