"""The items on the bot's pages: the preview's items section and the status page's.

Labels of properties and items come from the Wikibase (read once a run, 50 a
request, :class:`bots.jobs.wikibase_reader.WikibaseReader`); the pages
themselves are rendered by :mod:`bots.reports.items`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from bots.config import Config
from bots.i18n import ENGLISH, Message, PageLanguage, Param, from_text, msg
from bots.jobs.context import Job
from bots.model import Request
from bots.pipeline.item_plan import ItemAction, ItemDecision, ItemPlan, first_drafts
from bots.reports.items import (
    ItemLine,
    ItemsPreview,
    ItemsStatus,
    ShownItem,
    ShownStatement,
    render_items_preview,
    render_items_status,
)
from bots.statements import ItemValue, Snak, Value
from bots.store import ItemState, StateStore

#: Matched items the preview links, and items the status page lists.
LISTED = 100

# --- the sentences a partner reads (one place) ----------------------------------------
#: Each problem's message key and the names of its parameters, in order.
SAY: dict[str, tuple[str, tuple[str, ...]]] = {
    "retrieved": ("hubbot-items-page-retrieved", ("url", "day")),
    "no_image": ("hubbot-items-page-no-image", ("prop",)),
    "no_file_data": ("hubbot-items-page-no-file-data", ("prop",)),
}


def say(key: str, **values: object) -> Message:
    """The message ``key`` of :data:`SAY`, with its values."""
    name, params = SAY[key]
    return msg(name, *(str(values[p]) for p in params))


def local_item_link(qid: str) -> str:
    """A link to an item of the wiki itself (a Wikibase's Special:EntityPage finds any entity)."""
    return f"[[Special:EntityPage/{qid}|{qid}]]"


def item_linker(config: Config) -> Callable[[str], str]:
    """How the bot's pages link an item of ``wikibase.api``: locally, to Wikidata, or outside."""
    api = config.wikibase.api
    if not api or api == config.wiki.api:
        return local_item_link
    if (urlsplit(api).hostname or "").endswith("wikidata.org"):
        return lambda qid: f"[[d:Special:EntityPage/{qid}|{qid}]]"
    index = api.rsplit("/", 1)[0] + "/index.php"
    return lambda qid: f"[{index}?title=Special:EntityPage/{qid} {qid}]"


def item_link(job: Job, qid: str) -> str:
    return item_linker(job.config)(qid)


def items_preview(job: Job, request: Request, plan: ItemPlan, lang: PageLanguage = ENGLISH) -> str:
    """The preview's items section: counts, linked items, the first drafts in full."""
    shown = first_drafts(plan.decisions, job.config.hub.preview_files)
    matched = [d for d in plan.decisions if d.action is ItemAction.MATCH][:LISTED]
    labels = _labels(job, request.item_language, shown)
    spec = request.items
    section = ItemsPreview(
        create=plan.count(ItemAction.CREATE),
        match=plan.count(ItemAction.MATCH),
        ambiguous=plan.count(ItemAction.AMBIGUOUS),
        refused=plan.count(ItemAction.REFUSED),
        alone=plan.count(ItemAction.NONE),
        created_already=sum(1 for d in plan.decisions if d.action is ItemAction.CREATE and d.done),
        matched=[(d.record_id, item_link(job, d.item)) for d in matched],
        shown=[_shown(job, d, labels) for d in shown],
        notes=plan.notes,
        creates=spec.creates if spec is not None else True,
        problems=plan.problems(),
    )
    return render_items_preview(section, lang=lang)


def _labels(job: Job, language: str, decisions: list[ItemDecision]) -> dict[str, str]:
    ids: set[str] = set()
    for decision in decisions:
        for statement in decision.draft.entity.statements:
            for snak in (statement.snak, *statement.qualifiers):
                ids.add(snak.property)
                if isinstance(snak.value, ItemValue):
                    ids.add(snak.value.id)
    entities = job.wikibase_reader.entities(sorted(ids))
    return {key: entity.label(language) for key, entity in entities.items() if entity.exists}


def _named(key: str, labels: dict[str, str]) -> str:
    label = labels.get(key, "")
    return f"{label} ({key})" if label and label != key else key


def _value(value: Value, labels: dict[str, str]) -> str:
    return _named(value.id, labels) if isinstance(value, ItemValue) else value.shown()


def _shown(job: Job, decision: ItemDecision, labels: dict[str, str]) -> ShownItem:
    draft = decision.draft
    statements = [
        ShownStatement(
            _named(s.property, labels),
            _value(s.snak.value, labels),
            "; ".join(
                f"{_named(q.property, labels)}: {_value(q.value, labels)}" for q in s.qualifiers
            ),
        )
        for s in draft.entity.statements
    ]
    reference: Param = ""
    first = next((s for s in draft.entity.statements if s.references), None)
    if first is not None:
        reference = _reference(first.references[0])
    link = item_link(job, decision.item) if decision.item else ""
    if decision.action is ItemAction.AMBIGUOUS:
        link = ", ".join(item_link(job, q) for q in decision.candidates)
    return ShownItem(
        record_id=decision.record_id,
        action=decision.action.value,
        link=link,
        label=draft.label,
        description=draft.description,
        statements=statements,
        reference=reference,
        problems=draft.problems,
    )


def _reference(group: tuple[Snak, ...]) -> Param:
    values = [s.value.shown() for s in group]
    if len(values) == 2:
        return say("retrieved", url=values[0], day=values[1])
    return ", ".join(values)


def items_status(
    store: StateStore,
    name: str,
    notes: Sequence[Message] = (),
    link: Callable[[str], str] = local_item_link,
    lang: PageLanguage = ENGLISH,
) -> str:
    """The status page's items section ("" for a request without items in the journal)."""
    entries = store.item_entries(name)
    if not entries:
        return ""
    counts = {state: 0 for state in ItemState}
    for entry in entries.values():
        counts[entry.state] += 1
    newest = sorted(
        (e for e in entries.values() if e.state is not ItemState.IN_FLIGHT),
        key=lambda e: e.updated,
        reverse=True,
    )[:LISTED]
    lines = [
        ItemLine(e.record_id, link(e.item) if e.item else "", e.state.value, from_text(e.reason))
        for e in newest
    ]
    section = ItemsStatus(
        created=counts[ItemState.CREATED],
        matched=counts[ItemState.MATCHED],
        failed=counts[ItemState.FAILED],
        in_flight=counts[ItemState.IN_FLIGHT],
        lines=lines,
        notes=notes,
    )
    return render_items_status(section, lang)
