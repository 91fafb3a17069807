"""Every test here talks to the real local MediaWiki."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/wiki/" in str(item.fspath):
            item.add_marker(pytest.mark.wiki)
