"""Human wikitext that would break a file page, read the way MediaWiki reads it.

The tables are the attacks (and the near misses that must stay allowed); the
property at the end puts every accepted text into a real file page and asks a
wikitext parser whether the page kept its template, licence, tracking template
and categories.
"""

from __future__ import annotations

import mwparserfromhell
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bots.model import MappingRow, MappingTable, PlannedFile, Request
from bots.pipeline.balance import Unbalanced, explain, unbalanced
from bots.pipeline.mapping import validate_mapping
from bots.pipeline.patterns import pattern_markup_problems
from bots.pipeline.render import render_file
from bots.pipeline.request import parse_request

# --- what is refused, and what it says ---------------------------------------------

#: (text, a phrase of one of its reasons)
REFUSED = [
    # comments
    ("<!--", '"<!--" starts a comment that is never closed'),
    ("Blake <!-- a note", '"<!--" starts a comment'),
    ("<!-- one --> two <!-- three", '"<!--" starts a comment'),
    ("<nowiki>a</nowiki><!--", '"<!--" starts a comment'),
    # inclusion tags: refused outright, in any case, opened, closed or self-closed
    ("<includeonly>", '"<includeonly>" cannot be used on file pages'),
    ("<includeonly>x</includeonly>", "includeonly, noinclude and onlyinclude"),
    ("<IncludeOnly >", "cannot be used on file pages"),
    ("<noinclude>", "cannot be used on file pages"),
    ("<noinclude>x</noinclude>", "cannot be used on file pages"),
    ("</noinclude>", "cannot be used on file pages"),
    ("<onlyinclude>x</onlyinclude>", "cannot be used on file pages"),
    ("<onlyinclude/>", "cannot be used on file pages"),
    ("<includeonly\n>", "cannot be used on file pages"),
    ("x</includeonly>", "cannot be used on file pages"),
    # extension tags without their end
    ("<nowiki>", '"<nowiki>" is never closed with "</nowiki>"'),
    ("<NoWiki>{{", '"<NoWiki>" is never closed with "</nowiki>"'),
    ('<nowiki class="a>b">', "is never closed"),
    ("<pre>", '"<pre>" is never closed with "</pre>"'),
    ("<pre\n>a|b", '"<pre >" is never closed'),
    ("<ref>Source", '"<ref>" is never closed with "</ref>"'),
    ('<ref name="a">', "is never closed"),
    ("<REF NAME=a>x</ref", "is never closed"),
    ("Artist <unknown>", '"<unknown>" is never closed with "</unknown>"'),
    ("<ref>a|b</ref>", "Inside <ref> (read as plain wikitext where the wiki does not know"),
    ('<ref name="{{x" />', "Inside <ref>"),
    ("<math><!--</math>", "Inside <math>"),
    ("<gallery>\nFile:A.jpg", '"<gallery>" is never closed'),
    ("<math>x^2", '"<math>" is never closed'),
    ("<syntaxhighlight lang=python>", "is never closed"),
    ("<source>", '"<source>" is never closed'),
    ("<poem>", '"<poem>" is never closed'),
    ("<score>", '"<score>" is never closed'),
    ("<templatedata>", '"<templatedata>" is never closed'),
    ("<ref", '"<ref" is a tag that is never ended with ">"'),
    ("<nowiki\n", "never ended with"),
    ("</nowiki>", '"</nowiki>" closes a <nowiki> tag that this text never opened'),
    ("a</ref>", "never opened"),
    ("</PRE >", "never opened"),
    ("<nowiki>a</nowiki></nowiki>", "never opened"),
    # braces and brackets, paired as the preprocessor pairs them
    ("{{Creator:Blake", '"{{" opens a template that is never closed with "}}"'),
    ("{{en|1=[[a|b]]", '"{{" opens a template'),
    ("{{{1", '"{{{" opens a template parameter that is never closed with "}}}"'),
    ("{{{{a}}", '"{{" opens a template'),
    ("}}", '"}}" closes a template that this text never opened'),
    ("Blake}}{{Delete", '"}}" closes a template'),
    ("{{a}}}}", '"}}" closes a template'),
    ("}}}", '"}}" closes a template'),
    ("[[William Blake", '"[[" opens a link that is never closed with "]]"'),
    ("[[a}}]", '"[[" opens a link'),
    ("[[a|{{b]]", '"{{" opens a template'),
    ("a]]", '"]]" closes a link that this text never opened'),
    ("-{zh:x", '"-{" opens a language-variant block that is never closed with "}-"'),
    ("-{{{a}}", '"-{" opens a language-variant block'),
    # a pipe that would split the field
    ("George | Richmond", 'A "|" outside a link or template would split the field'),
    ("[[a]]|b", "split the field"),
    ("<nowiki>x</nowiki>|", "split the field"),
    # lines that the parser reads as tables or headings
    ("{|", 'A line starting with "{|" or "|}" is table markup'),
    ("a\n{| class=wikitable", "table markup"),
    ("a\n  :{|", "table markup"),
    ("a\n|}", "table markup"),
    ("a\n<!-- -->{|", "table markup"),
    ("=Blake=", 'A line starting with "=" would be read as a section heading'),
    ("a\n== b ==", "section heading"),
    ("x\n= not a heading either", "section heading"),
    # HTML that wraps what follows, or closes what it did not open
    ('<div style="display:none">', '"<div>" is never closed with "</div>"'),
    ("<span>a", '"<span>" is never closed'),
    ("<small>(attributed)", '"<small>" is never closed'),
    ("</div>", '"</div>" closes a <div> that this text never opened'),
    ("</table>", "never opened"),
    ("<b>a</b></b>", "never opened"),
]

#: Texts that must stay allowed: closed markup, links with pipes, templates, HTML.
ACCEPTED = [
    "",
    "Blake, William",
    "[[d:Q1507366|George Richmond]]",
    "[[w:William Blake|Blake]] (1757–1827)",
    "{{Creator:J. M. W. Turner}}",
    "{{en|1=A drawing}} {{fr|1=Un dessin}}",
    "{{en|1=[[a|b]] and {{c|d}}}}",
    "{{!}}",
    "{{{1}}}",
    "{{{1|default}}}",
    "[[[a]]]",
    "{{{{a}}}}",
    "a <!-- a note --> b",
    "<!-- }} | {{ [[ <nowiki> -->",
    "<nowiki>{{not a template}} | [[ ]] <!-- </nowiki>",
    "<nowiki/>",
    "<NOWIKI>a</nowiki >",
    "<pre>a|b\n{|</pre>",
    '<ref name="a">See [[b|c]]</ref>',
    '<ref name="a" />',
    "<math>\\frac{1}{2}</math>",
    "<gallery>\nFile:A.jpg|caption\n</gallery>",
    "-{a}-",
    "-{{a}}",
    '<span lang="fr">Le Louvre</span>',
    "<div><small>a</small></div>",
    "a<br>b<br />c<hr/>",
    "<p>a",
    "<li>a",
    "a - b -- c --> d",
    "a > b < c",
    "<ref>[[a|b]] {{c|d}}</ref>",
    "<foo/>",
    "< nowiki>",
    "<references/>",
    "a = b",
    "a }-",
    "a } b ] c { d [ e",
    "&lt;!-- &#123;&#123; &#124;",
    "a\n\nb\n* c\n# d",
    "'''bold''' ''italic''",
    "[https://example.org/a?b=c A site]",
]


@pytest.mark.parametrize(("text", "says"), REFUSED)
def test_refused(text: str, says: str) -> None:
    found = unbalanced(text)
    assert found, text
    assert any(says in str(f.reason) for f in found), [str(f.reason) for f in found]
    assert all(isinstance(f, Unbalanced) and str(f) == str(f.reason) for f in found)


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted(text: str) -> None:
    assert unbalanced(text) == ()


#: Extension tags of MediaWiki and of Wikimedia's extensions, and one no wiki knows.
TAG_NAMES = [
    "nowiki",
    "pre",
    "gallery",
    "indicator",
    "langconvert",
    "ref",
    "references",
    "math",
    "chem",
    "syntaxhighlight",
    "source",
    "poem",
    "score",
    "templatedata",
    "templatestyles",
    "timeline",
    "hiero",
    "mapframe",
    "categorytree",
    "inputbox",
    "imagemap",
    "section",
    "translate",
    "no-such-tag",
]


@pytest.mark.parametrize("name", TAG_NAMES)
def test_every_extension_tag_must_be_closed_in_any_case(name: str) -> None:
    assert unbalanced(f"<{name}>x")
    assert unbalanced(f"<{name.upper()} a=b>x")
    assert unbalanced(f"x</{name}>")
    assert unbalanced(f"<{name}>x</{name.title()}>") == ()
    assert unbalanced(f"<{name} />") == ()


def test_messages_are_plain_words() -> None:
    for text, _ in REFUSED:
        message = str(explain(unbalanced(text)))
        assert "Unbalanced" not in message and "(" != message[:1]
        assert message[0].isupper() or message[0] == '"'


def test_explain_names_at_most_three() -> None:
    found = unbalanced("<!-- {{ a | b")  # the comment hides the rest: one reason
    assert len(found) == 1
    many = unbalanced("a | b }} ]] <nowiki> [[ {{")
    assert len(many) == 6  # "|", "}}", "]]", <nowiki>, and "[[" and "{{" still open
    assert str(explain(many)).endswith("; and 3 more")


# --- where the check is used -------------------------------------------------------

LICENSES = {"CC0": "cc-zero"}


def request(**fields: str) -> Request:
    return Request(
        name="Markup",
        partner="P",
        source="https://example.org/data.csv",
        format="csv",
        id_column="id",
        file_column="image",
        license="CC0",
        license_column=None,
        template="Information",
        title="{title} ({id})",
        fields=fields or {"description": "{{en|1={title}: {artist} }}", "author": "{artist}"},
        categories=("Markup tests",),
        mapped=("artist",),
    )


def record(artist: str = "Blake", rid: str = "R1") -> dict[str, str]:
    return {"id": rid, "title": "A drawing", "artist": artist, "image": "https://e.org/a.png"}


def table(text: str, value: str = "Blake") -> dict[str, MappingTable]:
    row = MappingRow(value, 1, "William Blake", "", text)
    return {"artist": MappingTable("Markup", "artist", (row,))}


@pytest.mark.parametrize(("text", "_says"), REFUSED)
def test_a_refused_mapping_text_keeps_its_records_off_the_wiki(text: str, _says: str) -> None:
    result = render_file(request(), record(), table(text), LICENSES)
    assert isinstance(result, list), result
    (problem,) = result
    assert str(problem.where) == "record R1"
    assert 'column "artist" (page Mappings/artist), row "Blake"' in str(problem.message)
    assert "not uploaded until the text is fixed" in str(problem.message)
    (volunteer,) = validate_mapping(table(text)["artist"])
    assert str(volunteer.where) == "Mappings/artist" and str(volunteer.message).startswith(
        'Row "Blake"'
    )


def test_a_refused_mapping_text_used_only_in_the_title_also_keeps_its_records() -> None:
    req = request(description="{title}")
    req = Request(**{**req.__dict__, "title": "{artist} ({id})"})
    result = render_file(req, record(), table("<!--"), LICENSES)
    assert isinstance(result, list) and "Mappings/artist" in str(result[0].message)


def test_other_records_of_the_batch_go_ahead() -> None:
    tables = {
        "artist": MappingTable(
            "Markup",
            "artist",
            (MappingRow("Blake", 1, "", "", "<!--"), MappingRow("Turner", 1, "", "", "[[a|b]]")),
        )
    }
    assert isinstance(render_file(request(), record("Blake"), tables, LICENSES), list)
    planned = render_file(request(), record("Turner", "R2"), tables, LICENSES)
    assert isinstance(planned, PlannedFile)
    assert "[[a|b]]" in planned.page_text


def test_two_closed_pieces_that_open_something_where_they_meet_are_refused() -> None:
    # "<" in the pattern and "nowiki x>" in the mapping text: each closed alone
    assert unbalanced("nowiki x>") == ()
    result = render_file(
        request(description="a <{artist}", author="b"), record(), table("nowiki x>"), LICENSES
    )
    assert isinstance(result, list)
    assert 'The field "description"' in str(result[0].message)
    assert "never closed" in str(result[0].message)
    # "-" in the pattern and "{a" in the mapping text make "-{a"
    result = render_file(request(description="-{artist}"), record(), table("{a"), LICENSES)
    assert isinstance(result, list) and '"-{" opens' in str(result[0].message)


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("{title} <!-- partner note", '"<!--" starts a comment'),
        ("<includeonly>{title}</includeonly>", "cannot be used on file pages"),
        ("<nowiki>{title}", '"<nowiki>" is never closed'),
        ("{title} | {artist}", 'A "|" outside'),
        ("[[{title}", '"[[" opens a link'),
        ("<{title}>", 'a "<" right before a {placeholder}'),
        ("</{title}>", 'a "<" right before a {placeholder}'),
        ("{{en|1={title}", '"{{" opens a template'),
        ("a\n{| {title}", "table markup"),
        ("<div>{title}", '"<div>" is never closed'),
    ],
)
def test_a_pattern_that_would_break_the_page_names_its_parameter(pattern: str, says: str) -> None:
    (problem,) = pattern_markup_problems("credit_line", pattern)
    assert str(problem.where) == "credit_line"
    assert str(problem.message).startswith(
        "The text around the placeholders would break the file page"
    )
    assert says in str(problem.message)


@pytest.mark.parametrize(
    "pattern",
    [
        "{{en|1={title} }}",
        "[[{title}]]",
        "<nowiki>{title}</nowiki>",
        "{title} <!-- a note -->",
        "< {title}",
        "{title} (<span lang=fr>{artist}</span>)",
        "[https://example.org/{id} {title}]",
        "{{{1|{title}}}}",
    ],
)
def test_closed_patterns_pass(pattern: str) -> None:
    assert pattern_markup_problems("description", pattern) == []


def test_a_request_with_a_broken_pattern_is_invalid_with_the_parameter_named() -> None:
    text = (
        "{{Partnership request\n|partner=P|source=https://example.org/a.csv|id=id|file=image"
        "|license=CC0|title={title}\n|description={title} <!-- note\n"
        "|credit_line=<includeonly>{title}\n|work_title=x\n|template=Artwork\n}}"
    )
    parsed, problems = parse_request("Markup", text, licenses=LICENSES)
    assert parsed is None
    named = {str(p.where) for p in problems}
    assert {"description", "credit_line"} <= named
    assert "work_title" not in named


@pytest.mark.parametrize(
    "category",
    ["<!--", "a<includeonly>", "{{a", "a|b", "[[a", "a}}", "-{a"],
)
def test_hostile_category_names_never_reach_a_page_as_markup(category: str) -> None:
    text = (
        "{{Partnership request\n|partner=P|source=https://example.org/a.csv|id=id|file=image"
        f"|license=CC0|title={{title}}\n|categories=Fine; {category}\n}}}}"
    )
    parsed, problems = parse_request("Markup", text, licenses=LICENSES)
    if parsed is not None:  # a "|" ends the parameter: the rest is another parameter
        assert category not in parsed.categories
    else:
        assert problems
    mapped = MappingTable("Markup", "artist", (MappingRow("Blake", 1, f"Fine; {category}"),))
    result = render_file(request(), record(), {"artist": mapped}, LICENSES)
    if isinstance(result, PlannedFile):
        for name in result.categories:
            assert unbalanced(f"[[Category:{name}]]") == ()


# --- the property ------------------------------------------------------------------

#: Pieces of wikitext, hostile and harmless, that texts are made of.
PIECES = [
    "a",
    " ",
    "\n",
    "|",
    "=",
    "-",
    "{",
    "}",
    "[",
    "]",
    "{{",
    "}}",
    "{{{",
    "}}}",
    "[[",
    "]]",
    "-{",
    "}-",
    "{|",
    "|}",
    "<",
    ">",
    "/>",
    "<!--",
    "-->",
    "<nowiki>",
    "</nowiki>",
    "<pre>",
    "</pre>",
    "<ref>",
    "</ref>",
    "<includeonly>",
    "</includeonly>",
    "<noinclude>",
    "<div>",
    "</div>",
    "{{en|1=",
    "[[a|",
    "{{!}}",
    "<nowiki/>",
]

texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)

EXPECTED_FIELDS = ["description", "author"]


def _page_is_whole(page: str) -> bool:
    """The template with its two fields, licence, tracking template and category, at top level."""
    code = mwparserfromhell.parse(page)
    top = {str(t.name).strip(): t for t in code.filter_templates(recursive=False)}
    info = top.get("Information")
    if info is None or [str(p.name).strip() for p in info.params] != EXPECTED_FIELDS:
        return False
    tracking = top.get("Partnership upload")
    if "cc-zero" not in top or tracking is None or tracking.get("request").value != "Markup":
        return False
    links = [str(link.title) for link in code.filter_wikilinks(recursive=False)]
    return links[-2:] == ["Category:Markup tests", "Category:William Blake"]


@settings(max_examples=1500, deadline=None)
@given(texts)
@example("George | Richmond")
@example("<!-- a -->{{en|1=[[a|b]]}}")
def test_any_accepted_mapping_text_leaves_the_page_whole(text: str) -> None:
    result = render_file(request(), record(), table(text), LICENSES)
    if unbalanced(text.strip()):
        assert isinstance(result, list)
        return
    if isinstance(result, list):  # refused for another reason: never uploaded either
        return
    assert _page_is_whole(result.page_text), result.page_text


@settings(max_examples=800, deadline=None)
@given(texts, texts)
def test_any_accepted_pattern_leaves_the_page_whole(before: str, after: str) -> None:
    pattern = f"{before}{{title}}{after}"
    if pattern_markup_problems("description", pattern):
        return
    fields = {"description": pattern, "author": "{artist}"}
    result = render_file(request(**fields), record(), table(""), LICENSES)
    if isinstance(result, list):
        return
    assert _page_is_whole(result.page_text), result.page_text
