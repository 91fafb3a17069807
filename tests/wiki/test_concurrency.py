"""Overlapping ``hubbot run`` processes on one batch, on SQLite and on MariaDB.

On Toolforge a scheduled run, a run started by hand and a run still finishing
its last file can overlap. The lease per request in the state store must keep
them off each other's request, so that every file reaches the wiki exactly
once; and a run that crashed while holding a lease must not block its request
for longer than the lease lasts. Every run here is a real ``hubbot`` process,
started together with the others, against the real dev wiki.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bots.dev.install import install
from bots.jobs.session import LEASE_SECONDS
from bots.store import Outcome, StateStore, utc_now
from tests.support.mariadb import MariaDBServer, mariadb_available
from tests.support.workflow import Workflow

#: How many runs start at the same moment.
RUNS = 4
#: Files in the batch they share.
FILES = 30
#: Each run stops after this many files, so that the batch passes from run to run.
FILES_PER_RUN = 12

RECORD_LINE = re.compile(r" INFO (?P<request>[^:\n]+): record (?P<id>\S+): (?P<outcome>[a-z_]+)")
SKIP_LINE = "{name}: another run is working on it; skipped"

# -- fixtures -----------------------------------------------------------------


@pytest.fixture(scope="module")
def mariadb_server() -> Iterator[MariaDBServer]:
    """A real MariaDB for this module; missing binaries fail under HUBBOT_REQUIRE_MARIADB=1."""
    if not mariadb_available():
        message = "mariadbd is not installed (Debian package mariadb-server)"
        if os.environ.get("HUBBOT_REQUIRE_MARIADB", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"HUBBOT_REQUIRE_MARIADB=1 but {message}")
        pytest.skip(message)
    with MariaDBServer() as server:
        yield server


@pytest.fixture(params=["sqlite", "mariadb"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh state store on each backend, as a URL a child process can open."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.sqlite3'}"
    server: MariaDBServer = request.getfixturevalue("mariadb_server")
    return server.create_database().render_as_string(hide_password=False)


@pytest.fixture
def flow(bot, person, config_file, hub_root, media, state_url) -> Workflow:
    install(bot, hub_root, standins=True, progress=lambda m: None)
    return Workflow(
        bot=bot,
        person=person,
        config_path=config_file(state={"url": state_url}),
        hub_root=hub_root,
        media=media,
    )


# -- running hubbot -------------------------------------------------------------


@dataclass(frozen=True)
class Finished:
    """One ``hubbot run`` process, after it ended."""

    returncode: int
    stdout: str
    stderr: str

    def records(self, name: str, outcome: str = "uploaded") -> list[str]:
        """Record ids this run reported with ``outcome`` for request ``name``."""
        return [
            m["id"]
            for m in RECORD_LINE.finditer(self.stderr)
            if m["request"] == name and m["outcome"] == outcome
        ]

    def skipped(self, name: str) -> bool:
        return SKIP_LINE.format(name=name) in self.stderr


def start_together(flow: Workflow, *args: str, runs: int = RUNS) -> list[Finished]:
    """Start ``runs`` ``hubbot run`` processes at once and wait for all of them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
    command = [sys.executable, "-m", "bots.cli", "--config", str(flow.config_path), "run", *args]
    processes = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(runs)
    ]
    finished = []
    for process in processes:
        try:
            stdout, stderr = process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            raise
        finished.append(Finished(process.returncode, stdout, stderr))
    for run in finished:
        assert run.returncode == 0, run.stderr[-3000:]
    return finished


def run_once(flow: Workflow, *args: str) -> Finished:
    return start_together(flow, *args, runs=1)[0]


def approved_batch(flow: Workflow, name: str, files: int, prefix: str) -> None:
    """File a request, let the bot preview it, approve the preview."""
    flow.file_request(name, flow.rows(files, prefix=prefix))
    assert flow.run(request=name).requests == {name: "awaiting-approval"}
    flow.approve(name)


def upload_log(flow: Workflow, titles: set[str]) -> Counter[tuple[str, str]]:
    """(title, action) of every upload log entry for ``titles``: upload, overwrite..."""
    seen: Counter[tuple[str, str]] = Counter()
    params = {
        "action": "query",
        "list": "logevents",
        "letype": "upload",
        "leprop": "title|type",
        "lelimit": "max",
    }
    while True:
        data = flow.bot.call(**params)
        for event in data["query"]["logevents"]:
            if event["title"] in titles:
                seen[(event["title"], event["action"])] += 1
        if "continue" not in data:
            return seen
        params.update(data["continue"])


def assert_uploaded_exactly_once(flow: Workflow, name: str, record_ids: list[str]) -> None:
    """Journal, wiki and upload log agree: one file per record, each sent once."""
    with flow.store() as store:
        states = {s.record_id: s for s in store.all(name)}
        assert store.lease(name) is None, "the last run did not give its lease back"
    assert sorted(states) == sorted(record_ids)
    wrong = [(s.record_id, s.outcome, s.reason) for s in states.values() if s.outcome != "uploaded"]
    assert wrong == []
    # begin_upload counts every upload sent: a record sent twice would count 2
    assert {s.record_id: s.attempts for s in states.values()} == dict.fromkeys(record_ids, 1)
    titles = {f"File:{s.title}" for s in states.values()}
    assert len(titles) == len(record_ids), "two records share a file title"
    assert len({s.sha1 for s in states.values()}) == len(record_ids)
    for state in states.values():
        # the record's bytes live under exactly one title: its own
        assert flow.bot.find_sha1(state.sha1) == [f"File:{state.title}"], state.record_id
    assert set(flow.uploads(name)) == titles
    events = upload_log(flow, titles)
    assert events == Counter({(title, "upload"): 1 for title in titles})
    status = flow.status(name)
    assert (status["state"], status["uploaded"], status["pending"]) == (
        "done",
        str(len(record_ids)),
        "0",
    )


# -- overlapping runs -------------------------------------------------------------


def test_overlapping_runs_upload_every_file_exactly_once(flow: Workflow) -> None:
    """Waves of runs started together; the batch passes between them by lease."""
    name = f"Crowd {flow.tag}"  # upload categories are wiki-wide: a name of its own
    approved_batch(flow, name, FILES, "C")
    record_ids = [f"C{i:03d}" for i in range(1, FILES + 1)]
    reported: Counter[str] = Counter()
    skips = 0
    waves = 0
    while flow.status(name)["state"] != "done":
        waves += 1
        assert waves <= FILES // FILES_PER_RUN + 2, f"{name} is not done after {waves - 1} waves"
        wave = start_together(flow, "--max-files", str(FILES_PER_RUN))
        for run in wave:
            uploaded = run.records(name)
            assert len(uploaded) <= FILES_PER_RUN, "a run went over its --max-files budget"
            assert not (uploaded and run.skipped(name)), run.stderr[-3000:]
            reported.update(uploaded)
        skips += sum(run.skipped(name) for run in wave)
    twice = sorted(record for record, times in reported.items() if times > 1)
    assert twice == [], f"records uploaded by more than one run: {twice}"
    assert sorted(reported) == record_ids
    assert waves >= FILES // FILES_PER_RUN
    # while one run uploads, the others, started with it, find the request taken
    assert skips >= waves, f"only {skips} runs in {waves} waves found {name} taken"
    assert_uploaded_exactly_once(flow, name, record_ids)

    # runs started together on a finished batch upload nothing more
    after = start_together(flow)
    assert [run.records(name) for run in after] == [[]] * RUNS
    assert_uploaded_exactly_once(flow, name, record_ids)


# -- leases of other runs -----------------------------------------------------------


def age_lease(url: str, name: str, holder: str) -> None:
    """Make ``holder``'s lease as old as one whose holder died a lease length ago."""
    past = utc_now() - timedelta(seconds=LEASE_SECONDS + 5)
    with StateStore.from_url(url, clock=lambda: past) as store:
        assert store.renew_lease(name, holder, LEASE_SECONDS)
    with StateStore.from_url(url) as store:
        assert store.lease(name) is None, "the aged lease still counts as held"


def test_a_crashed_holders_lease_expires(flow: Workflow, state_url: str) -> None:
    """A run on another host died holding the lease: the request waits, then goes on."""
    name = f"Orphaned {flow.tag}"
    approved_batch(flow, name, 3, "O")
    holder = "tools-hubbot-run-29012345-x7k2p:1:5f3a9c1e"  # another pod's run
    with flow.store() as store:
        assert store.acquire_lease(name, holder, LEASE_SECONDS)

    blocked = run_once(flow)
    assert blocked.skipped(name), blocked.stderr[-3000:]
    assert blocked.records(name) == []
    with flow.store() as store:
        assert store.counts(name)[Outcome.UPLOADED] == 0
        lease = store.lease(name)
        assert lease is not None and lease.holder == holder, "the run took a live lease"

    age_lease(state_url, name, holder)
    freed = run_once(flow)
    assert not freed.skipped(name), freed.stderr[-3000:]
    assert sorted(freed.records(name)) == ["O001", "O002", "O003"]
    assert_uploaded_exactly_once(flow, name, ["O001", "O002", "O003"])


@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
def test_a_run_skips_a_request_another_live_run_holds(flow: Workflow) -> None:
    """A live holder on this host keeps its request; one whose process is gone loses it."""
    name = f"Held {flow.tag}"
    approved_batch(flow, name, 2, "H")
    live = f"{socket.gethostname()}:{os.getpid()}:0a0a0a0a"  # this test process: alive
    with flow.store() as store:
        assert store.acquire_lease(name, live, LEASE_SECONDS)
    try:
        skipped = run_once(flow)
        assert skipped.skipped(name), skipped.stderr[-3000:]
        assert skipped.records(name) == []
        with flow.store() as store:
            # the run reports the state the store had, and changed nothing
            facts = store.get_request(name) or {}
            assert f"{name}: {facts.get('state')}" in skipped.stdout
            assert store.counts(name)[Outcome.UPLOADED] == 0
            lease = store.lease(name)
            assert lease is not None and lease.holder == live
    finally:
        with flow.store() as store:
            store.release_lease(name, live)

    # a run on this host that died (its process id is gone) holds a lease still valid
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = f"{socket.gethostname()}:{gone.pid}:0b0b0b0b"
    with flow.store() as store:
        assert store.acquire_lease(name, dead, LEASE_SECONDS)
    taken = run_once(flow)
    assert f"{name}: taking over the lease of {dead}, which is no longer running" in taken.stderr
    assert sorted(taken.records(name)) == ["H001", "H002"]
    assert_uploaded_exactly_once(flow, name, ["H001", "H002"])


def test_runs_wait_for_each_other_only_on_the_same_request(flow: Workflow) -> None:
    """Runs started together share out several requests and finish each one once."""
    batches = {f"{word} {flow.tag}": word[0] for word in ("First", "Second", "Third")}
    for name, prefix in batches.items():
        approved_batch(flow, name, 4, prefix)
    wave = start_together(flow)
    for name, prefix in batches.items():
        ids = [f"{prefix}{i:03d}" for i in range(1, 5)]
        reported = [record for run in wave for record in run.records(name)]
        assert sorted(reported) == ids, (name, reported)
        workers = [run for run in wave if run.records(name)]
        assert len(workers) == 1, f"{len(workers)} runs uploaded files of {name}"
        assert_uploaded_exactly_once(flow, name, ids)
