"""Planned files with their structured data: :func:`bots.pipeline.plan.plan`, then SPEC 11.

Every file the planner makes gets its captions and statements; a record whose
structured data cannot be made as asked is skipped with its problems, like a
record whose page cannot be rendered. Pure and streaming, as the planner is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from bots.model import MappingTable, PlannedFile, Record, Request
from bots.pipeline.plan import BatchChecks, Skipped, plan
from bots.pipeline.structured import StructuredBuilder, StructuredSettings, Vocabulary
from bots.pipeline.titles import STOCK_RULES, TitleRules


@dataclass(frozen=True)
class StructuredPlan:
    """What every file's structured data is made from, besides its record.

    ``items`` maps a record id to the record's own Wikidata item (SPEC 12),
    when one was created or matched: its file gets P6243.
    """

    settings: StructuredSettings
    vocab: Vocabulary
    items: Mapping[str, str] = field(default_factory=dict)


def plan_structured(
    request: Request,
    records: Iterable[Record],
    mappings: Mapping[str, MappingTable],
    licenses: Mapping[str, str],
    checks: BatchChecks | None = None,
    *,
    rules: TitleRules = STOCK_RULES,
    structured: StructuredPlan | None = None,
    hold_back: bool = True,
) -> Iterator[PlannedFile | Skipped]:
    """The planner's files, each with its structured data (none when ``structured`` is None).

    A record whose structured data has problems is skipped with them; with
    ``hold_back=False`` (sync, which only edits files already uploaded) its
    file comes out without structured data instead.
    """
    if structured is None:
        yield from plan(request, records, mappings, licenses, checks, rules=rules)
        return
    current: list[Record] = []

    def remembered() -> Iterator[Record]:
        # the planner yields one item per record it takes, so the last one taken is its record
        for record in records:
            current[:] = [record]
            yield record

    builder = StructuredBuilder(request, mappings, structured.settings, structured.vocab)
    for item in plan(request, remembered(), mappings, licenses, checks, rules=rules):
        if isinstance(item, Skipped):
            yield item
            continue
        draft, problems = builder.build(
            current[0],
            record_id=item.record_id,
            item=structured.items.get(item.record_id, ""),
        )
        if problems and hold_back:
            yield Skipped(item.record_id, tuple(problems))
        elif problems:
            yield item
        else:  # built directly: dataclasses.replace costs more, once per record
            yield PlannedFile(
                record_id=item.record_id,
                title=item.title,
                extension=item.extension,
                media_url=item.media_url,
                page_text=item.page_text,
                categories=item.categories,
                structured=draft,
            )
