"""Uploading one planned file: download, check, upload, journal.

The journal (state store) is written *before* the upload is sent
(``begin_upload``) and after the wiki answered (``finish``). A record left
``in_flight`` by a crash is settled by asking the wiki for its SHA-1 before
anything is sent again, so a kill at any moment never uploads a file twice.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from bots.fetch import Fetcher, FetchError
from bots.mediatypes import extension_matches, sniff, svg_problem, url_extension
from bots.model import PlannedFile
from bots.state import Outcome, RecordState, StateStore
from bots.titles import TitleError, legal_title
from bots.wiki import (
    Blocked,
    Duplicate,
    ReadOnly,
    TitleTaken,
    Uploaded,
    UploadRefused,
    Wiki,
)

log = logging.getLogger(__name__)


class MustStop(Exception):
    """The wiki will not take writes now (read-only, blocked): end the run cleanly."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    title: str = ""
    reason: str = ""
    existing: str = ""


def summary(request_page: str, name: str, record_id: str) -> str:
    safe_id = re.sub(r"[\[\]{}|<>]", "", record_id)[:100]
    return f"Content Partnerships Hub: [[{request_page}|{name}]], record {safe_id}"


def settle_in_flight(wiki: Wiki, store: StateStore, request: str, state: RecordState) -> bool:
    """Decide a record a crash left in flight; True when it needs no new upload."""
    if not state.sha1:
        return False
    found = wiki.find_sha1(state.sha1)
    if not found:
        return False
    ours = f"File:{state.title}" if state.title else ""
    if ours and ours in found:
        store.finish(request, state.record_id, Outcome.UPLOADED, title=state.title, sha1=state.sha1)
    else:
        store.finish(
            request,
            state.record_id,
            Outcome.DUPLICATE,
            title=state.title,
            sha1=state.sha1,
            existing_file=found[0],
        )
    return True


def upload_planned(
    *,
    wiki: Wiki,
    store: StateStore,
    fetcher: Fetcher,
    request: str,
    request_page: str,
    planned: PlannedFile,
    work_dir: Path,
) -> Result:
    """Everything for one record; the outcome is journalled before returning."""
    work_dir.mkdir(parents=True, exist_ok=True)
    dest = work_dir / f"media-{abs(hash(planned.record_id))}"
    try:
        result = _download_and_upload(wiki, store, fetcher, request, request_page, planned, dest)
    finally:
        dest.unlink(missing_ok=True)
    if result.outcome != Outcome.IN_FLIGHT:
        store.finish(
            request,
            planned.record_id,
            result.outcome,
            title=result.title,
            reason=result.reason,
            existing_file=result.existing,
        )
    return result


def _fail(reason: str, title: str = "") -> Result:
    return Result(Outcome.FAILED, title=title, reason=reason)


def _download_and_upload(
    wiki: Wiki,
    store: StateStore,
    fetcher: Fetcher,
    request: str,
    request_page: str,
    planned: PlannedFile,
    dest: Path,
) -> Result:
    try:
        fetched = fetcher.fetch_to_file(planned.media_url, dest)
    except FetchError as e:
        return _fail(f"The media file could not be downloaded: {e}")
    with dest.open("rb") as f:
        head = f.read(65536)
    media = sniff(head)
    if media is None:
        return _fail(
            "The media file is not of a type the bot uploads "
            f"(the server called it {fetched.content_type or 'nothing'})."
        )
    declared = url_extension(planned.media_url)
    if declared and not extension_matches(declared, media):
        return _fail(
            f"The media URL ends in .{declared} but the file is a {media.name}; "
            "the partner should check the link."
        )
    if media.extension == "svg":
        problem = svg_problem(dest.read_bytes())
        if problem:
            return _fail(f"The SVG file is refused: {problem}")
    try:
        title = legal_title(planned.title, media.extension)
    except TitleError as e:
        return _fail(f"No usable file title: {e}")
    sha1 = fetched.sha1
    text = planned.page_text
    why = summary(request_page, request, planned.record_id)
    for attempt in (1, 2):
        store.begin_upload(request, planned.record_id, title, sha1)
        outcome = wiki.upload(f"File:{title}", dest, text, why, mime=media.mime)
        if isinstance(outcome, Uploaded):
            return Result(Outcome.UPLOADED, title=outcome.title.removeprefix("File:"))
        if isinstance(outcome, Duplicate):
            return Result(Outcome.DUPLICATE, title=title, existing=outcome.existing)
        if isinstance(outcome, TitleTaken):
            if attempt == 2:
                return _fail(
                    f"The title File:{title} is already taken by a different file, "
                    "even with the record id added.",
                    title,
                )
            try:
                title = legal_title(planned.title, media.extension, planned.record_id)
            except TitleError as e:
                return _fail(f"No usable file title: {e}")
            continue
        if isinstance(outcome, UploadRefused):
            return _fail(outcome.reason, title)
        if isinstance(outcome, ReadOnly):
            store.finish(request, planned.record_id, Outcome.PENDING, title=title, sha1=sha1)
            raise MustStop(f"The wiki is in read-only mode: {outcome.reason}")
        if isinstance(outcome, Blocked):
            store.finish(request, planned.record_id, Outcome.PENDING, title=title, sha1=sha1)
            raise MustStop(f"The bot's account is blocked: {outcome.reason}")
    raise AssertionError("unreachable")  # pragma: no cover
