"""Licences: the names requests use, matched loosely, and the licence template each stands for."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from bots.i18n.message import Message, Param, items, msg
from bots.model import Problem, Request
from bots.pipeline.escape import normalise_value
from bots.pipeline.patterns import cell


def canonical_licence(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


def match_license(value: str, licenses: Mapping[str, str]) -> str | None:
    """The configured licence name ``value`` means, if any.

    Exact names win; otherwise case, spaces and punctuation are ignored, so a
    source saying ``CC-BY-4.0`` matches the configured ``CC BY 4.0``.
    """
    value = value.strip()
    if value in licenses:
        return value
    wanted = canonical_licence(value)
    if not wanted:
        return None
    for name in licenses:
        if canonical_licence(name) == wanted:
            return name
    return None


def licence_template(template: str) -> str:
    """``cc-zero`` or ``{{cc-zero}}`` from the configuration, as the name inside ``{{ }}``."""
    name = template.strip()
    if name.startswith("{{") and name.endswith("}}"):
        name = name[2:-2].strip()
    return name


def record_licence_name(
    request: Request, record: Mapping[str, object], names: Iterable[str]
) -> str | None:
    """The configured name of the licence a record is under (its own column first), or None."""
    value = ""
    if request.license_column:
        value = normalise_value(cell(record, request.license_column)).strip()
    value = value or (request.license or "").strip()
    return match_license(value, dict.fromkeys(names, "")) if value else None


def record_licence(
    request: Request,
    record: Mapping[str, object],
    licenses: Mapping[str, str],
    where: str | Message,
) -> tuple[str | None, list[Problem]]:
    allowed: Param = items(list(licenses)) if licenses else msg("hubbot-licence-none-configured")
    value = ""
    if request.license_column:
        value = normalise_value(cell(record, request.license_column)).strip()
    if value:
        origin = msg("hubbot-licence-from-column", request.license_column or "")
    else:
        value = (request.license or "").strip()
        origin = msg("hubbot-licence-from-request")
    if not value:
        missing = (
            msg("hubbot-licence-column-empty", request.license_column)
            if request.license_column
            else msg("hubbot-licence-not-given")
        )
        return None, [Problem(where, msg("hubbot-problem-no-licence", missing, allowed))]
    name = match_license(value, licenses)
    if name is None:
        return None, [
            Problem(where, msg("hubbot-problem-licence-not-allowed", value, origin, allowed))
        ]
    return licence_template(licenses[name]), []
