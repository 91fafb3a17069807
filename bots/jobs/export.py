"""``hubbot export``: per record its file, SHA-1, categories, Wikidata ids, usage and item (SPEC 9, 12).

Reads only; the rows are built by :mod:`bots.followup.export`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import TextIO

from bots.config import Config
from bots.followup.export import ExportRow, FileData, export_row, write_export
from bots.followup.sync import last_rendering
from bots.jobs.context import Job
from bots.jobs.requests import FollowupError, open_request
from bots.jobs.structured import structured_mode
from bots.model import MappingTable, Record
from bots.statements import EntityDraft, EntityState
from bots.store import DataState, ItemState, Outcome, RecordState, StateStore, StructuredState
from bots.wiki import ApiCall, Wiki, WikiError, newest_revisions
from bots.wiki.usage import file_pages, site_facts, usage_for

log = logging.getLogger(__name__)


def run_export(
    config: Config,
    wiki: Wiki,
    store: StateStore,
    name: str,
    out: TextIO = sys.stdout,
    format: str = "csv",
) -> int:
    """Write the rows of request ``name`` to ``out``; returns how many."""
    job = Job.open(config, wiki, store, progress=lambda m: None)
    [name] = job.select(name)
    entities = None
    if structured_mode(job).on:  # SPEC 11: each file's statements and captions

        def entities(titles: list[str]) -> Mapping[str, EntityState]:
            return wiki.entities_of_files(titles, ())

    try:
        with open_request(job, name) as opened:
            records = {
                (r.get(opened.request.id_column) or "").strip(): r for r in opened.source.records()
            }
            rows = gather_export(
                wiki.call,
                store,
                name,
                bot_user=wiki.username,
                records=records,
                tables=opened.tables,
                split=opened.request.split,
                entities=entities,
            )
            return write_export(rows, out, format)
    except FollowupError as e:
        log.warning("%s; exporting without the mapped Wikidata ids", e)
    rows = gather_export(wiki.call, store, name, bot_user=wiki.username, entities=entities)
    return write_export(rows, out, format)


def _file_of(state: RecordState) -> str:
    """The file a record stands for: its upload, or for a duplicate the file already there."""
    title = state.title
    if state.outcome is Outcome.DUPLICATE and state.existing_file:
        title = state.existing_file
    return "File:" + title.removeprefix("File:")


def _bot_data(row: StructuredState | None) -> EntityDraft | None:
    """What the bot wrote on a file's entity, when it wrote it (not for a duplicate)."""
    return row.draft if row is not None and row.state is DataState.DONE else None


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
    entities: Callable[[list[str]], Mapping[str, EntityState]] | None = None,
) -> Iterator[ExportRow]:
    """Rows for every uploaded (or duplicate) record of ``name``, 50 files a query.

    ``records`` (record id -> the record as the source gives it now) and
    ``tables`` give the mapped Wikidata ids; without them that column is empty.
    A page's history is read only when someone edited it after the upload, to
    tell the bot's categories (:func:`bots.followup.sync.last_rendering`) from the community's.
    ``entities`` reads the files' MediaInfo entities (one request for 50 files)
    for their statements and captions; without it those columns are empty.
    """
    states = [s for s in store.all(name) if s.outcome in (Outcome.UPLOADED, Outcome.DUPLICATE)]
    items = {
        record: entry.item
        for record, entry in store.item_entries(name).items()
        if entry.state in (ItemState.CREATED, ItemState.MATCHED)
    }
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
        data = entities(titles) if entities is not None else {}
        written = store.structured_of(name, [s.record_id for s in batch])
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
                data=FileData(
                    data.get(title),
                    _bot_data(written.get(state.record_id)),
                    item=items.get(state.record_id, ""),
                ),
            )
