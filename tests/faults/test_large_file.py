"""A large file through the whole bot, with memory that does not grow with its size.

Two requests, each with one WAV file (a sparse file: silence), are uploaded
by two real ``hubbot run`` processes with the default chunking (chunks of
10 MiB above 50 MiB). Each process's peak resident memory comes from the
kernel (``wait4``). The file is downloaded to disk by streaming and sent a
chunk at a time, so the larger file must not take more memory than the
smaller one, beyond noise.

``HUBBOT_LARGE_MIB`` sets the large size (default 256 MiB, a few seconds on
the dev wiki; scripts/reliability.py runs 2048 MiB).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from bots.store import Outcome
from tests.faults.helpers import make_flow, own_hub_root, report, row, sparse_wav, tally

LARGE_MIB = int(os.environ.get("HUBBOT_LARGE_MIB", "256"))
SMALL_MIB = 64
MIB = 1024 * 1024


@pytest.fixture
def hub_root(request):
    """A hub root of this test's own (whose title the wiki keeps as it is)."""
    return own_hub_root(request)


def run_measured(config_path, request: str) -> tuple[int, float, float]:
    """Exit status, peak resident memory (MiB) and seconds of one `hubbot run`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
    command = [
        sys.executable, "-m", "bots.cli", "--config", str(config_path), "run", "--request", request
    ]  # fmt: skip
    started = time.monotonic()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024, time.monotonic() - started


def test_memory_does_not_grow_with_the_file(bot, person, config_file, hub_root, media):
    flow = make_flow(bot, person, config_file(), hub_root, media)
    sizes = {"Small": SMALL_MIB, "Large": LARGE_MIB}
    digests = {}
    for name, mib in sizes.items():
        path = media.folder / f"{flow.tag}-{name}.wav"
        digests[name] = sparse_wav(path, mib * MIB)
        flow.file_request(name, [row(flow, f"{name[0]}1", media.url(path.name))])
    flow.run()
    for name in sizes:
        flow.approve(name)
    figures = {}
    for name in sizes:
        code, rss, seconds = run_measured(flow.config_path, name)
        assert code == 0
        state = flow.store().get(name, f"{name[0]}1")
        assert state.outcome == Outcome.UPLOADED, state
        assert state.sha1 == digests[name]
        info = bot.files([f"File:{state.title}"])[f"File:{state.title}"]
        assert info.size == sizes[name] * MIB and info.sha1 == digests[name]
        figures[name] = (rss, seconds)
        (media.folder / f"{flow.tag}-{name}.wav").unlink()
    small_rss, large_rss = figures["Small"][0], figures["Large"][0]
    assert large_rss - small_rss < 24, figures  # MiB: independent of the file's size
    result = tally(bot, present=list(digests.values()))
    report(
        f"a {LARGE_MIB} MiB file (and a {SMALL_MIB} MiB one) through the whole bot: "
        "streamed download, chunks of 10 MiB",
        f"peak memory of `hubbot run`: {large_rss:.0f} MiB for {LARGE_MIB} MiB "
        f"({figures['Large'][1]:.0f} s), {small_rss:.0f} MiB for {SMALL_MIB} MiB",
        result,
        "real wiki",
        large_mib=LARGE_MIB,
        large_rss_mib=round(large_rss, 1),
        large_seconds=round(figures["Large"][1], 1),
        small_mib=SMALL_MIB,
        small_rss_mib=round(small_rss, 1),
    )
    assert result.clean
