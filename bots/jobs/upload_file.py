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

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bots.hub import upload_summary
from bots.i18n import Message, msg, to_text
from bots.jobs.media import FitMedia, check_media, media_path
from bots.jobs.prefetch import Download
from bots.jobs.session import Stopped
from bots.model import PlannedFile, StashState
from bots.net.deadline import Deadline
from bots.net.errors import FetchError
from bots.net.fetch import Fetcher
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
    ``read_only``: the wiki takes no writes. ``stale``: the approval no longer
    covers what would be uploaded, so the request waits for a new one.
    """

    def __init__(
        self, reason: Message, *, fatal: bool = False, read_only: bool = False, stale: bool = False
    ) -> None:
        super().__init__(str(reason))
        self.reason = reason
        self.fatal = fatal
        self.read_only = read_only
        self.stale = stale


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
    """How one record ended, as the journal keeps it."""

    outcome: Outcome
    title: str = ""
    reason: Message | None = None
    existing: str = ""


def _fail(reason: Message, title: str = "") -> Result:
    return Result(Outcome.FAILED, title=title, reason=reason)


@dataclass(frozen=True)
class Uploader:
    """What uploads the records of one request in one run."""

    wiki: Wiki
    store: StateStore
    fetcher: Fetcher
    request: str
    request_page: str
    work_dir: Path
    options: UploadOptions = field(default_factory=UploadOptions)
    #: why the run must end now ("" to go on): asked between chunks and by every wait
    should_stop: Callable[[], Message | None] = lambda: None
    #: the end of the run's budget, for downloads
    deadline: Callable[[], Deadline | None] = lambda: None
    #: the records that have a stash in the journal, when known (None: ask the journal
    #: for each record); read once for a batch, it spares two queries a file
    stashed: set[str] | None = None

    def has_stash(self, record_id: str) -> bool:
        return self.stashed is None or record_id in self.stashed

    def forget_stash(self, record_id: str) -> None:
        if self.has_stash(record_id):
            self.store.drop_stash(self.request, record_id)
        if self.stashed is not None:
            self.stashed.discard(record_id)

    def settle_in_flight(self, state: RecordState) -> bool:
        """Decide a record a crash left in flight; True when it needs no new upload.

        One request: the wiki's files with this SHA-1. Under our title, the
        upload arrived; under another title, those bytes were there already.
        """
        if not state.sha1:
            return False
        found = self.wiki.find_sha1(state.sha1)
        if not found:
            return False
        ours = f"File:{state.title}" if state.title else ""
        outcome, existing = (
            (Outcome.UPLOADED, "") if ours in found else (Outcome.DUPLICATE, found[0])
        )
        self.store.finish(
            self.request,
            state.record_id,
            outcome,
            title=state.title,
            sha1=state.sha1,
            existing_file=existing,
        )
        self.forget_stash(state.record_id)
        return True

    def upload(
        self,
        planned: PlannedFile,
        *,
        approved_sha1: str | None = None,
        prefetched: Download | None = None,
    ) -> Result:
        """Everything for one record; the outcome is journalled before returning.

        ``approved_sha1`` is the SHA-1 the approved preview showed for this
        record's media, if it showed it: other bytes raise :class:`MustStop`
        with ``stale``. ``prefetched`` is the record's media as downloaded
        ahead in this run (:mod:`bots.jobs.prefetch`): the file, or why it
        could not be downloaded. Raises :class:`MustStop` when the run has to end
        (read-only wiki, blocked bot, a wiki too busy to answer, a stop
        request, the end of the time budget); the record is then left for the
        next run: ``pending``, or ``in_flight`` when the wiki may have it already.
        """
        self.work_dir.mkdir(parents=True, exist_ok=True)
        dest = media_path(self.work_dir, self.request, planned.record_id)
        if prefetched is not None and (
            prefetched.record_id != planned.record_id
            or (prefetched.fetched is not None and prefetched.fetched.path != dest)
            or (prefetched.fetched is not None and not dest.exists())
        ):
            prefetched = None  # not this record's file: download it here
        try:
            result = self._download_and_upload(planned, dest, approved_sha1, prefetched)
        finally:
            dest.unlink(missing_ok=True)
        self.store.finish(
            self.request,
            planned.record_id,
            result.outcome,
            title=result.title,
            reason=to_text(result.reason),
            existing_file=result.existing,
        )
        if result.outcome != Outcome.PENDING:
            self.forget_stash(planned.record_id)
        return result

    def _download_and_upload(
        self,
        planned: PlannedFile,
        dest: Path,
        approved_sha1: str | None,
        prefetched: Download | None,
    ) -> Result:
        try:
            if prefetched is not None and prefetched.error is not None:
                raise prefetched.error
            fetched = (
                prefetched.fetched
                if prefetched is not None and prefetched.fetched is not None
                else self.fetcher.fetch_to_file(planned.media_url, dest, deadline=self.deadline())
            )
        except FetchError as e:
            # a download the run's end cut short is not the partner's fault: the record waits
            stop = self.should_stop()
            if stop is not None:
                raise MustStop(stop) from None
            return _fail(msg("hubbot-record-download-failed", e.message))
        if approved_sha1 is not None and fetched.sha1 != approved_sha1:
            shown = (
                msg("hubbot-stop-unread-file") if approved_sha1 == "unreadable" else approved_sha1
            )
            raise MustStop(
                msg("hubbot-stop-other-bytes", planned.record_id, fetched.sha1, shown), stale=True
            )
        checked = check_media(planned, dest, fetched.content_type or "", fetched.size)
        if not isinstance(checked, FitMedia):
            return _fail(checked)
        attempt = _Attempt(
            uploader=self,
            planned=planned,
            path=dest,
            media=checked,
            sha1=fetched.sha1,
            why=upload_summary(self.request_page, self.request, planned.record_id),
            title=checked.title,
        )
        return attempt.run()


@dataclass
class _Attempt:
    """The upload of one checked file, with every retry it may need."""

    uploader: Uploader
    planned: PlannedFile
    path: Path
    media: FitMedia
    sha1: str
    why: str
    title: str
    #: bytes already in the stash, to publish under a new title
    filekey: str = ""
    retitled: bool = False
    resent: bool = False
    unanswered: int = 0
    #: True once a publishing request went unanswered: the wiki may have the file
    unsure: bool = False

    @property
    def wiki(self) -> Wiki:
        return self.uploader.wiki

    @property
    def store(self) -> StateStore:
        return self.uploader.store

    @property
    def request(self) -> str:
        return self.uploader.request

    @property
    def record_id(self) -> str:
        return self.planned.record_id

    def run(self) -> Result:
        while True:
            self.store.begin_upload(self.request, self.record_id, self.title, self.sha1)
            outcome = self._send_once()
            if outcome is None:
                continue  # unanswered and not on the wiki: send again
            if isinstance(outcome, Result):
                return outcome
            result = self._decide(outcome)
            if result is not None:
                return result

    def _send_once(self) -> UploadOutcome | Result | None:
        """One upload; None when it must be sent again, a Result when it settled."""
        try:
            self.wiki.pacer.before_upload(self.wiki.paced)
            return self._send()
        except AmbiguousWrite as e:
            return self._after_no_answer(e)
        except StopRequested as e:
            raise self._leave(e.reason) from None
        except Stopped as e:
            # the stop page said stop before the upload was sent: nothing is in flight
            self._leave(e.message)
            raise
        except WikiBusy as e:
            raise self._leave(msg("hubbot-stop-wiki-busy", e.info)) from None

    def _after_no_answer(self, e: AmbiguousWrite) -> Result | None:
        self.unsure = True
        settled = self._settle()
        if settled is not None:
            return settled
        policy = self.wiki.pacer.policy
        self.unanswered += 1
        if self.unanswered > policy.retries:
            raise MustStop(msg("hubbot-stop-no-answer", self.unanswered, self.record_id, e.info))
        delay = backoff_delay(
            self.unanswered, e.retry_after, base=policy.backoff, cap=policy.max_wait
        )
        try:
            self.wiki.pacer.wait(
                delay,
                "retry-after",
                f"File:{self.title} got no answer and is not on the wiki; sending it again",
            )
        except StopRequested as stop:
            raise MustStop(stop.reason) from None
        return None

    def _decide(self, outcome: UploadOutcome) -> Result | None:
        """The record's result, or None to send again (another title, the bytes again)."""
        if isinstance(outcome, Uploaded):
            return Result(Outcome.UPLOADED, title=outcome.title.removeprefix("File:"))
        if isinstance(outcome, Duplicate):
            return self._duplicate(outcome)
        if isinstance(outcome, TitleTaken):
            return self._retitle(outcome)
        if isinstance(outcome, UploadRefused):
            return self._refused(outcome)
        if isinstance(outcome, ReadOnly):
            try:
                writable = self.wiki.wait_while_read_only(outcome.reason)
            except StopRequested as e:
                raise self._leave(e.reason, read_only=True) from None
            if writable:
                return None
            raise self._leave(msg("hubbot-stop-read-only", outcome.reason), read_only=True)
        if isinstance(outcome, Blocked):
            raise self._leave(
                msg("hubbot-stop-blocked", self.wiki.username, outcome.reason), fatal=True
            )
        raise AssertionError(f"unknown upload outcome {outcome!r}")  # pragma: no cover

    def _retitle(self, outcome: TitleTaken) -> Result | None:
        if self.retitled:
            return _fail(msg("hubbot-record-title-taken", self.title, outcome.warning), self.title)
        try:
            self.title = legal_title(
                self.planned.title, self.media.media.extension, self.record_id, rules=AS_WRITTEN
            )
        except TitleError as e:
            return _fail(msg("hubbot-record-no-title", e.message))
        self.retitled = True
        self.filekey = outcome.filekey
        return None

    def _refused(self, outcome: UploadRefused) -> Result | None:
        if outcome.code == "stash-lost" and not self.resent:
            # The stashed bytes are gone: published after all (by an earlier
            # unanswered commit), or dropped by the wiki; then send them again.
            settled = self._settle()
            if settled is not None:
                return settled
            self.filekey, self.resent = "", True
            self._keep_stash(None)
            return None
        if outcome.whole_run:
            raise self._leave(outcome.reason, fatal=True)
        return _fail(outcome.reason, self.title)

    def _send(self) -> UploadOutcome:
        text = self.planned.page_text
        if self.filekey:
            return self.wiki.commit(f"File:{self.title}", self.filekey, text, self.why)
        return self.wiki.upload(
            f"File:{self.title}",
            self.path,
            text,
            self.why,
            mime=self.media.media.mime,
            chunking=self.uploader.options.chunking,
            sha1=self.sha1,
            resume=self._resume(),
            on_stash=self._keep_stash,
            should_stop=self.uploader.should_stop,
        )

    def _resume(self) -> StashState | None:
        if not self.uploader.has_stash(self.record_id):
            return None
        kept = self.store.get_stash(self.request, self.record_id)
        if kept is None:
            return None
        if kept.sha1 != self.sha1:
            # the partner's file changed since: the stash holds other bytes
            self.uploader.forget_stash(self.record_id)
            return None
        return kept

    def _keep_stash(self, stash: StashState | None) -> None:
        if stash is None:
            self.uploader.forget_stash(self.record_id)
            return
        self.store.put_stash(self.request, self.record_id, stash)
        if self.uploader.stashed is not None:
            self.uploader.stashed.add(self.record_id)

    def _leave(self, reason: Message, **stop: bool) -> MustStop:
        """Hand the record to the next run and say why this run ends."""
        if not self.unsure:
            self.store.finish(
                self.request, self.record_id, Outcome.PENDING, title=self.title, sha1=self.sha1
            )
        return MustStop(reason, **stop)

    def _settle(self) -> Result | None:
        """After an unanswered upload: is the file on the wiki under its title? (one request)"""
        title = f"File:{self.title}"
        info = self.wiki.files([title])[title]
        if not info.exists or info.sha1 != self.sha1:
            return None
        log.info("%s arrived although the wiki did not answer; not sending it again", title)
        if info.user and info.user != self.wiki.username:
            return Result(Outcome.DUPLICATE, title=self.title, existing=info.title)
        return Result(Outcome.UPLOADED, title=self.title)

    def _duplicate(self, outcome: Duplicate) -> Result:
        """A duplicate of our own title may be our own earlier, unanswered upload."""
        if outcome.existing == f"File:{self.title}" and self.unsure:
            settled = self._settle()
            if settled is not None:
                return settled
        return Result(Outcome.DUPLICATE, title=self.title, existing=outcome.existing)
