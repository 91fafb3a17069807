"""The dev wiki's accounts: their passwords (loopback only), and a plain session for tests."""

from __future__ import annotations

from typing import Any

import requests

from bots.dev import DevWikiError
from bots.dev.settings import ACCOUNTS


def account_password(name: str) -> str:
    for account, password, _ in ACCOUNTS:
        if account == name:
            return password
    raise KeyError(name)


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

    def _get(self, **params: str) -> dict[str, Any]:
        params.setdefault("format", "json")
        params["formatversion"] = "2"
        answer: dict[str, Any] = self.session.get(self.api_url, params=params, timeout=60).json()
        return answer

    def _post(self, **params: str) -> dict[str, Any]:
        params.setdefault("format", "json")
        params["formatversion"] = "2"
        answer: dict[str, Any] = self.session.post(self.api_url, data=params, timeout=60).json()
        return answer

    def text(self, title: str) -> str | None:
        data = self._get(
            action="query", prop="revisions", titles=title, rvprop="content", rvslots="main"
        )
        page = data["query"]["pages"][0]
        if page.get("missing"):
            return None
        return str(page["revisions"][0]["slots"]["main"]["content"])

    def edit(self, title: str, text: str, summary: str) -> dict[str, Any]:
        token = self._get(action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
        result = self._post(action="edit", title=title, text=text, summary=summary, token=token)
        if result.get("edit", {}).get("result") != "Success":
            raise DevWikiError(f"{self.name} could not edit {title}: {result}")
        return result

    def create_item(self, label: str, description: str, instance_of: str = "") -> str:
        """A new Wikibase item on the dev wiki (as a volunteer on Wikidata would make one)."""
        import json

        data: dict[str, Any] = {
            "labels": {"en": {"language": "en", "value": label}},
            "descriptions": {"en": {"language": "en", "value": description}},
        }
        if instance_of:
            value = {"entity-type": "item", "id": instance_of}
            snak = {
                "snaktype": "value",
                "property": "P31",
                "datavalue": {"type": "wikibase-entityid", "value": value},
            }
            data["claims"] = [{"mainsnak": snak, "type": "statement", "rank": "normal"}]
        token = self._get(action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
        result = self._post(
            action="wbeditentity",
            new="item",
            data=json.dumps(data),
            summary="new item",
            token=token,
        )
        if "entity" not in result:
            raise DevWikiError(f"{self.name} could not create the item {label}: {result}")
        return str(result["entity"]["id"])

    def page_id(self, title: str) -> int:
        """A page's id (a file's MediaInfo entity is ``M`` and this number); 0 when missing."""
        page = self._get(action="query", titles=title)["query"]["pages"][0]
        return int(page.get("pageid", 0))
