"""Suggestions for the mapping tables of a request (SPEC 12), searched with a bounded cost.

What a run asks the Wikibase, for each value in the data whose row has no
``wikidata`` yet:

- nothing, when the store keeps suggestions for it (same Wikibase, language
  and table ``type``) younger than ``wikibase.suggestions_max_age`` days;
- else one ``wbsearchentities`` for the value and one for its "First Last"
  form (each text once a run, whichever tables and requests share it), most
  frequent values first, until the run has made ``wikibase.suggestion_searches``
  searches; the other rows keep what they show and wait for the next runs;
- for tables with a ``type``, the candidates' statements, 50 items a request.

So a hub's first run costs at most ``suggestion_searches`` searches plus a
few entity reads, and later runs only what is new or stale. The cells
themselves are merged into the pages by :func:`bots.pipeline.mapping.merge_mapping`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from bots.jobs.context import Job
from bots.pipeline.mapping import ParsedMappingPage
from bots.pipeline.suggestions import cell_text, of_type, ranked, search_texts, table_type, wanting
from bots.store import lookup_key
from bots.wiki import WikiError
from bots.wiki.records import SearchHit

log = logging.getLogger(__name__)

#: Values longer than this are not searched (no label is that long).
MAX_SEARCHED = 250


@dataclass
class _Wanted:
    column: str
    value: str
    kind: str  # the table's type, or ""
    key: str
    count: int  # records with the value: the most frequent are searched first
    hits: list[SearchHit] = field(default_factory=list)


def suggest(
    job: Job,
    pages: Mapping[str, ParsedMappingPage | None],
    counts: Mapping[str, Counter[str]],
    language: str,
    *,
    search: bool = True,
) -> dict[str, dict[str, str]]:
    """column -> value -> its ``suggestions`` cell, for the rows that get one in this run.

    ``search=False``: only suggestions kept in the store (an approved request
    whose files are going up asks the Wikibase nothing for its tables). A
    Wikibase that does not answer costs the run its suggestions, never its
    mapping tables: the pages are then merged without new suggestions.
    """
    config = job.config.wikibase
    api = config.api or job.config.wiki.api
    wanted: list[_Wanted] = []
    for column, page in pages.items():
        kind = table_type(page) if page is not None else ""
        column_counts = counts.get(column, Counter())
        present = [v for v, n in column_counts.most_common() if n > 0]
        for value in wanting(page, present):
            key = lookup_key("suggestions", api, language, kind, value)
            wanted.append(_Wanted(column, value, kind, key, column_counts[value]))
    kept = job.store.recall([w.key for w in wanted], timedelta(days=config.suggestions_max_age))
    out: dict[str, dict[str, str]] = {}
    for w in wanted:
        if w.key in kept:
            out.setdefault(w.column, {})[w.value] = str(kept[w.key])
    fresh = [w for w in wanted if w.key not in kept] if search else []
    if not fresh:
        return out
    try:
        searched = _search(job, fresh, language, config.suggestion_searches)
        cells = _filtered(job, searched)
    except WikiError as e:
        log.warning("suggestions: the Wikibase did not answer (%s); none refreshed this run", e)
        return out
    for w, text in cells:
        job.store.remember(w.key, text)
        out.setdefault(w.column, {})[w.value] = text
    return out


def _search(job: Job, wanted: list[_Wanted], language: str, budget: int) -> list[_Wanted]:
    """Search the values in order, as long as the run's searches last."""
    reader = job.wikibase_reader
    done: list[_Wanted] = []
    for w in sorted(wanted, key=lambda w: -w.count):
        texts = search_texts(w.value) if len(w.value) <= MAX_SEARCHED else []
        new = [t for t in texts if not reader.searched(t, language)]
        if reader.searches + len(new) > budget:
            break
        w.hits = ranked(texts, [reader.search(t, language) for t in texts])
        done.append(w)
    return done


def _filtered(job: Job, searched: list[_Wanted]) -> list[tuple[_Wanted, str]]:
    """Each searched value's cell, keeping only instances of its table's ``type``."""
    reader = job.wikibase_reader
    typed = {hit.id for w in searched if w.kind for hit in w.hits}
    instance_of = job.config.wikibase.property("instance_of")
    classes = reader.instances(typed, instance_of) if typed else {}
    return [(w, cell_text(of_type(w.hits, w.kind, classes))) for w in searched]
