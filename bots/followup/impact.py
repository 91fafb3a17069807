"""Impact reports: where the uploaded files are used, and how many people see them.

A partner stays when they see their reach. For one request (``R/Requests/NAME/Impact``)
and for the whole hub (``R/Impact``) the bot reports: files uploaded, files in
use, pages and wikis using them, the most used files with their pages, page
views of those pages and media requests of the files over the last 30 days
(when an analytics service is configured), and the trend from daily snapshots.

Rules every figure follows:

- The request's files are found through the journal (records the bot
  uploaded) and the hidden tracking category that ``{{Partnership upload}}``
  adds, never through content categories, which volunteers change.
- Each figure carries one sentence saying how it was computed, and the report
  says when the data was refreshed.
- A source that did not answer is named as unavailable; its figures are
  unknown (``None``), never zero.

The wiki's usage queries (:mod:`bots.wiki.usage`) are functions of a ``call(**params) -> dict`` callable (such
as :meth:`bots.wiki.Wiki.call`), so they run against any wiki and are tested
with recorded answers. Building the report is pure; rendering goes through the
Jinja2 templates in ``wiki_templates/reports`` with everything that came from
the wiki or a partner escaped. :func:`make_chart` draws the trend as a PNG in
pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from bots.hub import Hub
from bots.i18n.message import Message, Param, Wikitext, items, msg
from bots.wiki.records import Use

#: The hidden category ``{{Partnership upload}}`` puts every file of a request in.
#: The state store key under which one snapshot per day is kept.
SNAPSHOT_KEY = "impact"


#: How many days the page views and media requests cover.
ANALYTICS_DAYS = 30


#: How many files the "most used" table shows, and how many pages per file.
TOP_FILES = 10


PAGES_PER_FILE = 10


#: The most pages (or files) asked about in one report; more would take hours.
MAX_ANALYTICS_ITEMS = 2000


@dataclass(frozen=True)
class Reach:
    """One analytics figure summed over many pages or files, or why it is unknown."""

    start: date
    end: date
    #: counts by page key (``wiki|title``) or file title, for items the service knew
    counts: Mapping[str, int] = field(default_factory=dict)
    #: items the service answered "no figures" for (nobody viewed them in the period)
    no_data: int = 0
    asked: int = 0
    #: items not asked because there were too many
    not_asked: int = 0
    #: why the figure is unknown (the bot's words, or a server's); empty when it is known
    unavailable: Param = ""

    @property
    def total(self) -> int | None:
        return None if self.unavailable else sum(self.counts.values())


@dataclass(frozen=True)
class Usage:
    """Usage of the files as read from the wiki, or why it could not be read."""

    uses: Mapping[str, Sequence[Use]] | None
    #: "GlobalUsage" (every wiki) or "imageusage" (this wiki only)
    source: str = "GlobalUsage"
    unavailable: Param = ""


@dataclass(frozen=True)
class Figure:
    """One figure of an impact page; ``key`` names it (``files``, ``used``, ``pages``...)."""

    key: str
    value: int | None  # None: unknown (see unavailable) or not measured
    how: Message  # one sentence: how it was computed
    unavailable: Param = ""
    detail: Message | None = None
    #: False when the bot has no way to measure it (no analytics service configured)
    measured: bool = True


@dataclass(frozen=True)
class FileUse:
    title: str
    uses: tuple[Use, ...]

    @property
    def wikis(self) -> int:
        return len({u.wiki for u in self.uses})


@dataclass(frozen=True)
class Snapshot:
    """The figures of one day, as kept in the state store."""

    files: int
    used: int | None
    pages: int | None
    wikis: int | None
    views: int | None = None
    requests: int | None = None

    def to_json(self) -> dict[str, int | None]:
        return {
            "files": self.files,
            "used": self.used,
            "pages": self.pages,
            "wikis": self.wikis,
            "views": self.views,
            "requests": self.requests,
        }

    @classmethod
    def from_json(cls, value: Any) -> Snapshot | None:
        if not isinstance(value, Mapping) or not isinstance(value.get("files"), int):
            return None

        def number(key: str) -> int | None:
            item = value.get(key)
            return item if isinstance(item, int) and not isinstance(item, bool) else None

        return cls(
            files=value["files"],
            used=number("used"),
            pages=number("pages"),
            wikis=number("wikis"),
            views=number("views"),
            requests=number("requests"),
        )


@dataclass(frozen=True)
class ImpactReport:
    """Everything one impact page shows (``name`` is None for the hub-wide report)."""

    name: str | None
    refreshed: datetime
    files: tuple[str, ...]
    usage: Usage
    pageviews: Reach | None  # None: no analytics service configured
    mediarequests: Reach | None
    figures: tuple[Figure, ...]
    top_files: tuple[FileUse, ...]
    trend: tuple[tuple[date, Snapshot], ...]
    #: (source: usage, views or requests; why it did not answer)
    unavailable: tuple[tuple[str, Param], ...]
    #: per request, for the hub-wide report
    rows: tuple[RequestRow, ...] = ()

    @property
    def today(self) -> Snapshot:
        return self.trend[-1][1]

    def chart_points(self) -> list[tuple[date, int]]:
        """Files in use per day, for :func:`make_chart` (days with unknown usage left out)."""
        return [(day, s.used) for day, s in self.trend if s.used is not None]


@dataclass(frozen=True)
class RequestRow:
    name: str
    files: int
    used: int | None
    pages: int | None
    wikis: int | None
    views: int | None


def when_shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def all_uses(usage: Usage) -> list[Use]:
    if usage.uses is None:
        return []
    return [u for uses in usage.uses.values() for u in uses]


def _usage_figures(
    files: Sequence[str], usage: Usage, refreshed: datetime, category: str | None
) -> list[Figure]:
    where = msg(
        "hubbot-impact-where-global"
        if usage.source == "GlobalUsage"
        else "hubbot-impact-where-local"
    )
    when = when_shown(refreshed)
    found_by = (
        msg("hubbot-impact-found-by-category", Wikitext(f"[[:{category}]]"))
        if category
        else msg("hubbot-impact-found-by-journal")
    )
    figures = [Figure("files", len(files), msg("hubbot-impact-how-files", found_by, when))]
    if usage.uses is None:
        reason = usage.unavailable or msg("hubbot-impact-wiki-no-answer")
        for key in ("used", "pages", "wikis"):
            figures.append(
                Figure(key, None, msg("hubbot-impact-how-counted", where), unavailable=reason)
            )
        return figures
    used = [t for t in files if usage.uses.get(t)]
    uses = all_uses(usage)
    share = msg("hubbot-impact-share", round(100 * len(used) / len(files))) if files else None
    figures += [
        Figure("used", len(used), msg("hubbot-impact-how-used", where, when), detail=share),
        Figure("pages", len({u.key for u in uses}), msg("hubbot-impact-how-pages", when)),
        Figure("wikis", len({u.wiki for u in uses}), msg("hubbot-impact-how-wikis", when)),
    ]
    return figures


def _reach_figure(key: str, reach: Reach | None, how: Message) -> Figure:
    if reach is None:
        return Figure(key, None, msg("hubbot-impact-not-measured", how), measured=False)
    notes: list[Param] = []
    if reach.no_data:
        notes.append(msg("hubbot-impact-no-data", reach.no_data))
    if reach.not_asked:
        notes.append(msg("hubbot-impact-not-asked", reach.not_asked))
    period = msg(
        "hubbot-impact-period",
        how,
        reach.start.isoformat(),
        reach.end.isoformat(),
        (reach.end - reach.start).days + 1,
    )
    if notes:
        period = msg(
            "hubbot-impact-asked", period, reach.asked + reach.not_asked, items(notes, "semicolon")
        )
    return Figure(key, reach.total, period, unavailable=reach.unavailable)


def _analytics_figures(pageviews: Reach | None, mediarequests: Reach | None) -> list[Figure]:
    return [
        _reach_figure("views", pageviews, msg("hubbot-impact-how-views")),
        _reach_figure("requests", mediarequests, msg("hubbot-impact-how-requests")),
    ]


def _top_files(usage: Usage, limit: int = TOP_FILES) -> tuple[FileUse, ...]:
    if usage.uses is None:
        return ()
    ranked = sorted(
        ((t, tuple(u)) for t, u in usage.uses.items() if u),
        key=lambda item: (-len(item[1]), item[0]),
    )
    return tuple(FileUse(t, uses) for t, uses in ranked[:limit])


def _trend(
    history: Iterable[tuple[date, Any]], today: date, snapshot: Snapshot
) -> tuple[tuple[date, Snapshot], ...]:
    days: dict[date, Snapshot] = {}
    for day, value in history:
        kept = Snapshot.from_json(value)
        if kept is not None and day < today:
            days[day] = kept
    days[today] = snapshot
    return tuple(sorted(days.items()))


def _unavailable(
    usage: Usage, pageviews: Reach | None, mediarequests: Reach | None
) -> tuple[tuple[str, Param], ...]:
    out: list[tuple[str, Param]] = []
    if usage.uses is None:
        out.append(("usage", usage.unavailable or msg("hubbot-impact-wiki-no-answer")))
    if pageviews is not None and pageviews.unavailable:
        out.append(("views", pageviews.unavailable))
    if mediarequests is not None and mediarequests.unavailable:
        out.append(("requests", mediarequests.unavailable))
    return tuple(out)


def build_impact(
    name: str,
    files: Sequence[str],
    usage: Usage,
    *,
    pageviews: Reach | None = None,
    mediarequests: Reach | None = None,
    history: Iterable[tuple[date, Any]] = (),
    today: date,
    refreshed: datetime,
) -> ImpactReport:
    """The impact report of one request (pure).

    ``files`` are the request's file titles (with ``File:``), ``usage`` the
    pages using them, ``history`` the snapshots kept on earlier days.
    """
    files = tuple(sorted(dict.fromkeys(files)))
    category = Hub.tracking_category(name)
    figures = _usage_figures(files, usage, refreshed, category)
    figures += _analytics_figures(pageviews, mediarequests)
    by_key = {f.key: f.value for f in figures}
    snapshot = Snapshot(
        files=len(files),
        used=by_key["used"],
        pages=by_key["pages"],
        wikis=by_key["wikis"],
        views=pageviews.total if pageviews else None,
        requests=mediarequests.total if mediarequests else None,
    )
    return ImpactReport(
        name=name,
        refreshed=refreshed,
        files=files,
        usage=usage,
        pageviews=pageviews,
        mediarequests=mediarequests,
        figures=tuple(figures),
        top_files=_top_files(usage),
        trend=_trend(history, today, snapshot),
        unavailable=_unavailable(usage, pageviews, mediarequests),
    )


def _merge_reach(reaches: Sequence[Reach | None]) -> Reach | None:
    known = [r for r in reaches if r is not None]
    if not known:
        return None
    counts: dict[str, int] = {}
    for reach in known:
        counts.update(reach.counts)  # a page used by two requests counts once
    failed = [r.unavailable for r in known if r.unavailable]
    return Reach(
        start=min(r.start for r in known),
        end=max(r.end for r in known),
        counts=counts,
        no_data=sum(r.no_data for r in known),
        asked=sum(r.asked for r in known),
        not_asked=sum(r.not_asked for r in known),
        unavailable=failed[0] if failed else "",
    )


def build_hub_impact(
    reports: Sequence[ImpactReport],
    *,
    history: Iterable[tuple[date, Any]] = (),
    today: date,
    refreshed: datetime,
) -> ImpactReport:
    """The hub-wide report from the requests' reports (pure).

    Files, pages and wikis are counted once even when two requests share them;
    page views are summed per distinct page.
    """
    files = tuple(sorted({f for r in reports for f in r.files}))
    missing = [r.name or "" for r in reports if r.usage.uses is None]
    if missing:
        usage = Usage(
            None, unavailable=msg("hubbot-impact-usage-unreadable", items(missing), len(missing))
        )
    else:
        merged: dict[str, list[Use]] = {}
        for report in reports:
            for title, uses in (report.usage.uses or {}).items():
                merged.setdefault(title, [])
                merged[title] += [u for u in uses if u not in merged[title]]
        sources = {r.usage.source for r in reports}
        usage = Usage(merged, source="GlobalUsage" if sources <= {"GlobalUsage"} else "imageusage")
    pageviews = _merge_reach([r.pageviews for r in reports])
    mediarequests = _merge_reach([r.mediarequests for r in reports])
    figures = _usage_figures(files, usage, refreshed, None)
    figures[0] = Figure(
        "files", len(files), msg("hubbot-impact-how-files-hub", when_shown(refreshed))
    )
    figures += _analytics_figures(pageviews, mediarequests)
    by_key = {f.key: f.value for f in figures}
    snapshot = Snapshot(
        files=len(files),
        used=by_key["used"],
        pages=by_key["pages"],
        wikis=by_key["wikis"],
        views=pageviews.total if pageviews else None,
        requests=mediarequests.total if mediarequests else None,
    )
    rows = tuple(
        RequestRow(
            name=r.name or "",
            files=r.today.files,
            used=r.today.used,
            pages=r.today.pages,
            wikis=r.today.wikis,
            views=r.today.views,
        )
        for r in sorted(reports, key=lambda r: (r.name or "").casefold())
    )
    return ImpactReport(
        name=None,
        refreshed=refreshed,
        files=files,
        usage=usage,
        pageviews=pageviews,
        mediarequests=mediarequests,
        figures=tuple(figures),
        top_files=_top_files(usage),
        trend=_trend(history, today, snapshot),
        unavailable=_unavailable(usage, pageviews, mediarequests),
        rows=rows,
    )
