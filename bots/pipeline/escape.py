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


def _is_removed_control(char: str) -> bool:
    """Control characters and lone surrogates, which no wiki page can hold."""
    return unicodedata.category(char) in ("Cc", "Cs") and char != "\n"


def normalise_value(value: str) -> str:
    """The canonical form of a value: what :func:`escape_value` shows.

    Line breaks become ``\\n``, tabs become spaces, other control characters
    are removed, and the text is NFC. Unescaping the output of
    :func:`escape_value` (with ``<br />`` read as a line break) gives exactly
    this text back.
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(char for char in text if not _is_removed_control(char))
    return unicodedata.normalize("NFC", text)


def escape_value(value: str) -> str:
    """Wikitext that displays ``value`` literally, wherever a pattern places it."""
    text = normalise_value(value)
    last = len(text) - 1
    out: list[str] = []
    for index, char in enumerate(text):
        if char == "\n":
            out.append(LINE_BREAK)
        elif char in _ALWAYS:
            out.append(_ALWAYS[char])
        elif char in _WHEN_REPEATED and (
            index in (0, last) or text[index - 1] == char or text[index + 1] == char
        ):
            out.append(_WHEN_REPEATED[char])
        elif index == 0 and char in _AT_LINE_START:
            out.append(_AT_LINE_START[char])
        else:
            out.append(char)
    return "".join(out)


def plain_value(value: str) -> str:
    """A value as plain text on one line, for places that are not wikitext (file titles)."""
    return normalise_value(value).replace("\n", " ")
