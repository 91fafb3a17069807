"""Licences: the names requests use, matched loosely, and the licence template each stands for."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

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
    request: Request, record: Mapping[str, object], licenses: Mapping[str, str], where: str
) -> tuple[str | None, list[Problem]]:
    allowed = ", ".join(licenses) or "(none configured)"
    value = ""
    if request.license_column:
        value = normalise_value(cell(record, request.license_column)).strip()
    if value:
        origin = f'column "{request.license_column}"'
    else:
        value = (request.license or "").strip()
        origin = "the request's license parameter"
    if not value:
        missing = (
            f'its column "{request.license_column}" is empty and the request gives no license'
            if request.license_column
            else "the request gives neither license nor license_column"
        )
        return None, [
            Problem(where, f"The record has no licence: {missing}. Allowed licences: {allowed}.")
        ]
    name = match_license(value, licenses)
    if name is None:
        return None, [
            Problem(
                where,
                f'The licence "{value}" (from {origin}) is not one the hub may upload. '
                f"Allowed licences: {allowed}.",
            )
        ]
    return licence_template(licenses[name]), []
