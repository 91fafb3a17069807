"""Data back to the partner: per record, what the wiki knows about its file now.

``hubbot export NAME --format csv|json`` writes one row per uploaded record:
its id, the file's title, URL and SHA-1, the categories the file is in now
(marking those the community added), the Wikidata ids the volunteers mapped
the record's values to, on how many pages the file is used, and the record's
own Wikidata item when the bot created or linked one. With it the
partner can take the community's work back into its catalogue.

"Added by the community" means: a category written on the file page now that
the bot did not write itself (what it last rendered, rebuilt from the page's
history, so categories a sync kept for the community stay theirs). Categories that templates
add (licence and tracking categories, or a volunteer's ``{{Depicts}}``) are
listed but not marked, because the page text does not show who caused them.

Rows are built by a pure function (:func:`export_row`) and written by
streaming writers, so an export of a hundred thousand records never holds
them all in memory. :func:`gather_export` reads the wiki 50 files a query.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from bots.followup.merge import categories_in, category_key
from bots.model import MappingTable, Record
from bots.pipeline.mapping import split_values
from bots.statements import EntityDraft, EntityState, HeldStatement

FORMATS = ("csv", "json")

#: The columns of the CSV file, in order.
CSV_COLUMNS = (
    "id",
    "file_title",
    "file_url",
    "sha1",
    "categories",
    "categories_added_by_community",
    "wikidata",
    "usage_count",
    "statements",
    "statements_added_by_community",
    "captions",
    "item",
)

#: Joins statements and captions in one CSV cell: their values may hold any other sign.
CSV_LINES = "\n"

#: Joins several values in one CSV cell; no category name or Q-id can hold it.
CSV_JOINER = "|"


@dataclass(frozen=True)
class ExportRow:
    """What one record's file looks like on the wiki now."""

    record_id: str
    file_title: str  # with "File:", or "" when the file is gone
    file_url: str
    sha1: str
    categories: tuple[str, ...]  # without "Category:"
    community_categories: tuple[str, ...]  # the subset the community added
    wikidata: tuple[str, ...]  # Q-ids mapped from the record's values
    usage_count: int | None  # pages using the file; None when usage could not be read
    #: the file's statements now, as ``Pnnn=value`` (SPEC 11), and those the bot did not write
    statements: tuple[str, ...] = ()
    community_statements: tuple[str, ...] = ()
    captions: Mapping[str, str] = field(default_factory=dict)  # language -> caption
    item: str = ""  # the record's own Wikidata item (SPEC 12), when the bot made or linked one

    def to_json(self) -> dict[str, Any]:
        community = set(self.community_categories)
        return {
            "id": self.record_id,
            "file_title": self.file_title,
            "file_url": self.file_url,
            "sha1": self.sha1,
            "categories": [
                {"name": c, "added_by_community": c in community} for c in self.categories
            ],
            "wikidata": list(self.wikidata),
            "usage_count": self.usage_count,
            "statements": [
                {"statement": s, "added_by_community": s in self.community_statements}
                for s in self.statements
            ],
            "captions": dict(self.captions),
            "item": self.item,
        }

    def to_csv(self) -> list[str]:
        return [
            self.record_id,
            self.file_title,
            self.file_url,
            self.sha1,
            CSV_JOINER.join(self.categories),
            CSV_JOINER.join(self.community_categories),
            CSV_JOINER.join(self.wikidata),
            "" if self.usage_count is None else str(self.usage_count),
            CSV_LINES.join(self.statements),
            CSV_LINES.join(self.community_statements),
            CSV_LINES.join(f"{k}: {v}" for k, v in sorted(self.captions.items())),
            self.item,
        ]


# --- pure parts -----------------------------------------------------------------


def community_categories(
    categories: Sequence[str], page_text: str, bot_text: str | None
) -> tuple[str, ...]:
    """Of ``categories``, those written on the page now and not in the bot's own revision.

    With no bot revision to compare with, nothing is marked: the bot cannot
    tell who added what.
    """
    if bot_text is None:
        return ()
    written_now = set(categories_in(page_text))
    written_by_bot = set(categories_in(bot_text))
    return tuple(
        c
        for c in categories
        if category_key(c) in written_now and category_key(c) not in written_by_bot
    )


def mapped_wikidata(
    record: Record | None,
    tables: Mapping[str, MappingTable],
    split: str = ";",
) -> tuple[str, ...]:
    """The Q-ids volunteers gave the record's mapped values, in column order, once each."""
    if record is None:
        return ()
    found: dict[str, None] = {}
    for column, table in tables.items():
        rows = table.lookup()
        for value in split_values(record.get(column), split):
            row = rows.get(value)
            if row is None:
                continue
            qid = row.wikidata.strip().upper()
            if qid and qid != "-":
                found.setdefault(qid, None)
    return tuple(found)


def held_text(held: HeldStatement) -> str:
    """``P180=Q5``; a statement of a kind the bot does not read is its property alone."""
    return f"{held.property}={held.value.shown()}" if held.value is not None else held.property


@dataclass(frozen=True)
class FileData:
    """A file's structured data (SPEC 11): its entity now, and what the bot wrote on it;
    and the record's own Wikidata item (SPEC 12), which its P6243 names."""

    entity: EntityState | None = None
    bot_data: EntityDraft | None = None
    item: str = ""


def entity_columns(
    data: FileData | None,
) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
    """(statements, those the community added, captions) of a file's entity now.

    "Added by the community": on the entity now and not among what the bot
    wrote (the journal keeps that); without it nothing is marked.
    """
    entity, bot_data = (data.entity, data.bot_data) if data is not None else (None, None)
    if entity is None or not entity.exists:
        return (), (), {}
    statements = tuple(held_text(h) for h in entity.statements)
    community: tuple[str, ...] = ()
    if bot_data is not None:
        ours = {s.key() for s in bot_data.statements}
        community = tuple(held_text(h) for h in entity.statements if h.key() not in ours)
    return statements, community, dict(entity.labels)


def export_row(
    record_id: str,
    *,
    file_title: str,
    file_url: str = "",
    sha1: str = "",
    page_text: str = "",
    bot_text: str | None = None,
    categories: Sequence[str] | None = None,
    record: Record | None = None,
    tables: Mapping[str, MappingTable] | None = None,
    split: str = ";",
    usage_count: int | None = None,
    data: FileData | None = None,
) -> ExportRow:
    """One row (pure). ``categories`` defaults to the categories written in ``page_text``.

    ``data``: the file's structured data now and what the bot wrote (SPEC 11),
    and the record's item (SPEC 12).
    """
    statements, community, captions = entity_columns(data)
    if categories is None:
        current = categories_in(page_text)
    else:
        current = list(dict.fromkeys(category_key(c) for c in categories))
    return ExportRow(
        record_id=record_id,
        file_title=file_title,
        file_url=file_url,
        sha1=sha1,
        categories=tuple(current),
        community_categories=community_categories(current, page_text, bot_text),
        wikidata=mapped_wikidata(record, tables or {}, split),
        usage_count=usage_count,
        statements=statements,
        community_statements=community,
        captions=captions,
        item=data.item if data is not None else "",
    )


# --- writers ------------------------------------------------------------------------


def write_csv(rows: Iterable[ExportRow], out: TextIO) -> int:
    """Write rows as CSV with a header line, one at a time; returns how many."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(row.to_csv())
        count += 1
    return count


def write_json(rows: Iterable[ExportRow], out: TextIO) -> int:
    """Write rows as one JSON array, one object per line, streamed; returns how many."""
    out.write("[")
    count = 0
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(row.to_json(), ensure_ascii=False, sort_keys=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_export(rows: Iterable[ExportRow], out: TextIO, format: str) -> int:
    if format == "csv":
        return write_csv(rows, out)
    if format == "json":
        return write_json(rows, out)
    raise ValueError(f"--format must be one of {', '.join(FORMATS)}, not {format!r}")
