"""The bot speaks the partner's language (SPEC 14): messages, their files, their rendering.

A page the bot writes is rendered in one :class:`PageLanguage`; every word on
it comes from ``i18n/LANG.json`` through a :class:`Message`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bots.i18n.catalog import SOURCE_LANGUAGE, catalog, direction, valid_language
from bots.i18n.message import (
    VERBATIM,
    ItemList,
    Message,
    MessageError,
    Param,
    Wikitext,
    capped,
    from_text,
    items,
    msg,
    to_text,
)
from bots.i18n.render import plain, render

__all__ = [
    "SOURCE_LANGUAGE",
    "VERBATIM",
    "ItemList",
    "Message",
    "ENGLISH",
    "PageLanguage",
    "Param",
    "Wikitext",
    "catalog",
    "direction",
    "MessageError",
    "capped",
    "from_text",
    "to_text",
    "items",
    "msg",
    "plain",
    "render",
    "valid_language",
]


@dataclass(frozen=True)
class PageLanguage:
    """The language one page is written in: its code, its direction, its messages."""

    code: str = SOURCE_LANGUAGE
    #: the wiki's content language: text shown as the wiki will show it (file pages)
    content: str = SOURCE_LANGUAGE

    @property
    def dir(self) -> str:
        return direction(self.code)

    @property
    def content_dir(self) -> str:
        return direction(self.content)

    def __call__(self, key: str, *params: Param) -> str:
        """``lang("hubbot-status-heading-problems")``: one message, as wikitext."""
        return render(Message(key, tuple(params)), self.code)

    def text(self, message: Message) -> str:
        return render(message, self.code)

    def value(self, value: Param) -> str:
        """One value as wikitext: escaped (unless it is the bot's own markup) and isolated."""
        return render(Message(VERBATIM, (value,)), self.code)

    def wrapper(self) -> str:
        """The opening ``<div>`` that gives a page its language and direction."""
        return f'<div lang="{self.code}" dir="{self.dir}" class="mw-content-{self.dir}">'


#: English, the language every message has.
ENGLISH = PageLanguage()
