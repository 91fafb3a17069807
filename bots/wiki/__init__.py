"""The one package that talks to MediaWiki (and Wikibase), through pywikibot.

Everything else receives a :class:`Wiki` object, handed in, never imported as
a global, so the same code runs against the dev wiki, a test wiki, Commons, or
a proxy that raises faults on cue. Writes return small frozen outcomes
(``Saved``, ``NoChange``, ``EditConflict``, ``ReadOnly``...) instead of raising;
errors nobody planned for are raised as :class:`WikiError` with the API code.

One :class:`Wiki` is one logged-in connection; what it can do lives by topic in
the modules of this package: ``client`` (login, API calls, titles), ``queries``
(every read), ``writes`` (pacing, retries, saving pages), ``upload`` (files,
chunks, the stash), with the decisions on upload warnings and errors in
``upload_policy`` and the outcomes in ``outcomes``.
"""

from __future__ import annotations

from bots.wiki.client import ApiCall, Client, user_agent
from bots.wiki.errors import (
    AccountRefused,
    AmbiguousWrite,
    LoginError,
    WikiBusy,
    WikiError,
    WikiUnavailable,
)
from bots.wiki.items import ItemSearch, WikibaseSite
from bots.wiki.outcomes import (
    Blocked,
    Duplicate,
    EditConflict,
    EntityConflict,
    EntityEdited,
    EntityOutcome,
    EntityRefused,
    NoChange,
    PageExists,
    PageMissing,
    Protected,
    ReadOnly,
    Refused,
    Saved,
    SaveOutcome,
    TitleTaken,
    Uploaded,
    UploadOutcome,
    UploadRefused,
)
from bots.wiki.queries import chunks, newest_revisions
from bots.wiki.records import FileInfo, PageInfo, Revision, SearchHit, UserInfo
from bots.wiki.upload import Chunking, Uploads
from bots.wiki.wikibase import WikibaseQueries


class Wiki(Uploads, ItemSearch):
    """A logged-in connection to one wiki: reads, writes, uploads and Wikibase entities."""


__all__ = [
    "AccountRefused",
    "AmbiguousWrite",
    "ApiCall",
    "Blocked",
    "Chunking",
    "Client",
    "Duplicate",
    "EditConflict",
    "EntityConflict",
    "EntityEdited",
    "EntityOutcome",
    "EntityRefused",
    "FileInfo",
    "LoginError",
    "NoChange",
    "PageExists",
    "PageInfo",
    "PageMissing",
    "Protected",
    "ReadOnly",
    "Refused",
    "Revision",
    "SaveOutcome",
    "Saved",
    "SearchHit",
    "TitleTaken",
    "UploadOutcome",
    "UploadRefused",
    "Uploaded",
    "UserInfo",
    "Wiki",
    "WikibaseQueries",
    "WikibaseSite",
    "WikiBusy",
    "WikiError",
    "WikiUnavailable",
    "chunks",
    "newest_revisions",
    "user_agent",
]
