"""Large files: chunks through the upload stash, resumed after a stop, against the real wiki.

Chunk sizes are small here (16 KiB chunks above 64 KiB) so that chunking is
exercised with small files; the code path is the one a 5 GiB TIFF takes.
The fault proxy only forwards in these tests: it counts the requests.
"""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
import uuid

import pytest

from bots.i18n import Message
from bots.model import StashState
from bots.net.pacing import StopRequested
from bots.store import Outcome
from bots.wiki import AmbiguousWrite, Chunking, TitleTaken, Uploaded
from tests.faults.helpers import (
    FAST_UPLOAD_CONFIG,
    approve_and_run,
    make_flow,
    own_hub_root,
    report,
    row,
    sha1,
    tally,
    through,
    unique_png,
    wav_bytes,
)
from tests.support.faultproxy import Rule, is_chunk, is_commit, is_file_upload

CHUNKS = Chunking(threshold=64 * 1024, size=16 * 1024)
UPLOAD_CONFIG = {"chunk_threshold": 64 * 1024, "chunk_size": 16 * 1024, **FAST_UPLOAD_CONFIG}


@pytest.fixture
def hub_root(request):
    """A hub root of this test's own (whose title the wiki keeps as it is)."""
    return own_hub_root(request)


def big_file(tmp_path, seconds: float = 6.0):
    data = wav_bytes(seconds)  # about 16 KiB a second
    path = tmp_path / f"{sha1(data)}.wav"
    path.write_bytes(data)
    return path, data


def stop_after(count: int):
    """A should_stop that asks to stop once ``count`` chunks were confirmed."""
    seen: list[StashState | None] = []

    def note(state):
        seen.append(state)

    def should_stop() -> Message | None:
        confirmed = [s for s in seen if s is not None]
        return Message.verbatim("test stop") if len(confirmed) >= count else None

    return seen, note, should_stop


def title() -> str:
    return f"File:Chunked {uuid.uuid4().hex[:10]}.wav"


# --- Wiki level ---------------------------------------------------------------


def test_resume_from_the_offset_the_wiki_confirmed(bot, proxy, tmp_path):
    path, data = big_file(tmp_path)
    wiki = through(bot, proxy)
    name = title()
    seen, note, should_stop = stop_after(2)
    with pytest.raises(StopRequested):
        wiki.upload(
            name, path, "t", "s", mime="audio/wav", chunking=CHUNKS, sha1=sha1(data),
            on_stash=note, should_stop=should_stop,
        )  # fmt: skip
    kept = seen[-1]
    assert kept is not None and kept.offset == 2 * CHUNKS.size and not kept.complete
    assert not wiki.files([name])[name].exists
    first_run = len(proxy.seen(is_chunk))
    outcome = wiki.upload(
        name, path, "t", "s", mime="audio/wav", chunking=CHUNKS, sha1=sha1(data), resume=kept
    )
    assert outcome == Uploaded(name)
    resumed = proxy.seen(is_chunk)[first_run:]
    assert int(resumed[0].params["offset"]) == kept.offset  # nothing sent twice
    assert first_run + len(resumed) == math.ceil(len(data) / CHUNKS.size)
    result = tally(wiki, present=[sha1(data)])
    report(
        "chunked upload stopped after 2 of 7 chunks, then resumed",
        "resumed at the stash's offset after checking the stash (stashimageinfo)",
        result,
        "real wiki",
    )
    assert result.clean


@pytest.mark.parametrize("why", ["too old", "lost by the wiki", "other bytes"])
def test_a_stash_that_cannot_be_trusted_is_started_again(bot, proxy, devwiki, tmp_path, why):
    path, data = big_file(tmp_path)
    wiki = through(bot, proxy)
    name = title()
    seen, note, should_stop = stop_after(2)
    with pytest.raises(StopRequested):
        wiki.upload(
            name, path, "t", "s", mime="audio/wav", chunking=CHUNKS, sha1=sha1(data),
            on_stash=note, should_stop=should_stop,
        )  # fmt: skip
    kept = seen[-1]
    assert kept is not None
    chunking = CHUNKS
    other = None
    if why == "too old":
        chunking = Chunking(CHUNKS.threshold, CHUNKS.size, stash_max_age=1)
        time.sleep(1.5)
    elif why == "lost by the wiki":
        time.sleep(2.1)
        devwiki.expire_upload_stash()
    else:
        # the partner's file changed: same size, other bytes
        other = wav_bytes(6.0)
        path.write_bytes(other)
        kept = StashState(kept.filekey, kept.offset, kept.size, sha1(other), kept.started)
    before = len(proxy.seen(is_chunk))
    final = other or data
    outcome = wiki.upload(
        name, path, "t", "s", mime="audio/wav", chunking=chunking, sha1=sha1(final), resume=kept
    )
    assert outcome == Uploaded(name)
    again = proxy.seen(is_chunk)[before:]
    assert int(again[0].params["offset"]) == 0
    assert wiki.files([name])[name].sha1 == sha1(final)
    result = tally(wiki, present=[sha1(final)], absent=[sha1(data)] if other else [])
    report(
        f"resuming a chunked upload whose stash is {why}",
        "started again from offset 0",
        result,
        "real wiki",
    )
    assert result.clean


def test_a_complete_stash_is_published_without_sending_the_bytes_again(bot, proxy, tmp_path):
    path, data = big_file(tmp_path)
    wiki = through(bot, proxy)
    name = title()
    seen: list = []
    proxy.add(Rule("drop-before-forward", match=is_commit, times={1}))
    with pytest.raises(AmbiguousWrite):
        wiki.upload(
            name, path, "t", "s", mime="audio/wav", chunking=CHUNKS, sha1=sha1(data),
            on_stash=seen.append,
        )  # fmt: skip
    kept = seen[-1]
    assert kept is not None and kept.complete
    chunks = len(proxy.seen(is_chunk))
    outcome = wiki.upload(
        name, path, "t", "s", mime="audio/wav", chunking=CHUNKS, sha1=sha1(data), resume=kept
    )
    assert outcome == Uploaded(name)
    assert len(proxy.seen(is_chunk)) == chunks  # not one chunk more
    assert tally(wiki, present=[sha1(data)]).clean


def test_a_taken_title_shows_at_the_first_chunk(bot, proxy, tmp_path):
    """The title is checked with the first chunk: a taken one costs one chunk, not the file."""
    path, data = big_file(tmp_path)
    wiki = through(bot, proxy)
    name = title()
    other = tmp_path / "other.wav"
    other.write_bytes(wav_bytes(0.5))
    assert wiki.upload(name, other, "t", "s", mime="audio/wav") == Uploaded(name)
    outcome = wiki.upload(name, path, "t", "s", mime="audio/wav", chunking=CHUNKS, sha1=sha1(data))
    # no file key: that stash holds one chunk and must never be published
    assert outcome == TitleTaken(title=name, warning="exists")
    assert len(proxy.seen(is_chunk)) == 1
    renamed = name.replace(".wav", " (R1).wav")
    assert wiki.upload(
        renamed, path, "t", "s", mime="audio/wav", chunking=CHUNKS, sha1=sha1(data)
    ) == Uploaded(renamed)
    assert wiki.files([renamed])[renamed].sha1 == sha1(data)
    assert tally(wiki, present=[sha1(data)]).clean


def test_large_file_warning_on_chunks_is_only_information(bot, proxy, devwiki, tmp_path):
    devwiki.set_extra_settings("$wgUploadSizeWarning = 1000;")
    try:
        path, data = big_file(tmp_path)
        wiki = through(bot, proxy)
        name = title()
        outcome = wiki.upload(
            name, path, "t", "s", mime="audio/wav", chunking=CHUNKS, sha1=sha1(data)
        )
    finally:
        devwiki.set_extra_settings(None)
    assert outcome == Uploaded(name)
    assert tally(wiki, present=[sha1(data)]).clean


# --- the whole bot ---------------------------------------------------------------


@pytest.fixture
def flow(bot, proxy, person, config_file, hub_root, media):
    path = config_file(upload=UPLOAD_CONFIG)
    return make_flow(through(bot, proxy), person, path, hub_root, media)


def test_small_files_take_one_request_large_ones_go_in_chunks(flow, proxy, media):
    small, large = unique_png(), wav_bytes(6.0)
    flow.file_request(
        "Sizes",
        [row(flow, "S1", media.put(f"{flow.tag}-s1.png", small)),
         row(flow, "L1", media.put(f"{flow.tag}-l1.wav", large))],
    )  # fmt: skip
    approve_and_run(flow, "Sizes")
    store = flow.store()
    s1, l1 = store.get("Sizes", "S1"), store.get("Sizes", "L1")
    assert s1.outcome == l1.outcome == Outcome.UPLOADED
    writes_s1 = [s for s in proxy.seen() if s.params.get("filename", "").startswith(s1.title[:20])]
    assert [is_file_upload(s) for s in writes_s1] == [True]  # one request, nothing else
    assert len(proxy.seen(is_file_upload)) == 1
    assert len(proxy.seen(is_chunk)) == math.ceil(len(large) / (16 * 1024))
    assert len(proxy.seen(is_commit)) == 1
    assert store.get_stash("Sizes", "L1") is None  # a finished upload leaves no stash
    assert tally(flow.bot, present=[sha1(small), sha1(large)]).clean


def test_sigterm_between_chunks_then_the_next_run_resumes(
    bot, proxy, person, config_file, hub_root, media
):
    """A real SIGTERM to a real `hubbot run` in the middle of a chunked upload."""
    flow = make_flow(bot, person, config_file(upload=UPLOAD_CONFIG), hub_root, media)
    flow.config_path = config_file(upload=UPLOAD_CONFIG, wiki={"api": proxy.api_url})
    large = wav_bytes(6.0)
    flow.file_request("Term", [row(flow, "L1", media.put(f"{flow.tag}-term.wav", large))])
    flow.run()
    flow.approve("Term")
    process: list[subprocess.Popen] = []
    proxy.add(
        Rule("forward", match=is_chunk, times={3}, then=lambda seen: process[0].send_signal(signal.SIGTERM))
    )  # fmt: skip
    command = [sys.executable, "-m", "bots.cli", "--config", str(flow.config_path), "run"]
    process.append(
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    )
    out, err = process[0].communicate(timeout=300)
    assert process[0].returncode == 0, err
    assert "SIGTERM" in err
    store = flow.store()
    state = store.get("Term", "L1")
    kept = store.get_stash("Term", "L1")
    assert state.outcome == Outcome.PENDING
    assert kept is not None and 0 < kept.offset < len(large)
    status = flow.status("Term")
    assert status["state"] == "uploading"
    assert "SIGTERM" in flow.status_text("Term")
    first = len(proxy.seen(is_chunk))
    result = flow.run_cli("run")
    assert result.returncode == 0, result.stderr
    assert flow.status("Term")["state"] == "done"
    assert int(proxy.seen(is_chunk)[first].params["offset"]) == kept.offset
    outcome = tally(bot, present=[sha1(large)])
    report(
        "SIGTERM to `hubbot run` during the 3rd chunk of a chunked upload",
        "finished that chunk, saved the status page, exit 0; the next run resumed at the offset",
        outcome,
        "real wiki",
    )
    assert outcome.clean
