"""The machine a run was made on: figures mean little without it."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

from bots.dev.settings import MEDIAWIKI_DIR


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def mediawiki_version() -> str:
    try:
        text = (MEDIAWIKI_DIR / "includes" / "Defines.php").read_text()
    except OSError:
        return "not installed"
    match = re.search(r"define\(\s*'MW_VERSION',\s*'([^']+)'", text)
    return match.group(1) if match else "unknown"


def php_version() -> str:
    try:
        out = subprocess.run(["php", "-r", "echo PHP_VERSION;"], capture_output=True, text=True)
    except OSError:
        return "not installed"
    return out.stdout.strip() or "unknown"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def source_revision(repo: Path) -> str:
    """The commit measured, and whether the bot's code differs from it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
        )
        changed = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--", "bots", "wiki_templates"],
            capture_output=True,
            text=True,
        )
    except OSError:
        return "unknown (git is missing)"
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    dirty = " with uncommitted changes to bots/" if changed.stdout.strip() else ""
    return head.stdout.strip() + dirty


def describe(repo: Path) -> dict[str, str]:
    load = os.getloadavg()
    return {
        "hubbot commit": source_revision(repo),
        "CPU": f"{cpu_model()}, {os.cpu_count()} cores (nproc)",
        "memory": f"{memory_total_gb():.1f} GB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "MediaWiki": f"{mediawiki_version()} (Debian package, SQLite, PHP built-in server)",
        "PHP": php_version(),
        "pywikibot": package_version("pywikibot"),
        "pywikibot-scripts": package_version("pywikibot-scripts"),
        "load average at start": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    }
