"""The test wiki is a real Wikibase with WikibaseMediaInfo, reached through the bot's connection.

One wiki plays Wikidata and Commons: items and properties carry Wikidata's ids,
and every uploaded file has its MediaInfo entity ``M<page id>``. What the
structured-data features rely on is checked here against the real software;
the dev wiki's own start (bundle missing, an older wiki getting Wikibase,
idempotent restarts) is checked on wikis of their own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import requests
import yaml

from bots.dev.accounts import account_password
from bots.dev.devwiki import DevWiki, free_port
from bots.dev.settings import MEDIAWIKI_DIR, REQUIRE_HUB_SETTINGS
from bots.wiki import Uploaded
from tests.faults.helpers import unique_png

#: id -> (datatype, English label): Wikidata's, as the structured-data features use them
PROPERTIES = {
    "P31": ("wikibase-item", "instance of"),
    "P137": ("wikibase-item", "operator"),
    "P170": ("wikibase-item", "creator"),
    "P180": ("wikibase-item", "depicts"),
    "P195": ("wikibase-item", "collection"),
    "P217": ("string", "inventory number"),
    "P275": ("wikibase-item", "copyright license"),
    "P571": ("time", "inception"),
    "P813": ("time", "retrieved"),
    "P854": ("url", "reference URL"),
    "P973": ("url", "described at URL"),
    "P1476": ("monolingualtext", "title"),
    "P2048": ("quantity", "height"),
    "P6216": ("wikibase-item", "copyright status"),
    "P6243": ("wikibase-item", "digital representation of"),
    "P7482": ("wikibase-item", "source of file"),
}

ITEMS = {
    "Q5": "human",
    "Q3305213": "painting",
    "Q6938433": "Creative Commons CC0 License",
    "Q18199165": "Creative Commons Attribution-ShareAlike 4.0 International",
    "Q20007257": "Creative Commons Attribution 4.0 International",
    "Q50423863": "copyrighted",
    "Q74228490": "file available on the internet",
    "Q88088423": "copyrighted, dedicated to the public domain by copyright holder",
}


def entities(bot, ids: str) -> dict:
    return bot.call(action="wbgetentities", ids=ids, languages="en")["entities"]


def item_value(qid: str) -> dict:
    return {
        "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
        "type": "wikibase-entityid",
    }


def statement(pid: str, datavalue: dict) -> dict:
    return {
        "mainsnak": {"snaktype": "value", "property": pid, "datavalue": datavalue},
        "type": "statement",
        "rank": "normal",
    }


def test_wikidata_properties_and_items_exist_with_their_ids(bot):
    found = entities(bot, "|".join([*PROPERTIES, *ITEMS]))
    for pid, (datatype, label) in PROPERTIES.items():
        assert found[pid]["type"] == "property", pid
        assert found[pid]["datatype"] == datatype, pid
        assert found[pid]["labels"]["en"]["value"] == label, pid
    for qid, label in ITEMS.items():
        assert found[qid]["type"] == "item", qid
        assert found[qid]["labels"]["en"]["value"] == label, qid


def test_hub_settings_and_accounts_hold_beside_wikibase(bot):
    info = bot.call(action="query", meta="siteinfo", siprop="namespaces|extensions")["query"]
    namespaces = {int(k): v for k, v in info["namespaces"].items()}
    assert namespaces[4]["name"] == "Project"  # the hub's root
    assert namespaces[120]["name"] == "Item" and namespaces[122]["name"] == "Property"
    assert namespaces[6]["case"] == "first-letter"  # $wgCapitalLinks, as on Commons
    loaded = {e["name"] for e in info["extensions"]}
    assert {"WikibaseRepository", "WikibaseClient", "WikibaseMediaInfo"} <= loaded
    assert {"ParserFunctions", "InputBox", "TemplateData"} <= loaded
    users = bot.call(
        action="query", list="users", ususers="Admin|HubBot|Reviewer", usprop="groups"
    )["query"]["users"]
    groups = {u["name"]: set(u["groups"]) for u in users}
    assert "bot" in groups["HubBot"] and "sysop" in groups["Reviewer"]
    assert "sysop" in groups["Admin"]


def test_bot_creates_an_item_and_finds_it_by_label(bot):
    label = f"Hub test painting {uuid.uuid4().hex[:10]}"
    data = {
        "labels": {"en": {"language": "en", "value": label}},
        "descriptions": {"en": {"language": "en", "value": "painting made by a test"}},
        "claims": [statement("P31", item_value("Q3305213"))],
    }
    created = bot.post(
        {"action": "wbeditentity", "new": "item", "data": json.dumps(data), "bot": 1}
    )
    qid = created["entity"]["id"]
    assert int(qid[1:]) > 88088423  # after the fixed Wikidata ids, never among them
    item = entities(bot, qid)[qid]
    assert item["labels"]["en"]["value"] == label
    assert item["claims"]["P31"][0]["mainsnak"]["datavalue"]["value"]["id"] == "Q3305213"

    found = bot.call(
        action="wbsearchentities", search=label[:-3], language="en", type="item", limit=10
    )["search"]
    assert [hit["id"] for hit in found] == [qid]
    known = bot.call(
        action="wbsearchentities", search="Creative Commons CC0", language="en", type="item"
    )["search"]
    assert "Q6938433" in [hit["id"] for hit in known]


def test_an_upload_gets_a_mediainfo_entity_with_captions_and_statements(bot, devwiki, tmp_path):
    path = tmp_path / "sample.png"
    path.write_bytes(unique_png())
    title = f"File:Hub structured data test {uuid.uuid4().hex[:10]}.png"
    outcome = bot.upload(title, path, "A test file.", "Test upload", mime="image/png")
    assert isinstance(outcome, Uploaded)
    page = bot.call(action="query", titles=title)["query"]["pages"][0]
    mid = f"M{page['pageid']}"
    assert "missing" in entities(bot, mid)[mid]  # no structured data yet

    caption = "A small test image"
    data = {
        "labels": {"en": {"language": "en", "value": caption}},
        "claims": [
            statement("P180", item_value("Q5")),
            statement("P275", item_value("Q6938433")),
        ],
    }
    edited = bot.post({"action": "wbeditentity", "id": mid, "data": json.dumps(data), "bot": 1})
    assert edited["success"] and edited["entity"]["id"] == mid

    entity = entities(bot, mid)[mid]
    assert entity["type"] == "mediainfo"
    assert entity["labels"]["en"]["value"] == caption
    depicted = [s["mainsnak"]["datavalue"]["value"]["id"] for s in entity["statements"]["P180"]]
    assert depicted == ["Q5"]
    assert entity["statements"]["P275"][0]["mainsnak"]["datavalue"]["value"]["id"] == "Q6938433"
    # Commons-style lookup by the file's title; this wiki is its own "commonswiki"
    by_title = bot.call(action="wbgetentities", sites="commonswiki", titles=title)
    assert list(by_title["entities"]) == [mid]
    # the linked-data view that the demo points at
    exported = requests.get(devwiki.page_url(f"Special:EntityData/{mid}.json"), timeout=60).json()
    assert exported["entities"][mid]["labels"]["en"]["value"] == caption


def test_wikibase_web_assets_are_served(devwiki):
    """The bundle's extensions live outside MediaWiki's folder; the router serves them."""
    css = requests.get(
        f"{devwiki.url}/load.php",
        params={"modules": "wikibase.common", "only": "styles", "debug": "true"},
        timeout=60,
    ).text
    urls = re.findall(r"url\((/extensions/Wikibase/[^)?]+)", css)
    assert urls, css[:500]
    asset = requests.get(devwiki.url + urls[0], timeout=60)
    assert asset.status_code == 200
    assert asset.headers["Content-Type"].startswith("image/")
    # and no PHP of the bundle can be reached that way
    script = requests.get(f"{devwiki.url}/extensions/Wikibase/repo/ExampleSettings.php", timeout=60)
    assert script.status_code == 404


def test_start_without_the_bundle_says_where_it_looked(tmp_path: Path):
    nowhere = tmp_path / "no-bundle-here"
    config = tmp_path / "devwiki.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "wiki": {
                    "api": f"http://127.0.0.1:{free_port()}/api.php",
                    "username": "HubBot",
                    "password": account_password("HubBot"),
                },
                "devwiki": {"dir": str(tmp_path / "wiki")},
            }
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bots.cli", "--config", str(config), "devwiki", "start"],
        env={**os.environ, "HUBBOT_DEVWIKI_WIKIBASE": str(nowhere)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert str(nowhere) in said and "install.sh" in said and "devwiki.wikibase" in said
    assert "Traceback" not in said and "Error" not in said
    assert not (tmp_path / "wiki" / "LocalSettings.php").exists()  # nothing half-made


def test_an_older_wiki_gets_wikibase_at_its_next_start(tmp_path: Path):
    """A wiki made before Wikibase was part of it is completed; later starts do nothing more."""
    from bots.dev.wikibase import bundle_dir

    wiki = DevWiki(dir=tmp_path / "wiki", port=free_port(), wikibase=bundle_dir())
    wiki.install(lambda message: None)  # MediaWiki and the accounts only, as before
    assert not wiki.has_wikibase
    said: list[str] = []
    try:
        wiki.start(said.append)
        assert any("Installing Wikibase" in line for line in said), said
        settings = wiki.settings.read_text(encoding="utf-8")
        assert "BEGIN wikibase bundle" in settings
        assert settings.rstrip().splitlines()[-1] == REQUIRE_HUB_SETTINGS  # ours have the last word
        answer = requests.get(
            wiki.api_url,
            params={"action": "wbgetentities", "ids": "P180", "format": "json"},
            timeout=60,
        ).json()
        assert answer["entities"]["P180"]["labels"]["en"]["value"] == "depicts"
        assert (
            "Reviewer"
            in requests.get(
                wiki.api_url,
                params={
                    "action": "query",
                    "list": "users",
                    "ususers": "Reviewer",
                    "format": "json",
                },
                timeout=60,
            ).text
        )

        said.clear()
        wiki.stop()
        wiki.start(said.append)  # idempotent: the same bundle is not installed again
        assert not any("Wikibase" in line for line in said), said
        assert wiki.settings.read_text(encoding="utf-8") == settings
        # a later update.php (as load_blacklists runs) finishes at once rather than
        # rebuilding the terms of every item id up to Q88088423
        update = subprocess.run(
            ["php", "maintenance/update.php", "--quick"],
            cwd=MEDIAWIKI_DIR,
            env={**os.environ, "MW_CONFIG_FILE": str(wiki.settings)},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert update.returncode == 0 and "Rebuilding" not in update.stdout, update.stdout[-2000:]
    finally:
        wiki.stop()
