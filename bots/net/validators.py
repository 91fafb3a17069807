"""Conditional requests: asking a partner's server whether a file changed, without fetching it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Validators:
    """What identifies a version of a file on the partner's server (HTTP ETag, Last-Modified).

    Sent back with the next request for the same URL (``If-None-Match``,
    ``If-Modified-Since``), they let the server answer "not modified" without
    sending the file again.
    """

    etag: str = ""
    last_modified: str = ""

    @classmethod
    def of(cls, headers: Any) -> Validators | None:
        found = cls(headers.get("ETag", "").strip(), headers.get("Last-Modified", "").strip())
        return found if found.etag or found.last_modified else None

    def headers(self) -> dict[str, str]:
        sent = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {name: value for name, value in sent.items() if value}


class NotModified(Exception):
    """The server says the file is unchanged since the version the validators name (304)."""


__all__ = ["NotModified", "Validators"]
