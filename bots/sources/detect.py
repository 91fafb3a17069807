"""Which format a source is in, judged by its content when the request is silent.

Partners rarely know the words "TSV" or "OAI-PMH", and URLs do not always
end in ``.csv``; the first bytes say enough: JSON starts with ``{`` or ``[``,
an OAI-PMH answer has an ``OAI-PMH`` root element, and anything else that is
text is taken as delimited (CSV or TSV, decided by the delimiter sniffer).
Whether a JSON document is a IIIF manifest is decided after parsing
(:func:`looks_like_iiif`).

A web page is never data, whatever format the request names: a login page,
an error page served with status 200, or the museum's page *about* a data
set are what partners most often paste by mistake, and read as CSV they
give a header of HTML tags and a "no column" problem for every pattern.
:func:`is_web_page` tells them apart so that one message can say so.
"""

from __future__ import annotations

import html
import re
from typing import Any

_OAI_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?OAI-PMH[\s>/]")
_HTML = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_XML_START = re.compile(rb"<(?:\?xml|[A-Za-z_!])")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_WEB_PAGE_TYPES = ("text/html", "application/xhtml+xml")


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


def is_web_page(head: bytes, served_as: str | None = None) -> bool:
    """Whether the first bytes are a web page: by their content, or by the server's word.

    ``served_as`` is the media type the server declared. A server that calls
    its answer HTML is believed when the answer starts with markup too; a CSV
    file that a careless server labels ``text/html`` does not.
    """
    if detect_format(head) == "html":
        return True
    declared = (served_as or "").split(";", 1)[0].strip().lower()
    text = head_as_utf8(head).lstrip()
    # an XML document (with its declaration) is judged as XML, whatever the label
    return declared in _WEB_PAGE_TYPES and text[:1] == b"<" and not text.startswith(b"<?xml")


def page_title(head: bytes, limit: int = 80) -> str:
    """A web page's ``<title>`` as plain text ("" without one), cut to ``limit`` characters."""
    found = _TITLE.search(head_as_utf8(head))
    if not found:
        return ""
    text = html.unescape(_TAG.sub("", found.group(1).decode("utf-8", "replace")))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
