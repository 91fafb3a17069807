"""The impact pages of a request and of the hub, and the chart files' pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import quote

from bots.followup.impact import PAGES_PER_FILE, Figure, FileUse, ImpactReport, when_shown
from bots.hub import Hub
from bots.i18n import ENGLISH, ItemList, PageLanguage, Param, Wikitext, msg
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
    """What a chart counts, in its PNG metadata (English: a file's metadata has one language)."""
    return f"Files in use per day, as counted for {report_page}"


def chart_page_text(
    report_page: str, license_template: str = "cc-zero", lang: PageLanguage = ENGLISH
) -> str:
    """The description page of a chart file, in the wiki's language: what it shows, its licence."""
    link = Wikitext(f"[[{report_page}]]")
    return (
        "=={{int:filedesc}}==\n"
        "{{Information\n"
        f" |description = {lang('hubbot-chart-description', link)}\n"
        f" |source = {lang('hubbot-chart-source')}\n"
        f" |author = {lang('hubbot-chart-author')}\n"
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


def _use_markup(use: Use) -> str:
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


def _number(value: int | None, lang: PageLanguage) -> str:
    return lang("hubbot-impact-unknown") if value is None else lang.value(value)


def _figures_context(figures: Sequence[Figure], lang: PageLanguage) -> list[dict[str, str]]:
    out = []
    for f in figures:
        if not f.measured:
            shown = lang("hubbot-impact-not-measured-value")
        elif f.value is None:
            shown = lang("hubbot-impact-unknown")
        elif f.detail is not None:
            shown = lang("hubbot-impact-value-detail", f.value, f.detail)
        else:
            shown = lang.value(f.value)
        how = lang.text(f.how)
        if f.unavailable:
            how = lang("hubbot-impact-how-unavailable", f.how, f.unavailable)
        out.append({"label": lang(f"hubbot-impact-figure-{f.key}"), "value": shown, "how": how})
    return out


def _top_context(top: Sequence[FileUse], lang: PageLanguage) -> list[dict[str, object]]:
    return [
        {
            "link": _file_link(f.title),
            "pages": lang.value(len(f.uses)),
            "wikis": lang.value(f.wikis),
            "uses": lang.value(capped_links([_use_markup(u) for u in f.uses], PAGES_PER_FILE)),
        }
        for f in top
    ]


def capped_links(links: Sequence[str], limit: int) -> ItemList:
    """Links the bot made, at most ``limit``, then "N more"."""
    shown: list[Param] = [Wikitext(link) for link in links[:limit]]
    if len(links) > limit:
        shown.append(msg("hubbot-list-more", len(links) - limit))
    return ItemList(tuple(shown))


def _trend_context(report: ImpactReport, lang: PageLanguage) -> dict[str, object]:
    points = report.chart_points()
    first = points[0] if points else None
    return {
        "days": len(report.trend),
        "first_day": first[0].isoformat() if first else "",
        "first_used": first[1] if first else 0,
        "recent": [
            {
                "day": day.isoformat(),
                "used": _number(s.used, lang),
                "pages": _number(s.pages, lang),
                "views": _number(s.views, lang),
            }
            for day, s in list(report.trend)[-14:][::-1]
        ],
    }


def _unavailable_context(report: ImpactReport, lang: PageLanguage) -> list[tuple[str, str]]:
    return [(lang(f"hubbot-impact-source-{s}"), lang.value(r)) for s, r in report.unavailable]


def render_impact(
    report: ImpactReport,
    *,
    request_page: str,
    partner: str = "",
    chart: str | None = None,
    lang: PageLanguage = ENGLISH,
) -> str:
    """Wikitext of ``R/Requests/NAME/Impact``; ``chart`` is the chart file's title, if uploaded."""
    if report.name is None:
        raise ValueError("the hub-wide report is rendered by render_hub_impact")
    link = Wikitext(f"[[{request_page}|{escape_value(report.name)}]]")
    intro = (
        lang("hubbot-impact-intro-partner", link, partner, when_shown(report.refreshed))
        if partner
        else lang("hubbot-impact-intro-request", link, when_shown(report.refreshed))
    )
    return render_report(
        "impact.wikitext.j2",
        lang,
        name=report.name,
        intro=intro,
        chart=chart or "",
        category=Hub.tracking_category(report.name),
        figures=_figures_context(report.figures, lang),
        unavailable=_unavailable_context(report, lang),
        top=_top_context(report.top_files, lang),
        trend=_trend_context(report, lang),
        files=len(report.files),
    )


def render_hub_impact(
    report: ImpactReport,
    *,
    impact_page: Callable[[str], str],
    chart: str | None = None,
    lang: PageLanguage = ENGLISH,
) -> str:
    """Wikitext of ``R/Impact``; ``impact_page(name)`` gives a request's Impact page title."""
    return render_report(
        "hub_impact.wikitext.j2",
        lang,
        refreshed=when_shown(report.refreshed),
        chart=chart or "",
        figures=_figures_context(report.figures, lang),
        unavailable=_unavailable_context(report, lang),
        top=_top_context(report.top_files, lang),
        trend=_trend_context(report, lang),
        rows=[
            {
                "link": lang.value(Wikitext(f"[[{impact_page(r.name)}|{escape_value(r.name)}]]")),
                "files": _number(r.files, lang),
                "used": _number(r.used, lang),
                "pages": _number(r.pages, lang),
                "wikis": _number(r.wikis, lang),
                "views": _number(r.views, lang),
            }
            for r in report.rows
        ],
    )
