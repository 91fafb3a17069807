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


@dataclass(frozen=True)
class Use:
    """One page that shows a file."""

    wiki: str  # the wiki's domain, e.g. en.wikipedia.org
    title: str  # with namespace prefix, spaces not underscores
    url: str = ""  # full URL when the wiki gave one
    local: bool = False  # on the wiki the files are on

    @property
    def key(self) -> str:
        return f"{self.wiki}|{self.title}"


@dataclass(frozen=True)
class SiteFacts:
    servername: str
    extensions: frozenset[str]


@dataclass(frozen=True)
class FilePage:
    """What one query tells about a file page."""

    title: str
    exists: bool
    url: str = ""
    sha1: str = ""
    categories: tuple[str, ...] = ()
    text: str = ""
    user: str = ""  # author of the current revision
    #: the current revision is the page's first (nobody edited it after the upload)
    first_revision: bool = False


@dataclass(frozen=True)
class SearchHit:
    """One candidate of ``wbsearchentities``: id, label and description in the language asked."""

    id: str
    label: str
    description: str = ""
    #: what matched: a label or an alias
    matched: str = ""
    #: the label or alias that matched, as written
    matched_text: str = ""
