"""Data back to the partner: per record, what the wiki knows about its file now.

``hubbot export NAME --format csv|json`` writes one row per uploaded record:
its id, the file's title, URL and SHA-1, the categories the file is in now
(marking those the community added), the Wikidata ids the volunteers mapped
the record's values to, and on how many pages the file is used. With it the
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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from bots.followup.impact import site_facts, usage_for
from bots.followup.sync import categories_in, category_key, last_rendering
from bots.model import MappingTable, Record
from bots.pipeline.mapping import split_values
from bots.store import Outcome, RecordState, StateStore
from bots.wiki import WikiError, newest_revisions

ApiCall = Callable[..., dict[str, Any]]

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
)

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
) -> ExportRow:
    """One row (pure). ``categories`` defaults to the categories written in ``page_text``."""
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


# --- reading the wiki -----------------------------------------------------------------


@dataclass(frozen=True)
class FilePage:
    """What one query tells about a file page."""

    title: str
    exists: bool
    url: str = ""
    sha1: str = ""
    categories: tuple[str, ...] = ()
    text: str = ""
    user: str = ""  # author of the current revision
    #: the current revision is the page's first (nobody edited it after the upload)
    first_revision: bool = False


def file_pages(call: ApiCall, titles: Sequence[str]) -> dict[str, FilePage]:
    """URL, SHA-1, visible categories and current text of up to 50 files, keyed by title asked."""
    assert len(titles) <= 50, "ask at most 50 titles a query"
    params: dict[str, Any] = {
        "action": "query",
        "titles": "|".join(titles),
        "prop": "imageinfo|categories|revisions",
        "iiprop": "url|sha1",
        "clshow": "!hidden",
        "cllimit": "max",
        "rvprop": "ids|user|content",
        "rvslots": "main",
        "formatversion": 2,
    }
    found: dict[str, dict[str, Any]] = {}
    alias: dict[str, str] = {}
    while True:
        data = call(**params)
        query = data.get("query", {})
        for key in ("normalized", "redirects"):
            alias.update({i["from"]: i["to"] for i in query.get(key, [])})
        for page in query.get("pages", []):
            entry = found.setdefault(
                page["title"], {"missing": bool(page.get("missing")), "categories": []}
            )
            if page.get("imageinfo"):
                entry["imageinfo"] = page["imageinfo"][0]
            if page.get("revisions"):
                entry["revision"] = page["revisions"][0]
            for cat in page.get("categories", []):
                entry["categories"].append(str(cat["title"]).split(":", 1)[-1])
        if "continue" not in data:
            break
        params = {**params, **data["continue"]}
    out: dict[str, FilePage] = {}
    for asked in titles:
        title = alias.get(asked, asked)
        known = found.get(title)
        if known is None or known["missing"]:
            out[asked] = FilePage(title=title, exists=False)
            continue
        info = known.get("imageinfo", {})
        rev = known.get("revision", {})
        out[asked] = FilePage(
            title=title,
            exists=True,
            url=str(info.get("url", "")),
            sha1=str(info.get("sha1", "")),
            categories=tuple(dict.fromkeys(known["categories"])),
            text=str(rev.get("slots", {}).get("main", {}).get("content", "")),
            user=str(rev.get("user", "")),
            first_revision=rev.get("parentid", -1) == 0,
        )
    return out


def _file_of(state: RecordState) -> str:
    """The file a record stands for: its upload, or for a duplicate the file already there."""
    title = state.title
    if state.outcome is Outcome.DUPLICATE and state.existing_file:
        title = state.existing_file
    return "File:" + title.removeprefix("File:")


def gather_export(
    call: ApiCall,
    store: StateStore,
    name: str,
    *,
    bot_user: str,
    records: Mapping[str, Record] | None = None,
    tables: Mapping[str, MappingTable] | None = None,
    split: str = ";",
    global_usage: bool | None = None,
    local_wiki: str | None = None,
) -> Iterator[ExportRow]:
    """Rows for every uploaded (or duplicate) record of ``name``, 50 files a query.

    ``records`` (record id -> the record as the source gives it now) and
    ``tables`` give the mapped Wikidata ids; without them that column is empty.
    A page's history is read only when someone edited it after the upload, to
    tell the bot's categories (:func:`bots.followup.sync.last_rendering`) from the community's.
    """
    states = [s for s in store.all(name) if s.outcome in (Outcome.UPLOADED, Outcome.DUPLICATE)]
    usage_readable = True
    if global_usage is None or local_wiki is None:
        try:
            facts = site_facts(call)
        except WikiError:
            usage_readable = False
        else:
            if global_usage is None:
                global_usage = "GlobalUsage" in facts.extensions
            if local_wiki is None:
                local_wiki = facts.servername
    for start in range(0, len(states), 50):
        batch = states[start : start + 50]
        titles = [_file_of(s) for s in batch]
        pages = file_pages(call, titles)
        counts: dict[str, int | None] = {}
        if usage_readable:
            try:
                uses = usage_for(call, titles, global_usage=global_usage, local_wiki=local_wiki)
            except WikiError:
                pass  # usage stays unknown (empty cells), never 0
            else:
                counts = {t: len(u) for t, u in uses.items()}
        for state, title in zip(batch, titles, strict=True):
            page = pages[title]
            bot_text: str | None = None
            if page.exists and state.outcome is Outcome.UPLOADED:
                if page.first_revision and page.user == bot_user:
                    bot_text = page.text  # only the upload: all of it is the bot's
                else:
                    bot_text = last_rendering(newest_revisions(call, page.title), bot_user)
            yield export_row(
                state.record_id,
                file_title=page.title if page.exists else "",
                file_url=page.url,
                sha1=page.sha1 or state.sha1,
                page_text=page.text,
                bot_text=bot_text,
                categories=page.categories if page.exists else (),
                record=(records or {}).get(state.record_id),
                tables=tables,
                split=split,
                usage_count=counts.get(title) if page.exists else None,
            )
