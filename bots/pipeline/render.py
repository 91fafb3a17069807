"""Render one record into the file page it will be uploaded with (SPEC sections 3, 4, 8).

Two things meet here and must not mix: the requester's wikitext (the text of a
pattern around its ``{column}`` placeholders, shown in the preview and
approved by a reviewer), and the partner's data (column values, which are
escaped so they can only ever be text). A volunteer's mapping ``text`` is
wikitext too, and is used as written.

Human wikitext must leave the page whole as MediaWiki parses it
(:mod:`bots.pipeline.balance`): a pattern whose text is not is a problem of the request
(:func:`pattern_markup_problems`), a mapping text that is not keeps every record
using it from being uploaded, and every filled field is checked again as a
whole, because two closed pieces can still open something where they touch.

Pattern syntax: ``{column}`` where the column name is letters, digits,
spaces and ``_ . - :`` (JSON nested keys are written ``a.b``). A ``{`` right
after or before another ``{`` belongs to wikitext, so ``{{PAGENAME}}`` and
``{{{1}}}`` are never placeholders, while ``{{en|1={title}}}`` fills
``{title}`` and keeps the ``{{en|1=`` ... ``}}`` around it.

Everything here is a pure function of its inputs, apart from reading the
Jinja2 templates from ``wiki_templates/filepage/``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from urllib.parse import urlsplit

import mwparserfromhell

from bots.i18n.message import Message, Param, items, msg
from bots.model import TEMPLATE_FIELDS, MappingTable, PlannedFile, Problem, Request
from bots.pipeline.balance import Unbalanced, explain, unbalanced
from bots.pipeline.escape import normalise_value
from bots.pipeline.filepage import PAGE_TEMPLATE as PAGE_TEMPLATE
from bots.pipeline.filepage import TEMPLATE_DIR, CompiledPage, compose_page
from bots.pipeline.licences import record_licence
from bots.pipeline.patterns import (
    SHAPE_WORD,
    CompiledPattern,
    cell,
    lookup,
    mapped_parts,
    mapped_text,
    placeholders,
)
from bots.pipeline.titles import (
    MAX_BASE_BYTES,
    STOCK_RULES,
    TitleError,
    TitleRules,
    category_title,
    extension_from_url,
    legal_title,
    shorten,
    split_extension,
)

#: Bump whenever escaping, title rules or the page layout change in code, so
#: that every preview id changes and reviewers approve the new rendering.
RENDER_VERSION = "2"

# --- the file page ------------------------------------------------------------


def templates_digest() -> str:
    """A hash of everything in the rendering that is not an input: templates and rules.

    Part of the preview id, so a change to the rendering invalidates approvals.
    """
    digest = hashlib.sha256(f"render {RENDER_VERSION}\0".encode())
    for path in sorted(TEMPLATE_DIR.glob("*.j2")):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


#: Combinations of mapped values whose categories a planner keeps at once.
_MEMO_SIZE = 4096

#: Any white space (the same characters as ``str.isspace``).
_SPACE = re.compile(r"\s")


#: A plain http(s) address with a host name (the common case, decided without urlsplit).
_PLAIN_WEB_ADDRESS = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#]|\Z)", re.IGNORECASE)


def _is_web_address(url: str) -> bool:
    if _SPACE.search(url):
        return False  # several addresses in one cell, or a broken one
    if _PLAIN_WEB_ADDRESS.match(url):
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def record_categories(
    request: Request,
    record: Mapping[str, object],
    mappings: Mapping[str, MappingTable],
    rules: TitleRules,
    memo: dict[object, tuple[str, ...]] | None = None,
) -> tuple[str, ...]:
    """The request's categories, then every mapped value's, each once, in that order.

    ``memo`` (one per plan, whose tables and rules do not change) keeps the
    answer for each combination of mapped values: a batch has few.
    """
    columns = tuple(c for c in dict.fromkeys([*request.mapped, *mappings]) if c in mappings)
    values = tuple(mapped_parts(cell(record, column), request.split) for column in columns)
    if memo is not None and values in memo:
        return memo[values]
    names: list[str] = list(request.categories)
    for column, parts in zip(columns, values, strict=True):
        rows = lookup(mappings[column])
        for part in parts:
            row = rows.get(part)
            if row is not None:
                names.extend(row.category_list())
    safe = (category_title(name, rules) for name in names)
    found = tuple(dict.fromkeys(name for name in safe if name))
    if memo is not None:
        if len(memo) >= _MEMO_SIZE:  # values unique to each record: no use keeping them
            memo.clear()
        memo[values] = found
    return found


def _template_name(template: mwparserfromhell.nodes.Template) -> str:
    name = " ".join(str(template.name).replace("_", " ").split())
    return name[:1].upper() + name[1:]


def _layout_problems(
    template: str, licence: str, shapes: tuple[tuple[str, str], ...], where: str | Message
) -> list[Problem]:
    """Check the page keeps every field apart, as the reviewer will see it in the preview.

    Column values cannot break the layout, but the requester's pattern text
    and a volunteer's mapping text can (a bare ``|``, an unclosed ``{{``).
    The check reads the fields' shapes (:func:`bots.pipeline.patterns.fill_pattern_shaped`:
    the page with every escaped value as a plain word), so it runs once for
    each shape of a batch, however many records share it.
    """
    broken = _broken_fields(template, licence, shapes)
    if broken is None:
        return []
    which: Param = items(broken) if broken else msg("hubbot-problem-fields-together")
    return [Problem(where, msg("hubbot-problem-fields-apart", template, which))]


@lru_cache(maxsize=4096)
def _broken_fields(
    template: str, licence: str, fields: tuple[tuple[str, str], ...]
) -> tuple[str, ...] | None:
    """None when the page keeps the fields apart, else those that break it alone (maybe none)."""
    page = compose_page(template, fields, licence, SHAPE_WORD, SHAPE_WORD, ())
    code = mwparserfromhell.parse(page, skip_style_tags=True)
    found = [t for t in code.filter_templates(recursive=False) if _template_name(t) == template]
    expected = [name for name, _ in fields]
    if len(found) == 1 and [str(p.name).strip() for p in found[0].params] == expected:
        return None
    broken = []
    for name, value in fields:
        alone = mwparserfromhell.parse(
            f"{{{{{template}\n |{name} = {value}\n}}}}", skip_style_tags=True
        )
        nodes = alone.filter_templates(recursive=False)
        if len(nodes) != 1 or [str(p.name).strip() for p in nodes[0].params] != [name]:
            broken.append(name)
    return tuple(broken)


@lru_cache(maxsize=64)
def _pattern_columns(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """The columns a request's patterns use, each once, in order of first use."""
    return tuple(dict.fromkeys(column for pattern in patterns for column in placeholders(pattern)))


def _field_markup_problems(
    fields: Sequence[tuple[str, str]], where: str | Message
) -> list[Problem]:
    """Filled fields that do not close what they open, checked whole (see the module doc)."""
    problems: list[Problem] = []
    for name, value in fields:
        found = unbalanced(value)
        if found:
            problems.append(
                Problem(where, msg("hubbot-problem-field-markup", name, explain(found)))
            )
    return problems


def _id_and_file_problems(
    request: Request, record_id: str, media_url: str, where: str | Message
) -> list[Problem]:
    """What is wrong with a record's id and media address, in words the partner can act on."""
    problems: list[Problem] = []
    if not record_id:
        problems.append(Problem(where, msg("hubbot-problem-id-empty", request.id_column)))
    if not media_url:
        problems.append(Problem(where, msg("hubbot-problem-file-empty", request.file_column)))
    elif _SPACE.search(media_url):
        problems.append(
            Problem(where, msg("hubbot-problem-file-space", request.file_column, media_url))
        )
    elif not _is_web_address(media_url):
        problems.append(
            Problem(where, msg("hubbot-problem-file-not-web", media_url, request.file_column))
        )
    return problems


def render_file(
    request: Request,
    record: Mapping[str, object],
    mappings: Mapping[str, MappingTable],
    licenses: Mapping[str, str],
    rules: TitleRules = STOCK_RULES,
) -> PlannedFile | list[Problem]:
    """The file one record becomes, or every reason it cannot be uploaded.

    ``licenses`` is the configuration's map from the names used in requests to
    licence template names. With ``license_column``, a record's own licence
    wins and the request's ``license`` (if any) is the default for records
    that leave it empty. The title leaves room for the longest extension a
    sniffed file may get, and its first letter and the categories' follow the
    target wiki's ``rules``, so the approved title is the uploaded title.
    A batch renders with one :class:`FileRenderer` instead.
    """
    return FileRenderer(request, mappings, licenses, rules).render(record)


class FileRenderer:
    """:func:`render_file` for every record of one batch, with the same results.

    What does not change from record to record is worked out once: the
    patterns with their tables (:class:`~bots.pipeline.patterns.CompiledPattern`),
    the licence when no column gives it, the fields a pattern leaves the
    same for every record and their checks, the mapping texts that would break
    a page, and the page around the values (:class:`~bots.pipeline.filepage.CompiledPage`).
    ``mappings`` must not change while it is used.
    """

    def __init__(
        self,
        request: Request,
        mappings: Mapping[str, MappingTable],
        licenses: Mapping[str, str],
        rules: TitleRules = STOCK_RULES,
    ) -> None:
        self.request, self.mappings, self.licenses, self.rules = request, mappings, licenses, rules
        #: the columns whose mapping rows give categories, and the categories by their cells
        self.category_columns = tuple(
            c for c in dict.fromkeys([*request.mapped, *mappings]) if c in mappings
        )
        self.categories: dict[tuple[str, ...], tuple[str, ...]] = {}
        split = request.split
        self.title = CompiledPattern(request.title, mappings, split)
        names = TEMPLATE_FIELDS.get(request.template)
        self.known_template = names is not None
        self.fields = tuple(
            _CompiledField(request, name, mappings)
            for name in names or ()
            if name in request.fields or name in request.translations
        )
        # the licence, when every record has the request's (no column gives its own)
        self.licence: str | None = None
        if not request.license_column:
            self.licence, licence_problems = record_licence(request, {}, licenses, "")
            if licence_problems:
                self.licence = None
        self.bad_texts = _bad_mapping_texts(request, mappings)
        self.pages: dict[str, CompiledPage] = {}

    def render(self, record: Mapping[str, object]) -> PlannedFile | list[Problem]:
        """:func:`render_file` of ``record``."""
        request = self.request
        record_id = normalise_value(cell(record, request.id_column)).strip()
        media_url = normalise_value(cell(record, request.file_column)).strip()
        where = _Where(record_id, media_url)
        problems = (
            []
            if record_id and media_url and _is_web_address(media_url)
            else _id_and_file_problems(request, record_id, media_url, where.message)
        )
        licence = self.licence
        if licence is None:  # a column gives each record's licence, or none is valid
            licence, licence_problems = record_licence(
                request, record, self.licenses, where.message
            )
            problems.extend(licence_problems)
        if not self.known_template:
            problems.append(_unknown_template(request))
        extension = extension_from_url(media_url) if media_url else None
        title = ""
        try:
            title = split_extension(
                legal_title(self.title.fill(record), extension, rules=self.rules), extension
            )
            title = shorten(title, MAX_BASE_BYTES)
        except TitleError as error:
            problems.append(Problem(where.message, msg("hubbot-problem-no-title", error.message)))
        if self.bad_texts:
            problems.extend(self._mapping_text_problems(record, where.message))
        if problems or licence is None:
            return problems
        return self._file(record, record_id, media_url, title, extension, licence, where)

    def _file(
        self,
        record: Mapping[str, object],
        record_id: str,
        media_url: str,
        title: str,
        extension: str | None,
        licence: str,
        where: _Where,
    ) -> PlannedFile | list[Problem]:
        """The page of a record whose id, file, licence and title are good, or its problems."""
        fields: list[tuple[str, str]] = []
        shaped: list[tuple[str, str]] = []
        for field in self.fields:
            text, shape = field.fill(record)
            fields.append((field.name, text))
            shaped.append((field.name, shape))
        if any(unbalanced(text) for _name, text in fields):
            return _field_markup_problems(fields, where.message)
        shapes = tuple(shaped)
        if _broken_fields(self.request.template, licence, shapes) is not None:
            return _layout_problems(self.request.template, licence, shapes, where.message)
        categories = self._categories(record)
        page = self.pages.get(licence)
        if page is None:
            page = self.pages[licence] = CompiledPage(
                self.request.template, licence, self.request.name
            )
        return PlannedFile(
            record_id=record_id,
            title=title,
            extension=extension,
            media_url=media_url,
            page_text=page.page(fields, record_id, categories),
            categories=categories,
        )

    def _categories(self, record: Mapping[str, object]) -> tuple[str, ...]:
        """:func:`record_categories`, kept for each combination of the cells it reads."""
        cells = tuple(cell(record, column) for column in self.category_columns)
        found = self.categories.get(cells)
        if found is None:
            found = record_categories(self.request, record, self.mappings, self.rules)
            if len(self.categories) >= _MEMO_SIZE:  # cells unique to each record
                self.categories.clear()
            self.categories[cells] = found
        return found

    def _mapping_text_problems(
        self, record: Mapping[str, object], where: str | Message
    ) -> list[Problem]:
        """The record's mapped values whose volunteer text would break its file page.

        The texts that would were found once for the batch (:func:`_bad_mapping_texts`).
        """
        problems: list[Problem] = []
        for column, broken in self.bad_texts:
            for part in mapped_parts(cell(record, column), self.request.split):
                found = broken.get(part)
                if found:
                    problems.append(
                        Problem(
                            where, msg("hubbot-problem-mapping-text", column, part, explain(found))
                        )
                    )
        return problems


class _Where:
    """Where a record's problems are: worked out only when it has one."""

    __slots__ = ("_message", "media_url", "record_id")

    def __init__(self, record_id: str, media_url: str) -> None:
        self.record_id, self.media_url = record_id, media_url
        self._message: Message | None = None

    @property
    def message(self) -> Message:
        if self._message is None:
            self._message = (
                msg("hubbot-where-record", self.record_id or self.media_url)
                if self.record_id or self.media_url
                else msg("hubbot-where-record-unnamed")
            )
        return self._message


def _unknown_template(request: Request) -> Problem:
    return Problem(
        "template",
        msg(
            "hubbot-problem-template-unknown",
            request.template,
            items(list(TEMPLATE_FIELDS), "or"),
        ),
    )


def _bad_mapping_texts(
    request: Request, mappings: Mapping[str, MappingTable]
) -> tuple[tuple[str, dict[str, tuple[Unbalanced, ...]]], ...]:
    """Each pattern column whose table has texts that would break a page, with those texts.

    In the order of first use in the request's patterns, as a record's problems are listed.
    """
    translated = (p for by_language in request.translations.values() for p in by_language.values())
    found: list[tuple[str, dict[str, tuple[Unbalanced, ...]]]] = []
    for column in _pattern_columns((request.title, *request.fields.values(), *translated)):
        table = mappings.get(column)
        if table is None:
            continue
        broken = {}
        for part, row in lookup(table).items():
            text = mapped_text(row)
            reasons = unbalanced(text) if text else ()
            if reasons:
                broken[part] = reasons
        if broken:
            found.append((column, broken))
    return tuple(found)


class _CompiledField:
    """One field's text for a batch: its pattern filled, then each language's in
    Commons' ``{{LANG|1=...}}``; and its shape (see
    :meth:`bots.pipeline.patterns.CompiledPattern.shaped`).

    ``description_sv = {title}`` gives ``{{sv|1=...}}`` after the plain
    ``description`` (if any), in the order the request gives them, as
    multilingual descriptions are written on Commons. A field whose patterns
    have no placeholder is the same for every record and filled once.
    """

    def __init__(self, request: Request, name: str, mappings: Mapping[str, MappingTable]) -> None:
        self.name = name
        split = request.split
        self.main = (
            CompiledPattern(request.fields[name], mappings, split)
            if name in request.fields
            else None
        )
        self.translations = tuple(
            (language, CompiledPattern(pattern, mappings, split))
            for language, pattern in request.translations.get(name, {}).items()
        )
        patterns = [p for p in (self.main,) if p is not None]
        patterns += [p for _language, p in self.translations]
        self.constant: tuple[str, str] | None = None
        if all(p.constant is not None for p in patterns):
            self.constant = self._fill({})

    def fill(self, record: Mapping[str, object]) -> tuple[str, str]:
        if self.constant is not None:
            return self.constant
        if self.main is not None and not self.translations:
            text, shape = self.main.shaped(record)
            return (text, shape) if text.strip() else ("", "")
        return self._fill(record)

    def _fill(self, record: Mapping[str, object]) -> tuple[str, str]:
        parts: list[tuple[str, str]] = []
        if self.main is not None:
            parts.append(self.main.shaped(record))
        for language, pattern in self.translations:
            text, shape = pattern.shaped(record)
            parts.append(
                (f"{{{{{language}|1={text}}}}}", f"{{{{{language}|1={shape}}}}}")
                if text.strip()
                else ("", "")
            )
        kept = [part for part in parts if part[0].strip()]
        return " ".join(text for text, _ in kept), " ".join(shape for _, shape in kept)
