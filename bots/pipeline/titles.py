"""File titles and category names MediaWiki will accept exactly as we propose them.

A title the wiki rewrites or rejects breaks the preview promise (reviewers
approve the titles they saw) and the duplicate bookkeeping, so every rule the
wiki applies to a new file name is applied here first:

- text is NFC; control characters and the invisible direction marks MediaWiki
  strips (U+200E, U+200F, U+202A..U+202E) are removed;
- the characters a file name cannot hold, ``# < > [ ] | { } / \\ :``, are
  replaced (see :data:`REPLACEMENTS`): brackets by round brackets, the rest by
  ``-``, and ``": "`` by ``" - "`` (``:`` and ``/`` are legal in other titles,
  but uploads refuse them, and without a colon no ``File:`` or interwiki
  prefix can be resolved);
- runs of spaces, underscores and the other spaces MediaWiki folds become
  one space, and the ends are trimmed of spaces and dots;
- ``~~~`` (a signature) cannot appear: runs of three or more ``~`` become ``~~``;
- ``%`` followed by two hex digits would be read as percent-encoding and
  ``&name;`` as an HTML entity; a space is put after the ``%`` or ``&``;
- the first letter is capitalised the way the target wiki does it
  (:class:`TitleRules`: the namespace's case rule from siteinfo, and the
  wiki's own upper case of each first character, which differs between
  wikis and PHP versions: ``ß`` stays on Wikimedia wikis, a stock wiki makes
  it ``SS``);
- the whole name, with ``.`` and the extension, is at most 240 bytes of UTF-8,
  cut on a character boundary and never inside a combining sequence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from posixpath import basename
from urllib.parse import unquote, urlsplit

from bots.i18n.message import MessageError, msg
from bots.wikitext import without_category_prefix

#: Commons refuses file names longer than this many bytes (UTF-8).
MAX_TITLE_BYTES = 240

#: What replaces a character a file name cannot hold: brackets of any kind
#: become round ones (``[title not known]`` reads as ``(title not known)``),
#: everything else a hyphen. A colon between words reads best as a dash.
REPLACEMENTS: dict[str, str] = {
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
    "<": "(",
    ">": ")",
    "#": "-",
    "|": "-",
    "/": "-",
    "\\": "-",
    ":": "-",
}

#: Extensions recognised in media URLs, mapped to the spelling used in titles.
KNOWN_EXTENSIONS: dict[str, str] = {
    "jpg": "jpg",
    "jpeg": "jpg",
    "png": "png",
    "gif": "gif",
    "tif": "tif",
    "tiff": "tiff",
    "webp": "webp",
    "svg": "svg",
    "pdf": "pdf",
    "djvu": "djvu",
    "ogg": "ogg",
    "oga": "oga",
    "ogv": "ogv",
    "opus": "opus",
    "mp3": "mp3",
    "wav": "wav",
    "flac": "flac",
    "webm": "webm",
}

#: The longest extension a file may end up with once its content is sniffed.
LONGEST_EXTENSION = max(KNOWN_EXTENSIONS.values(), key=len)

#: A base title this short takes any extension without being cut again, so the
#: title a reviewer approved is the title that is uploaded.
MAX_BASE_BYTES = MAX_TITLE_BYTES - 1 - len(LONGEST_EXTENSION)

_FORBIDDEN = frozenset(REPLACEMENTS)
#: Category names may hold ``/`` and ``:``; only link and template syntax is refused.
_FORBIDDEN_IN_CATEGORIES = frozenset("#<>[]|{}")
_STRIPPED = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
#: The characters MediaWiki turns into ``_`` (and so into a space) in titles.
_SPACES = re.compile(r"[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_COLON_BETWEEN_WORDS = re.compile(r" *: +")
_TILDES = re.compile(r"~{3,}")
_PERCENT_ENCODED = re.compile(r"%(?=[0-9A-Fa-f]{2})")
_ENTITY = re.compile(r"&(?=[A-Za-z0-9\u0080-\U0010ffff]+;)")
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")


class TitleError(MessageError, ValueError):
    """No usable file title can be made; the message says why in plain words."""


#: Control characters (Cc), lone surrogates (Cs) and the direction marks of ``_STRIPPED``.
_REMOVED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(_STRIPPED)) + "]")


@lru_cache(maxsize=8)
def _replacing(forbidden: frozenset[str]) -> dict[int, str]:
    return str.maketrans({char: REPLACEMENTS[char] for char in forbidden})


#: In printable ASCII, what some rule of a file title changes: a forbidden character, an
#: underscore or two spaces (folded, looked for apart: an alternative makes the search
#: several times slower), a tilde, ``%`` and ``&`` (maybe); the rest stays.
_TITLE_RULES = re.compile(r"[#<>\[\]|{}/\\:_~%&]")


def _clean(text: str, forbidden: frozenset[str] = _FORBIDDEN, trim: str = " .") -> str:
    """Apply every character rule; the result may still need cutting to size."""
    if (
        forbidden is _FORBIDDEN
        and text.isascii()
        and text.isprintable()
        and "  " not in text
        and not _TITLE_RULES.search(text)
    ):
        return text.strip(trim)  # the common title: no rule but the trimming applies
    cleaned = _REMOVED.sub("", text)
    if not cleaned.isascii():
        cleaned = unicodedata.normalize("NFC", cleaned)
    if ":" in forbidden and ":" in cleaned:
        cleaned = _COLON_BETWEEN_WORDS.sub(" - ", cleaned)
    cleaned = _SPACES.sub(" ", cleaned.translate(_replacing(forbidden)))
    # the rarer rules, only when their character is there at all
    if "~~~" in cleaned:
        cleaned = _TILDES.sub("~~", cleaned)
    if "%" in cleaned:
        cleaned = _PERCENT_ENCODED.sub("% ", cleaned)
    if "&" in cleaned:
        cleaned = _ENTITY.sub("& ", cleaned)
    return cleaned.strip(trim)


def _drop_repeated_extension(base: str, ext: str) -> str:
    """``Photo.JPEG`` with extension ``jpg`` is ``Photo``, not ``Photo.JPEG.jpg``."""
    while "." in base:
        stem, last = base.rsplit(".", 1)
        if KNOWN_EXTENSIONS.get(last.lower()) != ext or not stem.strip(" ."):
            break
        base = stem.rstrip(" .")
    return base


@dataclass(frozen=True)
class TitleRules:
    """How one wiki writes the first letter of a file or category name (pure data).

    MediaWiki upper-cases the first character of every title in a
    ``first-letter`` namespace with its content language's ``ucfirst``:
    PHP's ``mb_strtoupper`` unless ``$wgOverrideUcfirstCharacters`` says
    otherwise (Wikimedia wikis keep ``ß``, Georgian and others as they are).
    Neither can be known here, so the run asks the wiki (see
    ``Wiki.title_rules``) about every first character that could change and
    hands the answers to the planner in ``upper``. A character not in
    ``upper`` is upper-cased as a stock MediaWiki with this Python's Unicode
    tables would.
    """

    #: the File namespace is ``first-letter`` (False: ``case-sensitive``)
    files_capitalised: bool = True
    #: the Category namespace is ``first-letter``
    categories_capitalised: bool = True
    #: first character -> what this wiki makes of it
    upper: Mapping[str, str] = field(default_factory=dict)

    def capitalise(self, text: str, *, category: bool = False) -> str:
        """``text`` (NFC) with its first character as the wiki stores it.

        The wiki capitalises whatever title it is given, so the title proposed
        must be one it leaves alone: an override such as ``ǆ`` to ``ǅ`` on a
        wiki that makes ``ǅ`` into ``Ǆ`` is followed to ``Ǆ``.
        """
        if not (self.categories_capitalised if category else self.files_capitalised):
            return text
        if text[:1].isascii() and text[1:2].isascii() and text[:1] not in self.upper:
            # nothing can compose with an ASCII letter followed by ASCII (or nothing)
            return text[:1].upper() + text[1:]
        for _ in range(_MAX_CAPITALISING):
            if not text:
                break
            upper = self.upper.get(text[0])
            if upper is None:
                upper = text[0].upper()
            # the wiki's titles are NFC: an upper-case letter may compose with what follows
            changed = unicodedata.normalize("NFC", upper + text[1:])
            if changed == text:
                break
            text = changed
        return text


#: Capitalising a capital again changes nothing on any sane wiki; a few rounds
#: settle any override chain, and a loop in a wiki's overrides ends here.
_MAX_CAPITALISING = 4


#: A stock MediaWiki: both namespaces ``first-letter``, nothing overridden.
STOCK_RULES = TitleRules()
#: For titles already made with a wiki's rules: the first letter stays as it is.
AS_WRITTEN = TitleRules(files_capitalised=False, categories_capitalised=False)


def asks_wiki(char: str) -> bool:
    """Whether only the wiki can say what its ``ucfirst`` makes of ``char``.

    MediaWiki leaves ASCII below ``a`` alone; ASCII letters change by the
    content language (Turkish makes ``i`` into ``İ``), everything beyond
    ASCII by the PHP version and the wiki's overrides.
    """
    return char.islower() or ord(char) > 0x7F


def first_letter(text: str) -> str:
    """The character a file title made from ``text`` starts with, before capitalising."""
    first = text[:1]
    if first.isascii() and first.isalnum() and text[1:2].isascii() and text[1:2].isprintable():
        return first  # no rule changes a letter or digit before printable ASCII (or nothing)
    return _clean(text)[:1]


def category_first_letter(text: str) -> str:
    """The character the category name made from ``text`` starts with, before capitalising."""
    return _category_name(text)[:1]


def _cut(text: str, max_bytes: int) -> str:
    """The longest prefix of at most ``max_bytes`` UTF-8 bytes, ending between graphemes."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    end = 0
    size = 0
    for index, char in enumerate(text):
        size += len(char.encode("utf-8"))
        if size > max_bytes:
            break
        if index + 1 < len(text) and unicodedata.combining(text[index + 1]):
            continue  # never separate a letter from its accents
        end = index + 1
    return text[:end]


def _fit(text: str, max_bytes: int) -> str:
    """Cut to size and tidy the new end; repeated because NFC may change lengths."""
    if text.isascii() and len(text) <= max_bytes:
        return text.rstrip(" .")  # nothing to cut, nothing to compose
    while True:
        fitted = unicodedata.normalize("NFC", _cut(text, max_bytes)).rstrip(" .")
        if fitted == text or len(fitted.encode("utf-8")) <= max_bytes:
            return fitted
        text = fitted


def shorten(title: str, max_bytes: int) -> str:
    """``title`` (already legal) cut to at most ``max_bytes`` UTF-8 bytes, tidy at the end."""
    return _fit(title, max_bytes)


def legal_title(
    text: str,
    extension: str | None,
    record_id: str | None = None,
    *,
    rules: TitleRules = STOCK_RULES,
) -> str:
    """A file name (without ``File:``) the wiki accepts unchanged, built from ``text``.

    ``extension`` (without the dot) is appended after a ``.``. ``record_id``,
    when given, is appended as `` (ID)`` before the extension; it is what makes
    a title unique when another file already has it, so the base text is cut,
    never the id. ``rules`` capitalise the first letter as the target wiki
    does; pass :data:`AS_WRITTEN` for a title already made with them. Raises
    :class:`TitleError` when nothing usable is left.
    """
    ext = ""
    if extension:
        ext = extension.strip().lstrip(".").lower()
        if not _EXTENSION.fullmatch(ext):
            raise TitleError(msg("hubbot-title-bad-extension", extension))
    suffix = ""
    if record_id is not None and record_id.strip():
        clean_id = _clean(record_id)
        if not clean_id:
            raise TitleError(msg("hubbot-title-unusable-id", record_id))
        suffix = f" ({clean_id})"
    tail = suffix + (f".{ext}" if ext else "")
    room = MAX_TITLE_BYTES - len(tail.encode("utf-8"))
    base = rules.capitalise(_drop_repeated_extension(_clean(text), ext) if ext else _clean(text))
    if not base:
        raise TitleError(
            msg("hubbot-title-nothing-left", text.strip())
            if text.strip()
            else msg("hubbot-title-empty")
        )
    if room < 1:
        raise TitleError(msg("hubbot-title-id-too-long", record_id or ""))
    base = _fit(base, room)
    if not base:
        raise TitleError(msg("hubbot-title-cannot-shorten", text.strip()))
    return base + tail


def split_extension(title: str, extension: str | None) -> str:
    """``title`` without the ``.extension`` that :func:`legal_title` appended."""
    if extension and title.lower().endswith("." + extension.lower()):
        return title[: -len(extension) - 1]
    return title


#: A plain http(s) address (printable ASCII, nothing escaped): its path, found without urlsplit.
_PLAIN_URL = re.compile(r"https?://[^/?#]*(/[^?#]*)?(?:[?#][!-~]*)?", re.IGNORECASE)


def extension_from_url(url: str) -> str | None:
    """The media extension named by the URL's path, lower case, or None if it names none."""
    url = url.strip()
    plain = _PLAIN_URL.fullmatch(url) if url.isascii() and url.isprintable() else None
    if plain is not None and "%" not in url and " " not in url:
        path = plain.group(1) or ""
    else:
        try:
            path = urlsplit(url).path
        except ValueError:
            return None
    name = basename(unquote(path))
    if "." not in name:
        return None
    return KNOWN_EXTENSIONS.get(name.rsplit(".", 1)[1].lower())


@lru_cache(maxsize=4096)
def _category_name(text: str) -> str:
    name = text.strip()
    if name.startswith("[[") and name.endswith("]]"):
        name = name[2:-2]
    name = without_category_prefix(name)
    return _clean(name, _FORBIDDEN_IN_CATEGORIES, trim=" :")


def category_title(text: str, rules: TitleRules = STOCK_RULES) -> str | None:
    """A category name (without ``Category:``) safe inside ``[[Category:...]]``, or None.

    Volunteers and requesters write category names by hand; a stray prefix,
    bracket or pipe must not turn into a broken link or extra markup. The
    first letter follows ``rules``, so names the wiki treats as one are one.
    """
    return rules.capitalise(_category_name(text), category=True) or None
