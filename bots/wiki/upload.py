"""Uploading files: one request, or chunks through the stash, every warning decided."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bots.i18n import Message, msg
from bots.model import StashState
from bots.wiki.chunked import ChunkedUpload
from bots.wiki.errors import (
    WikiError,
    WikiUnavailable,
)
from bots.wiki.outcomes import (
    Uploaded,
    UploadOutcome,
    UploadRefused,
)
from bots.wiki.upload_policy import (
    STASH_GONE,
    decide_upload_warnings,
    upload_error,
)
from bots.wiki.writes import Writes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chunking:
    """When and how to upload in chunks (the ``upload`` configuration keys)."""

    threshold: int = 50 * 1024 * 1024
    size: int = 10 * 1024 * 1024
    #: seconds the wiki keeps stashed files ($wgUploadStashMaxAge): older ones are not resumed
    stash_max_age: float = 6 * 3600


@dataclass(frozen=True)
class FileUpload:
    """One file to upload: its bytes on disk and the page it gets."""

    filename: str  # the title without "File:"
    path: Path
    page_text: str
    summary: str
    size: int
    sha1: str = ""
    mime: str = "application/octet-stream"
    #: a new version of our own file (an impact chart): the "exists" warning is the point
    new_version: bool = False


class Uploads(Writes):
    """Uploads: in one request, or in chunks through the upload stash."""

    def upload(
        self,
        title: str,
        path: Path,
        page_text: str,
        summary: str,
        *,
        mime: str = "application/octet-stream",
        new_version: bool = False,
        chunking: Chunking | None = None,
        sha1: str = "",
        resume: StashState | None = None,
        on_stash: Callable[[StashState | None], None] | None = None,
        should_stop: Callable[[], Message | None] | None = None,
    ) -> UploadOutcome:
        """Upload one file without ignoring warnings; each warning is decided here.

        A file up to ``chunking.threshold`` bytes is one request when the wiki
        has nothing to say. A larger one goes in chunks through the upload
        stash, read from disk one chunk at a time; ``on_stash`` hears every
        confirmed offset (for the journal) and ``resume`` continues such an
        upload after a crash, once the stash is checked to hold this file's
        bytes. ``should_stop`` is asked between chunks.

        Raises :class:`AmbiguousWrite` when the request that publishes the
        file got no answer (the caller asks the wiki by title and SHA-1),
        :class:`WikiBusy` and :class:`~bots.net.pacing.StopRequested`.
        """
        chunking = chunking or Chunking()
        size = path.stat().st_size
        file = FileUpload(
            title.removeprefix("File:"), path, page_text, summary, size, sha1, mime, new_version
        )
        limit = _int(self.site.siteinfo.get("maxuploadsize"))
        if limit and size > limit:
            return UploadRefused(
                code="file-too-large",
                reason=msg("hubbot-upload-too-large", _mib(size), _mib(limit)),
            )
        usable = None
        if resume is not None and sha1 and resume.sha1 == sha1 and resume.size == size:
            usable = self._usable_stash(resume, path, chunking)
            if usable is not None and usable.complete:
                return self.publish(file, usable.filekey)
        if resume is not None and usable is None and on_stash is not None:
            on_stash(None)
        if usable is None and size <= chunking.threshold:
            return self._upload_whole(file)
        minimum = _int(self.site.siteinfo.get("minuploadchunksize")) or 1024
        return ChunkedUpload(
            self,
            file,
            max(chunking.size, minimum),
            stash=usable,
            on_stash=on_stash or (lambda _stash: None),
            should_stop=should_stop,
        ).run()

    def _upload_whole(self, file: FileUpload) -> UploadOutcome:
        """A file in one request."""
        params: dict[str, Any] = {
            "action": "upload",
            "filename": file.filename,
            "text": file.page_text,
            "comment": file.summary,
        }
        with file.path.open("rb") as content:
            try:
                data = self.post(
                    params, {"file": (file.filename, content, file.mime)}, limit_action="upload"
                )
            except WikiError as e:
                if isinstance(e, WikiUnavailable):
                    raise
                return upload_error(file.filename, e.code, e.info, e.data)
        return self._upload_result(
            file.filename, file.page_text, file.summary, data.get("upload", {}), file.new_version
        )

    def publish(
        self, file: FileUpload, filekey: str, *, ignore_warnings: bool = False
    ) -> UploadOutcome:
        """Publish ``file`` from the upload stash (one request); see :meth:`commit`."""
        return self.commit(
            file.filename,
            filekey,
            file.page_text,
            file.summary,
            ignore_warnings=ignore_warnings,
            new_version=file.new_version,
        )

    def commit(
        self,
        title: str,
        filekey: str,
        page_text: str,
        summary: str,
        *,
        ignore_warnings: bool = False,
        new_version: bool = False,
    ) -> UploadOutcome:
        """Publish a file from the upload stash under ``title`` (one request).

        Raises :class:`AmbiguousWrite` when it got no answer.
        """
        filename = title.removeprefix("File:")
        params: dict[str, Any] = {
            "action": "upload",
            "filename": filename,
            "filekey": filekey,
            "text": page_text,
            "comment": summary,
            "ignorewarnings": 1 if ignore_warnings else None,
        }
        try:
            data = self.post(params, limit_action="upload")
        except WikiError as e:
            if isinstance(e, WikiUnavailable):
                raise
            if e.code in STASH_GONE:
                return UploadRefused(
                    code="stash-lost",
                    reason=msg("hubbot-upload-stash-lost"),
                )
            return upload_error(filename, e.code, e.info, e.data)
        upload = data.get("upload", {})
        if ignore_warnings:
            upload = {k: v for k, v in upload.items() if k != "warnings"}
        return self._upload_result(filename, page_text, summary, upload, new_version)

    def _usable_stash(self, stash: StashState, path: Path, chunking: Chunking) -> StashState | None:
        """The stash to resume from, after asking the wiki what it holds; None to start over.

        Too old (the wiki deletes stashed files after ``stash_max_age``),
        unknown to the wiki, or holding other bytes than this file's: None.
        """
        age = (datetime.now(UTC) - stash.started).total_seconds()
        if age > chunking.stash_max_age:
            log.info("the stashed upload %s is %d s old; starting again", stash.filekey, age)
            return None
        try:
            data = self.call(
                action="query",
                prop="stashimageinfo",
                siifilekey=stash.filekey,
                siiprop="size|sha1",
            )
        except WikiError as e:
            log.info("the wiki no longer has the stashed upload %s (%s)", stash.filekey, e.code)
            return None
        infos = data.get("query", {}).get("stashimageinfo") or []
        if not infos:
            return None
        held, held_sha1 = int(infos[0].get("size", -1)), str(infos[0].get("sha1", ""))
        if stash.complete:
            return stash if held == stash.size and held_sha1 == stash.sha1 else None
        # a stash in progress shows its first chunk: it must be this file's beginning
        if held <= 0 or held > stash.size or held_sha1 != _sha1_of_start(path, held):
            log.info("the stashed upload %s holds other bytes; starting again", stash.filekey)
            return None
        return stash

    def _upload_result(
        self,
        filename: str,
        page_text: str,
        summary: str,
        upload: dict[str, Any],
        new_version: bool = False,
    ) -> UploadOutcome:
        result = upload.get("result")
        if result == "Success":
            return Uploaded(title="File:" + upload.get("filename", filename).replace("_", " "))
        if result != "Warning":
            return UploadRefused(code=str(result), reason=msg("hubbot-upload-answer", str(result)))
        warnings: dict[str, Any] = dict(upload.get("warnings", {}))
        if new_version:
            # a new version of our own file (an impact chart) is the point
            warnings.pop("exists", None)
        filekey = str(upload.get("filekey", ""))
        outcome = decide_upload_warnings(filename, warnings, filekey=filekey)
        if outcome is not None:
            return outcome
        # Only informational warnings: publish the bytes the wiki stashed.
        return self.commit(
            filename, filekey, page_text, summary, ignore_warnings=True, new_version=new_version
        )


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MiB"


def _sha1_of_start(path: Path, length: int) -> str:
    """SHA-1 of the first ``length`` bytes of a file, read in slices."""
    digest = hashlib.sha1()
    left = length
    with path.open("rb") as f:
        while left > 0:
            block = f.read(min(left, 1024 * 1024))
            if not block:
                break
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()
