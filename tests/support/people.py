"""The humans of the workflow (partner, volunteer, reviewer, admin) in tests.

They talk to the wiki through mwclient, each with a session of their own;
the bot alone uses pywikibot (which keeps one login per process).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import mwclient

from bots.dev.accounts import account_password


class Person:
    def __init__(self, api_url: str, name: str) -> None:
        parts = urlsplit(api_url)
        self.name = name
        self.site = mwclient.Site(
            f"{parts.hostname}:{parts.port}",
            path=parts.path.rsplit("/", 1)[0] + "/",
            scheme=parts.scheme,
            clients_useragent="hubbot-tests",
        )
        self.site.login(name, account_password(name))

    def api(self, action: str, **params: Any) -> dict:
        return self.site.api(action, http_method="POST", **params)

    def edit(self, title: str, text: str, summary: str = "test edit") -> dict:
        return self.api(
            "edit", title=title, text=text, summary=summary, token=self.site.get_token("csrf")
        )

    def upload(self, filename: str, data: bytes, page_text: str) -> dict:
        """Upload a file as this person (another tool's upload, for batch edits)."""
        import io

        return self.site.upload(
            io.BytesIO(data), filename=filename, description=page_text, comment="test upload"
        )

    def text(self, title: str) -> str:
        return self.site.pages[title].text()

    def block(self, user: str, reason: str = "test") -> dict:
        return self.api(
            "block", user=user, reason=reason, expiry="infinite", token=self.site.get_token("csrf")
        )

    def unblock(self, user: str) -> dict:
        return self.api("unblock", user=user, token=self.site.get_token("csrf"))

    def protect(self, title: str, protections: str = "edit=sysop|move=sysop") -> dict:
        return self.api(
            "protect", title=title, protections=protections, token=self.site.get_token("csrf")
        )

    def delete(self, title: str, reason: str = "test") -> dict:
        return self.api("delete", title=title, reason=reason, token=self.site.get_token("csrf"))

    def edit_file_data(self, file_title: str, data: dict, summary: str = "test") -> dict:
        """A ``wbeditentity`` on a file's MediaInfo entity (captions, statements), as a person."""
        import json

        return self.api(
            "wbeditentity",
            site="commonswiki",
            title=file_title,
            data=json.dumps(data),
            summary=summary,
            token=self.site.get_token("csrf"),
        )
