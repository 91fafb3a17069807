"""Outcomes of writes: small frozen records the callers decide on."""

from __future__ import annotations

from dataclasses import dataclass

from bots.wiki.errors import (
    WikiError,
)

# --- outcomes of writes ----------------------------------------------------


@dataclass(frozen=True)
class Saved:
    title: str
    revid: int


@dataclass(frozen=True)
class NoChange:
    title: str


@dataclass(frozen=True)
class EditConflict:
    title: str


@dataclass(frozen=True)
class PageExists:
    """``createonly`` and somebody created the page first."""

    title: str


@dataclass(frozen=True)
class PageMissing:
    """``nocreate`` and the page is gone (deleted)."""

    title: str


@dataclass(frozen=True)
class ReadOnly:
    reason: str


@dataclass(frozen=True)
class Blocked:
    reason: str


@dataclass(frozen=True)
class Protected:
    title: str
    reason: str


@dataclass(frozen=True)
class Refused:
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
    reason: str
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
