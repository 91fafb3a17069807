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

The wiki queries are functions of a ``call(**params) -> dict`` callable (such
as :meth:`bots.wiki.Wiki.call`), so they run against any wiki and are tested
with recorded answers. Building the report is pure; rendering goes through the
Jinja2 templates in ``wiki_templates/reports`` with everything that came from
the wiki or a partner escaped. :func:`make_chart` draws the trend as a PNG in
pure Python.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from bots.hub import Hub
from bots.net.analytics import (
    AnalyticsClient,
    DailyCounts,
    NoData,
    Unavailable,
    last_days,
)
from bots.pipeline.escape import escape_value
from bots.pipeline.titles import TitleError, legal_title
from bots.store import HUB_WIDE, Outcome, StateStore
from bots.templates import render_report
from bots.wiki import WikiError, chunks

ApiCall = Callable[..., dict[str, Any]]

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


# --- usage ------------------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """One page that shows a file."""

    wiki: str  # the wiki's domain, e.g. en.wikipedia.org
    title: str  # with namespace prefix, spaces not underscores
    url: str = ""  # full URL when the wiki gave one
    local: bool = False  # on the wiki the files are on

    @property
    def key(self) -> str:
        return f"{self.wiki}|{self.title}"


@dataclass(frozen=True)
class SiteFacts:
    servername: str
    extensions: frozenset[str]


def site_facts(call: ApiCall) -> SiteFacts:
    """The wiki's server name and installed extensions (one request)."""
    data = call(action="query", meta="siteinfo", siprop="general|extensions", formatversion=2)
    query = data.get("query", {})
    general = query.get("general", {})
    names = frozenset(str(e.get("name", "")) for e in query.get("extensions", []))
    return SiteFacts(servername=str(general.get("servername", "")), extensions=names)


def has_extension(call: ApiCall, name: str) -> bool:
    """Whether the wiki lists the extension ``name`` in its site information."""
    return name in site_facts(call).extensions


def _file_title(title: str) -> str:
    text = title.strip().replace("_", " ")
    if text.lower().startswith(("file:", "image:")):
        text = text.split(":", 1)[1].strip()
    return "File:" + text


def _aliases(query: Mapping[str, Any]) -> dict[str, str]:
    alias: dict[str, str] = {}
    for key in ("normalized", "redirects"):
        for item in query.get(key, []):
            alias[item["from"]] = item["to"]
    return alias


def _resolve(alias: Mapping[str, str], title: str) -> str:
    seen = set()
    while title in alias and title not in seen:
        seen.add(title)
        title = alias[title]
    return title


def usage_for(
    call: ApiCall,
    titles: Iterable[str],
    *,
    global_usage: bool | None = None,
    local_wiki: str | None = None,
) -> dict[str, list[Use]]:
    """Pages using each file, keyed by the title asked; 50 titles a query, with continuation.

    Uses GlobalUsage (every wiki of the farm) when the wiki has it, otherwise
    the wiki's own file usage. ``global_usage`` and ``local_wiki`` skip the
    site information request when the caller knows them.
    """
    wanted = list(dict.fromkeys(titles))
    if global_usage is None or local_wiki is None:
        facts = site_facts(call)
        if global_usage is None:
            global_usage = "GlobalUsage" in facts.extensions
        if local_wiki is None:
            local_wiki = facts.servername
    out: dict[str, list[Use]] = {t: [] for t in wanted}
    for batch in chunks(wanted):
        full = {asked: _file_title(asked) for asked in batch}
        found = _usage_batch(call, list(full.values()), global_usage, local_wiki)
        for asked, title in full.items():
            out[asked] = found.get(title, [])
    return out


def _usage_batch(
    call: ApiCall, titles: list[str], global_usage: bool, local_wiki: str
) -> dict[str, list[Use]]:
    if global_usage:
        params: dict[str, Any] = {
            "action": "query",
            "titles": "|".join(titles),
            "prop": "globalusage",
            "guprop": "url|namespace",
            "gulimit": "max",
            "formatversion": 2,
        }
        list_key = "globalusage"
    else:
        params = {
            "action": "query",
            "titles": "|".join(titles),
            "prop": "fileusage",
            "fuprop": "title",
            "fulimit": "max",
            "formatversion": 2,
        }
        list_key = "fileusage"
    by_title: dict[str, dict[str, Use]] = {}
    alias: dict[str, str] = {}
    while True:
        data = call(**params)
        query = data.get("query", {})
        alias.update(_aliases(query))
        for page in query.get("pages", []):
            uses = by_title.setdefault(page["title"], {})
            for item in page.get(list_key, []):
                use = _use(item, global_usage, local_wiki)
                uses.setdefault(use.key, use)
        if "continue" not in data:
            break
        params = {**params, **data["continue"]}
    return {t: list(by_title.get(_resolve(alias, t), {}).values()) for t in titles}


def _use(item: Mapping[str, Any], global_usage: bool, local_wiki: str) -> Use:
    title = str(item.get("title", "")).replace("_", " ")
    if global_usage:
        wiki = str(item.get("wiki", ""))
        return Use(wiki=wiki, title=title, url=str(item.get("url", "")), local=wiki == local_wiki)
    return Use(wiki=local_wiki, title=title, local=True)


def category_files(call: ApiCall, category: str) -> list[str]:
    """Titles (with ``File:``) of the files in ``category``, following continuation."""
    params: dict[str, Any] = {
        "action": "query",
        "list": "categorymembers",
        "cmtitle": category,
        "cmtype": "file",
        "cmprop": "title",
        "cmlimit": "max",
        "formatversion": 2,
    }
    titles: list[str] = []
    while True:
        data = call(**params)
        titles.extend(m["title"] for m in data.get("query", {}).get("categorymembers", []))
        if "continue" not in data:
            return titles
        params = {**params, **data["continue"]}


def file_urls(call: ApiCall, titles: Iterable[str]) -> dict[str, str]:
    """The upload URL of each file (keyed by the title asked); missing files are left out."""
    out: dict[str, str] = {}
    for batch in chunks(list(dict.fromkeys(titles))):
        full = {asked: _file_title(asked) for asked in batch}
        data = call(
            action="query",
            titles="|".join(full.values()),
            prop="imageinfo",
            iiprop="url",
            formatversion=2,
        )
        query = data.get("query", {})
        alias = _aliases(query)
        pages = {p["title"]: p for p in query.get("pages", [])}
        for asked, title in full.items():
            info = (pages.get(_resolve(alias, title), {}).get("imageinfo") or [{}])[0]
            if info.get("url"):
                out[asked] = str(info["url"])
    return out


def request_files(store: StateStore, name: str, tracked: Iterable[str] = ()) -> list[str]:
    """The request's files (with ``File:``): uploads in the journal plus the tracking category.

    Duplicates are not counted: those files were uploaded by someone else.
    """
    titles = [_file_title(s.title) for s in store.all(name) if s.outcome is Outcome.UPLOADED]
    titles += [_file_title(t) for t in tracked]
    return sorted(dict.fromkeys(t for t in titles if t != "File:"))


# --- analytics --------------------------------------------------------------------


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
    #: why the figure is unknown; empty when it is known
    unavailable: str = ""

    @property
    def total(self) -> int | None:
        return None if self.unavailable else sum(self.counts.values())


def _collect(
    items: Sequence[tuple[str, Callable[[], DailyCounts | NoData | Unavailable]]],
    start: date,
    end: date,
    what: str,
) -> Reach:
    counts: dict[str, int] = {}
    no_data = 0
    failed: list[str] = []
    for key, ask in items[:MAX_ANALYTICS_ITEMS]:
        result = ask()
        if isinstance(result, DailyCounts):
            counts[key] = result.total
        elif isinstance(result, NoData):
            no_data += 1
        else:
            failed.append(result.reason)
    asked = min(len(items), MAX_ANALYTICS_ITEMS)
    unavailable = ""
    if failed:
        unavailable = (
            f"the analytics service gave no figures for {len(failed)} of {asked} {what} "
            f"({failed[-1]})"
        )
    return Reach(
        start=start,
        end=end,
        counts=counts,
        no_data=no_data,
        asked=asked,
        not_asked=max(0, len(items) - MAX_ANALYTICS_ITEMS),
        unavailable=unavailable,
    )


def collect_pageviews(
    client: AnalyticsClient, uses: Iterable[Use], start: date, end: date
) -> Reach:
    """Views by people of every distinct page using the files, ``start`` to ``end``."""
    pages = {u.key: u for u in uses}
    items = [
        (key, lambda u=use: client.pageviews(u.wiki, u.title, start, end))
        for key, use in sorted(pages.items())
    ]
    return _collect(items, start, end, "pages")


def collect_mediarequests(
    client: AnalyticsClient, urls: Mapping[str, str], start: date, end: date
) -> Reach:
    """Requests by people of every file (by its upload URL), ``start`` to ``end``."""
    items = [
        (title, lambda url=url: client.mediarequests(url, start, end))
        for title, url in sorted(urls.items())
    ]
    return _collect(items, start, end, "files")


# --- the report -------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """Usage of the files as read from the wiki, or why it could not be read."""

    uses: Mapping[str, Sequence[Use]] | None
    #: "GlobalUsage" (every wiki) or "imageusage" (this wiki only)
    source: str = "GlobalUsage"
    unavailable: str = ""


@dataclass(frozen=True)
class Figure:
    label: str
    value: int | None  # None: unknown (see unavailable) or not measured
    how: str  # one sentence: how it was computed
    unavailable: str = ""
    detail: str = ""
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
    unavailable: tuple[tuple[str, str], ...]
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


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _all_uses(usage: Usage) -> list[Use]:
    if usage.uses is None:
        return []
    return [u for uses in usage.uses.values() for u in uses]


def _usage_figures(
    files: Sequence[str], usage: Usage, refreshed: datetime, category: str | None
) -> list[Figure]:
    where = (
        "on any wiki, from the wiki's global file usage list (GlobalUsage)"
        if usage.source == "GlobalUsage"
        else "on this wiki, from its file usage list (this wiki has no GlobalUsage, so use "
        "on other wikis is not seen)"
    )
    when = f"Read {_when(refreshed)}."
    found_by = "the uploads recorded in the bot's journal"
    if category:
        found_by += f" together with the files in the hidden category [[:{category}]]"
    figures = [
        Figure(
            "Files uploaded",
            len(files),
            f"Files the bot uploaded: {found_by}. Content categories, which volunteers "
            f"change, are not used. {when}",
        )
    ]
    if usage.uses is None:
        reason = usage.unavailable or "the wiki did not answer"
        for label in ("Files in use", "Pages using the files", "Wikis using the files"):
            figures.append(Figure(label, None, f"Counted {where}.", unavailable=reason))
        return figures
    used = [t for t in files if usage.uses.get(t)]
    uses = _all_uses(usage)
    share = f"{round(100 * len(used) / len(files))} % of the files" if files else ""
    figures += [
        Figure(
            "Files in use",
            len(used),
            f"Files shown on at least one page {where}. {when}",
            detail=share,
        ),
        Figure(
            "Pages using the files",
            len({u.key for u in uses}),
            "Distinct pages (articles, galleries, user pages and any other page) that show at "
            f"least one of the files; a page showing several files counts once. {when}",
        ),
        Figure(
            "Wikis using the files",
            len({u.wiki for u in uses}),
            f"Distinct wikis with at least one such page. {when}",
        ),
    ]
    return figures


def _reach_figure(label: str, reach: Reach | None, how: str) -> Figure:
    if reach is None:
        return Figure(
            label,
            None,
            how + " Not measured: no analytics service is configured for this bot.",
            measured=False,
        )
    period = f"{reach.start.isoformat()} to {reach.end.isoformat()}"
    notes = []
    if reach.no_data:
        notes.append(f"{reach.no_data} had none recorded in the period")
    if reach.not_asked:
        notes.append(f"{reach.not_asked} more were not asked about, to keep the report quick")
    extra = (
        f" Of {reach.asked + reach.not_asked} asked about, " + "; ".join(notes) + "."
        if notes
        else ""
    )
    return Figure(
        label,
        reach.total,
        f"{how} Period: {period} (the last {(reach.end - reach.start).days + 1} full days), "
        f"from the Wikimedia Analytics API.{extra}",
        unavailable=reach.unavailable,
    )


def _analytics_figures(pageviews: Reach | None, mediarequests: Reach | None) -> list[Figure]:
    return [
        _reach_figure(
            "Page views of those pages",
            pageviews,
            "Views by people (not bots or crawlers) of the pages that show the files, summed "
            "per page and counted once per page.",
        ),
        _reach_figure(
            "Media requests",
            mediarequests,
            "How often the files themselves were served to people, from any site.",
        ),
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
) -> tuple[tuple[str, str], ...]:
    out = []
    if usage.uses is None:
        out.append(("File usage", usage.unavailable or "the wiki did not answer"))
    if pageviews is not None and pageviews.unavailable:
        out.append(("Page views", pageviews.unavailable))
    if mediarequests is not None and mediarequests.unavailable:
        out.append(("Media requests", mediarequests.unavailable))
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
    by_label = {f.label: f.value for f in figures}
    snapshot = Snapshot(
        files=len(files),
        used=by_label["Files in use"],
        pages=by_label["Pages using the files"],
        wikis=by_label["Wikis using the files"],
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
            None,
            unavailable="the file usage of request(s) " + ", ".join(missing) + " could not be read",
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
        "Files uploaded",
        len(files),
        "Files the bot uploaded for all requests together, from its journal and each "
        f"request's hidden tracking category. Read {_when(refreshed)}.",
    )
    figures += _analytics_figures(pageviews, mediarequests)
    by_label = {f.label: f.value for f in figures}
    snapshot = Snapshot(
        files=len(files),
        used=by_label["Files in use"],
        pages=by_label["Pages using the files"],
        wikis=by_label["Wikis using the files"],
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


# --- gathering (reads the wiki, the analytics service and the state store) ---------


def read_usage(
    call: ApiCall,
    files: Sequence[str],
    *,
    global_usage: bool | None = None,
    local_wiki: str | None = None,
    ignore_prefix: str | None = None,
) -> Usage:
    """Usage of ``files``; a wiki that does not answer gives an unavailable Usage.

    Uses on this wiki's pages below ``ignore_prefix`` (the hub's own pages:
    status galleries, previews) are not reach and are left out.
    """
    try:
        if global_usage is None or local_wiki is None:
            facts = site_facts(call)
            global_usage = (
                "GlobalUsage" in facts.extensions if global_usage is None else global_usage
            )
            local_wiki = facts.servername if local_wiki is None else local_wiki
        uses = usage_for(call, files, global_usage=global_usage, local_wiki=local_wiki)
    except WikiError as error:
        return Usage(None, unavailable=f"the wiki did not answer ({error.info[:200]})")
    if ignore_prefix:
        uses = {
            t: [u for u in us if not (u.local and u.title.startswith(ignore_prefix))]
            for t, us in uses.items()
        }
    return Usage(
        {t: tuple(u) for t, u in uses.items()},
        source="GlobalUsage" if global_usage else "imageusage",
    )


def gather_request_impact(
    call: ApiCall,
    store: StateStore,
    name: str,
    *,
    analytics: AnalyticsClient | None = None,
    now: datetime | None = None,
    global_usage: bool | None = None,
    local_wiki: str | None = None,
    keep_snapshot: bool = True,
    ignore_prefix: str | None = None,
) -> ImpactReport:
    """Read everything one request's report needs, build it and keep today's snapshot."""
    now = now or datetime.now(UTC)
    today = now.astimezone(UTC).date()
    category = Hub.tracking_category(name)
    try:
        tracked = category_files(call, category)
    except WikiError:
        tracked = []  # the journal still knows the uploads
    files = request_files(store, name, tracked)
    usage = read_usage(
        call, files, global_usage=global_usage, local_wiki=local_wiki, ignore_prefix=ignore_prefix
    )
    pageviews = mediarequests = None
    if analytics is not None:
        start, end = last_days(today, ANALYTICS_DAYS)
        pageviews = collect_pageviews(analytics, _all_uses(usage), start, end)
        try:
            urls = file_urls(call, files)
        except WikiError as error:
            mediarequests = Reach(
                start, end, unavailable=f"the wiki did not give the file addresses ({error.info})"
            )
        else:
            mediarequests = collect_mediarequests(analytics, urls, start, end)
        if usage.uses is None:
            pageviews = Reach(start, end, unavailable="the pages using the files are not known")
    history = store.snapshots(name, SNAPSHOT_KEY, since=today - timedelta(days=365))
    report = build_impact(
        name,
        files,
        usage,
        pageviews=pageviews,
        mediarequests=mediarequests,
        history=history,
        today=today,
        refreshed=now,
    )
    if keep_snapshot:
        store.put_snapshot(name, today, SNAPSHOT_KEY, report.today.to_json())
    return report


def gather_hub_impact(
    store: StateStore,
    reports: Sequence[ImpactReport],
    *,
    now: datetime | None = None,
    keep_snapshot: bool = True,
) -> ImpactReport:
    """The hub-wide report from the requests' reports, keeping today's hub snapshot."""
    now = now or datetime.now(UTC)
    today = now.astimezone(UTC).date()
    history = store.snapshots(HUB_WIDE, SNAPSHOT_KEY, since=today - timedelta(days=365))
    report = build_hub_impact(reports, history=history, today=today, refreshed=now)
    if keep_snapshot:
        store.put_snapshot(HUB_WIDE, today, SNAPSHOT_KEY, report.today.to_json())
    return report


# --- rendering ------------------------------------------------------------------------

# The bot's pages share one template environment and its clean-up of blank lines.
_render = render_report


def chart_title(name: str | None) -> str:
    """The file (with ``File:``) that holds the trend chart of a request or of the hub."""
    base = "Content Partnerships Hub impact" + (f" {name}" if name else "")
    try:
        return "File:" + legal_title(base, "png")
    except TitleError:
        return "File:Content Partnerships Hub impact.png"


def chart_caption(report_page: str) -> str:
    """What a chart counts, in its PNG metadata; one report page, one caption."""
    return f"Files in use per day, as counted for {report_page}"


def chart_page_text(report_page: str, license_template: str = "cc-zero") -> str:
    """The description page of a chart file: what it shows, where it is used, its licence."""
    return (
        "=={{int:filedesc}}==\n"
        "{{Information\n"
        f" |description = {chart_caption(f'[[{report_page}]]')}.\n"
        " |source = Drawn by the Content Partnerships Hub bot from its daily snapshots.\n"
        " |author = Content Partnerships Hub bot\n"
        "}}\n\n"
        "=={{int:license-header}}==\n"
        f"{{{{{license_template}}}}}\n"
    )


_URL_UNSAFE = re.compile(r"[\s\[\]<>\"|{}']")


def _external(url: str, label: str) -> str:
    safe = _URL_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), url)
    return f"[{safe} {label}]"


#: Characters no page title holds; a "title" with one is shown as text, never linked.
_NOT_IN_TITLES = re.compile(r"[\[\]{}|<>\n#]")


def _use_link(use: Use) -> str:
    label = escape_value(use.title)
    if use.local and not _NOT_IN_TITLES.search(use.title):
        return f"[[:{use.title}|{label}]]"
    if use.url.startswith(("https://", "http://")):
        return _external(use.url, f"{escape_value(use.wiki)}: {label}")
    return f"{escape_value(use.wiki)}: {label}"


def _file_link(title: str) -> str:
    label = escape_value(title.removeprefix("File:"))
    if _NOT_IN_TITLES.search(title):
        return label
    return f"[[:{title}|{label}]]"


def _number(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def _figures_context(figures: Sequence[Figure]) -> list[dict[str, str]]:
    out = []
    for f in figures:
        if not f.measured:
            shown = "not measured"
        elif f.value is None:
            shown = "unknown"
        else:
            shown = _number(f.value) + (f" ({escape_value(f.detail)})" if f.detail else "")
        how = f.how
        if f.unavailable:
            how += " '''Unavailable this time''': " + escape_value(f.unavailable) + "."
        out.append({"label": f.label, "value": shown, "how": how})
    return out


def _top_context(top: Sequence[FileUse]) -> list[dict[str, object]]:
    return [
        {
            "link": _file_link(f.title),
            "pages": len(f.uses),
            "wikis": f.wikis,
            "uses": [_use_link(u) for u in f.uses[:PAGES_PER_FILE]],
            "more": max(0, len(f.uses) - PAGES_PER_FILE),
        }
        for f in top
    ]


def _trend_context(report: ImpactReport) -> dict[str, object]:
    points = report.chart_points()
    first = points[0] if points else None
    return {
        "days": len(report.trend),
        "first_day": first[0].isoformat() if first else "",
        "first_used": _number(first[1]) if first else "",
        "recent": [
            {
                "day": day.isoformat(),
                "used": _number(s.used),
                "pages": _number(s.pages),
                "views": _number(s.views),
            }
            for day, s in list(report.trend)[-14:][::-1]
        ],
    }


def render_impact(
    report: ImpactReport,
    *,
    request_page: str,
    partner: str = "",
    chart: str | None = None,
) -> str:
    """Wikitext of ``R/Requests/NAME/Impact``; ``chart`` is the chart file's title, if uploaded."""
    assert report.name is not None, "use render_hub_impact for the hub-wide report"
    return _render(
        "impact.wikitext.j2",
        name=escape_value(report.name),
        request_page=request_page,
        partner=escape_value(partner),
        refreshed=_when(report.refreshed),
        chart=chart or "",
        category=Hub.tracking_category(report.name),
        figures=_figures_context(report.figures),
        unavailable=[(s, escape_value(r)) for s, r in report.unavailable],
        top=_top_context(report.top_files),
        trend=_trend_context(report),
        files=len(report.files),
    )


def render_hub_impact(
    report: ImpactReport,
    *,
    impact_page: Callable[[str], str],
    chart: str | None = None,
) -> str:
    """Wikitext of ``R/Impact``; ``impact_page(name)`` gives a request's Impact page title."""
    return _render(
        "hub_impact.wikitext.j2",
        refreshed=_when(report.refreshed),
        chart=chart or "",
        figures=_figures_context(report.figures),
        unavailable=[(s, escape_value(r)) for s, r in report.unavailable],
        top=_top_context(report.top_files),
        trend=_trend_context(report),
        rows=[
            {
                "link": f"[[{impact_page(r.name)}|{escape_value(r.name)}]]",
                "files": _number(r.files),
                "used": _number(r.used),
                "pages": _number(r.pages),
                "wikis": _number(r.wikis),
                "views": _number(r.views),
            }
            for r in report.rows
        ],
    )


# --- the chart --------------------------------------------------------------------------

#: A 3x5 pixel font for the axis labels: digits, the date dash and a space.
_GLYPHS: dict[str, tuple[str, ...]] = {
    "0": ("111", "101", "101", "101", "111"),
    "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"),
    "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"),
    "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"),
    "7": ("111", "001", "010", "010", "010"),
    "8": ("111", "101", "111", "101", "111"),
    "9": ("111", "101", "111", "001", "111"),
    "-": ("000", "000", "111", "000", "000"),
    " ": ("000", "000", "000", "000", "000"),
}

_WHITE = (255, 255, 255)
_AXIS = (84, 89, 93)
_GRID = (234, 236, 240)
_LINE = (51, 102, 204)
_TEXT = (32, 33, 34)


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.pixels = bytearray(bytes(_WHITE) * (width * height))

    def dot(self, x: int, y: int, colour: tuple[int, int, int]) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            offset = 3 * (y * self.width + x)
            self.pixels[offset : offset + 3] = bytes(colour)

    def box(self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        for y in range(min(y0, y1), max(y0, y1) + 1):
            for x in range(min(x0, x1), max(x0, x1) + 1):
                self.dot(x, y, colour)

    def line(
        self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int], width: int = 1
    ) -> None:
        """Bresenham's line, thickened by drawing small squares."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        half = width // 2
        while True:
            self.box(x0 - half, y0 - half, x0 + width - 1 - half, y0 + width - 1 - half, colour)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def text(self, x: int, y: int, text: str, scale: int = 2) -> None:
        for i, char in enumerate(text):
            glyph = _GLYPHS.get(char, _GLYPHS[" "])
            for row, bits in enumerate(glyph):
                for col, bit in enumerate(bits):
                    if bit == "1":
                        left = x + i * 4 * scale + col * scale
                        top = y + row * scale
                        self.box(left, top, left + scale - 1, top + scale - 1, _TEXT)

    def png(self, title: str = "") -> bytes:
        """The picture as a PNG; ``title`` goes in an iTXt ``Title`` chunk (UTF-8)."""
        raw = bytearray()
        stride = 3 * self.width
        for y in range(self.height):
            raw.append(0)
            raw.extend(self.pixels[y * stride : (y + 1) * stride])

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        # keyword, no compression, no language tag, no translated keyword, the text
        caption = chunk(b"iTXt", b"Title\0\0\0\0\0" + title.encode("utf-8")) if title else b""
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + caption
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b"")
        )


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... that is at least ``value``."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def make_chart(
    points: Sequence[tuple[date, int]], width: int = 640, height: int = 320, *, title: str = ""
) -> bytes:
    """A PNG line chart of a count per day (files in use), with axes and labelled ends.

    Days are placed by date, so a gap in the snapshots shows as a longer
    segment. The y axis starts at zero and ends at a round number. The
    picture holds no words, so it serves every language; ``title`` (what the
    chart counts, see :func:`chart_caption`) goes in the PNG's metadata,
    which the wiki shows on the file page. It also keeps two charts that look
    alike today (the hub's and its only request's, two requests with the same
    counts) from being one file's bytes, which the wiki would refuse as a
    duplicate.
    """
    canvas = _Canvas(width, height)
    left, right, top, bottom = 70, width - 20, 20, height - 40
    ordered = sorted(points)
    peak = _nice_ceiling(max((v for _, v in ordered), default=0))
    for i in range(1, 5):  # grid lines at quarters
        y = bottom - (bottom - top) * i // 4
        canvas.line(left + 1, y, right, y, _GRID)
    canvas.line(left, top, left, bottom, _AXIS, 2)
    canvas.line(left, bottom, right, bottom, _AXIS, 2)
    canvas.text(left - 12 - 8 * len(str(peak)), top - 4, str(peak))
    canvas.text(left - 20, bottom - 4, "0")
    if not ordered:
        return canvas.png(title)
    first, last = ordered[0][0], ordered[-1][0]
    span = max(1, (last - first).days)

    def position(day: date, value: int) -> tuple[int, int]:
        x = left + 4 + (right - left - 8) * (day - first).days // span
        if first == last:
            x = (left + right) // 2
        y = bottom - (bottom - top) * value // peak
        return x, y

    placed = [position(d, v) for d, v in ordered]
    for (x0, y0), (x1, y1) in zip(placed, placed[1:], strict=False):
        canvas.line(x0, y0, x1, y1, _LINE, 3)
    for x, y in placed:
        canvas.box(x - 3, y - 3, x + 3, y + 3, _LINE)
    canvas.text(left, bottom + 14, first.isoformat())
    if last != first:
        label = last.isoformat()
        canvas.text(right - len(label) * 8, bottom + 14, label)
    return canvas.png(title)
