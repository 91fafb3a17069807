"""Getting a request's structured data ready before its preview (SPEC 11).

Decides whether this run writes structured data at all (``wikibase.structured_data``:
auto asks the wiki once whether it has WikibaseMediaInfo), then asks the
Wikibase about every property and item the request uses, once per run and 50
ids a request, and finds what is wrong for the whole request. The rest is
pure: :mod:`bots.pipeline.structured` builds each file's captions and
statements, :mod:`bots.pipeline.structured_checks` checks the request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bots.jobs.context import Job
from bots.model import MappingTable, Problem, Request
from bots.pipeline.structured import StructuredSettings, Vocabulary
from bots.pipeline.structured_checks import (
    StructuredMode,
    decide_mode,
    dynamic_item_ids,
    request_problems,
    structured_digest,
    wanted_ids,
)
from bots.pipeline.structured_plan import StructuredPlan
from bots.sources import SourceData
from bots.statements import EntityDraft, EntityState
from bots.store import ItemState


@dataclass(frozen=True)
class StructuredRun:
    """A request's structured data in this run: on or off, what it is made from, its problems."""

    mode: StructuredMode
    plan: StructuredPlan | None = None
    #: mistakes of the whole request: it is invalid until they are fixed
    problems: tuple[Problem, ...] = ()
    #: labels of properties and items in the request's language (English as the fallback)
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def on(self) -> bool:
        return self.plan is not None

    def digest(self, shown: Iterable[EntityDraft]) -> str:
        """What the preview id covers of the structured data; "" when the files get none."""
        if self.plan is None:
            return ""
        return structured_digest(self.plan.settings, self.plan.vocab, shown)


def structured_mode(job: Job) -> StructuredMode:
    """Whether this run's files get structured data (asked of the wiki once per run)."""
    return decide_mode(
        job.config.wikibase.structured_data, lambda: job.entity_cache.has_mediainfo(job.wiki)
    )


def settings_for(job: Job, request: Request) -> StructuredSettings:
    wikibase = job.config.wikibase
    return StructuredSettings(
        language=request.language or job.wiki.content_language(),
        properties=dict(wikibase.properties),
        items=dict(wikibase.items),
        licences=dict(job.config.licenses),
        caption_limit=wikibase.caption_limit,
    )


def prepare_structured(
    job: Job,
    request: Request,
    source: SourceData,
    tables: Mapping[str, MappingTable],
    items: Mapping[str, str] | None = None,
) -> StructuredRun:
    """Everything the request's files' structured data is made from, asked of the Wikibase.

    ``items`` maps record ids to the records' own Wikidata items (SPEC 12),
    which give their files P6243. The preview is made without them (items
    are created after the approval, and the preview id must not change when
    they are): the upload loop adds them (:func:`with_record_items`).
    """
    mode = structured_mode(job)
    if not mode.on:
        return StructuredRun(mode)
    settings = settings_for(job, request)
    language = settings.language
    # a request with items links its files to them: the property must be there, for items
    linked = bool(items) or request.items is not None
    props, wanted = wanted_ids(request, tables, settings, items=linked)
    wanted.update((items or {}).values())
    cache = job.entity_cache
    states = cache.lookup(job.wikibase, [*sorted(props), *sorted(wanted)], language)
    datatypes = {p: states[p].datatype for p in props if states[p].exists}
    dynamic = dynamic_item_ids(request, source.records(), tables, datatypes) - set(states)
    if dynamic:
        states.update(cache.lookup(job.wikibase, sorted(dynamic), language))
    vocab = vocabulary(states, datatypes, language)
    languages = cache.languages(job.wiki) if request.structured.captions else None
    problems = request_problems(request, tables, settings, vocab, languages=languages, items=linked)
    return StructuredRun(
        mode,
        StructuredPlan(settings, vocab, dict(items or {})),
        tuple(problems),
        labels=vocab.labels,
    )


def vocabulary(
    states: Mapping[str, EntityState], datatypes: Mapping[str, str], language: str
) -> Vocabulary:
    """What the Wikibase said, as the pure builder takes it."""
    return Vocabulary(
        datatypes=dict(datatypes),
        items=frozenset(i for i, s in states.items() if s.exists and i.startswith("Q")),
        checked=frozenset(states),
        labels={i: s.label(language) for i, s in states.items() if s.exists},
    )


def with_record_items(job: Job, name: str, plan: StructuredPlan | None) -> StructuredPlan | None:
    """``plan`` with the records' own items (SPEC 12) the journal knows now.

    Each file's structured data then carries digital representation of
    (P6243) its item in the same ``wbeditentity`` as its other statements,
    instead of an edit of its own (:mod:`bots.jobs.item_links`).
    """
    if plan is None:
        return None
    items = {
        record: entry.item
        for record, entry in job.store.item_entries(name).items()
        if entry.item and entry.state in (ItemState.CREATED, ItemState.MATCHED)
    }
    return dataclasses.replace(plan, items={**plan.items, **items}) if items else plan
