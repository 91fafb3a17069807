"""The forms' message files (``wiki_templates/forms/i18n``): every shipped language
says everything English says, with the same parameters, in a form the script reads.

The script (``ui.js``) fills ``$1``... and then reads ``{{PLURAL:n|...}}`` whose forms
hold no braces, handing them to MediaWiki's plural rules in CLDR order; it knows
neither ``{{GENDER:...}}`` nor explicit forms such as ``0=...``. A message it cannot
read would show its wikitext to the reader, so these checks mirror what it does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bots.dev.forms import FORMS_DIR, load_messages

I18N = FORMS_DIR / "i18n"
FILES = sorted(I18N.glob("*.json"))
SHIPPED = ("en", "sv", "es", "fr", "ar")
TRANSLATIONS = [lang for lang in SHIPPED if lang != "en"]
#: How many plural forms each language's messages give (CLDR: Arabic has six).
PLURAL_FORMS = {"en": 2, "sv": 2, "es": 2, "fr": 2, "ar": 6}

PARAM = re.compile(r"\$\d+")
PLURAL = re.compile(r"\{\{PLURAL:\s*(\$\d+)\s*\|")
#: What ui.js replaces once the parameters are filled in.
SCRIPT_PLURAL = re.compile(r"\{\{PLURAL:\s*([0-9.]+)\s*\|([^{}]*)\}\}")


def read(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: text for key, text in data.items() if not key.startswith("@")}


ENGLISH = read(I18N / "en.json")


def plural_forms(text: str) -> list[list[str]]:
    """The forms of each PLURAL in a message, as the script splits them."""
    filled = PARAM.sub("7", text)
    return [forms.split("|") for _, forms in SCRIPT_PLURAL.findall(filled)]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_file_parses_and_names_its_authors(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data["@metadata"]["authors"], list) and data["@metadata"]["authors"]
    messages = read(path)
    assert all(isinstance(text, str) and text.strip() for text in messages.values()), path.name
    assert all(re.fullmatch(r"cph-forms-[a-z0-9-]+", key) for key in messages), path.name


def test_the_shipped_languages_are_installed() -> None:
    assert {path.stem for path in FILES} == {*SHIPPED, "qqq"}
    assert set(load_messages()) == set(SHIPPED)


def test_every_key_has_documentation() -> None:
    documented = read(I18N / "qqq.json")
    assert set(documented) == set(ENGLISH), set(ENGLISH) ^ set(documented)
    assert all(len(text) > 10 for text in documented.values())


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_translations_have_every_key_and_keep_the_parameters(language: str) -> None:
    translated = read(I18N / f"{language}.json")
    assert set(translated) == set(ENGLISH), set(ENGLISH) ^ set(translated)
    for key, text in translated.items():
        assert set(PARAM.findall(text)) == set(PARAM.findall(ENGLISH[key])), key
        assert PLURAL.findall(text) == PLURAL.findall(ENGLISH[key]), key


@pytest.mark.parametrize("language", SHIPPED)
def test_the_script_reads_every_plural_with_the_languages_forms(language: str) -> None:
    for key, text in read(I18N / f"{language}.json").items():
        filled = PARAM.sub("7", text)
        assert "{{PLURAL" not in SCRIPT_PLURAL.sub("", filled), key
        assert "{{GENDER" not in text.upper(), key
        for forms in plural_forms(text):
            assert len(forms) == PLURAL_FORMS[language], key
            assert not any(re.match(r"\s*\d+\s*=", form) for form in forms), key


def test_french_puts_a_no_break_space_before_high_punctuation() -> None:
    for key, text in read(I18N / "fr.json").items():
        assert not re.search(r" [:;?!»]|« ", text), key
        assert not re.search(r"[^\s\u00a0/][:;?!»](\s|$)", text) or key.endswith("-placeholder"), (
            key
        )
