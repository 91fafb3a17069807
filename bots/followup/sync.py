"""Keep finished files in step with the partner's data without undoing community work.

``hubbot sync`` re-reads a finished request's source and renders every record
again. For each file page three texts meet:

- *base*: what the bot last rendered for the page (see :func:`last_rendering`),
- *ours*: what the bot would write now (freshly rendered),
- *theirs*: the page as it is now, with whatever volunteers did to it.

:func:`three_way_merge` decides, one parameter of the file description
template (``{{Information}}``, ``{{Artwork}}``, ``{{Photograph}}``) at a time,
and one category at a time:

- a parameter nobody touched since the bot wrote it (theirs equals base) takes
  the new value;
- a parameter somebody changed is kept as they left it; when the partner's
  data changed it too (to something else), that is a *conflict*, reported so a
  person can decide, never settled by the bot;
- parameters volunteers added or removed stay added or removed;
- categories the bot now adds are added; categories the bot wrote before and
  no longer wants are removed only when the link is still exactly as the bot
  wrote it; categories volunteers added are never removed;
- everything else on the page (other templates, text, the licence section,
  community additions) stays byte for byte as it is.

Values are compared after normalising white space, so re-indenting a template
or adding a line break does not count as a change. All of this is pure: the
wiki reads and writes happen in the caller, which reads a page's history with
:func:`bots.wiki.newest_revisions` (or :meth:`bots.wiki.Wiki.revisions`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import mwparserfromhell

from bots.followup.merge import (
    DESCRIPTION_TEMPLATES,
    Conflict,
    merge_categories,
    merge_params,
    three_way_merge,
)
from bots.hub import SUMMARY_PREFIX
from bots.i18n.message import Message, msg
from bots.model import SyncConflict, SyncNote, SyncReport
from bots.wiki.records import Revision

# --- results -------------------------------------------------------------------


# --- small helpers ---------------------------------------------------------------


# --- editing a template in place ------------------------------------------------


# --- categories -----------------------------------------------------------------


# --- the merge ------------------------------------------------------------------


# --- many files -------------------------------------------------------------------


@dataclass(frozen=True)
class SyncCandidate:
    """One uploaded record, as sync sees it."""

    record_id: str
    title: str  # the file page title, with "File:"
    #: what the bot last rendered (:func:`last_rendering`), or None when unknown
    base: str | None
    #: the page as the bot would write it now
    ours: str
    #: the page now, or None when it no longer exists
    theirs: str | None


@dataclass(frozen=True)
class SyncEdit:
    """One file page to save."""

    record_id: str
    title: str
    text: str
    summary: str
    updated_params: tuple[str, ...]
    added_categories: tuple[str, ...]
    removed_categories: tuple[str, ...]


@dataclass(frozen=True)
class RecordConflict:
    record_id: str
    title: str
    conflict: Conflict


@dataclass(frozen=True)
class RecordNote:
    record_id: str
    title: str
    message: Message


@dataclass(frozen=True)
class SyncPlan:
    """Everything one sync of one request would do and report."""

    edits: tuple[SyncEdit, ...] = ()
    conflicts: tuple[RecordConflict, ...] = ()
    #: records whose rendering did not change, or whose page already matched
    unchanged: int = 0
    #: record ids in the source the journal has never seen: they need preview and approval
    new_records: tuple[str, ...] = ()
    #: (record id, file title) of uploaded records no longer in the source; never deleted
    vanished: tuple[tuple[str, str], ...] = ()
    #: pages that could not be synced, with why
    skipped: tuple[RecordNote, ...] = ()
    #: things a person should know about pages that were synced
    notes: tuple[RecordNote, ...] = field(default=())


def edit_summary(
    request_page: str,
    name: str,
    updated: Sequence[str],
    added: Sequence[str] = (),
    removed: Sequence[str] = (),
    *,
    prefix: str = SUMMARY_PREFIX,
) -> str:
    """An edit summary that links the request and says what changed."""
    parts = []
    if updated:
        parts.append("updated " + ", ".join(updated))
    if added:
        parts.append("added " + ", ".join(f"[[:Category:{c}]]" for c in added))
    if removed:
        parts.append("removed " + ", ".join(f"[[:Category:{c}]]" for c in removed))
    what = "; ".join(parts) or "no visible change"
    return f"{prefix}: sync with the partner's data for [[{request_page}|{name}]] ({what})"


def plan_sync(
    name: str,
    request_page: str,
    candidates: Iterable[SyncCandidate],
    *,
    source_ids: Iterable[str] = (),
    journal_ids: Iterable[str] = (),
    uploaded: Iterable[tuple[str, str]] = (),
    summary_prefix: str = SUMMARY_PREFIX,
) -> SyncPlan:
    """What sync does for one request (pure).

    ``candidates`` are the uploaded records still in the source, each with its
    three texts. ``source_ids`` are every record id in the source now,
    ``journal_ids`` every id the state store knows for the request, and
    ``uploaded`` the (record id, file title) pairs of uploaded records; from
    these come the records that are new (they go through preview and approval
    like any batch) and those that vanished (listed, never deleted).
    """
    edits: list[SyncEdit] = []
    conflicts: list[RecordConflict] = []
    skipped: list[RecordNote] = []
    notes: list[RecordNote] = []
    unchanged = 0
    for item in candidates:
        if item.theirs is None:
            skipped.append(
                RecordNote(
                    item.record_id,
                    item.title,
                    msg("hubbot-sync-page-gone"),
                )
            )
            continue
        if item.base is None:
            skipped.append(
                RecordNote(
                    item.record_id,
                    item.title,
                    msg("hubbot-sync-no-base"),
                )
            )
            continue
        result = three_way_merge(item.base, item.ours, item.theirs)
        conflicts.extend(RecordConflict(item.record_id, item.title, c) for c in result.conflicts)
        notes.extend(RecordNote(item.record_id, item.title, n) for n in result.notes)
        if not result.changed:
            unchanged += 1
            continue
        edits.append(
            SyncEdit(
                record_id=item.record_id,
                title=item.title,
                text=result.new_text,
                summary=edit_summary(
                    request_page,
                    name,
                    result.updated_params,
                    result.added_categories,
                    result.removed_categories,
                    prefix=summary_prefix,
                ),
                updated_params=result.updated_params,
                added_categories=result.added_categories,
                removed_categories=result.removed_categories,
            )
        )
    in_source = list(dict.fromkeys(source_ids))
    known = set(journal_ids)
    present = set(in_source)
    return SyncPlan(
        edits=tuple(edits),
        conflicts=tuple(conflicts),
        unchanged=unchanged,
        new_records=tuple(i for i in in_source if i not in known),
        vanished=tuple(sorted((i, t) for i, t in uploaded if i not in present)),
        skipped=tuple(skipped),
        notes=tuple(notes),
    )


# --- reporting ---------------------------------------------------------------------


def sync_report(plan: SyncPlan, *, updated: str, saved: int) -> SyncReport:
    """What the status page keeps of one sync: what it changed, kept and could not do."""
    return SyncReport(
        updated=updated,
        saved=saved,
        unchanged=plan.unchanged,
        conflicts=tuple(
            SyncConflict(
                c.title,
                c.record_id,
                c.conflict.param,
                c.conflict.base,
                c.conflict.ours,
                c.conflict.theirs,
            )
            for c in plan.conflicts
        ),
        new_records=plan.new_records,
        vanished=plan.vanished,
        left_alone=tuple(
            SyncNote(n.title, n.record_id, n.message) for n in (*plan.skipped, *plan.notes)
        ),
    )


# --- what the bot last rendered -------------------------------------------------------


def _same_user(a: str, b: str) -> bool:
    def norm(name: str) -> str:
        name = name.replace("_", " ").strip()
        return name[:1].upper() + name[1:]

    return norm(a) == norm(b)


def _replay(rendered: str, before: str, after: str, templates: Sequence[str]) -> str:
    """``rendered`` with the changes one bot edit made to its page (``before`` -> ``after``)."""
    if before == after:
        return rendered
    before_code = mwparserfromhell.parse(before, skip_style_tags=True)
    after_code = mwparserfromhell.parse(after, skip_style_tags=True)
    code = mwparserfromhell.parse(rendered, skip_style_tags=True)
    merge_params(before_code, after_code, code, templates, force=True)
    merge_categories(before_code, after_code, code, force=True)
    return str(code)


def last_rendering(
    revisions: Iterable[Revision],
    bot_user: str,
    *,
    templates: Sequence[str] = DESCRIPTION_TEMPLATES,
) -> str | None:
    """What the bot last rendered for a page, rebuilt from the page's history (newest first).

    This, not the bot's latest revision, is the *base* of a sync: when the bot
    saves a merged page, that revision also holds the community's values, and
    taking them for the bot's own would let the next sync overwrite them. So
    the rendering starts as the bot's first revision (the upload) and takes
    from each later bot edit only what that edit changed (parameters whose
    value differs from the revision before it, categories it added or
    removed). None when the bot never edited the page. The whole history is
    read, however long: the rendering starts at the upload, the oldest end.
    """
    oldest_first = list(revisions)[::-1]
    rendered: str | None = None
    for index, revision in enumerate(oldest_first):
        if not _same_user(revision.user, bot_user):
            continue
        if rendered is None:
            rendered = revision.text
        elif index > 0:
            rendered = _replay(rendered, oldest_first[index - 1].text, revision.text, templates)
    return rendered
