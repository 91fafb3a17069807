"""The state store: the journal that makes runs resumable (DESIGN.md "State").

The wiki is the truth for what exists; this store remembers, per request and
record, the planned title, the SHA-1 once known, the outcome, the reason and
the number of attempts, so that an interrupted run picks up where it stopped
and a finished record costs nothing on the next run. It also keeps a few facts
per request (state, preview id, when the status page was last saved), one
lease per request so that two overlapping scheduled runs never work on the
same request, and small dated snapshots for reports.

The same SQLAlchemy Core code runs on SQLite (the default, a file next to the
bot) and on MariaDB (ToolsDB on Toolforge). Times are computed in Python, in
UTC, and stored without a time zone; every decision that two processes could
race on (taking a lease, counting an attempt) is a single conditional
statement checked by the database, never a read followed by a write.
"""

from __future__ import annotations

import configparser
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

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
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.types import TypeDecorator

__all__ = [
    "HUB_WIDE",
    "Lease",
    "Outcome",
    "RecordState",
    "StateStore",
    "StateStoreError",
    "toolsdb_url",
]

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

#: MariaDB error numbers after which the whole transaction may simply be tried again.
_RETRYABLE_MYSQL_ERRORS = {1205, 1213}  # lock wait timeout, deadlock
_RETRIES = 8

T = TypeVar("T")


class Outcome(StrEnum):
    """Where a record stands. ``IN_FLIGHT`` means an upload may have reached the wiki."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    UPLOADED = "uploaded"
    DUPLICATE = "duplicate"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class RecordState:
    """What the journal knows about one record of one request."""

    request: str
    record_id: str
    title: str  # the full file title without "File:", or "" before it is known
    sha1: str  # lower-case hex, or "" before the media was fetched
    outcome: Outcome
    reason: str
    existing_file: str  # for duplicates: the file that already has this content
    attempts: int  # upload attempts started (begin_upload calls)
    updated: datetime  # UTC


@dataclass(frozen=True)
class Lease:
    """Who works on a request, and until when (UTC) unless renewed."""

    request: str
    holder: str
    expires: datetime


class StateStoreError(Exception):
    """The state store cannot be reached or used; the message never holds a password."""


def utc_now() -> datetime:
    return datetime.now(UTC)


# -- schema -----------------------------------------------------------------


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


# -- URLs and engines -------------------------------------------------------


def _parse_url(url: str | URL) -> URL:
    """Parse without ever echoing the text back: it may hold a password."""
    if isinstance(url, URL):
        return url
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise StateStoreError(
            "state.url is not a database URL; use sqlite:///var/hubbot.sqlite3 "
            "or mysql+pymysql://user:password@host/database"
        ) from None


def display_url(url: URL) -> str:
    """The URL as it may appear in logs and messages: password replaced by ***."""
    return url.render_as_string(hide_password=True)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in database
    if in_memory:
        # one shared connection, or every thread would see its own empty database
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        if not url.query.get("uri") and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection: Any, record: Any) -> None:
        # SQLAlchemy, not the sqlite3 module, decides when a transaction begins
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # Writers take the write lock up front: a transaction that reads and then
        # writes could otherwise fail at once with "database is locked" instead
        # of waiting its turn.
        read_only = connection.get_execution_options().get("hubbot_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _mysql_engine(url: URL) -> Engine:
    if "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    # ToolsDB closes idle connections; check before use and recycle early.
    return create_engine(url, pool_pre_ping=True, pool_recycle=280)


def _engine_for(url: URL) -> Engine:
    backend = url.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(url)
        if backend in ("mysql", "mariadb"):
            return _mysql_engine(url)
    except (SQLAlchemyError, ImportError) as exc:
        raise StateStoreError(
            f"state.url {display_url(url)} cannot be used: {_plain(exc)}"
        ) from None
    raise StateStoreError(
        f"state.url {display_url(url)} names the database kind {backend!r}; "
        "use sqlite:///... or mysql+pymysql://... (MariaDB)"
    )


def _read_client_cnf(path: Path) -> tuple[str, str] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        if not parser.read(path, encoding="utf-8"):
            return None
    except configparser.Error:
        return None
    if not parser.has_option("client", "user") or not parser.has_option("client", "password"):
        return None
    user, password = (parser.get("client", key).strip() for key in ("user", "password"))
    return _unquote(user), _unquote(password)


def _unquote(value: str) -> str:
    """my.cnf values may be written in quotes."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def toolsdb_url(
    database: str = "hubbot",
    *,
    environ: Mapping[str, str] | None = None,
    cnf_path: Path | None = None,
) -> URL:
    """The URL of this tool's ToolsDB database ``<user>__<database>``.

    Credentials come from ``TOOL_TOOLSDB_USER``/``TOOL_TOOLSDB_PASSWORD`` or
    from ``~/replica.my.cnf``, the same places the toolforge library looks.
    """
    env = os.environ if environ is None else environ
    if env.get("TOOL_TOOLSDB_USER") and env.get("TOOL_TOOLSDB_PASSWORD"):
        user, password = env["TOOL_TOOLSDB_USER"], env["TOOL_TOOLSDB_PASSWORD"]
    else:
        path = cnf_path or Path.home() / "replica.my.cnf"
        found = _read_client_cnf(path)
        if found is None:
            raise StateStoreError(
                "no ToolsDB credentials: set TOOL_TOOLSDB_USER and TOOL_TOOLSDB_PASSWORD "
                f"or provide {path} with user and password under [client]"
            )
        user, password = found
    return URL.create(
        "mysql+pymysql",
        username=user,
        password=password,
        host=TOOLSDB_HOST,
        database=f"{user}__{database}",
        query={"charset": "utf8mb4"},
    )


def _plain(exc: BaseException) -> str:
    """The driver's own words for a database error, without SQL or parameters."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, BaseException):
        args = orig.args
        if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
            return args[1]  # PyMySQL: (errno, message)
        return str(orig)
    return str(exc).split("\n", 1)[0]


def _is_retryable(exc: DBAPIError) -> bool:
    args: tuple[Any, ...] = tuple(getattr(exc.orig, "args", ()))
    return bool(args) and args[0] in _RETRYABLE_MYSQL_ERRORS


# -- values -----------------------------------------------------------------


def _check_name(what: str, value: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be text, not {type(value).__name__}")
    if not value and not allow_empty:
        raise ValueError(f"{what} is empty")
    if len(value) > MAX_NAME_CHARS:
        raise ValueError(
            f"{what} {value[:40]!r}... is {len(value)} characters long; "
            f"at most {MAX_NAME_CHARS} fit in the state store"
        )
    return value


def _check_title(what: str, value: str, record_id: str) -> str:
    size = len(value.encode("utf-8"))
    if size > MAX_TITLE_BYTES:
        raise ValueError(
            f"record {record_id}: {what} {value[:40]!r}... is {size} bytes long; "
            f"the wiki allows at most {MAX_TITLE_BYTES}"
        )
    return value


def _check_sha1(value: str, record_id: str) -> str:
    value = value.strip().lower()
    if value and (len(value) != 40 or any(c not in "0123456789abcdef" for c in value)):
        raise ValueError(f"record {record_id}: {value!r} is not a SHA-1 (40 hexadecimal digits)")
    return value


def _cut(reason: str) -> str:
    if len(reason) <= MAX_REASON_CHARS:
        return reason
    return reason[: MAX_REASON_CHARS - 1] + "…"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"time {value} has no time zone; the state store keeps UTC times")
        return {"$datetime": value.astimezone(UTC).isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"the state store cannot keep a {type(value).__name__} value")


def _json_hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if "$datetime" in obj:
            return datetime.fromisoformat(obj["$datetime"]).astimezone(UTC)
        if "$date" in obj:
            return date.fromisoformat(obj["$date"])
    return obj


def _to_json(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


def _from_json(text: str) -> Any:
    return json.loads(text, object_hook=_json_hook)


def _record(row: Any) -> RecordState:
    return RecordState(
        request=row.request,
        record_id=row.record_id,
        title=row.title,
        sha1=row.sha1,
        outcome=Outcome(row.outcome),
        reason=row.reason,
        existing_file=row.existing_file,
        attempts=row.attempts,
        updated=row.updated,
    )


# -- the store --------------------------------------------------------------


class StateStore(AbstractContextManager["StateStore"]):
    """The journal of every request's records, plus leases, request facts and snapshots.

    Each method is one short transaction that is committed when it returns, so
    a crash after ``begin_upload`` leaves the record ``IN_FLIGHT`` for the next
    run to check against the wiki.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utc_now,
        url: URL | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._display = display_url(url or engine.url)

    # -- opening ---------------------------------------------------------

    @classmethod
    def from_url(
        cls,
        url: str | URL,
        *,
        clock: Callable[[], datetime] = utc_now,
        create_database: bool = False,
    ) -> StateStore:
        """Open (and if needed create) the store at ``url`` and its tables.

        ``sqlite:///var/hubbot.sqlite3`` is relative to the working directory
        (parent directories are created), ``sqlite://`` is in memory,
        ``mysql+pymysql://user:password@host:port/database`` is MariaDB. With
        ``create_database`` a missing MariaDB database is created first.
        """
        parsed = _parse_url(url)
        if create_database and parsed.get_backend_name() in ("mysql", "mariadb"):
            _create_mysql_database(parsed)
        store = cls(_engine_for(parsed), clock=clock, url=parsed)
        try:
            store.create_schema()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def from_toolforge(
        cls, database: str = "hubbot", *, clock: Callable[[], datetime] = utc_now
    ) -> StateStore:
        """Open the store in this tool's ToolsDB database, creating it on first use."""
        return cls.from_url(toolsdb_url(database), clock=clock, create_database=True)

    def create_schema(self) -> None:
        """Create missing tables and indexes; safe to run from several processes at once."""

        def create(conn: Connection) -> None:
            for table in metadata.sorted_tables:
                conn.execute(CreateTable(table, if_not_exists=True))
                for index in sorted(table.indexes, key=lambda i: str(i.name)):
                    conn.execute(CreateIndex(index, if_not_exists=True))

        self._run("create its tables", create)

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"StateStore({self._display})"

    @property
    def url(self) -> str:
        """Where the store lives, safe to log (password hidden)."""
        return self._display

    # -- plumbing --------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the state store's clock must return UTC times with a time zone")
        return now.astimezone(UTC)

    def _run(self, action: str, work: Callable[[Connection], T], *, write: bool = True) -> T:
        """Run ``work`` in one transaction, retrying when the database asks us to.

        IntegrityError is passed on: callers decide what a taken key means.
        Any other failure becomes a StateStoreError naming the store without
        its password.
        """
        for attempt in range(_RETRIES):
            try:
                with self._engine.connect() as conn:
                    if not write:
                        conn.execution_options(hubbot_read_only=True)
                    with conn.begin():
                        return work(conn)
            except IntegrityError:
                raise
            except DBAPIError as exc:
                if _is_retryable(exc) and attempt + 1 < _RETRIES:
                    time.sleep(0.05 * (attempt + 1))
                    continue
                raise StateStoreError(
                    f"the state store {self._display} could not {action}: {_plain(exc)}"
                ) from exc
            except SQLAlchemyError as exc:
                raise StateStoreError(
                    f"the state store {self._display} could not {action}: {_plain(exc)}"
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _upsert(
        self,
        action: str,
        table: Table,
        key: Mapping[str, Any],
        changes: Mapping[str, Any],
        first: Mapping[str, Any],
    ) -> None:
        """Apply ``changes`` to the row with ``key``, or insert ``key | first``.

        UPDATE and INSERT are separate statements so no lock is held between
        them; if another process inserts the row in between, our INSERT fails
        on the key and the UPDATE is simply tried again.
        """
        where = and_(*(table.c[name] == value for name, value in key.items()))
        change = update(table).where(where).values(changes)
        for _ in range(_RETRIES):
            changed = self._run(action, lambda conn: conn.execute(change).rowcount)
            if changed:
                return
            try:
                self._run(action, lambda conn: conn.execute(insert(table).values({**key, **first})))
                return
            except IntegrityError:
                continue
        raise StateStoreError(f"the state store {self._display} could not {action}: too busy")

    # -- records ---------------------------------------------------------

    def get(self, request: str, record_id: str) -> RecordState | None:
        """The journal entry of one record, or None if the store never saw it."""
        where = and_(records.c.request == request, records.c.record_id == record_id)
        row = self._run(
            f"read record {record_id}",
            lambda conn: conn.execute(select(records).where(where)).first(),
            write=False,
        )
        return None if row is None else _record(row)

    def all(self, request: str, *, page_size: int = 1000) -> Iterator[RecordState]:
        """Every record of ``request`` by id, read page by page.

        Pages keep each read short, so the caller may write to the store while
        iterating without waiting on its own read.
        """
        after: str | None = None
        while True:
            query = (
                select(records)
                .where(records.c.request == request)
                .order_by(records.c.record_id)
                .limit(page_size)
            )
            if after is not None:
                query = query.where(records.c.record_id > after)
            states = self._select(f"read the records of {request}", query)
            yield from states
            if len(states) < page_size:
                return
            after = states[-1].record_id

    def in_flight(self, request: str) -> list[RecordState]:
        """Records whose upload may have reached the wiki: ask the wiki before resending."""
        return self._select(
            f"read the unfinished uploads of {request}",
            select(records)
            .where(records.c.request == request, records.c.outcome == Outcome.IN_FLIGHT.value)
            .order_by(records.c.updated, records.c.record_id),
        )

    def recent(self, request: str, outcome: Outcome, limit: int) -> list[RecordState]:
        """The ``limit`` records most recently given ``outcome``, newest first."""
        return self._select(
            f"read the recent records of {request}",
            select(records)
            .where(records.c.request == request, records.c.outcome == Outcome(outcome).value)
            .order_by(records.c.updated.desc(), records.c.record_id.desc())
            .limit(max(0, limit)),
        )

    def _select(self, action: str, query: Any) -> list[RecordState]:
        rows = self._run(action, lambda conn: conn.execute(query).all(), write=False)
        return [_record(row) for row in rows]

    def counts(self, request: str) -> dict[Outcome, int]:
        """How many records of ``request`` have each outcome (every outcome present)."""
        query = (
            select(records.c.outcome, func.count())
            .where(records.c.request == request)
            .group_by(records.c.outcome)
        )
        rows = self._run(
            f"count the records of {request}", lambda conn: conn.execute(query).all(), write=False
        )
        counted = dict.fromkeys(Outcome, 0)
        for outcome, number in rows:
            counted[Outcome(outcome)] = int(number)
        return counted

    def begin_upload(self, request: str, record_id: str, title: str, sha1: str) -> None:
        """Mark the record IN_FLIGHT and count the attempt; committed on return.

        Call it before the upload is sent: if the run dies mid-upload, the next
        run finds the record in :meth:`in_flight` and asks the wiki first.
        """
        _check_name("request name", request)
        _check_name("record id", record_id)
        _check_title("file title", title, record_id)
        sha1 = _check_sha1(sha1, record_id)
        changes = {
            "title": title,
            "sha1": sha1,
            "outcome": Outcome.IN_FLIGHT.value,
            "reason": "",
            "existing_file": "",
            "updated": self._now(),
        }
        self._upsert(
            f"start the upload of record {record_id}",
            records,
            {"request": request, "record_id": record_id},
            {**changes, "attempts": records.c.attempts + 1},
            {**changes, "attempts": 1},
        )

    def finish(
        self,
        request: str,
        record_id: str,
        outcome: Outcome,
        *,
        title: str = "",
        sha1: str = "",
        reason: str = "",
        existing_file: str = "",
    ) -> None:
        """Record how a record ended (or put it back to PENDING).

        An empty ``title`` or ``sha1`` keeps what the store already knows;
        ``reason`` and ``existing_file`` always describe the new outcome.
        """
        outcome = Outcome(outcome)
        if outcome is Outcome.IN_FLIGHT:
            raise ValueError(f"record {record_id}: use begin_upload to mark an upload in flight")
        _check_name("request name", request)
        _check_name("record id", record_id)
        _check_title("file title", title, record_id)
        _check_title("existing file", existing_file, record_id)
        sha1 = _check_sha1(sha1, record_id)
        changes: dict[str, Any] = {
            "outcome": outcome.value,
            "reason": _cut(reason),
            "existing_file": existing_file,
            "updated": self._now(),
        }
        if title:
            changes["title"] = title
        if sha1:
            changes["sha1"] = sha1
        self._upsert(
            f"save the outcome of record {record_id}",
            records,
            {"request": request, "record_id": record_id},
            changes,
            {"title": title, "sha1": sha1, "attempts": 0, **changes},
        )

    def forget(self, request: str) -> None:
        """Drop the journal and facts of ``request``; its lease and snapshots stay."""

        def drop(conn: Connection) -> None:
            conn.execute(delete(records).where(records.c.request == request))
            conn.execute(delete(stashes).where(stashes.c.request == request))
            conn.execute(delete(requests).where(requests.c.request == request))

        self._run(f"forget request {request}", drop)

    # -- chunked uploads in the wiki's stash -----------------------------

    def put_stash(
        self,
        request: str,
        record_id: str,
        *,
        filekey: str,
        offset: int,
        size: int,
        sha1: str,
        started: datetime,
        complete: bool = False,
    ) -> None:
        """Remember how far a chunked upload got (the wiki confirmed ``offset`` bytes)."""
        _check_name("request name", request)
        _check_name("record id", record_id)
        _check_name("stash file key", filekey)
        sha1 = _check_sha1(sha1, record_id)
        if not 0 <= offset <= size:
            raise ValueError(f"record {record_id}: stash offset {offset} is not within 0..{size}")
        if started.tzinfo is None:
            raise ValueError(f"time {started} has no time zone; the state store keeps UTC times")
        values = {
            "filekey": filekey,
            "held": offset,
            "size": size,
            "sha1": sha1,
            "started": started,
            "complete": 1 if complete else 0,
        }
        self._upsert(
            f"save the upload stash of record {record_id}",
            stashes,
            {"request": request, "record_id": record_id},
            values,
            values,
        )

    def get_stash(self, request: str, record_id: str) -> dict[str, Any] | None:
        """The stash facts kept by :meth:`put_stash`, or None."""
        where = and_(stashes.c.request == request, stashes.c.record_id == record_id)
        row = self._run(
            f"read the upload stash of record {record_id}",
            lambda conn: conn.execute(select(stashes).where(where)).first(),
            write=False,
        )
        if row is None:
            return None
        return {
            "filekey": row.filekey,
            "offset": int(row.held),
            "size": int(row.size),
            "sha1": row.sha1,
            "started": row.started,
            "complete": bool(row.complete),
        }

    def drop_stash(self, request: str, record_id: str) -> None:
        """Forget a record's stash (its upload finished, failed or starts again)."""
        where = and_(stashes.c.request == request, stashes.c.record_id == record_id)
        self._run(
            f"forget the upload stash of record {record_id}",
            lambda conn: conn.execute(delete(stashes).where(where)),
        )

    # -- per-request facts -----------------------------------------------

    def get_request(self, request: str) -> dict[str, Any] | None:
        """The facts saved for ``request`` (datetimes come back as UTC datetimes)."""
        query = select(requests.c.facts).where(requests.c.request == request)
        text = self._run(
            f"read request {request}", lambda conn: conn.execute(query).scalar(), write=False
        )
        return None if text is None else dict(_from_json(text))

    def set_request(self, request: str, **fields: Any) -> None:
        """Merge ``fields`` into the facts of ``request`` (state, preview_id, total...).

        Values are anything JSON can hold, plus aware datetimes and dates.
        """
        _check_name("request name", request)
        _to_json(fields)  # fail on values the store cannot keep, before touching it
        where = requests.c.request == request

        def merge(conn: Connection) -> bool:
            text = conn.execute(select(requests.c.facts).where(where).with_for_update()).scalar()
            if text is None:
                return False
            facts = _from_json(text)
            facts.update(fields)
            conn.execute(
                update(requests).where(where).values(facts=_to_json(facts), updated=self._now())
            )
            return True

        for _ in range(_RETRIES):
            if self._run(f"save request {request}", merge):
                return
            try:
                self._run(
                    f"save request {request}",
                    lambda conn: conn.execute(
                        insert(requests).values(
                            request=request, facts=_to_json(fields), updated=self._now()
                        )
                    ),
                )
                return
            except IntegrityError:
                continue
        raise StateStoreError(f"the state store {self._display} could not save request {request}")

    # -- leases ----------------------------------------------------------

    def acquire_lease(self, request: str, holder: str, seconds: float) -> bool:
        """Take (or extend) the lease on ``request`` for ``seconds``; False if another holds it.

        Atomic on both databases: the UPDATE only matches a lease that is ours
        or expired, and a missing lease is created by an INSERT that fails on
        the primary key when another process got there first.
        """
        _check_name("request name", request)
        _check_name("lease holder", holder)
        if seconds <= 0:
            raise ValueError(f"a lease must last more than 0 seconds, not {seconds}")
        now = self._now()
        expires = now + timedelta(seconds=seconds)
        take = (
            update(leases)
            .where(
                leases.c.request == request,
                or_(leases.c.holder == holder, leases.c.expires <= now),
            )
            .values(holder=holder, expires=expires)
        )
        action = f"take the lease on request {request}"
        if self._run(action, lambda conn: conn.execute(take).rowcount):
            return True
        try:
            self._run(
                action,
                lambda conn: conn.execute(
                    insert(leases).values(request=request, holder=holder, expires=expires)
                ),
            )
        except IntegrityError:
            return False
        return True

    def renew_lease(self, request: str, holder: str, seconds: float) -> bool:
        """Extend our lease to ``seconds`` from now; False if it is not (or no longer) ours."""
        if seconds <= 0:
            raise ValueError(f"a lease must last more than 0 seconds, not {seconds}")
        expires = self._now() + timedelta(seconds=seconds)
        renew = (
            update(leases)
            .where(leases.c.request == request, leases.c.holder == holder)
            .values(expires=expires)
        )
        return bool(
            self._run(
                f"renew the lease on request {request}", lambda conn: conn.execute(renew).rowcount
            )
        )

    def release_lease(self, request: str, holder: str) -> None:
        """Give the lease up, if it is ours; someone else's lease is left alone."""
        release = delete(leases).where(leases.c.request == request, leases.c.holder == holder)
        self._run(f"release the lease on request {request}", lambda conn: conn.execute(release))

    def lease(self, request: str) -> Lease | None:
        """Who holds the lease on ``request`` right now, or None if nobody does."""
        now = self._now()
        query = select(leases).where(leases.c.request == request, leases.c.expires > now)
        row = self._run(
            f"read the lease on request {request}",
            lambda conn: conn.execute(query).first(),
            write=False,
        )
        return None if row is None else Lease(row.request, row.holder, row.expires)

    # -- snapshots -------------------------------------------------------

    def put_snapshot(self, request: str, day: date, key: str, value: Any) -> None:
        """Keep ``value`` (JSON) for ``key`` on ``day``, replacing that day's value.

        Use ``HUB_WIDE`` as the request for figures about the whole hub.
        """
        _check_name("request name", request, allow_empty=True)
        _check_name("snapshot key", key)
        text = _to_json(value)
        self._upsert(
            f"save snapshot {key} of request {request}",
            snapshots,
            {"request": request, "day": _day(day), "name": key},
            {"value": text},
            {"value": text},
        )

    def get_snapshot(self, request: str, day: date, key: str) -> Any | None:
        """The value kept for ``key`` on ``day``, or None."""
        query = select(snapshots.c.value).where(
            snapshots.c.request == request,
            snapshots.c.day == _day(day),
            snapshots.c.name == key,
        )
        text = self._run(
            f"read snapshot {key} of request {request}",
            lambda conn: conn.execute(query).scalar(),
            write=False,
        )
        return None if text is None else _from_json(text)

    def snapshots(
        self, request: str, key: str, *, since: date | None = None
    ) -> list[tuple[date, Any]]:
        """Every (day, value) kept for ``key``, oldest first, from ``since`` on."""
        query = select(snapshots.c.day, snapshots.c.value).where(
            snapshots.c.request == request, snapshots.c.name == key
        )
        if since is not None:
            query = query.where(snapshots.c.day >= _day(since))
        rows = self._run(
            f"read snapshots {key} of request {request}",
            lambda conn: conn.execute(query.order_by(snapshots.c.day)).all(),
            write=False,
        )
        return [(row.day, _from_json(row.value)) for row in rows]


def _day(value: date) -> date:
    """A calendar day; a datetime is reduced to its UTC date."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"time {value} has no time zone; the state store keeps UTC times")
        return value.astimezone(UTC).date()
    return value


def _create_mysql_database(url: URL) -> None:
    """Create the MariaDB database named in ``url`` if it is missing (ToolsDB first use)."""
    name = url.database
    if not name:
        raise StateStoreError(f"state.url {display_url(url)} names no database")
    server = URL.create(
        url.drivername,
        username=url.username,
        password=url.password,
        host=url.host,
        port=url.port,
        query=url.query,
    )
    engine = _engine_for(server)
    try:
        with engine.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote_identifier(name)
            conn.exec_driver_sql(
                f"CREATE DATABASE IF NOT EXISTS {quoted} "
                f"CHARACTER SET utf8mb4 COLLATE {MARIADB_COLLATION}"
            )
    except SQLAlchemyError as exc:
        raise StateStoreError(
            f"the state store {display_url(url)} could not create its database: {_plain(exc)}"
        ) from exc
    finally:
        engine.dispose()
