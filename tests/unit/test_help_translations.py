"""The translated help pages say everything their English page says.

The partners' help ``R/Help/LANG``, the volunteers' ``R/Help/Mappings/LANG`` and
the reviewers' ``R/Help/Reviewing/LANG``: a partner who reads the help in
Swedish must not miss a section the English page has, such as structured data or
undo, nor a volunteer a rule of the mapping tables. Translations are free text, so the
check compares what a translation keeps unchanged and what a reader can count:

- the outline: the same headings, at the same levels, in the same order;
- in each section the same number of definition terms (the ``; <code>name</code>``
  lines that document one parameter or state each) and of list items (a rule of
  the bot, a point a reviewer checks);
- in each section every word of the English section that the bot reads, written in
  ``<code>`` alone or on either side of `` = `` in an example (parameter names and
  values such as ``yes``, ``run``, ``create``, ``edit``, ``P217``): a translation may
  add code, never drop it;
- the examples in ``<pre>`` that the bot reads (a mapping table, the approve
  line) are copied as they are;
- every in-page link (``[[#Heading|...]]``) names a heading of the same page, so
  translated headings keep their links working;
- each page links to its other languages, and the English page to every translation.

Sections are paired by position, which the outline check makes safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bots.dev.install_i18n import HELPS, help_pages, help_title

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "wiki_templates"
HUB_DIR = TEMPLATES_DIR / "pages" / "hub"
#: The English page of each help: ``Help.wikitext``, ``Help_Mappings.wikitext``...
ENGLISH = {
    kind: (HUB_DIR / "_".join(filter(None, ("Help", kind))))
    .with_suffix(".wikitext")
    .read_text(encoding="utf-8")
    for kind in HELPS
}
#: (help, language) -> the translation's text.
TRANSLATED = {
    (kind, lang): text
    for kind in HELPS
    for lang, text in help_pages(TEMPLATES_DIR, kind).items()
    if not text.startswith("#REDIRECT")  # en: R/Help/en leads to the English help
}
PAGES = sorted(TRANSLATED)

HEADING = re.compile(r"^(={2,4})\s*(.*?)\s*\1\s*$", re.MULTILINE)
CODE = re.compile(r"<code[^>]*>(.*?)</code>", re.DOTALL)
BOT_WORD = re.compile(r"[A-Za-z0-9_.-]+")
ANCHOR_LINK = re.compile(r"\[\[#([^|\]]+)")
PRE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.DOTALL)
HUB_LINK = re.compile(r"\[\[\{root\}/([^|\]]+)")


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
    def items(self) -> int:
        return sum(1 for line in self.text.splitlines() if line.startswith(("*", "#")))

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


def page_id(page: tuple[str, str]) -> str:
    return help_title("", *page)


def test_every_shipped_language_has_each_help_translated() -> None:
    for kind in HELPS:
        assert {lang for k, lang in TRANSLATED if k == kind} >= {"sv", "es", "fr", "ar"}, kind


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_translation_has_the_english_outline(page: tuple[str, str]) -> None:
    english = [(s.level, s.title) for s in sections(ENGLISH[page[0]])]
    translated = [(s.level, s.title) for s in sections(TRANSLATED[page])]
    assert [level for level, _ in translated] == [level for level, _ in english], (
        f"{page_id(page)} headings {translated} do not follow the English {english}"
    )


def gaps(page: tuple[str, str], text: str) -> list[str]:
    """What the translation ``text`` lacks, section by section, against its English page."""
    found = []
    for english, translated in zip(sections(ENGLISH[page[0]]), sections(text), strict=True):
        where = f"{page_id(page)}, section {translated.title!r} (English {english.title!r})"
        if translated.terms != english.terms:
            found.append(f"{where}: {translated.terms} terms, English {english.terms}")
        if translated.items != english.items:
            found.append(f"{where}: {translated.items} list items, English {english.items}")
        missing = sorted(english.bot_words - translated.bot_words)
        if missing:
            found.append(f"{where} lacks {missing}")
    if PRE.findall(text) != PRE.findall(ENGLISH[page[0]]):
        found.append(f"{page_id(page)}: the examples in <pre> differ from the English ones")
    return found


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_each_section_documents_what_the_english_one_does(page: tuple[str, str]) -> None:
    assert outline(TRANSLATED[page]) == outline(ENGLISH[page[0]])
    assert not gaps(page, TRANSLATED[page])


@pytest.mark.parametrize("page", [*PAGES, *((kind, "en") for kind in HELPS)], ids=page_id)
def test_in_page_links_name_a_heading_of_the_page(page: tuple[str, str]) -> None:
    text = ENGLISH[page[0]] if page[1] == "en" else TRANSLATED[page]
    headings = {s.title for s in sections(text)}
    for target in ANCHOR_LINK.findall(text):
        assert target.replace("_", " ").strip() in headings, f"{page_id(page)}: [[#{target}]]"


@pytest.mark.parametrize("page", [*PAGES, *((kind, "en") for kind in HELPS)], ids=page_id)
def test_each_language_links_to_the_others(page: tuple[str, str]) -> None:
    """The language bar: English links to every translation, each translation to the rest."""
    kind, lang = page
    text = ENGLISH[kind] if lang == "en" else TRANSLATED[page]
    links = set(HUB_LINK.findall(text))
    others = {other for k, other in TRANSLATED if k == kind and other != lang}
    wanted = {help_title("", kind, other).lstrip("/") for other in others}
    if lang != "en":
        wanted.add(help_title("", kind, "").lstrip("/"))
    assert wanted <= links, f"{page_id(page)} lacks links to {sorted(wanted - links)}"


@pytest.mark.parametrize("lang", sorted({lang for _, lang in TRANSLATED}))
def test_helps_of_a_language_link_to_each_other(lang: str) -> None:
    """A Swedish partner is sent to the Swedish volunteers' help, not to the English one."""
    for kind in HELPS:
        links = set(HUB_LINK.findall(TRANSLATED[(kind, lang)]))
        for other in HELPS:
            if other != kind:
                assert help_title("", other, lang).lstrip("/") in links, (kind, other, lang)


def test_the_check_sees_a_missing_section() -> None:
    """A translation without the undo entry, or without a whole section, fails."""
    page = ("", "sv")
    swedish = TRANSLATED[page]
    entry = re.search(r"^; <code>undo</code>\n:.*\n", swedish, re.MULTILINE)
    assert entry
    without_undo = swedish.replace(entry.group(0), "")
    assert gaps(page, without_undo) and not gaps(page, swedish)
    without_yes = swedish.replace("<code>undo = yes</code>", "<code>undo = ja</code>")
    assert gaps(page, without_yes)
    last = HEADING.findall(swedish)[-1]
    shorter = swedish.split(f"{last[0]} {last[1]} {last[0]}")[0]
    assert outline(shorter) != outline(ENGLISH[""])


def test_the_check_sees_a_missing_rule_or_a_changed_example() -> None:
    """A volunteers' help without a rule, a column name or the exact example table fails."""
    page = ("Mappings", "fr")
    french = TRANSLATED[page]
    assert not gaps(page, french)
    rule = re.search(r"^\* Ne modifiez pas .*\n", french, re.MULTILINE)
    assert rule
    assert gaps(page, french.replace(rule.group(0), ""))
    assert gaps(page, french.replace("<code>suggestions</code>", "<code>suggestions_</code>"))
    assert gaps(page, french.replace("|count=212|", "|nombre=212|"))
    reviewing = ("Reviewing", "ar")
    assert not gaps(reviewing, TRANSLATED[reviewing])
    assert gaps(reviewing, TRANSLATED[reviewing].replace("approve     =", "موافقة ="))
