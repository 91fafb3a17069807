"""A sentence the bot writes, as a message key and its parameters, never as English text.

Everything the bot says on a wiki page is a :class:`Message`: the key names
the sentence in ``i18n/LANG.json`` and the parameters are the values it
quotes. Messages are kept in the journal as they are (key and parameters), so
a status page can be written again in another language, and only rendered
when a page is written (:mod:`bots.i18n.render`). ``str(message)`` gives the
English plain text, for logs and the command line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The key of text kept as it was written (text of the wiki, older journal entries).
VERBATIM = "hubbot-verbatim"


@dataclass(frozen=True)
class Wikitext:
    """Markup the bot made itself (a link, a file title as a link): put on a page as it is."""

    text: str


@dataclass(frozen=True)
class ItemList:
    """Values listed the language's way ("a, b and c"; ``style="or"``: "a, b or c").

    ``style="semicolon"`` joins sentences with the language's semicolon.
    """

    items: tuple[Param, ...]
    style: str = "standard"


@dataclass(frozen=True)
class Message:
    """One sentence: its key in the message files and its parameters (``$1``, ``$2``...)."""

    key: str
    params: tuple[Param, ...] = ()

    def __str__(self) -> str:
        from bots.i18n.render import plain

        return plain(self)

    def __contains__(self, text: str) -> bool:
        """Whether the English text holds ``text`` (for logs and tests that read English)."""
        return text in str(self)

    @classmethod
    def verbatim(cls, text: str) -> Message:
        """Text that is not the bot's own words: shown as it is, in every language."""
        return cls(VERBATIM, (text,))

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "params": [_param_to_json(p) for p in self.params]}

    @classmethod
    def from_json(cls, data: object) -> Message:
        """A message as the journal kept it; plain text (older journals) is kept verbatim."""
        if isinstance(data, Mapping) and "key" in data:
            return cls(str(data["key"]), tuple(_param_from_json(p) for p in data.get("params", [])))
        return cls.verbatim(str(data))


Param = str | int | Message | Wikitext | ItemList


def msg(key: str, *params: Param) -> Message:
    """``msg("hubbot-status-done", 3)``: a message with its parameters."""
    return Message(key, tuple(params))


def items(values: Sequence[Param], style: str = "standard") -> ItemList:
    return ItemList(tuple(values), style)


def _param_to_json(param: Param) -> object:
    if isinstance(param, Message):
        return param.to_json()
    if isinstance(param, Wikitext):
        return {"wikitext": param.text}
    if isinstance(param, ItemList):
        return {"items": [_param_to_json(p) for p in param.items], "style": param.style}
    return param


def _param_from_json(data: object) -> Param:
    if isinstance(data, bool):
        return str(data)
    if isinstance(data, int | str):
        return data
    if isinstance(data, Mapping):
        if "key" in data:
            return Message.from_json(data)
        if "wikitext" in data:
            return Wikitext(str(data["wikitext"]))
        if "items" in data:
            return ItemList(
                tuple(_param_from_json(p) for p in data["items"]), str(data.get("style", ""))
            )
    return str(data)


#: How long a quoted value may be in a message kept as a record's reason.
_KEPT_PARAM_CHARS = 300


def to_text(message: Message | None) -> str:
    """A message as the journal's one line of text (JSON); "" for none."""
    if message is None:
        return ""
    return json.dumps(_shortened(message).to_json(), ensure_ascii=False, separators=(",", ":"))


def from_text(text: str) -> Message | None:
    """A message the journal kept with :func:`to_text`; other text is kept verbatim."""
    if not text:
        return None
    if text.startswith("{"):
        try:
            return Message.from_json(json.loads(text))
        except (ValueError, TypeError, KeyError):
            pass
    return Message.verbatim(text)


def _shortened(message: Message) -> Message:
    def short(param: Param) -> Param:
        if isinstance(param, str) and len(param) > _KEPT_PARAM_CHARS:
            return param[: _KEPT_PARAM_CHARS - 1] + "…"
        if isinstance(param, Message):
            return _shortened(param)
        return param

    return Message(message.key, tuple(short(p) for p in message.params))


class MessageError(Exception):
    """An error whose words are a message: ``str()`` is English, ``.message`` goes on pages."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def capped(values: Sequence[str], limit: int, style: str = "standard") -> ItemList:
    """At most ``limit`` values, then "N more" as the list's last item."""
    shown: list[Param] = list(values[:limit])
    if len(values) > limit:
        shown.append(msg("hubbot-list-more", len(values) - limit))
    return ItemList(tuple(shown), style)
