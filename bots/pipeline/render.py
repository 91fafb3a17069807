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

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from urllib.parse import urlsplit

import jinja2
import mwparserfromhell

from bots import WIKI_TEMPLATES_DIR
from bots.model import TEMPLATE_FIELDS, MappingRow, MappingTable, PlannedFile, Problem, Request
from bots.pipeline.balance import explain, unbalanced
from bots.pipeline.escape import escape_value, normalise_value, plain_value
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
from bots.templates import environment

#: Bump whenever escaping, title rules or the page layout change in code, so
#: that every preview id changes and reviewers approve the new rendering.
RENDER_VERSION = "2"

#: Where the Jinja2 templates for file pages live.
TEMPLATE_DIR = WIKI_TEMPLATES_DIR / "filepage"

#: The template every file page is rendered with.
PAGE_TEMPLATE = "filepage.wikitext.j2"

#: How the parts of a mapped cell are joined on the page.
MAPPED_JOINER = "; "

#: How many column names a message lists before saying "and N more".
MAX_LISTED_COLUMNS = 30


# --- patterns -----------------------------------------------------------------


def _is_name_char(char: str) -> bool:
    return char in " _.-:" or unicodedata.category(char)[0] in "LNM"


@lru_cache(maxsize=512)
def _tokens(pattern: str) -> tuple[tuple[str, bool], ...]:
    """The pattern as (text, is_placeholder) pieces; placeholders hold the column name."""
    pieces: list[tuple[str, bool]] = []
    literal_start = 0
    index = 0
    length = len(pattern)
    while index < length:
        if (
            pattern[index] == "{"
            and (index == 0 or pattern[index - 1] != "{")
            and index + 1 < length
            and pattern[index + 1] != "{"
        ):
            end = pattern.find("}", index + 1)
            name = pattern[index + 1 : end] if end != -1 else ""
            if name.strip() and all(_is_name_char(char) for char in name):
                if literal_start < index:
                    pieces.append((pattern[literal_start:index], False))
                pieces.append((name.strip(), True))
                index = literal_start = end + 1
                continue
        index += 1
    if literal_start < length:
        pieces.append((pattern[literal_start:], False))
    return tuple(pieces)


def placeholders(pattern: str) -> list[str]:
    """The column names a pattern uses, in order of first use, each once."""
    return list(dict.fromkeys(text for text, is_column in _tokens(pattern) if is_column))


def _closest(column: str, columns: Sequence[str]) -> str | None:
    for candidate in columns:
        if candidate.casefold() == column.casefold():
            return candidate
    found = difflib.get_close_matches(column, list(columns), n=1, cutoff=0.6)
    return found[0] if found else None


def check_pattern(param_name: str, pattern: str, columns: Sequence[str]) -> list[Problem]:
    """What is wrong with one pattern of a request, in words the partner can act on.

    Unknown columns name the columns that exist and the closest one; braces
    left over once placeholders are taken out must pair up, because a stray
    ``{`` or ``}`` is almost always a placeholder or template typed wrong; and
    the text must close the markup it opens (:func:`pattern_markup_problems`).
    """
    problems: list[Problem] = []
    available = list(columns)
    for column in placeholders(pattern):
        if column in available:
            continue
        listed = ", ".join(available[:MAX_LISTED_COLUMNS]) or "(none)"
        if len(available) > MAX_LISTED_COLUMNS:
            listed += f" and {len(available) - MAX_LISTED_COLUMNS} more"
        suggestion = _closest(column, available)
        hint = f' Did you mean "{{{suggestion}}}"?' if suggestion else ""
        problems.append(
            Problem(
                param_name,
                f'The placeholder "{{{column}}}" names a column the data does not have.{hint} '
                f"The columns are: {listed}.",
            )
        )
    rest = "".join(text for text, is_column in _tokens(pattern) if not is_column)
    opening, closing = rest.count("{"), rest.count("}")
    if opening != closing:
        problems.append(
            Problem(
                param_name,
                f'The pattern has {opening} "{{" but {closing} "}}" outside its placeholders. '
                "A placeholder is written {column} and a template {{name|...}}; "
                "check that every one is closed.",
            )
        )
    else:
        problems += pattern_markup_problems(param_name, pattern)
    return problems


def pattern_markup_problems(param_name: str, pattern: str) -> list[Problem]:
    """Why the requester's text around the placeholders cannot go into a file page.

    The text is checked with each placeholder standing for a plain word, since
    that is all an escaped value can be. A ``<`` or ``</`` right before a
    placeholder is refused too: a value such as ``nowiki x`` would make it a tag.
    """
    pieces = _tokens(pattern)
    literal = "".join("x" if is_column else text for text, is_column in pieces)
    reasons = [str(found) for found in unbalanced(literal)]
    for (text, is_column), (_next, next_is_column) in zip(pieces, pieces[1:], strict=False):
        if not is_column and next_is_column and text.endswith(("<", "</")):
            reasons.append(
                'a "<" right before a {placeholder} would let a value become an HTML or '
                "wiki tag; put a space or other text between them"
            )
            break
    if not reasons:
        return []
    return [
        Problem(
            param_name,
            "The text around the placeholders would break the file page: "
            + "; ".join(reasons[:3])
            + ".",
        )
    ]


def _cell(record: Mapping[str, object], column: str) -> str:
    value = record.get(column)
    return "" if value is None else str(value)


#: Lookup dicts of the mapping tables seen last, by identity: a request renders
#: thousands of records against the same few tables.
_LOOKUPS: dict[int, tuple[MappingTable, dict[str, MappingRow]]] = {}


def _lookup(table: MappingTable) -> dict[str, MappingRow]:
    cached = _LOOKUPS.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    rows = {unicodedata.normalize("NFC", row.value.strip()): row for row in table.rows}
    if len(_LOOKUPS) >= 64:
        _LOOKUPS.clear()
    _LOOKUPS[id(table)] = (table, rows)
    return rows


def mapped_parts(value: str, split: str) -> list[str]:
    """The values of a mapped cell: split on ``split``, stripped, NFC, empties dropped."""
    pieces = value.split(split) if split else [value]
    parts = (normalise_value(piece).strip() for piece in pieces)
    return [part for part in parts if part]


def _mapped_text(row: MappingRow | None) -> str:
    """The volunteer's replacement text, or "" when there is none."""
    if row is None:
        return ""
    text = row.text.strip()
    return "" if text == "-" else text


def _plain_text(wikitext: str) -> str:
    """What a reader sees of a volunteer's wikitext, for titles."""
    return " ".join(str(mwparserfromhell.parse(wikitext).strip_code()).split())


def _fill_value(
    column: str,
    record: Mapping[str, object],
    mappings: Mapping[str, MappingTable],
    split: str,
    plain: bool,
) -> str:
    raw = _cell(record, column)
    table = mappings.get(column)
    if table is None:
        text = normalise_value(raw).strip()
        return plain_value(text) if plain else escape_value(text)
    rows = _lookup(table)
    shown: list[str] = []
    for part in mapped_parts(raw, split):
        text = _mapped_text(rows.get(part))
        if plain:
            shown.append((_plain_text(text) if text else "") or plain_value(part))
        else:
            shown.append(text or escape_value(part))
    return MAPPED_JOINER.join(shown)


def fill_pattern(
    pattern: str,
    record: Mapping[str, object],
    mappings: Mapping[str, MappingTable],
    split: str = ";",
    *,
    plain: bool = False,
) -> str:
    """The pattern with every ``{column}`` replaced by the record's value.

    Values are trimmed and escaped (:func:`bots.pipeline.escape.escape_value`); a
    missing or empty value gives "". A mapped column's cell is split on
    ``split``; each part shows its mapping row's ``text`` when a volunteer
    filled one (wikitext, used as written), else the escaped part; parts are
    joined with "; ".

    ``plain=True`` is for file titles, which are not wikitext: values are
    inserted unescaped on one line, and a mapping ``text`` gives the words a
    reader would see (``[[d:Q1507366|George Richmond]]`` gives
    ``George Richmond``).
    """
    return "".join(
        _fill_value(text, record, mappings, split, plain) if is_column else text
        for text, is_column in _tokens(pattern)
    )


# --- the file page ------------------------------------------------------------


def _environment() -> jinja2.Environment:
    return environment(TEMPLATE_DIR)


def templates_digest() -> str:
    """A hash of everything in the rendering that is not an input: templates and rules.

    Part of the preview id, so a change to the rendering invalidates approvals.
    """
    digest = hashlib.sha256(f"render {RENDER_VERSION}\0".encode())
    for path in sorted(TEMPLATE_DIR.glob("*.j2")):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _canonical_licence(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


def match_license(value: str, licenses: Mapping[str, str]) -> str | None:
    """The configured licence name ``value`` means, if any.

    Exact names win; otherwise case, spaces and punctuation are ignored, so a
    source saying ``CC-BY-4.0`` matches the configured ``CC BY 4.0``.
    """
    value = value.strip()
    if value in licenses:
        return value
    wanted = _canonical_licence(value)
    if not wanted:
        return None
    for name in licenses:
        if _canonical_licence(name) == wanted:
            return name
    return None


def _licence_template(template: str) -> str:
    """``cc-zero`` or ``{{cc-zero}}`` from the configuration, as the name inside ``{{ }}``."""
    name = template.strip()
    if name.startswith("{{") and name.endswith("}}"):
        name = name[2:-2].strip()
    return name


def _licence(
    request: Request, record: Mapping[str, object], licenses: Mapping[str, str], where: str
) -> tuple[str | None, list[Problem]]:
    allowed = ", ".join(licenses) or "(none configured)"
    value = ""
    if request.license_column:
        value = normalise_value(_cell(record, request.license_column)).strip()
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
    return _licence_template(licenses[name]), []


def _is_web_address(url: str) -> bool:
    if any(c.isspace() for c in url):
        return False  # several addresses in one cell, or a broken one
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _categories(
    request: Request,
    record: Mapping[str, object],
    mappings: Mapping[str, MappingTable],
    rules: TitleRules,
) -> tuple[str, ...]:
    """The request's categories, then every mapped value's, each once, in that order."""
    names: list[str] = list(request.categories)
    columns = list(dict.fromkeys([*request.mapped, *mappings]))
    for column in columns:
        table = mappings.get(column)
        if table is None:
            continue
        rows = _lookup(table)
        for part in mapped_parts(_cell(record, column), request.split):
            row = rows.get(part)
            if row is not None:
                names.extend(row.category_list())
    safe = (category_title(name, rules) for name in names)
    return tuple(dict.fromkeys(name for name in safe if name))


def _template_name(template: mwparserfromhell.nodes.Template) -> str:
    name = " ".join(str(template.name).replace("_", " ").split())
    return name[:1].upper() + name[1:]


def _layout_problems(
    page: str, template: str, fields: Sequence[tuple[str, str]], where: str
) -> list[Problem]:
    """Check the page keeps every field apart, as the reviewer will see it in the preview.

    Column values cannot break the layout, but the requester's pattern text
    and a volunteer's mapping text can (a bare ``|``, an unclosed ``{{``).
    """
    code = mwparserfromhell.parse(page, skip_style_tags=True)
    found = [t for t in code.filter_templates(recursive=False) if _template_name(t) == template]
    expected = [name for name, _ in fields]
    if len(found) == 1 and [str(p.name).strip() for p in found[0].params] == expected:
        return []
    broken = []
    for name, value in fields:
        alone = mwparserfromhell.parse(
            f"{{{{{template}\n |{name} = {value}\n}}}}", skip_style_tags=True
        )
        nodes = alone.filter_templates(recursive=False)
        if len(nodes) != 1 or [str(p.name).strip() for p in nodes[0].params] != [name]:
            broken.append(name)
    which = ", ".join(broken) if broken else "the fields together"
    return [
        Problem(
            where,
            f"The file page would not keep the {{{{{template}}}}} fields apart ({which}): "
            "a pattern or a mapping text holds an unclosed template or link, or a bare "
            '"|" (write {{!}} for a "|" outside links and templates).',
        )
    ]


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
    return (
        _environment()
        .get_template(PAGE_TEMPLATE)
        .render(
            template=template,
            fields=fields,
            license=licence,
            request=escape_value(request_name),
            record_id=escape_value(record_id),
            categories=categories,
        )
    )


def _mapping_text_problems(
    request: Request,
    record: Mapping[str, object],
    mappings: Mapping[str, MappingTable],
    where: str,
) -> list[Problem]:
    """The record's mapped values whose volunteer text would break its file page."""
    problems: list[Problem] = []
    patterns = (request.title, *request.fields.values())
    columns = dict.fromkeys(column for pattern in patterns for column in placeholders(pattern))
    for column in columns:
        table = mappings.get(column)
        if table is None:
            continue
        rows = _lookup(table)
        for part in mapped_parts(_cell(record, column), request.split):
            text = _mapped_text(rows.get(part))
            found = unbalanced(text) if text else ()
            if found:
                problems.append(
                    Problem(
                        where,
                        f'The mapping table for column "{column}" (page Mappings/{column}), '
                        f'row "{part}", has a text that would break the file page: '
                        f"{explain(found)}. Records with this value are not uploaded until "
                        "the text is fixed.",
                    )
                )
    return problems


def _field_markup_problems(fields: Sequence[tuple[str, str]], where: str) -> list[Problem]:
    """Filled fields that do not close what they open, checked whole (see the module doc)."""
    problems: list[Problem] = []
    for name, value in fields:
        found = unbalanced(value)
        if found:
            problems.append(
                Problem(
                    where,
                    f'The field "{name}", filled for this record, would break the file page: '
                    f"{explain(found)}. Look where the pattern's text meets a value or a "
                    "mapping text.",
                )
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
    """
    problems: list[Problem] = []
    record_id = normalise_value(_cell(record, request.id_column)).strip()
    media_url = normalise_value(_cell(record, request.file_column)).strip()
    if record_id:
        where = f"record {record_id}"
    else:
        where = f"record {media_url}" if media_url else "a record without id or file"
        problems.append(
            Problem(where, f'The id column "{request.id_column}" is empty for this record.')
        )
    if not media_url:
        problems.append(
            Problem(
                where,
                f'The file column "{request.file_column}" is empty, so there is no file to upload.',
            )
        )
    elif any(c.isspace() for c in media_url):
        problems.append(
            Problem(
                where,
                f'The file column "{request.file_column}" holds "{media_url}": more than one '
                "address, or an address with a space. Give one http:// or https:// address "
                "per record.",
            )
        )
    elif not _is_web_address(media_url):
        problems.append(
            Problem(
                where,
                f'The file address "{media_url}" in column "{request.file_column}" is not an '
                "http:// or https:// address.",
            )
        )
    licence, licence_problems = _licence(request, record, licenses, where)
    problems.extend(licence_problems)
    field_names = TEMPLATE_FIELDS.get(request.template)
    if field_names is None:
        problems.append(
            Problem(
                "template",
                f'"{request.template}" is not a file page template the hub can fill; '
                f"choose one of {', '.join(TEMPLATE_FIELDS)}.",
            )
        )
        field_names = ()
    extension = extension_from_url(media_url) if media_url else None
    title = ""
    filled_title = fill_pattern(request.title, record, mappings, request.split, plain=True)
    try:
        title = split_extension(legal_title(filled_title, extension, rules=rules), extension)
        title = shorten(title, MAX_BASE_BYTES)
    except TitleError as error:
        problems.append(Problem(where, f"The title pattern gives no usable file title: {error}"))
    problems.extend(_mapping_text_problems(request, record, mappings, where))
    if problems or licence is None:
        return problems

    fields = [
        (name, fill_pattern(request.fields[name], record, mappings, request.split))
        for name in field_names
        if name in request.fields
    ]
    markup_problems = _field_markup_problems(fields, where)
    if markup_problems:
        return markup_problems
    categories = _categories(request, record, mappings, rules)
    page = compose_page(request.template, fields, licence, request.name, record_id, categories)
    layout_problems = _layout_problems(page, request.template, fields, where)
    if layout_problems:
        return layout_problems
    return PlannedFile(
        record_id=record_id,
        title=title,
        extension=extension,
        media_url=media_url,
        page_text=page,
        categories=categories,
    )
