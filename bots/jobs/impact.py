"""``hubbot impact``: the impact pages of each request and of the hub (SPEC 9).

Behind the write gate, like every command that writes. Figures come from
:mod:`bots.followup.impact`, pages from :mod:`bots.reports.impact`, the chart
from :mod:`bots.reports.chart`; the chart of each report is one file on the
wiki, uploaded again as a new version each day.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from bots.config import Config
from bots.followup.impact import ImpactReport
from bots.i18n import PageLanguage
from bots.jobs.context import Job
from bots.jobs.impact_data import gather_hub_impact, gather_request_impact, request_files
from bots.jobs.pages import BotPages
from bots.net.analytics import AnalyticsClient
from bots.reports.chart import make_chart
from bots.reports.impact import (
    chart_caption,
    chart_page_text,
    chart_title,
    render_hub_impact,
    render_impact,
)
from bots.store import StateStore
from bots.wiki import Duplicate, Uploaded, Wiki, user_agent

log = logging.getLogger(__name__)


def run_impact(
    config: Config,
    wiki: Wiki,
    store: StateStore,
    only: str | None = None,
    progress: Callable[[str], None] = log.info,
    max_seconds: float | None = None,
) -> list[str]:
    """Write the impact pages behind the write gate; returns the titles written.

    Raises :class:`bots.jobs.session.Stopped` when the stop page says stop.
    """
    job = Job.open(config, wiki, store, max_seconds=max_seconds, progress=progress)
    with job.gate:
        return _impact(job, only)


def _impact(job: Job, only: str | None) -> list[str]:
    config, store, hub, gate = job.config, job.store, job.hub, job.gate
    pages = BotPages(job.wiki, store, hub, job.progress)
    analytics = None
    if config.impact.analytics_url:
        analytics = AnalyticsClient(
            config.impact.analytics_url, user_agent=user_agent(config.wiki.contact)
        )
    written: list[str] = []
    reports: list[ImpactReport] = []
    for name in job.select(only):
        if gate.out_of_budget() is not None:
            job.progress(f"impact stopped early: {gate.out_of_budget()}")
            return written
        if not request_files(store, name):
            continue
        job.progress(f"{name}: gathering impact")
        with gate.lease(name) as held:
            if not held:
                job.progress(
                    f"{name}: another run is working on it; its impact is written next time"
                )
                continue
            report = gather_request_impact(
                job.wiki.call, store, name, analytics=analytics, ignore_prefix=hub.root + "/"
            )
        reports.append(report)
        chart = upload_chart(job.wiki, chart_title(name), report, hub.impact(name))
        text = render_impact(
            report,
            request_page=hub.request(name),
            partner=store.request_facts(name).partner,
            chart=chart,
            lang=job.page_language(name),
        )
        pages.save_if_changed(hub.impact(name), text, "impact report")
        written.append(hub.impact(name))
    if only is None:
        hub_report = gather_hub_impact(store, reports)
        chart = upload_chart(job.wiki, chart_title(None), hub_report, hub.hub_impact)
        text = render_hub_impact(
            hub_report, impact_page=hub.impact, chart=chart, lang=job.page_language()
        )
        pages.save_if_changed(hub.hub_impact, text, "hub impact report")
        written.append(hub.hub_impact)
    return written


def upload_chart(wiki: Wiki, title: str, report: ImpactReport, report_page: str) -> str | None:
    """Upload today's chart as a new version of its one chart file; the file to show.

    Each chart names its report page in its metadata, so charts that look
    alike (the hub's and its only request's) are still different files. When
    the wiki does hold these exact bytes already (today's chart is the
    current one, or someone uploaded a copy), that existing file is shown:
    it is what the wiki has, and Commons deletes exact duplicates.
    """
    points = report.chart_points()
    if not points:
        return None
    data = make_chart(points, title=chart_caption(report_page))
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(data)
        f.flush()
        outcome = wiki.upload(
            title,
            Path(f.name),
            chart_page_text(report_page, lang=PageLanguage(wiki.content_language())),
            f"Impact chart for [[{report_page}]]",
            mime="image/png",
            new_version=True,
        )
    if isinstance(outcome, Uploaded):
        return outcome.title
    if isinstance(outcome, Duplicate):
        return outcome.existing
    log.warning("the chart %s was not uploaded: %s", title, outcome)
    return None
