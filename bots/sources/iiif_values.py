"""IIIF JSON-LD values read the same way for Presentation 2 and 3: ids, types, language maps, text."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from bots.i18n.message import Message, msg
from bots.sources.jsonsource import scalar_text


class TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")


def html_text(value: str, version: int) -> str:
    """The text of a IIIF value that may hold HTML.

    Presentation 3 marks HTML by a leading ``<``; Presentation 2 allows it
    anywhere.
    """
    is_html = value.lstrip().startswith("<") if version == 3 else ("<" in value or "&" in value)
    if not is_html:
        return value
    parser = TextOnly()
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)


def language_map(value: Any, version: int) -> dict[str, list[str]]:
    """Any IIIF way of giving text, as language -> values (``none`` for untagged)."""
    result: dict[str, list[str]] = {}

    def add(language: str, text: Any) -> None:
        if text is None or isinstance(text, dict | list):
            return
        result.setdefault(language or "none", []).append(html_text(scalar_text(text), version))

    def visit(item: Any, depth: int) -> None:
        if depth > 4 or item is None:
            return
        if isinstance(item, list):
            for inner in item:
                visit(inner, depth + 1)
        elif isinstance(item, dict):
            if "@value" in item:
                language = item.get("@language")
                add(language if isinstance(language, str) else "none", item.get("@value"))
                return
            for language, texts in item.items():
                for text in as_list(texts):
                    add(str(language), text)
        else:
            add("none", item)

    visit(value, 0)
    return result


def preferred_language(languages: list[str], wanted: str) -> str:
    """The language to show first: the wanted one, a variant of it, untagged, or the first."""
    wanted = wanted.lower()
    lowered = {language.lower(): language for language in languages}
    if wanted in lowered:
        return lowered[wanted]
    for language in languages:
        low = language.lower()
        if low.split("-", 1)[0] == wanted.split("-", 1)[0]:
            return language
    for untagged in ("none", "@none"):
        if untagged in lowered:
            return lowered[untagged]
    return languages[0]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def node_id(node: Any) -> str:
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    value = node.get("id", node.get("@id"))
    return value if isinstance(value, str) else ""


def node_type(node: dict[str, Any]) -> str:
    value = node.get("type", node.get("@type"))
    if isinstance(value, list):
        value = value[0] if value else ""
    return value if isinstance(value, str) else ""


def node_kind(node: Any) -> str | None:
    """``Manifest`` or ``Collection`` (either version), else None."""
    if not isinstance(node, dict):
        return None
    name = node_type(node).rsplit(":", 1)[-1]
    if name in ("Manifest", "Collection"):
        return name
    if name == "" and ("sequences" in node or "items" in node):
        return "Manifest"
    return None


def presentation_version(node: dict[str, Any]) -> int:
    contexts = " ".join(str(c) for c in as_list(node.get("@context")))
    if "presentation/3" in contexts:
        return 3
    if "presentation/2" in contexts:
        return 2
    if "@id" in node or "sequences" in node or str(node.get("@type", "")).startswith("sc:"):
        return 2
    return 3


def collection_members(collection: dict[str, Any]) -> Iterator[Any]:
    if presentation_version(collection) == 3:
        yield from as_list(collection.get("items"))
        return
    seen_keys = ("collections", "manifests", "members")
    for key in seen_keys:
        yield from as_list(collection.get(key))


def is_embedded(member: Any) -> bool:
    if not isinstance(member, dict):
        return False
    kind = node_kind(member)
    if kind == "Manifest":
        items = member.get("items") or member.get("sequences")
        return bool(items)
    if kind == "Collection":
        return any(member.get(k) for k in ("items", "manifests", "collections", "members"))
    return False


def first_id(value: Any) -> str:
    for item in as_list(value):
        found = node_id(item)
        if found:
            return found
    return ""


def text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    return node_id(value)


def as_number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def node_where(node: dict[str, Any]) -> Message:
    """Where a problem is: the IIIF type's name (a word of the IIIF spec) and the node's id."""
    kind = (node_kind(node) or "document").lower()
    return msg("hubbot-where-iiif", kind, node_id(node))
