"""A three-way merge of one file page: base (what the bot last wrote), ours (what it would write now), theirs (the page now).

Template fields and categories the community changed are kept, and listed as
conflicts where the partner's data changed too; everything else the request
sets is updated. Pure: tested with tables of cases and hypothesis properties."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import mwparserfromhell
from mwparserfromhell.nodes import Template, Text, Wikilink
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode

from bots.i18n.message import Message, msg
from bots.model import TEMPLATE_FIELDS
from bots.wikitext import CATEGORY_PREFIX_RE

WHITESPACE = re.compile(r"\s+")

#: The file description templates whose parameters are merged one by one.
DESCRIPTION_TEMPLATES: tuple[str, ...] = tuple(TEMPLATE_FIELDS)


@dataclass(frozen=True)
class Conflict:
    """A parameter both the community and the partner's data changed, differently.

    The page keeps ``theirs``; a person decides whether ``ours`` should win.
    Values are the parameter's text with surrounding white space removed; a
    parameter missing from a version is ``None``.
    """

    param: str
    base: str | None
    ours: str | None
    theirs: str | None


@dataclass(frozen=True)
class SyncResult:
    """The outcome of merging one file page."""

    new_text: str
    changed: bool
    updated_params: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    added_categories: tuple[str, ...] = ()
    removed_categories: tuple[str, ...] = ()
    #: plain sentences about things the merge could not do (e.g. template replaced)
    notes: tuple[Message, ...] = ()


def compared_form(text: str | None) -> str | None:
    """A value as compared: runs of white space count as one space, ends trimmed."""
    if text is None:
        return None
    return WHITESPACE.sub(" ", text).strip()


def param_key(name: str) -> str:
    """``Other_versions``, ``other versions`` and `` other versions `` are one parameter."""
    return WHITESPACE.sub(" ", name.replace("_", " ")).strip().lower()


def template_key(name: str) -> str:
    text = WHITESPACE.sub(" ", name.replace("_", " ")).strip()
    if text.lower().startswith("template:"):
        text = text[len("template:") :].strip()
    return text[:1].upper() + text[1:]


def category_key(name: str) -> str:
    """A category name as the wiki compares it: spaces for underscores, first letter upper."""
    text = WHITESPACE.sub(" ", name.replace("_", " ")).strip()
    return text[:1].upper() + text[1:]


def category_of(link: Wikilink) -> str | None:
    """The category a link puts the page in, or None (``[[:Category:X]]`` only links)."""
    target = str(link.title)
    if target.lstrip().startswith(":"):
        return None
    if not CATEGORY_PREFIX_RE.match(target):
        return None
    name = category_key(CATEGORY_PREFIX_RE.sub("", target, count=1))
    return name or None


def categories_in(text: str) -> list[str]:
    """The categories a page's text names with ``[[Category:...]]`` links, in order, once each.

    Categories that templates add are not seen here: only what is written.
    """
    seen: dict[str, None] = {}
    for link in mwparserfromhell.parse(text, skip_style_tags=True).filter_wikilinks():
        name = category_of(link)
        if name is not None:
            seen.setdefault(name, None)
    return list(seen)


def description_template(code: Wikicode, names: Sequence[str]) -> Template | None:
    """The first top-level file description template on the page."""
    wanted = {template_key(n) for n in names}
    for node in code.filter_templates(recursive=False):
        if template_key(str(node.name)) in wanted:
            return node
    return None


def params(template: Template | None) -> dict[str, Parameter]:
    """Named parameters by key; when one is written twice the last counts, as on the wiki."""
    if template is None:
        return {}
    return {param_key(str(p.name)): p for p in template.params if p.showkey}


def value(param: Parameter | None) -> str | None:
    return None if param is None else str(param.value).strip()


def split_ws(text: str) -> tuple[str, str, str]:
    """``text`` as (leading white space, core, trailing white space)."""
    core = text.strip()
    if not core:
        return "", "", text
    start = text.index(core)
    return text[:start], core, text[start + len(core) :]


def set_value(param: Parameter, new_core: str, model: Parameter | None) -> None:
    """Replace a parameter's value, keeping the page's own spacing around it."""
    lead, core, trail = split_ws(str(param.value))
    if not new_core:
        param.value = trail  # "|name =" followed by the line break, as the bot writes it
        return
    if not core:
        # an empty parameter: borrow the space after "=" from the bot's rendering
        lead = split_ws(str(model.value))[0] if model is not None else " "
    param.value = lead + new_core + trail


def gap_before_last(template: Template) -> str:
    """The white space that separates parameters (e.g. a newline and an indent)."""
    params = template.params
    if len(params) >= 2:
        return split_ws(str(params[-2].value))[2]
    return split_ws(str(template.name))[2]


def append_param(template: Template, name: str, new_core: str, model: Parameter | None) -> None:
    """Add a parameter at the end, laid out like the parameters already there."""
    params = template.params
    if not params:
        template.add(name, new_core)
        return
    last = params[-1]
    lead, core, end = split_ws(str(last.value))
    gap = gap_before_last(template) or end
    last.value = (lead + core if core else "") + gap
    name_lead, _, name_trail = split_ws(str(last.name))
    if model is not None:
        value_lead = split_ws(str(model.value))[0]
    else:
        value_lead = lead
    value = (value_lead + new_core if new_core else "") + end
    template.add(name_lead + name + name_trail, value, showkey=True, preserve_spacing=False)


def insert_param(
    template: Template,
    name: str,
    new_core: str,
    model: Parameter | None,
    before: Parameter | None,
) -> None:
    if before is None:
        append_param(template, name, new_core, model)
        return
    template.add(name, new_core, showkey=True, before=before, preserve_spacing=True)


def remove_param(template: Template, param: Parameter) -> None:
    """Remove a parameter; the last one hands its closing white space on."""
    params = template.params
    is_last = params and params[-1] is param
    end = split_ws(str(param.value))[2]
    template.remove(param, keep_field=False)
    if is_last:
        if template.params:
            last = template.params[-1]
            lead, core, _ = split_ws(str(last.value))
            last.value = (lead + core if core else "") + end
        else:
            template.name = str(template.name).rstrip() + end


def category_links(code: Wikicode) -> list[tuple[str, Wikilink]]:
    out = []
    for node in code.nodes:
        if isinstance(node, Wikilink):
            name = category_of(node)
            if name is not None:
                out.append((name, node))
    return out


def remove_node_line(code: Wikicode, node: Wikilink) -> None:
    """Remove a top-level node; if it stood on a line of its own, remove that line too."""
    nodes = code.nodes
    index = next(i for i, n in enumerate(nodes) if n is node)
    before = nodes[index - 1] if index > 0 else None
    after = nodes[index + 1] if index + 1 < len(nodes) else None
    starts_line = before is None or (isinstance(before, Text) and str(before).endswith("\n"))
    ends_line = after is None or (isinstance(after, Text) and str(after).startswith("\n"))
    del nodes[index]
    if starts_line and ends_line:
        if isinstance(after, Text):
            after.value = after.value[1:]
        elif isinstance(before, Text):
            before.value = before.value[:-1]


def add_categories(code: Wikicode, links: Sequence[str]) -> None:
    """Add category links after the page's last category link, or at the end."""
    if not links:
        return
    block = "\n".join(links)
    existing = category_links(code)
    if existing:
        anchor = existing[-1][1]
        code.insert_after(anchor, "\n" + block)
        return
    text = str(code)
    stripped = text.rstrip()
    trailing = text[len(stripped) :]
    separator = "\n\n" if stripped else ""
    code.nodes.clear()
    code.append(stripped + separator + block + ("\n" if trailing.endswith("\n") else ""))


def merge_categories(
    base: Wikicode, ours: Wikicode, theirs: Wikicode, *, force: bool = False
) -> tuple[list[str], list[str]]:
    """Apply the bot's category changes to ``theirs`` in place; returns (added, removed).

    A category the bot dropped is removed only where its link is still exactly
    as the bot wrote it, unless ``force`` (replaying the bot's own edits).
    """
    base_links = {name: str(link) for name, link in category_links(base)}
    ours_links = {name: str(link) for name, link in category_links(ours)}
    theirs_all = set(categories_in(str(theirs)))
    removed: list[str] = []
    for name, link in category_links(theirs):
        dropped = name in base_links and name not in ours_links
        if dropped and (force or str(link) == base_links[name]):
            remove_node_line(theirs, link)
            removed.append(name)
    added = [name for name in ours_links if name not in base_links and name not in theirs_all]
    add_categories(theirs, [ours_links[name] for name in added])
    return added, removed


def three_way_merge(
    base: str,
    ours: str,
    theirs: str,
    *,
    templates: Sequence[str] = DESCRIPTION_TEMPLATES,
) -> SyncResult:
    """Bring the partner's changes (base -> ours) into the page as it is now (theirs).

    See the module docstring for the rules. ``merge(base, base, theirs)`` is
    always ``theirs`` unchanged, and nothing outside the description
    template's merged parameters and the bot's own category links is touched.
    """
    if theirs == ours or base == ours:
        return SyncResult(new_text=theirs, changed=False)
    base_code = mwparserfromhell.parse(base, skip_style_tags=True)
    ours_code = mwparserfromhell.parse(ours, skip_style_tags=True)
    theirs_code = mwparserfromhell.parse(theirs, skip_style_tags=True)
    updated, conflicts, notes = merge_params(base_code, ours_code, theirs_code, templates)
    added, removed = merge_categories(base_code, ours_code, theirs_code)
    new_text = str(theirs_code)
    return SyncResult(
        new_text=new_text,
        changed=new_text != theirs,
        updated_params=tuple(updated),
        conflicts=tuple(conflicts),
        added_categories=tuple(added),
        removed_categories=tuple(removed),
        notes=tuple(notes),
    )


def merge_params(
    base_code: Wikicode,
    ours_code: Wikicode,
    theirs_code: Wikicode,
    templates: Sequence[str],
    *,
    force: bool = False,
) -> tuple[list[str], list[Conflict], list[Message]]:
    """Apply the bot's parameter changes to ``theirs_code`` in place.

    With ``force`` (replaying the bot's own edits) a change is applied even
    where ``theirs`` differs from ``base``.
    """
    base_t = description_template(base_code, templates)
    ours_t = description_template(ours_code, templates)
    theirs_t = description_template(theirs_code, templates)
    if ours_t is None:
        return [], [], []
    ours_name = template_key(str(ours_t.name))
    if theirs_t is None:
        return (
            [],
            [],
            [msg("hubbot-sync-template-gone", ours_name)],
        )
    theirs_name = template_key(str(theirs_t.name))
    base_name = template_key(str(base_t.name)) if base_t is not None else None
    if theirs_name != ours_name or (base_name is not None and base_name != ours_name):
        return (
            [],
            [],
            [msg("hubbot-sync-template-changed", theirs_name, ours_name)],
        )
    base_p, ours_p, theirs_p = params(base_t), params(ours_t), params(theirs_t)
    ours_order = list(ours_p)
    updated: list[str] = []
    conflicts: list[Conflict] = []
    for key in dict.fromkeys([*base_p, *ours_p]):
        b, o, t = value(base_p.get(key)), value(ours_p.get(key)), value(theirs_p.get(key))
        nb, no, nt = compared_form(b), compared_form(o), compared_form(t)
        if no == nb or no == nt:
            continue  # the partner's data did not change it, or the page already agrees
        if nt != nb and not force:
            conflicts.append(Conflict(display_name(key, ours_p, base_p), b, o, t))
            continue
        name = display_name(key, ours_p, base_p)
        param = theirs_p.get(key)
        model = ours_p.get(key)
        if o is None:
            if param is not None:
                remove_param(theirs_t, param)
                updated.append(name)
            continue
        if param is not None:
            set_value(param, o, model)
        else:
            following = next_present(key, ours_order, theirs_p)
            insert_param(theirs_t, str(model.name).strip() if model else name, o, model, following)
            theirs_p = params(theirs_t)
        updated.append(name)
    return updated, conflicts, []


def display_name(key: str, *sources: dict[str, Parameter]) -> str:
    for params in sources:
        if key in params:
            return str(params[key].name).strip()
    return key


def next_present(key: str, order: list[str], present: dict[str, Parameter]) -> Parameter | None:
    """The parameter that follows ``key`` in the bot's order and is on the page, if any."""
    for later in order[order.index(key) + 1 :]:
        if later in present:
            return present[later]
    return None
