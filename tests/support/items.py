"""Items made by people on the test wiki's Wikibase, and looking at items, for tests."""

from __future__ import annotations

import json
from typing import Any


def item_value(qid: str) -> dict[str, Any]:
    return {
        "type": "wikibase-entityid",
        "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
    }


def claim(prop: str, value: str, qualifiers: dict[str, str] | None = None) -> dict[str, Any]:
    """A statement as wbeditentity takes it: Q-ids as items, anything else as a string."""

    def snak(p: str, v: str) -> dict[str, Any]:
        datavalue = item_value(v) if v.startswith("Q") else {"type": "string", "value": v}
        return {"snaktype": "value", "property": p, "datavalue": datavalue}

    out: dict[str, Any] = {"mainsnak": snak(prop, value), "type": "statement", "rank": "normal"}
    if qualifiers:
        out["qualifiers"] = {p: [snak(p, v)] for p, v in qualifiers.items()}
    return out


def make_item(
    person: Any,
    label: str,
    description: str,
    claims: list[dict[str, Any]] = (),  # type: ignore[assignment]
    language: str = "en",
    aliases: tuple[str, ...] = (),
) -> str:
    """An item made by a person (not the bot); returns its id."""
    data: dict[str, Any] = {
        "labels": {language: {"language": language, "value": label}},
        "descriptions": {language: {"language": language, "value": description}},
        "claims": list(claims),
    }
    if aliases:
        data["aliases"] = {language: [{"language": language, "value": a} for a in aliases]}
    token = person.site.get_token("csrf")
    answer = person.api("wbeditentity", new="item", data=json.dumps(data), token=token)
    return str(answer["entity"]["id"])


def items_labelled(bot: Any, label: str, language: str = "en") -> list[str]:
    """Every item whose label is exactly ``label`` (any description)."""
    hits = bot.search_entities(label, language, limit=50, strict=True)
    return [h.id for h in hits if h.matched == "label" and h.label == label]
