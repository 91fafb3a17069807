"""The undo's preview, and the mass deletion request it writes for the uploads (SPEC 13)."""

from __future__ import annotations

from bots.i18n import ENGLISH, PageLanguage, Wikitext
from bots.pipeline.escape import escape_value
from bots.pipeline.undo import UndoPlan
from bots.templates import render_report

#: How many files the preview names before "and N more" (the deletion request names all).
FILE_LIMIT = 200


def render_undo_preview(
    *,
    id: str,
    request: str,
    plan: UndoPlan,
    delete: bool,
    undo_page: str,
    lang: PageLanguage = ENGLISH,
) -> str:
    """The undo's own preview in ``lang``: what it reverts, deletes or lists, and leaves."""
    return render_report(
        "undo_preview.wikitext.j2",
        lang,
        id=id,
        request=escape_value(request),
        reverts=plan.reverts,
        files=plan.files,
        items=[
            {
                "item": lang.value(Wikitext(f"[[{r.title}|{r.item}]]")),
                "count": len(r.claims),
                "props": r.properties,
            }
            for r in plan.items
        ],
        statements=plan.statements,
        data=[
            {
                "title": lang.value(Wikitext(f"[[:{r.title}]]")),
                "statements": len(r.claims),
                "props": r.properties,
                "captions": r.captions,
            }
            for r in plan.data
        ],
        data_statements=sum(len(r.claims) for r in plan.data),
        data_captions=sum(len(r.captions) for r in plan.data),
        left=[{"title": left.title, "why": lang.text(left.why)} for left in plan.left],
        delete=delete,
        undo_page=Wikitext(f"[[{undo_page}]]"),
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
    lang: PageLanguage = ENGLISH,
) -> str:
    """One mass deletion request for a request's uploads, as Commons writes them, in the
    wiki's language (``lang``): the deleting administrators read it, not the partner."""
    return render_report(
        "undo_request.wikitext.j2",
        lang,
        request_link=Wikitext(f"[[{request_page}|{escape_value(request)}]]"),
        approver=escape_value(approver),
        id=id,
        files=files,
        deleted=deleted,
    )
