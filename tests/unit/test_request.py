"""Request pages: finding, parsing and checking ``{{Partnership request}}`` (SPEC section 3)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bots.model import Problem, Request
from bots.pipeline.request import find_request_template, parse_request, set_param
from bots.pipeline.request_checks import check_columns, title_problem

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

LICENSES = {"CC0": "cc-zero", "CC BY 4.0": "cc-by-4.0", "CC BY-SA 4.0": "cc-by-sa-4.0"}

#: The request of SPEC section 3, as a partner fills the preloaded form.
SPEC_PAGE = """Please upload our drawings.

{{Partnership request
 |partner     = Tate
 |source      = https://example.org/data.csv
 |format      = csv
 |id          = accession_number
 |file        = image_url
 |license     = CC0
 |license_column =
 |template    = Artwork
 |title       = {title} ({accession_number})
 |description = {title}. {medium}
 |author      = {artist}
 |date        = {year}
 |source_url  = https://example.org/object/{id}
 |categories  = Tate; Drawings in Tate
 |mapped      = artist; medium
 |split       = ;
 |limit       =
 |pause       =
 |sync        =
 |approve     =
}}

== Discussion ==
Looks good. ~~~~
"""

#: The smallest valid request.
MINIMAL = {
    "partner": "Tate",
    "source": "https://example.org/data.csv",
    "id": "accession_number",
    "file": "image_url",
    "license": "CC0",
    "title": "{title} ({accession_number})",
}


def page(params: dict[str, str], *, drop: tuple[str, ...] = ()) -> str:
    """A request page with ``params`` laid out one per line."""
    lines = [f" |{name} = {value}" for name, value in params.items() if name not in drop]
    return "{{Partnership request\n" + "\n".join(lines) + "\n}}\n"


def parse(params: dict[str, str], *, drop: tuple[str, ...] = ()) -> tuple[Request | None, list]:
    return parse_request("Tate drawings", page(params, drop=drop), licenses=LICENSES)


def problems_for(**changes: str) -> list[Problem]:
    request, problems = parse({**MINIMAL, **changes})
    assert (request is None) == bool(problems)
    return problems


def valid(**changes: str) -> Request:
    request, problems = parse({**MINIMAL, **changes})
    assert problems == []
    assert request is not None
    return request


def assert_plain_sentences(problems: list[Problem]) -> None:
    """Messages a partner can read: a sentence, no Python leaking through."""
    for problem in problems:
        assert str(problem.where)
        assert str(problem.message)[0].isupper() or str(problem.message)[0] in "\"'{", str(
            problem.message
        )
        assert str(problem.message).endswith((".", "?")), str(problem.message)
        for leak in ("None", "[]", "['", "Traceback", "\n"):
            assert leak not in str(problem.message), str(problem.message)


# --- the SPEC example -------------------------------------------------------


def test_spec_example_parses_to_the_expected_request() -> None:
    request, problems = parse_request("Tate drawings", SPEC_PAGE, licenses=LICENSES)
    assert problems == []
    assert request == Request(
        name="Tate drawings",
        partner="Tate",
        source="https://example.org/data.csv",
        format="csv",
        id_column="accession_number",
        file_column="image_url",
        license="CC0",
        license_column=None,
        template="Artwork",
        title="{title} ({accession_number})",
        fields={
            "author": "{artist}",
            "description": "{title}. {medium}",
            "date": "{year}",
            "source": "https://example.org/object/{id}",
        },
        categories=("Tate", "Drawings in Tate"),
        mapped=("artist", "medium"),
        split=";",
        limit=None,
        pause=False,
        sync=False,
        approve=None,
        options={},
        raw=request.raw if request else {},
    )
    assert request is not None
    # fields in the order of the Artwork template, not the order written
    assert list(request.fields) == ["author", "description", "date", "source"]


def test_raw_holds_every_parameter_as_written() -> None:
    text = SPEC_PAGE.replace("= Tate\n", "= Tate <!-- the museum -->\n", 1)
    request, _ = parse_request("Tate drawings", text, licenses=LICENSES)
    assert request is not None
    assert request.raw["partner"] == "Tate"  # comment removed, trimmed
    assert request.raw["source_url"] == "https://example.org/object/{id}"
    assert request.raw["categories"] == "Tate; Drawings in Tate"  # not normalised
    assert request.raw["approve"] == ""
    written = re.findall(r"^ \|(\w+)", SPEC_PAGE, re.MULTILINE)
    assert list(request.raw) == written


# --- finding the template ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{{Partnership request|partner=A}}",
        "{{partnership request|partner=A}}",
        "{{Partnership_request|partner=A}}",
        "{{Template:Partnership request|partner=A}}",
        "{{template : partnership_request|partner=A}}",
        "{{Partnership  request|partner=A}}",
        "{{ Partnership request \n|partner=A}}",
        "{{Partnership request<!-- filed by A -->|partner=A}}",
        "text {{Other|x=1}} {{Partnership request|partner=A}} more",
    ],
)
def test_request_template_is_found_the_way_mediawiki_resolves_names(text: str) -> None:
    template = find_request_template(text)
    assert template is not None
    assert str(template.get("partner").value) == "A"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no template here",
        "{{Partnership requests|partner=A}}",
        "{{:Partnership request|partner=A}}",  # a main-namespace page, not the template
        "{{tl|Partnership request}}",
        "<!-- {{Partnership request|partner=A}} -->",
        "<nowiki>{{Partnership request|partner=A}}</nowiki>",
        "<pre>{{Partnership request|partner=A}}</pre>",
    ],
)
def test_text_that_is_not_a_request_template(text: str) -> None:
    assert find_request_template(text) is None


def test_a_page_without_the_template_is_one_problem() -> None:
    request, problems = parse_request("X", "Just talk.", licenses=LICENSES)
    assert request is None
    assert [str(p.where) for p in problems] == ["request"]
    assert "{{Partnership request}}" in str(problems[0].message)
    assert_plain_sentences(problems)


def test_two_templates_on_a_page_are_a_problem() -> None:
    text = page(MINIMAL) + page(MINIMAL)
    request, problems = parse_request("X", text, licenses=LICENSES)
    assert request is None
    assert [str(p.where) for p in problems] == ["request"]
    assert "2" in str(problems[0].message)


# --- required parameters ----------------------------------------------------


@pytest.mark.parametrize("missing", ["partner", "source", "id", "file", "title", "license"])
def test_each_required_parameter(missing: str) -> None:
    request, problems = parse(MINIMAL, drop=(missing,))
    assert request is None
    assert [str(p.where) for p in problems] == [missing]
    assert str(problems[0].message).startswith("This is required")
    assert_plain_sentences(problems)


@pytest.mark.parametrize("missing", ["partner", "source", "id", "file", "title", "license"])
def test_an_empty_parameter_counts_as_missing(missing: str) -> None:
    assert [str(p.where) for p in problems_for(**{missing: ""})] == [missing]


def test_every_problem_is_reported_not_just_the_first() -> None:
    request, problems = parse(
        {
            "partner": "",
            "source": "ftp://example.org/x.csv",
            "id": "n",
            "file": "u",
            "license": "GPL",
            "title": "Fixed",
            "limit": "ten",
            "pause": "perhaps",
            "descripton": "{x}",
        }
    )
    assert request is None
    assert sorted(str(p.where) for p in problems) == sorted(
        ["partner", "source", "license", "title", "limit", "pause", "descripton"]
    )
    assert_plain_sentences(problems)


def test_the_license_list_names_the_allowed_licences() -> None:
    (problem,) = problems_for(license="")
    assert "CC0, CC BY 4.0, or CC BY-SA 4.0" in str(problem.message)
    assert "license_column" in str(problem.message)


def test_license_column_replaces_license() -> None:
    request = valid(license="", license_column="rights")
    assert request.license is None
    assert request.license_column == "rights"


def test_license_and_license_column_together() -> None:
    request = valid(license_column="rights")
    assert (request.license, request.license_column) == ("CC0", "rights")


# --- parameter names --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("descripton", "description"),
        ("Partner", "partner"),
        ("licnse", "license"),
        ("catgories", "categories"),
        ("sourceurl", "source_url"),
        ("credit_lin", "credit_line"),
    ],
)
def test_unknown_parameter_suggests_the_closest_name(name: str, suggestion: str) -> None:
    (problem,) = problems_for(**{name: "x"})
    assert str(problem.where) == name
    assert f'did you mean "{suggestion}"?' in str(problem.message)
    assert_plain_sentences([problem])


def test_unknown_parameter_without_a_close_name() -> None:
    (problem,) = problems_for(xyzzy="1")
    assert "did you mean" not in str(problem.message)
    assert "xyzzy" in str(problem.message)


def test_an_unknown_parameter_left_empty_is_still_reported() -> None:
    assert [str(p.where) for p in problems_for(colour="")] == ["colour"]


def test_a_value_without_a_name_is_a_problem() -> None:
    text = page(MINIMAL).replace("\n}}", "\n |stray value\n}}")
    _, problems = parse_request("X", text, licenses=LICENSES)
    assert len(problems) == 1
    assert "name = value" in str(problems[0].message)


@pytest.mark.parametrize(
    ("first", "second", "problem"),
    [
        ("A", "A", False),
        ("", "A", False),
        ("A", "", False),
        ("A", "B", True),
    ],
)
def test_a_parameter_given_twice(first: str, second: str, problem: bool) -> None:
    text = page(MINIMAL).replace("\n}}", f"\n |categories = {first}\n |categories = {second}\n}}}}")
    request, problems = parse_request("X", text, licenses=LICENSES)
    assert bool(problems) == problem
    if not problem:
        assert request is not None
        assert request.categories == ("A",)


def test_spaces_and_underscores_in_names_are_the_same() -> None:
    request = valid(**{"template": "Artwork", "credit line": "{credit}", "license column": "r"})
    assert request.fields == {"credit line": "{credit}"}
    assert request.license_column == "r"
    problems = problems_for(template="Artwork", credit_line="{a}", **{"credit line": "{b}"})
    assert len(problems) == 1


# --- source -----------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "https://example.org/data.csv",
        "http://example.org/api?verb=ListRecords&set=x",
        "HTTPS://EXAMPLE.ORG/data.json",
        "Project:Content Partnerships Hub/Requests/Tate drawings/Data",
        "Tate data",
        "Ünïcödé page",
    ],
)
def test_valid_sources(source: str) -> None:
    assert valid(source=source).source == source


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("ftp://example.org/data.csv", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("https://", "no host"),
        ("https://example.org/my data.csv", "%20"),
        ("[[Project:Hub/Requests/X/Data]]", "without [[ ]]"),
        ("[https://example.org/data.csv our data]", "without [ ]"),
        ("Data#section", '"#"'),
        ("Data{{PAGENAME}}", '"{"'),
        ("Data|x", None),  # the | ends the parameter: "x" is a value without a name
        ("Data%20page", '"%"'),
        ("Data~~~~", "~~~"),
        ("../Data", "../"),
    ],
)
def test_invalid_sources(source: str, says: str | None) -> None:
    problems = problems_for(source=source)
    if says is None:
        assert [str(p.where) for p in problems] == ["parameter 1"]
        return
    assert [str(p.where) for p in problems] == ["source"]
    assert says in str(problems[0].message)
    assert_plain_sentences(problems)


def test_oai_pmh_needs_an_address() -> None:
    problems = problems_for(format="oai-pmh", source="Some page")
    assert [str(p.where) for p in problems] == ["source"]


# --- format and template ----------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [("", None), ("csv", "csv"), ("CSV", "csv"), ("oai-pmh", "oai-pmh"), ("IIIF", "iiif")],
)
def test_format(written: str, expected: str | None) -> None:
    assert valid(format=written).format == expected


@pytest.mark.parametrize("written", ["xml", "oai", "excel"])
def test_unsupported_format(written: str) -> None:
    (problem,) = problems_for(format=written)
    assert str(problem.where) == "format"
    assert "csv, tsv, json, iiif, or oai-pmh" in str(problem.message)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("", "Information"),
        ("Information", "Information"),
        ("artwork", "Artwork"),
        ("PHOTOGRAPH", "Photograph"),
        ("Template:Artwork", "Artwork"),
        ("{{Artwork}}", "Artwork"),
    ],
)
def test_template(written: str, expected: str) -> None:
    assert valid(template=written).template == expected


def test_unsupported_template() -> None:
    (problem,) = problems_for(template="Book")
    assert str(problem.where) == "template"
    assert "Information, Artwork, or Photograph" in str(problem.message)


# --- template fields --------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "params", "fields"),
    [
        ("", {"description": "{t}", "author": "{a}"}, {"description": "{t}", "author": "{a}"}),
        ("", {"source_url": "https://x.org/{id}"}, {"source": "https://x.org/{id}"}),
        ("", {"other_versions": "x"}, {"other versions": "x"}),
        ("Artwork", {"credit_line": "{c}"}, {"credit line": "{c}"}),
        ("Artwork", {"work_title": "{t}", "artist": "{a}"}, {"artist": "{a}", "title": "{t}"}),
        ("Photograph", {"photographer": "{p}", "date": ""}, {"photographer": "{p}"}),
        (
            "Artwork",
            {"description": "{{en|1={title}}}", "notes": "{n} <!-- check -->"},
            {"description": "{{en|1={title}}}", "notes": "{n}"},
        ),
    ],
)
def test_template_fields(template: str, params: dict[str, str], fields: dict[str, str]) -> None:
    request = valid(template=template, **params)
    assert request.fields == fields


@pytest.mark.parametrize(
    ("template", "param", "owners"),
    [
        ("", "artist", "Artwork"),
        ("Information", "depicted_people", "Artwork and Photograph"),
        ("Artwork", "photographer", "Photograph"),
        ("", "work_title", "Artwork and Photograph"),
        ("Photograph", "object_type", "Artwork"),
    ],
)
def test_a_field_of_another_template(template: str, param: str, owners: str) -> None:
    (problem,) = problems_for(template=template, **{param: "{x}"})
    assert str(problem.where) == param
    assert f"This is a field of {owners}, not of {template or 'Information'}" in str(
        problem.message
    )
    assert_plain_sentences([problem])


def test_fields_are_not_checked_against_an_unknown_template() -> None:
    problems = problems_for(template="Book", artist="{a}")
    assert [str(p.where) for p in problems] == ["template"]


# --- licence ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [("CC0", "CC0"), ("cc0", "CC0"), ("cc by 4.0", "CC BY 4.0"), ("CC  BY-SA 4.0", "CC BY-SA 4.0")],
)
def test_licence_names(written: str, expected: str) -> None:
    assert valid(license=written).license == expected


@pytest.mark.parametrize("written", ["CC-BY", "GPL", "CC BY 3.0", "{{cc-zero}}"])
def test_licences_not_configured(written: str) -> None:
    (problem,) = problems_for(license=written)
    assert str(problem.where) == "license"
    assert "CC0, CC BY 4.0, or CC BY-SA 4.0" in str(problem.message)


def test_no_licences_configured() -> None:
    _, problems = parse_request("X", page(MINIMAL), licenses={})
    assert [str(p.where) for p in problems] == ["license"]
    assert "(none configured)" in str(problems[0].message)


# --- small parameters -------------------------------------------------------


@pytest.mark.parametrize(("written", "expected"), [("", None), ("1", 1), ("10", 10), ("007", 7)])
def test_limit(written: str, expected: int | None) -> None:
    assert valid(limit=written).limit == expected


@pytest.mark.parametrize("written", ["0", "-1", "+5", "1.5", "ten", "1_000", "1,000", "٣"])
def test_bad_limit(written: str) -> None:
    assert [str(p.where) for p in problems_for(limit=written)] == ["limit"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("", False),
        ("yes", True),
        ("Yes", True),
        ("TRUE", True),
        ("1", True),
        ("no", False),
        ("No", False),
        ("false", False),
        ("0", False),
    ],
)
@pytest.mark.parametrize("param", ["pause", "sync"])
def test_yes_no(param: str, written: str, expected: bool) -> None:
    assert getattr(valid(**{param: written}), param) is expected


@pytest.mark.parametrize("written", ["y", "on", "maybe", "yes please"])
@pytest.mark.parametrize("param", ["pause", "sync"])
def test_bad_yes_no(param: str, written: str) -> None:
    (problem,) = problems_for(**{param: written})
    assert str(problem.where) == param
    assert "yes or no" in str(problem.message)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("", ()),
        ("Tate", ("Tate",)),
        ("Tate; Drawings in Tate", ("Tate", "Drawings in Tate")),
        (" Tate ;; ; Category:Drawings in Tate ;", ("Tate", "Drawings in Tate")),
        ("category:Tate;CATEGORY : Prints", ("Tate", "Prints")),
        ("Tate; Tate", ("Tate",)),
    ],
)
def test_categories(written: str, expected: tuple[str, ...]) -> None:
    assert valid(categories=written).categories == expected


@pytest.mark.parametrize("written", ["[[Category:Tate]]", "Tate{{!}}Prints", "A#b", "<b>A</b>"])
def test_bad_categories(written: str) -> None:
    problems = problems_for(categories=written)
    assert [str(p.where) for p in problems] == ["categories"]
    assert "without [[ ]]" in str(problems[0].message)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("", ()),
        ("artist", ("artist",)),
        ("artist; medium", ("artist", "medium")),
        (" artist ;; medium ; artist", ("artist", "medium")),
        ("dc.creator", ("dc.creator",)),
    ],
)
def test_mapped(written: str, expected: tuple[str, ...]) -> None:
    assert valid(mapped=written).mapped == expected


def test_a_mapped_column_that_cannot_name_a_page() -> None:
    (problem,) = problems_for(mapped="artist; Object #")
    assert str(problem.where) == "mapped"
    assert "Object #" in str(problem.message)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("", ";"),
        (";", ";"),
        (",", ","),
        (" / ", "/"),
        ("{{!}}", "|"),
        ("&#124;", "|"),
        ("&#9;", "\t"),
        ("&#32;", " "),
        (" and ", "and"),
    ],
)
def test_split(written: str, expected: str) -> None:
    assert valid(split=written).split == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [("", None), ("3f9a1c02de", "3f9a1c02de"), ("3F9A1C02DE", "3f9a1c02de"), ("abcdef", "abcdef")],
)
def test_approve(written: str, expected: str | None) -> None:
    assert valid(approve=written).approve == expected


@pytest.mark.parametrize(
    "written", ["yes", "3f9a1c02de ~~~~", "3f9a", "preview 3f9a1c02de", "zzzzzz"]
)
def test_bad_approve(written: str) -> None:
    (problem,) = problems_for(approve=written)
    assert str(problem.where) == "approve"
    assert "Preview page" in str(problem.message)


# --- title pattern ----------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "{title}",
        "{title} ({accession_number})",
        "Tate {accession_number}",
        "{artist}, {title}",
        "{title} - {year}.",
    ],
)
def test_title_patterns(title: str) -> None:
    assert valid(title=title).title == title


@pytest.mark.parametrize(
    ("title", "says"),
    [
        ("A fixed title", "at least one {column} placeholder"),
        ("{{PAGENAME}}", "at least one {column} placeholder"),
        ("File:{title}", '"File:" prefix'),
        ("{title} [draft]", '"["'),
        ("{title} #{id}", '"#"'),
        ("{title} <{id}>", '"<"'),
    ],
)
def test_bad_title_patterns(title: str, says: str) -> None:
    problems = problems_for(title=title)
    assert problems
    assert all(str(p.where) == "title" for p in problems)
    assert any(says in str(p.message) for p in problems)
    assert_plain_sentences(problems)


# --- source options ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "option", "value"),
    [
        ("oai-pmh", "set", "collection:drawings"),
        ("oai-pmh", "from", "2024-01-31"),
        ("oai-pmh", "until", "2024-01-31T10:00:00Z"),
        ("oai-pmh", "metadata_prefix", "oai_dc"),
        ("iiif", "records", "canvas"),
        ("iiif", "records", "manifest"),
    ],
)
def test_source_options(fmt: str, option: str, value: str) -> None:
    assert valid(format=fmt, **{option: value}).options == {option: value}


def test_empty_source_options_are_absent() -> None:
    assert valid(format="csv", set="").options == {}


@pytest.mark.parametrize(
    ("fmt", "option", "value", "says"),
    [
        ("csv", "set", "drawings", "only applies to the oai-pmh format"),
        ("", "set", "drawings", "set format = oai-pmh"),
        ("oai-pmh", "records", "canvas", "only applies to the iiif format"),
        ("iiif", "records", "pages", "canvas"),
        ("oai-pmh", "from", "yesterday", "2024-01-31"),
        ("oai-pmh", "until", "31/01/2024", "2024-01-31"),
        ("oai-pmh", "set", "my set", "setSpec"),
        ("oai-pmh", "metadata_prefix", "oai dc", "spaces"),
    ],
)
def test_bad_source_options(fmt: str, option: str, value: str, says: str) -> None:
    (problem,) = problems_for(format=fmt, **{option: value})
    assert str(problem.where) == option
    assert says in str(problem.message)
    assert_plain_sentences([problem])


# --- title rules ------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "ok"),
    [
        ("Foo", True),
        ("Foo/Bar baz", True),
        ("Ünïcödé", True),
        ("", False),
        ("   ", False),
        ("a[b", False),
        ("a\tb", False),
        ("a%41", False),
        ("a%4", True),
        (".", False),
        ("a/../b", False),
        ("a/.", False),
        ("x" * 255, True),
        ("x" * 256, False),
        ("é" * 128, False),  # 256 bytes
    ],
)
def test_title_problem(title: str, ok: bool) -> None:
    assert (title_problem(title) is None) is ok


# --- columns ----------------------------------------------------------------


def placeholders(pattern: str) -> list[str]:
    """Stand-in for the renderer's placeholder syntax."""
    return re.findall(r"\{([^{}|=]+)\}", pattern)


def tate_columns() -> list[str]:
    with (DATA / "tate" / "artwork_data.csv").open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


TATE_REQUEST = {
    "partner": "Tate",
    "source": "https://example.org/artwork_data.csv",
    "id": "accession_number",
    "file": "thumbnailUrl",
    "license": "CC0",
    "template": "Artwork",
    "title": "{title} ({accession_number})",
    "artist": "{artist}",
    "date": "{dateText}",
    "credit_line": "{creditLine}",
    "dimensions": "{dimensions}",
    "source_url": "https://www.tate.org.uk/art/artworks/{id}",
    "mapped": "artist",
}


def tate_request(**changes: str) -> Request:
    request, problems = parse({**TATE_REQUEST, **changes})
    assert problems == []
    assert request is not None
    return request


def test_the_tate_columns_satisfy_the_tate_request() -> None:
    assert check_columns(tate_request(), tate_columns(), placeholders) == []


@pytest.mark.parametrize(
    ("changes", "where", "missing", "suggestion"),
    [
        ({"id": "accesion_number"}, "id", "accesion_number", "accession_number"),
        ({"file": "thumbnail_url"}, "file", "thumbnail_url", "thumbnailUrl"),
        ({"license_column": "licence"}, "license_column", "licence", None),
        ({"mapped": "artist; Artist name"}, "mapped", "Artist name", "artist"),
        ({"title": "{titel} ({accession_number})"}, "title", "titel", "title"),
        ({"date": "{Year}"}, "date", "Year", "year"),
        ({"source_url": "https://x.org/{ID}"}, "source_url", "ID", "id"),
        ({"credit_line": "{credit}"}, "credit_line", "credit", "creditLine"),
        ({"work_title": "{name}"}, "work_title", "name", None),
    ],
)
def test_a_missing_column(
    changes: dict[str, str], where: str, missing: str, suggestion: str | None
) -> None:
    problems = check_columns(tate_request(**changes), tate_columns(), placeholders)
    assert [str(p.where) for p in problems] == [where]
    message = problems[0].message
    assert f'There is no column "{missing}"' in message
    assert "accession_number, artist, artistId" in message  # the available columns
    if suggestion:
        assert f'did you mean "{suggestion}"?' in message
    else:
        assert "did you mean" not in message
    assert_plain_sentences(problems)


def test_a_missing_column_used_twice_is_reported_once_per_parameter() -> None:
    request = tate_request(title="{x} {x}", description="{x}")
    problems = check_columns(request, tate_columns(), placeholders)
    assert sorted(str(p.where) for p in problems) == ["description", "title"]


def test_many_columns_are_listed_with_a_count_of_the_rest() -> None:
    columns = [f"col{i}" for i in range(100)] + ["accession_number", "image_url"]
    request = valid(title="{nothing}")
    (problem,) = check_columns(request, columns, placeholders)
    assert "col29" in str(problem.message)
    assert "col30," not in str(problem.message)
    assert "and 72 more" in str(problem.message)


def test_a_source_without_columns() -> None:
    problems = check_columns(tate_request(), [], placeholders)
    assert {str(p.where) for p in problems} >= {"id", "file", "title"}
    assert "no columns at all" in str(problems[0].message)


# --- set_param --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "value", "expected"),
    [
        (
            "{{Partnership request|partner=A|approve=}} x",
            "approve",
            "3f9a1c02de",
            "{{Partnership request|partner=A|approve=3f9a1c02de}} x",
        ),
        (
            "{{Partnership request|partner=A}} x",
            "approve",
            "3f9a1c02de",
            "{{Partnership request|partner=A|approve=3f9a1c02de}} x",
        ),
        (
            "{{Partnership request|partner = A |title = {t} }}",
            "partner",
            "B",
            "{{Partnership request|partner = B |title = {t} }}",
        ),
        (
            "{{Partnership request|partner = A |title = {t} }}",
            "limit",
            "5",
            "{{Partnership request|partner = A |title = {t} |limit = 5 }}",
        ),
        (
            "a\n{{Partnership request\n |partner = A\n |pause   =\n}}\nb",
            "pause",
            "yes",
            "a\n{{Partnership request\n |partner = A\n |pause   = yes\n}}\nb",
        ),
        (
            "{{Partnership request\n |partner = A\n |pause   =\n}}",
            "limit",
            "5",
            "{{Partnership request\n |partner = A\n |pause   =\n |limit   = 5\n}}",
        ),
        (
            "{{Partnership request\n |partner = A\n |title = {x}\n}}",
            "license_column",
            "r",
            "{{Partnership request\n |partner = A\n |title = {x}\n |license_column = r\n}}",
        ),
        (
            "{{Partnership request\n|partner=A<!-- who -->\n|approve=old\n|approve=older\n}}",
            "approve",
            "new",
            "{{Partnership request\n|partner=A<!-- who -->\n|approve=old\n|approve=new\n}}",
        ),
        (
            "{{Partnership request}}",
            "partner",
            "A",
            "{{Partnership request|partner=A}}",
        ),
    ],
)
def test_set_param(text: str, name: str, value: str, expected: str) -> None:
    assert set_param(text, name, value) == expected


def test_set_param_on_the_spec_page_changes_one_line() -> None:
    changed = set_param(SPEC_PAGE, "approve", "3f9a1c02de")
    assert changed == SPEC_PAGE.replace(" |approve     =\n", " |approve     = 3f9a1c02de\n")
    request, problems = parse_request("Tate drawings", changed, licenses=LICENSES)
    assert problems == []
    assert request is not None and request.approve == "3f9a1c02de"


def test_set_param_without_a_request_template() -> None:
    with pytest.raises(ValueError):
        set_param("no template", "approve", "x")


@given(
    st.text(
        alphabet=st.characters(exclude_characters="|{}[]<>=", exclude_categories=("Cs", "Cc")),
        max_size=30,
    )
)
def test_set_param_changes_nothing_but_the_value(value: str) -> None:
    changed = set_param(SPEC_PAGE, "partner", value)
    before, _, after = SPEC_PAGE.partition("Tate\n")
    assert changed.startswith(before)
    assert changed.endswith(after)
    request_template = find_request_template(changed)
    assert request_template is not None
    assert str(request_template.get("partner").value).strip() == value.strip()


def test_licence_is_the_same_parameter_as_license() -> None:
    request = valid(license="", licence="CC BY 4.0")
    assert request.license == "CC BY 4.0"
    mixed = valid(license="", licence="", license_column="", licence_column="rights")
    assert mixed.license_column == "rights"


def test_licence_and_license_must_agree() -> None:
    (problem,) = problems_for(license="CC0", licence="CC BY 4.0")
    assert "given twice" in problem.message
