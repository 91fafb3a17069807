"""A real local MediaWiki for development, demos and tests.

Debian's ``mediawiki`` package, SQLite, and PHP's built-in web server on a
loopback port, with the real Wikibase and WikibaseMediaInfo from the offline
bundle (:mod:`bots.dev.wikibase`), so that the one wiki is also a Wikibase
and a file wiki with structured data, as Wikidata and Commons are. Everything
the wiki writes (database, uploads, logs) lives in one folder, so ``reset`` is
"stop, delete the folder, start".

Two files in that folder let tests produce real faults without a restart:
``readonly`` (its text becomes ``$wgReadOnly``) and ``extra.php`` (PHP settings
included at the end, e.g. ``$wgRateLimits``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bots.dev import DevWikiError
from bots.dev import wikibase as devwiki_wikibase
from bots.dev.faults import WikiFaults
from bots.dev.settings import (
    MEDIAWIKI_DIR,
)
from bots.dev.setup import WikiSetup


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DevWiki(WikiSetup, WikiFaults):
    """One local wiki: a folder, a port, and the Wikibase bundle it installs."""

    dir: Path
    port: int = 8080
    host: str = "127.0.0.1"
    #: the offline Wikibase bundle (configuration key devwiki.wikibase)
    wikibase: Path = devwiki_wikibase.DEFAULT_BUNDLE

    @classmethod
    def from_api_url(
        cls,
        api: str,
        dir: str | os.PathLike[str],
        wikibase: str | os.PathLike[str] | None = None,
    ) -> DevWiki:
        parts = urlsplit(api)
        if parts.hostname not in ("127.0.0.1", "localhost"):
            raise DevWikiError(
                f"wiki.api is {api}; the dev wiki only runs on 127.0.0.1. "
                "Use config/devwiki.yaml (or --config) for `hubbot devwiki`."
            )
        return cls(
            dir=Path(dir).resolve(),
            port=parts.port or 80,
            host="127.0.0.1",
            wikibase=devwiki_wikibase.bundle_dir(wikibase),
        )

    # -- paths -------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api.php"

    def page_url(self, title: str) -> str:
        from urllib.parse import quote

        return f"{self.url}/index.php?title={quote(title.replace(' ', '_'), safe=':/')}"

    @property
    def settings(self) -> Path:
        return self.dir / "LocalSettings.php"

    @property
    def pid_file(self) -> Path:
        return self.dir / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.dir / "server.log"

    @property
    def database(self) -> Path:
        return self.dir / "data" / "devwiki.sqlite"

    @property
    def installed(self) -> bool:
        return self.database.exists() and self.settings.exists()

    @property
    def has_wikibase(self) -> bool:
        return devwiki_wikibase.installed(self.dir) is not None

    def _env(self) -> dict[str, str]:
        return dict(
            os.environ,
            MW_CONFIG_FILE=str(self.settings),
            HUB_IMAGES_DIR=str(self.dir / "images"),
            PHP_CLI_SERVER_WORKERS="4",
        )

    def _php(self, script: str, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            ["php", script, *args],
            cwd=MEDIAWIKI_DIR,
            env={**self._env(), **(env or {})},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            out = (result.stdout + result.stderr).strip().splitlines()[-10:]
            raise DevWikiError(f"php {script} failed:\n" + "\n".join(out))
        return result.stdout

    def php(self, script: str, *args: str) -> str:
        """Run a MediaWiki maintenance script against this wiki."""
        return self._php(script, *args)

    # -- server ------------------------------------------------------------
    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid

    def responding(self, timeout: float = 2.0) -> bool:
        try:
            r = requests.get(
                self.api_url,
                params={"action": "query", "meta": "siteinfo", "format": "json"},
                timeout=timeout,
            )
            return r.status_code == 200 and "query" in r.json()
        except (requests.RequestException, ValueError):
            return False

    def start(self, log: Callable[[str], None] = print) -> None:
        """Install if needed and serve; a wiki already running is left alone."""
        self.install(log)
        self.install_wikibase(log)
        self.write_settings()
        if self.pid() and self.responding():
            return
        if self._port_taken():
            raise DevWikiError(
                f"Port {self.port} on {self.host} is already used by another program. "
                "Stop it, or choose another port in wiki.api of your configuration."
            )
        log(f"Starting the dev wiki on {self.url}")
        log_handle = self.log_file.open("ab")
        proc = subprocess.Popen(
            [
                "php",
                "-d",
                "upload_max_filesize=2G",
                "-d",
                "post_max_size=2G",
                "-d",
                "memory_limit=512M",
                "-d",
                "max_execution_time=0",
                # settings files change at run time (extra.php, readonly): see them at once
                "-d",
                "opcache.revalidate_freq=0",
                "-S",
                f"{self.host}:{self.port}",
                "-t",
                str(MEDIAWIKI_DIR),
                str(self.dir / "router.php"),
            ],
            cwd=MEDIAWIKI_DIR,
            env=self._env(),
            stdout=log_handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.pid_file.write_text(str(proc.pid))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise DevWikiError(
                    f"The PHP server stopped at once; see {self.log_file}:\n"
                    + self.log_file.read_text(errors="replace")[-1000:]
                )
            if self.responding(timeout=1):
                return
            time.sleep(0.1)
        raise DevWikiError(f"The dev wiki did not answer within 30 s; see {self.log_file}.")

    def _port_taken(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            return s.connect_ex((self.host, self.port)) == 0

    def stop(self) -> bool:
        """Stop the server; returns whether one was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        for _ in range(50):
            try:
                # started by this process (tests, the demo): reap it, or it lingers as a zombie
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.pid_file.unlink(missing_ok=True)
        return True

    def reset(self, log: Callable[[str], None] = print) -> None:
        """A clean wiki: stop, delete everything, install, start."""
        self.stop()
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.start(log)

    def status(self) -> str:
        pid = self.pid()
        if not self.installed:
            return f"not installed (folder {self.dir})"
        missing = "" if self.has_wikibase else "; no Wikibase yet (`hubbot devwiki start` adds it)"
        if pid and self.responding():
            return f"running at {self.url} (pid {pid}, folder {self.dir}){missing}"
        if pid:
            return f"process {pid} is running but {self.api_url} does not answer"
        return f"stopped (folder {self.dir}){missing}"


if __name__ == "__main__":  # pragma: no cover - manual use
    DevWiki(Path(sys.argv[1])).start()
