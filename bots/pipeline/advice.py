"""Advice on a valid request: what its file pages will lack, said on the preview.

A request without ``source_url`` or ``work_title`` is valid, and the bot
uploads it as asked, but the file pages then have no source, or an artwork
has no title field: reviewers and partners should see that before approving,
not after a thousand uploads. Pure: the request in, sentences out.
"""

from __future__ import annotations

from bots.model import TEMPLATE_FIELDS, Request


def file_page_advice(request: Request) -> list[str]:
    """Sentences about fields the file pages will not have (none when all is there)."""
    advice: list[str] = []
    if "source" not in request.fields:
        advice.append(
            "The file pages will have no source: set source_url to the object's page on "
            "the partner's website, a pattern such as https://example.org/object/{id}, "
            "so that readers can find the original."
        )
    fields = TEMPLATE_FIELDS.get(request.template, ())
    if "title" in fields and "title" not in request.fields:
        advice.append(
            f"The file pages will have no title field: the {request.template} template shows "
            "the work's title from work_title, a pattern such as {title}."
        )
    return advice
