"""Keeping a request's mapping tables on the wiki (SPEC 4).

The merge itself is pure (:mod:`bots.pipeline.mapping`); here the pages are
read, merged with the current counts and saved, and on an edit conflict read
and merged again, so no volunteer's cell is ever lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from bots.hub import summary
from bots.jobs.context import Job
from bots.jobs.suggestions import suggest
from bots.model import MappingTable, Problem, Record, Request
from bots.pipeline import mapping as mappings
from bots.pipeline.plan import title_letter_of, title_uses_mappings
from bots.pipeline.suggestions import with_suggestions
from bots.sources import SourceData
from bots.wiki import PageInfo, Saved, WikiError

#: How often a mapping page that keeps changing is read and merged again.
MERGE_ATTEMPTS = 5


@dataclass(frozen=True)
class Mappings:
    """A request's mapping tables as saved: parsed, as wikitext, and what is wrong in them."""

    tables: dict[str, MappingTable] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    notes: tuple[Problem, ...] = ()
    #: the first letters of the records' titles, when the counting pass could collect
    #: them (a title pattern without mapped columns); None: they need a pass of their own
    title_letters: frozenset[str] | None = None
    #: the revision of each mapping page these tables are (as read, or as the bot saved it)
    revisions: dict[str, int] = field(default_factory=dict)


def update_mappings(job: Job, name: str, request: Request, source: SourceData) -> Mappings:
    """Merge the current counts into every mapping page of the request and save them."""
    if not request.mapped:
        return Mappings()
    letters: set[str] | None = None if title_uses_mappings(request) else set()
    letter = title_letter_of(request)

    def counted() -> Iterator[Record]:
        # one pass over a large batch instead of two: the titles' first letters on the way
        for record in source.records():
            if letters is not None:
                letters.add(letter(record))
            yield record

    counts = mappings.count_values(counted(), request.mapped, request.split)
    titles = {c: job.hub.mapping(name, c) for c in request.mapped}
    tables: dict[str, MappingTable] = {}
    texts: dict[str, str] = {}
    notes: list[Problem] = []
    revisions: dict[str, int] = {}
    current = job.wiki.read_pages(titles.values())
    pages = {
        column: mappings.parse_mapping_page(current[title].text) if current[title].exists else None
        for column, title in titles.items()
    }
    facts = job.store.request_facts(name)
    uploading = bool(facts.approved) and facts.approved == facts.preview
    suggestions = suggest(job, pages, counts, request.item_language, search=not uploading)
    for column, title in titles.items():
        prop = request.structured.mapped_properties.get(column, "")
        text, revisions[title] = _merge_and_save(
            job,
            name,
            column,
            current[title],
            counts.get(column, Counter()),
            suggestions.get(column, {}),
            prop,
        )
        texts[column] = text
        tables[column] = mappings.mapping_from_text(name, column, text)
        notes.extend(mappings.check_mapping_page(name, column, text))
    return Mappings(
        tables,
        texts,
        tuple(notes),
        None if letters is None else frozenset(letters),
        revisions,
    )


def _merge_and_save(
    job: Job,
    name: str,
    column: str,
    info: PageInfo,
    counts: Counter[str],
    suggestions: Mapping[str, str],
    prop: str = "",
) -> tuple[str, int]:
    """The mapping page's text merged with the counts, saved; with its revision (0: not known)."""
    title = info.title
    for _attempt in range(MERGE_ATTEMPTS):
        existing = mappings.parse_mapping_page(info.text) if info.exists else None
        text = with_suggestions(
            mappings.merge_mapping(existing, name, column, counts, prop), suggestions
        )
        if info.exists and text == info.text:
            return text, info.revid
        outcome = job.wiki.save(
            title,
            text,
            summary(f"mapping table for column {column} of [[{job.hub.request(name)}|{name}]]"),
            base=info,
        )
        if outcome.saved:
            return text, outcome.revid if isinstance(outcome, Saved) else info.revid
        if not outcome.read_again:
            raise WikiError("mapping", f"Could not save {title}: {outcome}")
        # somebody edited meanwhile: read their version and merge again
        info = job.wiki.read_page(title)
    raise WikiError("mapping", f"{title} kept changing while the bot merged it; try again.")
