"""Creating and linking the items of an approved request (SPEC 12), before its files go up.

One ``wbeditentity`` per item: a new item with its label, description and
statements, or, for an existing item, only the statements it lacks (its
labels and descriptions are never touched). Writes are paced by
``wikibase.items_per_minute`` (and, like every write, by maxlag and the
wiki's rate limits) and pass the write gate.

No crash makes a second item for a record:

- the journal marks the record ``in_flight`` (with its label and
  description) before the creation is sent, and ``created`` once the answer
  names the item;
- a creation that got no answer is followed by a search for an item with
  exactly that label and description before anything is sent again; a run
  that finds a record in flight does the same first;
- should the search miss it, Wikibase itself refuses a second item with the
  same label and description, naming the first: for a record in flight, that
  is the bot's own item.

Right before creating, the bot looks again (identifier, label and
description, journal); an item that appeared since the preview is not
duplicated: the record waits, and the next preview shows the match for a new
approval.
"""

from __future__ import annotations

import logging

from bots.hub import batch_id, item_summary
from bots.i18n import Message, msg, to_text
from bots.jobs.context import Job
from bots.jobs.item_links import request_reference
from bots.jobs.item_match import find_existing, journal_identifier
from bots.jobs.session import STOP_CHECK_SECONDS
from bots.jobs.upload_file import MustStop
from bots.model import Request
from bots.net.pacing import StopRequested, backoff_delay
from bots.pipeline.item_plan import ItemAction, ItemDecision, ItemPlan
from bots.pipeline.undo_items import added_statements
from bots.statements import EntityDraft, HeldStatement, missing
from bots.store import ItemState, lookup_key
from bots.wiki import (
    AmbiguousWrite,
    Blocked,
    EntityEdited,
    EntityOutcome,
    EntityRefused,
    ReadOnly,
    WikiBusy,
)

log = logging.getLogger(__name__)

# --- the sentences a partner reads (one place) ----------------------------------------
#: Each problem's message key and the names of its parameters, in order.
SAY: dict[str, tuple[str, tuple[str, ...]]] = {
    "ended": ("hubbot-items-write-ended", ("reason",)),
    "lease": ("hubbot-items-write-lease", ()),
    "appeared": ("hubbot-items-write-appeared", ("record", "items")),
    "no_answer": ("hubbot-items-write-no-answer", ("count",)),
    "gone": ("hubbot-items-write-gone", ("item",)),
    "busy": ("hubbot-items-write-busy", ("item",)),
    "conflict": ("hubbot-items-write-conflict", ()),
    "read_only": ("hubbot-items-write-read-only", ("reason",)),
    "blocked": ("hubbot-items-write-blocked", ("reason",)),
    "pacing": ("hubbot-items-write-pacing", ("rate",)),
}


def say(key: str, **values: object) -> Message:
    """The message ``key`` of :data:`SAY`, with its values."""
    name, params = SAY[key]
    return msg(name, *(v if isinstance(v, Message) else str(v) for v in map(values.get, params)))


class ItemBatch:
    """Makes or links the items of one approved request's records."""

    def __init__(self, job: Job, name: str, request: Request, plan: ItemPlan) -> None:
        self.job, self.name, self.request, self.plan = job, name, request, plan
        self.wikibase = job.wikibase
        self.batch = batch_id(name, job.store.request_facts(name).approved)
        self.notes: list[Message] = []
        self._last_write: float | None = None

    def run(self) -> Message | None:
        """Settle every item of the plan; None when all are settled, else why the run ends first.

        Raises :class:`~bots.jobs.upload_file.MustStop` when the Wikibase takes
        no writes (read-only, the bot blocked, no answers).
        """
        gate = self.job.gate
        try:
            self._settle_in_flight()
            for decision in self._todo():
                reason = gate.out_of_budget()
                if reason:
                    return say("ended", reason=reason)
                gate.check_stop_if_older(STOP_CHECK_SECONDS)
                if not gate.keeps_lease(self.name):
                    return say("lease")
                if decision.action is ItemAction.CREATE:
                    self._create(decision)
                else:
                    self._link(decision)
        except StopRequested as e:
            return say("ended", reason=e.reason)
        except WikiBusy as e:
            raise MustStop(msg("hubbot-stop-wiki-busy", e.info)) from None
        return None

    def _todo(self) -> list[ItemDecision]:
        """The decisions that still need a write, the first ``limit`` records for a trial."""
        decisions = list(self.plan.decisions)
        if self.request.limit is not None:
            decisions = decisions[: self.request.limit]
        journal = self.job.store.item_entries(self.name)
        todo = []
        for decision in decisions:
            entry = journal.get(decision.record_id)
            settled = entry is not None and entry.state is not ItemState.IN_FLIGHT
            if decision.writes and not decision.done and not settled:
                todo.append(decision)
        return todo

    # -- creating ---------------------------------------------------------------------
    def _settle_in_flight(self) -> None:
        """Records a crash left in flight: their item exists if its label and description do."""
        for entry in self.job.store.item_entries(self.name).values():
            if entry.state is not ItemState.IN_FLIGHT:
                continue
            found = self.wikibase.items_with_terms(entry.label, entry.description, entry.language)
            if len(found) == 1:
                self.job.store.finish_item(
                    self.name, entry.record_id, ItemState.CREATED, item=found[0]
                )
                self.job.progress(f"{self.name}: record {entry.record_id}: item {found[0]} found")

    def _create(self, decision: ItemDecision) -> None:
        draft, store = decision.draft, self.job.store
        entry = store.item_entry(self.name, decision.record_id)
        in_flight = entry is not None and entry.state is ItemState.IN_FLIGHT
        if not in_flight:
            found = find_existing(self.job, self.request, [draft], fresh=True)[draft.record_id]
            if found.ids:
                self._appeared(decision, found.ids)
                return
        store.begin_item(
            self.name,
            draft.record_id,
            label=draft.label,
            description=draft.description,
            language=self.request.item_language,
            identifier=journal_identifier(self.request, draft),
        )
        outcome = self._send_new(decision, in_flight)
        self._settle_created(decision, outcome, in_flight)

    def _send_new(self, decision: ItemDecision, in_flight: bool) -> EntityOutcome:
        """One creation, sent again only once a search says it did not arrive."""
        draft, policy = decision.draft, self.wikibase.pacer.policy
        summary = self._summary("new item", decision.record_id)
        for attempt in range(1, policy.retries + 2):
            self._pace()
            try:
                outcome = self.wikibase.edit_entity(draft.entity, summary, new="item")
            except AmbiguousWrite as e:
                in_flight = True  # it may have arrived: look before sending again
                language = self.request.item_language
                found = self.wikibase.items_with_terms(draft.label, draft.description, language)
                if found:
                    return EntityEdited(id=found[0], revid=0)
                delay = backoff_delay(
                    attempt, e.retry_after, base=policy.backoff, cap=policy.max_wait
                )
                self.wikibase.pacer.wait(
                    delay, "retry-after", f"a creation got no answer ({e.info})"
                )
                continue
            if isinstance(outcome, EntityRefused) and outcome.existing and in_flight:
                return EntityEdited(id=outcome.existing, revid=0)  # the lost answer's item
            return outcome
        raise MustStop(say("no_answer", count=policy.retries + 1))

    def _settle_created(
        self, decision: ItemDecision, outcome: EntityOutcome, in_flight: bool
    ) -> None:
        store, record_id = self.job.store, decision.record_id
        if isinstance(outcome, EntityEdited):
            store.finish_item(self.name, record_id, ItemState.CREATED, item=outcome.id)
            self._keep_added(decision, outcome, (), decision.draft.entity)
            self._remember(decision, outcome.id)
            self.job.progress(f"{self.name}: record {record_id}: created item {outcome.id}")
            return
        store.forget_item(self.name, record_id)  # nothing was made
        if isinstance(outcome, ReadOnly):
            raise MustStop(say("read_only", reason=outcome.reason), read_only=True)
        if isinstance(outcome, Blocked):
            raise MustStop(say("blocked", reason=outcome.reason), fatal=True)
        if isinstance(outcome, EntityRefused) and outcome.existing:
            # another item has these terms now: the next preview finds it by them
            api = self.job.config.wikibase.api or self.job.config.wiki.api
            draft = decision.draft
            key = lookup_key(
                "terms", api, self.request.item_language, draft.label, draft.description
            )
            self.job.store.remember(key, [outcome.existing])
            self._appeared(decision, (outcome.existing,))
            return
        reason = outcome.reason if isinstance(outcome, EntityRefused) else say("conflict")
        store.finish_item(
            self.name,
            record_id,
            ItemState.FAILED,
            reason=_journal_text(reason),
            label=decision.draft.label,
            description=decision.draft.description,
            language=self.request.item_language,
        )
        self.job.progress(f"{self.name}: record {record_id}: no item: {reason}")

    def _appeared(self, decision: ItemDecision, items: tuple[str, ...]) -> None:
        """An item found only now (the look-up remembers it: the next preview shows the match)."""
        note = say("appeared", record=decision.record_id, items=", ".join(items))
        self.notes.append(note)
        self.job.progress(f"{self.name}: {note}")

    def _remember(self, decision: ItemDecision, item: str) -> None:
        """The new item answers the look-ups of its terms and identifier from now on."""
        api = self.job.config.wikibase.api or self.job.config.wiki.api
        draft, spec = decision.draft, self.request.items
        self.job.store.remember(
            lookup_key("terms", api, self.request.item_language, draft.label, draft.description),
            [item],
        )
        if spec is not None and spec.match and draft.identifier is not None:
            key = lookup_key(
                "identifier", api, spec.match, repr(draft.identifier), self.request.collection
            )
            self.job.store.remember(key, [item])
        self.job.wikibase_reader.remember_item(
            item, [(s.property, s.snak.value) for s in draft.entity.statements]
        )

    # -- linking ----------------------------------------------------------------------
    def _link(self, decision: ItemDecision) -> None:
        """An existing item: add the statements it lacks, nothing else.

        Someone editing the item meanwhile (a conflict) makes the bot read it
        again; an item that keeps changing is left to the next run.
        """
        item, record_id = decision.item, decision.record_id
        for _attempt in range(3):
            state = self.job.wikibase_reader.entities([item], fresh=True).get(item)
            if state is None or not state.exists:
                return self._failed(decision, say("gone", item=item))
            add = EntityDraft(statements=missing(decision.draft.entity, state).statements)
            if add.empty:
                return self._linked(decision)
            self._pace()
            try:
                outcome = self.wikibase.edit_entity(
                    add,
                    self._summary("statements", record_id),
                    entity=item,
                    base_revid=state.revid,
                )
            except AmbiguousWrite:
                continue  # read it again: what arrived is no longer missing
            if isinstance(outcome, ReadOnly):
                raise MustStop(say("read_only", reason=outcome.reason), read_only=True)
            if isinstance(outcome, Blocked):
                raise MustStop(say("blocked", reason=outcome.reason), fatal=True)
            if isinstance(outcome, EntityRefused):
                return self._failed(decision, outcome.reason)
            if isinstance(outcome, EntityEdited):
                self._keep_added(decision, outcome, state.statements, add)
                return self._linked(decision)
            if outcome.saved:
                return self._linked(decision)
        self.job.progress(f"{self.name}: record {record_id}: {say('busy', item=item)}")
        return None

    def _keep_added(
        self,
        decision: ItemDecision,
        outcome: EntityEdited,
        before: tuple[HeldStatement, ...],
        sent: EntityDraft,
    ) -> None:
        """Journal the statements this edit added, by their ids, for an undo (SPEC 13)."""
        if not outcome.revid:
            return  # a creation whose answer was lost: its statements are not known as the bot's
        added = added_statements(before, outcome.statements, [s.key() for s in sent.statements])
        item = outcome.id or decision.item
        self.job.store.keep_item_claims(self.name, decision.record_id, item, outcome.revid, added)

    def _linked(self, decision: ItemDecision) -> None:
        self.job.store.finish_item(
            self.name,
            decision.record_id,
            ItemState.MATCHED,
            item=decision.item,
            label=decision.draft.label,
            description=decision.draft.description,
            language=self.request.item_language,
            identifier=journal_identifier(self.request, decision.draft),
        )
        self.job.progress(f"{self.name}: record {decision.record_id}: linked to {decision.item}")

    def _failed(self, decision: ItemDecision, reason: str | Message) -> None:
        self.job.store.finish_item(
            self.name, decision.record_id, ItemState.FAILED, reason=_journal_text(reason)
        )
        self.job.progress(f"{self.name}: record {decision.record_id}: no item: {reason}")

    # -- pacing and summaries ----------------------------------------------------------------
    def _pace(self) -> None:
        """At most ``wikibase.items_per_minute`` item writes a minute."""
        rate = self.job.config.wikibase.items_per_minute
        pacer = self.wikibase.pacer
        now = pacer.clock()
        if rate > 0 and self._last_write is not None:
            left = self._last_write + 60.0 / rate - now
            if left > 0:
                pacer.wait(left, "pacing", str(say("pacing", rate=rate)))
        self._last_write = pacer.clock()

    def _summary(self, what: str, record_id: str) -> str:
        return item_summary(what, request_reference(self.job, self.name), record_id, self.batch)


def _journal_text(reason: str | Message) -> str:
    """A reason as the journal keeps it: a message as its JSON, the Wikibase's words as they are."""
    return to_text(reason) if isinstance(reason, Message) else reason
