"""``hubbot sync`` for structured data: each uploaded file's captions and statements (SPEC 11).

For every file whose structured data the bot wrote, the entity is read (50
files a request) and merged three ways by :mod:`bots.followup.structured_sync`:
what the bot last wrote (the journal), what it would write now, the entity now.
One ``wbeditentity`` per file that changes; community additions and changes
are kept and listed on the status page; after an edit conflict the file is
synced at the next sync.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bots.followup.structured_sync import StructuredSync, merge_structured
from bots.followup.sync import edit_summary
from bots.i18n import msg
from bots.jobs.context import Job
from bots.model import PlannedFile, SyncConflict, SyncNote
from bots.statements import EntityState
from bots.store import DataState, StructuredState
from bots.wiki import AccountRefused, Blocked, EntityConflict, EntityEdited, EntityRefused

log = logging.getLogger(__name__)

#: Files whose entities one read asks for.
BATCH = 50

#: What the edit summary says sync changed.
SUMMARY = "structured data"


@dataclass(frozen=True)
class StructuredSyncResult:
    """What sync did to the request's structured data, for the status page."""

    saved: int = 0
    conflicts: tuple[SyncConflict, ...] = ()
    community: tuple[SyncNote, ...] = ()


def sync_structured(
    job: Job, name: str, ours: Mapping[str, PlannedFile], uploaded: Sequence[tuple[str, str]]
) -> StructuredSyncResult:
    """Merge and save the structured data of every uploaded file the bot wrote it for."""
    rows = job.store.structured_of(name, [record_id for record_id, _ in uploaded])
    todo = [
        (record_id, title, rows[record_id])
        for record_id, title in uploaded
        if record_id in rows
        and rows[record_id].state is DataState.DONE
        and record_id in ours
        and ours[record_id].structured is not None
    ]
    saved, conflicts, community = 0, [], []
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        entities = job.wiki.entities_of_files([title for _, title, _ in batch], ())
        for record_id, title, row in batch:
            now = entities[title]
            if not now.exists:
                continue  # no entity: the file is gone (sync's page merge says so)
            draft = ours[record_id].structured
            if draft is None:  # pragma: no cover - filtered above
                continue
            merged = merge_structured(row.draft, draft, now)
            conflicts += [
                SyncConflict(title, record_id, c.param, c.base, c.ours, c.theirs)
                for c in merged.conflicts
            ]
            community += [SyncNote(title, record_id, note) for note in merged.community]
            saved += _save(job, name, record_id, title, row, now, merged, community)
    return StructuredSyncResult(saved, tuple(conflicts), tuple(community))


def _save(
    job: Job,
    name: str,
    record_id: str,
    title: str,
    row: StructuredState,
    now: EntityState,
    merged: StructuredSync,
    notes: list[SyncNote],
) -> int:
    """One wbeditentity when the merge changes something; 1 when it was saved."""
    store = job.store
    if not merged.changed:
        if merged.base != row.draft:
            store.structured_settle(name, record_id, DataState.DONE, draft=merged.base)
        return 0
    summary = edit_summary(job.hub.request(name), name, [SUMMARY])
    outcome = job.wiki.edit_entity(merged.send, summary, file_title=title, base_revid=now.revid)
    if isinstance(outcome, EntityEdited):
        store.structured_settle(
            name, record_id, DataState.DONE, draft=merged.base, entity=outcome.id
        )
        return 1
    if isinstance(outcome, Blocked) or (isinstance(outcome, EntityRefused) and outcome.whole_run):
        raise AccountRefused("muststop", f"Sync stopped: {outcome.reason}.")
    why = (
        msg("hubbot-sync-structured-conflict")
        if isinstance(outcome, EntityConflict)
        else outcome.reason
    )
    log.info("%s: %s", title, why)
    notes.append(SyncNote(title, record_id, msg("hubbot-sync-structured-not-saved", why)))
    return 0
