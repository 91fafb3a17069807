"""The impact pages of a request and of the hub, and the chart files' pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import quote

from bots.followup.impact import PAGES_PER_FILE, Figure, FileUse, ImpactReport, when_shown
from bots.hub import Hub
from bots.pipeline.escape import escape_value
from bots.pipeline.titles import TitleError, legal_title
from bots.templates import render_report
from bots.wiki.records import Use


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
    if report.name is None:
        raise ValueError("the hub-wide report is rendered by render_hub_impact")
    return render_report(
        "impact.wikitext.j2",
        name=escape_value(report.name),
        request_page=request_page,
        partner=escape_value(partner),
        refreshed=when_shown(report.refreshed),
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
    return render_report(
        "hub_impact.wikitext.j2",
        refreshed=when_shown(report.refreshed),
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
