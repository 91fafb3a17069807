"""One file sent in chunks through the wiki's upload stash, then published.

A chunk that got no answer is sent again at the same offset: if the wiki had
kept it, it says so ("invalid chunk offset", with its own offset) and the
upload carries on from there. A stash the wiki lost is started again once.
Every confirmed offset goes to ``on_stash`` (the journal), so a run that dies
mid-file resumes where the wiki says it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from bots.i18n import Message, msg
from bots.model import StashState
from bots.net.pacing import StopRequested, backoff_delay
from bots.wiki.errors import AmbiguousWrite, WikiBusy, WikiError, WikiUnavailable
from bots.wiki.outcomes import UploadOutcome, UploadRefused
from bots.wiki.upload_policy import (
    STASH_GONE,
    decide_upload_warnings,
    first_chunk_warnings,
    refusal,
    upload_error,
)

if TYPE_CHECKING:
    from bots.wiki.upload import FileUpload, Uploads

log = logging.getLogger(__name__)


def _ignore(_stash: StashState | None) -> None:
    return None


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass
class ChunkedUpload:
    """The state of one chunked upload: where the stash stands, how often it failed."""

    wiki: Uploads
    file: FileUpload
    chunk_size: int
    stash: StashState | None = None
    on_stash: Callable[[StashState | None], None] = _ignore
    should_stop: Callable[[], Message | None] | None = None
    restarts: int = 0
    unanswered: int = 0
    #: the first chunk was sent once to hear what the wiki says about the title
    first_checked: bool = False

    def run(self) -> UploadOutcome:
        with self.file.path.open("rb") as f:
            while self.stash is None or not self.stash.complete:
                outcome = self._next_chunk(f)
                if outcome is not None:
                    return outcome
        return self.wiki.publish(self.file, self.stash.filekey)

    def _next_chunk(self, f: IO[bytes]) -> UploadOutcome | None:
        """Send the chunk at the confirmed offset; an outcome ends the upload, None goes on."""
        offset = self.stash.offset if self.stash else 0
        if self.should_stop is not None and offset > 0:
            reason = self.should_stop()
            if reason is not None:
                raise StopRequested(reason)
        f.seek(offset)
        chunk = f.read(self.chunk_size)
        params: dict[str, Any] = {
            "action": "upload",
            "stash": 1,
            "filename": self.file.filename,
            "filesize": self.file.size,
            "offset": offset,
            "filekey": self.stash.filekey if self.stash else None,
            # The wiki checks warnings on every chunk as if it were the whole
            # file. The first chunk is asked about the title (a taken or bad
            # title shows before the bytes are sent); the whole file's
            # warnings come with the last chunk and are decided before
            # anything is published, so later chunks skip the partial check.
            "ignorewarnings": 1 if (self.stash or self.first_checked) else None,
        }
        try:
            data = self.wiki.post(
                params,
                {"chunk": ("chunk", chunk, "application/octet-stream")},
                limit_action="upload",
            )
        except AmbiguousWrite as e:
            self._wait_after_no_answer(e)
            return None
        except WikiError as e:
            if isinstance(e, WikiUnavailable):
                raise
            return self._refused(e, offset)
        self.unanswered = 0
        return self._answered(dict(data.get("upload", {})), offset, len(chunk))

    def _wait_after_no_answer(self, e: AmbiguousWrite) -> None:
        """Harmless to send again: the offset tells the wiki what it has."""
        policy = self.wiki.pacer.policy
        self.unanswered += 1
        if self.unanswered > policy.retries:
            raise WikiBusy(e.code, f"chunks of {self.file.filename} get no answer: {e.info}")
        delay = backoff_delay(
            self.unanswered, e.retry_after, base=policy.backoff, cap=policy.max_wait
        )
        self.wiki.pacer.wait(delay, "retry-after", f"a chunk of {self.file.filename} got no answer")

    def _refused(self, e: WikiError, offset: int) -> UploadOutcome | None:
        their = _as_int(e.data.get("offset"), -1)
        stash = self.stash
        if e.code == "stashfailed" and stash and their >= 0 and their != offset:
            log.info(
                "the wiki holds %d bytes of %s, not %d; going on from there",
                their,
                self.file.filename,
                offset,
            )
            self.unanswered = 0
            self._keep(
                StashState(stash.filekey, their, self.file.size, self.file.sha1, stash.started)
            )
            return None
        if e.code in STASH_GONE or e.code == "stashfailed":
            self.restarts += 1
            self._keep(None)
            if self.restarts > 1:
                return UploadRefused(
                    code=e.code,
                    reason=refusal(msg("hubbot-upload-stash-failed-twice"), e.code, e.info),
                )
            log.info("the stash of %s failed (%s); starting again", self.file.filename, e.code)
            return None
        self._keep(None)
        return upload_error(self.file.filename, e.code, e.info, e.data)

    def _answered(self, upload: dict[str, Any], offset: int, sent: int) -> UploadOutcome | None:
        result = upload.get("result")
        key = str(upload.get("filekey", ""))
        started = self.stash.started if self.stash else datetime.now(UTC)
        size, sha1 = self.file.size, self.file.sha1
        if result == "Continue":
            self._keep(
                StashState(key, int(upload.get("offset", offset + sent)), size, sha1, started)
            )
            return None
        if result == "Warning" and self.stash is None and not self.first_checked:
            self.first_checked = True
            # nothing about the title: send it again, warnings decided at the end
            return first_chunk_warnings(self.file.filename, dict(upload.get("warnings") or {}))
        if result == "Success":
            self._keep(StashState(key, size, size, sha1, started, complete=True))
            warnings = dict(upload.get("warnings") or {})
            if self.file.new_version:
                warnings.pop("exists", None)
            outcome = decide_upload_warnings(self.file.filename, warnings, filekey=key)
            if outcome is not None:
                self._keep(None)
                return outcome
            return self.wiki.publish(self.file, key, ignore_warnings=bool(warnings))
        self._keep(None)
        return UploadRefused(
            code=str(result), reason=msg("hubbot-upload-chunk-answer", str(result))
        )

    def _keep(self, stash: StashState | None) -> None:
        self.stash = stash
        self.on_stash(stash)
