"""Advice on a valid request: what its file pages will lack, said on the preview.

A request without ``source_url`` or ``work_title`` is valid, and the bot
uploads it as asked, but the file pages then have no source, or an artwork
has no title field: reviewers and partners should see that before approving,
not after a thousand uploads. Pure: the request in, messages out.
"""

from __future__ import annotations

from bots.i18n.message import Message, msg
from bots.model import TEMPLATE_FIELDS, Request


def file_page_advice(request: Request) -> list[Message]:
    """Sentences about fields the file pages will not have (none when all is there)."""
    advice: list[Message] = []
    if "source" not in request.fields:
        advice.append(msg("hubbot-advice-no-source"))
    fields = TEMPLATE_FIELDS.get(request.template, ())
    if "title" in fields and "title" not in request.fields:
        advice.append(msg("hubbot-advice-no-title", request.template))
    return advice
