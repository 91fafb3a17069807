"""The one gate every command that writes to the wiki passes (SPEC 6).

``hubbot run``, ``impact`` and ``sync`` open a :class:`WriteGate` before their
first write and keep it open while they work. The gate holds everything that
may end or forbid writing:

- the stop page: read when the gate opens, and again before any write once
  60 seconds have passed since the last reading (the wiki client asks the gate
  before every write, so no write slips past it); while it says stop, the only
  write allowed is one line on the dashboard, and the command exits with 3;
- the time budget (``--max-seconds``) and SIGTERM: asked between units of work
  (files, requests), and by every wait inside a write;
- leases: one per request, renewed by a heartbeat while the holder works, so
  two overlapping runs never work on the same request.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import FrameType, TracebackType
from typing import Any

from bots.hub import SUMMARY_PREFIX
from bots.i18n import Message, PageLanguage, msg
from bots.net.deadline import Deadline, share
from bots.pipeline.approval import Approvers, check_stop_page
from bots.store import StateStore
from bots.wiki import Wiki

log = logging.getLogger(__name__)

LEASE_SECONDS = 600
STOP_CHECK_SECONDS = 60
#: The first line of the dashboard while the bot is stopped.
STOPPED_LINE_START = '<div class="hub-stopped"'


class Stopped(Exception):
    """The stop page says the bot must not write; the command exits with status 3.

    ``reason`` is the English plain text (for the command line); ``message``
    the words for the wiki.
    """

    def __init__(self, reason: str | Message) -> None:
        self.message = reason if isinstance(reason, Message) else Message.verbatim(reason)
        self.reason = str(self.message)
        super().__init__(self.reason)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class WriteGate:
    """Stop page, budget, SIGTERM and leases of one command's run."""

    def __init__(
        self,
        *,
        wiki: Wiki,
        store: StateStore,
        stop_page: str,
        dashboard: str,
        approvers: Approvers,
        max_seconds: float | None = None,
        max_files: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        progress: Callable[[str], None] = log.info,
        language: str = "en",
    ) -> None:
        #: the language of the hub's own pages (the dashboard)
        self.language = PageLanguage(language)
        self.wiki = wiki
        self.store = store
        self.stop_page = stop_page
        self.dashboard = dashboard
        self.approvers = approvers
        self.max_seconds = max_seconds
        self.max_files = max_files
        self.clock = clock
        self.progress = progress
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.started = clock()
        self.files = 0
        #: requests this pass has still to do, the current one included
        self.requests_left = 1
        self.terminated = False
        #: why writing cannot go on in this run (read-only wiki, blocked bot)
        self.halted: Message | None = None
        self.stopped: Message | None = None
        self._last_stop_check: float | None = None
        self._announcing = False
        self._renewed: dict[str, float] = {}
        self._previous_handler: Any = None
        self._installed = False

    # -- opening and closing -----------------------------------------------------
    def __enter__(self) -> WriteGate:
        self.started = self.clock()
        try:
            self._previous_handler = signal.signal(signal.SIGTERM, self._on_term)
            self._installed = True
        except ValueError:  # not the main thread: the caller handles signals
            self._installed = False
        self.wiki.guard = self.guard
        try:
            self.check_stop()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._close()

    def _close(self) -> None:
        if self.wiki.guard == self.guard:
            self.wiki.guard = None
        if self._installed:
            signal.signal(signal.SIGTERM, self._previous_handler)
            self._installed = False

    def _on_term(self, signum: int, frame: FrameType | None) -> None:
        self.terminated = True

    # -- the stop page -------------------------------------------------------------
    def check_stop(self) -> None:
        """Read the stop page now; on anything but an approver's ``run``, announce and stop."""
        decision = check_stop_page(
            self.wiki.revisions(self.stop_page), self.wiki.user, self.approvers, self.wiki.username
        )
        self._last_stop_check = self.clock()
        if not decision.ok:
            self.stop(decision.reason)

    def check_stop_if_older(self, seconds: float) -> None:
        """Read the stop page unless it was read within ``seconds``."""
        last = self._last_stop_check
        if last is None or self.clock() - last >= seconds:
            self.check_stop()

    def guard(self, target: str) -> None:
        """Asked by the wiki client before every write (``target``: the page or file)."""
        if self._announcing:
            return
        if self.stopped is not None:
            raise Stopped(self.stopped)
        self.check_stop_if_older(STOP_CHECK_SECONDS)

    def stop(self, reason: Message) -> None:
        """Write the one line a stopped bot may write, then raise :class:`Stopped`."""
        if self.stopped is None:
            self.stopped = reason
            self.progress(f"stopped by the stop page: {reason}")
            self._announce(reason)
        raise Stopped(reason)

    def _announce(self, reason: Message) -> None:
        """SPEC 6: when stopped, the only write is one line on the dashboard."""
        self._announcing = True
        try:
            info = self.wiki.read_page(self.dashboard)
            body = "\n".join(
                line
                for line in (info.text if info.exists else "").splitlines()
                if not line.startswith(STOPPED_LINE_START)
            )
            lang = self.language
            words = lang("hubbot-dashboard-stopped", reason, now_iso())
            line = (
                f'{STOPPED_LINE_START} lang="{lang.code}" dir="{lang.dir}" '
                f'style="border:2px solid #d33;padding:0.5em;">{words}</div>'
            )
            text = line + "\n" + body.lstrip("\n")
            self.wiki.save(self.dashboard, text, f"{SUMMARY_PREFIX}: stopped", base=info)
        except Exception as e:  # the stop itself must never fail on the announcement
            log.warning("the stop line could not be written on %s: %s", self.dashboard, e)
        finally:
            self._announcing = False

    # -- the budget ------------------------------------------------------------------
    def seconds_left(self) -> float | None:
        """What is left of --max-seconds (None: no budget), at least a second."""
        if self.max_seconds is None:
            return None
        return max(self.max_seconds - (self.clock() - self.started), 1.0)

    def source_seconds(self) -> float | None:
        """The time reading the current request's source may take: its share of the budget."""
        left = self.seconds_left()
        return None if left is None else share(left, self.requests_left)

    def budget_deadline(self) -> Deadline | None:
        """The end of the run's budget, for reads that may use all of it (media files)."""
        left = self.seconds_left()
        return None if left is None else Deadline(left, self.clock)

    def out_of_budget(self) -> Message | None:
        """Why work must end now, in words for the status page; None to go on."""
        if self.halted is not None:
            return self.halted
        if self.terminated:
            return msg("hubbot-end-sigterm")
        if self.max_seconds is not None and self.clock() - self.started >= self.max_seconds:
            return msg("hubbot-end-time-budget", f"{self.max_seconds:g}")
        if self.max_files is not None and self.files >= self.max_files:
            return msg("hubbot-end-file-budget", self.max_files)
        return None

    def halt(self, reason: Message) -> None:
        """Nothing more can be written in this run (read-only wiki, blocked bot)."""
        self.halted = reason

    def count_file(self) -> None:
        self.files += 1

    # -- leases ----------------------------------------------------------------------
    @contextmanager
    def lease(self, name: str) -> Iterator[bool]:
        """Hold the request's lease while the body works; yields False when another run has it."""
        if not self._take_lease(name):
            yield False
            return
        self._renewed[name] = self.clock()
        heartbeat = LeaseHeartbeat(self.store, name, self.holder)
        heartbeat.start()
        try:
            yield True
        finally:
            heartbeat.stop()
            self.store.release_lease(name, self.holder)

    def keeps_lease(self, name: str) -> bool:
        """Whether this run still holds the request's lease; False means stop working on it.

        The heartbeat renews the lease too; renewing here, a third of a lease
        after the last time, stops a process that stalled longer than a lease:
        another run has the request by then, and two runs must never upload
        side by side.
        """
        now = self.clock()
        if now - self._renewed.get(name, self.started) < LEASE_SECONDS / 3:
            return True
        self._renewed[name] = now
        return self.store.renew_lease(name, self.holder, LEASE_SECONDS)

    def _take_lease(self, name: str) -> bool:
        """The request's lease; a lease left by a dead process on this host is taken over."""
        if self.store.acquire_lease(name, self.holder, LEASE_SECONDS):
            return True
        lease = self.store.lease(name)
        if lease is None or not holder_is_dead_here(lease.holder):
            return False
        self.progress(
            f"{name}: taking over the lease of {lease.holder}, which is no longer running"
        )
        self.store.release_lease(name, lease.holder)
        return self.store.acquire_lease(name, self.holder, LEASE_SECONDS)


class LeaseHeartbeat:
    """Renews a request's lease while its holder works, even inside one long upload.

    A live run's lease then never expires, and only a crashed run's does.
    """

    def __init__(self, store: StateStore, name: str, holder: str) -> None:
        self.store, self.name, self.holder = store, name, holder
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease {name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=30)

    def _beat(self) -> None:
        while not self._stopped.wait(LEASE_SECONDS / 4):
            try:
                if not self.store.renew_lease(self.name, self.holder, LEASE_SECONDS):
                    return
            except Exception:  # the store is busy or gone: the main loop will notice
                log.debug("renewing the lease of %s failed", self.name, exc_info=True)


def holder_is_dead_here(holder: str) -> bool:
    """A holder is "host:pid:nonce"; dead if on this host and the process is gone."""
    host, _, rest = holder.partition(":")
    process = rest.partition(":")[0]
    if host != socket.gethostname() or not process.isdigit():
        return False
    try:
        os.kill(int(process), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
