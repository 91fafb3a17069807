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

from collections.abc import Mapping
from typing import Any

import mwparserfromhell
from mwparserfromhell.nodes import Template

from bots.i18n.catalog import valid_language
from bots.i18n.message import msg
from bots.model import (
    LANGUAGE_PARAMS,
    TEMPLATE_FIELDS,
    Problem,
    Request,
)
from bots.pipeline.patterns import pattern_markup_problems
from bots.pipeline.request_checks import (
    DEFAULT_TEMPLATE,
    check_approve,
    check_fields,
    check_format,
    check_license,
    check_limit,
    check_options,
    check_source,
    check_template,
    check_title_pattern,
    check_yes_no,
    looks_like_url,
    read_split,
    short,
    split_categories,
    split_mapped,
)
from bots.pipeline.request_items import read_items
from bots.pipeline.request_names import (
    classify,
    closest,
    field_param_name,
    known_parameter_names,
    language_suffixed,
)
from bots.pipeline.request_structured import read_structured
from bots.wikitext import clean_value, is_template, set_template_param, template_param

#: The name of the request template, as ``hubbot install`` creates it.
REQUEST_TEMPLATE = "Partnership request"


#: ``where`` for problems that concern the page as a whole.
WHERE_PAGE = "request"


#: Parameters that must be given (``license`` has its own rule): the message saying so.
REQUIRED: dict[str, str] = {
    "partner": "hubbot-request-required-partner",
    "source": "hubbot-request-required-source",
    "id": "hubbot-request-required-id",
    "file": "hubbot-request-required-file",
    "title": "hubbot-request-required-title",
}


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


def parse_request(
    name: str, wikitext: str, *, licenses: Mapping[str, str]
) -> tuple[Request | None, list[Problem]]:
    """Read and check a request page.

    Returns the request and no problems, or None and every problem found, so a
    partner can fix them all in one edit.
    """
    templates = find_request_templates(wikitext)
    if not templates:
        return None, [Problem(WHERE_PAGE, msg("hubbot-request-no-template", REQUEST_TEMPLATE))]
    problems: list[Problem] = []
    if len(templates) > 1:
        problems.append(
            Problem(
                WHERE_PAGE, msg("hubbot-request-many-templates", len(templates), REQUEST_TEMPLATE)
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
    known = known_parameter_names()
    for param in template.params:
        written = clean_value(param.name)
        value = clean_value(param.value)
        if not param.showkey:
            if value:
                problems.append(
                    Problem(
                        msg("hubbot-where-parameter", written),
                        msg("hubbot-request-unnamed-value", short(value)),
                    )
                )
            continue
        raw[written] = value
        meaning = classify(written)
        if meaning is None:
            suggestion = closest(written, known)
            problems.append(
                Problem(
                    written,
                    msg("hubbot-request-unknown-param-suggest", written, suggestion)
                    if suggestion
                    else msg("hubbot-request-unknown-param", written),
                )
            )
            continue
        if not value:
            continue
        if meaning in values and values[meaning] != value:
            problems.append(
                Problem(written, msg("hubbot-request-param-twice", written_as[meaning], written))
            )
            continue
        values[meaning] = value
        written_as[meaning] = written
    return values, raw, problems


def _steering(params: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """The parameters that steer the run, not the files: limit, pause, sync, approve."""
    limit, problems = check_limit(params.get("limit", ""))
    pause, pause_problems = check_yes_no("pause", params.get("pause", ""))
    sync, sync_problems = check_yes_no("sync", params.get("sync", ""))
    approve, approve_problems = check_approve(params.get("approve", ""))
    problems += pause_problems + sync_problems + approve_problems
    return {"limit": limit, "pause": pause, "sync": sync, "approve": approve}, problems


#: Parameters a batch edit does without: it changes files already on the wiki.
EDIT_NEEDS_NOT = frozenset({"file", "title"})


def _work(params: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """What the request asks the bot to do: upload (default), edit files, or undo (SPEC 13)."""
    mode = (params.get("mode") or "upload").strip().casefold()
    problems: list[Problem] = []
    if mode not in ("upload", "edit"):
        problems.append(Problem("mode", msg("hubbot-request-mode-unknown", mode)))
        mode = "upload"
    target = params.get("target") or None
    if mode == "edit" and not target:
        problems.append(Problem("target", msg("hubbot-request-target-required")))
    if mode == "upload" and target:
        problems.append(Problem("target", msg("hubbot-request-target-not-used")))
    undo, undo_problems = check_yes_no("undo", params.get("undo", ""))
    return {"mode": mode, "target_column": target, "undo": undo}, problems + undo_problems


def _source_and_format(params: Mapping[str, str]) -> tuple[str, str | None, list[Problem]]:
    """Where the records are, and in which format."""
    source = params.get("source", "")
    problems = check_source(source) if source else []
    fmt, fmt_problems = check_format(params.get("format", ""))
    problems += fmt_problems
    if fmt == "oai-pmh" and source and not looks_like_url(source):
        problems.append(Problem("source", msg("hubbot-request-oai-needs-url")))
    return source, fmt, problems


def _structured(
    params: Mapping[str, str],
    captions: Mapping[str, str],
    mapped: tuple[str, ...],
    source_url: str,
) -> tuple[dict[str, Any], list[Problem]]:
    """The request's structured data and item parameters (SPEC 11, 12)."""
    structured, problems = read_structured(params, captions)
    items, item_problems = read_items(params, mapped, source_url=source_url)
    return {"structured": structured, "items": items}, problems + item_problems


def _license(
    mode: str, params: Mapping[str, str], licenses: Mapping[str, str]
) -> tuple[str | None, list[Problem]]:
    """The request's licence; a batch edit needs none unless it names one."""
    if mode == "upload" or params.get("license") or params.get("license_column"):
        return check_license(
            params.get("license", ""), bool(params.get("license_column")), licenses
        )
    return None, []


def _languages(
    values: dict[tuple[str, str], str],
    params: Mapping[str, str],
    fields: Mapping[str, str],
    template: str | None,
) -> tuple[dict[str, Any], list[Problem]]:
    """The request's language (SPEC 14) and its fields' texts per language."""
    language, problems = check_language(params.get("language", ""))
    translations, more = _translations(values, fields, template)
    return {"language": language, "translations": translations}, problems + more


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
    captions = {key: value for (kind, key), value in values.items() if kind == "caption"}
    problems: list[Problem] = []

    work, work_problems = _work(params)
    problems += work_problems
    for param, key in REQUIRED.items():
        if work["mode"] == "edit" and param in EDIT_NEEDS_NOT:
            continue
        if not params.get(param):
            problems.append(Problem(param, msg(key)))

    source, fmt, source_problems = _source_and_format(params)
    problems += source_problems
    template, template_problems = check_template(params.get("template", ""))
    problems += template_problems
    license_name, license_problems = _license(work["mode"], params, licenses)
    problems += license_problems
    title = params.get("title", "")
    if title:
        problems += check_title_pattern(title)
    ordered_fields, field_problems = check_fields(fields, template)
    problems += field_problems
    for field, pattern in ordered_fields.items():
        problems += pattern_markup_problems(field_param_name(field), pattern)
    categories, category_problems = split_categories(params.get("categories", ""))
    problems += category_problems
    mapped, mapped_problems = split_mapped(params.get("mapped", ""))
    problems += mapped_problems
    split = read_split(params.get("split", ""))
    steering, steering_problems = _steering(params)
    problems += steering_problems
    structured, structured_problems = _structured(
        params, captions, mapped, fields.get("source", "")
    )
    problems += structured_problems
    problems += check_options(options, fmt)
    languages, language_problems = _languages(values, params, ordered_fields, template)
    problems += language_problems
    if languages["language"] and fmt == "iiif":
        options = {**options, "language": languages["language"]}  # IIIF values in it first

    if problems:
        return None, problems
    return (
        Request(
            name=name,
            partner=params["partner"],
            source=source,
            format=fmt,
            id_column=params["id"],
            file_column=params.get("file", ""),
            license=license_name,
            license_column=params.get("license_column") or None,
            template=template or DEFAULT_TEMPLATE,
            title=title,
            fields=ordered_fields,
            categories=categories,
            mapped=mapped,
            split=split,
            **steering,
            **work,
            options=options,
            raw=raw,
            **languages,
            **structured,
        ),
        [],
    )


def check_language(value: str) -> tuple[str | None, list[Problem]]:
    """``|language=``: a language code such as ``sv``, ``ar`` or ``pt-br`` (SPEC 14)."""
    if not value:
        return None, []
    code = value.strip().lower().replace("_", "-")
    if valid_language(code):
        return code, []
    return None, [Problem("language", msg("hubbot-request-language-bad", short(value)))]


def _translations(
    values: Mapping[tuple[str, str], str],
    fields: Mapping[str, str],
    template: str | None,
) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """``description_sv`` and the like: field -> language -> pattern, checked as fields are."""
    out: dict[str, dict[str, str]] = {}
    problems: list[Problem] = []
    for (kind, written), pattern in values.items():
        split = language_suffixed(written, LANGUAGE_PARAMS) if kind == "translation" else None
        if split is None:
            continue
        field, language = split
        if template is not None and field not in TEMPLATE_FIELDS[template]:
            problems.append(
                Problem(written, msg("hubbot-request-translation-field", field, template))
            )
            continue
        problems += pattern_markup_problems(written, pattern)
        out.setdefault(field, {})[language] = pattern
    return out, problems


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
    set_template_param(template, name, value)
    return str(code)


def request_param(wikitext: str, name: str) -> str | None:
    """One parameter of the page's request template as written (comments removed), or None."""
    template = find_request_template(wikitext)
    return None if template is None else template_param(template, name)
