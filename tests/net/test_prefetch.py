"""Downloads ahead of the upload loop, against a real loopback partner server.

The server counts the downloads it is sending at each moment, per host name,
so the limit of ``per_host`` downloads at once is seen from the server's
side; the queue's bounds are seen from what the server was asked for while
the loop does not take anything, and from the files on disk.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bots.jobs.media import media_path
from bots.jobs.prefetch import Prefetcher
from bots.model import PlannedFile
from bots.net.fetch import Fetcher, FetchPolicy
from bots.net.validators import Validators
from tests.support.http import LoopbackServer, SeenRequest

OPEN = FetchPolicy(allow_private_addresses=True, timeout=10)
BODY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64  # 16 KiB


class CountingServer:
    """Routes that send their body slowly and count how many are being sent at once."""

    def __init__(self, seconds: float = 0.2, size: int = len(BODY)) -> None:
        self.seconds, self.body = seconds, (BODY * (size // len(BODY) + 1))[:size]
        self.lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.most_overall = 0
        self.asked: list[str] = []

    def route(self, seen: SeenRequest) -> tuple[int, dict[str, str], Iterator[bytes]]:
        host = seen.headers.get("host", "").split(":")[0]
        with self.lock:
            self.asked.append(seen.path)
        return (
            200,
            {"Content-Type": "image/png", "Content-Length": str(len(self.body))},
            (self._send(host)),
        )

    def _send(self, host: str) -> Iterator[bytes]:
        """Half the body, a pause, the rest; counted as sending until the last bytes go.

        (Counted down before the last bytes are written, so that a client which
        starts its next download the moment this one ends is not counted twice.)
        """
        with self.lock:
            self.now[host] += 1
            self.most[host] = max(self.most[host], self.now[host])
            self.most_overall = max(self.most_overall, sum(self.now.values()))
        half = len(self.body) // 2
        try:
            yield self.body[:half]
            time.sleep(self.seconds)
        finally:
            with self.lock:
                self.now[host] -= 1
        yield self.body[half:]


def planned(n: int, url: str) -> PlannedFile:
    return PlannedFile(f"R{n:03d}", f"Object {n}", "png", url, "text")


@pytest.fixture
def counting() -> Iterator[tuple[CountingServer, LoopbackServer]]:
    counter = CountingServer()
    with LoopbackServer() as server:
        for n in range(40):
            server.add(f"/media/{n}.png", counter.route)
        yield counter, server


def resolver(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


def test_at_most_n_downloads_at_once_per_host(counting, tmp_path: Path) -> None:
    counter, server = counting
    fetcher = Fetcher(OPEN, resolve=resolver)
    hosts = ("museum.example", "archive.example")
    files = [planned(n, server.url(f"/media/{n}.png", host=hosts[n % 2])) for n in range(24)]
    got = []
    with Prefetcher(fetcher, tmp_path, "Req", per_host=3) as prefetch:
        for download in prefetch.files(files):
            assert download.fetched is not None and download.fetched.path.exists()
            assert download.fetched.path.read_bytes() == counter.body
            got.append(download.record_id)
            download.fetched.path.unlink()  # as the uploader does
    assert got == [f.record_id for f in files]  # in order
    assert counter.most["museum.example"] == 3  # three at once, never more
    assert counter.most["archive.example"] == 3
    assert counter.most_overall > 3  # the hosts do not wait for each other
    assert list(tmp_path.iterdir()) == []


def test_one_at_a_time_when_the_configuration_says_one(counting, tmp_path: Path) -> None:
    counter, server = counting
    files = [planned(n, server.url(f"/media/{n}.png")) for n in range(6)]
    with Prefetcher(Fetcher(OPEN), tmp_path, "Req", per_host=1) as prefetch:
        assert [d.record_id for d in prefetch.files(files)] == [f.record_id for f in files]
    assert counter.most["127.0.0.1"] == 1


def test_the_queue_is_bounded_while_the_loop_works(counting, tmp_path: Path) -> None:
    """A loop busy with one file lets at most ``ahead`` more be downloaded."""
    counter, server = counting
    counter.seconds = 0.01
    files = [planned(n, server.url(f"/media/{n}.png")) for n in range(30)]
    with Prefetcher(Fetcher(OPEN), tmp_path, "Req", per_host=2, ahead=4) as prefetch:
        downloads = prefetch.files(files)
        first = next(downloads)
        time.sleep(1.0)  # the loop uploads the first file, slowly
        assert len(counter.asked) == 1 + 4
        assert len(list(tmp_path.glob("media-*"))) == 1 + 4
        assert first.fetched is not None


def test_the_queue_holds_few_bytes_of_large_files(tmp_path: Path) -> None:
    """Finished files waiting on disk stop new downloads once they hold ``ahead_bytes``."""
    counter = CountingServer(seconds=0.0, size=256 * 1024)
    with LoopbackServer() as server:
        for n in range(20):
            server.add(f"/media/{n}.png", counter.route)
        files = [planned(n, server.url(f"/media/{n}.png")) for n in range(20)]
        with Prefetcher(
            Fetcher(OPEN), tmp_path, "Req", per_host=1, ahead=10, ahead_bytes=600 * 1024
        ) as prefetch:
            downloads = prefetch.files(files)
            next(downloads)
            time.sleep(0.5)
            next(downloads)  # tops the queue up as far as its bytes allow
            time.sleep(0.5)
            waiting = sum(p.stat().st_size for p in tmp_path.glob("media-*"))
            # the two handed out, and no more than the bound, plus the one that crossed it and
            # one that started while a file was being handed out (the bound is checked before
            # each download starts, not while it runs)
            assert waiting <= 2 * 256 * 1024 + 600 * 1024 + 2 * 256 * 1024
            assert len(counter.asked) < 10


def test_closing_discards_what_the_loop_did_not_take(counting, tmp_path: Path) -> None:
    """The loop stops after two files: the rest are called off or deleted, none is kept."""
    counter, server = counting
    counter.seconds = 2.0  # downloads still running when the loop stops
    files = [planned(n, server.url(f"/media/{n}.png")) for n in range(12)]
    prefetch = Prefetcher(Fetcher(OPEN), tmp_path, "Req", per_host=4)
    taken = []
    for download in prefetch.files(files):
        taken.append(download)
        if len(taken) == 2:
            break  # the stop page said stop, the budget ended, the approval went stale...
    started = time.monotonic()
    prefetch.close()
    assert time.monotonic() - started < 1.5  # running downloads were called off, not waited out
    time.sleep(0.3)
    left = sorted(p.name for p in tmp_path.iterdir())
    mine = sorted(media_path(tmp_path, "Req", d.record_id).name for d in taken)
    assert left == mine  # only the loop's own two files; no partial file either
    assert all(not name.endswith(".part") for name in left)


def test_a_file_that_cannot_be_read_comes_in_its_turn_with_the_reason(tmp_path: Path) -> None:
    with LoopbackServer({"/ok.png": (200, {"Content-Type": "image/png"}, BODY)}) as server:
        files = [
            planned(1, server.url("/ok.png")),
            planned(2, server.url("/missing.png")),
            planned(3, server.url("/ok.png")),
        ]
        with Prefetcher(Fetcher(OPEN), tmp_path, "Req") as prefetch:
            downloads = list(prefetch.files(files))
    assert [d.record_id for d in downloads] == ["R001", "R002", "R003"]
    assert downloads[1].fetched is None and downloads[1].error is not None
    assert "404" in str(downloads[1].error)
    assert downloads[0].fetched is not None and downloads[2].fetched is not None


def test_an_unchanged_file_is_not_sent_again(tmp_path: Path) -> None:
    def route(seen: SeenRequest) -> tuple[int, dict[str, str], bytes]:
        if seen.headers.get("if-none-match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": "image/png", "ETag": '"v1"'}, BODY

    with LoopbackServer({"/a.png": route, "/b.png": route}) as server:
        files = [planned(1, server.url("/a.png")), planned(2, server.url("/b.png"))]
        known = {"R001": Validators(etag='"v1"')}
        with Prefetcher(
            Fetcher(OPEN), tmp_path, "Req", validators=lambda p: known.get(p.record_id)
        ) as prefetch:
            first, second = prefetch.files(files)
    assert first.unchanged and first.fetched is None
    assert second.fetched is not None and second.fetched.validators == Validators(etag='"v1"')
    asked = {r.path: r.headers.get("if-none-match") for r in server.requests}
    assert asked == {"/a.png": '"v1"', "/b.png": None}


def test_files_already_on_disk_are_handed_out_as_they_are(counting, tmp_path: Path) -> None:
    counter, server = counting
    fetcher = Fetcher(OPEN)
    files = [planned(n, server.url(f"/media/{n}.png")) for n in range(4)]
    ready = fetcher.fetch_to_file(files[1].media_url, media_path(tmp_path, "Req", "R001"))
    counter.asked.clear()
    with Prefetcher(
        fetcher, tmp_path, "Req", ready=lambda rid: ready if rid == "R001" else None
    ) as prefetch:
        downloads = list(prefetch.files(files))
    assert downloads[1].fetched is ready
    assert sorted(counter.asked) == ["/media/0.png", "/media/2.png", "/media/3.png"]
