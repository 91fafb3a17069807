"""The undo's preview, and the mass deletion request it writes for the uploads (SPEC 13)."""

from __future__ import annotations

from bots.pipeline.escape import escape_value
from bots.pipeline.undo import UndoPlan
from bots.templates import render_report

#: How many files the preview names before "and N more" (the deletion request names all).
FILE_LIMIT = 200


def render_undo_preview(
    *, id: str, request: str, plan: UndoPlan, delete: bool, undo_page: str
) -> str:
    return render_report(
        "undo_preview.wikitext.j2",
        id=id,
        request=escape_value(request),
        reverts=plan.reverts,
        files=plan.files,
        left=[{"title": left.title, "why": escape_value(left.why)} for left in plan.left],
        delete=delete,
        undo_page=f"[[{undo_page}]]",
        file_limit=FILE_LIMIT,
    )


def render_deletion_request(
    *,
    request: str,
    request_page: str,
    approver: str,
    id: str,
    files: list[str],
    deleted: list[str],
) -> str:
    """One mass deletion request for a request's uploads, as Commons writes them."""
    return render_report(
        "undo_request.wikitext.j2",
        request=escape_value(request),
        request_page=request_page,
        approver=escape_value(approver),
        id=id,
        files=files,
        deleted=deleted,
    )
