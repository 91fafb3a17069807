"""The message files: ``i18n/LANG.json`` in MediaWiki's JSON message format.

Each file maps message keys to wikitext, with an ``@metadata`` object naming
its authors; ``qqq.json`` documents each message for translators. A message
missing in a language falls back, message by message, to the language's base
(``pt-br`` to ``pt``) and then to English, as MediaWiki does. ``qqx`` is
MediaWiki's pseudo-language that shows each message as its key, so a page
rendered in it shows which words are the bot's own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from bots import I18N_DIR

#: The language every message exists in, and the last of every fallback chain.
SOURCE_LANGUAGE = "en"
#: The documentation of the messages (not a language).
DOCUMENTATION = "qqq"
#: Shows every message as ``(key: $1, $2)``.
KEYS_ONLY = "qqx"

#: A language code as Wikimedia writes them: ``sv``, ``ar``, ``pt-br``, ``zh-hant``, ``be-tarask``.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", re.ASCII)

#: Right-to-left languages that CLDR may not know by these codes.
_RTL = frozenset(
    "ar arc arz azb bcc bgn bqi ckb dv fa glk he khw ks lki luz lrc mzn nqo pnb ps sd sdh "
    "skr ug ur yi".split()
)


@dataclass(frozen=True)
class Found:
    """A message's text and the language it was found in (after falling back)."""

    text: str
    language: str


class Catalog:
    """Every message of every shipped language, read once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.messages: dict[str, dict[str, str]] = {}
        for path in sorted(folder.glob("*.json")):
            self.messages[path.stem] = read_message_file(path)

    @property
    def languages(self) -> list[str]:
        """The shipped languages (``qqq`` is documentation, not a language)."""
        return [lang for lang in self.messages if lang != DOCUMENTATION]

    def find(self, language: str, key: str) -> Found:
        """The text of ``key`` in ``language``, or in the first language it falls back to."""
        if language == KEYS_ONLY:
            return Found("", KEYS_ONLY)
        for lang in fallback_chain(language):
            text = self.messages.get(lang, {}).get(key)
            if text is not None:
                return Found(text, lang)
        raise KeyError(f"no message {key} in {SOURCE_LANGUAGE}.json")


def read_message_file(path: Path) -> dict[str, str]:
    """The messages of one file, without ``@metadata``; raises ValueError when malformed."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    out: dict[str, str] = {}
    for key, value in data.items():
        if key.startswith("@"):
            continue
        if not isinstance(value, str):
            raise ValueError(f"{path.name}: the message {key} is not a string")
        out[key] = value
    return out


@cache
def catalog() -> Catalog:
    return Catalog(I18N_DIR)


def fallback_chain(language: str) -> list[str]:
    """``pt-br`` -> ``pt-br, pt, en``; every chain ends in English."""
    chain = [language]
    base = language.split("-", 1)[0]
    if base != language:
        chain.append(base)
    if SOURCE_LANGUAGE not in chain:
        chain.append(SOURCE_LANGUAGE)
    return chain


def valid_language(code: str) -> bool:
    return bool(LANGUAGE_CODE.fullmatch(code))


@cache
def locale(language: str) -> Locale:
    """CLDR's data for a language (plural rules, number and list formats), English if unknown."""
    for lang in fallback_chain(language):
        try:
            return Locale.parse(lang.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(SOURCE_LANGUAGE)


@cache
def direction(language: str) -> str:
    """``rtl`` or ``ltr``: how text of the language runs."""
    if language.split("-", 1)[0] in _RTL:
        return "rtl"
    try:
        order = Locale.parse(language.replace("-", "_")).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"
