"""The request parameters for structured data on files (SPEC 11), read and checked.

``caption`` and ``caption_LANG`` are patterns for captions, ``statements`` a
``;``-separated list of ``Pnnn=VALUE`` (VALUE a Q-id, a pattern or a literal),
``collection`` and ``partner_item`` Q-ids, ``inventory`` a pattern, and
``language`` the request's language code. A mapped column may name the
property its table's values stand for: ``mapped = artist=P170; medium``.

Only the form is checked here (pure); whether the properties and items exist,
and whether a value fits its property's datatype, is asked of the Wikibase
before the preview (:mod:`bots.pipeline.structured_checks`). Every sentence a
partner reads is in :data:`MESSAGES`, so that they move to a message
catalogue in one piece.
"""

from __future__ import annotations

from collections.abc import Mapping

from bots.i18n import Message, msg
from bots.model import Problem, StructuredParams
from bots.pipeline.request_checks import short, split_list, split_mapped_property
from bots.statements import ITEM_ID, PROPERTY_ID

#: A language code as MediaWiki writes them: ``en``, ``sv``, ``pt-br``, ``be-tarask``.

#: Each problem's message key and the names of its parameters, in order.
MESSAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "language": ("hubbot-sdc-request-language", ("value",)),
    "item": ("hubbot-sdc-request-item", ("value",)),
    "statement_form": ("hubbot-sdc-request-statement-form", ("value",)),
    "statement_property": ("hubbot-sdc-request-statement-property", ("value",)),
    "statement_empty": ("hubbot-sdc-request-statement-empty", ("value",)),
}


def message(key: str, **values: str) -> Message:
    name, params = MESSAGES[key]
    return msg(name, *(short(values[p]) for p in params))


def check_item(param: str, value: str) -> tuple[str | None, list[Problem]]:
    if not value:
        return None, []
    if ITEM_ID.fullmatch(value.strip()):
        return value.strip(), []
    return None, [Problem(param, message("item", value=value))]


def check_statements(value: str) -> tuple[tuple[tuple[str, str], ...], list[Problem]]:
    """``P136=Q3305213; P1476={title}``: (property, value as written) pairs, in order."""
    pairs: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for part in split_list(value):
        prop, sep, written = part.partition("=")
        prop, written = prop.strip(), written.strip()
        if not sep:
            problems.append(Problem("statements", message("statement_form", value=part)))
        elif not PROPERTY_ID.fullmatch(prop.upper()):
            problems.append(Problem("statements", message("statement_property", value=prop)))
        elif not written:
            problems.append(Problem("statements", message("statement_empty", value=part)))
        elif (prop.upper(), written) not in pairs:
            pairs.append((prop.upper(), written))
    return tuple(pairs), problems


def mapped_properties(value: str) -> dict[str, str]:
    """The properties a request's ``mapped`` names for its columns' new tables."""
    found: dict[str, str] = {}
    for item in split_list(value):
        column, prop = split_mapped_property(item)
        if prop:
            found.setdefault(column, prop)
    return found


def read_structured(
    params: Mapping[str, str], captions: Mapping[str, str]
) -> tuple[StructuredParams, list[Problem]]:
    """The request's structured-data parameters, with every problem of form.

    ``captions`` are the ``caption_LANG`` parameters by language code; the
    plain ``caption`` is in ``params``.
    """
    collection, problems = check_item("collection", params.get("collection", ""))
    partner_item, more = check_item("partner_item", params.get("partner_item", ""))
    problems += more
    statements, more = check_statements(params.get("statements", ""))
    problems += more
    patterns = dict(captions)
    if params.get("caption"):
        patterns[""] = params["caption"]
    return (
        StructuredParams(
            captions=patterns,
            statements=statements,
            collection=collection,
            inventory=params.get("inventory") or None,
            partner_item=partner_item,
            mapped_properties=mapped_properties(params.get("mapped", "")),
        ),
        problems,
    )
