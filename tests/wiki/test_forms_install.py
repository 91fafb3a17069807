"""`hubbot install` and the forms on the real wiki: site scripts where the bot may,
else a user script and exactly what to ask an interface administrator for."""

from __future__ import annotations

import json
import os
import subprocess
import sys

NO_SITE_SCRIPTS = (
    "foreach (['editsitejs', 'editsitecss', 'editinterface'] as $right) {\n"
    "    $wgGroupPermissions['bot'][$right] = false;\n}"
)


def run_install(config) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bots.cli", "--config", str(config), "install"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_install_puts_the_forms_on_the_dev_wiki(bot, hub_root, config_file):
    result = run_install(config_file())
    assert result.returncode == 0, result.stderr
    assert "interface administrator" not in result.stdout
    config = json.loads(bot.read_page(f"{hub_root}/Forms.json").text)
    assert config["root"] == hub_root and config["licences"]
    common = bot.read_page("MediaWiki:Common.js").text
    assert common.count("Content Partnerships Hub forms: begin") == 1
    assert "cphForms" in bot.read_page("MediaWiki:Hub-forms.js").text
    again = run_install(config_file())
    assert "created" not in again.stdout and "updated" not in again.stdout, again.stdout


def test_where_the_bot_may_not_install_scripts_it_says_what_to_ask(
    devwiki, bot, hub_root, config_file
):
    devwiki.set_extra_settings(NO_SITE_SCRIPTS)
    try:
        result = run_install(config_file())
    finally:
        devwiki.set_extra_settings(None)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "only interface administrators may install site scripts" in out
    assert "[[MediaWiki:Hub-forms.js]]" in out and "[[MediaWiki:Common.js]]" in out
    assert "Special:MyPage/common.js" in out and "User:HubBot/hub-forms.js" in out
    assert "cphForms" in bot.read_page("User:HubBot/hub-forms.js").text
    assert bot.read_page(f"{hub_root}/Forms.json").exists
