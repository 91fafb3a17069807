"""The item Wikibase as one run reads it: each question asked once, every request counted.

Suggestions, item lookups and the preview's labels ask the same Wikibase
many things; a hub of many mapping tables asks the same things again. This
reader keeps every answer for the run (searches, entities, the site's
facts, the index of a Wikibase read item by item) and counts the requests
it sends (:attr:`WikibaseReader.requests`), so a run's cost can be measured
and bounded. Answers kept between runs live in the state store
(:mod:`bots.store.lookups`); their use is the callers' business.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from bots.statements import EntityState, HeldStatement, Value
from bots.wiki import Wiki, WikibaseSite
from bots.wiki.records import SearchHit

log = logging.getLogger(__name__)

#: Entities per ``wbgetentities`` request.
BATCH = 50
#: Candidates asked of each search.
SEARCH_LIMIT = 7


@dataclass
class WikibaseReader:
    """Reads of one Wikibase during one run, kept and counted."""

    wiki: Wiki
    #: items read at most to index identifiers when the Wikibase cannot search statements
    scan_limit: int = 10000
    requests: int = 0
    #: ``wbsearchentities`` requests among them
    searches: int = 0
    _site: WikibaseSite | None = None
    _entities: dict[str, EntityState] = field(default_factory=dict)
    _searches: dict[tuple[str, str], list[SearchHit]] = field(default_factory=dict)
    #: (property, repr(value)) -> items holding that statement; None until built
    _index: dict[tuple[str, str], list[str]] | None = None
    #: the index covers every item of the Wikibase (it had no more than scan_limit)
    complete_index: bool = True
    #: languages asked with entities: the runs' languages, and English as the fallback
    _languages: tuple[str, ...] = ("en",)

    def site(self) -> WikibaseSite:
        if self._site is None:
            self.requests += 1
            self._site = self.wiki.wikibase_site()
        return self._site

    def search(self, text: str, language: str) -> list[SearchHit]:
        """Labels and aliases starting with ``text``, Wikibase's ranking (asked once a run)."""
        key = (text, language)
        if key not in self._searches:
            self.requests += 1
            self.searches += 1
            self._searches[key] = self.wiki.search_entities(text, language, limit=SEARCH_LIMIT)
        return self._searches[key]

    def searched(self, text: str, language: str) -> bool:
        """Whether this run has searched ``text`` already (searching it again costs nothing)."""
        return (text, language) in self._searches

    def entities(self, ids: Iterable[str], *, fresh: bool = False) -> dict[str, EntityState]:
        """Entities by id, 50 a request; those read already in this run cost nothing."""
        wanted = list(dict.fromkeys(i for i in ids if i))
        missing = wanted if fresh else [i for i in wanted if i not in self._entities]
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            self.requests += 1
            self._entities.update(self.wiki.entities(batch, languages=self._languages))
        return {i: self._entities[i] for i in wanted if i in self._entities}

    def speak(self, language: str) -> None:
        """Ask labels in ``language`` too, from now on."""
        if language not in self._languages:
            self._languages = (*self._languages, language)
            self._entities.clear()

    def datatypes(self, properties: Iterable[str]) -> dict[str, str]:
        """The datatype of each property the Wikibase has (those it lacks are absent)."""
        found = self.entities(properties)
        return {p: e.datatype for p, e in found.items() if e.exists and e.datatype}

    def instances(self, ids: Iterable[str], instance_of: str) -> dict[str, set[str]]:
        """The items each entity is an instance of (its direct ``instance_of`` values)."""
        out: dict[str, set[str]] = {}
        for key, entity in self.entities(ids).items():
            out[key] = {
                h.value.shown() for h in entity.statements if h.property == instance_of and h.value
            }
        return out

    def holders(self, prop: str, value: Value, *, fresh: bool = False) -> list[str]:
        """Items holding the statement ``prop`` = ``value``.

        By CirrusSearch where the Wikibase has it (one search); otherwise from
        the run's index of the Wikibase's items (read once, at most
        ``scan_limit`` items). ``fresh``: search again rather than trust this
        run's earlier answer (the index counts as fresh: it was read in this run).
        """
        site = self.site()
        if site.item_namespace is None:
            return []
        if site.statement_search:
            key = (f"haswbstatement {prop}={value.shown()}", "")
            if fresh or key not in self._searches:
                self.requests += 1
                ids = self.wiki.items_with_statement(prop, value.shown(), site.item_namespace)
                self._searches[key] = [SearchHit(i, "") for i in ids]
                self.entities(ids, fresh=fresh)
            return [hit.id for hit in self._searches[key]]
        return list(self._read_index(site.item_namespace).get((prop, repr(value)), []))

    def statements_of(self, item: str, prop: str) -> list[HeldStatement]:
        entity = self._entities.get(item)
        return [h for h in entity.statements if h.property == prop] if entity else []

    def _read_index(self, namespace: int) -> dict[tuple[str, str], list[str]]:
        """Every item's statements, read page by page up to ``scan_limit`` items."""
        if self._index is not None:
            return self._index
        index: dict[tuple[str, str], list[str]] = {}
        after, read = "", 0
        while read < self.scan_limit:
            self.requests += 1
            ids, after = self.wiki.item_ids(namespace, after, limit=BATCH)
            for entity in self.entities(ids).values():
                for held in entity.statements:
                    index.setdefault((held.property, repr(held.value)), []).append(entity.id)
            read += len(ids)
            if not after:
                break
        self.complete_index = not after
        if after:
            log.info("the Wikibase has more than %d items; identifiers were not all read", read)
        self._index = index
        return index

    def remember_item(self, item: str, statements: Iterable[tuple[str, Value]]) -> None:
        """A new item the bot made in this run: the run's index holds its statements too."""
        if self._index is None:
            return
        for prop, value in statements:
            holders = self._index.setdefault((prop, repr(value)), [])
            if item not in holders:
                holders.append(item)
