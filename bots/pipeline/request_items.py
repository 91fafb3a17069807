"""The request's Wikidata parameters (SPEC 12): ``items`` and ``item_*``.

``language`` and ``collection``, which items share with the files' structured
data, are read with it (:mod:`bots.pipeline.request_structured`).

Read when the request is parsed, so that a partner sees every mistake in
these parameters at once, with the parameter named. What needs the Wikibase
(does the property exist, what is its datatype, is ``P31`` among the
statements under the configured id) is checked when the run has read it
(:func:`check_item_request`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from bots.i18n import Message, msg
from bots.model import ItemSpec, ItemStatementSpec, Problem, Request
from bots.pipeline.values import WRITABLE_DATATYPES
from bots.statements import PROPERTY_ID

#: What ``items`` may say.
ITEM_MODES = ("create", "match")

_STATEMENT = re.compile(r"\s*(P[1-9][0-9]*)\s*=\s*(.*?)\s*", re.ASCII | re.DOTALL)

# --- the sentences a partner reads (one place) ----------------------------------------
#: Each problem's message key and the names of its parameters, in order.
SAY: dict[str, tuple[str, tuple[str, ...]]] = {
    "mode": ("hubbot-items-request-mode", ("value",)),
    "needs_items": ("hubbot-items-request-needs-items", ()),
    "required": ("hubbot-items-request-required", ("what", "example")),
    "statements": ("hubbot-items-request-statements", ()),
    "statement": ("hubbot-items-request-statement", ("part",)),
    "at_column": ("hubbot-items-request-at-column", ("column", "part")),
    "match": ("hubbot-items-request-match", ("value",)),
    "match_value": ("hubbot-items-request-match-value", ("value",)),
    "no_source_url": ("hubbot-items-request-no-source-url", ()),
    "no_instance": ("hubbot-items-request-no-instance", ("prop",)),
    "no_property": ("hubbot-items-request-no-property", ("prop",)),
    "not_item": ("hubbot-items-request-not-item", ("prop", "datatype", "part")),
    "unknown_type": ("hubbot-items-request-unknown-type", ("prop", "datatype")),
}


def say(key: str, **values: str) -> Message:
    """The problem ``key`` of :data:`SAY`, with its values."""
    name, params = SAY[key]
    return msg(name, *(values[p] for p in params))


ITEM_PARAMS = ("item_label", "item_description", "item_statements", "item_match")


def read_items(
    params: Mapping[str, str], mapped: Sequence[str], *, source_url: str = ""
) -> tuple[ItemSpec | None, list[Problem]]:
    """``items`` and the ``item_*`` parameters, or None when the request asks for no items.

    ``source_url`` is the pattern of each record's page at the partner: the
    reference of every statement, so items cannot be made without it.
    """
    mode = params.get("items", "").strip().lower()
    given = [p for p in ITEM_PARAMS if params.get(p, "").strip()]
    if not mode:
        return None, [Problem(p, say("needs_items")) for p in given]
    problems: list[Problem] = []
    if mode not in ITEM_MODES:
        problems.append(Problem("items", say("mode", value=params["items"])))
    for param, what, example in (
        ("item_label", "label", "item_label = {title}"),
        ("item_description", "description", "item_description = painting by {artist}"),
    ):
        if not params.get(param, "").strip():
            problems.append(Problem(param, say("required", what=what, example=example)))
    statements, statement_problems = read_statements(params.get("item_statements", ""), mapped)
    problems += statement_problems
    match = params.get("item_match", "").strip()
    if match and not PROPERTY_ID.fullmatch(match):
        problems.append(Problem("item_match", say("match", value=match)))
    elif match and not statement_problems and match not in {s.property for s in statements}:
        problems.append(Problem("item_match", say("match_value", value=match)))
    if not source_url.strip():
        problems.append(Problem("source_url", say("no_source_url")))
    if problems:
        return None, problems
    spec = ItemSpec(
        mode=mode,
        label=params["item_label"].strip(),
        description=params["item_description"].strip(),
        statements=statements,
        match=match,
    )
    return spec, []


def read_statements(
    text: str, mapped: Sequence[str]
) -> tuple[tuple[ItemStatementSpec, ...], list[Problem]]:
    """``P31=Q3305213; P170=@artist; P217={accession_number}`` as statements to make."""
    parts = [part.strip() for part in text.split(";") if part.strip()]
    if not parts:
        return (), [Problem("item_statements", say("statements"))]
    out: list[ItemStatementSpec] = []
    problems: list[Problem] = []
    for part in parts:
        match = _STATEMENT.fullmatch(part)
        if not match or not match.group(2):
            problems.append(Problem("item_statements", say("statement", part=part)))
            continue
        spec = ItemStatementSpec(match.group(1), match.group(2))
        if spec.column is not None and spec.column not in mapped:
            problems.append(
                Problem("item_statements", say("at_column", column=spec.column, part=part))
            )
            continue
        out.append(spec)
    return tuple(out), problems


def item_columns(
    request: Request, placeholders: Callable[[str], list[str]]
) -> list[tuple[str, str]]:
    """(parameter, column) for every column the item patterns name."""
    spec = request.items
    if spec is None:
        return []
    found = [("item_label", c) for c in placeholders(spec.label)]
    found += [("item_description", c) for c in placeholders(spec.description)]
    for statement in spec.statements:
        if statement.column is None:
            found += [("item_statements", c) for c in placeholders(statement.value)]
    return found


def check_item_request(
    request: Request, datatypes: Mapping[str, str], instance_of: str
) -> list[Problem]:
    """What only the Wikibase can tell: properties that exist, datatypes that fit, a P31.

    ``datatypes`` holds the datatype of each property the Wikibase has
    (those it lacks are absent).
    """
    spec = request.items
    if spec is None:
        return []
    problems: list[Problem] = []
    if instance_of not in {s.property for s in spec.statements}:
        problems.append(Problem("item_statements", say("no_instance", prop=instance_of)))
    for statement in spec.statements:
        prop = statement.property
        datatype = datatypes.get(prop)
        part = f"{prop}={statement.value}"
        if datatype is None:
            problems.append(Problem("item_statements", say("no_property", prop=prop)))
        elif statement.column is not None and datatype != "wikibase-item":
            problems.append(
                Problem(
                    "item_statements",
                    say("not_item", prop=prop, datatype=datatype, part=part),
                )
            )
        elif datatype not in WRITABLE_DATATYPES:
            problems.append(
                Problem("item_statements", say("unknown_type", prop=prop, datatype=datatype))
            )
    if spec.match and spec.match not in datatypes:
        problems.append(Problem("item_match", say("no_property", prop=spec.match)))
    return problems
