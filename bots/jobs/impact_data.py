"""Reading what an impact report needs: usage, analytics, the journal's snapshots."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from bots.followup.impact import (
    ANALYTICS_DAYS,
    MAX_ANALYTICS_ITEMS,
    SNAPSHOT_KEY,
    ImpactReport,
    Reach,
    Usage,
    all_uses,
    build_hub_impact,
    build_impact,
)
from bots.hub import Hub
from bots.i18n import Message, Param, msg
from bots.net.analytics import AnalyticsClient, DailyCounts, NoData, Unavailable, last_days
from bots.store import HUB_WIDE, Outcome, StateStore
from bots.wiki.client import ApiCall
from bots.wiki.errors import WikiError
from bots.wiki.records import Use
from bots.wiki.usage import category_files, file_title, file_urls, site_facts, usage_for


def _collect(
    items: Sequence[tuple[str, Callable[[], DailyCounts | NoData | Unavailable]]],
    start: date,
    end: date,
    what: str,
) -> Reach:
    """The figure over ``items``; ``what`` (``pages`` or ``files``) names them on the page."""
    counts: dict[str, int] = {}
    no_data = 0
    failed: list[Message] = []
    for key, ask in items[:MAX_ANALYTICS_ITEMS]:
        result = ask()
        if isinstance(result, DailyCounts):
            counts[key] = result.total
        elif isinstance(result, NoData):
            no_data += 1
        else:
            failed.append(result.reason)
    asked = min(len(items), MAX_ANALYTICS_ITEMS)
    unavailable: Param = ""
    if failed:
        unavailable = msg(f"hubbot-analytics-no-figures-{what}", len(failed), asked, failed[-1])
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


def request_files(store: StateStore, name: str, tracked: Iterable[str] = ()) -> list[str]:
    """The request's files (with ``File:``): uploads in the journal plus the tracking category.

    Duplicates are not counted: those files were uploaded by someone else.
    """
    titles = [file_title(s.title) for s in store.all(name) if s.outcome is Outcome.UPLOADED]
    titles += [file_title(t) for t in tracked]
    return sorted(dict.fromkeys(t for t in titles if t != "File:"))


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
        return Usage(None, unavailable=msg("hubbot-impact-wiki-silent", error.info[:200]))
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
        pageviews = collect_pageviews(analytics, all_uses(usage), start, end)
        try:
            urls = file_urls(call, files)
        except WikiError as error:
            unknown = msg("hubbot-impact-no-file-urls", error.info[:200])
            mediarequests = Reach(start, end, unavailable=unknown)
        else:
            mediarequests = collect_mediarequests(analytics, urls, start, end)
        if usage.uses is None:
            pageviews = Reach(start, end, unavailable=msg("hubbot-impact-pages-unknown"))
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
