"""The state store's tables, the same on SQLite and MariaDB."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeDecorator

#: Longest request name, record id, lease holder or snapshot key, in characters.
MAX_NAME_CHARS = 255
#: Longest file title (without ``File:``), in UTF-8 bytes, as MediaWiki allows.
MAX_TITLE_BYTES = 255
#: Reasons are for people; longer ones are cut so every database can hold them.
MAX_REASON_CHARS = 2000
#: The request name under which hub-wide snapshots are kept.
HUB_WIDE = ""

#: MariaDB collation: compares code points, so ids differing in case, accents,
#: normal form or trailing spaces are different ids (as they are on SQLite).
MARIADB_COLLATION = "utf8mb4_nopad_bin"
TOOLSDB_HOST = "tools.db.svc.wikimedia.cloud"


class _UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC with microseconds in the database.

    Stored without a zone so SQLite and MariaDB compare them the same way; the
    MariaDB column keeps microseconds so "newest first" stays exact.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"time {value} has no time zone; the state store keeps UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _name() -> String:
    return String(MAX_NAME_CHARS)


_LONG_TEXT = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": MARIADB_COLLATION,
    # two utf8mb4 VARCHAR(255) in one key need the DYNAMIC row format
    "mysql_row_format": "DYNAMIC",
}

metadata = MetaData()

records = Table(
    "records",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("record_id", _name(), primary_key=True),
    Column("title", String(MAX_TITLE_BYTES), nullable=False),
    Column("sha1", String(40), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("existing_file", String(MAX_TITLE_BYTES), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("updated", _UTCDateTime, nullable=False),
    Index("records_by_outcome", "request", "outcome", "updated"),
    **_TABLE_OPTIONS,
)

requests = Table(
    "requests",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("facts", _LONG_TEXT, nullable=False),  # a JSON object
    Column("updated", _UTCDateTime, nullable=False),
    **_TABLE_OPTIONS,
)

leases = Table(
    "leases",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("holder", _name(), nullable=False),
    Column("expires", _UTCDateTime, nullable=False),
    **_TABLE_OPTIONS,
)

#: Chunked uploads in progress: where each one stands in the wiki's upload
#: stash, so a run that died mid-file resumes from the wiki's offset.
stashes = Table(
    "stashes",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("record_id", _name(), primary_key=True),
    Column("filekey", String(MAX_NAME_CHARS), nullable=False),
    Column("held", BigInteger, nullable=False),  # bytes the wiki confirmed (the offset)
    Column("size", BigInteger, nullable=False),
    Column("sha1", String(40), nullable=False),
    Column("started", _UTCDateTime, nullable=False),
    Column("complete", Integer, nullable=False),
    **_TABLE_OPTIONS,
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("name", _name(), primary_key=True),
    Column("value", _LONG_TEXT, nullable=False),  # JSON
    **_TABLE_OPTIONS,
)

#: The bot's own pages (status pages, the dashboard) as the bot last saved them:
#: a page whose text changes is saved over that revision without reading it
#: first (an edit by someone else since is an edit conflict, then read).
bot_pages = Table(
    "bot_pages",
    metadata,
    Column("title_key", String(40), primary_key=True),  # SHA-1 of the title: any length
    Column("revid", BigInteger, nullable=False),
    Column("timestamp", String(32), nullable=False),
    Column("text_sha1", String(40), nullable=False),
    **_TABLE_OPTIONS,
)

#: Batch edits (SPEC 13): the revision of each target page when a preview was
#: made, the base of the three-way merge the approved edit makes.
edit_bases = Table(
    "edit_bases",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("record_id", _name(), primary_key=True),
    Column("preview", String(64), primary_key=True),
    Column("title", String(MAX_TITLE_BYTES), nullable=False),
    Column("revid", BigInteger, nullable=False),
    **_TABLE_OPTIONS,
)

#: Every page edit the bot made for a request (batch edits), for the report and for undo.
page_edits = Table(
    "page_edits",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("title", String(MAX_TITLE_BYTES), primary_key=True),
    Column("revid", BigInteger, primary_key=True),  # the bot's revision
    Column("parent", BigInteger, nullable=False),  # the revision it edited
    Column("record_id", _name(), nullable=False),
    Column("when", _UTCDateTime, nullable=False),
    **_TABLE_OPTIONS,
)

#: Structured data of uploaded files (SPEC 11): what the bot wants each file's
#: MediaInfo entity to hold (``draft``, JSON as wbeditentity takes it), whether
#: it is there yet, and afterwards what the bot wrote (the base of a sync).
structured = Table(
    "structured",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("record_id", _name(), primary_key=True),
    Column("title", String(MAX_TITLE_BYTES), nullable=False),
    Column("state", String(16), nullable=False),  # pending, done, failed
    Column("draft", _LONG_TEXT, nullable=False),
    Column("entity", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("updated", _UTCDateTime, nullable=False),
    Index("structured_by_state", "request", "state", "updated"),
    **_TABLE_OPTIONS,
)

#: One Wikidata item per record (SPEC 12): the item the bot created or linked,
#: or a creation in flight (sent, answer not yet journalled) to look for first.
items = Table(
    "items",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("record_id", _name(), primary_key=True),
    Column("item", String(32), nullable=False),  # "" while in flight or failed
    Column("state", String(16), nullable=False),
    Column("label", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("language", String(32), nullable=False),
    #: SHA-1 of language, label and description: the bot's own items by their terms
    Column("terms_key", String(40), nullable=False),
    #: SHA-1 of the identifier (property, value, collection), or ""
    Column("identifier_key", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("file_linked", Integer, nullable=False),  # 1: the file has P6243 = the item
    Column("image_done", Integer, nullable=False),  # 1: P18 added, or not to be added
    Column("updated", _UTCDateTime, nullable=False),
    Index("items_by_terms", "terms_key"),
    Index("items_by_identifier", "identifier_key"),
    Index("items_by_state", "request", "state"),
    **_TABLE_OPTIONS,
)

#: Every statement the bot added to an item (SPEC 12), for undo (SPEC 13): its
#: id, a digest of what it held, and the item's revision after the bot's edit.
item_claims = Table(
    "item_claims",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("claim", String(100), primary_key=True),  # the statement's GUID
    Column("record_id", _name(), nullable=False),
    Column("item", String(32), nullable=False),
    Column("property", String(32), nullable=False),
    Column("digest", String(40), nullable=False),
    Column("revid", BigInteger, nullable=False),
    Column("updated", _UTCDateTime, nullable=False),
    **_TABLE_OPTIONS,
)

#: What batch edits (SPEC 13) added to files' MediaInfo entities, for undo: each
#: statement (its id and a digest of what it held) and each caption (its language
#: and text), with the entity's revision after the bot's edit.
file_claims = Table(
    "file_claims",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("entity", String(40), primary_key=True),  # M<page id>
    Column("kind", String(16), primary_key=True),  # statement or caption
    Column("claim", String(100), primary_key=True),  # the statement's GUID, or the language
    Column("record_id", _name(), nullable=False),
    Column("title", String(MAX_TITLE_BYTES), nullable=False),  # without File:
    Column("property", String(32), nullable=False),
    Column("value", Text, nullable=False),  # the statement's digest, or the caption
    Column("revid", BigInteger, nullable=False),
    Column("updated", _UTCDateTime, nullable=False),
    **_TABLE_OPTIONS,
)

#: A batch edit's ``wbeditentity`` on a file, journalled before it is sent: after a
#: crash or an unanswered edit, what it sent tells which of the file's statements
#: and captions are the bot's (undo needs them all).
file_sends = Table(
    "file_sends",
    metadata,
    Column("request", _name(), primary_key=True),
    Column("record_id", _name(), primary_key=True),
    Column("title", String(MAX_TITLE_BYTES), nullable=False),  # without File:
    Column("sent", _LONG_TEXT, nullable=False),  # the draft sent, JSON
    Column("updated", _UTCDateTime, nullable=False),
    **_TABLE_OPTIONS,
)

#: Answers of a Wikibase kept for a while (suggestions, lookups of existing
#: items), so that runs do not ask the same questions again and again.
wikibase_lookups = Table(
    "wikibase_lookups",
    metadata,
    Column("lookup", String(40), primary_key=True),  # SHA-1 of what was asked
    Column("answer", _LONG_TEXT, nullable=False),  # JSON
    Column("checked", _UTCDateTime, nullable=False),
    **_TABLE_OPTIONS,
)
