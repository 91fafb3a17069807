"""A fresh dev wiki for each client, with the hub installed and requests counted.

Every client gets the same starting point: a new MediaWiki (same software,
same settings, empty database), the hub's templates and pages installed by
``hubbot install`` (so file pages render the same templates for everyone),
and the request log switched on. The wiki is stopped and its folder removed
afterwards unless it is to be kept for a look.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from bench.servers import WikiRequestLog, server_cpu_seconds
from bots.dev.accounts import DevAccount, account_password
from bots.dev.devwiki import DevWiki, free_port

REPO = Path(__file__).resolve().parents[1]
BOT = "HubBot"

#: Like Wikimedia wikis, which make thumbnails when a browser asks for one
#: (Thumbor), not while saving a page: otherwise every save of a page with a
#: gallery (the bot's status page) makes ImageMagick scale two dozen JPEGs
#: inside the save request, which no production wiki does.
PRODUCTION_LIKE_PHP = """
$wgGenerateThumbnailOnParse = false;
"""


@dataclass
class BenchWiki:
    """One running dev wiki and the hubbot configuration that points at it."""

    dev: DevWiki
    requests: WikiRequestLog
    config_path: Path
    work: Path

    @property
    def api(self) -> str:
        return self.dev.api_url

    def server_cpu(self) -> float:
        pid = self.dev.pid()
        return server_cpu_seconds(pid) if pid else 0.0

    def account(self, name: str) -> DevAccount:
        return DevAccount(self.api, name)

    def client_env(self, label: str) -> dict[str, str]:
        """Environment for a client process: no hubbot overrides, a private pywikibot dir."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
        pwb = self.work / f"pywikibot-{label}"
        pwb.mkdir(parents=True, exist_ok=True)
        # pywikibot keeps cookies and caches in PYWIKIBOT_DIR only when it holds a
        # user-config.py; otherwise in the working directory.
        (pwb / "user-config.py").write_text("# configured in code\n", encoding="utf-8")
        env["PYWIKIBOT_DIR"] = str(pwb)
        env["PYWIKIBOT_NO_USER_CONFIG"] = "2"
        env["BENCH_WIKI_PASSWORD"] = account_password(BOT)
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        return env

    def hubbot(self, *args: str) -> list[str]:
        """The command line of ``hubbot --config CONFIG ARGS``."""
        return [sys.executable, "-m", "bots.cli", "--config", str(self.config_path), *args]

    def file_count(self) -> int:
        """Files on the wiki now (every upload, any client), paging through allimages."""
        session = requests.Session()
        params = {
            "action": "query",
            "list": "allimages",
            "ailimit": "500",
            "aiprop": "",
            "format": "json",
        }
        total = 0
        while True:
            data = session.get(self.api, params=params, timeout=60).json()
            total += len(data["query"]["allimages"])
            if "continue" not in data:
                return total
            params.update(data["continue"])


def write_config(path: Path, api: str, wiki_dir: Path, work: Path) -> Path:
    data = {
        "wiki": {
            "api": api,
            "username": BOT,
            "password": account_password(BOT),
            "contact": "hubbot benchmark (local dev wiki)",
        },
        "hub": {"install_standins": True},
        # the scale runs read a CSV of a million records (about 350 MB)
        "sources": {"allow_private_addresses": True, "max_metadata_bytes": 2**30},
        "state": {"url": f"sqlite:///{work / 'state.sqlite3'}"},
        "upload": {"work_dir": str(work / "hubbot-work")},
        "devwiki": {"dir": str(wiki_dir)},
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    path.chmod(0o600)
    return path


@contextmanager
def fresh_wiki(root: Path, label: str, *, keep: bool = False, log=print) -> Iterator[BenchWiki]:
    """Start a new dev wiki under ``root/label``, install the hub, count its requests."""
    work = root / label
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    dev = DevWiki(dir=work / "wiki", port=free_port())
    log(f"[{label}] starting a fresh dev wiki")
    dev.start(lambda message: None)
    try:
        config_path = write_config(work / "hubbot.yaml", dev.api_url, dev.dir, work)
        wiki = BenchWiki(
            dev=dev,
            requests=WikiRequestLog.install(dev, PRODUCTION_LIKE_PHP),
            config_path=config_path,
            work=work,
        )
        result = subprocess.run(
            wiki.hubbot("install"),
            env=wiki.client_env("install"),
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"hubbot install failed:\n{result.stderr[-2000:]}")
        yield wiki
    except BaseException:
        keep = True  # the logs and the wiki are what explains the failure
        log(f"[{label}] kept for a look: {work}")
        raise
    finally:
        dev.stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
