"""The message files and the message module (SPEC 14): files, fallback, PLURAL, GENDER, bidi."""

from __future__ import annotations

import json
import re
import sys

import pytest

from bots import I18N_DIR
from bots.i18n import Message, PageLanguage, Wikitext, items, msg, plain, render
from bots.i18n.catalog import Catalog, direction, fallback_chain, read_message_file
from bots.i18n.message import from_text, to_text
from bots.i18n.render import plural_index
from bots.model import Problem, RequestFacts
from bots.pipeline.request import parse_request
from bots.pipeline.request_names import language_params, language_suffixed

FILES = sorted(I18N_DIR.glob("*.json"))
ENGLISH = read_message_file(I18N_DIR / "en.json")
SHIPPED = ("en", "sv", "es", "fr", "ar")


# --- the files --------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_file_parses_and_names_its_authors(path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data["@metadata"]["authors"], list) and data["@metadata"]["authors"]
    assert all(isinstance(v, str) for k, v in data.items() if not k.startswith("@"))
    assert all(re.fullmatch(r"hubbot-[a-z0-9_-]+", k) for k in data if not k.startswith("@"))


def test_the_shipped_languages() -> None:
    assert {p.stem for p in FILES} == {*SHIPPED, "qqq"}


def test_every_key_has_documentation_and_no_documentation_is_orphaned() -> None:
    documented = read_message_file(I18N_DIR / "qqq.json")
    assert set(ENGLISH) == set(documented)
    assert all(len(text) > 10 for text in documented.values())


@pytest.mark.parametrize("language", [lang for lang in SHIPPED if lang != "en"])
def test_translations_have_the_english_keys_and_parameters(language: str) -> None:
    translated = read_message_file(I18N_DIR / f"{language}.json")
    assert set(translated) <= set(ENGLISH), set(translated) - set(ENGLISH)
    for key, text in translated.items():
        assert set(re.findall(r"\$\d", text)) <= set(re.findall(r"\$\d", ENGLISH[key])), key
        assert text.count("{{") == text.count("}}"), key


def test_english_messages_use_their_parameters_in_order() -> None:
    for key, text in ENGLISH.items():
        used = sorted({int(n) for n in re.findall(r"\$(\d)", text)})
        assert used == list(range(1, len(used) + 1)), key


# --- rendering ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        ("en", {0: "other", 1: "one", 2: "other"}),
        ("fr", {0: "one", 1: "one", 2: "other"}),
        ("ar", {0: "zero", 1: "one", 2: "two", 3: "few", 11: "many", 100: "other"}),
    ],
)
def test_plural_forms_follow_cldr(language: str, counts: dict[int, str]) -> None:
    order = ["zero", "one", "two", "few", "many", "other"]
    forms = [c for c in order if c in counts.values() or c == "other"]
    for number, category in counts.items():
        assert plural_index(language, number, len(forms)) == forms.index(category)


def test_arabic_uses_six_forms_and_english_two() -> None:
    words = {n: plain(msg("hubbot-status-limit-reached", n), "ar") for n in (0, 1, 2, 3, 11, 100)}
    assert "لا ملفات" in words[0] and "ملف واحد" in words[1] and "ملفان" in words[2]
    assert "3 ملفات" in words[3] and "11 ملفًا" in words[11] and "100 ملف" in words[100]
    assert "1 uploaded file " in plain(msg("hubbot-status-limit-reached", 1))
    assert "2 uploaded files " in plain(msg("hubbot-status-limit-reached", 2))


def test_explicit_plural_forms_and_missing_forms(monkeypatch) -> None:
    catalog = Catalog(I18N_DIR)
    catalog.messages["en"]["hubbot-test"] = "{{PLURAL:$1|0=no file|one file|$1 files}}"
    catalog.messages["en"]["hubbot-test-short"] = "{{PLURAL:$1|only}}"
    monkeypatch.setattr(sys.modules["bots.i18n.render"], "catalog", lambda: catalog)
    assert [plain(msg("hubbot-test", n)) for n in (0, 1, 5)] == ["no file", "one file", "5 files"]
    assert plain(msg("hubbot-test-short", 7)) == "only"


def test_gender_is_left_to_the_wiki_and_neutral_in_plain_text() -> None:
    ok = msg("hubbot-approval-ok", "3f9a1c02de", "Reviewer")
    assert render(ok, "ar").startswith("{{GENDER:Reviewer|وافق|وافقت|وافق}}")
    assert plain(ok, "ar").startswith("وافق ")
    hidden = msg("hubbot-approval-ok", "3f9a1c02de", msg("hubbot-approval-hidden-user"))
    assert "{{GENDER" not in render(hidden, "ar")


def test_values_are_escaped_and_isolated_where_directions_meet() -> None:
    message = msg("hubbot-request-unknown-param", "{{evil}}")
    assert "{{evil}}" not in render(message, "en") and "&#123;&#123;evil" in render(message, "en")
    assert "<bdi>" not in render(message, "en")  # Latin in English: nothing to isolate
    assert "«<bdi>&#123;" in render(message, "ar")  # Latin in Arabic: isolated
    arabic_value = msg("hubbot-request-unknown-param", "اللوحة")
    assert "<bdi>اللوحة</bdi>" in render(arabic_value, "en")  # Arabic in English too
    link = msg("hubbot-status-problems-intro", Wikitext("[[R/Requests/X]]"))
    assert "[[R/Requests/X]]" in render(link, "en")  # the bot's own markup is kept


def test_a_missing_message_falls_back_to_english_marked_as_such(monkeypatch) -> None:
    catalog = Catalog(I18N_DIR)
    del catalog.messages["ar"]["hubbot-status-uploading"]
    del catalog.messages["sv"]["hubbot-status-uploading"]
    monkeypatch.setattr(sys.modules["bots.i18n.render"], "catalog", lambda: catalog)
    assert render(msg("hubbot-status-uploading"), "ar") == (
        '<span lang="en" dir="ltr">Uploading.</span>'
    )
    assert render(msg("hubbot-status-uploading"), "sv") == "Uploading."
    assert render(msg("hubbot-status-done"), "sv").startswith("Alla filer är hanterade")


def test_fallback_chains_and_directions() -> None:
    assert fallback_chain("pt-br") == ["pt-br", "pt", "en"]
    assert fallback_chain("en") == ["en"]
    assert (direction("ar"), direction("he"), direction("fa"), direction("sv")) == (
        "rtl",
        "rtl",
        "rtl",
        "ltr",
    )
    assert render(msg("hubbot-status-uploading"), "de") == "Uploading."  # no German file yet
    assert PageLanguage("ar").wrapper() == '<div lang="ar" dir="rtl" class="mw-content-rtl">'


def test_lists_and_numbers_the_languages_way() -> None:
    choice = items(["csv", "json", "iiif"], "or")
    assert plain(Message.verbatim(choice)) == "csv, json, or iiif"
    assert plain(Message("hubbot-verbatim", (choice,)), "sv") == "csv, json eller iiif"
    assert plain(Message("hubbot-verbatim", (choice,)), "ar") == "csv أو json أو iiif"
    assert plain(msg("hubbot-preview-records", 1200), "en").endswith("1,200")
    assert plain(msg("hubbot-preview-records", 1200), "ar").endswith("1,200")  # Latin digits


def test_qqx_shows_keys() -> None:
    shown = render(msg("hubbot-approval-waiting", "abc123"), "qqx")
    assert shown == "(hubbot-approval-waiting: abc123)"


# --- messages kept between runs -------------------------------------------------------


def test_messages_survive_the_journal() -> None:
    problem = Problem(msg("hubbot-where-record", "R1"), msg("hubbot-media-empty"))
    facts = RequestFacts(
        state="invalid",
        message=msg("hubbot-status-limit-reached", 5),
        notes=(
            msg("hubbot-balance-and-more", items([msg("hubbot-balance-pipe")], "semicolon"), 2),
        ),
        problems=(problem, Problem("license", msg("hubbot-request-yes-no", "x"))),
        language="ar",
    )
    again = RequestFacts.from_json(json.loads(json.dumps(facts.to_json())))
    assert again == facts
    reason = msg("hubbot-record-title-taken", "X" * 5000, "exists")
    assert len(to_text(reason)) < 2000 and from_text(to_text(reason)).key == reason.key


def test_older_journals_with_english_text_still_read() -> None:
    facts = RequestFacts.from_json(
        {"state": "invalid", "message": "Uploading.", "notes": ["a"], "problems": [["id", "b"]]}
    )
    assert facts.message == Message.verbatim("Uploading.")
    assert facts.problems == (Problem("id", Message.verbatim("b")),)
    assert from_text("The media file is empty.") == Message.verbatim("The media file is empty.")


# --- the request's language parameters ----------------------------------------------


def test_language_suffixed_names_are_found_generically() -> None:
    assert language_suffixed("description_sv", ("description", "caption")) == ("description", "sv")
    assert language_suffixed("caption_pt-br", ("description", "caption")) == ("caption", "pt-br")
    assert language_suffixed("description_Svenska", ("description",)) is None
    assert language_suffixed("description", ("description",)) is None
    names = ["caption_sv", "caption", "caption_ar", "description_fr"]
    assert language_params(names, "caption") == {"sv": "caption_sv", "ar": "caption_ar"}


REQUEST = """{{Partnership request
 |partner = P |source = https://example.org/d.csv |id = id |file = image |license = CC0
 |title = {title} ({id}) |description = {title}
 |description_sv = {titel} |description_ar = {title_ar} %s
}}"""


def test_a_request_reads_its_language_and_descriptions_per_language() -> None:
    request, problems = parse_request("X", REQUEST % "|language = SV", licenses={"CC0": "cc-zero"})
    assert problems == [] and request is not None
    assert request.language == "sv"
    assert request.translations == {"description": {"sv": "{titel}", "ar": "{title_ar}"}}


def test_a_bad_language_code_is_a_problem_in_plain_words() -> None:
    _, problems = parse_request("X", REQUEST % "|language = Swedish", licenses={"CC0": "cc-zero"})
    assert [str(p.where) for p in problems] == ["language"]
    assert "not a language code" in str(problems[0].message)
