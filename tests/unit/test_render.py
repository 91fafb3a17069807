"""Patterns and file pages: what a record becomes on the wiki.

Golden files live in tests/unit/golden/. To rewrite them after a deliberate
change of the rendering, run with HUBBOT_UPDATE_GOLDEN=1 and review the diff
by eye before committing.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path

import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bots.model import TEMPLATE_FIELDS, MappingRow, MappingTable, PlannedFile, Problem, Request
from bots.pipeline import render
from bots.pipeline.licences import match_license
from bots.pipeline.patterns import check_pattern, fill_pattern, placeholders
from bots.pipeline.render import render_file, templates_digest
from bots.pipeline.titles import MAX_BASE_BYTES

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = os.environ.get("HUBBOT_UPDATE_GOLDEN") == "1"

LICENSES = {"CC0": "cc-zero", "CC BY 4.0": "cc-by-4.0", "CC BY-SA 4.0": "cc-by-sa-4.0"}
TATE_SOURCE = "https://www.tate.org.uk/art/artworks/{accession_number}"


@cache
def _tate_rows() -> dict[str, dict[str, str]]:
    with (DATA / "tate" / "artwork_data.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["accession_number"]: row for row in csv.DictReader(handle)}


def tate(row: str, **changes: str) -> dict[str, str]:
    """The Tate record with this accession number, with some cells changed."""
    return {**_tate_rows()[row], **changes}


def make_request(template: str = "Artwork", **changes: object) -> Request:
    fields = {
        "Information": {
            "description": "{{en|1={title}. {dimensions}}}",
            "date": "{dateText}",
            "source": TATE_SOURCE,
            "author": "{artist}",
        },
        "Artwork": {
            "artist": "{artist}",
            "title": "{{en|1={title}}}",
            "date": "{dateText}",
            "dimensions": "{dimensions}",
            "institution": "{{Institution:Tate}}",
            "credit line": "{creditLine}",
            "inscriptions": "{inscription}",
            "accession number": "{accession_number}",
            "source": TATE_SOURCE,
        },
        "Photograph": {
            "photographer": "{artist}",
            "title": "{{en|1={title}}}",
            "date": "{dateText}",
            "dimensions": "{dimensions}",
            "institution": "{{Institution:Tate}}",
            "credit line": "{creditLine}",
            "accession number": "{accession_number}",
            "source": TATE_SOURCE,
        },
    }[template]
    values: dict[str, object] = {
        "name": "Tate",
        "partner": "Tate",
        "source": "https://example.org/artwork_data.csv",
        "format": "csv",
        "id_column": "accession_number",
        "file_column": "thumbnailUrl",
        "license": "CC0",
        "license_column": None,
        "template": template,
        "title": "{title} ({accession_number})",
        "fields": fields,
        "categories": ("Tate", "Category:Images from the Tate collection"),
        "mapped": ("artist",),
    }
    values.update(changes)
    return Request(**values)  # type: ignore[arg-type]


ARTISTS = MappingTable(
    request="Tate",
    column="artist",
    rows=(
        MappingRow(
            "Richmond, George", 3, "George Richmond", "Q1507366", "[[d:Q1507366|George Richmond]]"
        ),
        MappingRow("Blake, William", 62, "William Blake; Tate", "", ""),
        MappingRow(
            "Turner, Joseph Mallord William",
            156,
            "J. M. W. Turner",
            "",
            "{{Creator:J. M. W. Turner}}",
        ),
        MappingRow(
            "Mapplethorpe, Robert", 62, "Robert Mapplethorpe", "", "{{Creator:Robert Mapplethorpe}}"
        ),
        MappingRow("Woodman, Francesca", 20, "Francesca Woodman", "-", "-"),
        MappingRow("Ruscha, Edward", 20, "", "", ""),
    ),
)
MAPPINGS = {"artist": ARTISTS}


def rendered(request: Request, record: Mapping[str, str], mappings=MAPPINGS) -> PlannedFile:
    result = render_file(request, record, mappings, LICENSES)
    assert isinstance(result, PlannedFile), result
    return result


def problems_of(request: Request, record: Mapping[str, str], mappings=MAPPINGS) -> list[Problem]:
    result = render_file(request, record, mappings, LICENSES)
    assert isinstance(result, list), result
    return result


# --- placeholders and patterns ---------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{title} ({accession_number})", ["title", "accession_number"]),
        ("{{en|1={title}}}", ["title"]),
        ("{{lang|fr|{title}}}", ["title"]),
        ("{{PAGENAME}}", []),
        ("{{{1}}}", []),
        ("{{{title}}}", []),
        ("{{en|1={{{1}}}}} {x}", ["x"]),
        (
            "{a.b} {Object number} {dc:title} {Künstler} {date-2}",
            ["a.b", "Object number", "dc:title", "Künstler", "date-2"],
        ),
        ("{a}{a}{b}", ["a", "b"]),
        ("{ title }", ["title"]),
        ("{a, b} {a/b} {} { }", []),
        ("{title", []),
        ("title}", []),
        ("no placeholders at all", []),
    ],
)
def test_placeholders(pattern: str, expected: list[str]) -> None:
    assert placeholders(pattern) == expected


RECORD = {
    "title": "[title not known]",
    "date": "c.1825",
    "artist": "Blake, William; Richmond, George ;; Unknown",
    "medium": "Ink | wash",
    "empty": "",
    "spaces": "  padded\n",
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{title}", "&#91;title not known&#93;"),
        ("{{en|1={title}}}", "{{en|1=&#91;title not known&#93;}}"),
        ("{{PAGENAME}} {date}", "{{PAGENAME}} c.1825"),
        ("{medium}", "Ink &#124; wash"),
        ("[{missing}]", "[]"),
        ("<{empty}>", "<>"),
        ("'{spaces}'", "'padded'"),
        (
            "{artist}",
            "William Blake; [[d:Q1507366|George Richmond]]; Unknown",
        ),
    ],
)
def test_fill_pattern(pattern: str, expected: str) -> None:
    mappings = {
        "artist": MappingTable(
            "Tate",
            "artist",
            (
                MappingRow("Blake, William", 1, "", "", "William Blake"),
                MappingRow("Richmond, George", 1, "", "", "[[d:Q1507366|George Richmond]]"),
                MappingRow("Unknown", 1, "", "", "-"),
            ),
        )
    }
    assert fill_pattern(pattern, RECORD, mappings) == expected


def test_mapped_values_without_text_are_escaped_and_split_as_asked() -> None:
    table = MappingTable(
        "Tate", "kw", (MappingRow("a|b", 2, "X", "", ""), MappingRow("é", 1, "", "", "''e''"))
    )
    record = {"kw": "a|b / e\u0301 / [c]"}
    assert fill_pattern("{kw}", record, {"kw": table}, split="/") == "a&#124;b; ''e''; &#91;c&#93;"
    assert fill_pattern("{kw}", record, {"kw": table}, split="") == "a&#124;b / é / &#91;c&#93;"


def test_plain_filling_is_for_titles() -> None:
    mappings = {"artist": ARTISTS}
    record = {"title": "A [b] <c>\nd", "artist": "Richmond, George; Turner, Joseph Mallord William"}
    assert (
        fill_pattern("{title} by {artist}", record, mappings, plain=True)
        == "A [b] <c> d by George Richmond; Turner, Joseph Mallord William"
    )


def test_check_pattern_names_unknown_columns_and_suggests() -> None:
    columns = ["id", "accession_number", "title", "dateText"]
    problems = check_pattern("description", "{titel} {datetext} {title}", columns)
    assert [str(p.where) for p in problems] == ["description", "description"]
    assert '"{titel}"' in str(problems[0].message) and 'Did you mean "{title}"' in str(
        problems[0].message
    )
    assert "id, accession_number, title, and dateText" in str(problems[0].message)
    assert 'Did you mean "{dateText}"' in str(problems[1].message)
    nothing_close = check_pattern("date", "{zzzzzz}", columns)
    assert len(nothing_close) == 1 and "Did you mean" not in str(nothing_close[0].message)


def test_check_pattern_lists_at_most_thirty_columns() -> None:
    columns = [f"column{n}" for n in range(45)]
    (problem,) = check_pattern("title", "{nope}", columns)
    assert "column29" in str(problem.message) and "column30" not in str(problem.message)
    assert "and 15 more" in str(problem.message)


@pytest.mark.parametrize(
    ("pattern", "problem_count"),
    [
        ("{{en|1={title}}}", 0),
        ("{title} ({accession_number})", 0),
        ("{{PAGENAME}}", 0),
        ("{{{1}}}", 0),
        ("{{en|1={title}}", 1),
        ("{{en|1={title}}}}", 1),
        ("{title", 1),
        ("title}", 1),
        ("{title} {", 1),
    ],
)
def test_check_pattern_braces(pattern: str, problem_count: int) -> None:
    problems = check_pattern("description", pattern, ["title", "accession_number"])
    assert len(problems) == problem_count
    assert all("closed" in str(p.message) for p in problems)


# --- file pages: problems --------------------------------------------------------


def test_record_problems_are_all_reported_at_once() -> None:
    record = tate("A00050", accession_number="", thumbnailUrl="")
    problems = problems_of(make_request(), record)
    messages = " ".join(str(p.message) for p in problems)
    assert '"accession_number" is empty' in messages
    assert '"thumbnailUrl" is empty' in messages
    assert all(str(p.where) == "a record without id or file" for p in problems)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/a.jpg",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "www.tate.org.uk/a.jpg",
        "https://",
    ],
)
def test_file_url_must_be_http(url: str) -> None:
    (problem,) = problems_of(make_request(), tate("A00050", thumbnailUrl=url))
    assert str(problem.where) == "record A00050"
    assert "not an http:// or https:// address" in str(problem.message) and url in str(
        problem.message
    )


def test_licence_must_be_allowed() -> None:
    request = make_request(license=None, license_column="rights")
    (problem,) = problems_of(request, tate("A00050", rights="All rights reserved"))
    assert str(problem.where) == "record A00050"
    assert '"All rights reserved"' in str(problem.message) and 'column "rights"' in str(
        problem.message
    )
    assert "CC0, CC BY 4.0, and CC BY-SA 4.0" in str(problem.message)
    (problem,) = problems_of(request, tate("A00050", rights=""))
    assert 'column "rights" is empty' in str(problem.message)
    (problem,) = problems_of(make_request(license="GFDL"), tate("A00050"))
    assert '"GFDL"' in str(problem.message) and "license parameter" in str(problem.message)


def test_licence_column_wins_and_the_request_licence_is_the_default() -> None:
    request = make_request(license="CC0", license_column="rights")
    assert "{{cc-by-sa-4.0}}" in rendered(request, tate("A00050", rights="cc-by-sa 4.0")).page_text
    assert "{{cc-zero}}" in rendered(request, tate("A00050", rights="")).page_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CC0", "CC0"),
        (" cc0 ", "CC0"),
        ("CC-BY-4.0", "CC BY 4.0"),
        ("CC BY SA 4.0", "CC BY-SA 4.0"),
        ("CC BY 3.0", None),
        ("", None),
        ("--", None),
    ],
)
def test_match_license(value: str, expected: str | None) -> None:
    assert match_license(value, LICENSES) == expected


def test_licence_template_may_be_configured_with_braces() -> None:
    result = render_file(make_request(), tate("A00050"), MAPPINGS, {"CC0": "{{cc-zero}}"})
    assert isinstance(result, PlannedFile)
    assert "\n{{cc-zero}}\n" in result.page_text


def test_title_pattern_giving_nothing_is_a_problem() -> None:
    (problem,) = problems_of(make_request(title="{inscription}"), tate("A00050"))
    assert str(problem.where) == "record A00050" and "no usable file title" in str(problem.message)


def test_unknown_template_is_a_problem() -> None:
    problems = problems_of(replace(make_request(), template="Painting", fields={}), tate("A00050"))
    assert [str(p.where) for p in problems] == ["template"]


def test_mapping_text_that_breaks_the_layout_is_a_problem() -> None:
    broken = MappingTable(
        "Tate", "artist", (MappingRow("Richmond, George", 3, "", "", "George | Richmond"),)
    )
    (problem,) = problems_of(make_request(), tate("A00050"), {"artist": broken})
    assert str(problem.where) == "record A00050"
    assert 'column "artist" (page Mappings/artist), row "Richmond, George"' in str(problem.message)
    assert "{{!}}" in str(problem.message)


def test_pattern_that_breaks_the_layout_is_a_problem() -> None:
    request = make_request(fields={"title": "{{en|1={title}", "date": "{dateText}"})
    (problem,) = problems_of(request, tate("A00050"))
    assert 'The field "title"' in str(problem.message) and '"{{" opens a template' in str(
        problem.message
    )


# --- file pages: content ---------------------------------------------------------


def test_planned_file_fields() -> None:
    result = rendered(make_request(), tate("A00050"))
    assert result.record_id == "A00050"
    assert result.title == "Tracing of Title-Page of Blake's 'Book of Job' (A00050)"
    assert result.extension == "jpg"
    assert result.media_url == "http://www.tate.org.uk/art/images/work/A/A00/A00050_8.jpg"
    assert result.full_title() == result.title + ".jpg"
    assert result.categories == ("Tate", "Images from the Tate collection", "George Richmond")


def test_titles_leave_room_for_any_extension() -> None:
    record = tate(
        "A00050", title="Ä long title " * 40, thumbnailUrl="https://example.org/object?id=7"
    )
    result = rendered(make_request(), record)
    assert result.extension is None
    assert len(result.title.encode("utf-8")) <= MAX_BASE_BYTES
    assert not result.title.endswith(" ")


def test_categories_come_from_request_then_mappings_once_each() -> None:
    request = make_request(categories=("tate", "[[Category:William Blake]]", "Bad|name"))
    result = rendered(request, tate("A00005"))
    assert result.categories == ("Tate", "William Blake", "Bad-name")
    links = [
        str(link.title) for link in mwparserfromhell.parse(result.page_text).filter_wikilinks()
    ]
    assert links == ["Category:Tate", "Category:William Blake", "Category:Bad-name"]


def test_unfilled_and_not_applicable_mappings_add_nothing() -> None:
    assert rendered(make_request(categories=()), tate("AR00057")).categories == ()
    woodman = rendered(make_request("Photograph", categories=()), tate("AR00349"))
    assert woodman.categories == ("Francesca Woodman",)
    assert "|photographer = Woodman, Francesca\n" in woodman.page_text


def test_request_name_and_record_id_are_escaped() -> None:
    request = make_request(name="Tate}}{{Delete", id_column="title")
    page = rendered(request, tate("A00051", thumbnailUrl="https://example.org/a.jpg")).page_text
    expected = "{{Partnership upload|request=Tate&#125;&#125;&#123;&#123;Delete|id=&#91;title not known&#93;}}"
    assert expected in page


def test_empty_values_give_empty_fields_without_trailing_spaces() -> None:
    page = rendered(make_request(), tate("A00050")).page_text
    assert "\n |inscriptions =\n" in page
    assert not [line for line in page.splitlines() if line != line.rstrip()]


def test_fields_follow_the_template_order_not_the_request_order() -> None:
    fields = {"source": "{id}", "date": "{dateText}", "artist": "{artist}"}
    page = rendered(make_request(fields=fields), tate("A00050")).page_text
    assert re.findall(r"^ \|([a-z ]+) =", page, re.MULTILINE) == ["artist", "date", "source"]


# --- golden files ----------------------------------------------------------------

GOLDEN_CASES = [
    ("Information", "A00050"),
    ("Information", "A00005"),
    ("Information", "A00100"),
    ("Artwork", "A00050"),
    ("Artwork", "A00909"),
    ("Artwork", "AR00057"),
    ("Photograph", "AR00145"),
    ("Photograph", "AR00349"),
    ("Photograph", "AR00364"),
]


def _check_golden(path: Path, text: str) -> None:
    if UPDATE_GOLDEN:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"missing golden file {path.name}; run with HUBBOT_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("template", "accession_number"), GOLDEN_CASES)
def test_golden_pages(template: str, accession_number: str) -> None:
    result = rendered(make_request(template), tate(accession_number))
    _check_golden(GOLDEN / f"{template}-{accession_number}.wikitext", result.page_text)


def test_golden_titles() -> None:
    lines = []
    for template, accession_number in GOLDEN_CASES:
        result = rendered(make_request(template), tate(accession_number))
        lines.append(f"{template} {accession_number}: File:{result.full_title()}\n")
    _check_golden(GOLDEN / "titles.txt", "".join(lines))


def _file_templates(page: str, template: str) -> list[mwparserfromhell.nodes.Template]:
    code = mwparserfromhell.parse(page)
    return [t for t in code.filter_templates(recursive=False) if t.name.matches(template)]


@pytest.mark.parametrize(("template", "accession_number"), GOLDEN_CASES)
def test_pages_hold_one_description_template_with_the_requested_fields(
    template: str, accession_number: str
) -> None:
    request = make_request(template)
    page = rendered(request, tate(accession_number)).page_text
    (description,) = _file_templates(page, template)
    expected = [name for name in TEMPLATE_FIELDS[template] if name in request.fields]
    assert [str(param.name).strip() for param in description.params] == expected
    code = mwparserfromhell.parse(page)
    top_level = [str(t.name).strip() for t in code.filter_templates(recursive=False)]
    assert top_level == [
        template,
        "cc-zero",
        "Partnership upload",
    ]
    assert [str(h.title) for h in code.filter_headings()] == [
        "{{int:filedesc}}",
        "{{int:license-header}}",
    ]


# --- the whole page under hostile data ---------------------------------------------

hostile = st.lists(
    st.sampled_from(list("{}[]|=<>!'~_-*#:;&\n /x") + ["<!--", "~~~~", "__NOTOC__"]), max_size=30
).map("".join)


@settings(max_examples=200)
@given(
    title=hostile, artist=hostile, date=hostile, record_id=hostile.filter(lambda s: s.strip() != "")
)
def test_hostile_values_never_change_the_page_structure(
    title: str, artist: str, date: str, record_id: str
) -> None:
    request = make_request("Artwork", title="{accession_number}", categories=("Tate",), mapped=())
    record = tate("A00050", title=title, artist=artist, dateText=date, accession_number=record_id)
    result = render_file(request, record, {}, LICENSES)
    if isinstance(result, list):  # only the title may be unusable, never the page
        assert [str(p.message).startswith("The title pattern") for p in result] == [True]
        return
    code = mwparserfromhell.parse(result.page_text)
    (description,) = _file_templates(result.page_text, "Artwork")
    expected = [name for name in TEMPLATE_FIELDS["Artwork"] if name in request.fields]
    assert [str(p.name).strip() for p in description.params] == expected
    assert [str(link.title) for link in code.filter_wikilinks()] == ["Category:Tate"]
    assert not code.filter_comments()
    assert len(code.filter_headings()) == 2
    (upload,) = [
        t for t in code.filter_templates(recursive=False) if t.name.matches("Partnership upload")
    ]
    assert [str(p.name) for p in upload.params] == ["request", "id"]
    assert "~~~" not in result.page_text and "__NOTOC__" not in result.page_text


# --- the digest that goes into the preview id ------------------------------------------


def test_templates_digest_follows_templates_and_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = templates_digest()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert templates_digest() == digest
    monkeypatch.setattr(render, "RENDER_VERSION", render.RENDER_VERSION + "-next")
    assert templates_digest() != digest
    monkeypatch.undo()
    for template in render.TEMPLATE_DIR.glob("*.j2"):
        (tmp_path / template.name).write_bytes(template.read_bytes() + b"\n")
    monkeypatch.setattr(render, "TEMPLATE_DIR", tmp_path)
    assert templates_digest() != digest


def test_the_page_template_exists_in_the_digested_folder() -> None:
    assert (render.TEMPLATE_DIR / render.PAGE_TEMPLATE).is_file()
