"""No English left in what the bot writes to a wiki page (SPEC 14).

Two checks, each easy to extend when a module or a page is added:

- Every report, rendered in MediaWiki's ``qqx`` pseudo-language (each message
  shown as its key), holds no English words outside the values handed in and
  the markup: the words all come from the message files.
- The modules whose text reaches pages hold no English sentence in a string
  literal, except in docstrings and in what only logs, the command line or
  programmers read (log lines, progress lines, edit summaries, exceptions of
  the program's own). A sentence a partner reads must be a message.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bots import REPO_DIR
from bots.followup.impact import Reach, Usage, build_hub_impact, build_impact
from bots.i18n import Message, PageLanguage, msg
from bots.model import PlannedFile, Problem, SyncConflict, SyncNote, SyncReport, UndoReport
from bots.pipeline.undo import Left, Revert, UndoPlan
from bots.pipeline.undo_files import FileRemoval
from bots.pipeline.undo_items import ItemRemoval
from bots.reports.dashboard import DashboardRow, render_dashboard
from bots.reports.edit_preview import ShownChange, render_edit_preview
from bots.reports.impact import render_hub_impact, render_impact
from bots.reports.items import (
    ItemLine,
    ItemsPreview,
    ItemsStatus,
    ShownItem,
    ShownStatement,
    render_items_preview,
    render_items_status,
)
from bots.reports.preview import TableSummary, render_preview
from bots.reports.status import RecordLine, StatusReport, render_status
from bots.reports.structured import StructuredShown
from bots.reports.undo import render_deletion_request, render_undo_preview
from bots.statements import EntityDraft
from bots.store import ItemState
from bots.wiki.records import Use

KEYS = PageLanguage("qqx")
#: A value handed in: data, never a word of the bot's.
V = "Zq"

#: Words of markup and of the machine-readable lines, not prose.
MARKUP_WORDS = {
    "Batch",
    "status",
    "preview",
    "state",
    "reason",
    "limit",
    "total",
    "uploaded",
    "duplicates",
    "failed",
    "pending",
    "updated",
    "language",
    "request",
    "files",
    "problems",
    "NOTOC",
    "div",
    "lang",
    "dir",
    "ltr",
    "rtl",
    "class",
    "mw",
    "content",
    "wikitable",
    "sortable",
    "collapsible",
    "collapsed",
    "style",
    "border",
    "solid",
    "ccc",
    "padding",
    "small",
    "code",
    "pre",
    "gallery",
    "mode",
    "packed",
    "heights",
    "text",
    "align",
    "right",
    "thumb",
    "File",
    "Category",
    "hub",
    "stopped",
    "bdi",
    "span",
    "uploading",
    "png",
    "jpg",
    "qqx",
    "awaiting",
    "approval",
    "done",
    "invalid",
    "paused",
    "Information",
    "cc",
    "zero",
    "Partnership",
    "upload",
    "px",
    "id",
    "license",
    "edited",
    "unchanged",
}


def _words_outside(text: str) -> set[str]:
    text = re.sub(r"\(hubbot-[a-z0-9-]+(?::|\))", " ", text)  # the message keys themselves
    text = re.sub(r"<[^>]*>", " ", text)  # tags and their attributes
    text = re.sub(r"\[\[[^|\]]*", " ", text)  # link targets (page titles)
    text = re.sub(r"https?://\S+|[a-z]+\.wikipedia\.org", " ", text)  # addresses: data
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", " ", text)  # times, as ISO
    text = text.replace(V, " ")
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in MARKUP_WORDS}


def _sync() -> SyncReport:
    return SyncReport(
        updated="2026-11-20T10:00:00Z",
        saved=2,
        unchanged=3,
        conflicts=(SyncConflict(f"File:{V}.jpg", V, V, None, "", V),),
        new_records=(V,),
        vanished=((V, f"File:{V}.jpg"),),
        left_alone=(SyncNote(f"File:{V}.jpg", V, msg("hubbot-sync-page-gone")),),
        structured_saved=2,
        community_data=(
            SyncNote(f"File:{V}.jpg", V, msg("hubbot-sync-structured-statements-added", V)),
            SyncNote(f"File:{V}.jpg", V, msg("hubbot-sync-structured-caption-removed", V)),
            SyncNote(
                f"File:{V}.jpg",
                V,
                msg("hubbot-sync-structured-not-saved", msg("hubbot-sync-structured-conflict")),
            ),
        ),
    )


def _status() -> str:
    report = StatusReport(
        state="paused",
        reason="limit",
        limit=5,
        total=9,
        failed=200,
        duplicates=200,
        message=msg("hubbot-status-limit-reached", 5),
        problems=[Problem("license", msg("hubbot-request-license-not-allowed", V, V))],
        notes=[Problem(msg("hubbot-where-record", V), msg("hubbot-media-empty")).as_note()],
        failed_records=[RecordLine(V, f"File:{V}.jpg", msg("hubbot-media-empty"))],
        duplicate_records=[RecordLine(V, existing_file=f"File:{V}.jpg")],
        recent=[RecordLine(V, f"File:{V}.jpg")],
        sync=_sync(),
        undo=UndoReport(
            V,
            (f"File:{V}.jpg",),
            (f"File:{V}2.jpg",),
            (),
            ((V, msg("hubbot-undo-page-gone")), (V, msg("hubbot-undo-item-statement-changed", V))),
            items=("Q1",),
            statements=2,
            data_files=(f"File:{V}.jpg",),
            data_statements=2,
            data_captions=1,
        ),
        edited=2,
        unchanged=1,
        kept=[RecordLine(V, f"File:{V}.jpg", msg("hubbot-edit-kept", V))],
    )
    return render_status(report, f"R/Requests/{V}", KEYS)


def _preview() -> str:
    planned = PlannedFile(V, V, "jpg", "https://e.org/1.jpg", "{{Information}}")
    return render_preview(
        id="0123456789",
        request=V,
        records=3,
        files=2,
        license=msg("hubbot-preview-license-column", V),
        template="Information",
        tables=[TableSummary(V, f"R/Requests/{V}/Mappings/{V}", 3, 1)],
        problems=[Problem(msg("hubbot-where-row", 2), msg("hubbot-problem-id-empty", V))] * 3,
        shown=[planned],
        problem_limit=2,
        lang=KEYS,
    )


def _impact() -> tuple[str, str]:
    now = datetime(2026, 11, 20, 10, tzinfo=UTC)
    usage = Usage({f"File:{V}.jpg": [Use("en.wikipedia.org", V, f"https://e.org/{V}")]})
    views = Reach(date(2026, 10, 21), date(2026, 11, 19), counts={V: 4}, no_data=1, asked=2)
    report = build_impact(
        V,
        [f"File:{V}.jpg", f"File:{V}2.jpg"],
        usage,
        pageviews=views,
        today=now.date(),
        refreshed=now,
    )
    hub = build_hub_impact([report], today=now.date(), refreshed=now)
    request_page = render_impact(
        report, request_page=f"R/Requests/{V}", partner=V, chart=f"File:{V}.png", lang=KEYS
    )
    hub_page = render_hub_impact(hub, impact_page=lambda n: f"R/{n}", chart=None, lang=KEYS)
    return request_page, hub_page


def _dashboard() -> str:
    rows = [DashboardRow(V, f"R/Requests/{V}", V, "done", 1, 2, "2026-11-20T10:00:00Z")]
    return render_dashboard(rows, stopped=msg("hubbot-stop-missing"), updated=V, lang=KEYS)


def _edit_preview() -> str:
    problems = [Problem(msg("hubbot-where-record", V), msg("hubbot-edit-sha1-none", V))] * 2
    return render_edit_preview(
        id="0123456789",
        request=V,
        records=3,
        changes=2,
        unchanged=1,
        template="Information",
        tables=[TableSummary(V, f"R/Requests/{V}/Mappings/{V}", 3, 1)],
        problems=problems,
        shown=[
            ShownChange(
                f"File:{V}.jpg",
                (("-", V), ("+", V), ("@", ""), (" ", V)),
                EntityDraft(labels={V: V}),
                {V: V},
            )
        ],
        structured=StructuredShown(msg("hubbot-edit-sdc-on")),
        problem_limit=1,
        lang=KEYS,
    )


def _undo_plan() -> UndoPlan:
    return UndoPlan(
        reverts=(Revert(f"File:{V}.jpg", 2, 1, V),),
        files=(f"File:{V}2.jpg",),
        left=(Left(f"File:{V}3.jpg", msg("hubbot-undo-edited-after", V)),),
        items=(ItemRemoval("Q1", ("Q1$x", "Q1$y"), ("P170", "P31"), 5),),
        data=(FileRemoval("M1", f"File:{V}.jpg", ("M1$x",), ("P136",), (V,), 5),),
    )


def _items_preview() -> str:
    drafts = [
        ShownItem(
            V,
            action,
            link="[[Special:EntityPage/Q1|Q1]]",
            label=V if action != "refused" else "",
            description=V,
            statements=[ShownStatement(f"{V} (P1)", V, f"{V}: {V}")],
            reference=msg("hubbot-items-page-retrieved", V, V),
            problems=[msg("hubbot-items-draft-no-label"), msg("hubbot-items-draft-repeated", V)],
        )
        for action in ("create", "match", "ambiguous", "refused", "none")
    ]
    section = ItemsPreview(
        create=2,
        match=3,
        ambiguous=1,
        refused=1,
        created_already=1,
        matched=[(V, "[[Special:EntityPage/Q1|Q1]]")],
        shown=drafts,
        notes=[msg("hubbot-items-page-no-image", "P18")],
        problems=[Problem(msg("hubbot-where-record", V), msg("hubbot-items-item-plan-refused", V))]
        * 3,
    )
    alone = ItemsPreview(alone=2, creates=False)
    return render_items_preview(section, problem_limit=2, lang=KEYS) + render_items_preview(
        alone, lang=KEYS
    )


def _items_status() -> str:
    lines = [
        ItemLine(V, "[[Special:EntityPage/Q1|Q1]]", state.value, msg("hubbot-items-write-gone", V))
        for state in ItemState
    ]
    section = ItemsStatus(
        created=4,
        matched=1,
        failed=1,
        in_flight=1,
        lines=lines,
        notes=[msg("hubbot-items-write-lease")],
    )
    return render_items_status(section, KEYS)


PAGES = {
    "items preview": _items_preview,
    "items status": _items_status,
    "edit preview": _edit_preview,
    "undo preview": lambda: render_undo_preview(
        id="0123456789", request=V, plan=_undo_plan(), delete=False, undo_page=V, lang=KEYS
    ),
    "deletion request": lambda: render_deletion_request(
        request=V, request_page=V, approver=V, id=V, files=[V], deleted=[V], lang=KEYS
    ),
    "status": _status,
    "preview": _preview,
    "dashboard": _dashboard,
    "impact": lambda: _impact()[0],
    "hub impact": lambda: _impact()[1],
}


@pytest.mark.parametrize("page", PAGES)
def test_every_word_on_a_report_is_a_message(page: str) -> None:
    text = PAGES[page]()
    assert "(hubbot-" in text
    assert _words_outside(text) == set(), text


def test_the_check_finds_english_when_there_is_some() -> None:
    assert _words_outside("(hubbot-x) Files to upload") == {"Files", "to", "upload"} - MARKUP_WORDS


# --- string literals in the modules whose words reach pages -------------------------

#: Modules whose text reaches wiki pages; a module converted to messages goes here.
CHECKED = [
    "bots/reports",
    "bots/jobs/run.py",
    "bots/jobs/uploads.py",
    "bots/jobs/preview.py",
    "bots/jobs/pages.py",
    "bots/jobs/upload_file.py",
    "bots/jobs/media.py",
    "bots/jobs/preview_media.py",
    "bots/jobs/prefetch.py",
    "bots/jobs/edit_preview.py",
    "bots/jobs/edit_batch.py",
    "bots/jobs/undo.py",
    "bots/jobs/undo_items.py",
    "bots/pipeline/undo_items.py",
    "bots/pipeline/structured_checks.py",
    "bots/pipeline/values.py",
    "bots/pipeline/item_drafts.py",
    "bots/pipeline/item_plan.py",
    "bots/jobs/item_pages.py",
    "bots/pipeline/edits.py",
    "bots/pipeline/undo.py",
    "bots/pipeline/advice.py",
    "bots/pipeline/request.py",
    "bots/pipeline/request_checks.py",
    "bots/pipeline/render.py",
    "bots/pipeline/plan.py",
    "bots/pipeline/licences.py",
    "bots/pipeline/patterns.py",
    "bots/pipeline/mapping.py",
    "bots/pipeline/approval.py",
    "bots/pipeline/balance.py",
    "bots/pipeline/titles.py",
    "bots/followup/merge.py",
    "bots/followup/sync.py",
    "bots/followup/structured_sync.py",
    "bots/jobs/sync_structured.py",
    "bots/jobs/items.py",
    "bots/jobs/structured_edit.py",
    "bots/wiki/upload_policy.py",
    "bots/wiki/upload.py",
    "bots/wiki/wikibase.py",
    "bots/wiki/outcomes.py",
    "bots/sources",
    "bots/net/errors.py",
    "bots/net/mediatypes.py",
    "bots/net/analytics.py",
    "bots/jobs/impact_data.py",
    "bots/followup/impact.py",
    "bots/net/fetch.py",
    "bots/net/watchdog.py",
]

#: Calls whose text only logs, the command line or programmers read.
NOT_FOR_PAGES = {
    "progress",
    "info",
    "debug",
    "warning",
    "error",
    "exception",
    "summary",
    "ValueError",
    "TypeError",
    "KeyError",
    "RuntimeError",
    "AssertionError",
    "WikiError",
    "AccountRefused",
    "NoSuchRequest",
    "FollowupError",
    "wait",
    "bar",
}

#: Literals that read like English but are not prose for a page, each with why.
ALLOWED = {
    # template names on pages, the same in every language
    "{{Partnership upload category}}\n",
    "Mapping table end",
    # the PNG's own metadata: one language, read by the file page's software
    "Files in use per day, as counted for ",
    # edit summaries of sync's edits to file pages (history, not page text)
    "no visible change",
    ": sync with the partner's data for [[|]] ()",
}
SENTENCE = re.compile(r"[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def english_literals(path: Path) -> list[str]:
    """English sentences in string literals that are not docstrings or log text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in NOT_FOR_PAGES:
            skip.update(id(n) for n in ast.walk(node))
    out = []
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.Constant | ast.JoinedStr):
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            skip.update(id(v) for v in node.values)
        elif isinstance(node.value, str):
            text = node.value
        else:
            continue
        if SENTENCE.search(text) and text not in ALLOWED:
            out.append(f"{path.relative_to(REPO_DIR)}:{node.lineno}: {text[:70]!r}")
    return out


def _checked_files() -> list[Path]:
    files: list[Path] = []
    for name in CHECKED:
        path = REPO_DIR / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def test_no_english_sentence_in_modules_that_write_pages() -> None:
    found = [line for path in _checked_files() for line in english_literals(path)]
    assert found == []


def test_the_scan_finds_a_sentence(tmp_path: Path) -> None:
    module = REPO_DIR / "bots" / "_probe_for_test.py"
    try:
        module.write_text('"""Doc string of a module."""\nX = "The file is too big."\n')
        assert english_literals(module) == ["bots/_probe_for_test.py:2: 'The file is too big.'"]
    finally:
        module.unlink()


def test_a_message_renders_without_english_in_qqx() -> None:
    assert KEYS.text(Message("hubbot-status-uploading")) == "(hubbot-status-uploading)"
