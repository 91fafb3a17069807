"""Small wikitext helpers: template names as MediaWiki reads them, parameter values, edits.

Shared by the request, the mapping tables and every page the bot reads back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import mwparserfromhell
from mwparserfromhell.nodes import Template
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode

TEMPLATE_PREFIX_RE = re.compile(r"^\s*template\s*:\s*", re.IGNORECASE)


#: ``Category:`` at the start of a link target (``[[:Category:X]]`` is a link, not a category).
CATEGORY_PREFIX_RE = re.compile(r"^\s*category\s*:\s*", re.IGNORECASE)
#: ``Category:`` or ``:Category:`` at the start of a category name a person typed.
TYPED_CATEGORY_PREFIX_RE = re.compile(r"^[\s:]*category\s*:\s*", re.IGNORECASE)


def without_category_prefix(name: str) -> str:
    """A category name as a person may type it, without ``Category:`` (or ``:Category:``)."""
    return TYPED_CATEGORY_PREFIX_RE.sub("", name, count=1)


def normalize_template_name(name: str) -> str:
    """Spell a template name the way MediaWiki resolves it.

    MediaWiki ignores the case of the first letter, treats ``_`` as a space,
    collapses runs of spaces and accepts an explicit ``Template:`` prefix, so
    ``{{partnership_request}}`` is the same template as
    ``{{Template:Partnership request}}``.
    """
    name = TEMPLATE_PREFIX_RE.sub("", name.replace("_", " "))
    name = re.sub(r"\s+", " ", name).strip()
    return name[:1].upper() + name[1:]


def is_template(template: Template, name: str) -> bool:
    """Whether ``template`` calls the template ``name`` (comments in the name ignored)."""
    written = clean_value(template.name)
    return normalize_template_name(written) == normalize_template_name(name)


def without_comments(code: Wikicode | str) -> Wikicode:
    """A copy of ``code`` with every HTML comment removed, at any depth.

    Comments are notes to other humans, never part of a value.
    """
    parsed = mwparserfromhell.parse(str(code))
    for comment in parsed.filter_comments(recursive=True):
        try:
            parsed.remove(comment, recursive=True)
        except ValueError:  # already gone with an enclosing node
            pass
    return parsed


def clean_value(code: Wikicode | str) -> str:
    """A parameter value as the bot reads it: comments removed, whitespace trimmed."""
    text = str(code)
    if "<!--" not in text:  # the common case; parsing thousands of cells is slow
        return text.strip()
    return str(without_comments(text)).strip()


def split_spacing(text: str) -> tuple[str, str, str]:
    """(leading whitespace, content, trailing whitespace); an empty value is all trail."""
    content = text.strip()
    if not content:
        newline = text.find("\n")
        if newline == -1:
            return text, "", ""
        return text[:newline], "", text[newline:]
    start = text.index(content)
    return text[:start], content, text[start + len(content) :]


def value_lead(params: Sequence[Parameter]) -> str:
    """The whitespace the template puts between ``=`` and a value."""
    for param in params:
        lead, content, _ = split_spacing(str(param.value))
        if content:
            return lead
    return ""


def separator(params: Sequence[Parameter]) -> str:
    """The whitespace after a value, before the next ``|`` (one line or one a line)."""
    for param in params[:-1]:
        _, content, trail = split_spacing(str(param.value))
        if content or trail:
            return trail
    return ""


def name_like(example: str, name: str, params: Sequence[Parameter]) -> str:
    """``name`` laid out like the template's names (leading space, aligned ``=``)."""
    lead = example[: len(example) - len(example.lstrip())]
    trail = example[len(example.rstrip()) :]
    width, how_many = Counter(len(str(p.name)) for p in params).most_common(1)[0]
    if how_many >= 2 and len(lead) + len(name) < width:
        return (lead + name).ljust(width)
    return lead + name + (" " if trail else "")


def template_param(template: Template, name: str) -> str | None:
    """A named parameter's value as the bot reads it (comments removed, trimmed), or None."""
    if not template.has(name):
        return None
    return clean_value(template.get(name).value)


def set_template_param(template: Template, name: str, value: str) -> None:
    """Set one parameter of ``template`` in place, keeping its layout (see set_param)."""
    named = [p for p in template.params if p.showkey]
    matching = [p for p in named if clean_value(p.name) == name.strip()]
    if matching:
        param = matching[-1]
        lead, content, trail = split_spacing(str(param.value))
        if not content and not lead:
            lead = value_lead(named)
        param.value = mwparserfromhell.parse(lead + value + trail)
        return
    if not named:
        template.add(name, value, preserve_spacing=False)
        return
    last = named[-1]
    body_lead, body, body_trail = split_spacing(str(last.value))
    last.value = mwparserfromhell.parse(body_lead + body + separator(template.params))
    template.add(
        name_like(str(last.name), name, named),
        value_lead(named) + value + body_trail,
        preserve_spacing=False,
    )
