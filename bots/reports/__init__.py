"""The bot's own pages: Preview, Status, Dashboard and Impact, rendered from facts (pure).

Anything that came from a partner, a request page or the wiki (messages
quoting values, titles, reasons) is escaped here, so a report can never be
turned into markup by the data it reports on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bots.i18n import Message, PageLanguage
from bots.model import Problem


@dataclass(frozen=True)
class ShownProblem:
    """A problem as wikitext in the page's language: where it is, and what is wrong."""

    where: str
    message: str


def where_shown(where: str | Message, lang: PageLanguage) -> str:
    """A parameter's name as written (escaped), or the words that say where."""
    return lang.text(where) if isinstance(where, Message) else lang.value(where)


def shown_problems(problems: Iterable[Problem], lang: PageLanguage) -> list[ShownProblem]:
    """Problems as wikitext: the bot's words in ``lang``, every quoted value escaped."""
    return [ShownProblem(where_shown(p.where, lang), lang.text(p.message)) for p in problems]
