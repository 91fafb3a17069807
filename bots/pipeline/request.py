"""Read a ``{{Partnership request}}`` page into a :class:`~bots.model.Request`.

The request page is written by a partner, often for the first time, so parsing
never stops at the first mistake: :func:`parse_request` returns *every* problem
it finds, each naming the parameter it concerns in words the partner can act
on. Column names can only be checked once the source has been read, which is
why that check is a separate step (:func:`check_columns`).

Everything here is a pure function of its inputs (SPEC section 3).

Decisions worth knowing:

- Parameter names: ``_`` and spaces are interchangeable (``credit_line`` =
  ``credit line`` = ``credit__line``); otherwise names are case-sensitive, as
  in MediaWiki, and a near miss gets a "did you mean" suggestion.
- Empty parameters are the same as absent ones (the preloaded form has them all).
- A parameter given twice is fine when both copies agree or one is empty;
  two different non-empty values are a problem, because MediaWiki would
  silently use the last one and the partner may have meant the first.
- Two file-page fields collide with request parameters: ``source_url`` fills
  the file page's ``source`` field and ``work_title`` fills the ``title`` field
  of ``{{Artwork}}`` and ``{{Photograph}}`` (``source`` and ``title`` name the
  partner's data and the file title pattern).
- ``split`` is taken literally after trimming. Since trimming would eat a
  whitespace separator, HTML character references are decoded in it
  (``&#9;`` is a tab, ``&#32;`` a space) and ``{{!}}`` stands for ``|``.
- ``title`` must contain at least one ``{column}`` placeholder: every file
  needs its own title, and a fixed title could name one file only.
- The text of a field pattern around its placeholders is wikitext that goes
  into every file page, so it must open and close its markup the way MediaWiki
  reads it (:mod:`bots.pipeline.balance`); otherwise the parameter is a problem.
- Source options (``set``, ``records``...) need the format they belong to to be
  given explicitly, so that the option is never silently ignored.
- ``Request.raw`` holds every parameter as written, trimmed and with HTML
  comments removed (a reviewer's comment must not change the preview id).
"""

from __future__ import annotations

import difflib
import html
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

import mwparserfromhell
from mwparserfromhell.nodes import Template
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode

from bots.model import (
    FORMATS,
    REQUEST_PARAMS,
    SOURCE_OPTIONS,
    TEMPLATE_FIELDS,
    Problem,
    Request,
)
from bots.pipeline.render import pattern_markup_problems

#: The name of the request template, as ``hubbot install`` creates it.
REQUEST_TEMPLATE = "Partnership request"

#: ``where`` for problems that concern the page as a whole.
WHERE_PAGE = "request"

#: Template used when ``template`` is empty.
DEFAULT_TEMPLATE = "Information"

#: Default separator inside mapped cells.
DEFAULT_SPLIT = ";"

#: Request parameters that fill a file-page field whose name is taken by a
#: request parameter: request spelling -> field (as TEMPLATE_FIELDS spells it).
FIELD_ALIASES: dict[str, str] = {"source_url": "source", "work_title": "title"}

#: Parameters that must be given (``license`` has its own rule).
REQUIRED: dict[str, str] = {
    "partner": "name the institution or person sharing the files, e.g. partner = Tate",
    "source": (
        "give the http(s) address of the metadata, or the title of the wiki page"
        " that holds it, e.g. source = https://example.org/data.csv"
    ),
    "id": "name the column that holds each record's unique id, e.g. id = accession_number",
    "file": "name the column that holds each record's media URL, e.g. file = image_url",
    "title": (
        "give a pattern for the file titles with at least one {column} placeholder,"
        " e.g. title = {title} ({accession_number})"
    ),
}

_YES = frozenset({"yes", "true", "1"})
_NO = frozenset({"no", "false", "0", ""})

#: Characters that can never appear in a page title (MediaWiki's $wgLegalTitleChars).
_TITLE_ILLEGAL = frozenset("#<>[]|{}")
_APPROVE_RE = re.compile(r"[0-9a-fA-F]{6,64}")
_LIMIT_RE = re.compile(r"[0-9]+", re.ASCII)
_OAI_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?", re.ASCII)
_OAI_SET_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
_PLACEHOLDER_RE = re.compile(r"(?<!\{)\{(?!\{)[^{}]+\}(?!\})")
_CATEGORY_PREFIX_RE = re.compile(r"^\s*category\s*:\s*", re.IGNORECASE)
_TEMPLATE_PREFIX_RE = re.compile(r"^\s*template\s*:\s*", re.IGNORECASE)

# --- small helpers shared with the mapping tables ---------------------------


def normalize_template_name(name: str) -> str:
    """Spell a template name the way MediaWiki resolves it.

    MediaWiki ignores the case of the first letter, treats ``_`` as a space,
    collapses runs of spaces and accepts an explicit ``Template:`` prefix, so
    ``{{partnership_request}}`` is the same template as
    ``{{Template:Partnership request}}``.
    """
    name = _TEMPLATE_PREFIX_RE.sub("", name.replace("_", " "))
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


def title_problem(title: str) -> str | None:
    """Why ``title`` cannot be a MediaWiki page title, or None when it can.

    Mirrors the rules of MediaWiki's ``Title`` class that a partner can break
    by typing: illegal characters, percent-escapes, signatures, relative paths
    and the length limit.
    """
    if not title.strip():
        return "a page title cannot be empty"
    for char in title:
        if char in _TITLE_ILLEGAL:
            return f'a page title cannot contain "{char}"'
        if ord(char) < 32 or ord(char) == 127:
            return "a page title cannot contain control characters such as tabs or line breaks"
    if re.search(r"%[0-9A-Fa-f]{2}", title):
        return 'a page title cannot contain "%" followed by two hex digits'
    if "~~~" in title:
        return 'a page title cannot contain "~~~"'
    if title in (".", "..") or title.startswith(("./", "../")):
        return 'a page title cannot start with "./" or "../"'
    if "/./" in title or "/../" in title or title.endswith(("/.", "/..")):
        return 'a page title cannot contain "/./" or "/../"'
    if len(title.encode("utf-8")) > 255:
        return "a page title can be at most 255 bytes long"
    return None


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` was most likely meant to be, if any is close.

    A match that differs only in case wins outright; otherwise difflib decides.
    """
    pool = list(dict.fromkeys(candidates))
    for candidate in pool:
        if candidate.casefold() == word.casefold():
            return candidate
    folded = {candidate.casefold(): candidate for candidate in pool}
    found = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def _quoted_list(items: Iterable[str]) -> str:
    return ", ".join(items)


def _did_you_mean(word: str, candidates: Iterable[str], otherwise: str = ".") -> str:
    """The end of a sentence: a suggestion when one is close, else ``otherwise``."""
    suggestion = closest(word, candidates)
    return f'; did you mean "{suggestion}"?' if suggestion else otherwise


# --- finding the template ---------------------------------------------------


def find_request_templates(wikitext: str) -> list[Template]:
    """Every ``{{Partnership request}}`` on the page, in page order.

    Templates inside comments, ``<nowiki>`` or ``<pre>`` are not calls, just as
    MediaWiki does not expand them.
    """
    code = mwparserfromhell.parse(wikitext, skip_style_tags=True)
    return [t for t in code.filter_templates(recursive=True) if is_template(t, REQUEST_TEMPLATE)]


def find_request_template(wikitext: str) -> Template | None:
    """The page's ``{{Partnership request}}``, or None when it has none.

    When there are several this returns the first; :func:`parse_request`
    reports the others as a problem instead of guessing.
    """
    found = find_request_templates(wikitext)
    return found[0] if found else None


# --- parameter names --------------------------------------------------------


def _name_key(name: str) -> str:
    """Spaces and underscores are interchangeable in parameter names."""
    return re.sub(r"[\s_]+", " ", name).strip()


def _all_option_names() -> dict[str, str]:
    """Option key (spaces) -> its request spelling (underscores)."""
    return {_name_key(option): option for options in SOURCE_OPTIONS.values() for option in options}


def _option_format(option: str) -> str:
    for fmt, options in SOURCE_OPTIONS.items():
        if option in options:
            return fmt
    raise KeyError(option)


def _field_param_name(field: str) -> str:
    """How a request spells the parameter that fills a file-page field."""
    for alias, target in FIELD_ALIASES.items():
        if target == field:
            return alias
    return field.replace(" ", "_")


def _templates_with_field(field: str) -> list[str]:
    return [name for name, fields in TEMPLATE_FIELDS.items() if field in fields]


def _known_parameter_names() -> list[str]:
    """Every name a request may use, spelled as the documentation spells it."""
    names = list(REQUEST_PARAMS) + list(FIELD_ALIASES)
    names += [option for options in SOURCE_OPTIONS.values() for option in options]
    for fields in TEMPLATE_FIELDS.values():
        names += [_field_param_name(field) for field in fields]
    return list(dict.fromkeys(names))


def _classify(name: str) -> tuple[str, str] | None:
    """What a parameter name means: (kind, canonical name), or None if unknown.

    kind is ``param`` (a request parameter, underscore spelling), ``option``
    (a source option) or ``field`` (a file-page field, TEMPLATE_FIELDS spelling).
    """
    key = _name_key(name)
    underscored = key.replace(" ", "_")
    if underscored in FIELD_ALIASES:
        return "field", FIELD_ALIASES[underscored]
    if underscored in REQUEST_PARAMS:
        return "param", underscored
    options = _all_option_names()
    if key in options:
        return "option", options[key]
    if _templates_with_field(key):
        return "field", key
    return None


# --- parsing ----------------------------------------------------------------


def parse_request(
    name: str, wikitext: str, *, licenses: Mapping[str, str]
) -> tuple[Request | None, list[Problem]]:
    """Read and check a request page.

    Returns the request and no problems, or None and every problem found, so a
    partner can fix them all in one edit.
    """
    templates = find_request_templates(wikitext)
    if not templates:
        return None, [
            Problem(
                WHERE_PAGE,
                f"The page has no {{{{{REQUEST_TEMPLATE}}}}} template; "
                "file the request with the form on the hub's main page.",
            )
        ]
    problems: list[Problem] = []
    if len(templates) > 1:
        problems.append(
            Problem(
                WHERE_PAGE,
                f"The page holds {len(templates)} {{{{{REQUEST_TEMPLATE}}}}} templates; "
                "keep only one request on a page.",
            )
        )
    values, raw, name_problems = _read_parameters(templates[0])
    problems += name_problems
    request, value_problems = _build_request(name, values, raw, licenses)
    problems += value_problems
    if problems:
        return None, problems
    return request, []


def _read_parameters(
    template: Template,
) -> tuple[dict[tuple[str, str], str], dict[str, str], list[Problem]]:
    """Sort the template's parameters by meaning and report unusable names.

    Returns (kind, canonical name) -> value for every known, non-empty
    parameter; the raw parameters as written; and the problems with names.
    """
    values: dict[tuple[str, str], str] = {}
    written_as: dict[tuple[str, str], str] = {}
    raw: dict[str, str] = {}
    problems: list[Problem] = []
    known = _known_parameter_names()
    for param in template.params:
        written = clean_value(param.name)
        value = clean_value(param.value)
        if not param.showkey:
            if value:
                problems.append(
                    Problem(
                        f"parameter {written}",
                        f'The value "{_short(value)}" has no parameter name; '
                        "write it as name = value.",
                    )
                )
            continue
        raw[written] = value
        meaning = _classify(written)
        if meaning is None:
            problems.append(
                Problem(
                    written,
                    f'There is no parameter called "{written}"'
                    + _did_you_mean(written, known, "; remove it or check its spelling."),
                )
            )
            continue
        if not value:
            continue
        if meaning in values and values[meaning] != value:
            problems.append(
                Problem(
                    written,
                    f'This parameter is given twice ("{written_as[meaning]}" and "{written}") '
                    "with different values; keep only one.",
                )
            )
            continue
        values[meaning] = value
        written_as[meaning] = written
    return values, raw, problems


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _build_request(
    name: str,
    values: dict[tuple[str, str], str],
    raw: dict[str, str],
    licenses: Mapping[str, str],
) -> tuple[Request | None, list[Problem]]:
    """Check each known parameter's value and assemble the Request."""
    params = {key: value for (kind, key), value in values.items() if kind == "param"}
    options = {key: value for (kind, key), value in values.items() if kind == "option"}
    fields = {key: value for (kind, key), value in values.items() if kind == "field"}
    problems: list[Problem] = []

    for param, hint in REQUIRED.items():
        if not params.get(param):
            problems.append(Problem(param, f"This is required: {hint}."))

    source = params.get("source", "")
    if source:
        problems += _check_source(source)
    fmt, fmt_problems = _check_format(params.get("format", ""))
    problems += fmt_problems
    if fmt == "oai-pmh" and source and not _looks_like_url(source):
        problems.append(
            Problem(
                "source",
                "The oai-pmh format needs the http(s) address of the repository, not a wiki page.",
            )
        )
    template, template_problems = _check_template(params.get("template", ""))
    problems += template_problems
    license_name, license_problems = _check_license(
        params.get("license", ""), bool(params.get("license_column")), licenses
    )
    problems += license_problems
    title = params.get("title", "")
    if title:
        problems += _check_title_pattern(title)
    ordered_fields, field_problems = _check_fields(fields, template)
    problems += field_problems
    for field, pattern in ordered_fields.items():
        problems += pattern_markup_problems(_field_param_name(field), pattern)
    categories, category_problems = _split_categories(params.get("categories", ""))
    problems += category_problems
    mapped, mapped_problems = _split_mapped(params.get("mapped", ""))
    problems += mapped_problems
    split = _read_split(params.get("split", ""))
    limit, limit_problems = _check_limit(params.get("limit", ""))
    problems += limit_problems
    pause, pause_problems = _check_yes_no("pause", params.get("pause", ""))
    problems += pause_problems
    sync, sync_problems = _check_yes_no("sync", params.get("sync", ""))
    problems += sync_problems
    approve, approve_problems = _check_approve(params.get("approve", ""))
    problems += approve_problems
    problems += _check_options(options, fmt)

    if problems:
        return None, problems
    return (
        Request(
            name=name,
            partner=params["partner"],
            source=source,
            format=fmt,
            id_column=params["id"],
            file_column=params["file"],
            license=license_name,
            license_column=params.get("license_column") or None,
            template=template or DEFAULT_TEMPLATE,
            title=title,
            fields=ordered_fields,
            categories=categories,
            mapped=mapped,
            split=split,
            limit=limit,
            pause=pause,
            sync=sync,
            approve=approve,
            options=options,
            raw=raw,
        ),
        [],
    )


def _looks_like_url(value: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", value))


def _check_source(source: str) -> list[Problem]:
    """The source is an http(s) address or the title of a wiki page."""
    if source.startswith("[[") and source.endswith("]]"):
        return [Problem("source", "Write the page title without [[ ]], e.g. source = Foo/Data.")]
    if source.startswith("[") and source.endswith("]"):
        return [
            Problem(
                "source",
                "Write the bare address without [ ] or a label, "
                "e.g. source = https://example.org/data.csv.",
            )
        ]
    if _looks_like_url(source):
        parts = urlsplit(source)
        if parts.scheme.lower() not in ("http", "https"):
            return [
                Problem(
                    "source",
                    f'Only http and https addresses can be read, not "{parts.scheme}"; '
                    "put the data on a web server or on a wiki page.",
                )
            ]
        if not parts.hostname:
            return [Problem("source", f'The address "{_short(source)}" names no host.')]
        if re.search(r"\s", source):
            return [Problem("source", "The address contains a space; write each space as %20.")]
        return []
    reason = title_problem(source)
    if reason:
        return [
            Problem(
                "source",
                f'"{_short(source)}" is neither an http(s) address nor a page title: {reason}.',
            )
        ]
    return []


def _check_format(value: str) -> tuple[str | None, list[Problem]]:
    if not value:
        return None, []
    fmt = value.lower()
    if fmt in FORMATS:
        return fmt, []
    return None, [
        Problem(
            "format",
            f'The format "{value}" is not supported; use one of {_quoted_list(FORMATS)}, '
            "or leave it empty to have it detected.",
        )
    ]


def _check_template(value: str) -> tuple[str | None, list[Problem]]:
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
            f'The template "{value}" is not supported; use one of '
            f"{_quoted_list(TEMPLATE_FIELDS)} (or leave it empty for {DEFAULT_TEMPLATE}).",
        )
    ]


def _check_license(
    value: str, has_column: bool, licenses: Mapping[str, str]
) -> tuple[str | None, list[Problem]]:
    """A licence name from the configuration (case and spacing forgiven)."""
    allowed = _quoted_list(licenses) or "(none are configured)"
    if not value:
        if has_column:
            return None, []
        return None, [
            Problem(
                "license",
                f"This is required: choose one of {allowed}, "
                "or name a column with each record's licence in license_column.",
            )
        ]
    wanted = re.sub(r"\s+", " ", value).casefold()
    for name in licenses:
        if re.sub(r"\s+", " ", name).casefold() == wanted:
            return name, []
    return None, [
        Problem(
            "license",
            f'The licence "{value}" is not allowed here; choose one of {allowed}'
            + _did_you_mean(value, licenses),
        )
    ]


def _check_title_pattern(title: str) -> list[Problem]:
    """The title pattern: placeholders, and only title-safe text around them."""
    problems: list[Problem] = []
    if not _PLACEHOLDER_RE.search(title):
        problems.append(
            Problem(
                "title",
                "The title pattern needs at least one {column} placeholder so that every "
                "file gets its own title, e.g. title = {title} ({accession_number}).",
            )
        )
    fixed = _PLACEHOLDER_RE.sub("x", title)
    if re.match(r"^\s*(file|image)\s*:", fixed, re.IGNORECASE):
        problems.append(
            Problem("title", 'Leave out the "File:" prefix; the bot adds it and the extension.')
        )
    reason = title_problem(fixed)
    if reason:
        problems.append(
            Problem(
                "title",
                f"The text around the placeholders cannot be used in a file title: {reason}.",
            )
        )
    return problems


def _check_fields(
    fields: dict[str, str], template: str | None
) -> tuple[dict[str, str], list[Problem]]:
    """Keep the fields of the chosen template, in the template's own order."""
    if template is None:  # the template itself is wrong; that problem is enough
        return {}, []
    allowed = TEMPLATE_FIELDS[template]
    problems: list[Problem] = []
    for field in fields:
        if field not in allowed:
            owners = _templates_with_field(field)
            param = _field_param_name(field)
            problems.append(
                Problem(
                    param,
                    f"This is a field of {' and '.join(owners)}, not of {template}; "
                    f"set template = {owners[0]} or remove {param}.",
                )
            )
    ordered = {field: fields[field] for field in allowed if field in fields}
    return ordered, problems


def split_list(value: str) -> list[str]:
    """A ``;``-separated list: items trimmed, empty items dropped."""
    return [item.strip() for item in value.split(";") if item.strip()]


def _split_categories(value: str) -> tuple[tuple[str, ...], list[Problem]]:
    categories: list[str] = []
    problems: list[Problem] = []
    for item in split_list(value):
        category = _CATEGORY_PREFIX_RE.sub("", item)
        reason = title_problem(category)
        if reason:
            problems.append(
                Problem(
                    "categories",
                    f'"{_short(item)}" is not a category name ({reason}); write names '
                    'without [[ ]] or "Category:", separated by ";".',
                )
            )
        elif category not in categories:
            categories.append(category)
    return tuple(categories), problems


def _split_mapped(value: str) -> tuple[tuple[str, ...], list[Problem]]:
    """Mapped columns; each gets a page ``.../Mappings/COLUMN``, so it must fit a title."""
    columns = list(dict.fromkeys(split_list(value)))
    problems: list[Problem] = []
    for column in columns:
        reason = title_problem(column)
        if reason:
            problems.append(
                Problem(
                    "mapped",
                    f'The column "{_short(column)}" cannot get a mapping page because {reason}.',
                )
            )
    return tuple(columns), problems


def _read_split(value: str) -> str:
    """The separator inside mapped cells; see the module docstring for the rules."""
    if not value:
        return DEFAULT_SPLIT
    value = re.sub(r"\{\{\s*!\s*\}\}", "|", value)
    return html.unescape(value) or DEFAULT_SPLIT


def _check_limit(value: str) -> tuple[int | None, list[Problem]]:
    if not value:
        return None, []
    if _LIMIT_RE.fullmatch(value) and int(value) > 0:
        return int(value), []
    return None, [
        Problem(
            "limit",
            f'"{_short(value)}" is not a positive whole number; write a number such as 10, '
            "or leave it empty to upload everything.",
        )
    ]


def _check_yes_no(param: str, value: str) -> tuple[bool, list[Problem]]:
    folded = value.casefold()
    if folded in _YES:
        return True, []
    if folded in _NO:
        return False, []
    return False, [
        Problem(param, f'Write yes or no (or leave it empty for no), not "{_short(value)}".')
    ]


def _check_approve(value: str) -> tuple[str | None, list[Problem]]:
    if not value:
        return None, []
    if _APPROVE_RE.fullmatch(value):
        return value.lower(), []
    return None, [
        Problem(
            "approve",
            f'"{_short(value)}" is not a preview id; copy the id shown at the top of the '
            "Preview page (such as 3f9a1c02de), with nothing else.",
        )
    ]


def _check_options(options: dict[str, str], fmt: str | None) -> list[Problem]:
    """Source options belong to one format each and must be well formed."""
    problems: list[Problem] = []
    for option, value in options.items():
        owner = _option_format(option)
        if fmt != owner:
            problems.append(
                Problem(
                    option,
                    f"This option only applies to the {owner} format; "
                    f"set format = {owner} or remove {option}.",
                )
            )
            continue
        message = _option_problem(option, value)
        if message:
            problems.append(Problem(option, message))
    return problems


def _option_problem(option: str, value: str) -> str | None:
    if option == "records" and value.lower() not in ("canvas", "manifest"):
        return f'Write canvas (one record per image) or manifest, not "{_short(value)}".'
    if option in ("from", "until") and not _OAI_DATE_RE.fullmatch(value):
        return f'Write a date such as 2024-01-31 (or 2024-01-31T00:00:00Z), not "{_short(value)}".'
    if option == "set" and not _OAI_SET_RE.fullmatch(value):
        return f'"{_short(value)}" is not a set name the repository could have (setSpec).'
    if option == "metadata_prefix" and re.search(r"\s", value):
        return f'"{_short(value)}" is not a metadata prefix; it cannot contain spaces.'
    return None


# --- columns, once the source has been read ---------------------------------


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
        problems.append(Problem(where, _missing_column_message(column, available)))

    need("id", request.id_column)
    need("file", request.file_column)
    if request.license_column:
        need("license_column", request.license_column)
    for column in request.mapped:
        need("mapped", column)
    for column in placeholders(request.title):
        need("title", column)
    for field, pattern in request.fields.items():
        for column in placeholders(pattern):
            need(_field_param_name(field), column)
    return problems


#: How many column names a message lists before saying "and N more".
MAX_LISTED_COLUMNS = 30


def _missing_column_message(column: str, available: Sequence[str]) -> str:
    if not available:
        return (
            f'There is no column "{column}": the source has no columns at all; '
            "check the source address and format."
        )
    listed = ", ".join(available[:MAX_LISTED_COLUMNS])
    if len(available) > MAX_LISTED_COLUMNS:
        listed += f" and {len(available) - MAX_LISTED_COLUMNS} more"
    suggestion = closest(column, available)
    hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
    return f'There is no column "{column}" in the source{hint}; its columns are: {listed}.'


# --- editing ----------------------------------------------------------------


def set_param(wikitext: str, name: str, value: str) -> str:
    """Set one parameter of the request template, leaving every other byte alone.

    ``value`` is wikitext and is inserted as given. An existing parameter keeps
    the spacing around its value (the last copy is changed when it is given
    twice, since that is the one MediaWiki uses); a new one is appended in the
    template's own layout (one parameter a line, aligned ``=``, or all on one
    line). Raises ValueError when the page has no request template.
    """
    code = mwparserfromhell.parse(wikitext, skip_style_tags=True)
    template = next(
        (t for t in code.filter_templates(recursive=True) if is_template(t, REQUEST_TEMPLATE)),
        None,
    )
    if template is None:
        raise ValueError(f"the page has no {{{{{REQUEST_TEMPLATE}}}}} template")
    named = [p for p in template.params if p.showkey]
    matching = [p for p in named if clean_value(p.name) == name.strip()]
    if matching:
        param = matching[-1]
        lead, content, trail = _split_spacing(str(param.value))
        if not content and not lead:
            lead = _value_lead(named)
        param.value = mwparserfromhell.parse(lead + value + trail)
        return str(code)
    if not named:
        template.add(name, value, preserve_spacing=False)
        return str(code)
    last = named[-1]
    body_lead, body, body_trail = _split_spacing(str(last.value))
    separator = _separator(template.params)
    last.value = mwparserfromhell.parse(body_lead + body + separator)
    template.add(
        _name_like(str(last.name), name, named),
        _value_lead(named) + value + body_trail,
        preserve_spacing=False,
    )
    return str(code)


def _split_spacing(text: str) -> tuple[str, str, str]:
    """(leading whitespace, content, trailing whitespace); an empty value is all trail."""
    content = text.strip()
    if not content:
        newline = text.find("\n")
        if newline == -1:
            return text, "", ""
        return text[:newline], "", text[newline:]
    start = text.index(content)
    return text[:start], content, text[start + len(content) :]


def _value_lead(params: Sequence[Parameter]) -> str:
    """The whitespace the template puts between ``=`` and a value."""
    for param in params:
        lead, content, _ = _split_spacing(str(param.value))
        if content:
            return lead
    return ""


def _separator(params: Sequence[Parameter]) -> str:
    """The whitespace after a value, before the next ``|`` (one line or one a line)."""
    for param in params[:-1]:
        _, content, trail = _split_spacing(str(param.value))
        if content or trail:
            return trail
    return ""


def _name_like(example: str, name: str, params: Sequence[Parameter]) -> str:
    """``name`` laid out like the template's names (leading space, aligned ``=``)."""
    lead = example[: len(example) - len(example.lstrip())]
    trail = example[len(example.rstrip()) :]
    width, how_many = Counter(len(str(p.name)) for p in params).most_common(1)[0]
    if how_many >= 2 and len(lead) + len(name) < width:
        return (lead + name).ljust(width)
    return lead + name + (" " if trail else "")


__all__ = [
    "DEFAULT_SPLIT",
    "DEFAULT_TEMPLATE",
    "FIELD_ALIASES",
    "REQUEST_TEMPLATE",
    "check_columns",
    "clean_value",
    "closest",
    "find_request_template",
    "find_request_templates",
    "is_template",
    "normalize_template_name",
    "parse_request",
    "set_param",
    "split_list",
    "title_problem",
    "without_comments",
]
