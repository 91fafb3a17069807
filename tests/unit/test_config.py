"""Configuration: every bad file is one sentence naming the key, exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bots.config import ConfigError, Licence, env_name, known_keys, load_config

GOOD = """
wiki:
  api: http://127.0.0.1:8080/api.php
  username: HubBot
  password: secret-1
"""


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_defaults_follow_the_spec(tmp_path):
    c = load_config(write(tmp_path, GOOD), environ={})
    assert c.hub.root == "Project:Content Partnerships Hub"
    assert c.approvers.groups == ("sysop",)
    assert c.license_templates == {
        "CC0": "cc-zero",
        "CC BY 4.0": "cc-by-4.0",
        "CC BY-SA 4.0": "cc-by-sa-4.0",
    }
    # Wikidata's items for the licences' structured data (SPEC 10)
    assert c.licenses["CC0"] == Licence("cc-zero", "Q6938433", "Q88088423")
    assert c.licenses["CC BY 4.0"].item == "Q20007257"
    assert c.wikibase.property("creator") == "P170" and c.wikibase.structured_data == "auto"
    assert c.sources.allow_private_addresses is False
    assert c.sources.max_metadata_bytes == 52428800
    assert c.sources.max_file_bytes == 5368709120
    assert c.state.url == "sqlite:///var/hubbot.sqlite3"
    assert c.hub.preview_files == 20


@pytest.mark.parametrize(
    "text, key",
    [
        (GOOD + "hub:\n  rooot: x\n", "hub.rooot"),
        (GOOD + "colour: blue\n", "colour"),
        (GOOD + "hub:\n  preview_files: many\n", "hub.preview_files"),
        (GOOD + "sources:\n  allow_private_addresses: maybe\n", "sources.allow_private_addresses"),
        (GOOD + "approvers:\n  groups: sysop\n", "approvers.groups"),
        (GOOD + "licenses:\n  CC0: [a]\n", "licenses"),
        ("wiki:\n  username: HubBot\n  password: x\n", "wiki.api"),
        ("wiki:\n  api: http://127.0.0.1/api.php\n  password: x\n", "wiki.username"),
        ("wiki:\n  api: http://127.0.0.1/api.php\n  username: HubBot\n", "wiki.password"),
        ("wiki:\n  api: ftp://x/api.php\n  username: a\n  password: b\n", "wiki.api"),
        ("wiki: [1, 2]\n", "wiki"),
    ],
)
def test_bad_config_names_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, text), environ={})
    message = str(e.value)
    assert key in message
    assert message.endswith(".") or "chmod" in message
    assert "\n" not in message


def test_environment_overrides_every_kind_of_key(tmp_path):
    env = {
        "HUBBOT_WIKI_PASSWORD": "from-env",
        "HUBBOT_HUB_ROOT": "Commons:Hub",
        "HUBBOT_HUB_PREVIEW_FILES": "5",
        "HUBBOT_SOURCES_ALLOW_PRIVATE_ADDRESSES": "true",
        "HUBBOT_APPROVERS_GROUPS": "[sysop, reviewer]",
        "HUBBOT_LICENSES": "{CC0: cc-zero}",
        "HUBBOT_STATE_URL": "sqlite://",
    }
    c = load_config(write(tmp_path, GOOD), environ=env)
    assert c.wiki.password == "from-env"
    assert c.hub.root == "Commons:Hub"
    assert c.hub.preview_files == 5
    assert c.sources.allow_private_addresses is True
    assert c.approvers.groups == ("sysop", "reviewer")
    assert c.license_templates == {"CC0": "cc-zero"}
    assert c.state.url == "sqlite://"


def test_bad_environment_value_names_variable_and_key(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, GOOD), environ={"HUBBOT_HUB_PREVIEW_FILES": "ten"})
    assert "hub.preview_files" in str(e.value)


def test_every_key_has_an_environment_name():
    keys = known_keys()
    assert "wiki.password (HUBBOT_WIKI_PASSWORD)" in keys
    assert "state.url (HUBBOT_STATE_URL)" in keys
    assert env_name(("sources", "allow_hosts")) == "HUBBOT_SOURCES_ALLOW_HOSTS"


def test_password_in_a_world_readable_file_refused_for_a_remote_wiki(tmp_path):
    text = GOOD.replace("127.0.0.1:8080", "wiki.example.org")
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, text, mode=0o644), environ={})
    assert "chmod 600" in str(e.value)
    # the same file, private, is fine; and a loopback dev wiki may keep its password
    assert load_config(write(tmp_path, text, mode=0o600), environ={}).wiki.password == "secret-1"
    assert load_config(write(tmp_path, GOOD, mode=0o644), environ={}).wiki.password == "secret-1"


def test_password_file_must_be_private(tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    secret.chmod(0o644)
    text = "wiki:\n  api: https://w.example/api.php\n  username: a\n  password_file: " + str(secret)
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, text), environ={})
    assert "chmod 600" in str(e.value) and "from-file" not in str(e.value)
    secret.chmod(0o600)
    assert load_config(write(tmp_path, text), environ={}).wiki.password == "from-file"


def test_the_shipped_configs_load(tmp_path):
    repo = Path(__file__).resolve().parents[2]
    assert load_config(repo / "config" / "devwiki.yaml", environ={}).hub.install_standins
    prod = load_config(repo / "config" / "commons.yaml", environ={"HUBBOT_WIKI_PASSWORD": "x"})
    assert prod.sources.allow_private_addresses is False
    import yaml

    raw = yaml.safe_load((repo / "config" / "commons.yaml").read_text())
    assert "password" not in raw["wiki"]


@pytest.mark.parametrize(
    "text",
    [GOOD + "hub:\n  rooot: x\n", "wiki: {api: 'http://127.0.0.1/api.php', username: a}\n"],
)
def test_cli_exits_2_with_one_sentence(tmp_path, text):
    path = write(tmp_path, text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
    result = subprocess.run(
        [sys.executable, "-m", "bots.cli", "--config", str(path), "install"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("hubbot: configuration error: The configuration key")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_unknown_command_is_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "bots.cli", "fly"], capture_output=True, text=True
    )
    assert result.returncode == 2


def test_the_wikibase_bundle_is_beside_the_repository_unless_configured(tmp_path):
    from bots.cli import devwiki_for

    repo = Path(__file__).resolve().parents[2]
    default = devwiki_for(load_config(write(tmp_path, GOOD), environ={}))
    assert default.wikibase == repo.parent / "shared" / "wikibase"
    env = {"HUBBOT_DEVWIKI_WIKIBASE": str(tmp_path / "bundle")}
    assert devwiki_for(load_config(write(tmp_path, GOOD), environ=env)).wikibase == (
        tmp_path / "bundle"
    )


def test_a_licence_in_full_and_wikibase_roles(tmp_path):
    text = GOOD + (
        "licenses:\n"
        "  CC0: {template: cc-zero}\n"
        "  Museum licence: {template: museum-licence, item: Q123, status: Q50423863}\n"
        "wikibase:\n"
        "  api: https://wikibase.example.org/w/api.php\n"
        "  structured_data: no\n"
        "  properties: {creator: P50}\n"
    )
    c = load_config(write(tmp_path, text), environ={})
    assert c.licenses["CC0"] == Licence("cc-zero", "Q6938433", "Q88088423")
    assert c.licenses["Museum licence"] == Licence("museum-licence", "Q123", "Q50423863")
    assert c.wikibase.structured_data == "false"
    assert c.wikibase.property("creator") == "P50" and c.wikibase.property("depicts") == "P180"


def test_a_licence_with_unknown_fields_is_refused_in_words(tmp_path):
    text = GOOD + "licenses:\n  CC0: {template: cc-zero, colour: blue}\n"
    with pytest.raises(ConfigError, match="licenses.CC0 must be a template name"):
        load_config(write(tmp_path, text), environ={})
