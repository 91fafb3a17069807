"""Files and items linked both ways after an upload (SPEC 12).

The file gets digital representation of (P6243) = the record's item on its
structured data (MediaInfo), and the item gets image (P18) = the file when it
has no image yet and the Wikibase takes file names (a ``commonsMedia``
property; Wikidata has one, the dev wiki cannot: its checks would ask
Commons).

Items are settled before their files go up, so a file's P6243 is normally
one of the statements of its own structured-data edit (SPEC 11,
:mod:`bots.jobs.structured_edit`): once the journal says that edit was
written, the link is there and costs nothing more. Only a file whose
structured data was written without the link (its item was created or
matched later) gets the statement with an edit of its own. Both that edit and
the image are idempotent: the entity is read first and only what is missing
is sent, so a run that died between upload and link simply links on the next
run (:meth:`ItemLinks.catch_up`).
"""

from __future__ import annotations

import logging

from bots.hub import batch_id, item_summary
from bots.i18n import Message
from bots.jobs.context import Job
from bots.jobs.item_pages import say as page_say
from bots.model import Request
from bots.pipeline.item_plan import ItemPlan
from bots.pipeline.undo_items import added_statements
from bots.statements import (
    EntityDraft,
    ItemValue,
    Snak,
    Statement,
    StringValue,
    missing,
)
from bots.store import DataState, ItemEntry, ItemState, Outcome
from bots.wiki import AmbiguousWrite, EntityEdited, EntityOutcome, Wiki, WikiError

log = logging.getLogger(__name__)

#: How often an edit of one entity is read and tried again (conflicts, lost answers).
ATTEMPTS = 3


def write_digital_representation(
    wiki: Wiki, file_title: str, item: str, prop: str, summary: str
) -> EntityOutcome | None:
    """P6243 (``prop``) = ``item`` on a file's MediaInfo, with a ``wbeditentity`` of its own.

    Only for a file whose own structured-data edit did not carry the link
    (see the module's note). None: the file has the statement already.
    """
    draft = EntityDraft(statements=(Statement(Snak(prop, ItemValue(item), "wikibase-item")),))
    outcome: EntityOutcome | None = None
    for _attempt in range(ATTEMPTS):
        state = wiki.entities_of_files([file_title])[file_title]
        add = missing(draft, state) if state.exists else draft
        if add.empty:
            return outcome
        try:
            outcome = wiki.edit_entity(
                add, summary, file_title=file_title, base_revid=state.revid if state.exists else 0
            )
        except AmbiguousWrite:
            continue  # read again: it may have arrived
        if not outcome.read_again:
            return outcome
    return outcome


def add_image(
    wikibase: Wiki,
    item: str,
    file_name: str,
    prop: str,
    references: tuple[tuple[Snak, ...], ...],
    summary: str,
) -> EntityOutcome | None:
    """image (``prop``) = ``file_name`` on an item that has no image yet; None when it has one."""
    statement = Statement(Snak(prop, StringValue(file_name), "commonsMedia"), (), references)
    outcome: EntityOutcome | None = None
    for _attempt in range(ATTEMPTS):
        state = wikibase.entities([item])[item]
        if not state.exists or any(h.property == prop for h in state.statements):
            return outcome
        try:
            outcome = wikibase.edit_entity(
                EntityDraft(statements=(statement,)), summary, entity=item, base_revid=state.revid
            )
        except AmbiguousWrite:
            continue
        if not outcome.read_again:
            return outcome
    return outcome


class ItemLinks:
    """Links the files and items of one request, record by record."""

    def __init__(
        self,
        job: Job,
        name: str,
        request: Request,
        references: dict[str, tuple[tuple[Snak, ...], ...]],
        *,
        files: bool,
    ) -> None:
        """``files``: whether this run writes structured data on files (SPEC 11)."""
        self.job, self.name, self.request = job, name, request
        wikibase = job.config.wikibase
        self.link_prop = wikibase.property("digital_representation_of")
        self.image_prop = wikibase.property("image")
        #: the reference of each record's statements, for the image statement
        self.references = references
        self.batch = batch_id(name, job.store.request_facts(name).approved)
        datatypes = job.wikibase_reader.datatypes([self.image_prop])
        self.images = datatypes.get(self.image_prop) == "commonsMedia"
        self.files = files
        #: what the status page says about the links (what the wikis cannot hold)
        self.notes: tuple[Message, ...] = (
            *(() if self.images else (page_say("no_image", prop=self.image_prop),)),
            *(() if self.files else (page_say("no_file_data", prop=self.link_prop),)),
        )

    def after_upload(self, record_id: str, file_title: str) -> None:
        """Link one uploaded file and its record's item (when the record has one)."""
        entry = self.job.store.item_entry(self.name, record_id)
        if entry is None or entry.state not in (ItemState.CREATED, ItemState.MATCHED):
            return
        try:
            self._link(entry, file_title)
        except WikiError as e:  # the next run links it (catch_up)
            self.job.progress(f"{self.name}: record {record_id}: not linked to its item: {e.info}")

    def catch_up(self) -> None:
        """Link what an earlier run uploaded but did not link (it ended or died in between)."""
        store = self.job.store
        waiting = {
            e.record_id
            for e in store.item_entries(self.name).values()
            if e.state in (ItemState.CREATED, ItemState.MATCHED)
            and not ((e.file_linked or not self.files) and e.image_done)
        }
        if not waiting:
            return
        for record in store.all(self.name):
            if record.record_id in waiting and record.outcome is Outcome.UPLOADED and record.title:
                self.after_upload(record.record_id, f"File:{record.title}")

    def _in_file_data(self, entry: ItemEntry) -> bool | None:
        """Whether the file's own structured data carries its link: True once written,
        None while that edit waits (the next run writes it), False when it does not."""
        state = self.job.store.structured_of(self.name, [entry.record_id]).get(entry.record_id)
        link = Statement(Snak(self.link_prop, ItemValue(entry.item), "wikibase-item"))
        carries = state is not None and any(s.key() == link.key() for s in state.draft.statements)
        if state is None or not carries or state.state is DataState.FAILED:
            return False
        return True if state.state is DataState.DONE else None

    def _link(self, entry: ItemEntry, file_title: str) -> None:
        store, record_id = self.job.store, entry.record_id
        if not entry.file_linked and self.files:
            self._link_file(entry, file_title)
        if entry.image_done:
            return
        if not self.images:
            store.mark_item(self.name, record_id, image_done=True)
            return
        name = file_title.split(":", 1)[-1]
        outcome = add_image(
            self.job.wikibase,
            entry.item,
            name,
            self.image_prop,
            self.references.get(record_id, ()),
            self._summary("image", record_id),
        )
        if isinstance(outcome, EntityEdited) and outcome.revid:
            key = (self.image_prop, repr(StringValue(name)))
            added = added_statements((), outcome.statements, [key])
            store.keep_item_claims(self.name, record_id, entry.item, outcome.revid, added)
        if outcome is None or isinstance(outcome, EntityEdited):
            store.mark_item(self.name, record_id, image_done=True)
        else:
            self.job.progress(
                f"{self.name}: record {record_id}: no image on the item: {_why(outcome)}"
            )

    def _link_file(self, entry: ItemEntry, file_title: str) -> None:
        """P6243 on the file: known from its structured data, else an edit of its own."""
        store, record_id = self.job.store, entry.record_id
        carried = self._in_file_data(entry)
        if carried is None:
            return  # its structured-data edit waits for the next run, which links it
        if carried:
            store.mark_item(self.name, record_id, file_linked=True)
            return
        summary = self._summary("digital representation of its item", record_id, local=True)
        outcome = write_digital_representation(
            self.job.wiki, file_title, entry.item, self.link_prop, summary
        )
        if outcome is None or isinstance(outcome, EntityEdited):
            store.mark_item(self.name, record_id, file_linked=True)
        else:
            self.job.progress(f"{self.name}: record {record_id}: file not linked: {_why(outcome)}")

    def _summary(self, what: str, record_id: str, *, local: bool = False) -> str:
        """``local``: the edit is on the wiki itself (a file), where the request can be linked."""
        request = (
            f"[[{self.job.hub.request(self.name)}|{self.name}]]"
            if local
            else request_reference(self.job, self.name)
        )
        return item_summary(what, request, record_id, self.batch)


def _why(outcome: EntityOutcome) -> str:
    """Why an entity edit did not happen, in words."""
    return str(getattr(outcome, "reason", "") or "someone edited the entity meanwhile")


def references(plan: ItemPlan) -> dict[str, tuple[tuple[Snak, ...], ...]]:
    """The reference of each record's statements (they all carry the same one)."""
    out: dict[str, tuple[tuple[Snak, ...], ...]] = {}
    for decision in plan.decisions:
        first = next((s for s in decision.draft.entity.statements if s.references), None)
        if first is not None:
            out[decision.record_id] = first.references
    return out


def request_reference(job: Job, name: str) -> str:
    """The request as an edit summary on the Wikibase names it: a link where it is the wiki."""
    if job.wikibase is job.wiki:
        return f"[[{job.hub.request(name)}|{name}]]"
    return name
