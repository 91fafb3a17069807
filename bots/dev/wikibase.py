"""The real Wikibase and WikibaseMediaInfo on the dev wiki, from the offline bundle.

The bundle (``shared/wikibase`` beside the repository unless the configuration
key ``devwiki.wikibase`` names another folder) holds the REL1_39 code of
Wikibase, WikibaseMediaInfo and their PHP libraries, and an ``install.sh`` that
sets them up on Debian's MediaWiki. That script is run as it is, so the bundle
stays the one place that knows how Wikibase is configured; this module only
decides when to run it and records that it ran.

One wiki is then both the Wikibase (items ``Q…`` and properties ``P…`` with
Wikidata's ids) and the file wiki (each upload has a MediaInfo entity
``M<page id>``), as the structured-data features expect of Commons and Wikidata.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from bots import REPO_DIR

#: ``<repository>/../shared/wikibase``
DEFAULT_BUNDLE = REPO_DIR.parent / "shared" / "wikibase"
INSTALL_SCRIPT = "install.sh"
TARBALL = "wikibase-bundle-REL1_39.tar.gz"
PROPERTIES = "wikidata-properties.tsv"
#: written into the wiki's folder once install.sh succeeded: the bundle it came from
MARKER = "wikibase-installed"
#: where install.sh unpacks the bundle (its default: inside the wiki's folder)
UNPACKED = "wikibase-bundle"

#: Wikibase's schema updater registers a rebuild of the item term store unless
#: this row is in MediaWiki's ``updatelog``. On a fresh wiki it skips the rebuild
#: without writing the row, so every later update.php would walk every item id
#: up to the highest one (Q88088423 here, 250 at a time): hours. The terms are
#: written by Wikibase's own store as the items are created, so there is nothing
#: to rebuild, and the row says so.
ITEM_TERMS_REBUILT = "Wikibase\\Repo\\Store\\Sql\\DatabaseSchemaUpdater::rebuildItemTerms"


class WikibaseBundleError(Exception):
    """The bundle is missing or its installer failed; the message says what to do."""


def bundle_dir(configured: str | os.PathLike[str] | None = None) -> Path:
    """The configured bundle folder, or the default one beside the repository."""
    if configured is None or str(configured) == "":
        return DEFAULT_BUNDLE
    return Path(configured).expanduser().resolve()


def fingerprint(bundle: Path) -> str:
    """What identifies the bundle (its code and its list of entities).

    Fails with one sentence naming the folder when the bundle is not there: the
    dev wiki and the tests must never go on without Wikibase.
    """
    missing = [
        name for name in (INSTALL_SCRIPT, TARBALL, PROPERTIES) if not (bundle / name).is_file()
    ]
    if missing:
        where = (
            f"{bundle} has no {' and no '.join(missing)}"
            if bundle.is_dir()
            else f"there is no folder {bundle}"
        )
        raise WikibaseBundleError(
            f"The dev wiki installs Wikibase from the offline bundle, but {where}: set "
            "devwiki.wikibase (or HUBBOT_DEVWIKI_WIKIBASE) to the folder that holds the "
            "bundle's install.sh."
        )
    digest = hashlib.sha256()
    for name in (TARBALL, PROPERTIES):
        digest.update((bundle / name).read_bytes())
    return digest.hexdigest()


def installed(wiki_dir: Path) -> tuple[str, str] | None:
    """(fingerprint, server URL) of the bundle install.sh installed, or None."""
    try:
        fields = (wiki_dir / MARKER).read_text(encoding="utf-8").split()
    except OSError:
        return None
    return (fields[0], fields[1]) if len(fields) >= 2 else None


def install(
    wiki_dir: Path,
    database: Path,
    bundle: Path,
    server: str,
    env: Mapping[str, str],
    log: Callable[[str], object] = print,
) -> float | None:
    """Run the bundle's install.sh on the wiki unless this bundle is installed already.

    Returns the seconds it took, or None when nothing had to be done. install.sh
    is idempotent (settings appended once, existing entities skipped), so a wiki
    whose bundle changed simply gets it again. ``server`` is the wiki's URL:
    install.sh registers the wiki in its own ``sites`` table under that URL (as
    ``commonswiki``, for sitelinks), so a wiki that moved to another port is
    registered again.
    """
    wanted = fingerprint(bundle)
    done = installed(wiki_dir)
    if done == (wanted, server):
        return None
    log(f"Installing Wikibase and WikibaseMediaInfo from {bundle}")
    started = time.monotonic()
    mark_item_terms_rebuilt(database)
    if done is not None and done[1] != server:
        forget_site(database)
    result = subprocess.run(
        ["bash", str(bundle / INSTALL_SCRIPT), str(wiki_dir)],
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
        raise WikibaseBundleError(
            f"Installing Wikibase from {bundle} failed (`hubbot devwiki reset` starts a "
            f"fresh wiki if this one cannot take it):\n{tail}"
        )
    (wiki_dir / MARKER).write_text(f"{wanted} {server} {bundle}\n", encoding="utf-8")
    return time.monotonic() - started


def mark_item_terms_rebuilt(database: Path) -> None:
    """Record in ``updatelog`` that the item term store needs no rebuild (see above)."""
    with sqlite3.connect(database, timeout=30) as db:
        db.execute("INSERT OR IGNORE INTO updatelog (ul_key) VALUES (?)", (ITEM_TERMS_REBUILT,))


def forget_site(database: Path) -> None:
    """Remove this wiki's own ``commonswiki`` entry, so install.sh adds it with the new URL."""
    with sqlite3.connect(database, timeout=30) as db:
        row = db.execute(
            "SELECT site_id FROM sites WHERE site_global_key = 'commonswiki'"
        ).fetchone()
        if row is not None:
            db.execute("DELETE FROM site_identifiers WHERE si_site = ?", (row[0],))
            db.execute("DELETE FROM sites WHERE site_id = ?", (row[0],))
