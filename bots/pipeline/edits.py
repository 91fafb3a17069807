"""Batch edits of files already on the wiki (SPEC 13, ``|mode = edit``): what each file should become.

A record names its file (``target``: a ``File:`` title, or the SHA-1 of its
bytes) and, through the request's patterns and mapping tables, the template
fields and categories the partner wants on it. The intended page is the page
as it was when the preview was made (the *base*), with exactly those fields
set and those categories added; everything else on the page (other fields,
other templates, community text, the licence) stays as it is. The edit then
merges base -> intended into the page as it is at edit time (three ways,
:mod:`bots.followup.merge`), so a field someone changed after the preview is
kept and listed, never overwritten.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import mwparserfromhell

from bots.followup.merge import (
    DESCRIPTION_TEMPLATES,
    add_categories,
    append_param,
    categories_in,
    category_key,
    description_template,
    param_key,
    params,
    set_value,
    template_key,
)
from bots.i18n.message import Message, msg
from bots.model import TEMPLATE_FIELDS, MappingTable, Problem, Record, Request
from bots.pipeline.balance import explain, unbalanced
from bots.pipeline.escape import normalise_value
from bots.pipeline.patterns import cell, fill_pattern
from bots.pipeline.render import record_categories
from bots.pipeline.structured import build_structured
from bots.pipeline.structured_plan import StructuredPlan
from bots.pipeline.titles import STOCK_RULES, TitleRules
from bots.statements import EntityDraft

SHA1 = re.compile(r"[0-9a-fA-F]{40}")


@dataclass(frozen=True)
class PlannedEdit:
    """One record's change to one file page, before the page is read."""

    record_id: str
    #: the record's file: a title with ``File:``, or the SHA-1 of the file's bytes
    target: str
    #: (field, wikitext) the request sets, in the template's order
    fields: tuple[tuple[str, str], ...]
    categories: tuple[str, ...]
    #: the captions and statements the file should have (SPEC 11), None when it gets none
    structured: EntityDraft | None = None

    @property
    def by_sha1(self) -> bool:
        return bool(SHA1.fullmatch(self.target))


def plan_edit(
    request: Request,
    record: Record,
    mappings: Mapping[str, MappingTable],
    rules: TitleRules = STOCK_RULES,
    structured: StructuredPlan | None = None,
) -> PlannedEdit | list[Problem]:
    """The change one record asks for, or every reason it cannot be made.

    With ``structured`` (the wiki has structured data on files), the file's
    captions and statements are those an upload of the record would get; a
    record whose structured data cannot be made as asked is not edited.
    """
    record_id = normalise_value(cell(record, request.id_column)).strip()
    where = (
        msg("hubbot-where-record", record_id)
        if record_id
        else msg("hubbot-where-record-without-id")
    )
    problems: list[Problem] = []
    if not record_id:
        problems.append(Problem(where, msg("hubbot-problem-id-empty", request.id_column)))
    target = _target(normalise_value(cell(record, request.target_column or "")).strip())
    if not target:
        problems.append(
            Problem(where, msg("hubbot-edit-target-empty", request.target_column or ""))
        )
    allowed = TEMPLATE_FIELDS.get(request.template, ())
    fields = tuple(
        (name, fill_pattern(pattern, record, mappings, request.split))
        for name, pattern in request.fields.items()
        if name in allowed
    )
    for name, value in fields:
        found = unbalanced(value)
        if found:
            problems.append(
                Problem(where, msg("hubbot-problem-field-markup", name, explain(found)))
            )
    draft: EntityDraft | None = None
    if structured is not None and record_id:
        draft, more = build_structured(
            request,
            record,
            mappings,
            structured.settings,
            structured.vocab,
            record_id=record_id,
            item=structured.items.get(record_id, ""),
        )
        problems += more
    if problems:
        return problems
    categories = record_categories(request, record, mappings, rules)
    return PlannedEdit(record_id, target, fields, categories, draft)


def _target(text: str) -> str:
    if SHA1.fullmatch(text):
        return text.lower()
    name = re.sub(r"^\s*(file|image)\s*:\s*", "", text, flags=re.IGNORECASE).strip()
    return f"File:{name.replace('_', ' ')}" if name else ""


@dataclass(frozen=True)
class IntendedPage:
    """The page a record wants, made from the base; ``problem`` when it cannot be made."""

    text: str
    problem: Message | None = None


def intended_page(base: str, edit: PlannedEdit) -> IntendedPage:
    """``base`` with the request's fields set and its categories added (pure)."""
    code = mwparserfromhell.parse(base, skip_style_tags=True)
    template = description_template(code, DESCRIPTION_TEMPLATES)
    if edit.fields and template is None:
        return IntendedPage(base, msg("hubbot-edit-no-template"))
    if template is not None:
        allowed = {param_key(f) for f in TEMPLATE_FIELDS.get(_template_name(template), ())}
        present = params(template)
        for name, value in edit.fields:
            key = param_key(name)
            if key not in allowed:
                return IntendedPage(
                    base, msg("hubbot-edit-no-field", _template_name(template), name)
                )
            if key in present:
                set_value(present[key], value, None)
            else:
                append_param(template, name, value, None)
                present = params(template)
    have = {category_key(c) for c in categories_in(str(code))}
    new = [f"[[Category:{c}]]" for c in edit.categories if category_key(c) not in have]
    add_categories(code, new)
    return IntendedPage(str(code))


def _template_name(template: mwparserfromhell.nodes.Template) -> str:
    key = template_key(str(template.name))
    return next((name for name in TEMPLATE_FIELDS if template_key(name) == key), key)


def readable_diff(before: str, after: str, context: int = 2) -> list[tuple[str, str]]:
    """The change as (kind, line) pairs, kind one of ``-``, ``+`` and `` `` (context)."""
    lines: list[tuple[str, str]] = []
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=context)
    for line in diff:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(("@", "…"))
            continue
        lines.append((line[:1] or " ", line[1:]))
    return lines
