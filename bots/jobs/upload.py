"""Uploading one planned file: download, check, upload, journal.

The journal (state store) is written *before* the upload is sent
(``begin_upload``) and after the wiki answered (``finish``). A record left
``in_flight`` by a crash is settled by asking the wiki for its SHA-1 before
anything is sent again, so a kill at any moment never uploads a file twice.
The same rule holds inside a run: when the request that publishes a file gets
no answer (a timeout, a 5xx, a dropped connection), the wiki is asked by title
and SHA-1 whether the file arrived before it is sent again.

Large files go in chunks through the wiki's upload stash; the journal keeps
the stash's file key and confirmed offset, so the next run resumes there.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bots.hub import upload_summary
from bots.jobs.session import Stopped
from bots.model import MediaCheck, PlannedFile, StashState
from bots.net.deadline import Deadline
from bots.net.fetch import Fetcher, FetchError, FetchResult
from bots.net.mediatypes import MediaType, extension_matches, sniff, svg_problem, url_extension
from bots.net.pacing import StopRequested, backoff_delay
from bots.pipeline.titles import AS_WRITTEN, TitleError, legal_title
from bots.store import Outcome, RecordState, StateStore
from bots.wiki import (
    AmbiguousWrite,
    Blocked,
    Chunking,
    Duplicate,
    ReadOnly,
    TitleTaken,
    Uploaded,
    UploadOutcome,
    UploadRefused,
    Wiki,
    WikiBusy,
)

log = logging.getLogger(__name__)


class MustStop(Exception):
    """The run must end now, with the record left to the next run.

    ``fatal`` means an operator has to act (the bot is blocked, may not
    upload): the run ends with a failure instead of a normal stop.
    """

    def __init__(
        self, reason: str, *, fatal: bool = False, read_only: bool = False, stale: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fatal = fatal
        self.read_only = read_only
        #: the approval no longer covers what would be uploaded: wait for a new one
        self.stale = stale


def media_path(work_dir: Path, request: str, record_id: str) -> Path:
    """Where a record's media is downloaded to within a run's work folder."""
    key = hashlib.sha1(f"{request}\0{record_id}".encode()).hexdigest()
    return work_dir / f"media-{key}"


def inspect_media(
    fetcher: Fetcher,
    request: str,
    planned: PlannedFile,
    work_dir: Path,
    deadline: Deadline | None = None,
) -> MediaCheck:
    """Download one previewed media file to learn its SHA-1 and real type.

    The file stays in ``work_dir`` so that an upload in the same run takes it
    from there instead of downloading it again.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    dest = media_path(work_dir, request, planned.record_id)
    try:
        fetched = fetcher.fetch_to_file(planned.media_url, dest, deadline=deadline)
    except FetchError as e:
        return MediaCheck(planned.record_id, planned.full_title(), problem=f"{e}")
    checked = _check_media(planned, dest, fetched.content_type or "", fetched.size)
    if isinstance(checked, Result):
        title, problem = planned.full_title(), checked.reason
    else:
        title, problem = checked[0], ""
    return MediaCheck(planned.record_id, title, fetched.sha1, problem, fetched=fetched)


@dataclass(frozen=True)
class UploadOptions:
    """The ``upload`` configuration keys that shape one file's upload."""

    chunking: Chunking = field(default_factory=Chunking)

    @classmethod
    def from_config(cls, upload: Any) -> UploadOptions:
        return cls(
            chunking=Chunking(
                threshold=int(upload.chunk_threshold),
                size=int(upload.chunk_size),
                stash_max_age=float(upload.stash_max_age),
            )
        )


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    title: str = ""
    reason: str = ""
    existing: str = ""


def settle_in_flight(wiki: Wiki, store: StateStore, request: str, state: RecordState) -> bool:
    """Decide a record a crash left in flight; True when it needs no new upload.

    One request: the wiki's files with this SHA-1. Under our title, the
    upload arrived; under another title, those bytes were there already.
    """
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
    store.drop_stash(request, state.record_id)
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
    options: UploadOptions | None = None,
    should_stop: Callable[[], str] | None = None,
    approved_sha1: str | None = None,
    prefetched: FetchResult | None = None,
    deadline: Deadline | None = None,
) -> Result:
    """Everything for one record; the outcome is journalled before returning.

    ``approved_sha1`` is the SHA-1 the approved preview showed for this record's
    media, if it showed it: other bytes raise :class:`MustStop` with ``stale``.

    Raises :class:`MustStop` when the run has to end (read-only wiki,
    blocked bot, a wiki too busy to answer, a stop request, the end of the
    time budget); the record is then left for the next run: ``pending``, or
    ``in_flight`` when the wiki may have it already. The media download
    ends by ``deadline`` (the end of the run's time budget).
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    dest = media_path(work_dir, request, planned.record_id)
    if prefetched is not None and (prefetched.path != dest or not dest.exists()):
        prefetched = None
    try:
        result = _download_and_upload(
            wiki,
            store,
            fetcher,
            request,
            request_page,
            planned,
            dest,
            options or UploadOptions(),
            should_stop,
            approved_sha1,
            prefetched,
            deadline,
        )
    finally:
        dest.unlink(missing_ok=True)
    store.finish(
        request,
        planned.record_id,
        result.outcome,
        title=result.title,
        reason=result.reason,
        existing_file=result.existing,
    )
    if result.outcome != Outcome.PENDING:
        store.drop_stash(request, planned.record_id)
    return result


#: Media types a partner's server may declare, by the extension they stand for.
_DECLARED_TYPES: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/jpg": "jpg",
    "image/pjpeg": "jpg",
    "image/png": "png",
    "image/x-png": "png",
    "image/gif": "gif",
    "image/tiff": "tif",
    "image/tif": "tif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
    "image/vnd.djvu": "djvu",
    "image/djvu": "djvu",
    "image/x-djvu": "djvu",
    "application/pdf": "pdf",
    "application/ogg": "ogg",
    "application/x-ogg": "ogg",
    "audio/ogg": "ogg",
    "audio/opus": "ogg",
    "audio/vorbis": "ogg",
    "video/ogg": "ogg",
    "video/x-ogg": "ogg",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/x-mpeg": "mp3",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/vnd.wave": "wav",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "video/webm": "webm",
    "audio/webm": "webm",
}


def declared_type_agrees(declared: str, media: MediaType) -> bool:
    """Whether the type the partner's server declared agrees with the content (pure).

    Only a media claim counts (image/, audio/, video/, PDF, Ogg): servers
    often send ``application/octet-stream`` or ``text/plain`` for files
    they do not know, and that says nothing about the content.
    """
    name = declared.split(";", 1)[0].strip().lower()
    if name in _DECLARED_TYPES:
        return extension_matches(_DECLARED_TYPES[name], media)
    return not name.startswith(("image/", "audio/", "video/"))


def _fail(reason: str, title: str = "") -> Result:
    return Result(Outcome.FAILED, title=title, reason=reason)


def _check_media(
    planned: PlannedFile, dest: Path, content_type: str, size: int
) -> Result | tuple[str, MediaType]:
    """The file title and media type, or a failed Result when the media is not fit to upload."""
    if size == 0:
        return _fail("The media file is empty (0 bytes); the partner should check the link.")
    with dest.open("rb") as f:
        head = f.read(65536)
    media = sniff(head)
    if media is None:
        return _fail(
            "The media file is not of a type the bot uploads "
            f"(the server called it {content_type or 'nothing'})."
        )
    declared = url_extension(planned.media_url)
    if declared and not extension_matches(declared, media):
        return _fail(
            f"The media URL ends in .{declared} but the file is a {media.name}; "
            "the partner should check the link."
        )
    if content_type and not declared_type_agrees(content_type, media):
        return _fail(
            f"The partner's server calls the media file {content_type.split(';')[0]} "
            f"but it is a {media.name}; the partner should check the file."
        )
    if media.extension == "svg":
        problem = svg_problem(dest.read_bytes())
        if problem:
            return _fail(f"The SVG file is refused: {problem}")
    try:
        # the planned title already has the wiki's capitalisation (see bots.pipeline.plan)
        return legal_title(planned.title, media.extension, rules=AS_WRITTEN), media
    except TitleError as e:
        return _fail(f"No usable file title: {e}")


def _download_and_upload(
    wiki: Wiki,
    store: StateStore,
    fetcher: Fetcher,
    request: str,
    request_page: str,
    planned: PlannedFile,
    dest: Path,
    options: UploadOptions,
    should_stop: Callable[[], str] | None,
    approved_sha1: str | None,
    prefetched: FetchResult | None,
    deadline: Deadline | None = None,
) -> Result:
    try:
        fetched = prefetched or fetcher.fetch_to_file(planned.media_url, dest, deadline=deadline)
    except FetchError as e:
        # a download the run's end cut short is not the partner's fault: the record waits
        stop = should_stop() if should_stop is not None else ""
        if stop:
            raise MustStop(stop) from None
        return _fail(f"The media file could not be downloaded: {e}")
    if approved_sha1 is not None and fetched.sha1 != approved_sha1:
        shown = approved_sha1 if approved_sha1 != "unreadable" else "no file (it could not be read)"
        raise MustStop(
            f"the partner's server now gives other bytes for record {planned.record_id} "
            f"(SHA-1 {fetched.sha1}) than the approved preview showed ({shown}); "
            "a reviewer must approve the new preview",
            stale=True,
        )
    checked = _check_media(planned, dest, fetched.content_type or "", fetched.size)
    if isinstance(checked, Result):
        return checked
    title, media = checked
    attempt = _Attempt(
        wiki=wiki,
        store=store,
        request=request,
        planned=planned,
        path=dest,
        mime=media.mime,
        extension=media.extension,
        sha1=fetched.sha1,
        text=planned.page_text,
        why=upload_summary(request_page, request, planned.record_id),
        options=options,
        should_stop=should_stop,
    )
    return attempt.run(title)


@dataclass
class _Attempt:
    """The upload of one checked file, with every retry it may need."""

    wiki: Wiki
    store: StateStore
    request: str
    planned: PlannedFile
    path: Path
    mime: str
    extension: str
    sha1: str
    text: str
    why: str
    options: UploadOptions
    should_stop: Callable[[], str] | None
    #: True once a publishing request went unanswered: the wiki may have the file
    unsure: bool = False

    @property
    def record_id(self) -> str:
        return self.planned.record_id

    def resume(self) -> StashState | None:
        kept = self.store.get_stash(self.request, self.record_id)
        if kept is None:
            return None
        if kept.sha1 != self.sha1:
            # the partner's file changed since: the stash holds other bytes
            self.store.drop_stash(self.request, self.record_id)
            return None
        return kept

    def keep_stash(self, stash: StashState | None) -> None:
        if stash is None:
            self.store.drop_stash(self.request, self.record_id)
        else:
            self.store.put_stash(self.request, self.record_id, stash)

    def leave(self, title: str, reason: str, **stop: bool) -> MustStop:
        """Hand the record to the next run and say why this run ends."""
        if not self.unsure:
            self.store.finish(
                self.request, self.record_id, Outcome.PENDING, title=title, sha1=self.sha1
            )
        return MustStop(reason, **stop)

    def run(self, title: str) -> Result:
        filekey = ""  # bytes already in the stash, to publish under a new title
        retitled = resent = False
        unanswered = 0
        policy = self.wiki.pacer.policy
        while True:
            self.store.begin_upload(self.request, self.record_id, title, self.sha1)
            try:
                self.wiki.pacer.before_upload(self.wiki.paced)
                outcome = self.send(title, filekey)
            except AmbiguousWrite as e:
                self.unsure = True
                settled = self.settle(title)
                if settled is not None:
                    return settled
                unanswered += 1
                if unanswered > policy.retries:
                    raise MustStop(
                        f"the wiki did not answer {unanswered} uploads of record "
                        f"{self.record_id} ({e.info}); the next run asks the wiki first"
                    ) from None
                try:
                    self.wiki.pacer.wait(
                        backoff_delay(
                            unanswered, e.retry_after, base=policy.backoff, cap=policy.max_wait
                        ),
                        "retry-after",
                        f"File:{title} got no answer and is not on the wiki; sending it again",
                    )
                except StopRequested as stop:
                    raise MustStop(stop.reason) from None
                continue
            except StopRequested as e:
                raise self.leave(title, e.reason) from None
            except Stopped as e:
                # the stop page said stop before the upload was sent: nothing is in flight
                self.leave(title, e.reason)
                raise
            except WikiBusy as e:
                raise self.leave(
                    title, f"the wiki is too busy ({e.info}); the next run carries on"
                ) from None

            if isinstance(outcome, Uploaded):
                return Result(Outcome.UPLOADED, title=outcome.title.removeprefix("File:"))
            if isinstance(outcome, Duplicate):
                return self.duplicate(title, outcome)
            if isinstance(outcome, TitleTaken):
                if retitled:
                    return _fail(
                        f"The title File:{title} is already taken by a different file "
                        f"({outcome.warning}), even with the record id added.",
                        title,
                    )
                try:
                    title = legal_title(
                        self.planned.title, self.extension, self.record_id, rules=AS_WRITTEN
                    )
                except TitleError as e:
                    return _fail(f"No usable file title: {e}")
                retitled = True
                filekey = outcome.filekey
                continue
            if isinstance(outcome, UploadRefused):
                if outcome.code == "stash-lost" and not resent:
                    # The stashed bytes are gone: published after all (by an earlier
                    # unanswered commit), or dropped by the wiki; then send them again.
                    settled = self.settle(title)
                    if settled is not None:
                        return settled
                    filekey, resent = "", True
                    self.keep_stash(None)
                    continue
                if outcome.whole_run:
                    raise self.leave(title, outcome.reason, fatal=True)
                return _fail(outcome.reason, title)
            if isinstance(outcome, ReadOnly):
                try:
                    writable = self.wiki.wait_while_read_only(outcome.reason)
                except StopRequested as e:
                    raise self.leave(title, e.reason, read_only=True) from None
                if writable:
                    continue
                raise self.leave(
                    title, f"the wiki is in read-only mode: {outcome.reason}", read_only=True
                )
            if isinstance(outcome, Blocked):
                raise self.leave(
                    title,
                    f"the bot's account {self.wiki.username} is blocked: {outcome.reason}. "
                    "An administrator has to lift the block",
                    fatal=True,
                )
            raise AssertionError(f"unknown upload outcome {outcome!r}")  # pragma: no cover

    def send(self, title: str, filekey: str) -> UploadOutcome:
        if filekey:
            return self.wiki.commit(f"File:{title}", filekey, self.text, self.why)
        return self.wiki.upload(
            f"File:{title}",
            self.path,
            self.text,
            self.why,
            mime=self.mime,
            chunking=self.options.chunking,
            sha1=self.sha1,
            resume=self.resume(),
            on_stash=self.keep_stash,
            should_stop=self.should_stop,
        )

    def settle(self, title: str) -> Result | None:
        """After an unanswered upload: is the file on the wiki under ``title``? (one request)"""
        info = self.wiki.files([f"File:{title}"])[f"File:{title}"]
        if not info.exists or info.sha1 != self.sha1:
            return None
        log.info("File:%s arrived although the wiki did not answer; not sending it again", title)
        if info.user and info.user != self.wiki.username:
            return Result(Outcome.DUPLICATE, title=title, existing=info.title)
        return Result(Outcome.UPLOADED, title=title)

    def duplicate(self, title: str, outcome: Duplicate) -> Result:
        """A duplicate of our own title may be our own earlier, unanswered upload."""
        if outcome.existing == f"File:{title}" and self.unsure:
            settled = self.settle(title)
            if settled is not None:
                return settled
        return Result(Outcome.DUPLICATE, title=title, existing=outcome.existing)
