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
from bots.dev.wikibase import WikibaseBundleError

MEDIAWIKI_DIR = Path("/usr/share/mediawiki")
DEBIAN_PACKAGES = (
    "mediawiki",
    "php-cli",
    "php-sqlite3",
    "php-intl",
    "php-mbstring",
    "php-xml",
    "php-curl",
    "imagemagick",
)

#: The accounts every dev wiki has. Passwords are for this loopback wiki only.
#: (name, password, groups)
ACCOUNTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Admin", "admin-dev-password-1", ("sysop", "bureaucrat", "interface-admin")),
    ("HubBot", "hubbot-dev-password-1", ("bot",)),
    ("Partner", "partner-dev-password-1", ()),
    ("Volunteer", "volunteer-dev-password-1", ()),
    ("Reviewer", "reviewer-dev-password-1", ("sysop",)),
)

EXTENSIONS = ("ParserFunctions", "InputBox", "TemplateData", "Interwiki")

#: Extensions of Wikimedia wikis that refuse uploads on their own grounds; tests
#: load them (with :meth:`DevWiki.load_blacklists`) to meet their refusals for real.
BLACKLIST_SETTINGS_PHP = """
wfLoadExtension('TitleBlacklist');
$wgTitleBlacklistSources = ['local' => ['type' => 'localpage', 'src' => 'MediaWiki:Titleblacklist']];
wfLoadExtension('SpamBlacklist');
$wgSpamBlacklistFiles = ['[[MediaWiki:Spam-blacklist]]'];
$wgBlacklistSettings = ['spam' => ['files' => ['[[MediaWiki:Spam-blacklist]]']]];
wfLoadExtension('AbuseFilter');
$wgGroupPermissions['sysop']['abusefilter-modify'] = true;
"""

FILE_EXTENSIONS = ("png gif jpg jpeg tif tiff svg pdf ogg oga ogv opus mp3 wav flac webm").split()

ROUTER_PHP = r"""<?php
// Uploaded files come from the wiki's own folder, the web assets of the Wikibase
// bundle's extensions from the wiki's copy of the bundle (ResourceLoader links them
// below /extensions/, like MediaWiki's own); everything else is MediaWiki.
function hub_serve_file(string $base, string $relative): void {
    $base = realpath($base);
    $file = $base === false ? false : realpath($base . '/' . $relative);
    if ($file === false || strncmp($file, $base . '/', strlen($base) + 1) !== 0
        || !is_file($file) || preg_match('/\.(php|phtml|phar)$/i', $file)) {
        http_response_code(404);
        echo "Not found";
        return;
    }
    // browsers refuse style sheets and scripts of another type
    $types = ['css' => 'text/css', 'js' => 'application/javascript', 'json' => 'application/json',
        'svg' => 'image/svg+xml'];
    $ext = strtolower(pathinfo($file, PATHINFO_EXTENSION));
    $type = $types[$ext] ?? (mime_content_type($file) ?: 'application/octet-stream');
    header('Content-Type: ' . $type);
    header('Content-Length: ' . filesize($file));
    readfile($file);
}
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));
$prefix = '/images/';
if (strncmp($path, $prefix, strlen($prefix)) === 0) {
    hub_serve_file(getenv('HUB_IMAGES_DIR'), substr($path, strlen($prefix)));
    return true;
}
if (preg_match('#^/extensions/([^/]+)/(.+)$#', $path, $m)
    && is_dir(__DIR__ . '/wikibase-bundle/extensions/' . $m[1])) {
    hub_serve_file(__DIR__ . '/wikibase-bundle/extensions/' . $m[1], $m[2]);
    return true;
}
return false;
"""

REQUIRE_HUB_SETTINGS = 'require_once __DIR__ . "/HubSettings.php";'

HUB_SETTINGS_PHP = """<?php
// Settings of the hub's development wiki, written by `hubbot devwiki`.
$hubDir = __DIR__;
$wgServer = 'http://' . ($_SERVER['HTTP_HOST'] ?? '127.0.0.1:{port}');
$wgCanonicalServer = $wgServer;
$wgMetaNamespace = 'Project';
$wgSitename = 'Hub dev wiki';
$wgUploadDirectory = "$hubDir/images";
$wgUploadPath = '/images';
$wgTmpDirectory = "$hubDir/tmp";
$wgCacheDirectory = "$hubDir/cache";
$wgReadOnlyFile = "$hubDir/readonly";
// maintenance runs started by tests may shorten how long stashed uploads are kept
$wgUploadStashMaxAge = (int)(getenv('HUB_UPLOAD_STASH_MAX_AGE') ?: 6 * 3600);
$wgEnableUploads = true;
$wgFileExtensions = {extensions};
$wgMaxUploadSize = 5 * 1024 * 1024 * 1024;
$wgEnableBotPasswords = true;
$wgShowExceptionDetails = true;
$wgEnableEmail = false;
$wgEnableUserEmail = false;
$wgGroupPermissions['*']['createaccount'] = false;
$wgGroupPermissions['*']['edit'] = false;
$wgGroupPermissions['user']['upload_by_url'] = false;
// like bots on Wikimedia wikis; tests that need real rate limits take it away
$wgGroupPermissions['bot']['noratelimit'] = true;
// run queued jobs on page views, so pages that transclude a status page refresh
$wgJobRunRate = 1;
$wgLogos = ['1x' => '/resources/assets/mediawiki.png'];
// thumbnails made when a browser asks (as Wikimedia wikis do), not inside every save
$wgGenerateThumbnailOnParse = false;
$wgThumbnailScriptPath = "$wgScriptPath/thumb.php";
$wgRCMaxAge = 365 * 24 * 3600;
$wgPasswordPolicy['policies']['default']['PasswordNotInCommonList'] = false;
$wgPasswordPolicy['policies']['sysop']['PasswordNotInCommonList'] = false;
$wgPasswordPolicy['policies']['bot']['PasswordNotInCommonList'] = false;
wfLoadExtensions({extension_list});
$wgCapitalLinks = true;
// the bundle's settings (above this file) took the URL install.sh saw
$wgMediaInfoExternalEntitySearchBaseUri = "$wgServer/api.php";
if (is_file("$hubDir/extra.php")) {{
    require "$hubDir/extra.php";
}}
"""


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
class DevWiki:
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

    # -- faults for tests ---------------------------------------------------
    def set_read_only(self, reason: str | None) -> None:
        path = self.dir / "readonly"
        if reason is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(reason, encoding="utf-8")

    def set_extra_settings(self, php: str | None) -> None:
        path = self.dir / "extra.php"
        if php is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text("<?php\n" + php + "\n", encoding="utf-8")

    def load_blacklists(self, php: str = "") -> None:
        """Load TitleBlacklist, SpamBlacklist and AbuseFilter (plus ``php``) via extra.php.

        Creates AbuseFilter's tables the first time. The lists themselves are
        wiki pages (MediaWiki:Titleblacklist, MediaWiki:Spam-blacklist) that a
        test edits as an administrator; filters come from :meth:`add_abuse_filter`.
        """
        self.set_extra_settings(BLACKLIST_SETTINGS_PHP + php)
        if not (self.dir / "abusefilter-tables").exists():
            self._php("maintenance/update.php", "--quick")
            (self.dir / "abusefilter-tables").write_text("created\n", encoding="utf-8")

    def add_abuse_filter(self, pattern: str, description: str, action: str = "disallow") -> int:
        """An enabled AbuseFilter rule (needs :meth:`load_blacklists`); returns its id.

        AbuseFilter has no API to create filters, so the row is written the way
        Special:AbuseFilter would write it.
        """
        import sqlite3

        with sqlite3.connect(self.dir / "data" / "devwiki.sqlite", timeout=30) as db:
            cursor = db.execute(
                "INSERT INTO abuse_filter (af_pattern, af_user, af_user_text, af_timestamp, "
                "af_enabled, af_comments, af_public_comments, af_actions) "
                "VALUES (?, 1, 'Admin', ?, 1, '', ?, ?)",
                (pattern, time.strftime("%Y%m%d%H%M%S", time.gmtime()), description, action),
            )
            filter_id = int(cursor.lastrowid or 0)
            db.execute(
                "INSERT INTO abuse_filter_action (afa_filter, afa_consequence, afa_parameters) "
                "VALUES (?, ?, '')",
                (filter_id, action),
            )
        return filter_id

    def remove_abuse_filters(self) -> None:
        import sqlite3

        with sqlite3.connect(self.dir / "data" / "devwiki.sqlite", timeout=30) as db:
            db.execute("DELETE FROM abuse_filter_action")
            db.execute("DELETE FROM abuse_filter")

    def expire_upload_stash(self) -> str:
        """Delete every stashed upload now, as the wiki's cleanup job does with old ones."""
        return self._php(
            "maintenance/cleanupUploadStash.php", env={"HUB_UPLOAD_STASH_MAX_AGE": "1"}
        )


def account_password(name: str) -> str:
    for account, password, _ in ACCOUNTS:
        if account == name:
            return password
    raise KeyError(name)


if __name__ == "__main__":  # pragma: no cover - manual use
    DevWiki(Path(sys.argv[1])).start()


class DevAccount:
    """A human of the demo (partner, volunteer, reviewer) with a session of its own.

    The bot uses pywikibot, which keeps one login per process; the people in a
    demo are separate sessions, as they would be in separate browsers.
    """

    def __init__(self, api_url: str, name: str, password: str | None = None) -> None:
        self.api_url = api_url
        self.name = name
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "hubbot-demo (local development wiki)"
        token = self._get(action="query", meta="tokens", type="login")["query"]["tokens"][
            "logintoken"
        ]
        result = self._post(
            action="clientlogin",
            username=name,
            password=password or account_password(name),
            logintoken=token,
            loginreturnurl="http://127.0.0.1/",
        )
        if result.get("clientlogin", {}).get("status") != "PASS":
            raise DevWikiError(f"{name} could not log in to {api_url}: {result}")

    def _get(self, **params: str) -> dict:
        params.setdefault("format", "json")
        params["formatversion"] = "2"
        return self.session.get(self.api_url, params=params, timeout=60).json()

    def _post(self, **params: str) -> dict:
        params.setdefault("format", "json")
        params["formatversion"] = "2"
        return self.session.post(self.api_url, data=params, timeout=60).json()

    def text(self, title: str) -> str | None:
        data = self._get(
            action="query", prop="revisions", titles=title, rvprop="content", rvslots="main"
        )
        page = data["query"]["pages"][0]
        if page.get("missing"):
            return None
        return page["revisions"][0]["slots"]["main"]["content"]

    def edit(self, title: str, text: str, summary: str) -> dict:
        token = self._get(action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
        result = self._post(action="edit", title=title, text=text, summary=summary, token=token)
        if result.get("edit", {}).get("result") != "Success":
            raise DevWikiError(f"{self.name} could not edit {title}: {result}")
        return result
