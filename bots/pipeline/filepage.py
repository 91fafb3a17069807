"""The file page from its parts (SPEC 8), with the text around the values rendered once a batch.

:func:`compose_page` renders ``wiki_templates/filepage/filepage.wikitext.j2``
with Jinja2. A batch renders that template for every record with the same
template name, licence and request, and only a few kinds of pages: the
fields present or empty, the record id present or not, and the categories
(a batch has few combinations). :class:`CompiledPage` renders each kind once
with markers where the values go and then only puts each record's values in
place: the same text, at a fraction of the cost. Every kind is checked
against Jinja2's own rendering of the record that first has it; a kind whose
text does not come out the same (a template that does more with a value than
print it) is rendered by Jinja2 for every record.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import jinja2

from bots import WIKI_TEMPLATES_DIR
from bots.pipeline.escape import escape_value
from bots.templates import environment

#: Where the Jinja2 templates for file pages live.
TEMPLATE_DIR = WIKI_TEMPLATES_DIR / "filepage"

#: The template every file page is rendered with.
PAGE_TEMPLATE = "filepage.wikitext.j2"

#: Kinds of pages a batch keeps at once.
_KINDS = 4096

#: What stands for the value of slot N in a page's kind; escaped values, names
#: and categories never hold it (control characters are removed from all of them).
_MARK = "\x00"


@cache
def page_template() -> jinja2.Template:
    """The file page template, compiled once per process (a batch renders millions of pages)."""
    return environment(TEMPLATE_DIR).get_template(PAGE_TEMPLATE)


def compose_page(
    template: str,
    fields: Sequence[tuple[str, str]],
    licence: str,
    request_name: str,
    record_id: str,
    categories: Sequence[str],
) -> str:
    """The file page from its parts, with no check at all.

    ``fields`` hold wikitext (filled patterns), ``licence`` is the licence
    template's name and ``categories`` are safe category names; the request's
    name and the record id are escaped here.
    """
    return _render(
        template, fields, licence, escape_value(request_name), escape_value(record_id), categories
    )


def _render(
    template: str,
    fields: Sequence[tuple[str, str]],
    licence: str,
    request: str,
    record_id: str,
    categories: Sequence[str],
) -> str:
    page = page_template()
    values = {
        "template": template,
        "fields": fields,
        "license": licence,
        "request": request,
        "record_id": record_id,
        "categories": categories,
    }
    # the template needs none of Jinja's globals: a context of the values alone is
    # a third cheaper, and a batch renders a page for every record
    return "".join(page.root_render_func(page.new_context(values, shared=True)))


#: A kind of page: the text between the values, and which value goes after each piece.
_Kind = tuple[tuple[str, ...], tuple[int, ...]]
_KindKey = tuple[tuple[tuple[str, bool], ...], bool, tuple[str, ...]]


class CompiledPage:
    """:func:`compose_page` for one batch: one template, licence and request name."""

    def __init__(self, template: str, licence: str, request_name: str) -> None:
        self.template, self.licence = template, licence
        self.request = escape_value(request_name)
        self._kinds: dict[_KindKey, _Kind | None] = {}

    def page(
        self, fields: Sequence[tuple[str, str]], record_id: str, categories: tuple[str, ...]
    ) -> str:
        """``compose_page(template, fields, licence, request_name, record_id, categories)``."""
        escaped_id = escape_value(record_id)
        key = (tuple((name, bool(value)) for name, value in fields), bool(escaped_id), categories)
        if key in self._kinds:
            kind = self._kinds[key]
        else:
            kind = self._learn(key, fields, escaped_id, categories)
        if kind is None:
            return _render(
                self.template, fields, self.licence, self.request, escaped_id, categories
            )
        return _fill(kind, fields, escaped_id)

    def _learn(
        self,
        key: _KindKey,
        fields: Sequence[tuple[str, str]],
        escaped_id: str,
        categories: tuple[str, ...],
    ) -> _Kind | None:
        """Render this kind of page once with markers; keep it if it gives Jinja2's text."""
        marked = [
            (name, f"{_MARK}{slot}{_MARK}" if value else "")
            for slot, (name, value) in enumerate(fields)
        ]
        id_slot = len(fields)
        mark_id = f"{_MARK}{id_slot}{_MARK}" if escaped_id else ""
        text = _render(self.template, marked, self.licence, self.request, mark_id, categories)
        parts = text.split(_MARK)
        wanted = [str(slot) for slot, (_name, value) in enumerate(fields) if value]
        wanted += [str(id_slot)] if escaped_id else []
        slots = parts[1::2]
        kind: _Kind | None = None
        # every value printed exactly once, as it is: anything else is left to Jinja2
        if len(parts) % 2 == 1 and sorted(slots) == sorted(wanted):
            kind = (tuple(parts[0::2]), tuple(int(slot) for slot in slots))
            real = _render(
                self.template, fields, self.licence, self.request, escaped_id, categories
            )
            if _fill(kind, fields, escaped_id) != real:
                kind = None
        if len(self._kinds) >= _KINDS:
            self._kinds.clear()
        self._kinds[key] = kind
        return kind


def _fill(kind: _Kind, fields: Sequence[tuple[str, str]], escaped_id: str) -> str:
    values = [value for _name, value in fields]
    values.append(escaped_id)
    pieces, slots = kind
    out = [pieces[0]]
    for slot, piece in zip(slots, pieces[1:], strict=True):
        out.append(values[slot])
        out.append(piece)
    return "".join(out)
