"""kill -9 at random moments, many times over one batch; then the wiki is checked.

Each run is a real ``hubbot run`` process. Most kills strike just after an
upload has begun (the journal shows a record in flight: the request may or
may not have reached the wiki, a chunk may be half sent); some strike in the
gap between a file's upload and its structured data (the file is on the
wiki, its ``wbeditentity`` not yet answered); the others strike at a random
moment of a run (reading pages, writing the preview or the status page,
holding the lease). After the last kill, runs go on undisturbed until the
batch is done. Then every record's bytes must be on the wiki exactly once,
under the title the journal names, and every file's MediaInfo entity must
hold each of its statements and captions exactly once.

``HUBBOT_KILLS`` sets the number of kills (default 50; scripts/reliability.py
runs more) and ``HUBBOT_KILL_SEED`` the random seed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

import pytest

from bots.store import DataState, Outcome
from tests.faults.helpers import (
    FAST_UPLOAD_CONFIG,
    Tally,
    make_flow,
    own_hub_root,
    report,
    row,
    sha1,
    tally,
    unique_png,
    wav_bytes,
)

KILLS = int(os.environ.get("HUBBOT_KILLS", "50"))
SEED = int(os.environ.get("HUBBOT_KILL_SEED", str(int.from_bytes(os.urandom(4), "big"))))


@pytest.fixture
def hub_root(request):
    """A hub root of this test's own (whose title the wiki keeps as it is)."""
    return own_hub_root(request)


def test_kill_minus_nine_at_random_moments(bot, person, config_file, hub_root, media, tmp_path):
    rng = random.Random(SEED)
    upload = {"chunk_threshold": 48 * 1024, "chunk_size": 16 * 1024, **FAST_UPLOAD_CONFIG}
    flow = make_flow(bot, person, config_file(upload=upload), hub_root, media)
    count = max(12, 6 * KILLS)  # enough that the kills come before the batch is done
    files: dict[str, bytes] = {}
    for i in range(1, count + 1):
        # every tenth record is large enough to go in chunks
        files[f"K{i:04d}"] = wav_bytes(4.0) if i % 10 == 3 else unique_png()
    rows = [row(flow, rid, media.put(f"{flow.tag}-{rid}", data)) for rid, data in files.items()]
    flow.file_request(
        "Killed", rows, caption="{title}", collection="Q430682", inventory="{id}", date="1850"
    )
    flow.run()
    flow.approve("Killed")

    command = [sys.executable, "-m", "bots.cli", "--config", str(flow.config_path), "run"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
    log = (tmp_path / "runs.log").open("ab")
    store = flow.store()
    kills = in_flight_at_kill = chunked_at_kill = data_gap_at_kill = finished_early = 0
    deadline = time.monotonic() + max(600, KILLS * 12)
    while kills < KILLS and time.monotonic() < deadline:
        started = datetime.now(UTC)
        process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        chance = rng.random()
        if chance < 0.25:
            time.sleep(rng.uniform(0.1, 3.0))  # anywhere in a run
        elif chance < 0.45:
            _wait_for_the_data_gap(store, process, time.monotonic() + 60)
        else:
            _wait_for_an_upload(store, process, started, time.monotonic() + 60)
            time.sleep(rng.uniform(0.0, 0.15))  # just after an upload began
        if process.poll() is not None:
            finished_early += 1
            if store.counts("Killed")[Outcome.PENDING] == 0 and _settled(store) == count:
                break
            continue
        in_flight_at_kill += bool(store.in_flight("Killed"))
        data_gap_at_kill += store.structured_counts("Killed")[DataState.PENDING] > 0
        chunked_at_kill += any(
            store.get_stash("Killed", s.record_id) for s in store.in_flight("Killed")
        )
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    assert kills >= KILLS, f"only {kills} kills before the batch was done; make it larger"

    for _ in range(5):  # undisturbed runs until the batch is done
        result = subprocess.run(command, stdout=log, stderr=log, env=env, timeout=600)
        assert result.returncode == 0
        if flow.status("Killed")["state"] == "done":
            break
    states = list(store.all("Killed"))
    assert len(states) == count
    assert all(s.outcome == Outcome.UPLOADED for s in states), [
        (s.record_id, s.outcome.value, s.reason) for s in states if s.outcome != Outcome.UPLOADED
    ]
    # exactly once, under the title the journal names
    for state in states:
        assert state.sha1 == sha1(files[state.record_id])
        assert bot.find_sha1(state.sha1) == [f"File:{state.title}"], state
    result = tally(bot, present=[sha1(d) for d in files.values()]) + _data_tally(bot, store)
    store.close()
    report(
        f"kill -9 of `hubbot run` {kills} times over one batch of {count} files "
        f"({count // 10} chunked); {in_flight_at_kill} kills with an upload in flight, "
        f"{chunked_at_kill} of them mid-way through a chunked upload, {data_gap_at_kill} "
        f"between a file's upload and its structured data (seed {SEED})",
        "each next run settled uploads left in flight by SHA-1 and resumed stashes, and "
        "finished the structured data of uploaded files by reading their entities first; "
        "every record uploaded once, every statement and caption there once",
        result,
        "real wiki",
    )
    assert result.clean, result


def _wait_for_an_upload(store, process, started: datetime, deadline: float) -> None:
    """Until this run puts an upload in flight (or the process ends)."""
    while time.monotonic() < deadline and process.poll() is None:
        if any(s.updated >= started for s in store.in_flight("Killed")):
            return
        time.sleep(0.01)


def _wait_for_the_data_gap(store, process, deadline: float) -> None:
    """Until a file of this run is uploaded and its structured data not yet written."""
    while time.monotonic() < deadline and process.poll() is None:
        if store.structured_counts("Killed")[DataState.PENDING] > 0:
            return
        time.sleep(0.005)


def _data_tally(bot, store) -> Tally:
    """Every file's statements and captions: each one the journal says the bot meant, once."""
    states = [s for s in store.all("Killed") if s.outcome == Outcome.UPLOADED]
    data = store.structured_of("Killed", [s.record_id for s in states])
    assert all(data[s.record_id].state is DataState.DONE for s in states)
    lost = duplicated = 0
    for start in range(0, len(states), 50):
        batch = states[start : start + 50]
        titles = [f"File:{s.title}" for s in batch]
        entities = bot.entities_of_files(titles, ())
        for state, title in zip(batch, titles, strict=True):
            entity, wanted = entities[title], data[state.record_id].draft
            have = Counter(h.key() for h in entity.statements)
            lost += sum(1 for s in wanted.statements if have[s.key()] == 0)
            lost += sum(1 for lang in wanted.labels if lang not in entity.labels)
            duplicated += sum(n - 1 for n in have.values() if n > 1)
    return Tally(lost=lost, duplicated=duplicated)


def _settled(store) -> int:
    counts = store.counts("Killed")
    return sum(counts[o] for o in (Outcome.UPLOADED, Outcome.DUPLICATE, Outcome.FAILED))
