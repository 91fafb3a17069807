"""Column values are data, never markup: escape_value under attack."""

from __future__ import annotations

import html
import unicodedata

import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mwparserfromhell.nodes import Argument, Comment, ExternalLink, Heading, Tag, Template, Wikilink

from bots.pipeline.escape import LINE_BREAK, escape_value, normalise_value, plain_value

#: Text rich in the characters wikitext cares about, mixed with anything at all.
_MARKUP_ALPHABET = list("{}[]|=<>!'~_-*#:;& \n\r\t\"/%") + ["<!--", "-->", "__", "~~~", "''"]
markup_text = st.lists(
    st.one_of(st.sampled_from(_MARKUP_ALPHABET), st.text(max_size=3)), max_size=40
).map("".join)
any_text = st.one_of(st.text(), markup_text)


def _unescape(escaped: str) -> str:
    return html.unescape(escaped.replace(LINE_BREAK, "\n"))


def _assert_no_markup(wikicode: mwparserfromhell.wikicode.Wikicode) -> None:
    """Only text, entities and our own <br /> may appear."""
    assert not wikicode.filter(forcetype=Template)
    assert not wikicode.filter(forcetype=Argument)
    assert not wikicode.filter(forcetype=Wikilink)
    assert not wikicode.filter(forcetype=Comment)
    assert not wikicode.filter(forcetype=Heading)
    assert not [link for link in wikicode.filter(forcetype=ExternalLink) if link.brackets]
    for tag in wikicode.filter(forcetype=Tag):
        assert str(tag) == LINE_BREAK, f"unexpected tag {tag!r}"


@settings(max_examples=400)
@given(any_text)
def test_escaped_value_is_one_plain_template_parameter(value: str) -> None:
    escaped = escape_value(value)
    wikicode = mwparserfromhell.parse("{{T|p=" + escaped + "}}")
    templates = wikicode.filter_templates(recursive=True)
    assert len(templates) == 1
    params = templates[0].params
    assert [str(param.name) for param in params] == ["p"]
    _assert_no_markup(params[0].value)


@settings(max_examples=400)
@given(any_text)
def test_escaped_value_is_plain_at_line_start_and_in_headings(value: str) -> None:
    escaped = escape_value(value)
    _assert_no_markup(mwparserfromhell.parse("\n" + escaped + "\n"))
    heading = mwparserfromhell.parse("== " + escaped + " ==\n")
    assert len(heading.filter_headings()) == 1
    _assert_no_markup(heading.filter_headings()[0].title)


@settings(max_examples=400)
@given(any_text)
def test_escaped_value_is_plain_inside_link_labels(value: str) -> None:
    escaped = escape_value(value)
    wikilink = mwparserfromhell.parse("[[Foo|" + escaped + "]]")
    links = wikilink.filter_wikilinks()
    assert len(links) == 1 and str(links[0].title) == "Foo"
    if links[0].text is not None:
        _assert_no_markup(links[0].text)
    external = mwparserfromhell.parse("[https://example.org/ " + escaped + "]")
    ext_links = [link for link in external.filter_external_links() if link.brackets]
    assert len(ext_links) == 1 and str(ext_links[0].url) == "https://example.org/"


@settings(max_examples=400)
@given(any_text)
def test_unescaping_gives_the_normalised_value_back(value: str) -> None:
    assert _unescape(escape_value(value)) == normalise_value(value)


@settings(max_examples=400)
@given(any_text, any_text)
def test_no_dangerous_sequence_survives_even_between_values(left: str, right: str) -> None:
    for escaped in (escape_value(left), escape_value(left) + escape_value(right)):
        for sequence in ("~~~", "__", "{{", "}}", "[[", "]]", "''", "<!--", "\n", "\r"):
            assert sequence not in escaped


@settings(max_examples=400)
@given(any_text)
def test_escaped_value_never_starts_line_markup(value: str) -> None:
    """mwparserfromhell does not model preformatted text or ``;``/``:`` lists, so check directly."""
    escaped = escape_value(value)
    assert not escaped[:1] or escaped[0] not in " \t*#:;-!=|{"


@given(st.text())
def test_output_is_nfc_and_free_of_control_characters(value: str) -> None:
    escaped = escape_value(value)
    assert unicodedata.is_normalized("NFC", escaped)
    assert not [char for char in escaped if unicodedata.category(char) == "Cc"]


MALICIOUS = [
    # (value, what must not happen)
    "{{subst:Delete}}",
    "{{#invoke:Module|main}}",
    "{{{1}}}",
    "}}{{Copyvio|url=x}}",
    "| author = Someone else",
    "[[Category:Spam]]",
    "[[File:Evil.jpg|thumb]]",
    "[https://spam.example click]",
    "<script>alert(1)</script>",
    "<nowiki>",
    "</nowiki>",
    "<ref>x</ref>",
    "<!-- hide the rest",
    "-->",
    "__NOTOC__",
    "__NOINDEX__",
    "~~~~",
    "~~~",
    "~~~~~",
    "'''bold''' and ''italic''",
    "{| class=wikitable\n|-\n| a || b\n|}",
    "! header !! cell",
    "* item",
    "# item",
    ": indent",
    "; term : definition",
    "== Heading ==",
    "----",
    " preformatted",
    "a\n* list after newline",
    "line one\r\nline two\rline three",
    "&lt;b&gt; &amp; &#123;",
    "#REDIRECT [[Main Page]]",
    "-{zh-hans:a; zh-hant:b}-",
    "x\x00y\x07z\x1b[31m",
]


@pytest.mark.parametrize("value", MALICIOUS)
def test_malicious_values_stay_text(value: str) -> None:
    escaped = escape_value(value)
    page = mwparserfromhell.parse("{{T|p=" + escaped + "}}\n" + escaped + "\n")
    (template,) = page.filter_templates(recursive=True)
    _assert_no_markup(template.params[0].value)
    _assert_no_markup(mwparserfromhell.parse(page.nodes[1:]))
    assert _unescape(escaped) == normalise_value(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Job's Comforters", "Job's Comforters"),
        ("Müller, William James", "Müller, William James"),
        ("Space², Providence, Rhode Island", "Space², Providence, Rhode Island"),
        ("snake_case value", "snake_case value"),
        ("Wow! Great", "Wow! Great"),
        ("1826-7, reprinted 1892", "1826-7, reprinted 1892"),
        ("support: 394 x 419 mm", "support: 394 x 419 mm"),
        ("https://example.org/a/b", "https://example.org/a/b"),
        ("'Europe': Fragment", "&#39;Europe': Fragment"),
        ("the 'Rose'", "the 'Rose&#39;"),
        ("a''b", "a&#39;&#39;b"),
        ("[title not known]", "&#91;title not known&#93;"),
        ("a = b | c", "a &#61; b &#124; c"),
        ("R&D <x>", "R&amp;D &lt;x&gt;"),
        ('say "hi"', "say &quot;hi&quot;"),
        ("~1850", "&#126;1850"),
        ("c.~1850~", "c.~1850&#126;"),
        ("-5 degrees", "&#45;5 degrees"),
        ("* star", "&#42; star"),
        ("a\nb", "a<br />b"),
        ("a\r\n\r\nb", "a<br /><br />b"),
        ("tab\there", "tab here"),
        ("e\u0301", "é"),
        ("", ""),
    ],
)
def test_ordinary_text_stays_readable(value: str, expected: str) -> None:
    assert escape_value(value) == expected


def test_plain_value_is_one_line_of_unescaped_text() -> None:
    assert plain_value("A [b]\r\nc & d\x00") == "A [b] c & d"
