"""Impact reports: usage queries against recorded answers, figures, rendering and the chart."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from bots.followup.impact import (
    PAGES_PER_FILE,
    SNAPSHOT_KEY,
    Reach,
    Snapshot,
    Usage,
    build_hub_impact,
    build_impact,
)
from bots.jobs.impact_data import (
    collect_mediarequests,
    collect_pageviews,
    gather_hub_impact,
    gather_request_impact,
    read_usage,
    request_files,
)
from bots.net.analytics import DailyCounts, NoData, Unavailable
from bots.reports.chart import make_chart
from bots.reports.impact import (
    chart_caption,
    chart_page_text,
    chart_title,
    render_hub_impact,
    render_impact,
)
from bots.store import HUB_WIDE, Outcome, StateStore
from bots.wiki import WikiUnavailable
from bots.wiki.records import Use
from bots.wiki.usage import category_files, file_urls, has_extension, site_facts, usage_for

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)


# --- recorded answers ------------------------------------------------------------------

SITEINFO_COMMONS = {
    "batchcomplete": True,
    "query": {
        "general": {
            "mainpage": "Main Page",
            "sitename": "Wikimedia Commons",
            "servername": "commons.wikimedia.org",
            "server": "//commons.wikimedia.org",
        },
        "extensions": [
            {"type": "parserhook", "name": "Cite", "version": "1.0"},
            {"type": "other", "name": "GlobalUsage", "descriptionmsg": "globalusage-desc"},
        ],
    },
}
SITEINFO_DEVWIKI = {
    "batchcomplete": True,
    "query": {
        "general": {"sitename": "Dev", "servername": "127.0.0.1", "server": "http://127.0.0.1"},
        "extensions": [{"type": "parserhook", "name": "ParserFunctions"}],
    },
}


class RecordedWiki:
    """A ``call`` that answers from recorded MediaWiki answers (formatversion=2 shapes).

    ``usage[title]`` lists (wiki, title, url) uses; they are given out
    ``per_answer`` at a time with ``continue`` so continuation is exercised.
    """

    def __init__(self, siteinfo: dict, usage: dict[str, list[tuple[str, str, str]]]) -> None:
        self.siteinfo = siteinfo
        self.usage = usage
        self.calls: list[dict[str, Any]] = []
        self.per_answer = 3
        self.category: list[str] = []
        self.down = False

    def __call__(self, **params: Any) -> dict[str, Any]:
        self.calls.append(params)
        if self.down:
            raise WikiUnavailable("unreachable", "http://127.0.0.1:9/api.php: ConnectionError")
        if params.get("meta") == "siteinfo":
            return self.siteinfo
        if params.get("list") == "categorymembers":
            start = int(params.get("cmcontinue", "0"))
            members = self.category[start : start + 2]
            answer: dict[str, Any] = {
                "query": {"categorymembers": [{"ns": 6, "title": t} for t in members]}
            }
            if start + 2 < len(self.category):
                answer["continue"] = {"cmcontinue": str(start + 2), "continue": "-||"}
            return answer
        titles = params["titles"].split("|")
        assert len(titles) <= 50
        normalized = []
        pages = []
        for asked in titles:
            title = asked[:5] + asked[5:6].upper() + asked[6:]  # File:x -> File:X
            title = title.replace("_", " ")
            if title != asked:
                normalized.append({"fromencoded": False, "from": asked, "to": title})
            if title not in self.usage:
                pages.append({"ns": 6, "title": title, "missing": True})
                continue
            page: dict[str, Any] = {"pageid": abs(hash(title)) % 10**6, "ns": 6, "title": title}
            if params.get("prop") == "imageinfo":
                page["imageinfo"] = [
                    {"url": "https://upload.example/" + title[5:].replace(" ", "_")}
                ]
            pages.append(page)
        query: dict[str, Any] = {"pages": pages}
        if normalized:
            query["normalized"] = normalized
        if params.get("prop") == "imageinfo":
            return {"batchcomplete": True, "query": query}
        key = "gucontinue" if params["prop"] == "globalusage" else "fucontinue"
        offset = int(params.get(key, "0"))
        more = False
        for page in pages:
            uses = self.usage.get(page["title"], [])
            part = uses[offset : offset + self.per_answer]
            more = more or offset + self.per_answer < len(uses)
            if params["prop"] == "globalusage":
                page["globalusage"] = [
                    {"title": t.replace(" ", "_"), "wiki": w, "url": u, "ns": "0"}
                    for w, t, u in part
                ]
            else:
                page["fileusage"] = [{"pageid": 1, "ns": 0, "title": t} for _, t, _ in part]
        answer = {"query": query}
        if more:
            answer["continue"] = {key: str(offset + self.per_answer), "continue": "||"}
        return answer


def uses_of(n: int, wiki: str = "en.wikipedia.org") -> list[tuple[str, str, str]]:
    return [(wiki, f"Page {i}", f"https://{wiki}/wiki/Page_{i}") for i in range(n)]


# --- queries ----------------------------------------------------------------------------


def test_site_facts_and_has_extension() -> None:
    wiki = RecordedWiki(SITEINFO_COMMONS, {})
    assert site_facts(wiki) == site_facts(wiki)
    assert site_facts(wiki).servername == "commons.wikimedia.org"
    assert has_extension(wiki, "GlobalUsage")
    assert not has_extension(RecordedWiki(SITEINFO_DEVWIKI, {}), "GlobalUsage")


def test_usage_for_uses_globalusage_in_batches_of_50_with_continuation() -> None:
    usage = {f"File:Print {i}.jpg": uses_of(i % 5) for i in range(60)}
    usage["File:Print 7.jpg"] += [("commons.wikimedia.org", "Tate gallery", "https://c/Tate")]
    wiki = RecordedWiki(SITEINFO_COMMONS, usage)
    asked = [f"print {i}.jpg" if i % 2 else f"File:Print_{i}.jpg" for i in range(60)]
    result = usage_for(wiki, asked + ["File:Gone.jpg"])
    assert set(result) == set(asked) | {"File:Gone.jpg"}
    assert result["File:Gone.jpg"] == []
    assert len(result["print 9.jpg"]) == 4  # 4 uses, answered 3 + 1
    assert result["File:Print_4.jpg"][0] == Use(
        "en.wikipedia.org", "Page 0", "https://en.wikipedia.org/wiki/Page_0", local=False
    )
    assert (
        Use("commons.wikimedia.org", "Tate gallery", "https://c/Tate", local=True)
        in (result["print 7.jpg"])
    )
    usage_calls = [c for c in wiki.calls if c.get("prop") == "globalusage"]
    assert all(len(c["titles"].split("|")) <= 50 for c in usage_calls)
    assert any("gucontinue" in c for c in usage_calls)
    assert {c["guprop"] for c in usage_calls} == {"url|namespace"}


def test_usage_for_falls_back_to_file_usage_without_globalusage() -> None:
    wiki = RecordedWiki(SITEINFO_DEVWIKI, {"File:Tyger.jpg": uses_of(4, "ignored")})
    result = usage_for(wiki, ["Tyger.jpg"])
    assert [u.title for u in result["Tyger.jpg"]] == ["Page 0", "Page 1", "Page 2", "Page 3"]
    assert {(u.wiki, u.local) for u in result["Tyger.jpg"]} == {("127.0.0.1", True)}
    assert not any(c.get("prop") == "globalusage" for c in wiki.calls)


def test_usage_for_asks_the_site_only_when_it_must() -> None:
    wiki = RecordedWiki(SITEINFO_COMMONS, {"File:A.jpg": uses_of(1)})
    usage_for(wiki, ["A.jpg"], global_usage=True, local_wiki="commons.wikimedia.org")
    assert not any(c.get("meta") == "siteinfo" for c in wiki.calls)


def test_category_files_follows_continuation() -> None:
    wiki = RecordedWiki(SITEINFO_COMMONS, {})
    wiki.category = [f"File:T{i}.jpg" for i in range(5)]
    assert category_files(wiki, "Category:Content Partnerships Hub uploads/X") == wiki.category
    assert wiki.calls[0]["cmtype"] == "file"


def test_file_urls_keyed_by_the_title_asked() -> None:
    wiki = RecordedWiki(SITEINFO_COMMONS, {"File:A b.jpg": []})
    assert file_urls(wiki, ["a_b.jpg", "File:Missing.jpg"]) == {
        "a_b.jpg": "https://upload.example/A_b.jpg"
    }


@pytest.fixture
def store() -> Iterator[StateStore]:
    with StateStore.from_url("sqlite://") as opened:
        yield opened


def test_request_files_are_uploads_and_tracked_files_not_duplicates(store: StateStore) -> None:
    store.finish("Tate", "A1", Outcome.UPLOADED, title="Print one.jpg")
    store.finish("Tate", "A2", Outcome.DUPLICATE, title="Print two.jpg", existing_file="X.jpg")
    store.finish("Tate", "A3", Outcome.FAILED, title="Print three.jpg", reason="too big")
    store.finish("Other", "B1", Outcome.UPLOADED, title="Other.jpg")
    files = request_files(store, "Tate", ["File:Print one.jpg", "File:Uploaded_by_hand.jpg"])
    assert files == ["File:Print one.jpg", "File:Uploaded by hand.jpg"]


# --- analytics collection --------------------------------------------------------------


class StubAnalytics:
    """Answers per page or file URL, as the analytics client would."""

    def __init__(self, answers: dict[str, DailyCounts | NoData | Unavailable]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def pageviews(self, project: str, title: str, start: date, end: date) -> Any:
        self.asked.append(f"{project}|{title}")
        return self.answers.get(f"{project}|{title}", NoData("no figures"))

    def mediarequests(self, url: str, start: date, end: date) -> Any:
        self.asked.append(url)
        return self.answers.get(url, NoData("no figures"))


def days(*counts: int) -> DailyCounts:
    return DailyCounts(tuple((TODAY - timedelta(days=i + 1), c) for i, c in enumerate(counts)))


def test_page_views_count_each_page_once() -> None:
    uses = [
        Use("en.wikipedia.org", "William Blake"),
        Use("en.wikipedia.org", "William Blake"),  # the same page shows two files
        Use("de.wikipedia.org", "William Blake"),
        Use("fr.wikipedia.org", "Tigre"),
    ]
    client = StubAnalytics(
        {"en.wikipedia.org|William Blake": days(10, 20), "de.wikipedia.org|William Blake": days(5)}
    )
    reach = collect_pageviews(client, uses, TODAY - timedelta(30), TODAY)  # type: ignore[arg-type]
    assert reach.total == 35
    assert reach.no_data == 1 and reach.asked == 3
    assert len(client.asked) == 3


def test_one_unavailable_answer_makes_the_figure_unknown_not_smaller() -> None:
    client = StubAnalytics({"a": days(5), "b": Unavailable("HTTP 503")})
    reach = collect_mediarequests(client, {"File:A": "a", "File:B": "b"}, TODAY, TODAY)  # type: ignore[arg-type]
    assert reach.total is None
    assert "1 of 2 files" in reach.unavailable and "HTTP 503" in reach.unavailable


# --- building the report ----------------------------------------------------------------

FILES = ["File:A.jpg", "File:B.jpg", "File:C.jpg", "File:D.jpg"]
USAGE = Usage(
    {
        "File:A.jpg": (Use("en.wikipedia.org", "Tiger"), Use("de.wikipedia.org", "Tiger")),
        "File:B.jpg": (Use("en.wikipedia.org", "Tiger"),),
        "File:C.jpg": (),
        "File:D.jpg": tuple(Use("en.wikipedia.org", f"P{i}") for i in range(12)),
    }
)
PERIOD = (date(2026, 10, 21), date(2026, 11, 19))


def figures(report: Any) -> dict[str, int | None]:
    labels = {
        "files": "Files uploaded",
        "used": "Files in use",
        "pages": "Pages using the files",
        "wikis": "Wikis using the files",
        "views": "Page views of those pages",
        "requests": "Media requests",
    }
    return {labels[f.key]: f.value for f in report.figures}


def test_figures_of_a_request() -> None:
    views = Reach(*PERIOD, counts={"x": 100, "y": 23}, asked=2)
    report = build_impact(
        "Tate", FILES, USAGE, pageviews=views, mediarequests=None, today=TODAY, refreshed=NOW
    )
    assert figures(report) == {
        "Files uploaded": 4,
        "Files in use": 3,
        "Pages using the files": 14,  # Tiger on en counts once
        "Wikis using the files": 2,
        "Page views of those pages": 123,
        "Media requests": None,
    }
    media = next(f for f in report.figures if f.key == "requests")
    assert not media.measured
    assert report.unavailable == ()
    assert [f.title for f in report.top_files] == ["File:D.jpg", "File:A.jpg", "File:B.jpg"]
    for figure in report.figures:
        assert str(figure.how).endswith(".")
    assert all(f.how for f in report.figures)


def test_unreadable_usage_is_unknown_and_named() -> None:
    usage = Usage(None, unavailable="the wiki did not answer (timeout)")
    report = build_impact("Tate", FILES, usage, today=TODAY, refreshed=NOW)
    assert figures(report)["Files uploaded"] == 4
    assert figures(report)["Files in use"] is None
    assert figures(report)["Pages using the files"] is None
    assert report.unavailable == (("usage", "the wiki did not answer (timeout)"),)
    assert report.today == Snapshot(files=4, used=None, pages=None, wikis=None)
    assert report.chart_points() == []


def test_unavailable_analytics_are_named_and_unknown() -> None:
    views = Reach(*PERIOD, counts={"x": 5}, asked=2, unavailable="the service failed (HTTP 503)")
    report = build_impact("Tate", FILES, USAGE, pageviews=views, today=TODAY, refreshed=NOW)
    assert figures(report)["Page views of those pages"] is None
    assert ("views", "the service failed (HTTP 503)") in report.unavailable
    assert report.today.views is None


def test_the_trend_comes_from_earlier_snapshots_and_today_replaces_its_own() -> None:
    history = [
        (TODAY - timedelta(days=2), {"files": 4, "used": 1, "pages": 1, "wikis": 1}),
        (TODAY - timedelta(days=1), {"files": 4, "used": 2, "pages": 3, "wikis": 1}),
        (TODAY, {"files": 4, "used": 0, "pages": 0, "wikis": 0}),  # an earlier run today
        (TODAY - timedelta(days=5), "not a snapshot"),
    ]
    report = build_impact("Tate", FILES, USAGE, history=history, today=TODAY, refreshed=NOW)
    assert report.chart_points() == [
        (TODAY - timedelta(days=2), 1),
        (TODAY - timedelta(days=1), 2),
        (TODAY, 3),
    ]


def test_hub_report_counts_shared_pages_once() -> None:
    other = Usage({"File:E.jpg": (Use("en.wikipedia.org", "Tiger"), Use("it.wikipedia.org", "X"))})
    views_a = Reach(*PERIOD, counts={"en.wikipedia.org|Tiger": 50, "en.wikipedia.org|P1": 5})
    views_b = Reach(*PERIOD, counts={"en.wikipedia.org|Tiger": 50, "it.wikipedia.org|X": 1})
    a = build_impact("Tate", FILES, USAGE, pageviews=views_a, today=TODAY, refreshed=NOW)
    b = build_impact("Rijks", ["File:E.jpg"], other, pageviews=views_b, today=TODAY, refreshed=NOW)
    hub = build_hub_impact([a, b], today=TODAY, refreshed=NOW)
    assert figures(hub)["Files uploaded"] == 5
    assert figures(hub)["Files in use"] == 4
    assert figures(hub)["Pages using the files"] == 15
    assert figures(hub)["Wikis using the files"] == 3
    assert figures(hub)["Page views of those pages"] == 56
    assert [r.name for r in hub.rows] == ["Rijks", "Tate"]


def test_hub_report_is_unknown_when_one_request_could_not_be_read() -> None:
    a = build_impact("Tate", FILES, USAGE, today=TODAY, refreshed=NOW)
    b = build_impact(
        "Rijks", ["File:E.jpg"], Usage(None, unavailable="x"), today=TODAY, refreshed=NOW
    )
    hub = build_hub_impact([a, b], today=TODAY, refreshed=NOW)
    assert figures(hub)["Files in use"] is None
    assert "Rijks" in dict(hub.unavailable)["usage"]


# --- rendering ---------------------------------------------------------------------------


def test_the_impact_page_explains_escapes_and_never_says_zero_for_unknown() -> None:
    usage = Usage(
        {
            "File:A.jpg": (
                Use("en.wikipedia.org", "{{Delete}} me", "https://en.wikipedia.org/wiki/X]] [[Y"),
                Use("commons.wikimedia.org", "Gallery:Tate", local=True),
            ),
            "File:B.jpg": (),
        }
    )
    views = Reach(*PERIOD, unavailable="the analytics service did not answer within 15 s")
    report = build_impact(
        "Tate ''drawings''",
        ["File:A.jpg", "File:B.jpg"],
        usage,
        pageviews=views,
        today=TODAY,
        refreshed=NOW,
    )
    text = render_impact(
        report,
        request_page="Project:Hub/Requests/Tate ''drawings''",
        partner="Tate <script>",
        chart="File:Content Partnerships Hub impact Tate.png",
    )
    assert "[[File:Content Partnerships Hub impact Tate.png|thumb" in text
    assert "2026-11-20 06:30 UTC" in text
    assert "Tate &lt;script&gt;" in text and "<script>" not in text
    assert "{{Delete}}" not in text and "&#123;&#123;Delete&#125;&#125; me" in text
    assert "https://en.wikipedia.org/wiki/X%5D%5D%20%5B%5BY" in text
    assert "[[:Gallery:Tate|Gallery:Tate]]" in text
    assert "[[:Category:Content Partnerships Hub uploads/Tate ''drawings'']]" in text
    row = next(line for line in text.splitlines() if line.startswith("| Page views"))
    assert "unknown" in row and "| 0 " not in row
    assert "did not answer within 15 s" in text
    assert "== Sources that did not answer ==" in text


def test_a_file_used_on_many_pages_lists_some_and_counts_the_rest() -> None:
    report = build_impact("Tate", FILES, USAGE, today=TODAY, refreshed=NOW)
    text = render_impact(report, request_page="R/Requests/Tate")
    assert f"and {12 - PAGES_PER_FILE} more" in text
    assert text.count("\n|-\n") >= 3


def test_a_report_without_usage_says_so_in_plain_words() -> None:
    report = build_impact("Tate", FILES, Usage({t: () for t in FILES}), today=TODAY, refreshed=NOW)
    text = render_impact(report, request_page="R/Requests/Tate")
    assert "None of the 4 files is used on a page yet." in text
    empty = build_impact("Tate", [], Usage({}), today=TODAY, refreshed=NOW)
    assert "No files have been uploaded" in render_impact(empty, request_page="R/Requests/Tate")


def test_the_hub_page_links_each_requests_impact_page() -> None:
    a = build_impact("Tate|x", FILES, USAGE, today=TODAY, refreshed=NOW)
    hub = build_hub_impact([a], today=TODAY, refreshed=NOW)
    text = render_hub_impact(hub, impact_page=lambda n: f"R/Requests/{n}/Impact")
    assert "[[R/Requests/Tate|x/Impact|Tate&#124;x]]" in text
    assert "Page views of those pages" in text and "not measured" in text


def test_chart_titles_and_page() -> None:
    assert chart_title("Tate drawings") == "File:Content Partnerships Hub impact Tate drawings.png"
    assert chart_title(None) == "File:Content Partnerships Hub impact.png"
    assert chart_title("A/B: c").endswith(".png") and "/" not in chart_title("A/B: c")
    page = chart_page_text("Project:Hub/Requests/Tate/Impact")
    assert "{{cc-zero}}" in page and "[[Project:Hub/Requests/Tate/Impact]]" in page


# --- gathering, end to end against recorded answers and a real state store -----------------


def test_gather_keeps_a_snapshot_per_day_and_shows_the_trend(store: StateStore) -> None:
    store.finish("Tate", "A1", Outcome.UPLOADED, title="A.jpg")
    store.finish("Tate", "A2", Outcome.UPLOADED, title="B.jpg")
    wiki = RecordedWiki(SITEINFO_COMMONS, {"File:A.jpg": uses_of(2), "File:B.jpg": []})
    wiki.category = ["File:A.jpg", "File:C.jpg"]
    client = StubAnalytics(
        {
            "en.wikipedia.org|Page 0": days(3, 4),
            "https://upload.example/A.jpg": days(7),
            "https://upload.example/B.jpg": Unavailable("HTTP 500"),
        }
    )
    yesterday = NOW - timedelta(days=1)
    first = gather_request_impact(wiki, store, "Tate", analytics=client, now=yesterday)  # type: ignore[arg-type]
    assert figures(first)["Files uploaded"] == 3
    assert figures(first)["Page views of those pages"] == 7
    assert figures(first)["Media requests"] is None
    wiki.usage["File:B.jpg"] = uses_of(1, "fr.wikipedia.org")
    second = gather_request_impact(wiki, store, "Tate", analytics=client, now=NOW)  # type: ignore[arg-type]
    assert second.chart_points() == [(TODAY - timedelta(days=1), 1), (TODAY, 2)]
    assert store.get_snapshot("Tate", TODAY, SNAPSHOT_KEY)["used"] == 2
    hub = gather_hub_impact(store, [second], now=NOW)
    assert store.get_snapshot(HUB_WIDE, TODAY, SNAPSHOT_KEY)["files"] == 3
    assert figures(hub)["Files in use"] == 2


def test_gather_with_a_wiki_that_stopped_answering(store: StateStore) -> None:
    store.finish("Tate", "A1", Outcome.UPLOADED, title="A.jpg")
    wiki = RecordedWiki(SITEINFO_COMMONS, {"File:A.jpg": uses_of(2)})
    wiki.down = True
    report = gather_request_impact(wiki, store, "Tate", now=NOW)
    assert figures(report)["Files uploaded"] == 1  # from the journal
    assert figures(report)["Files in use"] is None
    assert report.unavailable[0][0] == "usage"
    assert "ConnectionError" in report.unavailable[0][1]
    assert store.get_snapshot("Tate", TODAY, SNAPSHOT_KEY)["used"] is None


def test_read_usage_turns_wiki_errors_into_unavailable() -> None:
    wiki = RecordedWiki(SITEINFO_COMMONS, {})
    wiki.down = True
    usage = read_usage(wiki, ["File:A.jpg"])
    assert usage.uses is None and "did not answer" in usage.unavailable


# --- the chart ---------------------------------------------------------------------------


def decode_png(data: bytes) -> tuple[int, int, list[list[tuple[int, int, int]]]]:
    """Width, height and RGB rows of a PNG (read with Pillow, which matplotlib brings)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data)).convert("RGB")
    width, height = image.size
    raw = image.tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    return width, height, [pixels[y * width : (y + 1) * width] for y in range(height)]


LINE_COLOUR = (51, 102, 204)


def line_pixels(rows: list[list[tuple[int, int, int]]]) -> list[tuple[int, int]]:
    return [(x, y) for y, row in enumerate(rows) for x, p in enumerate(row) if p == LINE_COLOUR]


def test_the_chart_is_a_png_whose_line_rises_with_the_data() -> None:
    points = [(TODAY - timedelta(days=9 - i), i * 3) for i in range(10)]
    width, height, rows = decode_png(make_chart(points))
    assert (width, height) == (640, 320)
    drawn = line_pixels(rows)
    assert drawn
    left = [y for x, y in drawn if x < min(x for x, _ in drawn) + 30]
    right = [y for x, y in drawn if x > max(x for x, _ in drawn) - 30]
    assert min(right) < min(left)  # higher values are drawn higher up (smaller y)


def test_the_chart_places_days_by_date() -> None:
    points = [(TODAY - timedelta(days=10), 5), (TODAY - timedelta(days=9), 5), (TODAY, 5)]
    width, _, rows = decode_png(make_chart(points))
    xs = sorted({x for x, _ in line_pixels(rows)})
    ys = {y for _, y in line_pixels(rows)}
    # a flat line from the first to the last day, spanning most of the picture
    assert xs[-1] - xs[0] > width * 0.7
    assert max(ys) - min(ys) < 15  # markers and the line's width only
    # the second point is a day after the first: near the left, not in the middle
    first_marker_gap = sorted(x for x in xs if x < xs[0] + width * 0.3)
    assert first_marker_gap[-1] - xs[0] < width * 0.3


@pytest.mark.parametrize("points", [[], [(TODAY, 0)], [(TODAY, 7)]])
def test_the_chart_of_few_points_is_still_a_chart(points: list) -> None:
    width, height, rows = decode_png(make_chart(points, width=300, height=200))
    assert (width, height) == (300, 200)
    axis = (84, 89, 93)
    assert sum(1 for row in rows for p in row if p == axis) > 200  # both axes drawn
    assert bool(line_pixels(rows)) == bool(points)


def test_the_same_data_gives_the_same_bytes() -> None:
    points = [(TODAY - timedelta(days=1), 2), (TODAY, 3)]
    assert make_chart(points, title="x") == make_chart(points, title="x")


def png_text(data: bytes) -> dict[str, str]:
    """The text metadata of a PNG, keyword to text."""
    image = Image.open(io.BytesIO(data))
    return {k: v for k, v in image.text.items() if k != "Software"}


def test_charts_that_look_alike_are_different_files() -> None:
    """The hub's chart of a one-request hub draws the same line as the request's."""
    points = [(TODAY - timedelta(days=1), 2), (TODAY, 3)]
    request = make_chart(points, title=chart_caption("R/Requests/Café ß/Impact"))
    hub = make_chart(points, title=chart_caption("R/Impact"))
    assert request != hub
    assert decode_png(request) == decode_png(hub)  # the same picture, no words in it
    assert png_text(request) == {
        "Title": "Files in use per day, as counted for R/Requests/Café ß/Impact"
    }
    assert png_text(hub)["Title"].endswith("R/Impact")
    assert png_text(make_chart(points)) == {}
