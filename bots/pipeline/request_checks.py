"""Checks of a request's parameter values, each one plain words a partner can act on."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from bots.i18n.message import ItemList, Message, Param, capped, items, msg
from bots.model import (
    FORMATS,
    TEMPLATE_FIELDS,
    Problem,
    Request,
)
from bots.pipeline.request_names import (
    closest,
    field_param_name,
    option_format,
    templates_with_field,
)
from bots.wikitext import normalize_template_name, without_category_prefix

#: Template used when ``template`` is empty.
DEFAULT_TEMPLATE = "Information"

#: Default separator inside mapped cells.
DEFAULT_SPLIT = ";"


YES = frozenset({"yes", "true", "1"})


NO = frozenset({"no", "false", "0", ""})


#: Characters that can never appear in a page title (MediaWiki's $wgLegalTitleChars).
_TITLE_ILLEGAL = frozenset("#<>[]|{}")


_APPROVE_RE = re.compile(r"[0-9a-fA-F]{6,64}")


_LIMIT_RE = re.compile(r"[0-9]+", re.ASCII)


_OAI_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?", re.ASCII)


_OAI_SET_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


_PLACEHOLDER_RE = re.compile(r"(?<!\{)\{(?!\{)[^{}]+\}(?!\})")


def title_problem(title: str) -> Message | None:
    """Why ``title`` cannot be a MediaWiki page title, or None when it can.

    Mirrors the rules of MediaWiki's ``Title`` class that a partner can break
    by typing: illegal characters, percent-escapes, signatures, relative paths
    and the length limit.
    """
    if not title.strip():
        return msg("hubbot-title-rule-empty")
    for char in title:
        if char in _TITLE_ILLEGAL:
            return msg("hubbot-title-rule-char", char)
        if ord(char) < 32 or ord(char) == 127:
            return msg("hubbot-title-rule-control")
    if re.search(r"%[0-9A-Fa-f]{2}", title):
        return msg("hubbot-title-rule-percent")
    if "~~~" in title:
        return msg("hubbot-title-rule-tildes")
    if title in (".", "..") or title.startswith(("./", "../")):
        return msg("hubbot-title-rule-relative-start")
    if "/./" in title or "/../" in title or title.endswith(("/.", "/..")):
        return msg("hubbot-title-rule-relative")
    if len(title.encode("utf-8")) > 255:
        return msg("hubbot-title-rule-length")
    return None


def quoted_list(values: Iterable[str]) -> ItemList:
    """Names to choose from, listed the language's way ("a, b or c")."""
    return items(list(values), "or")


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def looks_like_url(value: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", value))


def check_source(source: str) -> list[Problem]:
    """The source is an http(s) address or the title of a wiki page."""
    if source.startswith("[[") and source.endswith("]]"):
        return [Problem("source", msg("hubbot-request-source-brackets"))]
    if source.startswith("[") and source.endswith("]"):
        return [Problem("source", msg("hubbot-request-source-link"))]
    if looks_like_url(source):
        parts = urlsplit(source)
        if parts.scheme.lower() not in ("http", "https"):
            return [Problem("source", msg("hubbot-request-source-scheme", parts.scheme))]
        if not parts.hostname:
            return [Problem("source", msg("hubbot-request-source-no-host", short(source)))]
        if re.search(r"\s", source):
            return [Problem("source", msg("hubbot-request-source-space"))]
        return []
    reason = title_problem(source)
    if reason:
        return [Problem("source", msg("hubbot-request-source-neither", short(source), reason))]
    return []


def check_format(value: str) -> tuple[str | None, list[Problem]]:
    if not value:
        return None, []
    fmt = value.lower()
    if fmt in FORMATS:
        return fmt, []
    return None, [
        Problem("format", msg("hubbot-request-format-unknown", value, quoted_list(FORMATS)))
    ]


def check_template(value: str) -> tuple[str | None, list[Problem]]:
    """The chosen file-page template, spelled as TEMPLATE_FIELDS spells it."""
    if not value:
        return DEFAULT_TEMPLATE, []
    wanted = normalize_template_name(value.strip("{}")).casefold()
    for template in TEMPLATE_FIELDS:
        if template.casefold() == wanted:
            return template, []
    return None, [
        Problem(
            "template",
            msg(
                "hubbot-request-template-unknown",
                value,
                quoted_list(TEMPLATE_FIELDS),
                DEFAULT_TEMPLATE,
            ),
        )
    ]


def check_license(
    value: str, has_column: bool, licenses: Mapping[str, str]
) -> tuple[str | None, list[Problem]]:
    """A licence name from the configuration (case and spacing forgiven)."""
    allowed: Param = quoted_list(licenses) if licenses else msg("hubbot-licence-none-configured")
    if not value:
        if has_column:
            return None, []
        return None, [Problem("license", msg("hubbot-request-license-required", allowed))]
    wanted = re.sub(r"\s+", " ", value).casefold()
    for name in licenses:
        if re.sub(r"\s+", " ", name).casefold() == wanted:
            return name, []
    suggestion = closest(value, list(licenses))
    if suggestion:
        message = msg("hubbot-request-license-suggest", value, allowed, suggestion)
    else:
        message = msg("hubbot-request-license-not-allowed", value, allowed)
    return None, [Problem("license", message)]


def check_title_pattern(title: str) -> list[Problem]:
    """The title pattern: placeholders, and only title-safe text around them."""
    problems: list[Problem] = []
    if not _PLACEHOLDER_RE.search(title):
        problems.append(Problem("title", msg("hubbot-request-title-no-placeholder")))
    fixed = _PLACEHOLDER_RE.sub("x", title)
    if re.match(r"^\s*(file|image)\s*:", fixed, re.IGNORECASE):
        problems.append(Problem("title", msg("hubbot-request-title-prefix")))
    reason = title_problem(fixed)
    if reason:
        problems.append(Problem("title", msg("hubbot-request-title-text", reason)))
    return problems


def check_fields(
    fields: dict[str, str], template: str | None
) -> tuple[dict[str, str], list[Problem]]:
    """Keep the fields of the chosen template, in the template's own order."""
    if template is None:  # the template itself is wrong; that problem is enough
        return {}, []
    allowed = TEMPLATE_FIELDS[template]
    problems: list[Problem] = []
    for field in fields:
        if field not in allowed:
            owners = templates_with_field(field)
            param = field_param_name(field)
            problems.append(
                Problem(
                    param,
                    msg(
                        "hubbot-request-field-other-template",
                        items(owners),
                        template,
                        owners[0],
                        param,
                    ),
                )
            )
    ordered = {field: fields[field] for field in allowed if field in fields}
    return ordered, problems


def split_list(value: str) -> list[str]:
    """A ``;``-separated list: items trimmed, empty items dropped."""
    return [item.strip() for item in value.split(";") if item.strip()]


def split_categories(value: str) -> tuple[tuple[str, ...], list[Problem]]:
    categories: list[str] = []
    problems: list[Problem] = []
    for item in split_list(value):
        category = without_category_prefix(item)
        reason = title_problem(category)
        if reason:
            problems.append(
                Problem("categories", msg("hubbot-request-category-bad", short(item), reason))
            )
        elif category not in categories:
            categories.append(category)
    return tuple(categories), problems


#: A mapped column naming the property of its table's values: ``artist=P170`` (SPEC 11).
_MAPPED_PROPERTY = re.compile(r"(.+?)\s*=\s*(P[1-9][0-9]*)")


def split_mapped_property(item: str) -> tuple[str, str]:
    """``artist=P170`` -> (``artist``, ``P170``); a column without a property -> (item, "")."""
    match = _MAPPED_PROPERTY.fullmatch(item.strip())
    if match:
        return match.group(1).strip(), match.group(2)
    return item.strip(), ""


def split_mapped(value: str) -> tuple[tuple[str, ...], list[Problem]]:
    """Mapped columns; each gets a page ``.../Mappings/COLUMN``, so it must fit a title.

    A column may name the property of its values (``artist=P170``); that part
    is read by :func:`bots.pipeline.request_structured.mapped_properties`.
    """
    columns = list(dict.fromkeys(split_mapped_property(item)[0] for item in split_list(value)))
    problems: list[Problem] = []
    for column in columns:
        reason = title_problem(column)
        if reason:
            problems.append(
                Problem("mapped", msg("hubbot-request-mapped-bad", short(column), reason))
            )
    return tuple(columns), problems


def read_split(value: str) -> str:
    """The separator inside mapped cells; see the module docstring for the rules."""
    if not value:
        return DEFAULT_SPLIT
    value = re.sub(r"\{\{\s*!\s*\}\}", "|", value)
    return html.unescape(value) or DEFAULT_SPLIT


def check_limit(value: str) -> tuple[int | None, list[Problem]]:
    if not value:
        return None, []
    if _LIMIT_RE.fullmatch(value) and int(value) > 0:
        return int(value), []
    return None, [Problem("limit", msg("hubbot-request-limit-bad", short(value)))]


def check_yes_no(param: str, value: str) -> tuple[bool, list[Problem]]:
    folded = value.casefold()
    if folded in YES:
        return True, []
    if folded in NO:
        return False, []
    return False, [Problem(param, msg("hubbot-request-yes-no", short(value)))]


def check_approve(value: str) -> tuple[str | None, list[Problem]]:
    if not value:
        return None, []
    if _APPROVE_RE.fullmatch(value):
        return value.lower(), []
    return None, [Problem("approve", msg("hubbot-request-approve-bad", short(value)))]


def check_options(options: dict[str, str], fmt: str | None) -> list[Problem]:
    """Source options belong to one format each and must be well formed."""
    problems: list[Problem] = []
    for option, value in options.items():
        owner = option_format(option)
        if fmt != owner:
            problems.append(Problem(option, msg("hubbot-request-option-format", owner, option)))
            continue
        message = option_problem(option, value)
        if message:
            problems.append(Problem(option, message))
    return problems


def option_problem(option: str, value: str) -> Message | None:
    if option == "records" and value.lower() not in ("canvas", "manifest"):
        return msg("hubbot-request-option-records", short(value))
    if option in ("from", "until") and not _OAI_DATE_RE.fullmatch(value):
        return msg("hubbot-request-option-date", short(value))
    if option == "set" and not _OAI_SET_RE.fullmatch(value):
        return msg("hubbot-request-option-set", short(value))
    if option == "metadata_prefix" and re.search(r"\s", value):
        return msg("hubbot-request-option-prefix", short(value))
    return None


def _patterns(request: Request) -> list[tuple[str, str]]:
    """Every pattern of the request, with the parameter it is written in."""
    found = [("title", request.title)]
    found += [(field_param_name(f), pattern) for f, pattern in request.fields.items()]
    for field, by_language in request.translations.items():
        found += [(f"{field_param_name(field)}_{lang}", p) for lang, p in by_language.items()]
    structured = request.structured  # SPEC 11: captions, inventory, statements
    for language, pattern in structured.captions.items():
        found.append((f"caption_{language}" if language else "caption", pattern))
    found.append(("inventory", structured.inventory or ""))
    found += [("statements", written) for _prop, written in structured.statements]
    return found


def check_columns(
    request: Request,
    columns: Sequence[str],
    placeholders: Callable[[str], list[str]],
) -> list[Problem]:
    """Every column the request names must exist in the source.

    ``placeholders`` extracts column names from a pattern; it is passed in
    because the pattern syntax belongs to the renderer.
    """
    available = list(columns)
    present = set(available)
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()

    def need(where: str, column: str) -> None:
        if column in present or (where, column) in seen:
            return
        seen.add((where, column))
        problems.append(Problem(where, missing_column_message(column, available)))

    need("id", request.id_column)
    if request.file_column:
        need("file", request.file_column)
    if request.target_column:
        need("target", request.target_column)
    if request.license_column:
        need("license_column", request.license_column)
    for column in request.mapped:
        need("mapped", column)
    for where, pattern in _patterns(request):
        for column in placeholders(pattern):
            need(where, column)
    return problems


#: How many column names a message lists before saying "and N more".
MAX_LISTED_COLUMNS = 30


def missing_column_message(column: str, available: Sequence[str]) -> Message:
    if not available:
        return msg("hubbot-request-column-none", column)
    listed = capped(available, MAX_LISTED_COLUMNS)
    suggestion = closest(column, available)
    if suggestion:
        return msg("hubbot-request-column-missing-suggest", column, listed, suggestion)
    return msg("hubbot-request-column-missing", column, listed)
