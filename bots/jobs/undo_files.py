"""The structured data part of an undo (SPEC 13): what batch edits added to files, removed.

Planned from the journal (:meth:`bots.store.StateStore.file_claims`) and the
files' entities as they are now, read 50 a request
(:func:`bots.pipeline.undo_files.plan_file_undo`). Carried out with one
``wbeditentity`` per file, behind the write gate and paced like every edit,
each against the entity's revision the plan was made from: an entity
someone changed in between is left and listed.

A file's MediaInfo lives in its page: a structured data edit is a revision of
the file page. So structured data edits after the bot's page edit (its own,
or anyone's) do not stop that page edit from being reverted as long as the
page's text is still the bot's (:func:`text_tails`; the revert restores the
text and nothing else), and the page revert expects the revision the removal
made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bots.hub import editgroup, summary
from bots.i18n.message import Message, msg
from bots.jobs.context import Job
from bots.pipeline.undo import Left, PageEdit
from bots.pipeline.undo_files import CAPTION, FileRemoval, plan_file_undo
from bots.wiki import AmbiguousWrite, EntityConflict, EntityEdited, PageInfo


def plan_file_data(job: Job, name: str) -> tuple[tuple[FileRemoval, ...], tuple[Left, ...]]:
    """What the undo of ``name`` removes from files' structured data, and what it leaves."""
    claims = job.store.file_claims(name)
    if not claims:
        return (), ()
    languages = sorted({c.key for c in claims if c.kind == CAPTION}) or ["en"]
    now = job.wiki.entities(sorted({c.entity for c in claims}), languages)
    return plan_file_undo(claims, now)


def text_tails(
    edits: Iterable[PageEdit], pages: Mapping[str, PageInfo], job: Job
) -> dict[str, int]:
    """Pages edited since the bot's last edit whose text is still the bot's (only structured
    data changed: the bot's own, or anyone's), with their newest revision."""
    last: dict[str, int] = {}
    for edit in edits:
        last[edit.title] = max(last.get(edit.title, 0), edit.revid)
    later = {
        title: revid
        for title, revid in last.items()
        if (page := pages.get(title)) is not None and page.exists and page.revid != revid
    }
    texts = job.wiki.revision_texts(later.values())
    return {
        title: pages[title].revid
        for title, revid in later.items()
        if revid in texts and texts[revid] == pages[title].text
    }


@dataclass
class FilesUndone:
    """What the structured data part of an undo did."""

    files: list[str] = field(default_factory=list)
    statements: int = 0
    captions: int = 0
    left: list[tuple[str, Message]] = field(default_factory=list)
    #: each file's page revision after the removal (the page revert expects it)
    moved: dict[str, int] = field(default_factory=dict)


def remove_file_data(
    job: Job, name: str, pid: str, removals: tuple[FileRemoval, ...]
) -> FilesUndone:
    """One ``wbeditentity`` per file, each against the revision the plan read."""
    done = FilesUndone()
    why = summary(f"undo of [[{job.hub.request(name)}|{name}]]") + " " + editgroup(name, pid)
    for removal in removals:
        try:
            outcome = job.wiki.strip_entity(
                removal.entity, removal.claims, removal.captions, why, base_revid=removal.revid
            )
        except AmbiguousWrite:
            after = job.wiki.entities([removal.entity], list(removal.captions) or ["en"])
            now = after.get(removal.entity)
            held = {h.id for h in now.statements} if now is not None else set()
            labels = now.labels if now is not None else {}
            if held & set(removal.claims) or any(lang in labels for lang in removal.captions):
                done.left.append((removal.title, msg("hubbot-undo-item-no-answer")))
                continue
            outcome = EntityEdited(id=removal.entity, revid=now.revid if now is not None else 0)
        if isinstance(outcome, EntityEdited):
            done.files.append(removal.title)
            done.statements += len(removal.claims)
            done.captions += len(removal.captions)
            if outcome.revid:
                done.moved[removal.title] = outcome.revid
            job.progress(f"{name}: undo: structured data off {removal.title}")
        elif isinstance(outcome, EntityConflict):
            done.left.append((removal.title, msg("hubbot-undo-edited-since-preview")))
        else:
            done.left.append((removal.title, msg("hubbot-undo-item-refused", outcome.reason)))
    return done
