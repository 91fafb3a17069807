"""Fault tests run against the real local MediaWiki, some through the fault proxy."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.wiki)
