"""Messages to text in a language: parameters, ``{{PLURAL}}``, ``{{GENDER}}``, bidi isolation.

Decisions:

- ``{{PLURAL:$1|one file|$1 files}}`` is decided here, with CLDR's plural rules
  of the message's language (from babel), not left to MediaWiki: MediaWiki
  would use the rules of the wiki's content language, and an Arabic request
  on an English wiki needs Arabic's six forms. The forms follow CLDR's order
  (zero, one, two, few, many, other, as the language has them), a missing
  form falls back to the last one given, and ``0=no files`` forms are
  matched first, as in MediaWiki.
- ``{{GENDER:$1|he|she|they}}`` is left to MediaWiki in wikitext (with the
  user name put in), since only the wiki knows a user's preference; in plain
  text the neutral form is taken.
- A parameter that is a string is data: it is escaped for wikitext and, when
  the page runs right to left or the value holds right-to-left letters,
  isolated with ``<bdi>`` so that a Latin title inside Arabic text (or an
  Arabic name inside English) keeps its order. Numbers are written with the
  language's separators in Latin digits, as Wikimedia's Arabic wikis write them.
- A message that fell back to a language of the other direction (English on
  an Arabic page) is wrapped in a ``<span>`` with its own ``lang`` and ``dir``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from babel.lists import format_list
from babel.numbers import format_decimal

from bots.i18n.catalog import KEYS_ONLY, SOURCE_LANGUAGE, catalog, direction, locale
from bots.i18n.message import ItemList, Message, Param, Wikitext
from bots.pipeline.escape import escape_value

_FUNCTION = re.compile(r"\{\{\s*(PLURAL|GENDER)\s*:", re.IGNORECASE)
_PARAM = re.compile(r"\$(\d+)")
_EXPLICIT = re.compile(r"\s*(\d+)\s*=(.*)", re.DOTALL)
_USER_NAME_UNSAFE = re.compile(r"[\[\]{}|<>#\n]")
#: CLDR's plural categories in the order MediaWiki expects the forms.
_CATEGORIES = ("zero", "one", "two", "few", "many", "other")

#: Markup of a message's own text that plain text leaves out (its content stays).
_PLAIN_TAGS = re.compile(r"</?(?:code|nowiki)>")


def render(message: Message, language: str) -> str:
    """The message as wikitext in ``language`` (falling back to English message by message)."""
    return _Renderer(language, markup=True).message(message)


def plain(message: Message, language: str = SOURCE_LANGUAGE) -> str:
    """The message as plain text (logs, the command line): nothing escaped or isolated."""
    return _Renderer(language, markup=False).message(message)


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def plural_index(language: str, number: int | float, forms: int) -> int:
    """Which of ``forms`` forms CLDR's rules of ``language`` choose for ``number``."""
    rule = locale(language).plural_form
    order = [c for c in _CATEGORIES if c in rule.tags or c == "other"]
    return min(order.index(rule(number)), forms - 1)


@dataclass(frozen=True)
class _Renderer:
    language: str
    markup: bool

    @property
    def rtl(self) -> bool:
        return direction(self.language) == "rtl"

    def message(self, message: Message) -> str:
        if self.language == KEYS_ONLY:
            shown = ", ".join(self.param(p) for p in message.params)
            return f"({message.key}: {shown})" if shown else f"({message.key})"
        found = catalog().find(self.language, message.key)
        text = _expand(
            found.text if self.markup else _PLAIN_TAGS.sub("", found.text),
            lambda name, args: self.function(message, found.language, name, args),
            lambda n: self.param_at(message, n),
        )
        if not self.markup:
            # plain text: the message's own markup (code spans, nowiki, entities) as read
            return html.unescape(text)
        if direction(found.language) != direction(self.language):
            return f'<span lang="{found.language}" dir="{direction(found.language)}">{text}</span>'
        return text

    def param_at(self, message: Message, number: int) -> str:
        if 1 <= number <= len(message.params):
            return self.param(message.params[number - 1])
        return f"${number}"

    def param(self, param: Param) -> str:
        if isinstance(param, bool):
            param = str(param)
        if isinstance(param, int):
            return format_decimal(param, locale=locale(self.language))
        if isinstance(param, Message):
            return self.message(param)
        if isinstance(param, ItemList):
            shown = [self.param(p) for p in param.items]
            if param.style == "semicolon":
                return self.message(Message("hubbot-semicolon-separator")).join(shown)
            style = param.style if param.style in ("standard", "or", "unit") else "standard"
            return format_list(shown, style=style, locale=locale(self.language)) if shown else ""  # type: ignore[arg-type]
        text = param.text if isinstance(param, Wikitext) else param
        if not self.markup:
            return text
        if not isinstance(param, Wikitext):
            text = escape_value(text)
        if text and (self.rtl or has_rtl(text)):
            return f"<bdi>{text}</bdi>"
        return text

    def function(self, message: Message, language: str, name: str, args: Sequence[str]) -> str:
        """PLURAL (by the rules of ``language``, the one the text is written in) or GENDER."""
        subject = _subject(message, args[0]) if args else None
        forms = list(args[1:])

        def expand(text: str) -> str:
            return _expand(
                text,
                lambda n, a: self.function(message, language, n, a),
                lambda n: self.param_at(message, n),
            )

        if name == "PLURAL":
            return expand(self.plural(subject, forms, language))
        return self.gender(subject, [expand(f) for f in forms])

    def plural(self, subject: Param | None, forms: list[str], language: str) -> str:
        if not forms:
            return ""
        number = _number(subject)
        explicit = [m for m in (_EXPLICIT.fullmatch(f) for f in forms) if m]
        for match in explicit:
            if number is not None and float(match.group(1)) == number:
                return match.group(2)
        forms = [f for f in forms if not _EXPLICIT.fullmatch(f)] or [""]
        if number is None:
            return forms[-1]
        return forms[plural_index(language, number, len(forms))]

    def gender(self, subject: Param | None, forms: list[str]) -> str:
        if not forms:
            return ""
        if self.markup and isinstance(subject, str) and subject:
            if not _USER_NAME_UNSAFE.search(subject):
                return "{{GENDER:" + subject + "|" + "|".join(forms) + "}}"
        return forms[2] if len(forms) >= 3 else forms[0]


def _subject(message: Message, arg: str) -> Param | None:
    match = _PARAM.fullmatch(arg.strip())
    if match:
        number = int(match.group(1))
        return message.params[number - 1] if 1 <= number <= len(message.params) else None
    return arg.strip()


def _number(subject: Param | None) -> float | None:
    if isinstance(subject, int):
        return subject
    if isinstance(subject, str):
        digits = re.sub(r"[\s,.\u00a0\u202f'’]", "", subject)
        return float(digits) if digits.isdigit() else None
    return None


def _expand(
    text: str,
    function: Callable[[str, list[str]], str],
    param: Callable[[int], str],
) -> str:
    """One pass over a message: PLURAL and GENDER calls and ``$N``; values are never re-read."""
    out: list[str] = []
    i = 0
    while i < len(text):
        call = _FUNCTION.match(text, i) if text.startswith("{{", i) else None
        end = _closing(text, i) if call else None
        if call and end is not None:
            out.append(function(call.group(1).upper(), _split_args(text[call.end() : end])))
            i = end + 2
            continue
        number = _PARAM.match(text, i) if text[i] == "$" else None
        if number:
            out.append(param(int(number.group(1))))
            i = number.end()
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _closing(text: str, start: int) -> int | None:
    """Where the ``}}`` that closes the ``{{`` at ``start`` begins (links and templates nest)."""
    depth, i = 0, start
    while i < len(text) - 1:
        pair = text[i : i + 2]
        if pair in ("{{", "[["):
            depth += 1
            i += 2
        elif pair in ("}}", "]]"):
            depth -= 1
            if depth == 0:
                return i if pair == "}}" else None
            i += 2
        else:
            i += 1
    return None


def _split_args(inner: str) -> list[str]:
    """Split on ``|`` outside nested links and templates."""
    args, depth, current, i = [], 0, [], 0
    while i < len(inner):
        pair = inner[i : i + 2]
        if pair in ("{{", "[["):
            depth += 1
            current.append(pair)
            i += 2
            continue
        if pair in ("}}", "]]"):
            depth -= 1
            current.append(pair)
            i += 2
            continue
        if inner[i] == "|" and depth == 0:
            args.append("".join(current))
            current = []
        else:
            current.append(inner[i])
        i += 1
    args.append("".join(current))
    return args
