"""Planning a batch and the bot's own pages: preview id, status line, dashboard."""

from __future__ import annotations

import pytest

from bots.i18n import Message, msg
from bots.model import MappingRow, MappingTable, PlannedFile, Problem, Request
from bots.pipeline.plan import BatchChecks, Skipped, letters_to_ask, plan
from bots.pipeline.preview import preview_id, preview_id_on_page
from bots.pipeline.titles import TitleRules
from bots.reports.dashboard import DashboardRow, render_dashboard
from bots.reports.preview import render_preview
from bots.reports.status import StatusReport, parse_status_line, render_status

LICENSES = {"CC0": "cc-zero"}
REQUEST = Request(
    name="Test",
    partner="Museum",
    source="https://example.org/data.csv",
    format="csv",
    id_column="id",
    file_column="image",
    license="CC0",
    license_column=None,
    template="Information",
    title="{title}",
    fields={"description": "{title}", "author": "{artist}"},
    mapped=("artist",),
)


def record(rid: str, title: str, artist: str = "A", image: str | None = None) -> dict[str, str]:
    return {
        "id": rid,
        "title": title,
        "artist": artist,
        "image": image or f"https://e.org/{rid}.jpg",
    }


def test_plan_skips_repeated_ids_and_disambiguates_repeated_titles():
    checks = BatchChecks()
    out = list(
        plan(
            REQUEST,
            [
                record("1", "Cat"),
                record("1", "Dog"),
                record("2", "Cat"),
                record("3", "", image="x"),
            ],
            {},
            LICENSES,
            checks,
        )
    )
    assert isinstance(out[0], PlannedFile) and out[0].full_title() == "Cat.jpg"
    assert isinstance(out[1], Skipped) and "more than once" in str(out[1].problems[0].message)
    assert isinstance(out[2], PlannedFile) and out[2].full_title() == "Cat (2).jpg"
    assert isinstance(out[3], Skipped)
    assert any("same title as record 1" in str(n.message) for n in checks.notes)


def test_a_file_cell_with_several_addresses_is_a_problem():
    [item] = list(
        plan(REQUEST, [record("1", "Cat", image="https://a/1.jpg / https://b/2.jpg")], {}, LICENSES)
    )
    assert isinstance(item, Skipped)
    assert "more than one address" in str(item.problems[0].message)


def test_plan_applies_mapping_categories_and_text():
    tables = {
        "artist": MappingTable(
            "Test",
            "artist",
            (MappingRow("A", 1, categories="Painters from A", text="[[d:Q1|Artist A]]"),),
        )
    }
    [planned] = list(plan(REQUEST, [record("1", "Cat")], tables, LICENSES))
    assert "[[Category:Painters from A]]" in planned.page_text
    assert "|author = [[d:Q1|Artist A]]" in planned.page_text


def test_plan_capitalises_titles_and_categories_by_the_wikis_rules():
    tables = {"artist": MappingTable("Test", "artist", (MappingRow("A", 1, categories="ßtraßen"),))}
    rows = [record("1", "ßtraße"), record("2", "ǆamija")]
    keeps = TitleRules(upper={"ß": "ß", "ǆ": "ǅ", "ǅ": "ǅ"})
    titles = [f.full_title() for f in plan(REQUEST, rows, tables, LICENSES, rules=keeps)]
    assert titles == ["ßtraße.jpg", "ǅamija.jpg"]
    stock = list(plan(REQUEST, rows, tables, LICENSES))
    assert [f.full_title() for f in stock] == ["SStraße.jpg", "Ǆamija.jpg"]
    assert isinstance(stock[0], PlannedFile) and "[[Category:SStraßen]]" in stock[0].page_text
    first = list(plan(REQUEST, rows[:1], tables, LICENSES, rules=keeps))[0]
    assert isinstance(first, PlannedFile) and "[[Category:ßtraßen]]" in first.page_text


def test_the_letters_to_ask_the_wiki_about():
    tables = {
        "artist": MappingTable(
            "Test", "artist", (MappingRow("A", 1, categories="Painters; émigrés; -"),)
        )
    }
    request = Request(**{**REQUEST.__dict__, "categories": ("ǆ x", "Museum")})
    rows = [
        record("1", "ßtraße"),
        record("2", "Straße"),
        record("3", " ...ﬁre"),
        record("4", "cat"),
    ]
    assert letters_to_ask(request, rows, tables) == {"ß", "ﬁ", "c", "é", "ǆ"}
    assert letters_to_ask(REQUEST, [record("1", "Cat"), record("2", "1999")], {}) == set()


BASE = dict(
    raw_params={"partner": "M", "title": "{title}", "approve": "", "limit": "5"},
    mapping_pages={"artist": "{{Mapping table}}"},
    source_digest="abc",
    templates_digest="t1",
    licenses=LICENSES,
    name="Test",
    media={"R1": "0" * 40},
)


@pytest.mark.parametrize(
    "change, same",
    [
        ({"raw_params": {"partner": "M", "title": "{title}", "approve": "x1", "limit": ""}}, True),
        ({"raw_params": {"partner": "M", "title": "{title}", "pause": "yes", "sync": "yes"}}, True),
        ({"raw_params": {"partner": "M", "title": "{title}", "description": ""}}, True),
        ({"raw_params": {"partner": "M", "title": "{title} ({id})"}}, False),
        ({"mapping_pages": {"artist": "{{Mapping table}}\n{{Mapping row|value=A}}"}}, False),
        ({"source_digest": "abd"}, False),
        ({"templates_digest": "t2"}, False),
        ({"licenses": {"CC0": "cc-zero-1.0"}}, False),
        ({"name": "Moved elsewhere"}, False),
        ({"media": {"R1": "1" * 40}}, False),
        ({"media": {"R1": "unreadable"}}, False),
    ],
)
def test_preview_id_covers_every_decisive_input(change, same):
    before = preview_id(**BASE)
    after = preview_id(**{**BASE, **change})
    assert (before == after) is same
    assert len(before) == 10 and int(before, 16) >= 0


def test_status_page_starts_with_the_machine_readable_line():
    text = render_status(
        StatusReport(
            state="uploading",
            total=1200,
            uploaded=350,
            duplicates=12,
            failed=3,
            pending=835,
            preview="3f9a1c02de",
            updated="2026-11-20T10:00:00Z",
            message=msg("hubbot-status-uploading"),
            problems=[Problem("license", Message.verbatim("{{evil}} [[x]]"))],
        ),
        "R/Requests/X",
    )
    first = text.split("\n", 1)[0]
    assert first == (
        "{{Batch status|state=uploading|total=1200|uploaded=350|duplicates=12|failed=3"
        "|pending=835|preview=3f9a1c02de|updated=2026-11-20T10:00:00Z|language=en}}"
    )
    assert parse_status_line(text)["pending"] == "835"
    assert "{{evil}}" not in text and "[[x]]" not in text


@pytest.mark.parametrize(
    ("reason", "limit", "line"),
    [
        ("limit", 50, "{{Batch status|state=paused|reason=limit|limit=50|total=9|"),
        ("pause", 50, "{{Batch status|state=paused|reason=pause|total=9|"),
    ],
)
def test_a_paused_status_says_why(reason: str, limit: int, line: str):
    text = render_status(StatusReport(state="paused", total=9, reason=reason, limit=limit), "R")
    assert text.startswith(line)
    assert parse_status_line(text)["reason"] == reason


def test_only_a_paused_status_has_a_reason_and_it_always_has_one():
    with pytest.raises(ValueError):
        render_status(StatusReport(state="paused"), "R")
    with pytest.raises(ValueError):
        render_status(StatusReport(state="uploading", reason="limit"), "R")


def test_status_states_are_the_spec_states():
    with pytest.raises(ValueError):
        render_status(StatusReport(state="running"), "R")


def test_preview_page_shows_its_id_and_escapes_problems():
    planned = PlannedFile("1", "Cat", "jpg", "https://e.org/1.jpg", "[[Category:X]]\n<b>", ("X",))
    text = render_preview(
        id="0123456789",
        request="Test",
        records=2,
        files=1,
        license="CC0",
        template="Information",
        tables=[],
        problems=[Problem("record 2", Message.verbatim("bad {{x}}"))],
        shown=[planned],
    )
    assert preview_id_on_page(text) == "0123456789"
    assert text.startswith(
        "{{Batch preview|id=0123456789|request=Test|files=1|problems=1|language=en}}"
    )
    assert "[[:Category:X]]" in text  # the preview page itself is not categorised
    assert "&lt;b>" in text  # the wikitext block shows the page verbatim
    assert "bad {{x}}" not in text


def test_dashboard_rows_sorted_and_escaped():
    text = render_dashboard(
        [
            DashboardRow("b", "R/Requests/b", "P|x", "done", 3, 3, "t"),
            DashboardRow("A", "R/Requests/A", "Q", "uploading", 1, 9, "t"),
        ]
    )
    assert text.index("R/Requests/A") < text.index("R/Requests/b")
    assert "P|x" not in text and "P&#124;x" in text
