"""A check that a message meant for a partner shows no Python internals."""

from __future__ import annotations

import re

#: what must never reach a partner: class names, reprs, error numbers, C files
INTERNALS = re.compile(
    r"Error\b|Exception|Connection\(|Pool\(|host=|Errno|\[SSL|_ssl\.c|urllib3|<|>|0x[0-9a-f]"
)


def assert_plain(message: str) -> None:
    """Fail naming what gave the internals away."""
    found = INTERNALS.search(message)
    assert found is None, f"{message!r} shows {found.group(0)!r}"
