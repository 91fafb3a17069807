"""From records to planned files: rendering every record and checking the batch.

Pure and streaming: records come in one at a time and planned files go out one
at a time, so a million-record batch is never held in memory. The only state
kept across records is what batch-wide checks need (ids and titles seen, as
fingerprints: :mod:`bots.pipeline.seen`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from bots.i18n.message import Message, msg
from bots.model import MappingTable, PlannedFile, Problem, Record, Request
from bots.pipeline.patterns import CompiledPattern, fill_pattern, placeholders
from bots.pipeline.render import FileRenderer
from bots.pipeline.seen import SeenStrings, SeenTitles
from bots.pipeline.titles import (
    AS_WRITTEN,
    STOCK_RULES,
    TitleError,
    TitleRules,
    asks_wiki,
    category_first_letter,
    first_letter,
    legal_title,
)


@dataclass(frozen=True)
class Skipped:
    """A record that will not be uploaded, and why."""

    record_id: str
    problems: tuple[Problem, ...]


@dataclass
class BatchChecks:
    """What the planner remembers across records: a few dozen bytes a record (see seen.py)."""

    ids: SeenStrings = field(default_factory=SeenStrings)
    titles: SeenTitles = field(default_factory=SeenTitles)  # casefolded title -> record id
    notes: list[Problem] = field(default_factory=list)


def plan(
    request: Request,
    records: Iterable[Record],
    mappings: Mapping[str, MappingTable],
    licenses: Mapping[str, str],
    checks: BatchChecks | None = None,
    *,
    rules: TitleRules = STOCK_RULES,
) -> Iterator[PlannedFile | Skipped]:
    """Render each record; records that cannot be uploaded come out as ``Skipped``.

    A record id seen before is skipped (the first one wins). A title seen before
    gets the record id appended, as it would at upload when the title is taken,
    so that the preview shows the real title. ``rules`` are the target wiki's
    (see :func:`letters_to_ask`), so every title is the one the wiki stores.
    """
    checks = checks if checks is not None else BatchChecks()
    renderer = FileRenderer(request, mappings, licenses, rules)
    for number, record in enumerate(records, start=1):
        record_id = (record.get(request.id_column) or "").strip()
        if record_id and record_id in checks.ids:
            label = _label(record_id, number)
            yield Skipped(
                record_id,
                (Problem(label, msg("hubbot-problem-id-repeated", record_id, request.id_column)),),
            )
            continue
        result = renderer.render(record)
        if not isinstance(result, PlannedFile):
            yield Skipped(record_id or f"row {number}", tuple(result))
            if record_id:
                checks.ids.add(record_id)
            continue
        checks.ids.add(record_id)
        key = result.full_title().casefold()
        if key in checks.titles:
            label = _label(record_id, number)
            first = checks.titles[key]
            try:
                base = legal_title(result.title, result.extension, record_id, rules=AS_WRITTEN)
            except TitleError as e:
                yield Skipped(record_id, (Problem(label, e.message),))
                continue
            new_title = _without_extension(base, result.extension)
            checks.notes.append(Problem(label, msg("hubbot-problem-same-title", first, base)))
            result = PlannedFile(
                record_id=result.record_id,
                title=new_title,
                extension=result.extension,
                media_url=result.media_url,
                page_text=result.page_text,
                categories=result.categories,
            )
            key = result.full_title().casefold()
        checks.titles[key] = record_id
        yield result


def _label(record_id: str, number: int) -> Message:
    """Where a record's problem is: its id, else its row."""
    return msg("hubbot-where-record", record_id) if record_id else msg("hubbot-where-row", number)


def letters_to_ask(
    request: Request,
    records: Iterable[Record],
    mappings: Mapping[str, MappingTable],
    *,
    title_letters: Iterable[str] | None = None,
) -> set[str]:
    """The first characters of this batch's titles and categories only the wiki can capitalise.

    One cheap pass over the records (the title pattern only), so that the run
    can ask the wiki about these few characters before planning; the
    planner itself stays pure. ``title_letters``, when a pass over the records
    already collected them (:func:`title_letter`), spares this one.
    """
    letters = {category_first_letter(name) for name in request.categories}
    for table in mappings.values():
        for row in table.rows:
            letters.update(category_first_letter(name) for name in row.category_list())
    if title_letters is None:
        letters.update(title_letter(request, record, mappings) for record in records)
    else:
        letters.update(title_letters)
    return {letter for letter in letters if letter and asks_wiki(letter)}


def title_letter(
    request: Request, record: Record, mappings: Mapping[str, MappingTable] | None = None
) -> str:
    """The character a record's file title starts with, before the wiki capitalises it.

    Without ``mappings`` it is right only for a title pattern that uses no
    mapped column (see :func:`title_uses_mappings`).
    """
    return first_letter(
        fill_pattern(request.title, record, mappings or {}, request.split, plain=True)
    )


def title_letter_of(request: Request) -> Callable[[Record], str]:
    """:func:`title_letter` without mappings, for every record of a batch: compiled once."""
    pattern = CompiledPattern(request.title, {}, request.split)
    return lambda record: first_letter(pattern.fill(record))


def title_uses_mappings(request: Request) -> bool:
    """Whether the title pattern shows a mapped column (its letters need the mapping tables)."""
    return bool(set(placeholders(request.title)) & set(request.mapped))


def _without_extension(title: str, extension: str | None) -> str:
    if extension and title.lower().endswith("." + extension.lower()):
        return title[: -len(extension) - 1]
    return title
