"""Mapping tables: the pages where volunteers map a partner's values (SPEC section 4).

A mapping page is shared between the bot (values and counts) and volunteers
(categories, Wikidata items, display text, and any notes they care to write).
The bot regenerates it on every run, so the merge must never lose a single
human edit, and must give byte-identical text when nothing changed so that it
never makes a null edit. Everything here is a pure function.

The page::

    {{Mapping table|request=NAME|column=artist}}
    {{Mapping row|value=Blake, William|count=212|categories=|wikidata=|text=}}
    {{Mapping table end}}

How the merge keeps human work:

- A row the bot already knows is kept *as written*: only its ``count`` is
  changed, in place. Unknown parameters, comments and spacing stay.
- A row "carries human work" when any parameter other than ``value`` and
  ``count`` holds text (comments included), or text is written next to it.
  Such a row is never dropped: if its value vanished from the source its count
  becomes 0. A row without human work whose value vanished is dropped.
- Lines written above a row travel with that row (also above the first row),
  text on the same line after a row travels with that row, and text after the
  last row stays at the bottom. Text outside the table (before the header,
  after the end marker) stays where it is: that is the place for notes about
  the whole table. So notes survive re-sorting.
- Two rows for the same value: rows without human work are dropped when
  another row for the value carries some; rows with human work are all kept
  verbatim, next to each other. For rendering, each cell comes from the first
  row (in page order) that fills it; rows that fill the same cell differently
  are reported by :func:`check_mapping_page` so a volunteer can decide, rather
  than the bot silently rewriting anybody's text.
- Rows are sorted by count (highest first), then by value (case-folded, then
  as written), which does not depend on the machine's locale.

Values are written so that they read back exactly: characters that would end
the parameter, open markup, or be trimmed (``| { } [ ] <``, ``&`` before
something that looks like an entity, control characters, whitespace at either
end, ``~~~`` and ``__``) become HTML numeric character references, and
character references are decoded when a value is read. ``{{!}}`` and ``{{=}}``
written by hand are read as ``|`` and ``=``.
"""

from __future__ import annotations

import html.entities
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import mwparserfromhell
from mwparserfromhell.nodes import Node, Template

from bots.i18n.message import msg
from bots.model import MappingRow, MappingTable, Problem
from bots.pipeline.balance import explain, unbalanced
from bots.pipeline.request_checks import split_list, title_problem
from bots.wikitext import clean_value, is_template, without_category_prefix

MAPPING_TABLE_TEMPLATE = "Mapping table"
MAPPING_ROW_TEMPLATE = "Mapping row"
MAPPING_TABLE_END_TEMPLATE = "Mapping table end"

#: The cells volunteers fill, in the order the bot writes them.
ROW_CELLS: tuple[str, ...] = ("categories", "wikidata", "text")
#: The bot's own cell, candidates for ``wikidata`` (:mod:`bots.pipeline.suggestions`).
SUGGESTIONS_CELL = "suggestions"

#: A cell that means "not applicable".
NOT_APPLICABLE = "-"

_ENTITY_LIKE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_QID_RE = re.compile(r"Q[1-9][0-9]*", re.ASCII)
_PID_RE = re.compile(r"P[1-9][0-9]*", re.ASCII)
_COUNT_RE = re.compile(r"[0-9]+", re.ASCII)
_MAGIC_TEMPLATES = {"!": "|", "=": "="}

# --- values -----------------------------------------------------------------


def split_values(cell: str | None, split: str) -> list[str]:
    """The values in one source cell, as the mapping tables know them.

    Parts are trimmed, empty parts dropped and text normalised to NFC (as
    MediaWiki stores it), so a value read back from the wiki matches the value
    read from the source. Rendering must look values up through this function.
    """
    if not cell:
        return []
    parts = cell.split(split) if split else [cell]
    return [unicodedata.normalize("NFC", part.strip()) for part in parts if part.strip()]


def count_values(
    records: Iterable[Mapping[str, str]], columns: Sequence[str], split: str
) -> dict[str, Counter[str]]:
    """How many records carry each value, per column, in one pass over the records.

    A value written twice in the same cell counts once: the count is of records.
    The cells are counted first and each different cell is split once (a
    mapped column holds few different cells); the values come out in the
    order the records first have them, as when each record is counted alone.
    """
    cells: dict[str, dict[str | None, int]] = {column: {} for column in columns}
    for record in records:
        for column in columns:
            seen = cells[column]
            cell = record.get(column)
            seen[cell] = seen.get(cell, 0) + 1
    counts: dict[str, Counter[str]] = {column: Counter() for column in columns}
    for column in columns:
        counted = counts[column]
        for cell, records_with_it in cells[column].items():
            for value in set(split_values(cell, split)):
                counted[value] += records_with_it
    return counts


def encode_value(value: str) -> str:
    """Write ``value`` as a template parameter value that reads back as ``value``."""
    out: list[str] = []
    last = len(value) - 1
    for i, char in enumerate(value):
        code = ord(char)
        if (
            char in "|{}[]<"
            or code < 32
            or code == 127
            or (char == "&" and _ENTITY_LIKE.match(value, i))
            or ((i == 0 or i == last) and char.isspace())
            or (char == "_" and value[i + 1 : i + 2] == "_")
            or (char == "~" and _in_tilde_run(value, i))
        ):
            out.append(f"&#{code};")
        else:
            out.append(char)
    return "".join(out)


def _in_tilde_run(value: str, i: int) -> bool:
    """Whether position ``i`` is part of ``~~~`` (a signature on save)."""
    start = i
    while start > 0 and value[start - 1] == "~":
        start -= 1
    end = i
    while end < len(value) and value[end] == "~":
        end += 1
    return end - start >= 3


def decode_value(written: str) -> str:
    """Read a value as written on the page: trimmed, ``{{!}}``, references decoded."""
    text = clean_value(written)
    text = re.sub(
        r"\{\{\s*([!=])\s*\}\}",
        lambda m: _MAGIC_TEMPLATES[m.group(1)],
        text,
    )
    return _ENTITY_LIKE.sub(_decode_reference, text)


def _decode_reference(match: re.Match[str]) -> str:
    ref = match.group(0)[1:-1]
    if ref.startswith(("#x", "#X")):
        code = int(ref[2:], 16)
    elif ref.startswith("#"):
        code = int(ref[1:])
    else:
        return html.entities.html5.get(ref + ";", match.group(0))
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)
    return chr(code)


# --- parsing a page ---------------------------------------------------------


@dataclass(frozen=True)
class ParsedRow:
    """One ``{{Mapping row}}`` exactly as written, with what the bot needs to know."""

    value: str  # decoded
    count: int  # 0 when missing or not a whole number
    count_written: str  # the count as written, comments removed, trimmed
    #: every parameter but value and count, as written (trimmed), in page order
    cells: Mapping[str, str]
    text: str  # the template exactly as written
    leading: str = ""  # lines written above the row (after the previous row's line)
    trailer: str = ""  # text after the row on the same line

    @property
    def has_human_work(self) -> bool:
        """Whether dropping this row could lose anything a human wrote."""
        human = (v for k, v in self.cells.items() if k != SUGGESTIONS_CELL)
        return any(human) or bool(self.leading.strip() or self.trailer.strip())


@dataclass(frozen=True)
class ParsedMappingPage:
    """A mapping page cut into the table and everything humans wrote around it."""

    original: str
    prefix: str = ""  # text before the header
    header: str | None = None  # the header template as written
    header_params: Mapping[str, str] = field(default_factory=dict)  # decoded
    header_trailer: str = ""
    rows: tuple[ParsedRow, ...] = ()
    tail: str = ""  # lines between the last row and the end marker
    end: str | None = None  # the end marker as written
    suffix: str = ""  # text after the end marker (or after the table when it has none)


def _split_gap(gap: str) -> tuple[str, str]:
    """(rest of the previous item's line, lines before the next item)."""
    newline = gap.find("\n")
    if newline == -1:
        return gap, ""
    return gap[:newline], gap[newline + 1 :]


def _params(template: Template) -> dict[str, str]:
    """Named parameters as written (trimmed); positional ones under their number."""
    return {str(p.name).strip(): str(p.value).strip() for p in template.params}


def _parse_row(template: Template) -> ParsedRow:
    params = _params(template)
    value = decode_value(params.pop("value", ""))
    count_written = clean_value(params.pop("count", ""))
    count = int(count_written) if _COUNT_RE.fullmatch(count_written) else 0
    return ParsedRow(
        value=value, count=count, count_written=count_written, cells=params, text=str(template)
    )


def parse_mapping_page(wikitext: str) -> ParsedMappingPage:
    """Cut a mapping page into its header, rows and the human text around them.

    The table starts at the first ``{{Mapping table}}`` (or, when a human
    removed it, at the first row) and ends at the next ``{{Mapping table end}}``
    (or after the last row). Only rows at the top level of the table count;
    everything else is kept as text.
    """
    nodes: list[Node] = list(mwparserfromhell.parse(wikitext, skip_style_tags=True).nodes)

    def index_of(name: str, start: int = 0) -> int | None:
        for i in range(start, len(nodes)):
            node = nodes[i]
            if isinstance(node, Template) and is_template(node, name):
                return i
        return None

    header_at = index_of(MAPPING_TABLE_TEMPLATE)
    start = header_at + 1 if header_at is not None else index_of(MAPPING_ROW_TEMPLATE)
    if start is None:
        return ParsedMappingPage(original=wikitext, prefix=wikitext)
    end_at = index_of(MAPPING_TABLE_END_TEMPLATE, start)
    stop = end_at if end_at is not None else len(nodes)

    gaps: list[str] = []
    row_templates: list[Template] = []
    buffer: list[str] = []
    for node in nodes[start:stop]:
        if isinstance(node, Template) and is_template(node, MAPPING_ROW_TEMPLATE):
            gaps.append("".join(buffer))
            buffer = []
            row_templates.append(node)
        else:
            buffer.append(str(node))
    gaps.append("".join(buffer))
    if end_at is None:
        # no end marker: text after the table's last line is outside the table
        last_trailer, after = _split_gap(gaps[-1])
        gaps[-1] = last_trailer + "\n"
        suffix = after
    else:
        suffix = "".join(str(n) for n in nodes[end_at + 1 :])

    header: Template | None = None
    if header_at is not None:
        node = nodes[header_at]
        header = node if isinstance(node, Template) else None
    # gaps[0] runs from the header (if any) to the first row, or to the end marker
    header_trailer = _split_gap(gaps[0])[0] if header is not None else ""
    rows: list[ParsedRow] = []
    for i, template in enumerate(row_templates):
        leading = _split_gap(gaps[i])[1] if i > 0 or header is not None else ""
        trailer = _split_gap(gaps[i + 1])[0]
        rows.append(_with_spacing(_parse_row(template), leading, trailer))
    tail = _split_gap(gaps[-1])[1] if row_templates or header is not None else ""
    return ParsedMappingPage(
        original=wikitext,
        prefix="".join(str(n) for n in nodes[: header_at if header_at is not None else start]),
        header=str(header) if header is not None else None,
        header_params=(
            {k: decode_value(v) for k, v in _params(header).items()} if header is not None else {}
        ),
        header_trailer=header_trailer,
        rows=tuple(rows),
        tail=tail,
        end=str(nodes[end_at]) if end_at is not None else None,
        suffix=suffix,
    )


def _with_spacing(row: ParsedRow, leading: str, trailer: str) -> ParsedRow:
    return ParsedRow(
        value=row.value,
        count=row.count,
        count_written=row.count_written,
        cells=row.cells,
        text=row.text,
        leading=leading,
        trailer=trailer,
    )


# --- writing a page ---------------------------------------------------------


def header_text(request: str, column: str, property: str = "") -> str:
    """A new table's header; ``property`` (SPEC 11) when the request names one."""
    named = f"|property={encode_value(property)}" if property else ""
    return (
        f"{{{{{MAPPING_TABLE_TEMPLATE}|request={encode_value(request)}"
        f"|column={encode_value(column)}{named}}}}}"
    )


def row_text(value: str, count: int) -> str:
    """A new row, as the bot writes it: every cell present and empty."""
    cells = "".join(f"|{cell}=" for cell in ROW_CELLS)
    return f"{{{{{MAPPING_ROW_TEMPLATE}|value={encode_value(value)}|count={count}{cells}}}}}"


END_TEXT = f"{{{{{MAPPING_TABLE_END_TEMPLATE}}}}}"


def _set_param_in(template_text: str, name: str, value: str, after: str | None) -> str:
    """Set one parameter of a lone template, keeping the spacing around its value."""
    code = mwparserfromhell.parse(template_text, skip_style_tags=True)
    template = code.filter_templates(recursive=False)[0]
    existing = [p for p in template.params if str(p.name).strip() == name]
    if existing:
        param = existing[-1]
        old = str(param.value)
        content = old.strip()
        if content:
            start = old.index(content)
            lead, trail = old[:start], old[start + len(content) :]
        else:
            lead, trail = "", old
        param.value = mwparserfromhell.parse(lead + value + trail)
    elif after is not None and template.has(after):
        template.add(name, value, after=after, preserve_spacing=False)
    else:
        template.add(name, value, preserve_spacing=False)
    return str(code)


def _with_count(row: ParsedRow, count: int) -> ParsedRow:
    if row.count_written == str(count):
        return row
    text = _set_param_in(row.text, "count", str(count), after="value")
    return ParsedRow(
        value=row.value,
        count=count,
        count_written=str(count),
        cells=row.cells,
        text=text,
        leading=row.leading,
        trailer=row.trailer,
    )


def _sort_key(row: ParsedRow) -> tuple[int, str, str]:
    return (-row.count, row.value.casefold(), row.value)


def _mediawiki_rtrim(text: str) -> str:
    """MediaWiki trims trailing whitespace on save; so do we, to compare equal."""
    return text.rstrip(" \t\n\r\x00\x0b")


def merge_mapping(
    existing: ParsedMappingPage | None,
    request: str,
    column: str,
    counts: Counter[str],
    property: str = "",
) -> str:
    """The mapping page for ``counts``, keeping everything humans wrote on ``existing``.

    ``property`` (SPEC 11), the request's for the column, fills a header that
    names none. Merging the result again with the same counts gives the same text.
    """
    present = {value: n for value, n in counts.items() if n > 0}
    page = existing or ParsedMappingPage(original="")

    kept: list[ParsedRow] = []
    by_value: dict[str, list[ParsedRow]] = {}
    for row in page.rows:
        by_value.setdefault(row.value, []).append(row)
    for value, rows in by_value.items():
        worked = [row for row in rows if row.has_human_work]
        if not worked and value not in present:
            continue  # nothing human to keep and nothing to count
        for row in worked or rows[:1]:
            kept.append(_with_count(row, present.get(value, 0)))
    order = {id(row): i for i, row in enumerate(kept)}
    for value, n in present.items():
        if value not in by_value:
            kept.append(ParsedRow(value, n, str(n), {c: "" for c in ROW_CELLS}, row_text(value, n)))
    kept.sort(key=lambda row: (*_sort_key(row), order.get(id(row), len(order))))

    header = page.header
    if header is None:
        header = header_text(request, column, property)
    else:
        if page.header_params.get("request") != request:
            header = _set_param_in(header, "request", encode_value(request), after=None)
        if page.header_params.get("column") != column:
            header = _set_param_in(header, "column", encode_value(column), after="request")
        if property and not clean_value(page.header_params.get("property", "")):
            header = _set_param_in(header, "property", encode_value(property), after="column")

    prefix = page.prefix
    if page.header is None and prefix and not prefix.endswith("\n"):
        prefix += "\n"
    parts = [prefix, header, page.header_trailer, "\n"]
    for row in kept:
        parts += [row.leading, row.text, row.trailer, "\n"]
    parts += [page.tail, page.end if page.end is not None else END_TEXT]
    if page.end is None and page.suffix:
        parts.append("\n")
    parts.append(page.suffix)
    return _mediawiki_rtrim("".join(parts))


# --- the table as rendering sees it -----------------------------------------


def _clean_categories(written: str) -> str:
    cleaned = clean_value(written)
    if cleaned == NOT_APPLICABLE:
        return NOT_APPLICABLE
    decoded = decode_value(cleaned)
    return "; ".join(without_category_prefix(item) for item in split_list(decoded))


def _model_row(row: ParsedRow) -> MappingRow:
    return MappingRow(
        value=row.value,
        count=row.count,
        categories=_clean_categories(row.cells.get("categories", "")),
        wikidata=clean_value(row.cells.get("wikidata", "")),
        text=clean_value(row.cells.get("text", "")),
    )


def mapping_from_text(request: str, column: str, wikitext: str) -> MappingTable:
    """The mapping table as rendering uses it: one row per value, cells cleaned.

    Comments are removed and cells trimmed; ``categories`` lose any
    ``Category:`` prefix; ``text`` stays wikitext. When a value has several
    rows, each cell comes from the first row that fills it.
    """
    page = parse_mapping_page(wikitext)
    combined: dict[str, MappingRow] = {}
    for parsed in page.rows:
        if not parsed.value:
            continue
        row = _model_row(parsed)
        first = combined.get(row.value)
        if first is None:
            combined[row.value] = row
            continue
        combined[row.value] = MappingRow(
            value=first.value,
            count=first.count,
            categories=first.categories or row.categories,
            wikidata=first.wikidata or row.wikidata,
            text=first.text or row.text,
        )
    prop = clean_value(page.header_params.get("property", ""))  # SPEC 11: property=P170
    prop = prop.upper() if _PID_RE.fullmatch(prop.upper()) else prop
    return MappingTable(request, column, tuple(combined.values()), property=prop)


# --- checks for volunteers --------------------------------------------------


def _where(table_column: str) -> str:
    return f"Mappings/{table_column}"


def validate_mapping(table: MappingTable) -> list[Problem]:
    """Cells a volunteer filled that the bot cannot use.

    A ``text`` must leave the file page whole as MediaWiki parses it
    (:mod:`bots.pipeline.balance`); the renderer refuses the records that would use
    one that does not, and this names the row once for the volunteers.
    """
    where = _where(table.column)
    problems: list[Problem] = []
    if table.property and not _PID_RE.fullmatch(table.property):
        problems.append(Problem(where, msg("hubbot-mapping-property-bad", table.property)))
    for row in table.rows:
        wikidata = row.wikidata
        if wikidata not in ("", NOT_APPLICABLE) and not _QID_RE.fullmatch(wikidata):
            found = re.search(r"Q[1-9][0-9]*", wikidata, re.ASCII)
            message = (
                msg("hubbot-mapping-bad-qid-hint", row.value, wikidata, found.group(0))
                if found
                else msg("hubbot-mapping-bad-qid", row.value, wikidata)
            )
            problems.append(Problem(where, message))
        broken = unbalanced(row.text) if row.text not in ("", NOT_APPLICABLE) else ()
        if broken:
            problems.append(
                Problem(where, msg("hubbot-mapping-text-markup", row.value, explain(broken)))
            )
        if row.categories == NOT_APPLICABLE:
            continue
        for category in row.category_list():
            if category == NOT_APPLICABLE:
                problems.append(Problem(where, msg("hubbot-mapping-dash-alone", row.value)))
            elif any(mark in category for mark in ("[[", "]]", "|")):
                problems.append(
                    Problem(where, msg("hubbot-mapping-category-markup", row.value, category))
                )
            elif reason := title_problem(category):
                problems.append(
                    Problem(where, msg("hubbot-mapping-not-category", row.value, category, reason))
                )
    return problems


def check_mapping_page(request: str, column: str, wikitext: str) -> list[Problem]:
    """Everything wrong with a mapping page: bad cells, rows without a value,
    and rows for the same value that fill the same cell differently."""
    page = parse_mapping_page(wikitext)
    where = _where(column)
    problems = validate_mapping(mapping_from_text(request, column, wikitext))
    if any(not row.value for row in page.rows):
        problems.append(Problem(where, msg("hubbot-mapping-row-no-value")))
    seen: dict[str, MappingRow] = {}
    for parsed in page.rows:
        row = _model_row(parsed)
        first = seen.setdefault(row.value, row)
        if first is row or not row.value:
            continue
        for cell in ROW_CELLS:
            mine, theirs = getattr(first, cell), getattr(row, cell)
            if mine and theirs and mine != theirs:
                problems.append(
                    Problem(where, msg("hubbot-mapping-row-twice", row.value, cell, mine, theirs))
                )
    return problems


__all__ = [
    "END_TEXT",
    "MAPPING_ROW_TEMPLATE",
    "MAPPING_TABLE_END_TEMPLATE",
    "MAPPING_TABLE_TEMPLATE",
    "NOT_APPLICABLE",
    "ROW_CELLS",
    "SUGGESTIONS_CELL",
    "ParsedMappingPage",
    "ParsedRow",
    "check_mapping_page",
    "count_values",
    "decode_value",
    "encode_value",
    "header_text",
    "mapping_from_text",
    "merge_mapping",
    "parse_mapping_page",
    "row_text",
    "split_values",
    "validate_mapping",
]
