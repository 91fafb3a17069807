"""The database under the state store: schema, engines, transactions, JSON values.

The same SQLAlchemy Core code runs on SQLite (the default, a file next to the
bot) and on MariaDB (ToolsDB on Toolforge). Times are computed in Python, in
UTC, and stored without a time zone; every decision that two processes could
race on (taking a lease, counting an attempt) is a single conditional
statement checked by the database, never a read followed by a write.
"""

from __future__ import annotations

import configparser
import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import Table, and_, create_engine, event, insert, update
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateIndex, CreateTable

from bots.store.schema import MARIADB_COLLATION, TOOLSDB_HOST, metadata

#: MariaDB error numbers after which the whole transaction may simply be tried again.
_RETRYABLE_MYSQL_ERRORS = {1205, 1213}  # lock wait timeout, deadlock
RETRIES = 8

T = TypeVar("T")


class StateStoreError(Exception):
    """The state store cannot be reached or used; the message never holds a password."""


def utc_now() -> datetime:
    return datetime.now(UTC)


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
        if not in_memory:
            # Write-ahead logging: a commit is an append to the log, flushed to disk
            # at checkpoints, and readers never wait for the writer. A killed process
            # loses nothing it committed; a power cut may lose the last commits (the
            # file stays whole), which the next run takes for work not yet begun. The
            # processes that share the file must run on one machine (ToolsDB elsewhere).
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

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


class Database:
    """One state store database: opening it, and running short transactions.

    Each method of the store built on it is one short transaction that is
    committed when it returns.
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
    ) -> Self:
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
    ) -> Self:
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

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._display})"

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
        for attempt in range(RETRIES):
            try:
                with self._engine.connect() as conn:
                    if not write:
                        conn.execution_options(hubbot_read_only=True)
                    with conn.begin():
                        return work(conn)
            except IntegrityError:
                raise
            except DBAPIError as exc:
                if _is_retryable(exc) and attempt + 1 < RETRIES:
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

        One statement where the database has one (SQLite's ``ON CONFLICT DO
        UPDATE``, MariaDB's ``ON DUPLICATE KEY UPDATE``): a single short
        transaction, atomic against other processes. Elsewhere UPDATE and
        INSERT are separate statements so no lock is held between them; if
        another process inserts the row in between, our INSERT fails on the
        key and the UPDATE is simply tried again.
        """
        upsert = _upsert_statement(self._engine.dialect.name, table, key, changes, first)
        if upsert is not None:
            self._run(action, lambda conn: conn.execute(upsert))
            return
        where = and_(*(table.c[name] == value for name, value in key.items()))
        change = update(table).where(where).values(changes)
        for _ in range(RETRIES):
            changed = self._run(action, lambda conn: conn.execute(change).rowcount)
            if changed:
                return
            try:
                self._run(action, lambda conn: conn.execute(insert(table).values({**key, **first})))
                return
            except IntegrityError:
                continue
        raise StateStoreError(f"the state store {self._display} could not {action}: too busy")


def _upsert_statement(
    dialect: str,
    table: Table,
    key: Mapping[str, Any],
    changes: Mapping[str, Any],
    first: Mapping[str, Any],
) -> Any:
    """INSERT ... or update the row that has the key, in one statement; None if unsupported."""
    row = {**key, **first}
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return (
            sqlite_insert(table)
            .values(row)
            .on_conflict_do_update(index_elements=list(key), set_=dict(changes))
        )
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        return mysql_insert(table).values(row).on_duplicate_key_update(dict(changes))
    return None


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
