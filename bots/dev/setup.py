"""Installing a dev wiki: MediaWiki's installer, the hub's settings, the Wikibase bundle."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from bots.dev import DevWikiError
from bots.dev import wikibase as devwiki_wikibase
from bots.dev.packages import ensure_packages
from bots.dev.settings import (
    ACCOUNTS,
    EXTENSIONS,
    FILE_EXTENSIONS,
    HUB_SETTINGS_PHP,
    MEDIAWIKI_DIR,
    REQUIRE_HUB_SETTINGS,
    ROUTER_PHP,
)
from bots.dev.wikibase import WikibaseBundleError


class WikiSetup:
    """Mixed into :class:`bots.dev.devwiki.DevWiki`: making and updating its folder."""

    dir: Path
    port: int
    host: str
    wikibase: Path

    @property
    def settings(self) -> Path:
        raise NotImplementedError

    @property
    def url(self) -> str:
        raise NotImplementedError

    @property
    def database(self) -> Path:
        raise NotImplementedError

    @property
    def installed(self) -> bool:
        raise NotImplementedError

    def _env(self) -> dict[str, str]:
        raise NotImplementedError

    def _php(self, script: str, *args: str, env: dict[str, str] | None = None) -> str:
        raise NotImplementedError

    def install(self, log: Callable[[str], None] = print) -> None:
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

    def install_wikibase(self, log: Callable[[str], None] = print) -> None:
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
