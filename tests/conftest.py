"""Fixtures shared by every tier.

The wiki tier gets one throwaway MediaWiki per test session (Debian's package,
SQLite, PHP's built-in server on a free loopback port). Tests keep out of each
other's way by using their own hub root (``hub_root``) rather than resetting it.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

_counter = itertools.count(1)

# pywikibot decides where its cookies and caches go when it is first imported,
# which may be while tests are collected: give it a private folder before that.
_PYWIKIBOT_DIR = Path(tempfile.mkdtemp(prefix="hubbot-tests-pywikibot-"))
(_PYWIKIBOT_DIR / "user-config.py").write_text("# hubbot configures pywikibot in code.\n")
os.environ["PYWIKIBOT_DIR"] = str(_PYWIKIBOT_DIR)
os.environ["PYWIKIBOT_NO_USER_CONFIG"] = "2"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the sample data folder {SHARED_DATA} is missing (../shared/data)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def devwiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    from bots.config import env_name
    from bots.dev.devwiki import DevWiki, free_port
    from bots.dev.wikibase import bundle_dir

    # with Wikibase from the offline bundle (devwiki.wikibase); start fails without it
    bundle = bundle_dir(os.environ.get(env_name(("devwiki", "wikibase"))))
    wiki = DevWiki(dir=tmp_path_factory.mktemp("devwiki"), port=free_port(), wikibase=bundle)
    wiki.start(lambda message: None)
    try:
        yield wiki
    finally:
        wiki.stop()


@pytest.fixture(scope="session")
def pywikibot_dir() -> Iterator[Path]:
    yield _PYWIKIBOT_DIR
    shutil.rmtree(_PYWIKIBOT_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def bot(devwiki, pywikibot_dir):
    """The bot's own connection (pywikibot keeps one login per process: the bot's)."""
    from bots.dev.accounts import account_password
    from bots.wiki import Wiki

    return Wiki.connect(devwiki.api_url, "HubBot", account_password("HubBot"))


@pytest.fixture(scope="session")
def person(devwiki) -> Callable:
    """``person("Reviewer")``: a human account with a session of its own (mwclient)."""
    from tests.support.people import Person

    cache: dict[str, Person] = {}

    def _person(name: str) -> Person:
        if name not in cache:
            cache[name] = Person(devwiki.api_url, name)
        return cache[name]

    return _person


@pytest.fixture
def hub_root(request: pytest.FixtureRequest) -> str:
    """A hub root of this test's own, so tests share one wiki without colliding."""
    slug = re.sub(r"[^A-Za-z0-9]+", " ", request.node.name)[:60].strip()
    return f"Project:Hub test {next(_counter)} {slug}"


@pytest.fixture
def config_file(devwiki, hub_root: str, tmp_path: Path) -> Callable[..., Path]:
    """Write a configuration for the test wiki; keyword arguments override sections."""
    import yaml

    def _write(**sections: dict) -> Path:
        data: dict = {
            "wiki": {
                "api": devwiki.api_url,
                "username": "HubBot",
                "password": "hubbot-dev-password-1",
                "contact": "hubbot test suite",
            },
            "hub": {"root": hub_root, "install_standins": True},
            "approvers": {"groups": ["sysop"], "users": []},
            "sources": {"allow_private_addresses": True},
            "state": {"url": f"sqlite:///{tmp_path / 'state.sqlite3'}"},
            "upload": {"work_dir": str(tmp_path / "work")},
            "devwiki": {"dir": str(devwiki.dir)},
        }
        for key, value in sections.items():
            data.setdefault(key, {}).update(value)
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def media(tmp_path: Path) -> Iterator:
    """The partner's web site: files served from a folder on a loopback port."""
    from bots.dev.demo import serve
    from tests.support.workflow import Media

    folder = tmp_path / "partner-site"
    folder.mkdir()
    with serve(folder) as base_url:
        yield Media(folder, base_url)


@pytest.fixture
def proxy(devwiki) -> Iterator:
    """The fault proxy in front of the test wiki (tests/support/faultproxy.py)."""
    from tests.support.faultproxy import FaultProxy

    with FaultProxy(devwiki.url) as p:
        yield p
