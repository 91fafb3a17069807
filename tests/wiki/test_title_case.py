"""File titles capitalised by the wiki's own rules, asked from the real wiki.

MediaWiki upper-cases a title's first letter with PHP's ``mb_strtoupper``
unless ``$wgOverrideUcfirstCharacters`` says otherwise (Wikimedia wikis keep
``ß``; a stock wiki makes it ``SS``). The preview must show the title the
wiki stores, whichever the wiki does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bots.pipeline.titles import legal_title
from tests.support.workflow import Workflow

#: Like a Wikimedia wiki: ß and the ﬁ ligature stay, ǆ becomes its title-case
#: letter ǅ (PHP and Python both say Ǆ), which stays; Georgian is left to PHP.
WIKIMEDIA_LIKE = "$wgOverrideUcfirstCharacters = ['ß' => 'ß', 'ﬁ' => 'ﬁ', 'ǆ' => 'ǅ', 'ǅ' => 'ǅ'];"
#: An override whose answer the wiki capitalises again: ǆ to ǅ, but ǅ to Ǆ.
RESTLESS = "$wgOverrideUcfirstCharacters = ['ǆ' => 'ǅ'];"

LETTERS = {"ß", "ǆ", "ﬁ", "ა", "é", "i"}


@pytest.fixture
def extra_settings(devwiki) -> Iterator:
    """Set extra PHP settings for one test; the wiki gets its defaults back afterwards."""
    yield devwiki.set_extra_settings
    devwiki.set_extra_settings(None)


def test_a_stock_wiki_upper_cases_as_php_does(bot) -> None:
    rules = bot.title_rules(LETTERS)
    assert rules.files_capitalised and rules.categories_capitalised
    asked = {c: rules.upper[c] for c in LETTERS}
    assert asked == {"ß": "SS", "ǆ": "Ǆ", "ﬁ": "FI", "ა": "Ა", "é": "É", "i": "I"}
    # PHP's mb_strtoupper here agrees with this Python's str.upper for each of them
    assert asked == {c: c.upper() for c in LETTERS}
    assert legal_title("ßtraße", "jpg", rules=rules) == "SStraße.jpg"


def test_a_wiki_with_overrides_keeps_what_it_keeps(bot, extra_settings) -> None:
    extra_settings(WIKIMEDIA_LIKE)
    rules = bot.title_rules(LETTERS)
    assert {c: rules.upper[c] for c in LETTERS} == {
        "ß": "ß",
        "ǆ": "ǅ",
        "ﬁ": "ﬁ",
        "ა": "Ა",
        "é": "É",
        "i": "I",
    }
    assert legal_title("ßtraße", "jpg", rules=rules) == "ßtraße.jpg"
    assert legal_title("ǆamija", "jpg", rules=rules) == "ǅamija.jpg"
    # what was asked once is not asked again; a new letter is
    again = bot.title_rules({"ß", "ö"}, rules)
    assert again.upper["ß"] == "ß" and again.upper["ö"] == "Ö"


def test_an_answer_the_wiki_capitalises_again_is_followed(bot, extra_settings) -> None:
    extra_settings(RESTLESS)
    rules = bot.title_rules({"ǆ"})
    assert rules.upper["ǆ"] == "ǅ" and rules.upper["ǅ"] == "Ǆ"
    assert legal_title("ǆamija", "jpg", rules=rules) == "Ǆamija.jpg"


def test_a_case_sensitive_file_namespace_capitalises_nothing(bot, extra_settings) -> None:
    extra_settings("$wgCapitalLinkOverrides[NS_FILE] = false;")
    rules = bot.title_rules({"ß", "a"})
    assert not rules.files_capitalised and rules.categories_capitalised
    assert legal_title("ßtraße", "jpg", rules=rules) == "ßtraße.jpg"
    assert legal_title("apple", "jpg", rules=rules) == "apple.jpg"
    # categories are still first-letter: their letters were asked in that namespace
    assert rules.upper["ß"] == "SS"


def _preview_titles(flow: Workflow, name: str) -> list[str]:
    text = flow.bot.read_page(flow.hub.preview(name)).text
    return re.findall(r"\[\[:(File:[^\]|]+)\]\]", text)


#: What each record's title starts with, and what the wiki stores, per wiki.
STARTS = ["ßtraße", "ǆamija", "ﬁre", "ადგილი", "étude", "istanbul"]
STORED = {
    "stock": ["SStraße", "Ǆamija", "FIre", "Ადგილი", "Étude", "Istanbul"],
    "wikimedia-like": ["ßtraße", "ǅamija", "ﬁre", "Ადგილი", "Étude", "Istanbul"],
    "restless": ["SStraße", "Ǆamija", "FIre", "Ადგილი", "Étude", "Istanbul"],
}
SETTINGS = {"stock": None, "wikimedia-like": WIKIMEDIA_LIKE, "restless": RESTLESS}


@pytest.mark.parametrize("wiki", sorted(STORED))
def test_the_preview_shows_the_title_the_wiki_stores(flow, extra_settings, wiki) -> None:
    if SETTINGS[wiki]:
        extra_settings(SETTINGS[wiki])
    rows = [
        {
            "id": f"R{i:03d}",
            "title": f"{start} {flow.tag}",
            "artist": "Anonymous",
            "image": flow.media.image(f"{flow.tag}-case-{i}.png"),
        }
        for i, start in enumerate(STARTS, start=1)
    ]
    name = f"Case {flow.tag}"  # the tracking category is wiki-wide
    flow.file_request(name, rows, categories="ßtraßen in art")
    flow.run()
    shown = _preview_titles(flow, name)
    assert [t.removeprefix("File:").split()[0] for t in shown] == STORED[wiki]
    flow.approve(name)
    assert flow.run().requests == {name: "done"}
    assert sorted(shown) == flow.uploads(name)
    # the category the file pages name is the one the wiki files them in
    page = flow.bot.call(action="query", titles=shown[0], prop="categories")["query"]["pages"][0]
    expected = "ßtraßen in art" if wiki == "wikimedia-like" else "SStraßen in art"
    assert f"Category:{expected}" in [c["title"] for c in page.get("categories", [])]
    assert f"[[Category:{expected}]]" in flow.file_text(shown[0])
