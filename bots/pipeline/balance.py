"""Whether a piece of human wikitext leaves a file page whole (SPEC sections 3, 4, 5 and 8).

Requesters write the text of patterns around their placeholders, volunteers
write mapping ``text`` cells. Both are wikitext and both end up inside a field
of the file page's description template, with the licence template, the
``{{Partnership upload}}`` tracking template and the categories after it. One
unclosed ``<!--`` in one cell and MediaWiki hides everything after it: the
file is uploaded without licence, tracking category or categories. The check
here reads a piece of text the way MediaWiki's preprocessor (Preprocessor_Hash)
and parser read it, and says why it cannot be placed into a page, in words a
volunteer can act on.

The piece must be *closed*: whatever it opens it closes itself, and it closes
nothing it did not open, so that it stays a closed piece wherever it is put
and whatever stands around it. The rules, and why:

- ``<!--`` needs a ``-->`` after it. MediaWiki runs an unclosed comment to the
  end of the page.
- ``<includeonly>``, ``<noinclude>`` and ``<onlyinclude>`` (open, closed or
  self-closed, in any letter case) are refused outright. On a file page they
  can only hide text (``includeonly``; unclosed, it hides the rest of the page)
  or change what other pages show when they include the file page
  (``noinclude``, ``onlyinclude``). Neither is ever what a field means.
- Any other tag that is not plain HTML is taken for an extension tag
  (``<nowiki>``, ``<pre>``, ``<ref>``, ``<gallery>``, ``<math>``,
  ``<syntaxhighlight>``, ``<poem>``...), whatever extensions the wiki has: an
  extension tag swallows everything up to its closing tag, which MediaWiki
  finds anywhere later on the page. So it needs its ``>`` and its closing tag
  in the same text (or must be self-closed, ``<ref name="a" />``), and a
  closing tag needs its opening tag. Names are matched as MediaWiki matches
  them: in any letter case, followed by white space, ``>`` or ``/>``; the tag
  ends at the first ``>``, even one inside quotes. A wiki without the
  extension reads the tag's attributes and content as wikitext, so they must
  pass this check too; only what ``<nowiki>``, ``<pre>``, ``<gallery>`` and
  ``<indicator>`` hold (:data:`CORE_TAGS`, known to every wiki) is left alone.
- ``{{``, ``{{{``, ``[[`` and ``-{`` need their ``}}``, ``}}}``, ``]]`` and
  ``}-``, paired the way the preprocessor pairs them (inside a ``[[``, ``}}``
  closes nothing; ``{{{{`` is split as it is). Closing ``}}`` or ``]]`` with
  nothing open here would end the field's template (or link) early.
- A ``|`` that is not inside a link, template or tag of the same text would
  start a new template field: write ``{{!}}``.
- A line that starts with ``{|`` or ``|}`` (tables), or with ``=`` (a heading,
  which takes in the rest of its line, closing braces included) is refused:
  neither belongs in a field. The start of the text counts as a line start,
  since a pattern may put the text there.
- HTML tags that must be closed (``<div>``, ``<span>``, ``<table>``, ``<small>``
  ...; :data:`HTML_PAIRS`) must be closed in the same text, and not closed
  more often than opened: an unclosed ``<div style="display:none">`` hides
  what follows, a stray ``</table>`` ends the template's box.

Column values never need this check: they are escaped
(:mod:`bots.pipeline.escape`). A closed text next to another closed text, or next to
an escaped value, is closed too, except when the two touch (a pattern ending in
``<`` before a placeholder); the renderer checks each filled field as a whole
as well, for exactly that reason.

Everything here is a pure function; results are cached per text, because a
batch renders the same few mapping texts thousands of times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bots.i18n.message import VERBATIM, Message, items, msg

#: Extension tags of MediaWiki core, known to every wiki: what they hold is
#: never read as wikitext of the page, so it needs no checking.
CORE_TAGS: frozenset[str] = frozenset({"nowiki", "pre", "gallery", "indicator"})

#: Tags that change what a page shows when it is included elsewhere; refused outright.
INCLUSION_TAGS: frozenset[str] = frozenset({"includeonly", "noinclude", "onlyinclude"})

#: HTML tags MediaWiki's sanitizer wants closed, less those HTML closes by itself
#: (``p``, table cells, list items, ruby parts) and ``pre``, an extension tag.
HTML_PAIRS: frozenset[str] = frozenset(
    {
        "b",
        "bdi",
        "bdo",
        "del",
        "i",
        "ins",
        "u",
        "font",
        "big",
        "small",
        "sub",
        "sup",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "cite",
        "code",
        "em",
        "s",
        "strike",
        "strong",
        "tt",
        "var",
        "div",
        "center",
        "blockquote",
        "ol",
        "ul",
        "dl",
        "table",
        "caption",
        "ruby",
        "span",
        "abbr",
        "dfn",
        "kbd",
        "samp",
        "data",
        "time",
        "mark",
        "q",
    }
)

#: Every other HTML tag the sanitizer lets through: these may stay open.
HTML_SINGLE: frozenset[str] = frozenset(
    {"br", "wbr", "hr", "li", "dt", "dd", "meta", "link", "p", "td", "th", "tr"}
    | {"rb", "rp", "rt", "rtc", "img"}
)

#: What the preprocessor looks at; everything else is plain text to it.
_SPECIAL = re.compile(r"[<{}\[\]|\-\n]")
#: A text without any of these cannot hold markup that matters here: a "-" matters
#: only next to a brace, and a "=" only at the start of a line (checked on its own:
#: an alternative with ``\A`` makes the search several times slower).
_MARKUP = re.compile(r"[<{}\[\]|\n]")
#: A tag name right after "<" or "</", ended as the preprocessor wants it ended.
#: The end of the text counts as white space: what follows it on the page may be.
_TAG_NAME = re.compile(r"(/?)([A-Za-z][\w:.-]*)(?=[ \t\n\r\f\v]|/>|>|\Z)", re.ASCII)
#: Lines the parser reads as table or heading markup, once comments are gone.
_TABLE_START = re.compile(r"^[ \t\r\f\v]*:*[ \t\r\f\v]*\{\|", re.MULTILINE)
_TABLE_END = re.compile(r"^[ \t\r\f\v]*\|\}", re.MULTILINE)
_HEADING = re.compile(r"^=", re.MULTILINE)

#: The brace rules of the preprocessor: opener -> (closer, counts that make an element).
_RULES: dict[str, tuple[str, frozenset[int]]] = {
    "{": ("}", frozenset({2, 3})),
    "[": ("]", frozenset({2})),
    "-{": ("}-", frozenset({2})),
}
_MIN = {"{": 2, "[": 2, "-{": 2}
_MAX = {"{": 3, "[": 2, "-{": 2}
_OPENED = {"{": "{{", "[": "[[", "-{": "-{"}
_WHAT = {"{": "template", "[": "link", "-{": "variant"}
_CLOSER = {"{": "}}", "[": "]]", "-{": "}-"}


@dataclass(frozen=True)
class Unbalanced:
    """One reason a piece of wikitext would not leave the file page whole."""

    markup: str  # the markup as written, e.g. "<!--", "<nowiki>", "{{"
    reason: Message  # one plain sentence naming it

    def __str__(self) -> str:
        return str(self.reason)


def explain(found: Sequence[Unbalanced], limit: int = 3) -> Message:
    """The reasons as one text for a problem message, at most ``limit`` of them."""
    shown = items([f.reason for f in found[:limit]], "semicolon")
    more = len(found) - limit
    return msg("hubbot-balance-and-more", shown, more) if more > 0 else msg(VERBATIM, shown)


@dataclass(frozen=True)
class _Open:
    """Braces waiting for their closer on the preprocessor's stack."""

    kind: str  # "{", "[" or "-{"
    count: int
    saved_dash: bool = False  # "-{{": the "-" waits in case a "-{" is left over


def _run(text: str, i: int, char: str) -> int:
    """How many times ``char`` repeats from ``i`` on (PHP's strspn for one character)."""
    end = i
    while end < len(text) and text[end] == char:
        end += 1
    return end - i


def _table_line(text: str, i: int) -> bool:
    """Whether the "|" at ``i`` is part of "{|" or "|}" at a line start (reported as a table)."""
    if text.startswith("|}", i):
        start = i
    elif i > 0 and text[i - 1] == "{":
        start = i - 1
    else:
        return False
    line = text.rfind("\n", 0, start) + 1
    return not text[line:start].strip(" \t\r\f\v:")


def _short(markup: str, limit: int = 40) -> str:
    flat = " ".join(markup.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class _Scan:
    """One pass over the text, as Preprocessor_Hash makes it, noting what stays open."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[str, Unbalanced] = {}
        self.stack: list[_Open] = []
        self.visible: list[str] = []  # the text as the parser sees it, comments gone
        self.html_open: dict[str, int] = {}

    def fault(self, key: str, markup: str, reason: Message) -> None:
        self.found.setdefault(key, Unbalanced(_short(markup), reason))

    def run(self) -> tuple[Unbalanced, ...]:
        text, i = self.text, 0
        while i < len(text):
            match = _SPECIAL.search(text, i)
            if match is None:
                self.visible.append(text[i:])
                break
            start = match.start()
            self.visible.append(text[i:start])
            i = self.step(start)
        self.finish()
        return tuple(self.found.values())

    def step(self, i: int) -> int:
        """Handle the special character at ``i``; return where to go on."""
        text = self.text
        char = text[i]
        if char == "<":
            return self.angle(i)
        if char == "\n":
            self.visible.append(char)
            return i + 1
        top = self.stack[-1] if self.stack else None
        if top is not None and text.startswith(_RULES[top.kind][0], i):
            return self.close(i, top)
        if text.startswith("-{", i):
            return self.open(i, "-{")
        if char in "{[":
            return self.open(i, char)
        if char == "|" and not self.stack and not _table_line(text, i):
            self.fault("pipe", "|", msg("hubbot-balance-pipe"))
        elif char in "}]" and not self.stack:
            run = _run(text, i, char)
            self.visible.append(text[i : i + run])
            if run >= 2:
                key = (
                    "hubbot-balance-stray-template" if char == "}" else "hubbot-balance-stray-link"
                )
                self.fault(f"stray{char}", char * run, msg(key, char * 2))
            return i + run
        self.visible.append(char)
        return i + 1

    # -- braces ---------------------------------------------------------------
    def open(self, i: int, kind: str) -> int:
        text = self.text
        if kind == "-{":
            count = _run(text, i + 1, "{") + 1
            if count > 2:  # "-{{": the braces win, the "-" waits
                braces = count - 1
                self.visible.append("-" + "{" * braces)
                self.stack.append(_Open("{", braces, saved_dash=True))
                return i + count
        else:
            count = _run(text, i, kind)
        self.visible.append(text[i : i + count])
        if count >= _MIN[kind]:
            self.stack.append(_Open(kind, count))
        return i + count

    def close(self, i: int, top: _Open) -> int:
        """Close (part of) the top of the stack, as far as the preprocessor's rules allow."""
        text, closer = self.text, _RULES[top.kind][0]
        if len(closer) > 1:
            count = len(closer)
        else:
            run = _run(text, i, closer)
            count = min(run, top.count)
        names = _RULES[top.kind][1]
        matching = _MAX[top.kind] if count > _MAX[top.kind] else count
        while matching > 0 and matching not in names:
            matching -= 1
        if matching <= 0:  # a lone "}" inside a template: plain text
            self.visible.append(text[i : i + count])
            return i + count
        self.visible.append(text[i : i + matching])
        self.stack.pop()
        left = top.count - matching
        if left >= _MIN[top.kind]:
            self.stack.append(_Open(top.kind, left, top.saved_dash))
        elif left == 1 and top.kind == "{" and top.saved_dash:
            self.stack.append(_Open("-{", 2))
        return i + matching

    # -- tags and comments ----------------------------------------------------
    def angle(self, i: int) -> int:
        text = self.text
        if text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end == -1:
                self.fault("comment", "<!--", msg("hubbot-balance-comment"))
                return len(text)
            return end + 3
        match = _TAG_NAME.match(text, i + 1)
        if match is None:
            self.visible.append("<")
            return i + 1
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name in INCLUSION_TAGS:
            return self.inclusion_tag(i, match)
        if name in HTML_PAIRS or name in HTML_SINGLE:
            if name in HTML_PAIRS:
                self.html_tag(i, match, closing)
            self.visible.append("<")
            return i + 1
        return self.extension_tag(i, match, closing)

    def inclusion_tag(self, i: int, match: re.Match[str]) -> int:
        end = self.text.find(">", match.end())
        written = self.text[i : end + 1] if end != -1 else self.text[i : match.end()]
        self.fault("inclusion", written, msg("hubbot-balance-inclusion", _short(written)))
        self.visible.append("x")
        return end + 1 if end != -1 else match.end()

    def extension_tag(self, i: int, match: re.Match[str], closing: bool) -> int:
        text, name = self.text, match.group(2)
        lower = name.lower()
        end = text.find(">", match.end())
        if closing:
            self.fault(f"stray<{lower}", f"</{name}>", msg("hubbot-balance-stray-tag", name))
            self.visible.append("x")
            return end + 1 if end != -1 else match.end()
        if end == -1:
            self.fault(f"gt<{lower}", f"<{name}", msg("hubbot-balance-unended-tag", name))
            self.visible.append("<")
            return i + 1
        self.visible.append("x")
        self_closed = text[end - 1] == "/"
        closing_tag = re.compile(rf"</{re.escape(name)}[ \t\n\r\f\v]*>", re.IGNORECASE | re.ASCII)
        found = None if self_closed else closing_tag.search(text, end + 1)
        if lower not in CORE_TAGS:
            # a wiki without this extension reads attributes and content as wikitext
            inner = text[end + 1 : found.start()] if found else ""
            self.inside(lower, text[match.end() : end - 1 if self_closed else end] + " " + inner)
        if self_closed:
            return end + 1
        if found is None:
            opened = text[i : end + 1]
            self.fault(
                f"open<{lower}", opened, msg("hubbot-balance-unclosed-tag", _short(opened), lower)
            )
            return end + 1
        return found.end()

    def inside(self, name: str, text: str) -> None:
        """Check what a tag holds as wikitext of its own: it is that, where the tag is unknown."""
        for found in unbalanced(text):
            self.fault(
                f"in<{name}:{found.reason}",
                found.markup,
                msg("hubbot-balance-inside-tag", name, found.reason),
            )

    def html_tag(self, i: int, match: re.Match[str], closing: bool) -> None:
        text, name = self.text, match.group(2).lower()
        end = text.find(">", match.end())
        if end == -1 or (not closing and text[end - 1] == "/"):
            return  # not a tag to the sanitizer, or one that closes itself
        if closing:
            if self.html_open.get(name, 0) == 0:
                self.fault(f"stray<{name}", f"</{name}>", msg("hubbot-balance-stray-html", name))
            else:
                self.html_open[name] -= 1
        else:
            self.html_open[name] = self.html_open.get(name, 0) + 1

    # -- the end --------------------------------------------------------------
    def finish(self) -> None:
        for opened in self.stack:
            markup = "{" * opened.count if opened.kind == "{" else _OPENED[opened.kind]
            closer = "}" * min(opened.count, 3) if opened.kind == "{" else _CLOSER[opened.kind]
            what = "parameter" if opened.count == 3 else _WHAT[opened.kind]
            self.fault(
                f"open{opened.kind}",
                markup,
                msg(f"hubbot-balance-unclosed-{what}", markup, closer),
            )
        for name, count in self.html_open.items():
            if count > 0:
                self.fault(f"open<{name}", f"<{name}>", msg("hubbot-balance-unclosed-html", name))
        visible = "".join(self.visible)
        if _TABLE_START.search(visible) or _TABLE_END.search(visible):
            self.fault("table", "{|", msg("hubbot-balance-table"))
        if _HEADING.search(visible):
            self.fault("heading", "=", msg("hubbot-balance-heading"))


def unbalanced(text: str) -> tuple[Unbalanced, ...]:
    """Every reason ``text`` would not leave a file page whole; empty when it is safe."""
    if not text or (text[0] != "=" and not _MARKUP.search(text)):
        return ()  # most filled fields: decided before the cache is asked
    return _scanned(text)


@lru_cache(maxsize=4096)
def _scanned(text: str) -> tuple[Unbalanced, ...]:
    return _Scan(text).run()


def is_balanced(text: str) -> bool:
    return not unbalanced(text)


__all__ = [
    "CORE_TAGS",
    "HTML_PAIRS",
    "HTML_SINGLE",
    "INCLUSION_TAGS",
    "Unbalanced",
    "explain",
    "is_balanced",
    "unbalanced",
]
