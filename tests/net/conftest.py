"""The fetcher, the partner sources and the analytics client against real loopback servers."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/net/" in str(item.fspath):
            item.add_marker(pytest.mark.net)
