"""The hub's pages in every shipped language, made by ``hubbot install`` from ``i18n/``.

- ``Template:Hub message/LANG``: the on-wiki messages (the request box, the
  status and preview boxes, the mapping tables) as one ``#switch`` per
  language, each message falling back to English; ``{{Hub message}}`` picks
  the page of the request's language. MediaWiki renders these, so they hold
  no ``{{PLURAL}}`` (the wiki would use its own language's rules).
- ``R/Help/LANG``, ``R/Help/Mappings/LANG`` and ``R/Help/Reviewing/LANG``: the
  partners', volunteers' and reviewers' help in each language that has a file
  for it in ``wiki_templates/pages/hub/help/`` (``LANG.wikitext``,
  ``Mappings/LANG.wikitext``, ``Reviewing/LANG.wikitext``).
- TemplateData labels in every shipped language (``hubbot-template-label-*``).
- On the dev wiki, stand-ins for Commons' language templates (``{{sv|1=...}}``)
  that multilingual descriptions use.

Pure: texts in, texts out; :mod:`bots.dev.install` saves them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from babel import Locale

from bots.i18n.catalog import DOCUMENTATION, SOURCE_LANGUAGE, catalog, direction

#: Messages that MediaWiki renders on the wiki (in templates), by key prefix.
ON_WIKI = ("hubbot-box-", "hubbot-template-", "hubbot-mapping-box-", "hubbot-mapping-column-")
#: The templates whose TemplateData labels come from ``hubbot-template-label-PARAM``.
TRANSLATED_TEMPLATEDATA = ("Template:Partnership request",)
_PARAM = re.compile(r"\$(\d+)")


def languages() -> list[str]:
    """The shipped languages, English first."""
    others = sorted(lang for lang in catalog().languages if lang != SOURCE_LANGUAGE)
    return [SOURCE_LANGUAGE, *others]


def on_wiki_messages(language: str) -> dict[str, str]:
    """The on-wiki messages of a language, each falling back to English on its own."""
    english = catalog().messages[SOURCE_LANGUAGE]
    own = catalog().messages.get(language, {})
    out: dict[str, str] = {}
    for key, text in english.items():
        if not key.startswith(ON_WIKI):
            continue
        if key in own:
            out[key] = own[key]
        elif direction(language) != direction(SOURCE_LANGUAGE):
            out[key] = f'<span lang="en" dir="ltr">{text}</span>'
        else:
            out[key] = text
    return out


def message_template(language: str) -> str:
    """``Template:Hub message/LANG``: ``$1`` becomes the template's second parameter, and so on."""
    lines = [
        "<includeonly>{{#switch:{{{1|}}}",
        f"|@dir={direction(language)}",
        f"|@lang={language}",
    ]
    messages = on_wiki_messages(language)
    for key, text in messages.items():
        wikitext = _PARAM.sub(lambda m: "{{{" + str(int(m.group(1)) + 1) + "|}}}", text)
        lines.append(f"|{key}={_kept_spaces(wikitext)}")
    lines.append('|#default=<span class="error">{{{1|}}}</span>')
    lines.append("}}</includeonly><noinclude>")
    lines.append(
        f"The Content Partnerships Hub's on-wiki messages in <code>{language}</code>, written by "
        f"<code>hubbot install</code> from <code>i18n/{language}.json</code>: correct them there. "
        "See [[Template:Hub message]]."
    )
    lines.append(_messages_templatedata(messages) + "</noinclude>")
    return "\n".join(lines) + "\n"


def _messages_templatedata(messages: dict[str, str]) -> str:
    """TemplateData of a language's message page: the key and the parameters its messages use."""
    used = sorted({int(n) for text in messages.values() for n in _PARAM.findall(text)})
    params: dict[str, object] = {"1": {"label": "Message key", "type": "line", "required": True}}
    params.update({str(n + 1): {"label": f"${n}", "type": "line"} for n in used})
    data = {
        "description": "The hub's messages in one language; use Template:Hub message instead.",
        "format": "inline",
        "params": params,
        "paramOrder": list(params),
    }
    return "<templatedata>\n" + json.dumps(data, indent=1) + "\n</templatedata>"


def _kept_spaces(text: str) -> str:
    """``#switch`` trims its results: spaces at either end (a separator's) become entities."""
    core = text.strip(" ")
    lead, trail = len(text) - len(text.lstrip(" ")), len(text) - len(text.rstrip(" "))
    return "&#32;" * lead + core + "&#32;" * trail


def label_map(key: str) -> dict[str, str] | None:
    """A message in every shipped language that has it, for TemplateData; None if unknown."""
    found = {
        lang: catalog().messages[lang][key]
        for lang in languages()
        if key in catalog().messages.get(lang, {})
    }
    return found or None


def translate_templatedata(text: str) -> str:
    """The page's TemplateData with its labels (and description) in every shipped language."""
    match = re.search(r"<templatedata>(.*?)</templatedata>", text, flags=re.DOTALL)
    if match is None:
        return text
    data = json.loads(match.group(1))
    description = label_map("hubbot-template-description")
    if description:
        data["description"] = {**description, SOURCE_LANGUAGE: _english(data["description"])}
    for name, param in data.get("params", {}).items():
        labels = label_map(f"hubbot-template-label-{name}")
        if labels:
            param["label"] = {**labels, SOURCE_LANGUAGE: _english(param.get("label", ""))}
    block = json.dumps(data, ensure_ascii=False, indent=1)
    return text[: match.start(1)] + "\n" + block + "\n" + text[match.end(1) :]


def _english(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get(SOURCE_LANGUAGE, ""))
    return str(value)


#: The helps translated per language: ``""`` is the partners' ``R/Help``, the others
#: are its subpages, each with its translations in a folder of the same name.
HELPS = ("", "Mappings", "Reviewing")


def help_title(root: str, kind: str, language: str) -> str:
    """``R/Help/LANG`` or ``R/Help/KIND/LANG``: a translation sits under the page it translates."""
    return "/".join(part for part in (root, "Help", kind, language) if part)


def help_pages(templates_dir: Path, kind: str = "") -> dict[str, str]:
    """Language -> text of ``R/Help/LANG`` (or ``R/Help/KIND/LANG``).

    From ``pages/hub/help/LANG.wikitext`` (or ``pages/hub/help/KIND/LANG.wikitext``):
    a translator adds a language with one file, and no code names the languages.
    """
    folder = templates_dir / "pages" / "hub" / "help" / kind
    return {
        path.stem: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.wikitext"))
    }


def language_standin(language: str, pattern: str) -> str:
    """A dev-wiki stand-in for Commons' ``{{LANG}}`` template, labelled with the language's name."""
    name = Locale.parse(language.replace("-", "_")).get_display_name(language) or language
    name = name[:1].upper() + name[1:]
    return (
        pattern.replace("{code}", language)
        .replace("{name}", name)
        .replace("{dir}", direction(language))
    )


def standin_languages() -> list[str]:
    """Languages whose stand-in the dev wiki gets (English has its own page)."""
    return [lang for lang in languages() if lang not in (SOURCE_LANGUAGE, DOCUMENTATION)]
