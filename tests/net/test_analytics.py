"""The Analytics REST API client, against a loopback server answering in the documented format."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest

from bots.net.analytics import (
    AnalyticsClient,
    DailyCounts,
    NoData,
    Unavailable,
    aqs_project,
    article_segment,
    last_days,
    media_file_path,
    parse_counts,
)

USER_AGENT = "hubbot/test (tests@example.org)"


class FakeAnalytics:
    """A loopback Analytics REST API: per-article page views and per-file media requests.

    ``pageviews[(project, article)]`` and ``mediarequests[file_path]`` map days to
    counts; anything unknown answers 404 with the service's problem document.
    ``mode`` makes it misbehave: ``slow``, ``error`` (HTTP 503), ``garbage``
    (not JSON), ``odd`` (JSON without items) or ``throttle`` (HTTP 429).
    """

    def __init__(self) -> None:
        self.pageviews: dict[tuple[str, str], dict[date, int]] = {}
        self.mediarequests: dict[str, dict[date, int]] = {}
        self.mode = "ok"
        self.seen: list[tuple[str, dict[str, str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                fake.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                status, body = fake.answer(self.path)
                if fake.mode == "slow":
                    time.sleep(1.5)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/rest_v1"

    def answer(self, raw_path: str) -> tuple[int, object]:
        if self.mode == "error":
            return 503, b"<html>Service Temporarily Unavailable</html>"
        if self.mode == "throttle":
            return 429, {"title": "Too many requests"}
        if self.mode == "garbage":
            return 200, b"<html>not json</html>"
        if self.mode == "odd":
            return 200, {"hello": "world"}
        parts = raw_path.split("/")
        # ['', 'api', 'rest_v1', 'metrics', kind, 'per-...', ...]
        kind = parts[4]
        if kind == "pageviews":
            _, _, _, _, _, _, project, access, agent, article, gran, start, end = parts
            series = self.pageviews.get((project, unquote(article)))
            field, key = "views", {"project": project, "article": unquote(article)}
            extra = {"access": access, "agent": agent}
        else:
            _, _, _, _, _, _, referer, agent, file_path, gran, start, end = parts
            series = self.mediarequests.get(unquote(file_path))
            field, key = "requests", {"file_path": unquote(file_path)}
            extra = {"referer": referer, "agent": agent}
        first, last = (datetime.strptime(s[:8], "%Y%m%d").date() for s in (start, end))
        days = {d: c for d, c in (series or {}).items() if first <= d <= last and c}
        if not days:
            return 404, {
                "type": "https://mediawiki.org/wiki/HyperSwitch/errors/not_found",
                "title": "Not found.",
                "method": "get",
                "detail": "The date(s) you used are valid, but we either do not have data "
                "for those date(s), or the project you asked for is not loaded yet.",
                "uri": raw_path,
            }
        items = [
            {**key, "granularity": gran, "timestamp": d.strftime("%Y%m%d00"), **extra, field: c}
            for d, c in sorted(days.items())
        ]
        return 200, {"items": items}

    def __enter__(self) -> FakeAnalytics:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeAnalytics]:
    with FakeAnalytics() as server:
        yield server


DAY = date(2026, 11, 1)


def client(fake: FakeAnalytics, **kwargs: object) -> AnalyticsClient:
    return AnalyticsClient(fake.base_url, user_agent=USER_AGENT, timeout=0.5, **kwargs)


def test_page_views_per_day_from_the_documented_answer(fake: FakeAnalytics) -> None:
    fake.pageviews[("en.wikipedia", "William_Blake")] = {
        DAY: 120,
        DAY + timedelta(days=1): 80,
        DAY + timedelta(days=9): 5,  # outside the asked period
    }
    result = client(fake).pageviews("en.wikipedia.org", "William Blake", DAY, DAY + timedelta(2))
    assert result == DailyCounts(((DAY, 120), (DAY + timedelta(days=1), 80)))
    assert result.total == 200
    path, headers = fake.seen[0]
    assert path == (
        "/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/"
        "William_Blake/daily/20261101/20261103"
    )
    assert headers["user-agent"] == USER_AGENT


def test_titles_with_slashes_and_accents_are_one_path_segment(fake: FakeAnalytics) -> None:
    title = "Talk:Dürer/Archive 1?"
    fake.pageviews[("de.wikipedia", "Talk:Dürer/Archive_1?")] = {DAY: 3}
    result = client(fake).pageviews("de.wikipedia.org", title, DAY, DAY)
    assert isinstance(result, DailyCounts) and result.total == 3
    assert "Talk%3AD%C3%BCrer%2FArchive_1%3F" in fake.seen[0][0]


def test_media_requests_per_file_from_the_upload_url(fake: FakeAnalytics) -> None:
    fake.mediarequests["/wikipedia/commons/a/a9/Tyger é.jpg"] = {DAY: 7, DAY + timedelta(1): 9}
    url = "https://upload.wikimedia.org/wikipedia/commons/a/a9/Tyger_%C3%A9.jpg".replace("_", " ")
    result = client(fake).mediarequests(url, DAY, DAY + timedelta(days=29))
    assert isinstance(result, DailyCounts) and result.total == 16
    assert "/per-file/all-referers/user/%2Fwikipedia%2Fcommons%2Fa%2Fa9%2F" in fake.seen[0][0]


def test_404_is_no_data_not_zero(fake: FakeAnalytics) -> None:
    result = client(fake).pageviews("en.wikipedia", "Nobody reads this", DAY, DAY)
    assert isinstance(result, NoData)
    assert "do not have data" in result.reason


@pytest.mark.parametrize(
    "mode,words",
    [
        ("error", "HTTP 503"),
        ("throttle", "HTTP 429"),
        ("garbage", "other than JSON"),
        ("odd", "unexpected format"),
        ("slow", "did not answer within"),
    ],
)
def test_failures_are_unavailable_never_zero(fake: FakeAnalytics, mode: str, words: str) -> None:
    fake.pageviews[("en.wikipedia", "X")] = {DAY: 5}
    fake.mode = mode
    result = client(fake).pageviews("en.wikipedia", "X", DAY, DAY)
    assert isinstance(result, Unavailable)
    assert words in result.reason


def test_a_refused_connection_is_unavailable() -> None:
    with FakeAnalytics() as server:
        url = server.base_url
    result = AnalyticsClient(url, user_agent=USER_AGENT, timeout=0.5).mediarequests(
        "https://upload.example/a.jpg", DAY, DAY
    )
    assert isinstance(result, Unavailable)
    assert "could not be reached" in result.reason


def test_the_client_stops_asking_a_service_that_stopped_answering(fake: FakeAnalytics) -> None:
    fake.mode = "error"
    analytics = client(fake, give_up_after=2)
    results = [analytics.pageviews("en.wikipedia", f"P{i}", DAY, DAY) for i in range(5)]
    assert all(isinstance(r, Unavailable) for r in results)
    assert len(fake.seen) == 2
    assert analytics.gave_up
    assert "stopped answering" in results[-1].reason


def test_an_answer_resets_the_failure_count(fake: FakeAnalytics) -> None:
    fake.pageviews[("en.wikipedia", "X")] = {DAY: 5}
    analytics = client(fake, give_up_after=2)
    fake.mode = "error"
    analytics.pageviews("en.wikipedia", "X", DAY, DAY)
    fake.mode = "ok"
    assert isinstance(analytics.pageviews("en.wikipedia", "X", DAY, DAY), DailyCounts)
    fake.mode = "error"
    analytics.pageviews("en.wikipedia", "X", DAY, DAY)
    assert not analytics.gave_up


@pytest.mark.parametrize(
    "data,expected",
    [
        ({"items": []}, DailyCounts(())),
        (
            {
                "items": [
                    {"timestamp": "2026110100", "views": 2},
                    {"timestamp": "2026110200", "views": 3},
                ]
            },
            DailyCounts(((date(2026, 11, 1), 2), (date(2026, 11, 2), 3))),
        ),
        ({"items": [{"timestamp": "2026110100", "views": "2"}]}, None),
        ({"items": [{"timestamp": "yesterday", "views": 2}]}, None),
        ({"items": [{"views": 2}]}, None),
        ({"items": [{"timestamp": "2026110100", "views": True}]}, None),
        ([], None),
        ({"items": {}}, None),
    ],
)
def test_parse_counts(data: object, expected: DailyCounts | None) -> None:
    result = parse_counts(data, "views")
    if expected is None:
        assert isinstance(result, Unavailable)
    else:
        assert result == expected


@pytest.mark.parametrize(
    "wiki,project",
    [
        ("en.wikipedia.org", "en.wikipedia"),
        ("commons.wikimedia.org", "commons.wikimedia"),
        ("https://de.wikipedia.org", "de.wikipedia"),
        ("www.wikidata.org", "www.wikidata"),
    ],
)
def test_aqs_project(wiki: str, project: str) -> None:
    assert aqs_project(wiki) == project


def test_path_segments() -> None:
    assert article_segment("AC/DC live") == "AC%2FDC_live"
    assert media_file_path(
        "https://upload.wikimedia.org/wikipedia/commons/0/00/Crab_Nebula.jpg"
    ) == ("%2Fwikipedia%2Fcommons%2F0%2F00%2FCrab_Nebula.jpg")


def test_last_days_ends_yesterday() -> None:
    assert last_days(date(2026, 11, 20), 30) == (date(2026, 10, 21), date(2026, 11, 19))
