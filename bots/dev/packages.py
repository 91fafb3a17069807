"""The Debian packages the dev wiki needs, installed when missing (as root)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

from bots.dev import DevWikiError
from bots.dev.settings import (
    DEBIAN_PACKAGES,
    MEDIAWIKI_DIR,
)


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


def ensure_packages(log: Callable[[str], None] = print) -> None:
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
