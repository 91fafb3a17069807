"""Finding existing items in a Wikibase: by a statement, by label and description, by reading.

Wikidata has CirrusSearch, whose ``haswbstatement:P217=…`` finds the items
holding a statement in one request. A Wikibase without it (the dev wiki, many
partners' own) cannot search statements at all; there the bot reads the
items themselves, 50 a request, up to a bound the caller sets
(:meth:`ItemSearch.item_ids`, then :meth:`~bots.wiki.wikibase.WikibaseQueries.entities`).
Which of the two a Wikibase offers is read from its siteinfo
(:meth:`ItemSearch.wikibase_site`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bots.wiki.wikibase import WikibaseQueries

#: An item id at the end of a page title (``Item:Q42`` on the dev wiki, ``Q42`` on Wikidata).
_ITEM_TITLE = re.compile(r"(?:^|:)(Q[1-9][0-9]*)$")


@dataclass(frozen=True)
class WikibaseSite:
    """What the bot needs to know of a Wikibase to look for items."""

    #: the namespace of items (0 on Wikidata, 120 on the dev wiki); None: no items here
    item_namespace: int | None
    #: CirrusSearch is installed: ``haswbstatement`` finds items by their statements
    statement_search: bool
    #: how an item's page title starts ("Item:" on the dev wiki, "" on Wikidata)
    item_prefix: str = ""


class ItemSearch(WikibaseQueries):
    """Queries that find items."""

    def wikibase_site(self) -> WikibaseSite:
        """The item namespace and whether statements can be searched (one request)."""
        data = self.call(action="query", meta="siteinfo", siprop="namespaces|extensions")
        query = data.get("query", {})
        namespace, prefix = None, ""
        for key, info in (query.get("namespaces") or {}).items():
            if isinstance(info, dict) and info.get("defaultcontentmodel") == "wikibase-item":
                namespace = int(info.get("id", key))
                prefix = f"{info['name']}:" if info.get("name") else ""
                break
        names = {e.get("name") for e in query.get("extensions", []) if isinstance(e, dict)}
        return WikibaseSite(namespace, "CirrusSearch" in names, prefix)

    def items_with_statement(self, prop: str, value: str, namespace: int) -> list[str]:
        """Items holding the statement ``prop`` = ``value`` (CirrusSearch's ``haswbstatement``)."""
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        data = self.call(
            action="query",
            list="search",
            srsearch=f'haswbstatement:"{prop}={quoted}"',
            srnamespace=namespace,
            srlimit=50,
            srprop="",
        )
        found: list[str] = []
        for hit in data.get("query", {}).get("search", []):
            match = _ITEM_TITLE.search(str(hit.get("title", "")))
            if match and match.group(1) not in found:
                found.append(match.group(1))
        return found

    def item_ids(self, namespace: int, after: str = "", limit: int = 50) -> tuple[list[str], str]:
        """One page of the Wikibase's item ids, and where the next page starts ("" at the end)."""
        params: dict[str, Any] = {
            "action": "query",
            "list": "allpages",
            "apnamespace": namespace,
            "aplimit": limit,
        }
        if after:
            params["apcontinue"] = after
        data = self.call(**params)
        ids = []
        for page in data.get("query", {}).get("allpages", []):
            match = _ITEM_TITLE.search(str(page.get("title", "")))
            if match:
                ids.append(match.group(1))
        following = str(data.get("continue", {}).get("apcontinue", ""))
        return ids, following

    def items_with_terms(self, label: str, description: str, language: str) -> list[str]:
        """Items whose label and description in ``language`` are exactly these."""
        hits = self.search_entities(label, language, limit=50, strict=True)
        return [
            hit.id
            for hit in hits
            if hit.matched == "label" and hit.label == label and hit.description == description
        ]
