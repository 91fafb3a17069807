"""Each record's item before anything is written: drafts, and existing items looked for (SPEC 12).

Where the bot looks, in order, for a record the journal has not linked yet:

1. by the identifier (``item_match``, with its ``collection`` qualifier when
   the request sets one): CirrusSearch's ``haswbstatement`` where the
   Wikibase has it, otherwise the Wikibase's items read one by one up to
   ``wikibase.scan_limit`` (:class:`bots.jobs.wikibase_reader.WikibaseReader`);
2. by exact label and description in the request's language;
3. in the bot's own journal: an item it created or linked, in any request,
   with that identifier or those terms.

A record the journal already links to an item keeps it without a search.
Answers are kept in the store for ``wikibase.lookup_max_age`` hours, so a
request that waits for its approval does not ask again at every run; right
before it creates an item the bot asks again (:mod:`bots.jobs.items`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from bots.i18n import Message, msg
from bots.jobs.context import Job
from bots.model import MappingTable, Problem, Request
from bots.pipeline.item_drafts import (
    ItemContext,
    ItemDraft,
    ItemRoles,
    build_item,
    repeated_terms,
)
from bots.pipeline.item_plan import Found, ItemAction, ItemDecision, ItemPlan, decide
from bots.pipeline.patterns import placeholders
from bots.pipeline.request_checks import missing_column_message
from bots.pipeline.request_items import check_item_request, item_columns
from bots.sources import SourceData
from bots.statements import ItemValue, Value
from bots.store import ItemState, identifier_key, lookup_key, terms_key
from bots.wiki import WikiError, WikiUnavailable

# --- the sentences a partner reads (one place) ----------------------------------------
#: Each problem's message key and the names of its parameters, in order.
SAY: dict[str, tuple[str, tuple[str, ...]]] = {
    "scan": ("hubbot-items-item-match-scan", ("limit", "prop")),
    "no_wikibase": ("hubbot-items-item-match-no-wikibase", ("api", "info")),
}


def say(key: str, **values: object) -> Message:
    """The message ``key`` of :data:`SAY`, with its values."""
    name, params = SAY[key]
    return msg(name, *(str(values[p]) for p in params))


def roles(job: Job) -> ItemRoles:
    wikibase = job.config.wikibase
    return ItemRoles(
        instance_of=wikibase.property("instance_of"),
        collection=wikibase.property("collection"),
        reference_url=wikibase.property("reference_url"),
        retrieved=wikibase.property("retrieved"),
    )


def check_items(job: Job, request: Request, columns: Sequence[str]) -> list[Problem]:
    """The request's item parameters against the source's columns and the Wikibase."""
    spec = request.items
    if spec is None:
        return []
    problems = [
        Problem(param, missing_column_message(column, list(columns)))
        for param, column in dict.fromkeys(item_columns(request, placeholders))
        if column not in columns
    ]
    wanted = {s.property for s in spec.statements} | ({spec.match} if spec.match else set())
    try:
        datatypes = job.wikibase_reader.datatypes(sorted(wanted))
    except WikiError as e:
        if isinstance(e, WikiUnavailable):
            raise  # every request would fail the same way
        api = job.config.wikibase.api or job.config.wiki.api
        return [*problems, Problem("items", say("no_wikibase", api=api, info=e.info))]
    return problems + check_item_request(request, datatypes, roles(job).instance_of)


def item_context(job: Job, request: Request) -> ItemContext:
    spec = request.items
    if spec is None:
        raise ValueError("the request asks for no items")
    job.wikibase_reader.speak(request.item_language)
    wanted = {s.property for s in spec.statements}
    return ItemContext(
        spec=spec,
        source_url=request.fields.get("source", ""),
        datatypes=job.wikibase_reader.datatypes(sorted(wanted)),
        retrieved=datetime.now(UTC).date(),
        language=request.item_language,
        collection=request.collection,
        split=request.split,
        roles=roles(job),
    )


def plan_items(
    job: Job,
    name: str,
    request: Request,
    source: SourceData,
    tables: dict[str, MappingTable],
    planned: set[str],
) -> ItemPlan:
    """The item of every record that has a file to upload, and what becomes of it."""
    ctx = item_context(job, request)
    drafts: list[ItemDraft] = []
    seen: set[str] = set()
    for record in source.records():
        record_id = (record.get(request.id_column) or "").strip()
        if record_id in planned and record_id not in seen:
            seen.add(record_id)
            drafts.append(build_item(record_id, record, tables, ctx))
    return decide_items(job, name, request, repeated_terms(drafts))


def decide_items(job: Job, name: str, request: Request, drafts: Sequence[ItemDraft]) -> ItemPlan:
    """Decisions for the drafts: from the journal where it knows, else from a look-up."""
    spec = request.items
    if spec is None:
        raise ValueError("the request asks for no items")
    journal = job.store.item_entries(name)
    decisions: dict[str, ItemDecision] = {}
    to_find: list[ItemDraft] = []
    for draft in drafts:
        entry = journal.get(draft.record_id)
        if not draft.ok:
            decisions[draft.record_id] = decide(draft, spec.creates, Found())
        elif entry is not None and entry.state in (ItemState.CREATED, ItemState.MATCHED):
            action = ItemAction.CREATE if entry.state is ItemState.CREATED else ItemAction.MATCH
            decisions[draft.record_id] = ItemDecision(
                draft, action, item=entry.item, how="journal", done=True
            )
        elif entry is not None and entry.state is ItemState.IN_FLIGHT:
            decisions[draft.record_id] = ItemDecision(draft, ItemAction.CREATE)
        else:
            to_find.append(draft)
    found = find_existing(job, request, to_find)
    for draft in to_find:
        decisions[draft.record_id] = decide(draft, spec.creates, found[draft.record_id])
    notes = []
    reader = job.wikibase_reader
    if spec.match and not reader.complete_index:
        notes.append(say("scan", limit=reader.scan_limit, prop=spec.match))
    ordered = tuple(decisions[d.record_id] for d in drafts)
    return ItemPlan(ordered, tuple(notes))


def find_existing(
    job: Job, request: Request, drafts: Sequence[ItemDraft], *, fresh: bool = False
) -> dict[str, Found]:
    """What each draft matches: identifier, then label and description, then the journal.

    ``fresh``: ask the Wikibase now instead of using answers kept in the store.
    """
    found: dict[str, Found] = {}
    by_identifier = _by_identifier(job, request, drafts, fresh=fresh)
    rest = []
    for draft in drafts:
        ids = by_identifier.get(draft.record_id, [])
        if ids:
            found[draft.record_id] = Found(tuple(ids), "identifier")
        else:
            rest.append(draft)
    by_terms = _by_terms(job, request, rest, fresh=fresh)
    unknown = []
    for draft in rest:
        ids = by_terms.get(draft.record_id, [])
        if ids:
            found[draft.record_id] = Found(tuple(ids), "label")
        else:
            unknown.append(draft)
    keys = {d.record_id: _journal_keys(request, d) for d in unknown}
    ours = job.store.items_with_keys(k for pair in keys.values() for k in pair)
    for draft in unknown:
        ids = [i for key in keys[draft.record_id] for i in ours.get(key, [])]
        found[draft.record_id] = Found(tuple(dict.fromkeys(ids)), "journal" if ids else "")
    return found


def _journal_keys(request: Request, draft: ItemDraft) -> tuple[str, str]:
    language = request.item_language
    terms = terms_key(language, draft.label, draft.description)
    return terms, journal_identifier(request, draft)


def journal_identifier(request: Request, draft: ItemDraft) -> str:
    """The journal's key of a draft's identifier ("" when it has none)."""
    spec = request.items
    if spec is None or not spec.match or draft.identifier is None:
        return ""
    return identifier_key(spec.match, repr(draft.identifier), request.collection)


def _api(job: Job) -> str:
    return job.config.wikibase.api or job.config.wiki.api


def _kept(job: Job, keys: Iterable[str], fresh: bool) -> dict[str, object]:
    if fresh:
        return {}
    age = timedelta(hours=job.config.wikibase.lookup_max_age)
    return job.store.recall(list(dict.fromkeys(keys)), age)


def _by_identifier(
    job: Job, request: Request, drafts: Sequence[ItemDraft], *, fresh: bool
) -> dict[str, list[str]]:
    spec = request.items
    if spec is None or not spec.match:
        return {}
    api, collection = _api(job), request.collection
    keys = {
        d.record_id: lookup_key("identifier", api, spec.match, repr(d.identifier), collection)
        for d in drafts
        if d.identifier is not None
    }
    kept = _kept(job, keys.values(), fresh)
    out: dict[str, list[str]] = {}
    for draft in drafts:
        key = keys.get(draft.record_id)
        if key is None or draft.identifier is None:
            continue
        answer = kept.get(key)
        if answer is None:
            answer = holders(job, spec.match, draft.identifier, collection, fresh=fresh)
            job.store.remember(key, answer)
        out[draft.record_id] = [str(i) for i in answer] if isinstance(answer, list) else []
    return out


def holders(job: Job, prop: str, value: Value, collection: str, *, fresh: bool) -> list[str]:
    """Items with the identifier ``prop`` = ``value``, in the collection when one is given.

    An item counts as in the collection when its identifier statement is
    qualified by it (as Wikidata writes inventory numbers), or, failing
    any qualifier, when the item itself states that collection.
    """
    reader = job.wikibase_reader
    items = reader.holders(prop, value, fresh=fresh)
    if not collection:
        return items
    collection_prop = roles(job).collection
    wanted = ItemValue(collection)
    kept = []
    for item in items:
        identifiers = [h for h in reader.statements_of(item, prop) if h.value == value]
        qualified = [h for h in identifiers if any(p == collection_prop for p, _ in h.qualifiers)]
        if qualified:
            ok = any(h.qualified_by(collection_prop, wanted) for h in qualified)
        else:
            ok = any(h.value == wanted for h in reader.statements_of(item, collection_prop))
        if ok:
            kept.append(item)
    return kept


def _by_terms(
    job: Job, request: Request, drafts: Sequence[ItemDraft], *, fresh: bool
) -> dict[str, list[str]]:
    api, language = _api(job), request.item_language
    keys = {d.record_id: lookup_key("terms", api, language, d.label, d.description) for d in drafts}
    kept = _kept(job, keys.values(), fresh)
    out: dict[str, list[str]] = {}
    for draft in drafts:
        key = keys[draft.record_id]
        answer = kept.get(key)
        if answer is None:
            job.wikibase_reader.requests += 1
            answer = job.wikibase.items_with_terms(draft.label, draft.description, language)
            job.store.remember(key, answer)
        out[draft.record_id] = [str(i) for i in answer] if isinstance(answer, list) else []
    return out
