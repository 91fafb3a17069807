"""Patterns: ``{column}`` placeholders in a requester's wikitext, filled with a record's escaped values.

Pattern syntax: ``{column}`` where the column name is letters, digits,
spaces and ``_ . - :`` (JSON nested keys are written ``a.b``). A ``{`` right
after or before another ``{`` belongs to wikitext, so ``{{PAGENAME}}`` and
``{{{1}}}`` are never placeholders, while ``{{en|1={title}}}`` fills
``{title}`` and keeps the ``{{en|1=`` ... ``}}`` around it. A mapped column's
value shows its mapping row's ``text`` when a volunteer filled one.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

import mwparserfromhell

from bots.i18n.message import Param, capped, items, msg
from bots.model import MappingRow, MappingTable, Problem
from bots.pipeline.balance import unbalanced
from bots.pipeline.escape import escape_normalised, escape_value, normalise_value, plain_value

#: How the parts of a mapped cell are joined on the page.
MAPPED_JOINER = "; "


#: How many column names a message lists before saying "and N more".
MAX_LISTED_COLUMNS = 30


def is_name_char(char: str) -> bool:
    return char in " _.-:" or unicodedata.category(char)[0] in "LNM"


@lru_cache(maxsize=512)
def tokens(pattern: str) -> tuple[tuple[str, bool], ...]:
    """The pattern as (text, is_placeholder) pieces; placeholders hold the column name."""
    pieces: list[tuple[str, bool]] = []
    literal_start = 0
    index = 0
    length = len(pattern)
    while index < length:
        if (
            pattern[index] == "{"
            and (index == 0 or pattern[index - 1] != "{")
            and index + 1 < length
            and pattern[index + 1] != "{"
        ):
            end = pattern.find("}", index + 1)
            name = pattern[index + 1 : end] if end != -1 else ""
            if name.strip() and all(is_name_char(char) for char in name):
                if literal_start < index:
                    pieces.append((pattern[literal_start:index], False))
                pieces.append((name.strip(), True))
                index = literal_start = end + 1
                continue
        index += 1
    if literal_start < length:
        pieces.append((pattern[literal_start:], False))
    return tuple(pieces)


def placeholders(pattern: str) -> list[str]:
    """The column names a pattern uses, in order of first use, each once."""
    return list(dict.fromkeys(text for text, is_column in tokens(pattern) if is_column))


def closest(column: str, columns: Sequence[str]) -> str | None:
    for candidate in columns:
        if candidate.casefold() == column.casefold():
            return candidate
    found = difflib.get_close_matches(column, list(columns), n=1, cutoff=0.6)
    return found[0] if found else None


def check_pattern(param_name: str, pattern: str, columns: Sequence[str]) -> list[Problem]:
    """What is wrong with one pattern of a request, in words the partner can act on.

    Unknown columns name the columns that exist and the closest one; braces
    left over once placeholders are taken out must pair up, because a stray
    ``{`` or ``}`` is almost always a placeholder or template typed wrong; and
    the text must close the markup it opens (:func:`pattern_markup_problems`).
    """
    problems: list[Problem] = []
    available = list(columns)
    for column in placeholders(pattern):
        if column in available:
            continue
        listed: Param = (
            capped(available, MAX_LISTED_COLUMNS) if available else msg("hubbot-columns-none")
        )
        suggestion = closest(column, available)
        key = "hubbot-problem-placeholder-suggest" if suggestion else "hubbot-problem-placeholder"
        problems.append(
            Problem(
                param_name, msg(key, "{" + column + "}", listed, "{" + (suggestion or "") + "}")
            )
        )
    rest = "".join(text for text, is_column in tokens(pattern) if not is_column)
    opening, closing = rest.count("{"), rest.count("}")
    if opening != closing:
        problems.append(Problem(param_name, msg("hubbot-problem-pattern-braces", opening, closing)))
    else:
        problems += pattern_markup_problems(param_name, pattern)
    return problems


def pattern_markup_problems(param_name: str, pattern: str) -> list[Problem]:
    """Why the requester's text around the placeholders cannot go into a file page.

    The text is checked with each placeholder standing for a plain word, since
    that is all an escaped value can be. A ``<`` or ``</`` right before a
    placeholder is refused too: a value such as ``nowiki x`` would make it a tag.
    """
    pieces = tokens(pattern)
    literal = "".join("x" if is_column else text for text, is_column in pieces)
    reasons: list[Param] = [found.reason for found in unbalanced(literal)]
    for (text, is_column), (_next, next_is_column) in zip(pieces, pieces[1:], strict=False):
        if not is_column and next_is_column and text.endswith(("<", "</")):
            reasons.append(msg("hubbot-balance-lt-placeholder"))
            break
    if not reasons:
        return []
    return [
        Problem(param_name, msg("hubbot-problem-pattern-markup", items(reasons[:3], "semicolon")))
    ]


def cell(record: Mapping[str, object], column: str) -> str:
    value = record.get(column)
    return "" if value is None else str(value)


#: Lookup dicts of the mapping tables seen last, by identity: a request renders
#: thousands of records against the same few tables.
LOOKUPS: dict[int, tuple[MappingTable, dict[str, MappingRow]]] = {}


def lookup(table: MappingTable) -> dict[str, MappingRow]:
    cached = LOOKUPS.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    rows = {unicodedata.normalize("NFC", row.value.strip()): row for row in table.rows}
    if len(LOOKUPS) >= 64:
        LOOKUPS.clear()
    LOOKUPS[id(table)] = (table, rows)
    return rows


@lru_cache(maxsize=8192)
def mapped_parts(value: str, split: str) -> tuple[str, ...]:
    """The values of a mapped cell: split on ``split``, stripped, NFC, empties dropped.

    Cached: a mapped column holds the same few values thousands of times.
    """
    pieces = value.split(split) if split else [value]
    parts = (normalise_value(piece).strip() for piece in pieces)
    return tuple(part for part in parts if part)


@lru_cache(maxsize=8192)
def _escaped_part(part: str) -> str:
    return escape_value(part)


def mapped_text(row: MappingRow | None) -> str:
    """The volunteer's replacement text, or "" when there is none."""
    if row is None:
        return ""
    text = row.text.strip()
    return "" if text == "-" else text


def plain_text(wikitext: str) -> str:
    """What a reader sees of a volunteer's wikitext, for titles."""
    return " ".join(str(mwparserfromhell.parse(wikitext).strip_code()).split())


def fill_value(
    column: str,
    record: Mapping[str, object],
    mappings: Mapping[str, MappingTable],
    split: str,
    plain: bool,
) -> str:
    raw = cell(record, column)
    table = mappings.get(column)
    if table is None:
        text = normalise_value(raw).strip()
        return plain_value(text) if plain else escape_normalised(text)
    rows = lookup(table)
    shown: list[str] = []
    for part in mapped_parts(raw, split):
        text = mapped_text(rows.get(part))
        if plain:
            shown.append((plain_text(text) if text else "") or plain_value(part))
        else:
            shown.append(text or escape_value(part))
    return MAPPED_JOINER.join(shown)


def fill_pattern(
    pattern: str,
    record: Mapping[str, object],
    mappings: Mapping[str, MappingTable],
    split: str = ";",
    *,
    plain: bool = False,
) -> str:
    """The pattern with every ``{column}`` replaced by the record's value.

    Values are trimmed and escaped (:func:`bots.pipeline.escape.escape_value`); a
    missing or empty value gives "". A mapped column's cell is split on
    ``split``; each part shows its mapping row's ``text`` when a volunteer
    filled one (wikitext, used as written), else the escaped part; parts are
    joined with "; ".

    ``plain=True`` is for file titles, which are not wikitext: values are
    inserted unescaped on one line, and a mapping ``text`` gives the words a
    reader would see (``[[d:Q1507366|George Richmond]]`` gives
    ``George Richmond``).
    """
    return "".join(
        fill_value(text, record, mappings, split, plain) if is_column else text
        for text, is_column in tokens(pattern)
    )


#: What an escaped value stands for in a field's shape: a plain word.
SHAPE_WORD = "x"


def fill_pattern_shaped(
    pattern: str,
    record: Mapping[str, object],
    mappings: Mapping[str, MappingTable],
    split: str = ";",
) -> tuple[str, str]:
    """The filled pattern (as :func:`fill_pattern`), and its shape.

    The shape is the same text with every escaped value written as one plain
    word (an empty value stays empty): the requester's text and the
    volunteers' mapping texts as they are, and nothing of the partner's data.
    An escaped value is plain text wherever it stands (:mod:`bots.pipeline.escape`),
    so two records of the same shape make file pages of the same structure,
    and a check of the structure (:func:`bots.pipeline.render._layout_problems`)
    needs to run once per shape, not once per record.
    """
    filled: list[str] = []
    shape: list[str] = []
    for text, is_column in tokens(pattern):
        if not is_column:
            filled.append(text)
            shape.append(text)
            continue
        table = mappings.get(text)
        raw = cell(record, text)
        if table is None:
            value = normalise_value(raw).strip()
            filled.append(escape_normalised(value))
            shape.append(SHAPE_WORD if value else "")
            continue
        rows = lookup(table)
        shown: list[str] = []
        shaped: list[str] = []
        for part in mapped_parts(raw, split):
            mapped = mapped_text(rows.get(part))
            shown.append(mapped or _escaped_part(part))
            shaped.append(mapped or SHAPE_WORD)
        filled.append(MAPPED_JOINER.join(shown))
        shape.append(MAPPED_JOINER.join(shaped))
    return "".join(filled), "".join(shape)


#: How many cells of a mapped column a compiled pattern remembers the filled text of.
_FILLED_CELLS = 4096


class CompiledPattern:
    """A pattern with each placeholder's table decided once: fills a batch's records fast.

    :func:`fill_pattern` and :func:`fill_pattern_shaped` look up the pattern's
    pieces, each column's table and each table's rows for every record; a
    batch fills the same few patterns against the same tables a million
    times. This does that work once, for one batch (``mappings`` must not
    change while it is used), and gives exactly the same text. A mapped
    column's filled text depends on its cell alone, and a mapped column holds
    few values, so that text is kept for each cell seen (a few thousand at most).
    """

    def __init__(self, pattern: str, mappings: Mapping[str, MappingTable], split: str) -> None:
        self.split = split
        #: (text, None) for the pattern's own text, (column, rows) for a placeholder;
        #: rows is None for a column without a mapping table
        self.steps: tuple[tuple[str, dict[str, MappingRow] | None, bool], ...] = tuple(
            (text, lookup(mappings[text]) if text in mappings else None, is_column)
            for text, is_column in tokens(pattern)
        )
        #: the filled text when the pattern has no placeholder (the same for every record)
        self.constant: str | None = (
            "".join(text for text, _rows, _column in self.steps)
            if not any(column for _text, _rows, column in self.steps)
            else None
        )
        #: the column, when the pattern is one placeholder of a column without a table
        self.single: str | None = (
            self.steps[0][0]
            if len(self.steps) == 1 and self.steps[0][2] and self.steps[0][1] is None
            else None
        )
        self._escaped: dict[tuple[str, str], tuple[str, str]] = {}
        self._plain: dict[tuple[str, str], str] = {}

    def fill(self, record: Mapping[str, object]) -> str:
        """:func:`fill_pattern` with ``plain=True`` (for titles and captions)."""
        if self.constant is not None:
            return self.constant
        out: list[str] = []
        for text, rows, is_column in self.steps:
            if not is_column:
                out.append(text)
                continue
            raw = _cell(record, text)
            if rows is None:
                out.append(plain_value(normalise_value(raw).strip()))
                continue
            filled = self._plain.get((text, raw))
            if filled is None:
                filled = _remember(self._plain, (text, raw), self._mapped_plain(rows, raw))
            out.append(filled)
        return "".join(out)

    def shaped(self, record: Mapping[str, object]) -> tuple[str, str]:
        """:func:`fill_pattern_shaped`: the filled pattern and its shape."""
        if self.single is not None:  # "{title}": the commonest field of all
            value = normalise_value(_cell(record, self.single)).strip()
            return escape_normalised(value), SHAPE_WORD if value else ""
        if self.constant is not None:
            return self.constant, self.constant
        filled: list[str] = []
        shape: list[str] = []
        for text, rows, is_column in self.steps:
            if not is_column:
                filled.append(text)
                shape.append(text)
                continue
            raw = _cell(record, text)
            if rows is None:
                value = normalise_value(raw).strip()
                filled.append(escape_normalised(value))
                shape.append(SHAPE_WORD if value else "")
                continue
            both = self._escaped.get((text, raw))
            if both is None:
                both = _remember(self._escaped, (text, raw), self._mapped_shaped(rows, raw))
            filled.append(both[0])
            shape.append(both[1])
        return "".join(filled), "".join(shape)

    def _mapped_plain(self, rows: Mapping[str, MappingRow], raw: str) -> str:
        shown: list[str] = []
        for part in mapped_parts(raw, self.split):
            text = mapped_text(rows.get(part))
            shown.append((plain_text(text) if text else "") or plain_value(part))
        return MAPPED_JOINER.join(shown)

    def _mapped_shaped(self, rows: Mapping[str, MappingRow], raw: str) -> tuple[str, str]:
        shown: list[str] = []
        shaped: list[str] = []
        for part in mapped_parts(raw, self.split):
            mapped = mapped_text(rows.get(part))
            shown.append(mapped or _escaped_part(part))
            shaped.append(mapped or SHAPE_WORD)
        return MAPPED_JOINER.join(shown), MAPPED_JOINER.join(shaped)


def _cell(record: Mapping[str, object], column: str) -> str:
    value = record.get(column)
    return value if type(value) is str else cell(record, column)


_Kept = TypeVar("_Kept")


def _remember(kept: dict[tuple[str, str], _Kept], key: tuple[str, str], value: _Kept) -> _Kept:
    if len(kept) >= _FILLED_CELLS:  # values unique to each record: no use keeping them
        kept.clear()
    kept[key] = value
    return value
