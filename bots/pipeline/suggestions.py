"""Suggestions in mapping tables (SPEC 12): candidates a volunteer may pick for ``wikidata``.

For each row whose ``wikidata`` cell is empty the bot writes up to three
candidates, best first, in the row's ``suggestions`` cell::

    {{Mapping row|value=Blake, William|count=212|categories=|wikidata=|suggestions=Q41513 (William Blake; English poet and painter)|text=}}

They come from the Wikibase's search of labels and aliases, asked for the
value and, when it reads "Last, First", for "First Last". Candidates whose
label or alias is the searched text itself (ignoring case) come first, then
the search's own order. A table whose header says ``type=Q5`` keeps only
candidates that are an instance of (P31) that item, directly.

The bot never fills ``wikidata``: a volunteer copies the right id. The
``suggestions`` cell is the bot's: it is rewritten when suggestions are
refreshed and emptied once ``wikidata`` is filled, it is not human work that
keeps a row alive, and it is left out of the preview id (what the bot
suggests decides nothing). Everything here is pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import mwparserfromhell

from bots.pipeline.mapping import (
    MAPPING_ROW_TEMPLATE,
    SUGGESTIONS_CELL,
    ParsedMappingPage,
    decode_value,
    encode_value,
)
from bots.wiki.records import SearchHit
from bots.wikitext import clean_value, is_template

#: How many candidates a row shows.
MAX_SUGGESTIONS = 3
#: Descriptions are cut to this many characters in the cell.
MAX_DESCRIPTION = 80
#: The header parameter that keeps only instances of one item.
TYPE_PARAM = "type"

_QID = re.compile(r"Q[1-9][0-9]*", re.ASCII)
_CANDIDATE_START = re.compile(r"(?:^|,\s+)(?=Q[1-9][0-9]*(?:\s+\(|,|$))", re.ASCII)


def flipped(value: str) -> str | None:
    """ "Last, First" as "First Last"; None for a value that does not read so."""
    parts = [part.strip() for part in value.split(",")]
    if len(parts) != 2 or not all(parts):
        return None
    return f"{parts[1]} {parts[0]}"


def search_texts(value: str) -> list[str]:
    """What to search for a value: the value, then its "First Last" form."""
    texts = [value.strip()]
    other = flipped(value)
    if other and other not in texts:
        texts.append(other)
    return [t for t in texts if t]


def ranked(texts: Sequence[str], results: Sequence[Sequence[SearchHit]]) -> list[SearchHit]:
    """The candidates of every search, best first, each item once.

    A candidate whose matched label or alias is one of the searched texts
    (ignoring case) comes before one that merely starts with it; among
    equals, the one a search ranked higher; then the order of the searches.
    """
    wanted = {t.casefold() for t in texts}
    best: dict[str, tuple[int, int, int, SearchHit]] = {}
    for order, hits in enumerate(results):
        for position, hit in enumerate(hits):
            if not _QID.fullmatch(hit.id):
                continue
            exact = hit.matched_text.casefold() in wanted or hit.label.casefold() in wanted
            key = (0 if exact else 1, position, order, hit)
            if hit.id not in best or key[:3] < best[hit.id][:3]:
                best[hit.id] = key
    return [entry[3] for entry in sorted(best.values(), key=lambda k: k[:3])]


def of_type(
    hits: Iterable[SearchHit], kind: str, instance_of: Mapping[str, Iterable[str]]
) -> list[SearchHit]:
    """The candidates that are an instance of ``kind`` (all of them when ``kind`` is "")."""
    if not kind:
        return list(hits)
    return [hit for hit in hits if kind in set(instance_of.get(hit.id, ()))]


def cell_text(hits: Sequence[SearchHit]) -> str:
    """``Q123 (label; description), Q456 (label)``: the first three, as the cell shows them."""
    shown = []
    for hit in hits[:MAX_SUGGESTIONS]:
        label = " ".join(hit.label.split())
        description = " ".join(hit.description.split())
        if len(description) > MAX_DESCRIPTION:
            description = description[: MAX_DESCRIPTION - 1].rstrip() + "…"
        terms = "; ".join(t for t in (label, description) if t)
        shown.append(f"{hit.id} ({terms})" if terms else hit.id)
    return ", ".join(shown)


def candidates(cell: str) -> list[str]:
    """The item ids a ``suggestions`` cell offers, in its order (for forms and tests)."""
    text = clean_value(cell)
    starts = [m.end() for m in _CANDIDATE_START.finditer(text)]
    return [m.group(0) for s in starts if (m := _QID.match(text, s))]


def table_type(page: ParsedMappingPage) -> str:
    """The ``type`` a table's header asks for (a Q-id), or "" when it asks for none."""
    kind = page.header_params.get(TYPE_PARAM, "").strip().upper()
    return kind if _QID.fullmatch(kind) else ""


def wanting(page: ParsedMappingPage | None, values: Iterable[str]) -> list[str]:
    """The values (in the data now) whose rows have no ``wikidata`` yet: they get suggestions."""
    filled: set[str] = set()
    if page is not None:
        for row in page.rows:
            if clean_value(row.cells.get("wikidata", "")):  # a Q-id, or "-"
                filled.add(row.value)
    return [v for v in values if v not in filled]


def with_suggestions(wikitext: str, suggestions: Mapping[str, str]) -> str:
    """A merged mapping page with the bot's ``suggestions`` cells as they should be now.

    ``suggestions`` maps a value to its cell. A row whose ``wikidata`` is
    filled (an id, or "-") has its suggestions emptied; a row whose value is
    not in ``suggestions`` (not looked up in this run) keeps its cell as it
    is. Everything else on the page stays byte for byte.
    """
    if not suggestions and SUGGESTIONS_CELL not in wikitext:
        return wikitext
    code = mwparserfromhell.parse(wikitext, skip_style_tags=True)
    changed = False
    for template in code.filter_templates(recursive=False):
        if not is_template(template, MAPPING_ROW_TEMPLATE) or not template.has("value"):
            continue
        value = decode_value(str(template.get("value").value))
        wikidata = template.get("wikidata").value if template.has("wikidata") else ""
        if clean_value(str(wikidata)):
            wanted = ""
        elif value in suggestions:
            wanted = suggestions[value]
        else:
            continue
        now = str(template.get(SUGGESTIONS_CELL).value) if template.has(SUGGESTIONS_CELL) else ""
        if decode_value(now) == wanted:
            continue
        cell = encode_value(wanted)
        if template.has(SUGGESTIONS_CELL):
            old = str(template.get(SUGGESTIONS_CELL).value)
            content = old.strip()
            lead = old[: old.index(content)] if content else ""
            trail = old[len(lead) + len(content) :]
            template.get(SUGGESTIONS_CELL).value = lead + cell + trail
        elif template.has("wikidata"):
            template.add(SUGGESTIONS_CELL, cell, after="wikidata", preserve_spacing=False)
        else:
            template.add(SUGGESTIONS_CELL, cell, preserve_spacing=False)
        changed = True
    return str(code) if changed else wikitext


def without_suggestions(wikitext: str) -> str:
    """A mapping page as the preview id sees it: every row's ``suggestions`` cell left out.

    Refreshed suggestions then never change the id, while anything a human
    writes (cells, notes, the table's ``type``) still does.
    """
    code = mwparserfromhell.parse(wikitext, skip_style_tags=True)
    changed = False
    for template in code.filter_templates(recursive=False):
        if is_template(template, MAPPING_ROW_TEMPLATE) and template.has(SUGGESTIONS_CELL):
            while template.has(SUGGESTIONS_CELL):
                template.remove(SUGGESTIONS_CELL)
            changed = True
    return str(code) if changed else wikitext


__all__ = [
    "MAX_SUGGESTIONS",
    "candidates",
    "cell_text",
    "flipped",
    "of_type",
    "ranked",
    "search_texts",
    "table_type",
    "wanting",
    "with_suggestions",
    "without_suggestions",
]
