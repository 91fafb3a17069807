"""What the wiki tells about pages, revisions, users and files."""

from __future__ import annotations

from dataclasses import dataclass

# --- reads -----------------------------------------------------------------


@dataclass(frozen=True)
class PageInfo:
    title: str
    exists: bool
    text: str = ""
    revid: int = 0
    timestamp: str = ""  # of the current revision: the edit's basetimestamp
    starttimestamp: str = ""  # when we read it: the edit's starttimestamp
    user: str = ""  # author of the current revision


@dataclass(frozen=True)
class Revision:
    revid: int
    user: str
    timestamp: str
    text: str
    comment: str = ""


@dataclass(frozen=True)
class UserInfo:
    name: str
    exists: bool
    groups: tuple[str, ...] = ()
    blocked: bool = False


@dataclass(frozen=True)
class FileInfo:
    title: str
    exists: bool
    sha1: str = ""
    url: str = ""
    size: int = 0
    mime: str = ""
    user: str = ""  # who uploaded the current version
