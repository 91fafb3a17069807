"""A throwaway MariaDB server for tests, started from Debian's ``mariadb-server``.

The state store must behave the same on SQLite and on MariaDB (ToolsDB on
Toolforge), so its tests run against a real server rather than a fake. The
server lives in a temporary directory, listens only on 127.0.0.1 on a free
port, keeps the grant tables (no ``--skip-grant-tables``: the store logs in as
an ordinary user with a password, as it does on ToolsDB) and is removed again
when stopped.

Run ``python -m tests.support.mariadb`` (or ``scripts/mariadb-test-server``)
to get one for manual experiments; it prints a URL and waits for Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import pymysql  # type: ignore[import-untyped]
from sqlalchemy.engine import URL

#: Where Debian puts the binaries; ``/usr/sbin`` is not on every user's PATH.
_EXTRA_DIRS = ("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin")

#: Binary collation without trailing-space padding: ids that differ only in
#: case or in trailing spaces are different ids.
COLLATION = "utf8mb4_nopad_bin"


class MariaDBUnavailable(RuntimeError):
    """The MariaDB server binaries are not installed here."""


def find_program(*names: str) -> str | None:
    """The first of ``names`` found on PATH or in the usual sbin directories."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
        for directory in _EXTRA_DIRS:
            candidate = Path(directory) / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def mariadb_available() -> bool:
    """Whether a MariaDB server could be started on this machine."""
    return bool(find_program("mariadbd", "mysqld") and find_program("mariadb-install-db"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MariaDBServer:
    """One private MariaDB server; use as a context manager or call start/stop.

    ``user`` and ``password`` are an ordinary account (not root) that may use
    every database made with :meth:`create_database`.
    """

    def __init__(self, *, user: str = "hubbot", startup_timeout: float = 60.0) -> None:
        self.user = user
        self.password = secrets.token_urlsafe(16)
        self.port = 0
        self.startup_timeout = startup_timeout
        self._dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._databases = 0

    # -- lifecycle -------------------------------------------------------

    def __enter__(self) -> MariaDBServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def directory(self) -> Path:
        if self._dir is None:
            raise RuntimeError("the MariaDB test server is not started")
        return self._dir

    @property
    def socket_path(self) -> Path:
        return self.directory / "mariadb.sock"

    @property
    def error_log(self) -> Path:
        return self.directory / "error.log"

    def start(self) -> None:
        """Initialise a data directory, start the server and create the user."""
        mariadbd = find_program("mariadbd", "mysqld")
        install_db = find_program("mariadb-install-db")
        if not mariadbd or not install_db:
            raise MariaDBUnavailable(
                "mariadbd is not installed; install Debian's mariadb-server package"
            )
        self._dir = Path(tempfile.mkdtemp(prefix="hubbot-mariadb-"))
        try:
            datadir = self.directory / "data"
            run_as = ["--user=root"] if os.geteuid() == 0 else []
            subprocess.run(
                [
                    install_db,
                    "--no-defaults",
                    *run_as,
                    f"--datadir={datadir}",
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                    "--skip-name-resolve",
                ],
                check=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            self._launch(mariadbd, datadir, run_as)
            self._create_user()
        except BaseException:
            self.stop()
            raise

    def _launch(self, mariadbd: str, datadir: Path, run_as: list[str]) -> None:
        """Start mariadbd, trying another port if the chosen one was taken meanwhile."""
        for _ in range(5):
            self.port = free_port()
            self._process = subprocess.Popen(
                [
                    mariadbd,
                    "--no-defaults",
                    *run_as,
                    f"--datadir={datadir}",
                    f"--port={self.port}",
                    "--bind-address=127.0.0.1",
                    f"--socket={self.socket_path}",
                    f"--pid-file={self.directory / 'mariadb.pid'}",
                    f"--log-error={self.error_log}",
                    "--skip-name-resolve",
                    "--character-set-server=utf8mb4",
                    f"--collation-server={COLLATION}",
                    "--innodb-buffer-pool-size=32M",
                    "--innodb-flush-log-at-trx-commit=2",
                    "--max-connections=200",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._wait_until_ready():
                return
            self._terminate()
        raise RuntimeError(
            f"MariaDB test server did not start; see {self.error_log}:\n{self._log_tail()}"
        )

    def _wait_until_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            try:
                self._root().close()
                return True
            except pymysql.err.OperationalError:
                time.sleep(0.1)
        return False

    def _root(self, database: str | None = None) -> pymysql.connections.Connection:
        """An administrator connection over the private Unix socket."""
        return pymysql.connect(
            unix_socket=str(self.socket_path),
            user="root",
            password="",
            database=database,
            charset="utf8mb4",
            autocommit=True,
        )

    def _create_user(self) -> None:
        connection = self._root()
        try:
            with connection.cursor() as cursor:
                # root keeps only the private socket (in a 0700 directory):
                # nobody else on this machine can log in as root over TCP.
                cursor.execute(
                    "SELECT host FROM mysql.user WHERE user = 'root' AND host <> 'localhost'"
                )
                for (host,) in cursor.fetchall():
                    cursor.execute("DROP USER 'root'@%s", (host,))
                for host in ("127.0.0.1", "localhost"):
                    cursor.execute(
                        f"CREATE USER '{self.user}'@'{host}' IDENTIFIED BY %s",
                        (self.password,),
                    )
                    # like ToolsDB: the user may create databases named USER__anything
                    cursor.execute(
                        f"GRANT ALL PRIVILEGES ON `{self.user}\\_\\_%`.* TO '{self.user}'@'{host}'"
                    )
        finally:
            connection.close()

    def create_database(self, name: str | None = None) -> URL:
        """A new empty utf8mb4 database the user owns; returns its URL (with password)."""
        if name is None:
            self._databases += 1
            name = f"hubbot_test_{self._databases}"
        if not name.replace("_", "").isalnum():
            raise ValueError(f"database name {name!r} must be letters, digits and _")
        connection = self._root()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
                cursor.execute(
                    f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE {COLLATION}"
                )
                for host in ("127.0.0.1", "localhost"):
                    cursor.execute(f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{self.user}'@'{host}'")
        finally:
            connection.close()
        return self.url(name)

    def url(self, database: str) -> URL:
        """The SQLAlchemy URL for ``database`` as the ordinary user, over TCP."""
        return URL.create(
            "mysql+pymysql",
            username=self.user,
            password=self.password,
            host="127.0.0.1",
            port=self.port,
            database=database,
            query={"charset": "utf8mb4"},
        )

    def stop(self) -> None:
        """Stop the server and delete its data directory."""
        self._terminate()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.error_log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no error log)"


def main() -> int:
    """Start a server, print a URL for ``HUBBOT_STATE_URL`` and wait for Ctrl-C."""
    if not mariadb_available():
        print("mariadbd is not installed; install Debian's mariadb-server package", file=sys.stderr)
        return 1

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    with MariaDBServer() as server:
        url = server.create_database("hubbot")
        print(url.render_as_string(hide_password=False), flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
