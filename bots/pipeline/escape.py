"""Turn a partner's column value into wikitext that shows the value and nothing else.

Column values are data, never markup (SPEC section 3). A value may be placed
anywhere a requester's pattern puts it: inside a template parameter, a link
label, a heading, or at the start of a line. Whatever the value holds, the
escaped text must not be able to open or close templates, parser functions,
template arguments, links, tables or tags, start a list, heading or rule,
produce a behaviour switch or a signature, or split a template parameter.

How it is done, and why:

- Characters that are markup wherever they stand (``& < > " { } [ ] | =``)
  always become HTML entities. MediaWiki shows the entity as the character,
  so readers see the value unchanged.
- Characters that are markup only when repeated (``''`` bold/italic, ``~~~``
  signatures, ``__NOTOC__`` switches, ``!!`` table cells) become entities when
  they stand next to the same character or at either end of the value (where
  the requester's pattern text could supply the neighbour). Ordinary text such
  as ``Job's Comforters`` or ``snake_case`` stays as it is.
- Characters that are markup only at the start of a line (``* # : ; - !`` and
  a leading space, which starts preformatted text) become entities when they
  are the value's first character. Line breaks inside the value become
  ``<br />`` (see below), so the first character is the only one that can
  ever stand at a line start.
- Line breaks (``\\r\\n``, ``\\r``, ``\\n``) become ``<br />``: a blank line
  in a template parameter would start a new paragraph and a line break would
  let the next line start a list or a table. Tabs become spaces; every other
  control character is removed because MediaWiki cannot store it anyway.
- Text is normalised to NFC, as MediaWiki does on save, so what the preview
  shows is what the wiki stores.

Numeric entities are used where no short named entity is well known, e.g.
``&#123;`` for ``{``; ``&amp;``, ``&lt;``, ``&gt;`` and ``&quot;`` keep the
commonest cases easy to read in the page source. Placeholders should not be put
inside a single-quoted tag attribute (``title='{x}'``): an apostrophe in the
middle of a value is left readable. Double-quoted attributes are safe.
"""

from __future__ import annotations

import re
import unicodedata

#: Markup wherever it stands.
_ALWAYS: dict[str, str] = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "{": "&#123;",
    "}": "&#125;",
    "[": "&#91;",
    "]": "&#93;",
    "|": "&#124;",
    "=": "&#61;",
}

#: Markup when doubled or tripled; escaped next to the same character or at an end.
_WHEN_REPEATED: dict[str, str] = {
    "'": "&#39;",
    "~": "&#126;",
    "_": "&#95;",
    "!": "&#33;",
}

#: Markup at the start of a line; escaped when the value starts with it.
_AT_LINE_START: dict[str, str] = {
    "*": "&#42;",
    "#": "&#35;",
    ":": "&#58;",
    ";": "&#59;",
    "-": "&#45;",
    " ": "&#32;",
    "!": "&#33;",
}

#: What a line break inside a value becomes.
LINE_BREAK = "<br />"


#: Control characters (category Cc) but the line break, and lone surrogates (Cs);
#: carriage returns and tabs are among them, and are turned into text first.
_REMOVED = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

#: What always becomes an entity, and line breaks: one pass of ``str.translate``.
_TRANSLATION = str.maketrans({**_ALWAYS, "\n": LINE_BREAK})

#: Two or more of the same character that is markup when repeated.
_RUNS = re.compile(r"'{2,}|~{2,}|_{2,}|!{2,}")

#: Any character some rule changes somewhere in a value: a value without one,
#: and without a line-start character first, is its own escape (most values are).
_ANY_RULE = re.compile("[" + re.escape("".join([*_ALWAYS, "\n", *_WHEN_REPEATED])) + "]")
_FIRST_RULE = frozenset([*_WHEN_REPEATED, *_AT_LINE_START])


def normalise_value(value: str) -> str:
    """The canonical form of a value: what :func:`escape_value` shows.

    Line breaks become ``\\n``, tabs become spaces, other control characters
    are removed, and the text is NFC. Unescaping the output of
    :func:`escape_value` (with ``<br />`` read as a line break) gives exactly
    this text back.
    """
    if value.isprintable():  # the common case: no control character, no surrogate
        text = value
    elif _REMOVED.search(value):  # carriage returns and tabs are among them
        text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        text = _REMOVED.sub("", text)
    else:
        text = value  # a line break, or a character that is not printable but stays
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _run_entities(match: re.Match[str]) -> str:
    run = match.group(0)
    return _WHEN_REPEATED[run[0]] * len(run)


def escape_value(value: str) -> str:
    """Wikitext that displays ``value`` literally, wherever a pattern places it.

    The rules of the module's doc, in three passes over the text (a batch
    escapes millions of values): characters that are always markup and line
    breaks, then runs of a character that is markup when repeated, then the
    ends of the value. Neither pass makes new neighbours for the next: no
    entity holds a character that is markup when repeated.
    """
    return escape_normalised(normalise_value(value))


def escape_normalised(text: str) -> str:
    """:func:`escape_value` of a value already normalised (:func:`normalise_value`)."""
    if not text:
        return ""
    if text[0] not in _FIRST_RULE and not _ANY_RULE.search(text):
        return text
    out = _RUNS.sub(_run_entities, text.translate(_TRANSLATION))
    first = out[0]
    if first in _WHEN_REPEATED:
        out = _WHEN_REPEATED[first] + out[1:]
    elif first in _AT_LINE_START:
        out = _AT_LINE_START[first] + out[1:]
    if out[-1] in _WHEN_REPEATED:
        out = out[:-1] + _WHEN_REPEATED[out[-1]]
    return out


def plain_value(value: str) -> str:
    """A value as plain text on one line, for places that are not wikitext (file titles)."""
    return normalise_value(value).replace("\n", " ")
