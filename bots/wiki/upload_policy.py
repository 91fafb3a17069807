"""What every upload warning and error means: the tables and the decisions (pure)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bots.i18n import Message, items, msg
from bots.wiki.outcomes import (
    Blocked,
    Duplicate,
    ReadOnly,
    TitleTaken,
    UploadOutcome,
    UploadRefused,
)

#: Every upload warning MediaWiki gives, and what the bot does about it. The
#: order is the order of precedence when several come together: "the bytes
#: are already here" beats "the title is taken".
UPLOAD_WARNINGS: dict[str, str] = {
    "nochange": "duplicate",  # the same bytes are this title's current version
    "duplicateversions": "duplicate",  # the same bytes are an old version of this title
    "duplicate": "duplicate",  # names the file that already has these bytes
    "duplicate-archive": "failed",  # these bytes were deleted before; never re-uploaded
    "exists": "title taken",  # the record id is appended, the stashed bytes published under it
    "exists-normalized": "title taken",  # a file differing only in the extension's case
    "page-exists": "title taken",  # a page without a file has this title; never overwritten
    "was-deleted": "failed",  # a file with this title was deleted; never re-created
    "badfilename": "failed",  # the wiki would change the title
    "bad-prefix": "failed",  # the title starts like a camera's file name (DSC_, IMG_...)
    "thumb": "failed",  # the title looks like a thumbnail of an existing file
    "thumb-name": "failed",  # the title looks like a thumbnail's name
    "empty-file": "failed",  # the file is empty
    "filetype-unwanted-type": "failed",  # the wiki does not want this file type
    "large-file": "informational",  # confirmed from the stash (one more request)
}

# Warnings that only inform; confirmed through the stash. Everything else is an outcome.
INFORMATIONAL_UPLOAD_WARNINGS = frozenset({"large-file"})


#: Warnings that refuse the file, in order of precedence, each with its reason
#: for the status page (from the title, the file name and the warning's value).
_REFUSING_WARNINGS: dict[str, Callable[[str, str, Any], Message]] = {
    "was-deleted": lambda title, _name, _value: msg("hubbot-upload-was-deleted", title),
    "badfilename": lambda _title, _name, value: msg("hubbot-upload-badfilename", str(value)),
    "bad-prefix": lambda _title, _name, _value: msg("hubbot-upload-bad-prefix"),
    "thumb": lambda _title, _name, _value: msg("hubbot-upload-thumb"),
    "thumb-name": lambda _title, _name, _value: msg("hubbot-upload-thumb-name"),
    "empty-file": lambda _title, _name, _value: msg("hubbot-upload-empty-file"),
    "filetype-unwanted-type": lambda _title, name, _value: msg(
        "hubbot-upload-filetype-unwanted-type", name.rsplit(".", 1)[-1]
    ),
}


def decide_upload_warnings(
    filename: str, warnings: dict[str, Any], *, filekey: str = ""
) -> UploadOutcome | None:
    """The outcome of an upload that came back with warnings (pure).

    Returns None when every warning is informational and the upload may be
    confirmed. Every warning MediaWiki gives has an explicit branch here (see
    :data:`UPLOAD_WARNINGS`); one the bot does not know is never overridden.
    """
    title = "File:" + filename.replace("_", " ")
    if "nochange" in warnings:
        # the same bytes are already the current version of this very title
        return Duplicate(existing=title)
    if "duplicateversions" in warnings:
        # the same bytes are an older version of this very title
        return Duplicate(existing=title)
    if "duplicate" in warnings:
        names = warnings["duplicate"]
        if isinstance(names, dict):
            names = list(names.values())
        if isinstance(names, str):
            names = [names]
        existing = "File:" + str(names[0]).replace("_", " ") if names else title
        return Duplicate(existing=existing)
    if "duplicate-archive" in warnings:
        deleted = str(warnings["duplicate-archive"]).replace("_", " ")
        return UploadRefused(
            code="duplicate-archive", reason=msg("hubbot-upload-duplicate-archive", deleted)
        )
    for which in ("exists", "exists-normalized", "page-exists"):
        if which in warnings:
            return TitleTaken(title=title, warning=which, filekey=filekey)
    for code, reason in _REFUSING_WARNINGS.items():
        if code in warnings:
            return UploadRefused(code=code, reason=reason(title, filename, warnings[code]))
    unknown = set(warnings) - INFORMATIONAL_UPLOAD_WARNINGS
    if unknown:
        return UploadRefused(
            code=sorted(unknown)[0],
            reason=msg("hubbot-upload-warned", items(sorted(unknown))),
        )
    return None


#: Warnings about the bytes, meaningless for a first chunk (it is not the whole file).
CONTENT_WARNINGS = frozenset(
    {"duplicate", "duplicate-archive", "duplicateversions", "nochange", "empty-file", "large-file"}
)


def first_chunk_warnings(filename: str, warnings: dict[str, Any]) -> UploadOutcome | None:
    """The outcome of warnings the wiki gave on a first chunk, or None to go on (pure).

    Only the title's warnings count there. A taken title is reported without
    the stash's file key: that stash holds one chunk, never to be published.
    """
    about_title = {k: v for k, v in warnings.items() if k not in CONTENT_WARNINGS}
    outcome = decide_upload_warnings(filename, about_title)
    if isinstance(outcome, TitleTaken):
        return TitleTaken(title=outcome.title, warning=outcome.warning)
    return outcome


#: API error codes of an upload, and the message that says what they mean for the record.
UPLOAD_ERRORS: dict[str, str] = {
    "verification-error": "hubbot-upload-error-verification",
    "fileexists-forbidden": "hubbot-upload-error-exists",
    "fileexists-shared-forbidden": "hubbot-upload-error-exists-shared",
    "filetype-banned": "hubbot-upload-error-filetype-banned",
    "filetype-missing": "hubbot-upload-error-filetype-missing",
    "file-too-large": "hubbot-upload-error-too-large",
    "empty-file": "hubbot-upload-error-empty",
    "titleblacklist-forbidden": "hubbot-upload-error-title-blacklist",
    "spamblacklist": "hubbot-upload-error-spam-blacklist",
    "abusefilter-disallowed": "hubbot-upload-error-abuse-filter",
    "abusefilter-warning": "hubbot-upload-error-abuse-filter-warning",
    "abusefilter-blocked-display": "hubbot-upload-error-abuse-filter",
    "protectedpage": "hubbot-upload-error-protected",
    "protectedtitle": "hubbot-upload-error-protected-title",
    "cascadeprotected": "hubbot-upload-error-protected",
    "stashfailed": "hubbot-upload-error-stash-failed",
    "stash-lost": "hubbot-upload-error-stash-lost",
    "uploadstash-file-not-found": "hubbot-upload-error-stash-not-found",
}

#: Errors about the account or the wiki, not the file: the run stops.
WHOLE_RUN_UPLOAD_ERRORS: dict[str, str] = {
    "permissiondenied": "hubbot-upload-error-permission",
    "mustbeloggedin": "hubbot-upload-error-not-logged-in",
    "cantupload": "hubbot-upload-error-disabled",
    "uploaddisabled": "hubbot-upload-error-disabled",
    "chunk-too-small": "hubbot-upload-error-chunk-too-small",
    "invalid-chunk": "hubbot-upload-error-invalid-chunk",
    "badtoken": "hubbot-upload-error-token",
    "assertuserfailed": "hubbot-upload-error-session",
    "assertnameduserfailed": "hubbot-upload-error-other-user",
}

#: Stash errors meaning "the wiki no longer has these bytes": start the file again.
STASH_GONE = frozenset(
    {
        "uploadstash-file-not-found",
        "stashedfilenotfound",
        "stashnosuchfilekey",
        "stashpathinvalid",
        "stashwrongowner",
        "stashzerolength",
        "stashfilestorage",
        "stashnotloggedin",
        "uploadstash-exception",
        "uploadstash-bad-path",
        "missingresult",
    }
)


def upload_error(filename: str, code: str, info: str, data: dict[str, Any]) -> UploadOutcome:
    """The outcome of an upload the API answered with an error (pure)."""
    if code == "readonly":
        return ReadOnly(reason=str(data.get("readonlyreason") or info))
    if code in ("blocked", "autoblocked"):
        return Blocked(reason=info)
    if code == "fileexists-no-change":
        return Duplicate(existing="File:" + filename.replace("_", " "))
    if code in ("fileexists-forbidden", "fileexists-shared-forbidden"):
        return TitleTaken(
            title="File:" + filename.replace("_", " "),
            warning=code,
            filekey=str(data.get("filekey", "")),
        )
    if code in WHOLE_RUN_UPLOAD_ERRORS:
        lead = msg(WHOLE_RUN_UPLOAD_ERRORS[code])
        return UploadRefused(code=code, reason=refusal(lead, code, info), whole_run=True)
    key = "titleblacklist-forbidden" if code.startswith("titleblacklist-forbidden") else code
    lead = msg(UPLOAD_ERRORS.get(key, "hubbot-upload-error-other"))
    details = data.get("details")
    if code == "verification-error" and isinstance(details, list) and details:
        lead = msg("hubbot-upload-error-verification-details", ", ".join(str(d) for d in details))
    return UploadRefused(code=code, reason=refusal(lead, code, info))


def refusal(lead: Message, code: str, info: str) -> Message:
    """The bot's words for a refusal, quoting the wiki's code and its own words as values.

    The wiki's words (``info``) are in the wiki's language; the lead says in
    the request's language what failed, so the sentence reads without them.
    """
    return msg("hubbot-wiki-refused", lead, code, info)
