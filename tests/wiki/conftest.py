"""Every test here talks to the real local MediaWiki."""

from __future__ import annotations

import pytest

from tests.support.workflow import Workflow


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/wiki/" in str(item.fspath):
            item.add_marker(pytest.mark.wiki)


@pytest.fixture
def flow(bot, person, config_file, hub_root, media) -> Workflow:
    """A hub of the test's own, installed, with a partner site and the humans."""
    from bots.dev.install import install

    install(bot, hub_root, standins=True, progress=lambda m: None)
    return Workflow(
        bot=bot, person=person, config_path=config_file(), hub_root=hub_root, media=media
    )
