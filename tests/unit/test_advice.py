"""Advice on the preview: file pages without a source or a title field."""

from __future__ import annotations

from bots.i18n import ENGLISH
from bots.pipeline.advice import file_page_advice
from bots.pipeline.request import parse_request
from bots.reports.preview import render_preview

LICENSES = {"CC0": "cc-zero"}


def request(**params: str):
    base = {
        "partner": "Tate",
        "source": "https://example.org/data.csv",
        "id": "id",
        "file": "image",
        "license": "CC0",
        "title": "{title} ({id})",
    }
    base.update(params)
    text = "{{Partnership request\n" + "".join(f"|{k}={v}\n" for k, v in base.items()) + "}}"
    parsed, problems = parse_request("X", text, licenses=LICENSES)
    assert problems == [] and parsed is not None
    return parsed


def test_a_request_without_source_url_is_told_its_pages_have_no_source() -> None:
    (message,) = file_page_advice(request())
    advice = ENGLISH.text(message)
    assert advice.startswith("The file pages will have no source")
    assert "source_url" in advice


def test_an_artwork_without_work_title_is_told_it_has_no_title_field() -> None:
    advice = file_page_advice(request(template="Artwork", source_url="https://e.org/{id}"))
    assert len(advice) == 1
    text = ENGLISH.text(advice[0])
    assert "no title field" in text and "work_title" in text


def test_nothing_to_say_when_source_and_title_are_there() -> None:
    assert file_page_advice(request(source_url="https://e.org/{id}")) == []
    assert (
        file_page_advice(
            request(template="Photograph", source_url="https://e.org/{id}", work_title="{title}")
        )
        == []
    )


def test_the_preview_shows_the_advice_as_text() -> None:
    text = render_preview(
        id="abc",
        request="X",
        records=0,
        files=0,
        license="CC0",
        template="Artwork",
        tables=[],
        problems=[],
        shown=[],
        advice=file_page_advice(request(template="Artwork")),
    )
    assert "== Before you approve ==" in text
    assert "no source" in text and "no title field" in text
    assert "{{Artwork" not in text
