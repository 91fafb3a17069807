"""Metadata pasted on a wiki page (``R/Requests/NAME/Data``) for small batches.

Partners paste CSV, TSV or JSON, often inside ``<pre>`` so the wiki shows it
as typed (``<syntaxhighlight>`` and ``<source>`` are accepted too). When such
a block is present its content is the data; otherwise the whole page text is.
"""

from __future__ import annotations

import re

_BLOCK = re.compile(
    r"<(pre|syntaxhighlight|source)(?:\s[^>]*)?>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL
)


def data_from_page(text: str) -> tuple[str, int]:
    """The data on a page, and how many data blocks the page has."""
    blocks = _BLOCK.findall(text)
    if not blocks:
        return _trim_lines(text), 0
    return _trim_lines(blocks[0][1]), len(blocks)


def _trim_lines(text: str) -> str:
    """Drop blank lines before and after the data, keeping spaces and tabs inside it."""
    lines = text.splitlines(keepends=True)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "".join(lines)
