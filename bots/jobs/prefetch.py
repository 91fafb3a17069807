"""Downloads ahead of the upload loop: a few at once per partner host, a short queue on disk.

A client that downloads a file, uploads it, then downloads the next is
bound by the sum of both; downloading ahead binds it by the larger. The loop
in :mod:`bots.jobs.uploads` still uploads one file at a time, in order, and
asks the write gate and the journal before each one exactly as before: the
prefetcher only decides when the bytes arrive on disk, never what is done
with them.

- At most ``per_host`` downloads run at once against one partner host
  (``sources.parallel_downloads``), and at most ``ahead`` files are
  downloaded or downloading beyond the one the loop works on; no new one
  starts while the finished ones waiting hold ``ahead_bytes`` (a few large
  files must not fill the disk: at most ``ahead_bytes`` and the downloads
  running then wait on disk). Files go to disk, never into memory.
- Files are handed out in the order of the records, each as a
  :class:`Download`: on disk, or why it could not be downloaded (that record
  then fails as it would have without prefetching). A file whose last
  version the journal knows is asked for conditionally (``validators``); a
  server that says it is unchanged sends nothing, and the download says so.
- Every download ends by the run's budget (the ``deadline``). When the loop
  stops, for whatever reason (the stop page, the budget, a stale approval,
  the trial limit, a lost lease, an error), :meth:`Prefetcher.close` calls off
  the downloads still running and deletes every file the loop was not handed;
  a file it was handed is the loop's (the uploader deletes it after use, the
  run's work folder goes at the end of the request). A kill loses nothing:
  the journal is written only by the loop, before and after each upload.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from bots.i18n.message import msg
from bots.jobs.media import media_path
from bots.model import PlannedFile
from bots.net.deadline import Deadline
from bots.net.errors import FetchError
from bots.net.fetch import Fetcher, FetchResult
from bots.net.validators import NotModified, Validators

#: Downloads at once per partner host when the configuration says nothing.
PER_HOST = 4
#: Bytes of finished downloads that may wait for the loop before no new one starts.
AHEAD_BYTES = 256 * 1024 * 1024
#: How long closing waits for cancelled downloads to let go of their files.
CLOSE_WAIT = 10.0


@dataclass(frozen=True)
class Download:
    """One record's media as the prefetcher got it: a file on disk, or why not."""

    planned: PlannedFile
    fetched: FetchResult | None = None
    error: FetchError | None = None
    #: the server said the file is the version the validators named (nothing was sent)
    unchanged: bool = False

    @property
    def record_id(self) -> str:
        return self.planned.record_id


class _Slot:
    """A download in the queue: started, maybe finished, not yet handed to the loop."""

    def __init__(self, planned: PlannedFile, number: int) -> None:
        self.planned = planned
        self.number = number  # its place in the order of the records
        self.future: Future[Download] = Future()
        #: bytes of this download counted as waiting on disk for the loop
        self.waiting = 0


class Prefetcher:
    """Downloads the media of planned files ahead of the loop that consumes them."""

    def __init__(
        self,
        fetcher: Fetcher,
        work_dir: Path,
        request: str,
        *,
        per_host: int = PER_HOST,
        ahead: int | None = None,
        ahead_bytes: int = AHEAD_BYTES,
        deadline: Deadline | None = None,
        ready: Callable[[str], FetchResult | None] = lambda record_id: None,
        validators: Callable[[PlannedFile], Validators | None] = lambda planned: None,
    ) -> None:
        self.fetcher, self.work_dir, self.request = fetcher, work_dir, request
        self.per_host = max(1, per_host)
        self.ahead = max(1, ahead if ahead is not None else 2 * self.per_host)
        self.ahead_bytes = ahead_bytes
        #: ends every download: the run's budget, called off early by close()
        self.deadline = Deadline(math.inf if deadline is None else deadline.remaining())
        #: a record's file already on disk in this run (the preview's), or None
        self.ready = ready
        #: what names the version of a record's file known to the journal, or None
        self.validators = validators
        self._window: deque[_Slot] = deque()
        self._hosts: dict[str, threading.Semaphore] = {}
        self._turn = threading.Condition()
        self._waiting = 0  # bytes downloaded that the loop has not taken yet
        self._taken = 0  # downloads handed to the loop
        self._started = 0
        self._pool = ThreadPoolExecutor(
            max_workers=self.ahead + 1, thread_name_prefix=f"prefetch {request}"
        )
        self._closed = False

    # -- the loop's side -------------------------------------------------------------
    def files(self, planned: Iterable[PlannedFile]) -> Iterator[Download]:
        """Each planned file's download, in order; downloads run ahead while the loop works."""
        source = iter(planned)
        exhausted = False
        while True:
            while not exhausted and not self._closed and len(self._window) <= self.ahead:
                item = next(source, None)
                if item is None:
                    exhausted = True
                else:
                    self._window.append(self._start(item))
            if not self._window:
                return
            slot = self._window[0]
            download = slot.future.result()  # an unexpected error is the loop's, as before
            self._window.popleft()
            with self._turn:
                self._taken += 1
                self._waiting -= slot.waiting
                self._turn.notify_all()
            yield download

    def _start(self, planned: PlannedFile) -> _Slot:
        slot = _Slot(planned, self._started)
        self._started += 1
        ready = self.ready(planned.record_id)
        if ready is not None and ready.path.exists():
            slot.future.set_result(Download(planned, fetched=ready))
        else:
            slot.future = self._pool.submit(self._download, slot)
        return slot

    # -- the downloads' side ----------------------------------------------------------
    def _host(self, url: str) -> threading.Semaphore:
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
        with self._turn:
            if host not in self._hosts:
                self._hosts[host] = threading.Semaphore(self.per_host)
            return self._hosts[host]

    def _room(self, slot: _Slot) -> bool:
        """Whether this download may start (call with ``_turn`` held).

        Files waiting on disk that hold ``ahead_bytes`` stop the others until
        the loop takes some; the next file the loop needs never waits, or
        nothing would move.
        """
        return (
            self.deadline.cancelled
            or slot.number == self._taken
            or self._waiting < self.ahead_bytes
        )

    def _host_turn(self, slot: _Slot) -> threading.Semaphore:
        """The host's turn, taken (the caller releases it) once there is room.

        Nobody waits for room while holding a host's turn: the next file the
        loop needs may need that turn.
        """
        host = self._host(slot.planned.media_url)
        while True:
            with self._turn:
                while not self._room(slot):
                    self._turn.wait(1.0)
            host.acquire()
            with self._turn:
                if self._room(slot):
                    return host
            host.release()

    def _download(self, slot: _Slot) -> Download:
        planned = slot.planned
        dest = media_path(self.work_dir, self.request, planned.record_id)
        host = self._host_turn(slot)
        try:
            if self.deadline.cancelled:
                return Download(planned, error=FetchError(msg("hubbot-fetch-called-off")))
            fetched = self.fetcher.fetch_to_file(
                planned.media_url, dest, deadline=self.deadline, unless=self.validators(planned)
            )
        except NotModified:
            return Download(planned, unchanged=True)
        except FetchError as e:
            return Download(planned, error=e)
        finally:
            host.release()
        with self._turn:
            if self.deadline.cancelled:  # finished as it was called off: nobody will take it
                dest.unlink(missing_ok=True)
                return Download(planned, error=FetchError(msg("hubbot-fetch-called-off")))
            slot.waiting = fetched.size
            self._waiting += fetched.size
        return Download(planned, fetched=fetched)

    # -- closing -----------------------------------------------------------------------
    def close(self) -> None:
        """Call off running downloads and delete every file the loop was not handed."""
        if self._closed:
            return
        self._closed = True
        with self._turn:
            self.deadline.cancel()
            self._turn.notify_all()
        for slot in self._window:
            slot.future.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for slot in self._window:
            try:
                download = slot.future.result(timeout=CLOSE_WAIT)
            except Exception:  # cancelled, or failed: nothing of it is kept
                continue
            if download.fetched is not None and self.ready(slot.planned.record_id) is None:
                download.fetched.path.unlink(missing_ok=True)
        self._window.clear()

    def __enter__(self) -> Prefetcher:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
