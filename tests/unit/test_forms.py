"""The forms' installation (pure parts) and their messages."""

from __future__ import annotations

import json
import re

from bots.config import Config, WikiConfig
from bots.dev.forms import (
    BEGIN,
    END,
    FORMS_DIR,
    SCRIPT_PARTS,
    FormsSettings,
    config_data,
    load_messages,
    loader_block,
    merge_loader,
    plan_forms,
    script_text,
)


def test_the_loader_block_goes_in_once_and_leaves_the_rest_of_common_js() -> None:
    other = "/* the wiki's own */\nmw.hook('x').add(function () {});\n"
    once = merge_loader(other, loader_block())
    assert once.startswith(other.rstrip()) and once.count(BEGIN) == 1
    assert merge_loader(once, loader_block()) == once
    changed = merge_loader(once.replace("Hub-forms.js", "Old.js"), loader_block())
    assert changed == once
    assert merge_loader("", loader_block()).strip() == loader_block()
    assert loader_block().endswith(END)


def test_site_scripts_where_the_bot_may_else_a_user_script_and_what_to_ask() -> None:
    site = plan_forms(frozenset({"editinterface", "editsitejs", "editsitecss", "edit"}), "HubBot")
    assert site.site_wide and site.script == "MediaWiki:Hub-forms.js" and site.ask() == ""
    user = plan_forms(frozenset({"edit", "editmyuserjs", "editmyusercss"}), "HubBot")
    assert not user.site_wide and user.writable
    assert user.script == "User:HubBot/hub-forms.js"
    ask = user.ask()
    assert "interface administrator" in ask
    assert "[[MediaWiki:Hub-forms.js]]" in ask and "[[MediaWiki:Common.js]]" in ask
    assert BEGIN in ask and "User:HubBot/hub-forms.js" in ask and "common.js" in ask
    nothing = plan_forms(frozenset({"edit"}), "HubBot")
    assert not nothing.writable and "Special:MyPage" not in nothing.ask()


def test_the_configuration_page_holds_what_the_script_reads() -> None:
    config = Config(wiki=WikiConfig(api="http://127.0.0.1:1/api.php", username="HubBot"))
    data = config_data("Project:Hub", FormsSettings.from_config(config), load_messages())
    assert data["licences"] == ["CC0", "CC BY 4.0", "CC BY-SA 4.0"]
    assert data["approvers"] == {"groups": ["sysop"], "users": []}
    assert data["wikibase"] == {"api": ""}
    assert "work_title" in data["templates"]["Artwork"]
    assert "source_url" in data["templates"]["Information"]
    assert data["messages"]["en"]["cph-forms-save"] == "Save the request"
    json.dumps(data)


def test_every_message_the_script_uses_exists_and_is_documented() -> None:
    script = script_text()
    used = set(re.findall(r"'(cph-forms-[a-z0-9-]+)'", script)) - {"cph-forms-ready"}
    used = {key for key in used if not key.endswith("-")}
    dynamic = re.findall(r"'(cph-forms-[a-z-]+-)' \+", script)
    assert dynamic  # sections and saved notices are named by key
    en = json.loads((FORMS_DIR / "i18n" / "en.json").read_text())
    qqq = json.loads((FORMS_DIR / "i18n" / "qqq.json").read_text())
    assert used <= set(en), used - set(en)
    assert set(en) == set(qqq)
    for part in SCRIPT_PARTS:
        assert f"{part}" and (FORMS_DIR / part).exists()


def test_the_script_builds_no_html_from_data() -> None:
    """Text from pages and searches is set as text; only the wiki's own rendering is HTML."""
    script = script_text()
    assert script.count("innerHTML") == 2  # the parsed preview, and entity decoding
    assert "rendered.innerHTML = data.parse.text" in script
