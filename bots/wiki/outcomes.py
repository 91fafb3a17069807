"""Outcomes of writes: small frozen records the callers decide on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bots.i18n import Message
from bots.statements import HeldStatement
from bots.wiki.errors import (
    WikiError,
)

# --- outcomes of edits -----------------------------------------------------


class EditOutcome:
    """What became of an edit; each outcome says what the caller does next.

    ``saved``: the page says what was sent (also when it said so already);
    ``read_again``: someone else changed the page meanwhile, so read it,
    merge or redo, and send again; neither: the edit cannot be made (the
    outcome says why).
    """

    saved: ClassVar[bool] = False
    read_again: ClassVar[bool] = False


@dataclass(frozen=True)
class Saved(EditOutcome):
    title: str
    revid: int
    #: when the new revision was made ("" when not known): a later save's base
    timestamp: str = ""
    saved: ClassVar[bool] = True


@dataclass(frozen=True)
class NoChange(EditOutcome):
    title: str
    saved: ClassVar[bool] = True


@dataclass(frozen=True)
class EditConflict(EditOutcome):
    title: str
    read_again: ClassVar[bool] = True


@dataclass(frozen=True)
class PageExists(EditOutcome):
    """``createonly`` and somebody created the page first."""

    title: str
    read_again: ClassVar[bool] = True


@dataclass(frozen=True)
class PageMissing(EditOutcome):
    """``nocreate`` and the page is gone (deleted)."""

    title: str


@dataclass(frozen=True)
class ReadOnly(EditOutcome):
    reason: str


@dataclass(frozen=True)
class Blocked(EditOutcome):
    reason: str


@dataclass(frozen=True)
class Protected(EditOutcome):
    title: str
    reason: str


@dataclass(frozen=True)
class Refused(EditOutcome):
    """Any other refusal the wiki explained (spam blacklist, abuse filter...)."""

    code: str
    info: str


SaveOutcome = (
    Saved
    | NoChange
    | EditConflict
    | PageExists
    | PageMissing
    | ReadOnly
    | Blocked
    | Protected
    | Refused
)


# --- uploads ---------------------------------------------------------------


@dataclass(frozen=True)
class Uploaded:
    title: str


@dataclass(frozen=True)
class Duplicate:
    """The same bytes are already on the wiki under ``existing``."""

    existing: str


@dataclass(frozen=True)
class TitleTaken:
    """Another file (or a page without a file) already has this title.

    ``filekey`` names the bytes in the wiki's upload stash when the wiki kept
    them, so another title costs one small request instead of a new upload.
    """

    title: str
    warning: str
    filekey: str = ""


@dataclass(frozen=True)
class UploadRefused:
    """The wiki will not take this file; ``reason`` is for the status page.

    ``whole_run`` means the refusal is about the account or the wiki (no
    upload right, uploads disabled), not this file: every other file would
    be refused too, so the run stops instead of failing them all.
    """

    code: str
    reason: Message
    whole_run: bool = False


UploadOutcome = Uploaded | Duplicate | TitleTaken | UploadRefused | ReadOnly | Blocked


def edit_outcome(title: str, e: WikiError) -> SaveOutcome:
    code = e.code
    if code == "editconflict":
        return EditConflict(title=title)
    if code == "articleexists":
        return PageExists(title=title)
    if code in ("missingtitle", "pagedeleted"):
        return PageMissing(title=title)
    if code == "readonly":
        return ReadOnly(reason=e.info)
    if code in ("blocked", "autoblocked"):
        return Blocked(reason=e.info)
    if code in ("protectedpage", "cascadeprotected", "protectedtitle", "protectednamespace"):
        return Protected(title=title, reason=e.info)
    if code in ("spamblacklist", "abusefilter-disallowed", "abusefilter-warning"):
        return Refused(code=code, info=e.info)
    raise e


# --- entity edits (Wikibase) ---------------------------------------------------


@dataclass(frozen=True)
class EntityEdited(EditOutcome):
    """The entity holds what was sent (``id`` of the entity, new for a created item)."""

    id: str
    revid: int
    #: the entity's statements after the edit, as the answer gave them (with their ids)
    statements: tuple[HeldStatement, ...] = ()
    saved: ClassVar[bool] = True


@dataclass(frozen=True)
class EntityConflict(EditOutcome):
    """Someone edited the entity since the bot read it: read it again, add what is missing."""

    id: str
    read_again: ClassVar[bool] = True


@dataclass(frozen=True)
class EntityRefused(EditOutcome):
    """The Wikibase refused the edit; ``reason`` is for the status page.

    ``retry``: the refusal is about the moment, not the data (the Wikibase
    could not save), so a later run sends it again. ``whole_run``: it is about
    the account or the session, so every other edit would be refused too and
    the run stops (as for uploads).

    ``existing`` names the item that already has the label and description the
    edit would give (Wikibase allows one item per label and description in a
    language): after a creation whose answer was lost, that item is the one
    the lost answer would have named.
    """

    code: str
    reason: Message
    retry: bool = False
    whole_run: bool = False
    existing: str = ""


EntityOutcome = EntityEdited | EntityConflict | EntityRefused | ReadOnly | Blocked
