"""What a run learnt from the Wikibase, so that each question is asked once per run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bots.statements import EntityState
from bots.wiki import Wiki


@dataclass
class EntityCache:
    """Entities (labels, datatypes, whether they exist), term languages, MediaInfo: per run.

    Entities are kept by language and id, as the labels asked for depend on
    the request's language (with English as the fallback).
    """

    entities: dict[tuple[str, str], EntityState] = field(default_factory=dict)
    term_languages: frozenset[str] | None = None
    mediainfo: bool | None = None

    def lookup(self, wikibase: Wiki, ids: Iterable[str], language: str) -> dict[str, EntityState]:
        """The entities, asking the Wikibase only about those this run has not seen (50 a request)."""
        wanted = list(dict.fromkeys(ids))
        unknown = [i for i in wanted if (language, i) not in self.entities]
        if unknown:
            found = wikibase.entities(unknown, (language, "en"), statements=False)
            for entity in unknown:
                self.entities[(language, entity)] = found.get(
                    entity, EntityState(id=entity, exists=False)
                )
        return {i: self.entities[(language, i)] for i in wanted}

    def languages(self, wiki: Wiki) -> frozenset[str]:
        if self.term_languages is None:
            self.term_languages = wiki.term_languages()
        return self.term_languages

    def has_mediainfo(self, wiki: Wiki) -> bool:
        if self.mediainfo is None:
            self.mediainfo = wiki.has_mediainfo()
        return self.mediainfo
