"""kill -9 at random moments of a batch edit (SPEC 13); then every page is checked.

Each run is a real ``hubbot run`` process editing files another user uploaded.
Some kills strike at a random moment, the others in the gap between a file's
page edit and its structured data (the page is edited and journalled, the
file's ``wbeditentity`` not yet answered). After the kills, undisturbed runs
finish the batch. Every page must then hold the request's fields and
categories exactly once, be edited by the bot once (never twice), every file
must hold its caption and statements exactly once, added by one structured
data edit, and the journal must know each page edit and each statement and
caption the bot added (undo needs them all).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest

from bots.dev.demo import png
from bots.store import DataState, Outcome
from tests.faults.helpers import Tally, make_flow, own_hub_root, report
from tests.support.workflow import csv_text

KILLS = max(5, int(os.environ.get("HUBBOT_KILLS", "50")) // 4)
SEED = int(os.environ.get("HUBBOT_KILL_SEED", str(int.from_bytes(os.urandom(4), "big"))))

PAGE = """=={{int:filedesc}}==
{{Information
 |description = Old scan
 |date = 1900
}}

=={{int:license-header}}==
{{cc-zero}}
"""


@pytest.fixture
def hub_root(request):
    return own_hub_root(request)


def test_kill_minus_nine_during_a_batch_edit(bot, person, config_file, hub_root, media, tmp_path):
    rng = random.Random(SEED)
    flow = make_flow(bot, person, config_file(), hub_root, media)
    count = max(60, 10 * KILLS)
    tag = uuid.uuid4().hex[:6]
    rows = []
    for n in range(count):
        name = f"Kill edit {tag} {n}.png"
        data = png(18, 14, int(hashlib.sha1(f"{tag}{n}".encode()).hexdigest()[:6], 16))
        person("Volunteer").upload(name, data, PAGE)
        rows.append({"id": f"K{n:03d}", "file": f"File:{name}", "caption": f"Caption {n}"})
    source = media.put("kill-edits.csv", csv_text(rows).encode())
    flow.file_request(
        "Killed edits",
        None,
        source=source,
        mode="edit",
        target="file",
        file=None,
        title=None,
        license=None,
        author=None,
        description="{caption}",
        categories="Edited under fire",
        caption="{caption}",
    )
    flow.run()
    flow.approve("Killed edits")

    command = [sys.executable, "-m", "bots.cli", "--config", str(flow.config_path), "run"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
    log = (tmp_path / "runs.log").open("ab")
    store = flow.store()
    kills = pending_at_kill = data_gap_at_kill = 0
    deadline = time.monotonic() + 600
    while kills < KILLS and time.monotonic() < deadline:
        process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        if kills % 2:
            _wait_for_the_data_gap(store, process, time.monotonic() + 60)
        else:
            time.sleep(rng.uniform(0.8, 2.5))
        if process.poll() is not None:
            if flow.status("Killed edits").get("state") == "done":
                break
            continue
        pending_at_kill += bool(store.pending_edits("Killed edits"))
        data_gap_at_kill += store.structured_counts("Killed edits")[DataState.PENDING] > 0
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    assert kills >= min(KILLS, 3), "the batch was done before the kills; make it larger"
    assert data_gap_at_kill, "no kill struck between a page edit and its structured data"

    for _ in range(5):
        result = subprocess.run(command, stdout=log, stderr=log, env=env, timeout=600)
        assert result.returncode == 0
        if flow.status("Killed edits")["state"] == "done":
            break
    states = list(store.all("Killed edits"))
    assert len(states) == count and all(s.outcome == Outcome.EDITED for s in states)
    noted = {e.title: e for e in store.edits("Killed edits")}
    data = store.structured_of("Killed edits", [r["id"] for r in rows])
    assert all(d.state is DataState.DONE for d in data.values()) and len(data) == count
    journal = store.file_claims("Killed edits")
    entities = bot.entities_of_files([r["file"] for r in rows], ())
    twice = lost = 0
    for row in rows:
        text = flow.file_text(row["file"])
        assert text.count("|description") == 1 and f"|description = {row['caption']}" in text
        assert text.count("[[Category:Edited under fire]]") == 1, text
        mine = [r for r in bot.revisions(row["file"]) if r.user == "HubBot"]
        pages = [r for r in mine if "structured data from" not in r.comment]
        twice += len(pages) > 1 or len(mine) > 2  # one page edit, one structured data edit
        assert len(pages) == 1 and noted[row["file"]].revid == pages[0].revid
        # the caption and statements once each, and the journal knows every one of them
        entity = entities[row["file"]]
        assert entity.labels == {"en": row["caption"]}
        have = Counter(h.key() for h in entity.statements)
        wanted = data[row["id"]].draft.statements
        lost += sum(1 for s in wanted if have[s.key()] == 0)
        twice += sum(n - 1 for n in have.values() if n > 1)
        added = {(c.kind, c.key) for c in journal if c.entity == entity.id}
        assert added == {("caption", "en")} | {("statement", h.id) for h in entity.statements}
    assert not store.pending_edits("Killed edits")
    store.close()
    report(
        f"kill -9 of `hubbot run` {kills} times during a batch edit of {count} files "
        f"({pending_at_kill} kills with an edit sent and not yet answered, {data_gap_at_kill} "
        f"between a page edit and its structured data; seed {SEED})",
        "the next run read each page's history for edits left unanswered and finished the "
        "structured data of edited files by reading their entities first; every page edited "
        "once, every caption and statement there once, each edit and addition journalled",
        Tally(lost=lost, duplicated=twice),
        "real wiki",
    )
    assert (lost, twice) == (0, 0)


def _wait_for_the_data_gap(store, process, deadline: float) -> None:
    """Until a page of this run is edited and its file's structured data not yet written."""
    while time.monotonic() < deadline and process.poll() is None:
        if store.structured_counts("Killed edits")[DataState.PENDING] > 0:
            return
        time.sleep(0.005)
