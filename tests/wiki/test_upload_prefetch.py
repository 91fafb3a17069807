"""Downloads ahead of the upload loop, on the real wiki: whatever the loop does not upload is discarded.

The prefetcher downloads the next files while the loop uploads one. When the
loop ends early (the stop page, a stale approval, the file budget) or a
record fails, the files downloaded for records it did not upload are never
uploaded, and nothing of them is left in the work folder; the journal keeps
those records pending for the next run.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bots.dev.install import install
from bots.jobs import preview as preview_step
from bots.net.fetch import Fetcher
from bots.store import Outcome
from tests.faults.helpers import sha1, tally
from tests.support.workflow import Workflow


@pytest.fixture
def prefetched(monkeypatch) -> list[str]:
    """Every media URL the run downloads, in the order the downloads finish."""
    fetched: list[str] = []
    original = Fetcher.fetch_to_file

    def fetch_to_file(self, url, dest, **kwargs):
        result = original(self, url, dest, **kwargs)
        fetched.append(url)
        return result

    monkeypatch.setattr(Fetcher, "fetch_to_file", fetch_to_file)
    return fetched


@pytest.fixture
def flow(bot, person, config_file, hub_root, media) -> Workflow:
    """A hub whose preview shows one file, downloading two at once, four ahead."""
    install(bot, hub_root, standins=True, progress=lambda m: None)
    return Workflow(
        bot=bot,
        person=person,
        config_path=config_file(hub={"preview_files": 1}, sources={"parallel_downloads": 2}),
        hub_root=hub_root,
        media=media,
    )


def media_bytes(flow: Workflow, row: dict[str, str]) -> bytes:
    return (flow.media.folder / row["image"].rsplit("/", 1)[1]).read_bytes()


def files_left(flow: Workflow) -> list[Path]:
    work = Path(flow.config.upload.work_dir) / "media"
    return [p for p in work.rglob("*") if p.is_file()] if work.exists() else []


def wait_for(condition, seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "the prefetcher did not download ahead"
        time.sleep(0.05)


def outcomes(flow: Workflow, name: str) -> dict[str, str]:
    with flow.store() as store:
        return {s.record_id: s.outcome.value for s in store.all(name)}


def test_a_stop_discards_the_files_downloaded_ahead(flow, person, monkeypatch, prefetched):
    from bots.jobs import session as gate

    monkeypatch.setattr(gate, "STOP_CHECK_SECONDS", 0)  # re-read the stop page at every write
    rows = flow.rows(8)
    flow.file_request("Stopped ahead", rows)
    flow.run()
    flow.approve("Stopped ahead")
    prefetched.clear()
    uploaded: list[str] = []
    original = flow.bot.upload

    def upload_then_stop(*args, **kwargs):
        outcome = original(*args, **kwargs)
        uploaded.append(args[0])
        if len(uploaded) == 2:
            wait_for(lambda: len(prefetched) >= 5)  # records 3 to 5 are on disk, waiting
            person("Volunteer").edit(flow.hub.stop, "stop", "stop now")
        return outcome

    monkeypatch.setattr(flow.bot, "upload", upload_then_stop)
    summary = flow.run()
    assert summary.stopped
    assert len(uploaded) == 2
    states = outcomes(flow, "Stopped ahead")
    assert sorted(states.values()).count("uploaded") == 2
    assert Outcome.IN_FLIGHT.value not in states.values()
    later = [sha1(media_bytes(flow, r)) for r in rows[2:]]
    assert tally(flow.bot, absent=later).clean  # downloaded ahead, never uploaded
    assert files_left(flow) == []


def test_a_stale_approval_discards_the_files_downloaded_ahead(flow, monkeypatch, prefetched):
    """The approved preview could not read record 2's file; it appears during the run."""
    rows = flow.rows(8)
    name = rows[1]["image"].rsplit("/", 1)[1]
    late = (flow.media.folder / name).read_bytes()
    (flow.media.folder / name).unlink()
    flow.config_path.write_text(
        flow.config_path.read_text().replace("preview_files: 1", "preview_files: 2")
    )
    flow.file_request("Stale ahead", rows)
    flow.run()
    flow.approve("Stale ahead")
    check_shown = preview_step.check_shown

    def check_then_publish(*args, **kwargs):
        checks = check_shown(*args, **kwargs)
        flow.media.put(name, late)  # after the preview read it as missing
        return checks

    monkeypatch.setattr(preview_step, "check_shown", check_then_publish)
    prefetched.clear()
    summary = flow.run()
    assert summary.requests["Stale ahead"] == "awaiting-approval"
    assert len(prefetched) > 2  # files after record 2 were downloaded ahead
    assert outcomes(flow, "Stale ahead").get("R001") == "uploaded"
    later = [sha1(late), *(sha1(media_bytes(flow, r)) for r in rows[2:])]
    assert tally(flow.bot, absent=later).clean
    assert files_left(flow) == []


def test_a_failed_record_and_the_file_budget_leave_nothing_behind(flow, prefetched):
    rows = flow.rows(8)
    (flow.media.folder / rows[2]["image"].rsplit("/", 1)[1]).unlink()  # record 3: 404
    flow.file_request("Budget ahead", rows)
    flow.run()
    flow.approve("Budget ahead")
    prefetched.clear()
    flow.run(max_files=4)
    states = outcomes(flow, "Budget ahead")
    assert states["R003"] == "failed"
    assert sorted(states.values()).count("uploaded") == 3
    assert len(prefetched) > 4  # more was downloaded ahead than the budget let through
    not_yet = [r for r in rows[4:] if states.get(r["id"]) != "uploaded"]
    assert len(not_yet) == 4
    assert tally(flow.bot, absent=[sha1(media_bytes(flow, r)) for r in not_yet]).clean
    assert files_left(flow) == []
    # the next run takes the rest, downloading them again
    assert flow.run().requests["Budget ahead"] == "done"
    assert sorted(outcomes(flow, "Budget ahead").values()).count("uploaded") == 7
    assert files_left(flow) == []
