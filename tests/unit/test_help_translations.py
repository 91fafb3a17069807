"""The translated help pages (``R/Help/LANG``) say everything the English help says.

A partner who reads the help in Swedish must not miss a section the English
page has, such as structured data or undo. Translations are free text, so the
check compares what a translation keeps unchanged and what a reader can count:

- the outline: the same headings, at the same levels, in the same order;
- in each section the same number of definition terms (the ``; <code>name</code>``
  lines that document one parameter or state each);
- in each section every word of the English section that the bot reads, written in
  ``<code>`` alone or on either side of `` = `` in an example (parameter names and
  values such as ``yes``, ``run``, ``create``, ``edit``, ``P217``): a translation may
  add code, never drop it;
- every in-page link (``[[#Heading|...]]``) names a heading of the same page, so
  translated headings keep their links working.

Sections are paired by position, which the outline check makes safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bots.dev.install_i18n import help_pages

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "wiki_templates"
ENGLISH = (TEMPLATES_DIR / "pages" / "hub" / "Help.wikitext").read_text(encoding="utf-8")
TRANSLATED = {
    lang: text
    for lang, text in help_pages(TEMPLATES_DIR).items()
    if not text.startswith("#REDIRECT")  # en: R/Help/en leads to the English help
}

HEADING = re.compile(r"^(={2,4})\s*(.*?)\s*\1\s*$", re.MULTILINE)
CODE = re.compile(r"<code[^>]*>(.*?)</code>", re.DOTALL)
BOT_WORD = re.compile(r"[A-Za-z0-9_.-]+")
ANCHOR_LINK = re.compile(r"\[\[#([^|\]]+)")


@dataclass(frozen=True)
class Section:
    """One heading and the text up to the next heading."""

    level: int
    title: str
    text: str

    @property
    def terms(self) -> int:
        return sum(1 for line in self.text.splitlines() if line.startswith(";"))

    @property
    def bot_words(self) -> set[str]:
        words = set()
        for code in CODE.findall(self.text):
            words.update(w for w in code.split(" = ", 1) if BOT_WORD.fullmatch(w.strip()))
        return {w.strip() for w in words}


def sections(text: str) -> list[Section]:
    """The page's sections; the text before the first heading is a section of level 1."""
    marks = list(HEADING.finditer(text))
    found = [Section(1, "", text[: marks[0].start()] if marks else text)]
    for mark, after in zip(marks, [*marks[1:], None], strict=True):
        end = after.start() if after else len(text)
        found.append(Section(len(mark.group(1)), mark.group(2), text[mark.end() : end]))
    return found


def outline(text: str) -> list[int]:
    return [section.level for section in sections(text)]


def test_every_shipped_language_has_a_translated_help_page() -> None:
    assert set(TRANSLATED) >= {"sv", "es", "fr", "ar"}


@pytest.mark.parametrize("lang", sorted(TRANSLATED))
def test_translation_has_the_english_outline(lang: str) -> None:
    english = [(s.level, s.title) for s in sections(ENGLISH)]
    translated = [(s.level, s.title) for s in sections(TRANSLATED[lang])]
    assert [level for level, _ in translated] == [level for level, _ in english], (
        f"Help/{lang} headings {translated} do not follow the English {english}"
    )


def gaps(lang: str, text: str) -> list[str]:
    """What the translation ``text`` lacks, section by section, against the English help."""
    found = []
    for english, translated in zip(sections(ENGLISH), sections(text), strict=True):
        where = f"Help/{lang}, section {translated.title!r} (English {english.title!r})"
        if translated.terms != english.terms:
            found.append(f"{where}: {translated.terms} terms, English {english.terms}")
        missing = sorted(english.bot_words - translated.bot_words)
        if missing:
            found.append(f"{where} lacks {missing}")
    return found


@pytest.mark.parametrize("lang", sorted(TRANSLATED))
def test_each_section_documents_what_the_english_one_does(lang: str) -> None:
    assert outline(TRANSLATED[lang]) == outline(ENGLISH)
    assert not gaps(lang, TRANSLATED[lang])


@pytest.mark.parametrize("lang", [*sorted(TRANSLATED), "en"])
def test_in_page_links_name_a_heading_of_the_page(lang: str) -> None:
    text = ENGLISH if lang == "en" else TRANSLATED[lang]
    headings = {s.title for s in sections(text)}
    for target in ANCHOR_LINK.findall(text):
        assert target.replace("_", " ").strip() in headings, f"Help/{lang}: [[#{target}]]"


def test_the_check_sees_a_missing_section() -> None:
    """A translation without the undo entry, or without a whole section, fails."""
    swedish = TRANSLATED["sv"]
    entry = re.search(r"^; <code>undo</code>\n:.*\n", swedish, re.MULTILINE)
    assert entry
    without_undo = swedish.replace(entry.group(0), "")
    assert gaps("sv", without_undo) and not gaps("sv", swedish)
    without_yes = swedish.replace("<code>undo = yes</code>", "<code>undo = ja</code>")
    assert gaps("sv", without_yes)
    last = HEADING.findall(swedish)[-1]
    shorter = swedish.split(f"{last[0]} {last[1]} {last[0]}")[0]
    assert outline(shorter) != outline(ENGLISH)
