"""The status page's section on the last ``hubbot sync`` (SPEC 9, 11)."""

from __future__ import annotations

from bots.i18n import ENGLISH, PageLanguage, Wikitext, capped
from bots.model import SyncReport
from bots.pipeline.escape import escape_value

#: How many new record ids the section names before saying "and N more".
SHOWN_NEW_RECORDS = 50
#: How many community additions to structured data the section lists.
SHOWN_COMMUNITY = 200


def _shown(value: str | None, lang: PageLanguage) -> str:
    if value is None:
        return "''" + lang("hubbot-sync-no-field") + "''"
    if not value:
        return "''" + lang("hubbot-sync-empty") + "''"
    return f"<code>{escape_value(value)}</code>"


def _link(title: str, lang: PageLanguage) -> str:
    return lang.value(Wikitext(f"[[:{title}]]"))


def render_sync_section(report: SyncReport, lang: PageLanguage = ENGLISH) -> str:
    """What sync changed, kept and could not do; everything quoted is escaped."""
    lines = [f"== {lang('hubbot-sync-heading')} ==", ""]
    if report.updated:
        lines.append(
            lang("hubbot-sync-summary-when", report.saved, report.unchanged, report.updated)
        )
    else:
        lines.append(lang("hubbot-sync-summary", report.saved, report.unchanged))
    if report.structured_saved:
        lines.append(lang("hubbot-sync-structured-saved", report.structured_saved))
    if report.conflicts:
        lines += [
            "",
            f"=== {lang('hubbot-sync-conflicts-heading')} ===",
            lang("hubbot-sync-conflicts-intro"),
            '{| class="wikitable"',
            "! "
            + " !! ".join(
                lang(f"hubbot-sync-column-{c}")
                for c in ("file", "record", "field", "bot", "partner", "wiki")
            ),
        ]
        for c in report.conflicts:
            lines += [
                "|-",
                f"| {_link(c.title, lang)} || {lang.value(c.record_id)} || {lang.value(c.param)} || "
                f"{_shown(c.base, lang)} || {_shown(c.ours, lang)} || {_shown(c.theirs, lang)}",
            ]
        lines.append("|}")
    if report.new_records:
        new = report.new_records
        lines += [
            "",
            f"=== {lang('hubbot-sync-new-heading')} ===",
            lang("hubbot-sync-new", len(new), capped(list(new), SHOWN_NEW_RECORDS)),
        ]
    if report.vanished:
        lines += [
            "",
            f"=== {lang('hubbot-sync-vanished-heading')} ===",
            lang("hubbot-sync-vanished"),
        ]
        lines += [f"* {lang.value(i)}: {_link(t, lang)}" for i, t in report.vanished]
    if report.community_data:
        lines += [
            "",
            f"=== {lang('hubbot-sync-community-data-heading')} ===",
            lang("hubbot-sync-community-data-intro"),
        ]
        lines += [
            "* "
            + lang(
                "hubbot-sync-community-data-line",
                Wikitext(f"[[:{n.title}]]"),
                n.record_id,
                n.message,
            )
            for n in report.community_data[:SHOWN_COMMUNITY]
        ]
        if len(report.community_data) > SHOWN_COMMUNITY:
            more = len(report.community_data) - SHOWN_COMMUNITY
            lines.append(f"* {lang('hubbot-report-more', more)}")
    if report.left_alone:
        lines += ["", f"=== {lang('hubbot-sync-left-alone-heading')} ==="]
        lines += [
            "* "
            + lang("hubbot-sync-left-alone", Wikitext(f"[[:{n.title}]]"), n.record_id, n.message)
            for n in report.left_alone
        ]
    return "\n".join(lines) + "\n"
