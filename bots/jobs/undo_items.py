"""The item part of an undo (SPEC 13): the statements the bot added to items, removed.

Planned from the journal (:meth:`bots.store.StateStore.item_claims`) and the
items as they are now (:func:`bots.pipeline.undo_items.plan_item_undo`).
Carried out with one ``wbremoveclaims`` per item, behind the write gate like
every write (the Wikibase connection asks the gate before it sends), paced
like the creation of items (``wikibase.items_per_minute``). An item that
changed between the undo's preview and its approval is left and listed: the
approved preview showed it as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bots.hub import editgroup, summary
from bots.i18n.message import Message, msg
from bots.jobs.context import Job
from bots.jobs.item_links import request_reference
from bots.jobs.items import say
from bots.pipeline.undo import Left
from bots.pipeline.undo_items import ItemRemoval, plan_item_undo
from bots.wiki import AmbiguousWrite, EntityConflict, EntityEdited


def plan_items(job: Job, name: str) -> tuple[tuple[ItemRemoval, ...], tuple[Left, ...]]:
    """What the undo of ``name`` removes from items, and what it leaves and why."""
    claims = job.store.item_claims(name)
    if not claims:
        return (), ()
    now = job.wikibase_reader.entities({c.item for c in claims}, fresh=True)
    return plan_item_undo(claims, now)


@dataclass
class ItemsUndone:
    """What the item part of an undo did."""

    items: list[str] = field(default_factory=list)
    statements: int = 0
    left: list[tuple[str, Message]] = field(default_factory=list)


def remove_statements(
    job: Job, name: str, pid: str, removals: tuple[ItemRemoval, ...]
) -> ItemsUndone:
    """One ``wbremoveclaims`` per item, each checked against the item as the preview saw it."""
    done = ItemsUndone()
    why = summary(f"undo of {request_reference(job, name)}") + " " + editgroup(name, pid)
    last: float | None = None
    for removal in removals:
        last = _pace(job, last)
        now = job.wikibase_reader.entities([removal.item], fresh=True).get(removal.item)
        if now is None or not now.exists or now.revid != removal.revid:
            done.left.append((removal.title, msg("hubbot-undo-edited-since-preview")))
            continue
        try:
            outcome = job.wikibase.remove_claims(removal.claims, why, base_revid=removal.revid)
        except AmbiguousWrite:
            after = job.wikibase_reader.entities([removal.item], fresh=True).get(removal.item)
            held = {h.id for h in after.statements} if after is not None else set()
            if held & set(removal.claims):
                done.left.append((removal.title, msg("hubbot-undo-item-no-answer")))
                continue
            outcome = EntityEdited(id=removal.item, revid=0)
        if isinstance(outcome, EntityEdited):
            done.items.append(removal.item)
            done.statements += len(removal.claims)
            job.progress(f"{name}: undo: {len(removal.claims)} statements off {removal.item}")
        elif isinstance(outcome, EntityConflict):
            done.left.append((removal.title, msg("hubbot-undo-edited-since-preview")))
        else:
            done.left.append((removal.title, msg("hubbot-undo-item-refused", outcome.reason)))
    return done


def _pace(job: Job, last: float | None) -> float:
    """At most ``wikibase.items_per_minute`` item writes a minute, as when they were made."""
    rate = job.config.wikibase.items_per_minute
    pacer = job.wikibase.pacer
    if rate > 0 and last is not None:
        wait = last + 60.0 / rate - pacer.clock()
        if wait > 0:
            pacer.wait(wait, "pacing", str(say("pacing", rate=rate)))
    return pacer.clock()
