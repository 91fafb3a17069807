"""``state.url: toolsdb``: the tool's ToolsDB database, from Toolforge's own credentials.

On Toolforge the state store lives in ToolsDB. The operator writes no database
URL and no password anywhere: ``hubbot`` reads the credentials Toolforge gives
every tool (``TOOL_TOOLSDB_USER``/``TOOL_TOOLSDB_PASSWORD``, or the tool's
``~/replica.my.cnf``) and names the database ``<user>__hubbot``. These tests
stop at the URL: opening it is replaced by a recorder, so nothing is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from bots.cli import open_store
from bots.config import Config, StateConfig, WikiConfig, load_config
from bots.store import TOOLSDB_HOST, StateStore, StateStoreError, display_url

REPO = Path(__file__).resolve().parents[2]

CNF_USER = "s54321"
CNF_PASSWORD = "cnf-Secret+/&=42"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What ``StateStore.from_url`` was asked to open, instead of opening it."""
    calls: list[dict[str, Any]] = []

    def record(cls: type[StateStore], url: str | URL, **options: Any) -> str:
        calls.append({"url": url, **options})
        return "a store"

    monkeypatch.setattr(StateStore, "from_url", classmethod(record))
    return calls


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tool's home directory without credentials in the environment."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("TOOL_TOOLSDB_USER", raising=False)
    monkeypatch.delenv("TOOL_TOOLSDB_PASSWORD", raising=False)
    return tmp_path


def write_replica_cnf(home: Path, user: str = CNF_USER, password: str = CNF_PASSWORD) -> Path:
    """``replica.my.cnf`` as Toolforge writes it: values in quotes, readable by the tool only."""
    path = home / "replica.my.cnf"
    path.write_text(f"[client]\nuser = '{user}'\npassword = '{password}'\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def config_with_state(url: str) -> Config:
    return Config(
        wiki=WikiConfig(api="https://commons.wikimedia.org/w/api.php", username="Bot@hub"),
        state=StateConfig(url=url),
    )


@pytest.mark.parametrize(
    "setting, database",
    [("toolsdb", f"{CNF_USER}__hubbot"), ("toolsdb:reports", f"{CNF_USER}__reports")],
)
def test_toolsdb_is_built_from_replica_cnf(
    home: Path, opened: list[dict[str, Any]], setting: str, database: str
) -> None:
    write_replica_cnf(home)
    assert open_store(config_with_state(setting)) == "a store"
    [call] = opened
    url = call["url"]
    assert isinstance(url, URL)
    assert (url.drivername, url.host, url.database) == ("mysql+pymysql", TOOLSDB_HOST, database)
    assert (url.username, url.password) == (CNF_USER, CNF_PASSWORD)
    assert url.query["charset"] == "utf8mb4"
    assert call["create_database"] is True  # first use on ToolsDB creates it
    assert CNF_PASSWORD not in display_url(url)


def test_toolforge_environment_variables_come_before_the_file(
    home: Path, opened: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_replica_cnf(home)
    monkeypatch.setenv("TOOL_TOOLSDB_USER", "s11111")
    monkeypatch.setenv("TOOL_TOOLSDB_PASSWORD", "env-secret")
    open_store(config_with_state("toolsdb"))
    url = opened[0]["url"]
    assert (url.username, url.password, url.database) == ("s11111", "env-secret", "s11111__hubbot")


def test_no_credentials_is_a_plain_error_before_any_connection(
    home: Path, opened: list[dict[str, Any]]
) -> None:
    with pytest.raises(StateStoreError) as caught:
        open_store(config_with_state("toolsdb"))
    message = str(caught.value)
    assert str(home / "replica.my.cnf") in message
    assert "TOOL_TOOLSDB_USER" in message and "TOOL_TOOLSDB_PASSWORD" in message
    assert opened == []


def test_a_replica_cnf_without_a_password_is_no_credentials(
    home: Path, opened: list[dict[str, Any]]
) -> None:
    (home / "replica.my.cnf").write_text(f"[client]\nuser = '{CNF_USER}'\n", encoding="utf-8")
    with pytest.raises(StateStoreError, match="replica.my.cnf"):
        open_store(config_with_state("toolsdb"))
    assert opened == []


@pytest.mark.parametrize(
    "setting",
    ["sqlite:///var/hubbot.sqlite3", "mysql+pymysql://u:p@tools.db.svc.wikimedia.cloud/u__hubbot"],
)
def test_other_urls_are_opened_as_written(
    home: Path, opened: list[dict[str, Any]], setting: str
) -> None:
    open_store(config_with_state(setting))
    assert opened == [{"url": setting}]


def test_the_production_configuration_uses_toolsdb(
    home: Path, opened: list[dict[str, Any]]
) -> None:
    write_replica_cnf(home)
    environ = {"HUBBOT_WIKI_PASSWORD": "stand-in-password"}
    config = load_config(REPO / "config" / "commons.yaml", environ=environ)
    assert config.state.url == "toolsdb"
    open_store(config)
    assert opened[0]["url"].database == f"{CNF_USER}__hubbot"
    assert opened[0]["url"].host == TOOLSDB_HOST
