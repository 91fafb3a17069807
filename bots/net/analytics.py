"""A small client for the Wikimedia Analytics REST API: page views and media requests.

Two endpoints are used, both answering with daily counts (documented at
``https://wikimedia.org/api/rest_v1/``, the Analytics Query Service):

- page views of one page::

    GET {base}/metrics/pageviews/per-article/{project}/{access}/{agent}/{article}/daily/{start}/{end}
    {"items": [{"project": "en.wikipedia", "article": "William_Blake",
                "granularity": "daily", "timestamp": "2026110100",
                "access": "all-access", "agent": "user", "views": 1234}, ...]}

- requests of one media file (how often the file itself was served)::

    GET {base}/metrics/mediarequests/per-file/{referer}/{agent}/{file_path}/daily/{start}/{end}
    {"items": [{"referer": "all-referers", "file_path": "/wikipedia/commons/a/a9/Example.jpg",
                "granularity": "daily", "timestamp": "2026110100",
                "agent": "user", "requests": 56}, ...]}

``project`` is the wiki's domain without ``.org`` (``en.wikipedia``),
``article`` the title with underscores, ``file_path`` the path of the file's
upload URL with its leading slash; both are percent-encoded whole (``/``
becomes ``%2F``). ``start`` and ``end`` are days, ``YYYYMMDD``; timestamps in
the answer are ``YYYYMMDD00``. Days without any view are left out of the answer.

A figure that cannot be had is never shown as zero: every call returns
:class:`DailyCounts`, :class:`NoData` (the service answered 404: it holds no
figures for that page or file in that period) or :class:`Unavailable` (time
out, refused connection, server error, rate limit, an answer in another
format). After a few unavailable answers in a row the client stops asking and
answers :class:`Unavailable` at once, so a service that is down costs seconds,
not an hour of time-outs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import requests

from bots.i18n import Message, msg
from bots.net.errors import explain

log = logging.getLogger(__name__)

#: The public service; a configuration names it (or a mirror, or a test server).
WIKIMEDIA_ANALYTICS_URL = "https://wikimedia.org/api/rest_v1"

#: Consecutive unavailable answers after which the client stops asking.
GIVE_UP_AFTER = 3


@dataclass(frozen=True)
class DailyCounts:
    """Counts per day, oldest first, as the service gave them (days without views absent)."""

    points: tuple[tuple[date, int], ...] = ()

    @property
    def total(self) -> int:
        return sum(count for _, count in self.points)


@dataclass(frozen=True)
class NoData:
    """The service answered, and holds no figures for this page or file in the period.

    ``reason`` is the service's own explanation ("" when it gave none).
    """

    reason: str


@dataclass(frozen=True)
class Unavailable:
    """The service did not give an answer that can be used; the figure is unknown."""

    reason: Message


AnalyticsResult = DailyCounts | NoData | Unavailable


# --- building URLs --------------------------------------------------------------


def aqs_project(wiki: str) -> str:
    """The service's name of a wiki (``en.wikipedia``) from its domain (``en.wikipedia.org``)."""
    name = wiki.strip().lower()
    if "://" in name:
        name = urlsplit(name).hostname or name
    return name.removesuffix(".org")


def article_segment(title: str) -> str:
    """A page title as one URL path segment: underscores for spaces, everything encoded."""
    return quote(title.strip().replace(" ", "_"), safe="")


def media_file_path(file_url: str) -> str:
    """The ``file_path`` segment for a file's upload URL, e.g. ``%2Fwikipedia%2Fcommons%2F...``."""
    path = unquote(urlsplit(file_url).path)
    if not path.startswith("/"):
        path = "/" + path
    return quote(path, safe="")


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def last_days(today: date, days: int = 30) -> tuple[date, date]:
    """The ``days`` full days before ``today`` (the service has no figures for today yet)."""
    end = today - timedelta(days=1)
    return end - timedelta(days=days - 1), end


# --- reading answers -------------------------------------------------------------


def parse_counts(data: Any, field: str) -> DailyCounts | Unavailable:
    """Daily counts from a documented answer, or Unavailable if it is not one."""
    if not isinstance(data, Mapping) or not isinstance(data.get("items"), list):
        return Unavailable(msg("hubbot-analytics-format-no-items"))
    by_day: dict[date, int] = {}
    for item in data["items"]:
        if not isinstance(item, Mapping):
            return Unavailable(msg("hubbot-analytics-format"))
        stamp, count = item.get("timestamp"), item.get(field)
        if not isinstance(stamp, str) or not isinstance(count, int) or isinstance(count, bool):
            return Unavailable(msg("hubbot-analytics-format-item", field))
        try:
            day = datetime.strptime(stamp[:8], "%Y%m%d").date()
        except ValueError:
            return Unavailable(msg("hubbot-analytics-bad-day", stamp[:20]))
        by_day[day] = by_day.get(day, 0) + count
    return DailyCounts(tuple(sorted(by_day.items())))


# --- the client ------------------------------------------------------------------


class AnalyticsClient:
    """Page views and media requests from one Analytics REST API base URL."""

    def __init__(
        self,
        base_url: str,
        *,
        user_agent: str,
        timeout: float = 15.0,
        session: requests.Session | None = None,
        give_up_after: int = GIVE_UP_AFTER,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept"] = "application/json"
        self.give_up_after = give_up_after
        self.failures_in_a_row = 0
        self.last_failure: Message | None = None
        self.requests_made = 0

    @property
    def gave_up(self) -> bool:
        """True once the service failed so often in a row that the client stopped asking."""
        return self.failures_in_a_row >= self.give_up_after

    def pageviews(
        self,
        project: str,
        title: str,
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
    ) -> AnalyticsResult:
        """Daily views of one page by people (``agent=user``) from ``start`` to ``end``."""
        path = (
            f"/metrics/pageviews/per-article/{quote(aqs_project(project), safe='')}/{access}/"
            f"{agent}/{article_segment(title)}/daily/{_day(start)}/{_day(end)}"
        )
        return self._get(path, "views", f"views of {project} {title}")

    def mediarequests(
        self,
        file_url: str,
        start: date,
        end: date,
        *,
        referer: str = "all-referers",
        agent: str = "user",
    ) -> AnalyticsResult:
        """Daily requests of one media file, given by its upload URL."""
        path = (
            f"/metrics/mediarequests/per-file/{referer}/{agent}/{media_file_path(file_url)}/"
            f"daily/{_day(start)}/{_day(end)}"
        )
        return self._get(path, "requests", f"requests of {file_url}")

    def _get(self, path: str, field: str, what: str) -> AnalyticsResult:
        if self.gave_up:
            last = self.last_failure or msg("hubbot-analytics-format")
            return Unavailable(msg("hubbot-analytics-gave-up", self.base_url, last))
        result = self._fetch(self.base_url + path, field)
        if isinstance(result, Unavailable):
            self.failures_in_a_row += 1
            self.last_failure = result.reason
            log.info("analytics: %s unavailable: %s", what, result.reason)
        else:
            self.failures_in_a_row = 0
        return result

    def _fetch(self, url: str, field: str) -> AnalyticsResult:
        self.requests_made += 1
        try:
            response = self.session.get(url, timeout=self.timeout)
        except requests.Timeout:
            return Unavailable(msg("hubbot-analytics-timeout", f"{self.timeout:g}"))
        except requests.RequestException as error:
            return Unavailable(msg("hubbot-analytics-unreachable", explain(error).words))
        with response:
            status = response.status_code
            if status == 404:
                return NoData(_problem_detail(response))
            if status == 429:
                return Unavailable(msg("hubbot-analytics-slow-down"))
            if status >= 500:
                return Unavailable(msg("hubbot-analytics-failed", str(status)))
            if status != 200:
                detail = _problem_detail(response)
                if detail:
                    return Unavailable(msg("hubbot-analytics-refused-detail", str(status), detail))
                return Unavailable(msg("hubbot-analytics-refused", str(status)))
            try:
                data = response.json()
            except ValueError:
                return Unavailable(msg("hubbot-analytics-not-json"))
        return parse_counts(data, field)


def _problem_detail(response: requests.Response) -> str:
    """The ``detail`` (or ``title``) of an error answer, cut short."""
    try:
        data = response.json()
    except ValueError:
        return ""
    if not isinstance(data, Mapping):
        return ""
    detail = data.get("detail") or data.get("title") or ""
    if isinstance(detail, list):
        detail = "; ".join(str(d) for d in detail)
    return str(detail)[:200]
