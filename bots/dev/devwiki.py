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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bots.dev import wikibase as devwiki_wikibase
from bots.dev.faults import WikiFaults
from bots.dev.settings import (
    ACCOUNTS,
    DEBIAN_PACKAGES,
    EXTENSIONS,
    FILE_EXTENSIONS,
    HUB_SETTINGS_PHP,
    MEDIAWIKI_DIR,
    REQUIRE_HUB_SETTINGS,
    ROUTER_PHP,
)
from bots.dev.wikibase import WikibaseBundleError


class DevWikiError(Exception):
    """Something stopped the dev wiki from starting; the message says what to do."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing_packages() -> list[str]:
    missing = []
    if not (MEDIAWIKI_DIR / "maintenance" / "install.php").exists():
        missing.append("mediawiki")
    if shutil.which("php") is None:
        missing.append("php-cli")
    else:
        modules = subprocess.run(
            ["php", "-m"], capture_output=True, text=True, check=False
        ).stdout.lower()
        for module, package in (
            ("pdo_sqlite", "php-sqlite3"),
            ("intl", "php-intl"),
            ("mbstring", "php-mbstring"),
            ("xml", "php-xml"),
            ("curl", "php-curl"),
        ):
            if module not in modules:
                missing.append(package)
    if shutil.which("convert") is None:
        missing.append("imagemagick")
    return missing


def ensure_packages(log=print) -> None:
    """Install Debian's MediaWiki and PHP when missing (as root), else say how."""
    missing = missing_packages()
    if not missing:
        return
    command = (
        "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "
        "--no-install-recommends " + " ".join(DEBIAN_PACKAGES)
    )
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise DevWikiError(
            f"The dev wiki needs Debian packages that are missing ({', '.join(missing)}). "
            f"Install them as root with: {command}"
        )
    log(f"Installing Debian packages: {', '.join(DEBIAN_PACKAGES)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for args in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *DEBIAN_PACKAGES],
    ):
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = "\n".join(result.stderr.strip().splitlines()[-5:])
            raise DevWikiError(f"{' '.join(args)} failed:\n{tail}\nTry by hand: {command}")


@dataclass
class DevWiki(WikiFaults):
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

    # -- install -----------------------------------------------------------
    def install(self, log=print) -> None:
        """Create the database, settings and accounts (once)."""
        if self.installed:
            return
        ensure_packages(log)
        self._check_bundle()  # before anything is written: no wiki without Wikibase
        log(f"Installing MediaWiki into {self.dir}")
        if self.dir.exists():
            shutil.rmtree(self.dir)
        for sub in ("data", "images", "tmp", "cache"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        admin_name, admin_password, _ = ACCOUNTS[0]
        self._php(
            "maintenance/install.php",
            "--dbtype=sqlite",
            f"--dbpath={self.dir / 'data'}",
            "--dbname=devwiki",
            f"--confpath={self.dir}",
            f"--server=http://{self.host}:{self.port}",
            "--scriptpath=",
            "--lang=en",
            f"--extensions={','.join(EXTENSIONS)}",
            f"--pass={admin_password}",
            "Hub dev wiki",
            admin_name,
        )
        self.write_settings()
        self._hub_settings_last()
        # install.php ran before HubSettings (namespace name, uploads); update.
        self._php("maintenance/update.php", "--quick")
        for name, password, groups in ACCOUNTS:
            args = ["maintenance/createAndPromote.php", "--force"]
            for group in groups:
                if group in ("sysop", "bureaucrat", "interface-admin", "bot"):
                    args.append(f"--{group}")
                else:
                    args.append(f"--custom-groups={group}")
            self._php(*args, name, password)

    def install_wikibase(self, log=print) -> None:
        """Wikibase and WikibaseMediaInfo from the bundle (once; again if the bundle changed).

        The bundle's install.sh appends its settings to LocalSettings.php; the
        hub's own settings are then moved after them, so that ours (and a test's
        extra.php) have the last word.
        """
        try:
            seconds = devwiki_wikibase.install(
                self.dir,
                self.database,
                self.wikibase,
                f"http://{self.host}:{self.port}",
                {**self._env(), "MW_INSTALL_PATH": str(MEDIAWIKI_DIR)},
                log,
            )
        except WikibaseBundleError as e:
            raise DevWikiError(str(e)) from None
        self._hub_settings_last()
        if seconds is not None:
            log(f"Wikibase installed in {seconds:.1f} s")

    def _check_bundle(self) -> None:
        try:
            devwiki_wikibase.fingerprint(self.wikibase)
        except WikibaseBundleError as e:
            raise DevWikiError(str(e)) from None

    def _hub_settings_last(self) -> None:
        """Make including HubSettings.php the last line of LocalSettings.php."""
        lines = self.settings.read_text(encoding="utf-8").rstrip("\n").split("\n")
        if lines[-1] == REQUIRE_HUB_SETTINGS:
            return
        kept = [line for line in lines if line.strip() != REQUIRE_HUB_SETTINGS]
        text = "\n".join(kept).rstrip("\n") + "\n\n" + REQUIRE_HUB_SETTINGS + "\n"
        self.settings.write_text(text, encoding="utf-8")

    def write_settings(self) -> None:
        """The hub's settings and the router; rewritten at every start, so changes apply."""
        (self.dir / "HubSettings.php").write_text(
            HUB_SETTINGS_PHP.format(
                port=self.port,
                extensions="[" + ", ".join(f"'{e}'" for e in FILE_EXTENSIONS) + "]",
                extension_list="[" + ", ".join(f"'{e}'" for e in EXTENSIONS) + "]",
            ),
            encoding="utf-8",
        )
        (self.dir / "router.php").write_text(ROUTER_PHP, encoding="utf-8")

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

    def start(self, log=print) -> None:
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

    def reset(self, log=print) -> None:
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
