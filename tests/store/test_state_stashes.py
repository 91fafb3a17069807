"""Chunked uploads in the journal: the stash's file key and confirmed offset.

Run on SQLite and on a real MariaDB server, through the fixtures of
test_state.py, like every other part of the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from bots.model import StashState
from bots.store import StateStore
from tests.store.test_state import Clock, clock, mariadb_server, url  # noqa: F401  (fixtures)

SHA1 = "0123456789abcdef0123456789abcdef01234567"
FIVE_GIB = 5 * 1024**3
STARTED = datetime(2026, 11, 20, 9, 30, 0, 250000, tzinfo=UTC)


@pytest.fixture
def store(url: str, clock: Clock) -> Iterator[StateStore]:  # noqa: F811
    with StateStore.from_url(url, clock=clock) as opened:
        yield opened


def test_a_stash_round_trips_with_offsets_beyond_four_gib(store: StateStore) -> None:
    assert store.get_stash("Tate", "A1") is None
    store.put_stash(
        "Tate",
        "A1",
        StashState(
            filekey="1d3n0op8fo04.fultx.3.tif",
            offset=FIVE_GIB - 10,
            size=FIVE_GIB,
            sha1=SHA1.upper(),
            started=STARTED,
        ),
    )
    assert store.get_stash("Tate", "A1") == StashState(
        filekey="1d3n0op8fo04.fultx.3.tif",
        offset=FIVE_GIB - 10,
        size=FIVE_GIB,
        sha1=SHA1,
        started=STARTED,
        complete=False,
    )


def test_the_newest_offset_replaces_the_old_one_and_drop_forgets(store: StateStore) -> None:
    for offset in (1024, 2048, 4096):
        store.put_stash(
            "Tate",
            "A1",
            StashState(filekey="k1", offset=offset, size=4096, sha1=SHA1, started=STARTED),
        )
    store.put_stash(
        "Tate",
        "A1",
        StashState(filekey="k2", offset=4096, size=4096, sha1=SHA1, started=STARTED, complete=True),
    )
    kept = store.get_stash("Tate", "A1")
    assert kept is not None
    assert (kept.filekey, kept.offset, kept.complete) == ("k2", 4096, True)
    assert store.get_stash("Tate", "A2") is None
    store.drop_stash("Tate", "A1")
    assert store.get_stash("Tate", "A1") is None
    store.drop_stash("Tate", "A1")  # dropping nothing is fine


def test_forgetting_a_request_forgets_its_stashes(store: StateStore) -> None:
    store.put_stash(
        "Tate", "A1", StashState(filekey="k", offset=0, size=10, sha1=SHA1, started=STARTED)
    )
    store.put_stash(
        "Other", "A1", StashState(filekey="k", offset=0, size=10, sha1=SHA1, started=STARTED)
    )
    store.forget("Tate")
    assert store.get_stash("Tate", "A1") is None
    assert store.get_stash("Other", "A1") is not None


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"offset": 11}, "not within"),
        ({"offset": -1}, "not within"),
        ({"sha1": "xyz"}, "not a SHA-1"),
        ({"filekey": ""}, "stash file key is empty"),
        ({"started": datetime(2026, 1, 1)}, "no time zone"),
    ],
)
def test_bad_stash_values_are_refused(store: StateStore, changes: dict, words: str) -> None:
    values = {
        "filekey": "k",
        "offset": 5,
        "size": 10,
        "sha1": SHA1,
        "started": STARTED,
        **changes,
    }
    with pytest.raises(ValueError, match=words):
        store.put_stash("Tate", "A1", StashState(**values))
    assert store.get_stash("Tate", "A1") is None


def test_an_existing_store_gains_the_stash_table(url: str, clock: Clock) -> None:  # noqa: F811
    """A database made before stashes existed gets the table on the next open."""
    with StateStore.from_url(url, clock=clock) as first:
        first._run(
            "drop the stashes table", lambda conn: conn.exec_driver_sql("DROP TABLE stashes")
        )
        assert "stashes" not in inspect(first._engine).get_table_names()
        first.begin_upload("Tate", "A1", "A.jpg", SHA1)
    with StateStore.from_url(url, clock=clock) as again:
        assert "stashes" in inspect(again._engine).get_table_names()
        assert again.get("Tate", "A1") is not None
        again.put_stash(
            "Tate", "A1", StashState(filekey="k", offset=0, size=1, sha1=SHA1, started=STARTED)
        )
        assert again.get_stash("Tate", "A1") is not None
