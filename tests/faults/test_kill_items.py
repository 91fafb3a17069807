"""kill -9 while the bot creates a request's Wikidata items; then every record has one item.

Each run is a real ``hubbot run`` process. Most kills strike just after the
journal marked an item creation in flight (the ``wbeditentity`` may or may
not have reached the Wikibase, its answer may be lost), the others at a
random moment. After the last kill, runs go on undisturbed until the request
is done. Then, on the Wikibase itself: every record's label belongs to
exactly one item, the one the journal names, and every file is on the wiki
once.

``HUBBOT_ITEM_KILLS`` sets the number of kills (default 15) and
``HUBBOT_KILL_SEED`` the random seed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from bots.store import ItemState
from tests.faults.helpers import (
    FAST_UPLOAD_CONFIG,
    Tally,
    make_flow,
    own_hub_root,
    report,
    sha1,
    tally,
    unique_png,
)
from tests.support.items import items_labelled

KILLS = int(os.environ.get("HUBBOT_ITEM_KILLS", "15"))
SEED = int(os.environ.get("HUBBOT_KILL_SEED", str(int.from_bytes(os.urandom(4), "big"))))
NAME = "Killed items"


@pytest.fixture
def hub_root(request):
    return own_hub_root(request)


def test_kill_minus_nine_during_item_creation_never_duplicates_an_item(
    bot, person, config_file, hub_root, media, tmp_path
):
    rng = random.Random(SEED)
    path = config_file(upload=FAST_UPLOAD_CONFIG, wikibase={"items_per_minute": 600})
    flow = make_flow(bot, person, path, hub_root, media)
    count = max(10, 4 * KILLS)
    files = {f"KI{i:03d}": unique_png() for i in range(1, count + 1)}
    rows = [
        {
            "id": rid,
            "title": f"{flow.tag} killed item {rid} {SEED}",
            "artist": "Blake, William",
            "image": media.put(f"{flow.tag}-{rid}.png", data),
        }
        for rid, data in files.items()
    ]
    flow.file_request(
        NAME,
        rows,
        source_url="https://example.org/object/{id}",
        items="create",
        item_label="{title}",
        item_description="object of a kill test",
        item_statements="P31=Q3305213; P217={id}",
        item_match="P217",
    )
    flow.run()
    flow.approve(NAME)

    command = [sys.executable, "-m", "bots.cli", "--config", str(flow.config_path), "run"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
    log = (tmp_path / "runs.log").open("ab")
    store = flow.store()
    kills = in_flight_at_kill = lost_answers = 0
    deadline = time.monotonic() + max(600, KILLS * 30)
    while kills < KILLS and time.monotonic() < deadline:
        started = datetime.now(UTC)
        process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        if rng.random() < 0.2:
            time.sleep(rng.uniform(0.2, 4.0))  # anywhere in a run
        else:
            _wait_for_a_creation(store, process, started, time.monotonic() + 60)
            time.sleep(rng.uniform(0.0, 0.15))  # while or just after a creation is sent
        if process.poll() is not None:
            if _created(store) == count:
                break
            continue
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
        flying = [e for e in _entries(store) if e.state is ItemState.IN_FLIGHT]
        in_flight_at_kill += bool(flying)
        # the Wikibase made the item, but the run died before it journalled the answer
        lost_answers += sum(1 for e in flying if items_labelled(bot, e.label))
    assert kills >= min(KILLS, 5), f"only {kills} kills before the items were made"

    for _ in range(5):  # undisturbed runs until the request is done
        result = subprocess.run(command, stdout=log, stderr=log, env=env, timeout=600)
        assert result.returncode == 0
        if flow.status(NAME)["state"] == "done":
            break
    assert flow.status(NAME)["state"] == "done", flow.status_text(NAME)

    entries = {e.record_id: e for e in _entries(store)}
    missing = [
        rid for rid in files if rid not in entries or entries[rid].state is not ItemState.CREATED
    ]
    extra = 0
    for row in rows:
        found = items_labelled(bot, row["title"])
        extra += max(0, len(found) - 1)
        if row["id"] in entries:
            assert found == [entries[row["id"]].item], (row["id"], found)
    items = Tally(lost=len(missing), duplicated=extra)
    result = items + tally(bot, present=[sha1(d) for d in files.values()])
    store.close()
    report(
        f"kill -9 of `hubbot run` {kills} times while it created the items of {count} records "
        f"({in_flight_at_kill} kills with a creation in flight, {lost_answers} of them after "
        f"the Wikibase had made the item; seed {SEED})",
        "each next run looked for the in-flight item by its label and description before "
        "sending again; every record got one item and its file once",
        result,
        "real wiki",
        kills=kills,
        items=count,
        lost_answers=lost_answers,
    )
    assert result.clean, (result, missing)


def _entries(store):
    return list(store.item_entries(NAME).values())


def _created(store) -> int:
    return sum(1 for e in _entries(store) if e.state is ItemState.CREATED)


def _wait_for_a_creation(store, process, started: datetime, deadline: float) -> None:
    """Until this run marks an item creation in flight (or the process ends)."""
    while time.monotonic() < deadline and process.poll() is None:
        if any(e.state is ItemState.IN_FLIGHT and e.updated >= started for e in _entries(store)):
            return
        time.sleep(0.01)
