"""Faults a test can give the dev wiki for real, without a restart.

Two files in the wiki's folder do it: ``readonly`` (its text becomes
``$wgReadOnly``) and ``extra.php`` (PHP settings included at the end, e.g.
``$wgRateLimits``); AbuseFilter rules are written as Special:AbuseFilter
writes them.
"""

from __future__ import annotations

import time
from pathlib import Path

from bots.dev.settings import BLACKLIST_SETTINGS_PHP


class WikiFaults:
    """Mixed into :class:`bots.dev.devwiki.DevWiki`: real faults on cue."""

    dir: Path

    def _php(self, script: str, *args: str, env: dict[str, str] | None = None) -> str:
        raise NotImplementedError

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
