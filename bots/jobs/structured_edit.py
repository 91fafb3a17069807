"""Writing each uploaded file's structured data: one ``wbeditentity`` per file (SPEC 11).

Before a file's upload is sent, the journal keeps its draft as pending
(:meth:`StructuredWriter.begin`). Right after the upload, one
``wbeditentity`` on the new file's MediaInfo (by its title, so no read is
needed: nobody else has had time to add anything) carries every caption and
statement; the journal then keeps what was written. A file whose upload did
not happen, or whose bytes were already on the wiki under someone else's
file, gets nothing: the bot never adds structured data to files it did not
upload.

Batch edits (SPEC 13) use the same writer for files already on the wiki:
the journal keeps the draft as pending before the page is edited, the
entity is read (50 files a request) and only what is missing is sent; each
send is journalled before it goes (:meth:`bots.store.StateStore.file_send_begin`)
and what it added (statement ids, captions) once answered, so that an undo
takes back exactly that.

A file left pending (the run died or ended between the upload and the edit,
the wiki did not answer, or refused for the moment) is finished by the next
run before it uploads more: the entity is read (50 files a request) and only
what is missing is sent, so nothing is ever there twice and nothing anyone
else wrote is changed.

Every answer has an outcome here: saved; an edit conflict (read again, send
what is still missing); a refusal for the moment (pending, tried by later
runs, failed after :data:`MAX_ATTEMPTS`); a refusal of the data (failed, with
the Wikibase's reason on the status page); a refusal of the account (the run
stops, as for uploads); read-only (wait as for uploads, else the run ends);
no answer (read, then send what is missing); maxlag and rate limits are
waited out by the write loop itself (:meth:`bots.wiki.writes.Writes.post`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bots.hub import batch_id, structured_summary
from bots.i18n import Message, msg, to_text
from bots.jobs.context import Job
from bots.jobs.session import STOP_CHECK_SECONDS, Stopped
from bots.jobs.upload_file import MustStop, Result
from bots.model import PlannedFile
from bots.net.pacing import StopRequested, backoff_delay
from bots.pipeline.undo_files import captions_added
from bots.pipeline.undo_items import added_statements
from bots.statements import EntityDraft, EntityState, missing
from bots.store import DataState, Outcome, StructuredState
from bots.wiki import (
    AmbiguousWrite,
    Blocked,
    EntityConflict,
    EntityEdited,
    EntityOutcome,
    EntityRefused,
    ReadOnly,
    Wiki,
    WikiBusy,
)

log = logging.getLogger(__name__)

#: Files whose entities one read asks for (the API's limit for a bot is 500, for others 50).
BATCH = 50
#: How often one file's edit may meet a conflict or no answer in one run.
TRIES = 3
#: Runs that may meet a refusal "for the moment" before the file's structured data fails.
MAX_ATTEMPTS = 5

#: Each problem's message key and the names of its parameters, in order.
MESSAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "gave_up": ("hubbot-sdc-write-gave-up", ("attempts", "reason")),
    "no_answer": ("hubbot-sdc-write-no-answer", ("title", "info")),
    "busy": ("hubbot-sdc-write-busy", ("info",)),
    "blocked": ("hubbot-sdc-write-blocked", ("user", "reason")),
    "read_only": ("hubbot-sdc-write-read-only", ("reason",)),
    "kept_changing": ("hubbot-sdc-write-kept-changing", ("title",)),
}


def words(key: str, **values: object) -> Message:
    """The message ``key`` of :data:`MESSAGES`, with its values."""
    name, params = MESSAGES[key]
    return msg(name, *(v if isinstance(v, Message) else str(v) for v in map(values.get, params)))


class StructuredWriter:
    """The structured data of one request's uploads in one run."""

    def __init__(
        self,
        job: Job,
        name: str,
        *,
        on: bool = True,
        outcomes: frozenset[Outcome] = frozenset({Outcome.UPLOADED}),
        journal: bool = False,
    ) -> None:
        #: False when this run writes no structured data (switched off, or no MediaInfo):
        #: files an earlier run left pending then wait until it is on again
        self.job, self.name, self.on = job, name, on
        #: the record outcomes whose file is there to get its structured data
        self.outcomes = outcomes
        #: journal what each edit added, for undo (batch edits: the files are not the bot's)
        self.journal = journal
        #: the request's batch under its approval, for EditGroups (with its items' edits)
        self.batch = batch_id(name, job.store.request_facts(name).approved or "")

    @property
    def wiki(self) -> Wiki:
        return self.job.wiki

    # -- around each upload -----------------------------------------------------------
    def begin(self, planned: PlannedFile) -> None:
        """Before the upload: the journal keeps the file's draft as pending (committed)."""
        if planned.structured is not None:
            self.job.store.structured_begin(self.name, planned.record_id, planned.structured)

    def after_upload(self, planned: PlannedFile, result: Result) -> None:
        """After the upload: the new file's one edit; nothing for a file that is not ours."""
        if planned.structured is None:
            return
        if result.outcome is Outcome.UPLOADED:
            self._write(planned.record_id, result.title, planned.structured, fresh=True)
        elif result.outcome in (Outcome.DUPLICATE, Outcome.FAILED):
            self.job.store.structured_drop(self.name, planned.record_id)

    # -- what earlier runs left ---------------------------------------------------------
    def pending(self) -> int:
        if not self.on:
            return 0
        return self.job.store.structured_counts(self.name)[DataState.PENDING]

    def finish_pending(self) -> int:
        """Finish every file an earlier run uploaded without its structured data; how many."""
        store = self.job.store
        rows = store.structured_states(self.name, DataState.PENDING) if self.on else []
        if not rows:
            return 0
        records = {r.record_id: store.get(self.name, r.record_id) for r in rows}
        uploaded: list[tuple[StructuredState, str]] = []
        for row in rows:
            record = records[row.record_id]
            if record is None or record.outcome in (Outcome.DUPLICATE, Outcome.FAILED):
                store.structured_drop(self.name, row.record_id)
            elif record.outcome in self.outcomes and record.title:
                uploaded.append((row, record.title))
            # pending or in flight: its upload is not settled; the upload loop finishes it
        done = 0
        for start in range(0, len(uploaded), BATCH):
            batch = uploaded[start : start + BATCH]
            titles = [f"File:{title}" for _row, title in batch]
            entities = self.wiki.entities_of_files(titles, self._languages(batch))
            for (row, title), full in zip(batch, titles, strict=True):
                if self.job.gate.out_of_budget():
                    return done  # the rest waits for the next run; the upload loop says why
                self.job.gate.check_stop_if_older(STOP_CHECK_SECONDS)
                done += self._write(row.record_id, title, row.draft, now=entities[full])
        return done

    @staticmethod
    def _languages(batch: Sequence[tuple[StructuredState, str]]) -> list[str]:
        return sorted({lang for row, _ in batch for lang in row.draft.labels}) or ["en"]

    # -- one file -------------------------------------------------------------------------
    def add_to(self, record_id: str, title: str, draft: EntityDraft, now: EntityState) -> bool:
        """A file already on the wiki (a batch edit): send what its entity ``now`` lacks."""
        return self._write(record_id, title, draft, now=now)

    def _write(
        self,
        record_id: str,
        title: str,
        draft: EntityDraft,
        *,
        fresh: bool = False,
        now: EntityState | None = None,
    ) -> bool:
        """Send what the file's entity lacks of ``draft``; True once it holds all of it.

        ``fresh``: the file was uploaded just now by this run, so nothing can
        be there yet and nothing is read. Otherwise ``now`` is the entity as
        read (it is read again after a conflict or an unanswered edit).
        """
        store, full = self.job.store, f"File:{title}"
        summary = structured_summary(
            self.job.hub.request(self.name), self.name, record_id, self.batch
        )
        for attempt in range(1, TRIES + 1):
            if not fresh or attempt > 1:
                now = now if now is not None else self._read(full, draft)
                self._recover(record_id, title, now)
                send = missing(draft, now)
                base = now.revid if now.exists else 0
            else:
                send, base = draft, 0
            if send.empty:
                store.structured_settle(
                    self.name,
                    record_id,
                    DataState.DONE,
                    title=title,
                    draft=draft,
                    entity=now.id if now is not None else "",
                )
                return True
            outcome = self._send(record_id, title, send, summary, base)
            self._journal(record_id, title, send, now, outcome)
            if isinstance(outcome, AmbiguousWrite | EntityConflict):
                now = None  # read again and send what is still missing
                asked = outcome.retry_after if isinstance(outcome, AmbiguousWrite) else None
                self._pause(record_id, title, attempt, asked)
                continue
            return self._settled(record_id, title, draft, outcome)
        store.structured_settle(
            self.name,
            record_id,
            DataState.PENDING,
            title=title,
            reason=to_text(words("kept_changing", title=title)),
            attempt=True,
        )
        return False

    def _journal(
        self,
        record_id: str,
        title: str,
        send: EntityDraft,
        before: EntityState | None,
        outcome: EntityOutcome | AmbiguousWrite,
    ) -> None:
        """What an answered edit added, for undo (batch edits); an unanswered one waits
        for the next read (:meth:`_recover`)."""
        if not self.journal or isinstance(outcome, AmbiguousWrite):
            return
        store = self.job.store
        if not isinstance(outcome, EntityEdited):
            store.file_send_forget(self.name, record_id)  # nothing was written
            return
        had = before.statements if before is not None else ()
        added = added_statements(had, outcome.statements, [s.key() for s in send.statements])
        store.keep_file_claims(
            self.name, record_id, title, outcome.id, outcome.revid, added, send.labels
        )

    def _recover(self, record_id: str, title: str, now: EntityState) -> None:
        """An edit a crash or a lost answer left unjournalled: what it sent that the entity
        holds now is the bot's (it sent only what was missing)."""
        if not self.journal:
            return
        store = self.job.store
        sent = store.file_send(self.name, record_id)
        if sent is None:
            return
        if not now.exists:
            store.file_send_forget(self.name, record_id)
            return
        keys = {s.key() for s in sent.statements}
        added = [h for h in now.statements if h.id and h.key() in keys]
        captions = captions_added(sent.labels, now.labels)
        store.keep_file_claims(self.name, record_id, title, now.id, now.revid, added, captions)

    def _read(self, full: str, draft: EntityDraft) -> EntityState:
        return self.wiki.entities_of_files([full], sorted(draft.labels) or ["en"])[full]

    def _send(
        self, record_id: str, title: str, send: EntityDraft, summary: str, base: int
    ) -> EntityOutcome | AmbiguousWrite:
        """One wbeditentity; the :class:`AmbiguousWrite` when it got no answer (the entity is
        then read before anything is sent again)."""
        if self.journal:
            self.job.store.file_send_begin(self.name, record_id, title, send)
        try:
            return self.wiki.edit_entity(send, summary, file_title=f"File:{title}", base_revid=base)
        except AmbiguousWrite as e:
            log.info(str(words("no_answer", title=title, info=e.info)))
            return e
        except WikiBusy as e:
            raise self._leave(record_id, title, words("busy", info=e.info)) from None
        except StopRequested as e:
            raise self._leave(record_id, title, e.reason) from None
        except Stopped as e:
            self._leave(record_id, title, e.message)
            raise

    def _pause(self, record_id: str, title: str, attempt: int, asked: float | None) -> None:
        """Wait before reading the entity again (as long as the wiki asked, if it did)."""
        policy = self.wiki.pacer.policy
        delay = backoff_delay(attempt, asked, base=policy.backoff, cap=policy.max_wait)
        try:
            self.wiki.pacer.wait(delay, "retry-after", f"File:{title}'s structured data: again")
        except StopRequested as e:
            raise self._leave(record_id, title, e.reason) from None

    def _settled(
        self, record_id: str, title: str, draft: EntityDraft, outcome: EntityOutcome
    ) -> bool:
        """The journal after an answered edit; raises :class:`MustStop` when the run must end."""
        store = self.job.store
        if isinstance(outcome, EntityEdited):
            store.structured_settle(
                self.name, record_id, DataState.DONE, title=title, draft=draft, entity=outcome.id
            )
            return True
        if isinstance(outcome, ReadOnly):
            try:
                writable = self.wiki.wait_while_read_only(outcome.reason)
            except StopRequested as e:
                raise self._leave(record_id, title, e.reason, read_only=True) from None
            if writable:
                return self._write(record_id, title, draft)
            reason = words("read_only", reason=outcome.reason)
            raise self._leave(record_id, title, reason, read_only=True)
        if isinstance(outcome, Blocked):
            reason = words("blocked", user=self.wiki.username, reason=outcome.reason)
            raise self._leave(record_id, title, reason, fatal=True)
        if isinstance(outcome, EntityRefused):
            return self._refused(record_id, title, outcome)
        raise AssertionError(f"unknown entity outcome {outcome!r}")  # pragma: no cover

    def _refused(self, record_id: str, title: str, outcome: EntityRefused) -> bool:
        store = self.job.store
        if outcome.whole_run:
            raise self._leave(record_id, title, outcome.reason, fatal=True)
        attempts = store.structured_of(self.name, [record_id])[record_id].attempts + 1
        if outcome.retry and attempts < MAX_ATTEMPTS:
            store.structured_settle(
                self.name,
                record_id,
                DataState.PENDING,
                title=title,
                reason=to_text(outcome.reason),
                attempt=True,
            )
            return False
        reason = outcome.reason
        if outcome.retry:
            reason = words("gave_up", attempts=str(attempts), reason=outcome.reason)
        store.structured_settle(
            self.name,
            record_id,
            DataState.FAILED,
            title=title,
            reason=to_text(reason),
            attempt=True,
        )
        return False

    def _leave(self, record_id: str, title: str, reason: Message, **stop: bool) -> MustStop:
        """The file stays pending for the next run; the run ends (``stop`` as for uploads)."""
        self.job.store.structured_settle(
            self.name, record_id, DataState.PENDING, title=title, reason=to_text(reason)
        )
        return MustStop(reason, **stop)
