"""What every upload warning and error means: the tables and the decisions (pure)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
    "nochange": "duplicate: the same bytes are this title's current version",
    "duplicateversions": "duplicate: the same bytes are an old version of this title",
    "duplicate": "duplicate: names the file that already has these bytes",
    "duplicate-archive": "failed: these bytes were deleted from the wiki before; never re-uploaded",
    "exists": "title taken: the record id is appended and the stashed bytes published under it",
    "exists-normalized": "title taken: a file differing only in the extension's case exists",
    "page-exists": "title taken: a page without a file has this title; never overwritten",
    "was-deleted": "failed: a file with this title was deleted; the bot does not re-create it",
    "badfilename": "failed: the wiki would change the title",
    "bad-prefix": "failed: the title starts like a camera's file name (DSC_, IMG_...)",
    "thumb": "failed: the title looks like a thumbnail of an existing file",
    "thumb-name": "failed: the title looks like a thumbnail's name",
    "empty-file": "failed: the file is empty",
    "filetype-unwanted-type": "failed: the wiki does not want this file type",
    "large-file": "informational: confirmed from the stash (one more request)",
}

# Warnings that only inform; confirmed through the stash. Everything else is an outcome.
INFORMATIONAL_UPLOAD_WARNINGS = frozenset({"large-file"})


#: Warnings that refuse the file, in order of precedence, each with its reason
#: for the status page (from the title, the file name and the warning's value).
_REFUSING_WARNINGS: dict[str, Callable[[str, str, Any], str]] = {
    "was-deleted": lambda title, _name, _value: (
        f"A file named {title} was deleted before; the bot does not re-create "
        "deleted files. Ask an administrator, or change the title pattern."
    ),
    "badfilename": lambda _title, _name, value: (
        f"The wiki would change the title to File:{value}; change the title pattern."
    ),
    "bad-prefix": lambda _title, _name, _value: (
        "The title starts like a camera's automatic file name (such as DSC_ or "
        "IMG_); make the title pattern more descriptive."
    ),
    "thumb": lambda _title, _name, _value: (
        "The title looks like a thumbnail of an existing file (such as "
        "120px-...); change the title pattern."
    ),
    "thumb-name": lambda _title, _name, _value: (
        "The title looks like a thumbnail's name (such as 120px-...); change the title pattern."
    ),
    "empty-file": lambda _title, _name, _value: "The partner's media file is empty.",
    "filetype-unwanted-type": lambda _title, name, _value: (
        f"The wiki does not want files of this type (.{name.rsplit('.', 1)[-1]})."
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
        return UploadRefused(
            code="duplicate-archive",
            reason=(
                "This exact file was deleted from the wiki before "
                f"(as File:{str(warnings['duplicate-archive']).replace('_', ' ')}); "
                "it is not uploaded again. Ask an administrator if the deletion was a mistake."
            ),
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
            reason=f"The wiki warned: {', '.join(sorted(unknown))}; the bot does not override it.",
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


#: API error codes of an upload, and what they mean for the record.
UPLOAD_ERRORS: dict[str, str] = {
    "verification-error": "The wiki refused the file's contents",
    "fileexists-forbidden": "A file with this name exists and cannot be overwritten",
    "fileexists-shared-forbidden": "A file with this name exists in a shared repository",
    "filetype-banned": "The wiki does not accept this file type",
    "filetype-missing": "The file has no extension",
    "file-too-large": "The file is larger than the wiki accepts",
    "empty-file": "The file is empty",
    "titleblacklist-forbidden": "The title is on the wiki's title blacklist",
    "spamblacklist": "The page text contains a link on the wiki's spam blacklist",
    "abusefilter-disallowed": "An abuse filter of the wiki refused the upload",
    "abusefilter-warning": "An abuse filter of the wiki warned about the upload",
    "abusefilter-blocked-display": "An abuse filter of the wiki refused the upload",
    "protectedpage": "The file page is protected",
    "protectedtitle": "The title is protected from creation",
    "cascadeprotected": "The file page is protected",
    "stashfailed": "The wiki's upload stash failed",
    "stash-lost": "The wiki lost the stashed bytes",
    "uploadstash-file-not-found": "The wiki's upload stash no longer has the file",
}

#: Errors about the account or the wiki, not the file: the run stops.
WHOLE_RUN_UPLOAD_ERRORS: dict[str, str] = {
    "permissiondenied": "The bot's account may not upload",
    "mustbeloggedin": "The bot is not logged in",
    "cantupload": "The wiki does not accept uploads",
    "uploaddisabled": "The wiki does not accept uploads",
    "chunk-too-small": "upload.chunk_size is smaller than the wiki accepts",
    "invalid-chunk": "The wiki refused a chunk's size; check upload.chunk_size",
    "badtoken": "The wiki keeps refusing the bot's edit token (a session problem)",
    "assertuserfailed": "The bot's session ended and logging in again did not help",
    "assertnameduserfailed": "The bot is logged in as another user",
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
        return UploadRefused(
            code=code, reason=f"{WHOLE_RUN_UPLOAD_ERRORS[code]} ({code}: {info})", whole_run=True
        )
    key = "titleblacklist-forbidden" if code.startswith("titleblacklist-forbidden") else code
    lead = UPLOAD_ERRORS.get(key, "The wiki refused the upload")
    details = data.get("details")
    if code == "verification-error" and isinstance(details, list) and details:
        lead = f"{lead} ({', '.join(str(d) for d in details)})"
    return UploadRefused(code=code, reason=f"{lead} ({code}: {info})")
