"""Talking to a Wikibase: entities, property datatypes, search, and one edit per entity.

The same mixin serves the file wiki (its files' MediaInfo entities ``M<page
id>``, as on Commons) and the item Wikibase (Wikidata, or in development the
dev wiki itself). Reads go 50 ids a request; every edit is one
``wbeditentity`` carrying everything the entity should gain, paced and
retried like every other write (:meth:`bots.wiki.writes.Writes.post`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from bots.i18n import msg
from bots.statements import EntityDraft, EntityState, statements_from_json
from bots.wiki.errors import WikiError, WikiUnavailable
from bots.wiki.outcomes import (
    Blocked,
    EntityConflict,
    EntityEdited,
    EntityOutcome,
    EntityRefused,
    ReadOnly,
)
from bots.wiki.queries import chunks
from bots.wiki.records import SearchHit
from bots.wiki.upload_policy import refusal
from bots.wiki.writes import Writes

#: How long the wiki's extensions and term languages are taken as known (days).
FACTS_DAYS = 1.0

#: An item id in a link such as ``[[Item:Q88088424|Q88088424]]`` or ``[[Q42|Q42]]``.
ITEM_IN_LINK = re.compile(r"\[\[(?:[^|\]]*:)?(Q[1-9][0-9]*)[|\]]")

#: The site id under which a wiki's files are found by title (Commons' own, and the dev wiki's).
FILE_SITE = "commonswiki"


class WikibaseQueries(Writes):
    """Entities of a Wikibase, read and edited through the API."""

    def entities(
        self, ids: Iterable[str], languages: Iterable[str] = ("en",), *, statements: bool = True
    ) -> dict[str, EntityState]:
        """Labels, descriptions, statements and datatypes of entities, 50 a request.

        ``statements=False`` leaves out statements and descriptions: enough to
        know that an entity exists, its label and (for a property) its datatype.
        """
        wanted = [i for i in dict.fromkeys(ids) if i]
        out: dict[str, EntityState] = {}
        langs = "|".join(dict.fromkeys(languages)) or "en"
        props = "info|labels|descriptions|claims|datatype" if statements else "info|labels|datatype"
        for batch in chunks(wanted):
            data = self.call(
                action="wbgetentities",
                ids="|".join(batch),
                props=props,
                languages=langs,
            )
            for key, entity in data.get("entities", {}).items():
                out[key] = entity_state(key, entity)
        return out

    def entities_of_files(
        self, titles: Iterable[str], languages: Iterable[str] = ("en",)
    ) -> dict[str, EntityState]:
        """The MediaInfo entity of each file (by ``File:`` title), 50 a request.

        Captions in ``languages``; every language when it is empty.
        """
        wanted = list(dict.fromkeys(titles))
        out: dict[str, EntityState] = {}
        langs: dict[str, Any] = {"languages": "|".join(dict.fromkeys(languages))}
        for batch in chunks(wanted):
            data = self.call(
                action="wbgetentities",
                sites=FILE_SITE,
                titles="|".join(batch),
                props="info|labels|claims",
                **(langs if langs["languages"] else {}),
            )
            query = data.get("normalized") or []
            spelled = {n["from"]: n["to"] for n in query if isinstance(n, Mapping)}
            by_title = {
                str(entity.get("title", "")): entity_state(key, entity)
                for key, entity in data.get("entities", {}).items()
            }
            for title in batch:
                found = by_title.get(spelled.get(title, title)) or by_title.get(title)
                out[title] = found or EntityState(id="", exists=False)
        return out

    def search_entities(
        self,
        text: str,
        language: str = "en",
        *,
        limit: int = 7,
        kind: str = "item",
        strict: bool = False,
    ) -> list[SearchHit]:
        """Candidates whose label or alias starts with ``text`` (Wikibase's own ranking).

        ``strict``: only labels and aliases in ``language`` itself, no fallback language.
        """
        params: dict[str, Any] = {
            "action": "wbsearchentities",
            "search": text,
            "language": language,
            "uselang": language,
            "type": kind,
            "limit": limit,
        }
        if strict:
            params["strictlanguage"] = 1
        data = self.call(**params)
        return [
            SearchHit(
                id=str(hit.get("id", "")),
                label=str(hit.get("label", "")),
                description=str(hit.get("description", "")),
                matched=str(hit.get("match", {}).get("type", "")),
                matched_text=str(hit.get("match", {}).get("text", "")),
            )
            for hit in data.get("search", [])
        ]

    def term_languages(self) -> frozenset[str]:
        """The language codes the Wikibase takes for labels (and captions); asked once a day."""
        data = self.cached_call(
            FACTS_DAYS, action="query", meta="wbcontentlanguages", wbclcontext="term"
        )
        return frozenset(data.get("query", {}).get("wbcontentlanguages", {}))

    def content_language(self) -> str:
        """The wiki's content language (siteinfo, which the connection read when it logged in)."""
        try:
            return str(self.site.siteinfo["lang"]) or "en"
        except (KeyError, TypeError):
            return "en"

    def has_mediainfo(self) -> bool:
        """Whether this wiki gives its files structured data (WikibaseMediaInfo); asked once a day."""
        data = self.cached_call(FACTS_DAYS, action="query", meta="siteinfo", siprop="extensions")
        names = {e.get("name") for e in data.get("query", {}).get("extensions", [])}
        return "WikibaseMediaInfo" in names

    def edit_entity(
        self,
        draft: EntityDraft,
        summary: str,
        *,
        entity: str = "",
        file_title: str = "",
        new: str = "",
        base_revid: int = 0,
    ) -> EntityOutcome:
        """One ``wbeditentity``: on ``entity`` (an id), a file's MediaInfo, or a ``new`` item.

        Adds what ``draft`` holds and nothing else (the caller sends only what
        is missing). Raises :class:`~bots.wiki.errors.AmbiguousWrite` when the
        edit got no answer: the caller reads the entity before sending again.
        """
        params: dict[str, Any] = {
            "action": "wbeditentity",
            "data": json.dumps(draft.to_json(), ensure_ascii=False, separators=(",", ":")),
        }
        if entity:
            params["id"] = entity
        elif file_title:
            params.update(site=FILE_SITE, title=file_title)
        else:
            params["new"] = new or "item"
        data = self._entity_write(params, summary, base_revid, entity or file_title or "new item")
        if not isinstance(data, dict):
            return data
        edited = data.get("entity", {})
        claims = edited.get("claims") or edited.get("statements") or {}
        return EntityEdited(
            id=str(edited.get("id", "")),
            revid=int(edited.get("lastrevid", 0)),
            statements=tuple(statements_from_json(claims)),
        )

    def remove_claims(
        self, claim_ids: Iterable[str], summary: str, *, base_revid: int = 0
    ) -> EntityOutcome:
        """Remove statements of one entity by their ids (the bot's own, checked by the caller).

        ``base_revid``: the revision the caller checked them in; the Wikibase
        refuses the removal as a conflict when the entity changed since.
        """
        ids = list(claim_ids)
        params: dict[str, Any] = {"action": "wbremoveclaims", "claim": "|".join(ids)}
        data = self._entity_write(
            params, summary, base_revid, ids[0].split("$", 1)[0] if ids else ""
        )
        if not isinstance(data, dict):
            return data
        return EntityEdited(id="", revid=int(data.get("pageinfo", {}).get("lastrevid", 0)))

    def strip_entity(
        self,
        entity: str,
        claim_ids: Iterable[str],
        labels: Iterable[str],
        summary: str,
        *,
        base_revid: int = 0,
    ) -> EntityOutcome:
        """Remove statements (by id) and labels or captions (by language) of one entity, in
        one ``wbeditentity`` (the bot's own, checked by the caller against ``base_revid``)."""
        data: dict[str, Any] = {}
        claims = [{"id": claim, "remove": ""} for claim in claim_ids]
        if claims:
            data["claims"] = claims
        removed = {lang: {"language": lang, "remove": ""} for lang in labels}
        if removed:
            data["labels"] = removed
        params: dict[str, Any] = {
            "action": "wbeditentity",
            "id": entity,
            "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        }
        answer = self._entity_write(params, summary, base_revid, entity)
        if not isinstance(answer, dict):
            return answer
        edited = answer.get("entity", {})
        return EntityEdited(id=entity, revid=int(edited.get("lastrevid", 0)))

    def _entity_write(
        self, params: dict[str, Any], summary: str, base_revid: int, entity: str
    ) -> dict[str, Any] | EntityOutcome:
        """Send one Wikibase write as a bot edit (on ``base_revid`` when given): the API's
        answer, or the outcome of its refusal; an unreachable wiki is raised."""
        params.update(summary=summary, bot=1)
        if base_revid:
            params["baserevid"] = base_revid
        try:
            return self.post(params, limit_action="edit")
        except WikiError as e:
            if isinstance(e, WikiUnavailable):
                raise
            return entity_refusal(entity, e)


def entity_state(key: str, entity: Mapping[str, Any]) -> EntityState:
    """An entity of ``wbgetentities``; a missing one has ``exists=False``."""
    if "missing" in entity:
        return EntityState(id=str(entity.get("id", key)), exists=False)
    claims = entity.get("claims") or entity.get("statements") or {}
    return EntityState(
        id=str(entity.get("id", key)),
        exists=True,
        revid=int(entity.get("lastrevid", 0)),
        labels=_terms(entity.get("labels")),
        descriptions=_terms(entity.get("descriptions")),
        statements=tuple(statements_from_json(claims)),
        datatype=str(entity.get("datatype", "")),
    )


def _terms(terms: Any) -> dict[str, str]:
    if not isinstance(terms, Mapping):  # MediaInfo gives [] for no labels
        return {}
    return {lang: str(term.get("value", "")) for lang, term in terms.items()}


#: Wikibase's codes for an edit the entity's state refuses, with the message that says so.
ENTITY_REFUSALS: dict[str, str] = {
    "modification-failed": "hubbot-wikibase-modification-failed",
    "failed-save": "hubbot-wikibase-failed-save",
    "no-such-entity": "hubbot-wikibase-no-such-entity",
    "invalid-entity-id": "hubbot-wikibase-invalid-entity-id",
    "not-recognized": "hubbot-wikibase-not-recognized",
    "invalid-claim": "hubbot-wikibase-invalid-claim",
    "protectedpage": "hubbot-wikibase-protected",
    "cascadeprotected": "hubbot-wikibase-protected",
    "abusefilter-disallowed": "hubbot-wikibase-abuse-filter",
}


#: Refusals about the moment, not the data: a later run sends the edit again.
ENTITY_RETRY_LATER: dict[str, str] = {
    "failed-save": "hubbot-wikibase-failed-save",
    "internal_api_error_DBQueryError": "hubbot-wikibase-database-error",
}

#: Refusals about the account or the session: every edit would fail, so the run stops.
ENTITY_WHOLE_RUN: dict[str, str] = {
    "permissiondenied": "hubbot-wikibase-permission",
    "badtoken": "hubbot-wikibase-token",
    "assertuserfailed": "hubbot-wikibase-session",
    "assertnameduserfailed": "hubbot-wikibase-other-user",
    "mustbeloggedin": "hubbot-wikibase-not-logged-in",
}


def _block_reason(e: WikiError) -> str | None:
    """The block's reason when a refusal is because of a block, else None."""
    for message in e.data.get("messages") or []:
        if isinstance(message, Mapping) and str(message.get("name", "")).endswith("blockedtext"):
            params = message.get("parameters") or []
            return str(params[1]) if len(params) > 1 else e.info
    return None


def entity_refusal(entity: str, e: WikiError) -> EntityOutcome:
    """The outcome of an entity edit the API answered with an error (pure)."""
    if e.code == "editconflict":
        return EntityConflict(entity)
    if e.code == "readonly":
        return ReadOnly(reason=e.info)
    if e.code in ("blocked", "autoblocked"):
        return Blocked(reason=e.info)
    block = _block_reason(e)
    if block is not None:  # Wikibase says permissiondenied, with the block among its messages
        return Blocked(reason=block)
    if e.code in ENTITY_WHOLE_RUN:
        lead = msg(ENTITY_WHOLE_RUN[e.code])
        return EntityRefused(code=e.code, reason=refusal(lead, e.code, e.info), whole_run=True)
    retry = e.code in ENTITY_RETRY_LATER or e.code.startswith("internal_api_error")
    lead = msg(
        ENTITY_RETRY_LATER.get(e.code)
        or ENTITY_REFUSALS.get(e.code, "hubbot-wikibase-refused-other")
    )
    return EntityRefused(
        code=e.code,
        reason=refusal(lead, e.code, e.info),
        retry=retry,
        existing=_same_terms_item(e),
    )


#: The message of Wikibase that names the item with the same label and description.
LABEL_DESCRIPTION_CONFLICT = "wikibase-validator-label-with-description-conflict"


def _same_terms_item(e: WikiError) -> str:
    """The item a ``modification-failed`` names as having the same label and description."""
    for message in e.data.get("messages") or []:
        if not isinstance(message, Mapping) or message.get("name") != LABEL_DESCRIPTION_CONFLICT:
            continue
        for parameter in message.get("parameters") or []:
            found = ITEM_IN_LINK.search(str(parameter))
            if found:
                return found.group(1)
    return ""
