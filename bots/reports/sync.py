"""The status page's section on the last ``hubbot sync`` (SPEC 9, 11)."""

from __future__ import annotations

from bots.model import SyncReport
from bots.pipeline.escape import escape_value

#: How many new record ids the section names before saying "and N more".
SHOWN_NEW_RECORDS = 50
#: How many community additions to structured data the section lists.
SHOWN_COMMUNITY = 200


def _shown(value: str | None) -> str:
    if value is None:
        return "''(no such field)''"
    if not value:
        return "''(empty)''"
    return f"<code>{escape_value(value)}</code>"


def render_sync_section(report: SyncReport) -> str:
    """What sync changed, kept and could not do; everything quoted is escaped."""
    lines = ["== Keeping files in step with the partner's data ==", ""]
    when = f" ({escape_value(report.updated)})" if report.updated else ""
    lines.append(
        f"The last sync{when} updated {report.saved} file page(s); {report.unchanged} needed "
        "no change. Fields that volunteers changed are never overwritten."
    )
    if report.structured_saved:
        lines.append(
            f"It updated the structured data (captions and statements) of "
            f"{report.structured_saved} file(s)."
        )
    if report.conflicts:
        lines += [
            "",
            "=== Fields changed both on the wiki and in the partner's data ===",
            "The wiki keeps the community's version. If the partner's new value is better, "
            "edit the file page by hand.",
            '{| class="wikitable"',
            "! File !! Record !! Field !! Bot wrote !! Partner's data now !! On the wiki now",
        ]
        for c in report.conflicts:
            lines += [
                "|-",
                f"| [[:{c.title}]] || {escape_value(c.record_id)} || {escape_value(c.param)} || "
                f"{_shown(c.base)} || {_shown(c.ours)} || {_shown(c.theirs)}",
            ]
        lines.append("|}")
    if report.new_records:
        new = report.new_records
        shown = ", ".join(escape_value(i) for i in new[:SHOWN_NEW_RECORDS])
        more = f" and {len(new) - SHOWN_NEW_RECORDS} more" if len(new) > SHOWN_NEW_RECORDS else ""
        lines += [
            "",
            "=== New records in the partner's data ===",
            f"{len(new)} record(s) are new: {shown}{more}. They are uploaded only "
            "after a reviewer approves the new preview.",
        ]
    if report.vanished:
        lines += [
            "",
            "=== Records no longer in the partner's data ===",
            "These files stay on the wiki; nothing is deleted. Ask the partner whether the "
            "records were withdrawn on purpose.",
        ]
        lines += [f"* {escape_value(i)}: [[:{t}]]" for i, t in report.vanished]
    if report.community_data:
        lines += [
            "",
            "=== Captions and statements the community added or changed ===",
            "Sync keeps them as they are.",
        ]
        lines += [
            f"* [[:{n.title}]] (record {escape_value(n.record_id)}): {escape_value(n.message)}"
            for n in report.community_data[:SHOWN_COMMUNITY]
        ]
        if len(report.community_data) > SHOWN_COMMUNITY:
            lines.append(f"* …and {len(report.community_data) - SHOWN_COMMUNITY} more.")
    if report.left_alone:
        lines += ["", "=== Pages sync left alone ==="]
        lines += [
            f"* [[:{n.title}]] (record {escape_value(n.record_id)}): {escape_value(n.message)}"
            for n in report.left_alone
        ]
    return "\n".join(lines) + "\n"
