"""Keep finished files in step with the partner's data without undoing community work.

``hubbot sync`` re-reads a finished request's source and renders every record
again. For each file page three texts meet:

- *base*: what the bot last rendered for the page (see :func:`last_rendering`),
- *ours*: what the bot would write now (freshly rendered),
- *theirs*: the page as it is now, with whatever volunteers did to it.

:func:`three_way_merge` decides, one parameter of the file description
template (``{{Information}}``, ``{{Artwork}}``, ``{{Photograph}}``) at a time,
and one category at a time:

- a parameter nobody touched since the bot wrote it (theirs equals base) takes
  the new value;
- a parameter somebody changed is kept as they left it; when the partner's
  data changed it too (to something else), that is a *conflict*, reported so a
  person can decide, never settled by the bot;
- parameters volunteers added or removed stay added or removed;
- categories the bot now adds are added; categories the bot wrote before and
  no longer wants are removed only when the link is still exactly as the bot
  wrote it; categories volunteers added are never removed;
- everything else on the page (other templates, text, the licence section,
  community additions) stays byte for byte as it is.

Values are compared after normalising white space, so re-indenting a template
or adding a line break does not count as a change. All of this is pure: the
wiki reads and writes happen in the caller, which reads a page's history with
:func:`bots.wiki.newest_revisions` (or :meth:`bots.wiki.Wiki.revisions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import mwparserfromhell
from mwparserfromhell.nodes import Template, Text, Wikilink
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode

from bots.hub import SUMMARY_PREFIX
from bots.model import TEMPLATE_FIELDS, SyncConflict, SyncNote, SyncReport
from bots.wiki import Revision
from bots.wikitext import CATEGORY_PREFIX_RE

#: The file description templates whose parameters are merged one by one.
DESCRIPTION_TEMPLATES: tuple[str, ...] = tuple(TEMPLATE_FIELDS)


_WHITESPACE = re.compile(r"\s+")


# --- results -------------------------------------------------------------------


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
    notes: tuple[str, ...] = ()


# --- small helpers ---------------------------------------------------------------


def compared_form(text: str | None) -> str | None:
    """A value as compared: runs of white space count as one space, ends trimmed."""
    if text is None:
        return None
    return _WHITESPACE.sub(" ", text).strip()


def _param_key(name: str) -> str:
    """``Other_versions``, ``other versions`` and `` other versions `` are one parameter."""
    return _WHITESPACE.sub(" ", name.replace("_", " ")).strip().lower()


def _template_key(name: str) -> str:
    text = _WHITESPACE.sub(" ", name.replace("_", " ")).strip()
    if text.lower().startswith("template:"):
        text = text[len("template:") :].strip()
    return text[:1].upper() + text[1:]


def category_key(name: str) -> str:
    """A category name as the wiki compares it: spaces for underscores, first letter upper."""
    text = _WHITESPACE.sub(" ", name.replace("_", " ")).strip()
    return text[:1].upper() + text[1:]


def _category_of(link: Wikilink) -> str | None:
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
        name = _category_of(link)
        if name is not None:
            seen.setdefault(name, None)
    return list(seen)


def _description_template(code: Wikicode, names: Sequence[str]) -> Template | None:
    """The first top-level file description template on the page."""
    wanted = {_template_key(n) for n in names}
    for node in code.filter_templates(recursive=False):
        if _template_key(str(node.name)) in wanted:
            return node
    return None


def _params(template: Template | None) -> dict[str, Parameter]:
    """Named parameters by key; when one is written twice the last counts, as on the wiki."""
    if template is None:
        return {}
    return {_param_key(str(p.name)): p for p in template.params if p.showkey}


def _value(param: Parameter | None) -> str | None:
    return None if param is None else str(param.value).strip()


def _split_ws(text: str) -> tuple[str, str, str]:
    """``text`` as (leading white space, core, trailing white space)."""
    core = text.strip()
    if not core:
        return "", "", text
    start = text.index(core)
    return text[:start], core, text[start + len(core) :]


# --- editing a template in place ------------------------------------------------


def _set_value(param: Parameter, new_core: str, model: Parameter | None) -> None:
    """Replace a parameter's value, keeping the page's own spacing around it."""
    lead, core, trail = _split_ws(str(param.value))
    if not new_core:
        param.value = trail  # "|name =" followed by the line break, as the bot writes it
        return
    if not core:
        # an empty parameter: borrow the space after "=" from the bot's rendering
        lead = _split_ws(str(model.value))[0] if model is not None else " "
    param.value = lead + new_core + trail


def _gap_before_last(template: Template) -> str:
    """The white space that separates parameters (e.g. a newline and an indent)."""
    params = template.params
    if len(params) >= 2:
        return _split_ws(str(params[-2].value))[2]
    return _split_ws(str(template.name))[2]


def _append_param(template: Template, name: str, new_core: str, model: Parameter | None) -> None:
    """Add a parameter at the end, laid out like the parameters already there."""
    params = template.params
    if not params:
        template.add(name, new_core)
        return
    last = params[-1]
    lead, core, end = _split_ws(str(last.value))
    gap = _gap_before_last(template) or end
    last.value = (lead + core if core else "") + gap
    name_lead, _, name_trail = _split_ws(str(last.name))
    if model is not None:
        value_lead = _split_ws(str(model.value))[0]
    else:
        value_lead = lead
    value = (value_lead + new_core if new_core else "") + end
    template.add(name_lead + name + name_trail, value, showkey=True, preserve_spacing=False)


def _insert_param(
    template: Template,
    name: str,
    new_core: str,
    model: Parameter | None,
    before: Parameter | None,
) -> None:
    if before is None:
        _append_param(template, name, new_core, model)
        return
    template.add(name, new_core, showkey=True, before=before, preserve_spacing=True)


def _remove_param(template: Template, param: Parameter) -> None:
    """Remove a parameter; the last one hands its closing white space on."""
    params = template.params
    is_last = params and params[-1] is param
    end = _split_ws(str(param.value))[2]
    template.remove(param, keep_field=False)
    if is_last:
        if template.params:
            last = template.params[-1]
            lead, core, _ = _split_ws(str(last.value))
            last.value = (lead + core if core else "") + end
        else:
            template.name = str(template.name).rstrip() + end


# --- categories -----------------------------------------------------------------


def _category_links(code: Wikicode) -> list[tuple[str, Wikilink]]:
    out = []
    for node in code.nodes:
        if isinstance(node, Wikilink):
            name = _category_of(node)
            if name is not None:
                out.append((name, node))
    return out


def _remove_node_line(code: Wikicode, node: Wikilink) -> None:
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


def _add_categories(code: Wikicode, links: Sequence[str]) -> None:
    """Add category links after the page's last category link, or at the end."""
    if not links:
        return
    block = "\n".join(links)
    existing = _category_links(code)
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


def _merge_categories(
    base: Wikicode, ours: Wikicode, theirs: Wikicode, *, force: bool = False
) -> tuple[list[str], list[str]]:
    """Apply the bot's category changes to ``theirs`` in place; returns (added, removed).

    A category the bot dropped is removed only where its link is still exactly
    as the bot wrote it, unless ``force`` (replaying the bot's own edits).
    """
    base_links = {name: str(link) for name, link in _category_links(base)}
    ours_links = {name: str(link) for name, link in _category_links(ours)}
    theirs_all = set(categories_in(str(theirs)))
    removed: list[str] = []
    for name, link in _category_links(theirs):
        dropped = name in base_links and name not in ours_links
        if dropped and (force or str(link) == base_links[name]):
            _remove_node_line(theirs, link)
            removed.append(name)
    added = [name for name in ours_links if name not in base_links and name not in theirs_all]
    _add_categories(theirs, [ours_links[name] for name in added])
    return added, removed


# --- the merge ------------------------------------------------------------------


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
    updated, conflicts, notes = _merge_params(base_code, ours_code, theirs_code, templates)
    added, removed = _merge_categories(base_code, ours_code, theirs_code)
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


def _merge_params(
    base_code: Wikicode,
    ours_code: Wikicode,
    theirs_code: Wikicode,
    templates: Sequence[str],
    *,
    force: bool = False,
) -> tuple[list[str], list[Conflict], list[str]]:
    """Apply the bot's parameter changes to ``theirs_code`` in place.

    With ``force`` (replaying the bot's own edits) a change is applied even
    where ``theirs`` differs from ``base``.
    """
    base_t = _description_template(base_code, templates)
    ours_t = _description_template(ours_code, templates)
    theirs_t = _description_template(theirs_code, templates)
    if ours_t is None:
        return [], [], []
    ours_name = _template_key(str(ours_t.name))
    if theirs_t is None:
        return (
            [],
            [],
            [
                f"The page no longer has the {{{{{ours_name}}}}} template, so its "
                "fields were not updated."
            ],
        )
    theirs_name = _template_key(str(theirs_t.name))
    base_name = _template_key(str(base_t.name)) if base_t is not None else None
    if theirs_name != ours_name or (base_name is not None and base_name != ours_name):
        return (
            [],
            [],
            [
                f"The page uses {{{{{theirs_name}}}}} and the request now renders "
                f"{{{{{ours_name}}}}}; the fields were left as they are."
            ],
        )
    base_p, ours_p, theirs_p = _params(base_t), _params(ours_t), _params(theirs_t)
    ours_order = list(ours_p)
    updated: list[str] = []
    conflicts: list[Conflict] = []
    for key in dict.fromkeys([*base_p, *ours_p]):
        b, o, t = _value(base_p.get(key)), _value(ours_p.get(key)), _value(theirs_p.get(key))
        nb, no, nt = compared_form(b), compared_form(o), compared_form(t)
        if no == nb or no == nt:
            continue  # the partner's data did not change it, or the page already agrees
        if nt != nb and not force:
            conflicts.append(Conflict(_display_name(key, ours_p, base_p), b, o, t))
            continue
        name = _display_name(key, ours_p, base_p)
        param = theirs_p.get(key)
        model = ours_p.get(key)
        if o is None:
            if param is not None:
                _remove_param(theirs_t, param)
                updated.append(name)
            continue
        if param is not None:
            _set_value(param, o, model)
        else:
            following = _next_present(key, ours_order, theirs_p)
            _insert_param(theirs_t, str(model.name).strip() if model else name, o, model, following)
            theirs_p = _params(theirs_t)
        updated.append(name)
    return updated, conflicts, []


def _display_name(key: str, *sources: dict[str, Parameter]) -> str:
    for params in sources:
        if key in params:
            return str(params[key].name).strip()
    return key


def _next_present(key: str, order: list[str], present: dict[str, Parameter]) -> Parameter | None:
    """The parameter that follows ``key`` in the bot's order and is on the page, if any."""
    for later in order[order.index(key) + 1 :]:
        if later in present:
            return present[later]
    return None


# --- many files -------------------------------------------------------------------


@dataclass(frozen=True)
class SyncCandidate:
    """One uploaded record, as sync sees it."""

    record_id: str
    title: str  # the file page title, with "File:"
    #: what the bot last rendered (:func:`last_rendering`), or None when unknown
    base: str | None
    #: the page as the bot would write it now
    ours: str
    #: the page now, or None when it no longer exists
    theirs: str | None


@dataclass(frozen=True)
class SyncEdit:
    """One file page to save."""

    record_id: str
    title: str
    text: str
    summary: str
    updated_params: tuple[str, ...]
    added_categories: tuple[str, ...]
    removed_categories: tuple[str, ...]


@dataclass(frozen=True)
class RecordConflict:
    record_id: str
    title: str
    conflict: Conflict


@dataclass(frozen=True)
class RecordNote:
    record_id: str
    title: str
    message: str


@dataclass(frozen=True)
class SyncPlan:
    """Everything one sync of one request would do and report."""

    edits: tuple[SyncEdit, ...] = ()
    conflicts: tuple[RecordConflict, ...] = ()
    #: records whose rendering did not change, or whose page already matched
    unchanged: int = 0
    #: record ids in the source the journal has never seen: they need preview and approval
    new_records: tuple[str, ...] = ()
    #: (record id, file title) of uploaded records no longer in the source; never deleted
    vanished: tuple[tuple[str, str], ...] = ()
    #: pages that could not be synced, with why
    skipped: tuple[RecordNote, ...] = ()
    #: things a person should know about pages that were synced
    notes: tuple[RecordNote, ...] = field(default=())


def edit_summary(
    request_page: str,
    name: str,
    updated: Sequence[str],
    added: Sequence[str] = (),
    removed: Sequence[str] = (),
    *,
    prefix: str = SUMMARY_PREFIX,
) -> str:
    """An edit summary that links the request and says what changed."""
    parts = []
    if updated:
        parts.append("updated " + ", ".join(updated))
    if added:
        parts.append("added " + ", ".join(f"[[:Category:{c}]]" for c in added))
    if removed:
        parts.append("removed " + ", ".join(f"[[:Category:{c}]]" for c in removed))
    what = "; ".join(parts) or "no visible change"
    return f"{prefix}: sync with the partner's data for [[{request_page}|{name}]] ({what})"


def plan_sync(
    name: str,
    request_page: str,
    candidates: Iterable[SyncCandidate],
    *,
    source_ids: Iterable[str] = (),
    journal_ids: Iterable[str] = (),
    uploaded: Iterable[tuple[str, str]] = (),
    summary_prefix: str = SUMMARY_PREFIX,
) -> SyncPlan:
    """What sync does for one request (pure).

    ``candidates`` are the uploaded records still in the source, each with its
    three texts. ``source_ids`` are every record id in the source now,
    ``journal_ids`` every id the state store knows for the request, and
    ``uploaded`` the (record id, file title) pairs of uploaded records; from
    these come the records that are new (they go through preview and approval
    like any batch) and those that vanished (listed, never deleted).
    """
    edits: list[SyncEdit] = []
    conflicts: list[RecordConflict] = []
    skipped: list[RecordNote] = []
    notes: list[RecordNote] = []
    unchanged = 0
    for item in candidates:
        if item.theirs is None:
            skipped.append(
                RecordNote(
                    item.record_id,
                    item.title,
                    "The file page no longer exists (deleted?); sync does not re-create it.",
                )
            )
            continue
        if item.base is None:
            skipped.append(
                RecordNote(
                    item.record_id,
                    item.title,
                    "The bot's own version of this page could not be found, so it cannot "
                    "tell community edits from its own; the page was left alone.",
                )
            )
            continue
        result = three_way_merge(item.base, item.ours, item.theirs)
        conflicts.extend(RecordConflict(item.record_id, item.title, c) for c in result.conflicts)
        notes.extend(RecordNote(item.record_id, item.title, n) for n in result.notes)
        if not result.changed:
            unchanged += 1
            continue
        edits.append(
            SyncEdit(
                record_id=item.record_id,
                title=item.title,
                text=result.new_text,
                summary=edit_summary(
                    request_page,
                    name,
                    result.updated_params,
                    result.added_categories,
                    result.removed_categories,
                    prefix=summary_prefix,
                ),
                updated_params=result.updated_params,
                added_categories=result.added_categories,
                removed_categories=result.removed_categories,
            )
        )
    in_source = list(dict.fromkeys(source_ids))
    known = set(journal_ids)
    present = set(in_source)
    return SyncPlan(
        edits=tuple(edits),
        conflicts=tuple(conflicts),
        unchanged=unchanged,
        new_records=tuple(i for i in in_source if i not in known),
        vanished=tuple(sorted((i, t) for i, t in uploaded if i not in present)),
        skipped=tuple(skipped),
        notes=tuple(notes),
    )


# --- reporting ---------------------------------------------------------------------


def sync_report(plan: SyncPlan, *, updated: str, saved: int) -> SyncReport:
    """What the status page keeps of one sync: what it changed, kept and could not do."""
    return SyncReport(
        updated=updated,
        saved=saved,
        unchanged=plan.unchanged,
        conflicts=tuple(
            SyncConflict(
                c.title,
                c.record_id,
                c.conflict.param,
                c.conflict.base,
                c.conflict.ours,
                c.conflict.theirs,
            )
            for c in plan.conflicts
        ),
        new_records=plan.new_records,
        vanished=plan.vanished,
        left_alone=tuple(
            SyncNote(n.title, n.record_id, n.message) for n in (*plan.skipped, *plan.notes)
        ),
    )


# --- what the bot last rendered -------------------------------------------------------


def _same_user(a: str, b: str) -> bool:
    def norm(name: str) -> str:
        name = name.replace("_", " ").strip()
        return name[:1].upper() + name[1:]

    return norm(a) == norm(b)


def _replay(rendered: str, before: str, after: str, templates: Sequence[str]) -> str:
    """``rendered`` with the changes one bot edit made to its page (``before`` -> ``after``)."""
    if before == after:
        return rendered
    before_code = mwparserfromhell.parse(before, skip_style_tags=True)
    after_code = mwparserfromhell.parse(after, skip_style_tags=True)
    code = mwparserfromhell.parse(rendered, skip_style_tags=True)
    _merge_params(before_code, after_code, code, templates, force=True)
    _merge_categories(before_code, after_code, code, force=True)
    return str(code)


def last_rendering(
    revisions: Iterable[Revision],
    bot_user: str,
    *,
    templates: Sequence[str] = DESCRIPTION_TEMPLATES,
) -> str | None:
    """What the bot last rendered for a page, rebuilt from the page's history (newest first).

    This, not the bot's latest revision, is the *base* of a sync: when the bot
    saves a merged page, that revision also holds the community's values, and
    taking them for the bot's own would let the next sync overwrite them. So
    the rendering starts as the bot's first revision (the upload) and takes
    from each later bot edit only what that edit changed (parameters whose
    value differs from the revision before it, categories it added or
    removed). None when the bot never edited the page. The whole history is
    read, however long: the rendering starts at the upload, the oldest end.
    """
    oldest_first = list(revisions)[::-1]
    rendered: str | None = None
    for index, revision in enumerate(oldest_first):
        if not _same_user(revision.user, bot_user):
            continue
        if rendered is None:
            rendered = revision.text
        elif index > 0:
            rendered = _replay(rendered, oldest_first[index - 1].text, revision.text, templates)
    return rendered
