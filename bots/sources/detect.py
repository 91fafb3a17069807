"""Which format a source is in, judged by its content when the request is silent.

Partners rarely know the words "TSV" or "OAI-PMH", and URLs do not always
end in ``.csv``; the first bytes say enough: JSON starts with ``{`` or ``[``,
an OAI-PMH answer has an ``OAI-PMH`` root element, and anything else that is
text is taken as delimited (CSV or TSV, decided by the delimiter sniffer).
Whether a JSON document is a IIIF manifest is decided after parsing
(:func:`looks_like_iiif`).
"""

from __future__ import annotations

import re
from typing import Any

_OAI_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?OAI-PMH[\s>/]")
_HTML = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_XML_START = re.compile(rb"<(?:\?xml|[A-Za-z_!])")


def head_as_utf8(head: bytes) -> bytes:
    """The first bytes without a byte order mark, UTF-16 turned into UTF-8."""
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore").encode("utf-8")
    return head


def detect_format(head: bytes) -> str:
    """``json``, ``oai-pmh``, ``html``, ``xml`` or ``delimited``, from the first bytes."""
    text = head_as_utf8(head).lstrip()
    if text[:1] in (b"{", b"["):
        return "json"
    if text[:1] == b"<":
        if _OAI_ROOT.search(text):
            return "oai-pmh"
        if _HTML.search(text[:4096]):
            return "html"
        if _XML_START.match(text):
            return "xml"
    return "delimited"


def looks_like_iiif(document: Any) -> bool:
    """A IIIF Presentation 2 or 3 manifest or collection."""
    if not isinstance(document, dict):
        return False
    contexts = document.get("@context")
    if isinstance(contexts, str):
        contexts = [contexts]
    if isinstance(contexts, list):
        for context in contexts:
            if isinstance(context, str) and "iiif.io/api/presentation" in context:
                return True
    kind = document.get("type") or document.get("@type")
    return kind in ("Manifest", "Collection", "sc:Manifest", "sc:Collection")
