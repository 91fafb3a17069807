"""The state store on SQLite and on a real MariaDB server started on loopback."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/store/" in str(item.fspath):
            item.add_marker(pytest.mark.db)
