"""The names a request's parameters may have, and what each one means.

Spaces and underscores are interchangeable in parameter names; a near miss
gets a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from bots.i18n.catalog import valid_language
from bots.model import (
    LANGUAGE_PARAMS,
    REQUEST_PARAMS,
    SOURCE_OPTIONS,
    TEMPLATE_FIELDS,
)

#: ``caption_LANG``: a caption in another language (SPEC 11).
CAPTION_PARAM = re.compile(r"caption_([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)")

#: Request parameters that fill a file-page field whose name is taken by a
#: request parameter: request spelling -> field (as TEMPLATE_FIELDS spells it).
FIELD_ALIASES: dict[str, str] = {"source_url": "source", "work_title": "title"}

#: Other spellings of request parameters: British "licence" is what many partners write.
PARAM_ALIASES: dict[str, str] = {"licence": "license", "licence_column": "license_column"}


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


def did_you_mean(word: str, candidates: Iterable[str], otherwise: str = ".") -> str:
    """The end of a sentence: a suggestion when one is close, else ``otherwise``."""
    suggestion = closest(word, candidates)
    return f'; did you mean "{suggestion}"?' if suggestion else otherwise


def name_key(name: str) -> str:
    """Spaces and underscores are interchangeable in parameter names."""
    return re.sub(r"[\s_]+", " ", name).strip()


def all_option_names() -> dict[str, str]:
    """Option key (spaces) -> its request spelling (underscores)."""
    return {name_key(option): option for options in SOURCE_OPTIONS.values() for option in options}


def option_format(option: str) -> str:
    for fmt, options in SOURCE_OPTIONS.items():
        if option in options:
            return fmt
    raise KeyError(option)


def field_param_name(field: str) -> str:
    """How a request spells the parameter that fills a file-page field."""
    for alias, target in FIELD_ALIASES.items():
        if target == field:
            return alias
    return field.replace(" ", "_")


def templates_with_field(field: str) -> list[str]:
    return [name for name, fields in TEMPLATE_FIELDS.items() if field in fields]


def known_parameter_names() -> list[str]:
    """Every name a request may use, spelled as the documentation spells it."""
    names = list(REQUEST_PARAMS) + list(FIELD_ALIASES)
    names += [option for options in SOURCE_OPTIONS.values() for option in options]
    for fields in TEMPLATE_FIELDS.values():
        names += [field_param_name(field) for field in fields]
    return list(dict.fromkeys(names))


def language_suffixed(name: str, bases: Iterable[str]) -> tuple[str, str] | None:
    """``description_sv`` -> (``description``, ``sv``) when the base is one of ``bases``.

    The generic reader of per-language parameters (``description_LANG``,
    ``caption_LANG``...): the suffix must be a language code as Wikimedia
    writes them (``sv``, ``pt-br``, ``zh-hant``), lower case.
    """
    key = name_key(name).replace(" ", "_")
    for base in bases:
        prefix = base.replace(" ", "_") + "_"
        if key.startswith(prefix) and valid_language(key[len(prefix) :]):
            return base, key[len(prefix) :]
    return None


def language_params(params: Iterable[str], base: str) -> dict[str, str]:
    """Of the names ``params``, those that are ``base_LANG``: language -> name as written."""
    found: dict[str, str] = {}
    for name in params:
        split = language_suffixed(name, (base,))
        if split is not None:
            found.setdefault(split[1], name)
    return found


def classify(name: str) -> tuple[str, str] | None:
    """What a parameter name means: (kind, canonical name), or None if unknown.

    kind is ``param`` (a request parameter, underscore spelling), ``option``
    (a source option), ``field`` (a file-page field, TEMPLATE_FIELDS spelling)
    or ``translation`` (``description_sv``: the name as written, normalised),
    or ``caption`` (``caption_LANG``, with the language code as the name).
    """
    key = name_key(name)
    if language_suffixed(key, LANGUAGE_PARAMS) is not None:
        return "translation", key.replace(" ", "_")
    underscored = key.replace(" ", "_")
    caption = CAPTION_PARAM.fullmatch(underscored)
    if caption:  # caption_LANG: a caption in another language (SPEC 11)
        return "caption", caption.group(1).lower()
    if underscored in FIELD_ALIASES:
        return "field", FIELD_ALIASES[underscored]
    if underscored in PARAM_ALIASES:
        return "param", PARAM_ALIASES[underscored]
    if underscored in REQUEST_PARAMS:
        return "param", underscored
    options = all_option_names()
    if key in options:
        return "option", options[key]
    if templates_with_field(key):
        return "field", key
    return None
