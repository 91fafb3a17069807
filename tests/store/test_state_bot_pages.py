"""The bot's own pages as it last saved them (bots/store/bot_pages.py).

Run on SQLite and on a real MariaDB server, through the fixtures of
test_state.py, like every other part of the store.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bots.store import SavedPage, StateStore, text_sha1
from tests.store.test_state import Clock, clock, mariadb_server, url  # noqa: F401  (fixtures)


@pytest.fixture
def store(url: str, clock: Clock) -> Iterator[StateStore]:  # noqa: F811
    with StateStore.from_url(url, clock=clock) as opened:
        yield opened


def test_the_last_save_of_a_page_is_kept_per_title(store: StateStore) -> None:
    status = "Project:Content Partnerships Hub/Requests/" + "Ö" * 255 + "/Status"
    assert store.saved_page(status) is None
    first = SavedPage(41, "2026-12-03T01:00:00Z", text_sha1("{{Batch status|state=uploading}}\n"))
    store.remember_saved_page(status, first)
    assert store.saved_page(status) == first
    later = SavedPage(57, "2026-12-03T01:05:00Z", text_sha1("{{Batch status|state=done}}"))
    store.remember_saved_page(status, later)
    assert store.saved_page(status) == later
    # a title differing only in case is another page
    assert store.saved_page(status.replace("Status", "status")) is None


def test_text_sha1_ignores_trailing_white_space_as_the_comparison_does() -> None:
    assert text_sha1("a\n\n") == text_sha1("a")
    assert text_sha1("a") != text_sha1("b")
