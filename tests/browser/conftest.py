"""The browser tier: Debian's Chromium (through chromedriver) on the real test wiki.

Every test here is also a wiki test: it needs the MediaWiki of tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.browser import Browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.wiki)


@pytest.fixture(scope="session")
def browser_session(devwiki) -> Iterator[Browser]:
    browser = Browser(devwiki.url)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def browser(browser_session: Browser) -> Browser:
    """The session's browser, logged out, at a window of the usual size."""
    browser_session.driver.delete_all_cookies()
    browser_session.driver.set_window_size(1280, 1000)
    browser_session.user = ""
    return browser_session


@pytest.fixture
def forms_hub(bot, hub_root, config_file):
    """A hub of the test's own, installed with its forms (as `hubbot install` does)."""
    from bots.config import load_config
    from bots.dev.forms import FormsSettings
    from bots.dev.install import install

    config = load_config(config_file(), environ={})
    results = install(
        bot,
        hub_root,
        standins=True,
        progress=lambda m: None,
        forms=FormsSettings.from_config(config),
    )
    assert not [r for r in results if r.action in ("failed", "ask")], results
    return config
