"""The state store, run against SQLite and a real MariaDB server.

Every behaviour is checked on both databases through the same test body, so
the bot behaves the same on a laptop and on ToolsDB. Leases and attempt
counting are raced from several processes, since that is where a read-then-write
mistake would show.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import threading
import traceback
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bots.store import (
    HUB_WIDE,
    MAX_NAME_CHARS,
    Outcome,
    StateStore,
    StateStoreError,
    toolsdb_url,
)
from tests.support.mariadb import MariaDBServer, mariadb_available

SHA1_A = "a" * 40
SHA1_B = "0123456789abcdef0123456789abcdef01234567"
PROCESSES = 8


class Clock:
    """A clock the test moves by hand, so lease expiry needs no sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


# -- fixtures -----------------------------------------------------------------


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDBServer]:
    """One MariaDB server for the whole session; each test gets its own database."""
    if not mariadb_available():
        message = "mariadbd is not installed (Debian package mariadb-server)"
        if os.environ.get("HUBBOT_REQUIRE_MARIADB", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"HUBBOT_REQUIRE_MARIADB=1 but {message}")
        pytest.skip(message)
    with MariaDBServer() as server:
        yield server


@pytest.fixture(params=["sqlite", "mariadb"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store URL on each backend (with the password, for child processes)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.sqlite3'}"
    server: MariaDBServer = request.getfixturevalue("mariadb_server")
    return server.create_database().render_as_string(hide_password=False)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(url: str, clock: Clock) -> Iterator[StateStore]:
    with StateStore.from_url(url, clock=clock) as opened:
        yield opened


# -- records ------------------------------------------------------------------


def test_a_record_never_seen_is_none(store: StateStore) -> None:
    assert store.get("Tate", "A00001") is None
    assert list(store.all("Tate")) == []
    assert store.in_flight("Tate") == []


def test_begin_upload_marks_in_flight_and_counts_attempts(store: StateStore, clock: Clock) -> None:
    store.begin_upload("Tate", "A00001", "Blake - Newton.jpg", SHA1_A)
    state = store.get("Tate", "A00001")
    assert state is not None
    assert (state.outcome, state.attempts, state.title, state.sha1) == (
        Outcome.IN_FLIGHT,
        1,
        "Blake - Newton.jpg",
        SHA1_A,
    )
    assert state.updated == clock.now  # microseconds and zone survive the round trip

    clock.advance(5)
    store.begin_upload("Tate", "A00001", "Blake - Newton.jpg", SHA1_A)
    again = store.get("Tate", "A00001")
    assert again is not None
    assert again.attempts == 2
    assert again.updated == clock.now


def test_begin_upload_is_committed_before_it_returns(url: str, store: StateStore) -> None:
    """Another connection (the next run) sees the IN_FLIGHT mark at once."""
    store.begin_upload("Tate", "A00001", "Newton.jpg", SHA1_A)
    with StateStore.from_url(url) as next_run:
        seen = next_run.get("Tate", "A00001")
    assert seen is not None and seen.outcome is Outcome.IN_FLIGHT


def test_an_interrupted_run_resumes_from_the_in_flight_records(url: str, clock: Clock) -> None:
    with StateStore.from_url(url, clock=clock) as first_run:
        first_run.begin_upload("Tate", "A1", "One.jpg", SHA1_A)
        first_run.finish("Tate", "A1", Outcome.UPLOADED)
        clock.advance(1)
        first_run.begin_upload("Tate", "A2", "Two.jpg", SHA1_B)
        # the run dies here, mid-upload

    with StateStore.from_url(url, clock=clock) as second_run:
        unfinished = second_run.in_flight("Tate")
        assert [(s.record_id, s.title, s.sha1) for s in unfinished] == [("A2", "Two.jpg", SHA1_B)]
        # the wiki says the file is there already: it counts as uploaded, not resent
        second_run.finish("Tate", "A2", Outcome.UPLOADED)
        assert second_run.in_flight("Tate") == []
        counts = second_run.counts("Tate")
        assert counts[Outcome.UPLOADED] == 2
        assert counts[Outcome.IN_FLIGHT] == 0
        done = second_run.get("Tate", "A2")
        assert done is not None and done.attempts == 1 and done.title == "Two.jpg"


def test_finish_keeps_known_title_and_sha1_and_replaces_the_reason(
    store: StateStore, clock: Clock
) -> None:
    store.begin_upload("Tate", "A1", "One.jpg", SHA1_A)
    store.finish("Tate", "A1", Outcome.FAILED, reason="the wiki was read-only")
    failed = store.get("Tate", "A1")
    assert failed is not None
    assert (failed.outcome, failed.title, failed.sha1, failed.reason, failed.attempts) == (
        Outcome.FAILED,
        "One.jpg",
        SHA1_A,
        "the wiki was read-only",
        1,
    )

    clock.advance(60)
    store.begin_upload("Tate", "A1", "One.jpg", SHA1_A)
    retried = store.get("Tate", "A1")
    assert retried is not None
    assert (retried.outcome, retried.reason, retried.attempts) == (Outcome.IN_FLIGHT, "", 2)

    store.finish(
        "Tate",
        "A1",
        Outcome.DUPLICATE,
        title="One (A1).jpg",
        existing_file="Older upload.jpg",
    )
    duplicate = store.get("Tate", "A1")
    assert duplicate is not None
    assert (duplicate.title, duplicate.sha1, duplicate.existing_file, duplicate.reason) == (
        "One (A1).jpg",
        SHA1_A,
        "Older upload.jpg",
        "",
    )


def test_finish_without_an_upload_creates_the_record(store: StateStore) -> None:
    store.finish("Tate", "A9", Outcome.SKIPPED, reason="no image URL in column image_url")
    state = store.get("Tate", "A9")
    assert state is not None
    assert (state.outcome, state.attempts, state.title, state.sha1) == (Outcome.SKIPPED, 0, "", "")
    assert state.reason == "no image URL in column image_url"


def test_finish_refuses_in_flight(store: StateStore) -> None:
    with pytest.raises(ValueError, match="record A1: use begin_upload"):
        store.finish("Tate", "A1", Outcome.IN_FLIGHT)
    assert store.get("Tate", "A1") is None


def test_finish_twice_with_the_same_values_changes_nothing(store: StateStore) -> None:
    """MariaDB reports 0 changed rows for a no-op UPDATE; that must not become an INSERT."""
    store.finish("Tate", "A1", Outcome.UPLOADED, title="One.jpg", sha1=SHA1_A)
    store.finish("Tate", "A1", Outcome.UPLOADED, title="One.jpg", sha1=SHA1_A)
    assert [s.record_id for s in store.all("Tate")] == ["A1"]


def test_long_reasons_are_cut(store: StateStore) -> None:
    store.finish("Tate", "A1", Outcome.FAILED, reason="x" * 100_000)
    state = store.get("Tate", "A1")
    assert state is not None
    assert 0 < len(state.reason) <= 2000 and state.reason.endswith("…")


def test_all_lists_one_request_by_id_page_by_page(store: StateStore) -> None:
    ids = ["A05", "A01", "A04", "A02", "A03"]
    for record_id in ids:
        store.finish("Tate", record_id, Outcome.PENDING)
    store.finish("Other", "A00", Outcome.PENDING)
    seen = []
    for state in store.all("Tate", page_size=2):
        seen.append(state.record_id)
        # writing while iterating must not wait on our own read
        store.finish("Tate", state.record_id, Outcome.SKIPPED)
    assert seen == sorted(ids)
    assert store.counts("Tate")[Outcome.SKIPPED] == 5
    assert store.counts("Other")[Outcome.PENDING] == 1


def test_counts_name_every_outcome(store: StateStore) -> None:
    store.finish("Tate", "A1", Outcome.UPLOADED)
    store.finish("Tate", "A2", Outcome.UPLOADED)
    store.finish("Tate", "A3", Outcome.FAILED)
    store.begin_upload("Tate", "A4", "Four.jpg", "")
    counts = store.counts("Tate")
    assert counts == {
        Outcome.PENDING: 0,
        Outcome.IN_FLIGHT: 1,
        Outcome.UPLOADED: 2,
        Outcome.DUPLICATE: 0,
        Outcome.FAILED: 1,
        Outcome.SKIPPED: 0,
        Outcome.EDITED: 0,
        Outcome.UNCHANGED: 0,
    }
    assert store.counts("Nobody") == dict.fromkeys(Outcome, 0)


def test_recent_is_newest_first_and_limited(store: StateStore, clock: Clock) -> None:
    for number in range(1, 6):
        clock.advance(1)
        store.finish("Tate", f"A{number}", Outcome.UPLOADED, title=f"File {number}.jpg")
    clock.advance(1)
    store.finish("Tate", "F1", Outcome.FAILED)
    recent = store.recent("Tate", Outcome.UPLOADED, 3)
    assert [s.record_id for s in recent] == ["A5", "A4", "A3"]
    assert [s.record_id for s in store.recent("Tate", Outcome.FAILED, 10)] == ["F1"]
    assert store.recent("Tate", Outcome.DUPLICATE, 10) == []


def test_forget_drops_records_and_facts_of_one_request(store: StateStore) -> None:
    store.finish("Tate", "A1", Outcome.UPLOADED)
    store.set_request("Tate", state="done")
    store.finish("Other", "A1", Outcome.UPLOADED)
    store.set_request("Other", state="uploading")
    assert store.acquire_lease("Tate", "run-1", 60)

    store.forget("Tate")

    assert list(store.all("Tate")) == []
    assert store.get_request("Tate") is None
    assert store.get("Other", "A1") is not None
    assert store.get_request("Other") == {"state": "uploading"}
    lease = store.lease("Tate")
    assert lease is not None and lease.holder == "run-1"


# -- names, Unicode and limits ------------------------------------------------

DISTINCT_IDS = [
    "abc",
    "ABC",
    "Abc",
    "abc ",  # trailing space: MariaDB's PAD SPACE collations would call this "abc"
    "é",  # precomposed
    "e\u0301",  # e + combining acute
    "É",
    "ß",
    "ss",
    "𝔄𝔅",  # outside the Basic Multilingual Plane: needs utf8mb4
    "日本語",
]


def test_ids_differing_in_case_accents_or_spaces_are_distinct(store: StateStore) -> None:
    for number, record_id in enumerate(DISTINCT_IDS):
        store.finish("Tate", record_id, Outcome.UPLOADED, title=f"File {number}.jpg")
    assert sorted(s.record_id for s in store.all("Tate")) == sorted(DISTINCT_IDS)
    for number, record_id in enumerate(DISTINCT_IDS):
        state = store.get("Tate", record_id)
        assert state is not None and state.title == f"File {number}.jpg", record_id


def test_request_names_are_case_sensitive(store: StateStore) -> None:
    store.finish("Tate", "A1", Outcome.UPLOADED)
    assert store.get("tate", "A1") is None
    assert store.acquire_lease("Tate", "run-1", 60)
    assert store.acquire_lease("tate", "run-2", 60)


def test_the_longest_ids_and_titles_fit(store: StateStore) -> None:
    record_id = "𝔄" * MAX_NAME_CHARS  # 255 characters, 1020 bytes
    title = "é" * 125 + ".jpeg"  # 255 bytes
    store.begin_upload("R" * MAX_NAME_CHARS, record_id, title, SHA1_A)
    state = store.get("R" * MAX_NAME_CHARS, record_id)
    assert state is not None and state.title == title and state.record_id == record_id


def test_too_long_ids_and_titles_are_refused_in_plain_words(store: StateStore) -> None:
    with pytest.raises(ValueError, match="record id .* 256 characters long; at most 255"):
        store.begin_upload("Tate", "x" * 256, "X.jpg", SHA1_A)
    with pytest.raises(ValueError, match="record A1: file title .* 256 bytes long"):
        store.begin_upload("Tate", "A1", "é" * 125 + "a.jpeg", SHA1_A)
    with pytest.raises(ValueError, match="record A1: existing file"):
        store.finish("Tate", "A1", Outcome.DUPLICATE, existing_file="x" * 300)
    with pytest.raises(ValueError, match="record id is empty"):
        store.finish("Tate", "", Outcome.PENDING)
    assert list(store.all("Tate")) == []


def test_sha1_is_normalised_and_checked(store: StateStore) -> None:
    store.begin_upload("Tate", "A1", "One.jpg", SHA1_B.upper())
    state = store.get("Tate", "A1")
    assert state is not None and state.sha1 == SHA1_B
    with pytest.raises(ValueError, match="record A2: 'abc' is not a SHA-1"):
        store.begin_upload("Tate", "A2", "Two.jpg", "abc")


def test_times_from_any_zone_are_kept_as_utc(url: str) -> None:
    paris = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 20, 11, 30, 0, 5, tzinfo=paris)
    with StateStore.from_url(url, clock=lambda: moment) as store:
        store.finish("Tate", "A1", Outcome.UPLOADED)
        state = store.get("Tate", "A1")
    assert state is not None
    assert state.updated == moment and state.updated.tzinfo is UTC


def test_a_clock_without_zone_is_refused(url: str) -> None:
    with StateStore.from_url(url, clock=lambda: datetime(2026, 1, 1)) as store:
        with pytest.raises(ValueError, match="UTC"):
            store.finish("Tate", "A1", Outcome.UPLOADED)


# -- request facts ------------------------------------------------------------


def test_request_facts_merge_and_keep_their_types(store: StateStore) -> None:
    assert store.get_request("Tate") is None
    saved = datetime(2026, 11, 20, 9, 59, 1, 42, tzinfo=UTC)
    store.set_request("Tate", state="uploading", preview_id="3f9a1c02de", total=1200)
    store.set_request("Tate", last_status_save=saved, creator="Partner", total=1201)
    assert store.get_request("Tate") == {
        "state": "uploading",
        "preview_id": "3f9a1c02de",
        "total": 1201,
        "last_status_save": saved,
        "creator": "Partner",
    }
    store.set_request("Tate", message="Ünïcode 𝔄 note", started=date(2026, 11, 19))
    facts = store.get_request("Tate")
    assert facts is not None
    assert facts["message"] == "Ünïcode 𝔄 note" and facts["started"] == date(2026, 11, 19)


def test_request_facts_refuse_values_they_cannot_keep(store: StateStore) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        store.set_request("Tate", last_status_save=datetime(2026, 1, 1))
    with pytest.raises(TypeError, match="cannot keep a object value"):
        store.set_request("Tate", state="ok", thing=object())
    assert store.get_request("Tate") is None


# -- leases -------------------------------------------------------------------


def test_one_holder_per_request(store: StateStore, clock: Clock) -> None:
    assert store.acquire_lease("Tate", "run-1", 60)
    assert not store.acquire_lease("Tate", "run-2", 60)
    assert store.acquire_lease("Other", "run-2", 60)  # other requests are free
    lease = store.lease("Tate")
    assert lease is not None
    assert (lease.holder, lease.expires) == ("run-1", clock.now + timedelta(seconds=60))

    clock.advance(30)
    assert store.acquire_lease("Tate", "run-1", 60)  # the holder may take it again
    lease = store.lease("Tate")
    assert lease is not None and lease.expires == clock.now + timedelta(seconds=60)


def test_renew_works_for_the_holder_only(store: StateStore, clock: Clock) -> None:
    assert not store.renew_lease("Tate", "run-1", 60)  # nothing to renew
    assert store.acquire_lease("Tate", "run-1", 60)
    assert not store.renew_lease("Tate", "run-2", 60)
    clock.advance(50)
    assert store.renew_lease("Tate", "run-1", 60)
    clock.advance(50)  # past the first expiry, inside the renewed one
    assert not store.acquire_lease("Tate", "run-2", 60)
    lease = store.lease("Tate")
    assert lease is not None and lease.holder == "run-1"


def test_an_expired_lease_can_be_taken(store: StateStore, clock: Clock) -> None:
    assert store.acquire_lease("Tate", "run-1", 60)
    clock.advance(59)
    assert not store.acquire_lease("Tate", "run-2", 60)
    clock.advance(1)  # expires now
    assert store.lease("Tate") is None
    assert store.acquire_lease("Tate", "run-2", 60)
    assert not store.renew_lease("Tate", "run-1", 60)  # the old holder has lost it
    store.release_lease("Tate", "run-1")  # and cannot release someone else's
    lease = store.lease("Tate")
    assert lease is not None and lease.holder == "run-2"


def test_release_frees_the_lease(store: StateStore) -> None:
    assert store.acquire_lease("Tate", "run-1", 600)
    store.release_lease("Tate", "run-1")
    assert store.lease("Tate") is None
    assert store.acquire_lease("Tate", "run-2", 600)


def test_a_lease_must_last(store: StateStore) -> None:
    with pytest.raises(ValueError, match="more than 0 seconds"):
        store.acquire_lease("Tate", "run-1", 0)
    with pytest.raises(ValueError, match="more than 0 seconds"):
        store.renew_lease("Tate", "run-1", -5)


def _race(url: str, job: str, request: str, holder: str, barrier: Any, results: Any) -> None:
    """One competing process: open the store, wait for the others, then act at once."""
    try:
        with StateStore.from_url(url) as store:
            barrier.wait(timeout=60)
            if job == "lease":
                results.put((holder, store.acquire_lease(request, holder, 60)))
            else:
                store.begin_upload(request, "A1", "One.jpg", SHA1_A)
                results.put((holder, True))
    except BaseException:
        results.put((holder, traceback.format_exc()))


def _run_race(url: str, job: str, request: str) -> dict[str, bool]:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_race, args=(url, job, request, f"run-{n}", barrier, results))
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = dict(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    errors = [value for value in outcomes.values() if not isinstance(value, bool)]
    assert errors == []
    return outcomes


@pytest.mark.parametrize("round_", range(3))
def test_racing_processes_one_wins_the_lease(url: str, round_: int) -> None:
    request = f"Race {round_}"
    outcomes = _run_race(url, "lease", request)
    winners = [holder for holder, won in outcomes.items() if won]
    assert len(outcomes) == PROCESSES
    assert len(winners) == 1
    with StateStore.from_url(url) as store:
        lease = store.lease(request)
    assert lease is not None and lease.holder == winners[0]


def test_racing_processes_one_takes_an_expired_lease(url: str) -> None:
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with StateStore.from_url(url, clock=lambda: an_hour_ago) as old_run:
        assert old_run.acquire_lease("Tate", "old-run", 60)
    outcomes = _run_race(url, "lease", "Tate")
    winners = [holder for holder, won in outcomes.items() if won]
    assert len(winners) == 1 and winners[0] != "old-run"
    with StateStore.from_url(url) as store:
        lease = store.lease("Tate")
    assert lease is not None and lease.holder == winners[0]


def test_racing_processes_count_every_attempt(url: str) -> None:
    _run_race(url, "attempt", "Tate")
    with StateStore.from_url(url) as store:
        state = store.get("Tate", "A1")
    assert state is not None and state.attempts == PROCESSES


# -- snapshots ----------------------------------------------------------------


def test_snapshots_keep_one_value_per_day_and_key(store: StateStore) -> None:
    day1, day2, day3 = date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)
    store.put_snapshot("Tate", day1, "usage", {"pages": 3})
    store.put_snapshot("Tate", day2, "usage", {"pages": 5})
    store.put_snapshot("Tate", day2, "usage", {"pages": 7})  # replaces the same day
    store.put_snapshot("Tate", day3, "views", 1234)
    store.put_snapshot(HUB_WIDE, day3, "usage", {"pages": 70})
    assert store.get_snapshot("Tate", day2, "usage") == {"pages": 7}
    assert store.get_snapshot("Tate", day3, "usage") is None
    assert store.snapshots("Tate", "usage") == [(day1, {"pages": 3}), (day2, {"pages": 7})]
    assert store.snapshots("Tate", "usage", since=day2) == [(day2, {"pages": 7})]
    assert store.snapshots(HUB_WIDE, "usage") == [(day3, {"pages": 70})]


def test_a_snapshot_time_counts_as_its_utc_day(store: StateStore) -> None:
    late_evening_in_new_york = datetime(2026, 11, 20, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    store.put_snapshot("Tate", late_evening_in_new_york, "views", 1)
    assert store.get_snapshot("Tate", date(2026, 11, 21), "views") == 1


# -- opening, schema and URLs -------------------------------------------------


def test_reopening_keeps_everything_and_schema_creation_is_idempotent(url: str) -> None:
    with StateStore.from_url(url) as store:
        store.finish("Tate", "A1", Outcome.UPLOADED)
        store.create_schema()
    with StateStore.from_url(url) as store:
        store.create_schema()
        assert [s.record_id for s in store.all("Tate")] == ["A1"]


def test_relative_sqlite_path_is_made_below_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with StateStore.from_url("sqlite:///var/deep/hubbot.sqlite3") as store:
        store.finish("Tate", "A1", Outcome.UPLOADED)
    assert (tmp_path / "var" / "deep" / "hubbot.sqlite3").is_file()


def test_in_memory_store_is_shared_between_threads() -> None:
    with StateStore.from_url("sqlite://") as store:
        worker = threading.Thread(target=store.finish, args=("Tate", "A1", Outcome.UPLOADED))
        worker.start()
        worker.join()
        assert store.get("Tate", "A1") is not None
        assert store.url == "sqlite://"


def test_other_databases_are_refused_in_plain_words() -> None:
    with pytest.raises(StateStoreError, match="use sqlite:///... or mysql\\+pymysql"):
        StateStore.from_url("postgresql://hub:Secr3tPw@127.0.0.1/hub")


@pytest.mark.parametrize(
    "text",
    [
        "mysql+pymysql://hub:Secr3tPw@host:notaport/db",
        "mysql+pymysql://hub:Secr3tPw@[::1/db",
        "Secr3tPw",
    ],
)
def test_an_unreadable_url_is_not_echoed(text: str) -> None:
    with pytest.raises(StateStoreError) as caught:
        StateStore.from_url(text)
    assert "Secr3tPw" not in "".join(traceback.format_exception(caught.value))
    assert "state.url is not a database URL" in str(caught.value)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when this returns


def test_a_connection_failure_hides_the_password() -> None:
    port = _closed_port()
    password = "Secr3t" + "Pw"  # built, so the traceback's source lines cannot show it
    with pytest.raises(StateStoreError) as caught:
        StateStore.from_url(f"mysql+pymysql://hubbot:{password}@127.0.0.1:{port}/hubbot")
    message = str(caught.value)
    assert f"mysql+pymysql://hubbot:***@127.0.0.1:{port}/hubbot" in message
    assert "Can't connect" in message
    assert password not in "".join(traceback.format_exception(caught.value))


def test_a_wrong_password_is_not_shown(mariadb_server: MariaDBServer) -> None:
    url = mariadb_server.create_database().set(password="Wr0ngSecr3t")
    with pytest.raises(StateStoreError) as caught:
        StateStore.from_url(url)
    assert "Access denied" in str(caught.value)
    assert "Wr0ngSecr3t" not in "".join(traceback.format_exception(caught.value))


def test_the_store_names_itself_without_the_password(mariadb_server: MariaDBServer) -> None:
    url = mariadb_server.create_database()
    with StateStore.from_url(url) as store:
        assert mariadb_server.password not in repr(store) + store.url
        assert "***" in store.url and str(mariadb_server.port) in store.url


def test_a_missing_mariadb_database_can_be_created(mariadb_server: MariaDBServer) -> None:
    # the test user, like a ToolsDB user, may create databases named USER__anything
    url = mariadb_server.url(f"{mariadb_server.user}__created")
    with pytest.raises(StateStoreError, match="Unknown database"):
        StateStore.from_url(url)
    with StateStore.from_url(url, create_database=True) as store:
        store.finish("Tate", "A", Outcome.UPLOADED)
        store.finish("Tate", "a", Outcome.FAILED)
        assert store.counts("Tate")[Outcome.UPLOADED] == 1
        assert store.counts("Tate")[Outcome.FAILED] == 1


def test_toolsdb_url_from_environment() -> None:
    url = toolsdb_url(
        "hubbot", environ={"TOOL_TOOLSDB_USER": "s51234", "TOOL_TOOLSDB_PASSWORD": "Secr3tPw"}
    )
    assert url.render_as_string(hide_password=True) == (
        "mysql+pymysql://s51234:***@tools.db.svc.wikimedia.cloud/s51234__hubbot?charset=utf8mb4"
    )
    assert url.password == "Secr3tPw"


def test_toolsdb_url_from_replica_cnf(tmp_path: Path) -> None:
    cnf = tmp_path / "replica.my.cnf"
    cnf.write_text("[client]\nuser = s51234\npassword = 'p@ss:w/rd'\n")
    url = toolsdb_url("state", environ={}, cnf_path=cnf)
    assert (url.username, url.password, url.database) == ("s51234", "p@ss:w/rd", "s51234__state")


def test_toolsdb_url_without_credentials_says_where_to_put_them(tmp_path: Path) -> None:
    with pytest.raises(StateStoreError, match="TOOL_TOOLSDB_USER"):
        toolsdb_url(environ={}, cnf_path=tmp_path / "missing.cnf")


def test_lease_heartbeat_keeps_a_live_holders_lease(monkeypatch, tmp_path):
    """A run that works longer than a lease (one long upload) keeps it; others stay out."""
    import time

    from bots.jobs import session as runner

    monkeypatch.setattr(runner, "LEASE_SECONDS", 0.4)
    store = StateStore.from_url(f"sqlite:///{tmp_path / 'hb.sqlite3'}")
    assert store.acquire_lease("R", "live", 0.4)
    beat = runner.LeaseHeartbeat(store, "R", "live")
    beat.start()
    try:
        time.sleep(1.2)  # three lease lengths
        assert not store.acquire_lease("R", "other", 0.4)
    finally:
        beat.stop()
    time.sleep(0.5)
    assert store.acquire_lease("R", "other", 0.4)  # once the holder stops, it expires
