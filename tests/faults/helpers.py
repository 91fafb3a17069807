"""Shared tools of the upload and fault tests: real media, wiki checks, the fault report.

Every test of a fault or a bad input ends by asking the wiki itself what
happened: for each record's bytes (SHA-1), how many files hold them. From
that come the three numbers of RELIABILITY.md (lost, duplicated, wrongly
uploaded), which must all be 0. When ``HUBBOT_RELIABILITY_JSON`` names a file
(scripts/reliability.py does), each test also appends its row there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
import json
import os
import re
import struct
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bots.dev.demo import png
from bots.net.pacing import Pacer, PacingPolicy

REPORT_ENV = "HUBBOT_RELIABILITY_JSON"

#: Pacing for tests: short back-offs, quick read-only polls.
FAST = PacingPolicy(
    max_wait=10,
    retries=3,
    backoff=0.2,
    read_only_wait=20,
    read_only_poll=0.5,
    rate_limit_wait=60,
)

#: The same as configuration keys (for config_file(upload=...)).
FAST_UPLOAD_CONFIG = {
    "max_wait": 10,
    "retries": 3,
    "backoff": 0.2,
    "read_only_wait": 20,
    "read_only_poll": 1,
    "rate_limit_wait": 60,
}


@dataclass(frozen=True)
class Tally:
    """What the wiki holds compared with what should be there."""

    lost: int = 0  # records that should be on the wiki and are not
    duplicated: int = 0  # extra files holding a record's bytes
    wrong: int = 0  # files the bot should not have uploaded but did

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.lost + other.lost,
            self.duplicated + other.duplicated,
            self.wrong + other.wrong,
        )

    @property
    def clean(self) -> bool:
        return self.lost == self.duplicated == self.wrong == 0


def tally(wiki: Any, present: Iterable[str] = (), absent: Iterable[str] = ()) -> Tally:
    """Count, on the wiki, the files holding each SHA-1.

    ``present``: bytes that must be on the wiki exactly once; ``absent``:
    bytes the bot must not have put there (refused records).
    """
    lost = duplicated = wrong = 0
    for sha1 in present:
        titles = wiki.find_sha1(sha1)
        lost += not titles
        duplicated += max(0, len(titles) - 1)
    for sha1 in absent:
        wrong += len(wiki.find_sha1(sha1))
    return Tally(lost, duplicated, wrong)


def report(fault: str, did: str, result: Tally, source: str, **figures: Any) -> None:
    """Append a row for RELIABILITY.md (when scripts/reliability.py asked for one).

    The row names the running test by its pytest node id, so the report can
    say whether that test passed.
    """
    path = os.environ.get(REPORT_ENV)
    if not path:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    row = {
        "test": test,
        "fault": fault,
        "did": did,
        "source": source,
        **dataclasses.asdict(result),
        "figures": figures,
    }
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def through(bot: Any, proxy: Any, policy: PacingPolicy = FAST) -> Any:
    """The bot's connection with its writes sent through the fault proxy."""
    return dataclasses.replace(bot, write_api=proxy.api_url, pacer=Pacer(policy))


def fresh(bot: Any, policy: PacingPolicy = FAST) -> Any:
    """The bot's connection with a pacer of its own (test pacing, its own wait log)."""
    return dataclasses.replace(bot, pacer=Pacer(policy))


# --- real media ----------------------------------------------------------------

_seed = [int.from_bytes(os.urandom(4), "big")]


def unique_png(width: int = 40, height: int = 30) -> bytes:
    """A real PNG no other call returns."""
    _seed[0] += 1
    return png(width, height, _seed[0])


def big_png(size: int) -> bytes:
    """A real PNG of about ``size`` bytes: an image plus a text chunk of random bytes."""
    base = unique_png(64, 48)
    filler = os.urandom(max(0, size - len(base)))
    text = b"Comment\x00" + filler.hex().encode()[: max(0, size - len(base))]
    import zlib

    chunk = (
        struct.pack(">I", len(text))
        + b"tEXt"
        + text
        + struct.pack(">I", zlib.crc32(b"tEXt" + text) & 0xFFFFFFFF)
    )
    return base[:33] + chunk + base[33:]  # after the IHDR chunk


def wav_bytes(seconds: float = 0.2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(os.urandom(int(8000 * seconds) * 2))
    return out.getvalue()


def pdf_bytes(text: str) -> bytes:
    """A one-page PDF saying ``text``."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
    ]
    stream = f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def converted(data: bytes, ext: str, folder: Path) -> bytes:
    """``data`` (a PNG) converted by ImageMagick to JPEG, GIF or TIFF."""
    import subprocess

    src = folder / f"convert-{sha1(data)}.png"
    dst = src.with_suffix(f".{ext}")
    src.write_bytes(data)
    subprocess.run(["convert", str(src), str(dst)], check=True, capture_output=True)
    return dst.read_bytes()


def media_samples(folder: Path) -> dict[str, tuple[bytes, str]]:
    """One real file of every media type the bot uploads: name -> (bytes, expected MIME)."""
    from tests.unit.test_mediatypes import (
        OPUS_HEAD,
        SVG_PLAIN,
        THEORA_ID,
        VORBIS_ID,
        ebml,
        mp3_frame,
        ogg_page,
    )

    noise = os.urandom
    tag = noise(4).hex()
    return {
        "JPEG": (converted(unique_png(), "jpg", folder), "image/jpeg"),
        "PNG": (unique_png(), "image/png"),
        "GIF": (converted(unique_png(), "gif", folder), "image/gif"),
        "TIFF": (converted(unique_png(), "tif", folder), "image/tiff"),
        "SVG": (
            SVG_PLAIN.replace(b"<rect/>", f'<rect id="r{tag}" width="4" height="3"/>'.encode()),
            "image/svg+xml",
        ),
        "PDF": (pdf_bytes(f"Sample {tag}"), "application/pdf"),
        "Ogg Opus": (ogg_page(OPUS_HEAD) + noise(300), "application/ogg"),
        "Ogg Vorbis": (ogg_page(VORBIS_ID) + noise(300), "application/ogg"),
        "MP3": (
            b"ID3\x04\x00\x00\x00\x00\x00\x0f" + b"\x00" * 15 + mp3_frame() * 3 + noise(64),
            "audio/mpeg",
        ),
        "WAV": (wav_bytes(), "audio/wav"),
        "FLAC": (b"fLaC\x00\x00\x00\x22" + noise(34), "audio/flac"),
        "WebM": (ebml(b"webm") + noise(300), "video/webm"),
        "Ogg video": (ogg_page(THEORA_ID) + noise(300), "application/ogg"),
    }


# --- requests on the real wiki ---------------------------------------------------


def make_flow(bot: Any, person: Any, config_path: Path, hub_root: str, media: Any) -> Any:
    """A hub of the test's own with the bot's pages installed, ready for requests."""
    from bots.dev.install import install
    from tests.support.workflow import Workflow

    install(bot, hub_root, standins=True, progress=lambda message: None)
    return Workflow(bot=bot, person=person, config_path=config_path, hub_root=hub_root, media=media)


def approve_and_run(flow: Any, name: str, **options: Any) -> Any:
    flow.run()
    flow.approve(name)
    return flow.run(**options)


def row(flow: Any, record_id: str, url: str, title: str = "") -> dict[str, str]:
    return {
        "id": record_id,
        "title": title or f"{flow.tag} object {record_id}",
        "artist": "Blake, William",
        "image": url,
    }


def own_hub_root(request: pytest.FixtureRequest) -> str:
    """A hub root of the test's own, for a ``hub_root`` fixture overriding tests/conftest.py's.

    The slug is cut before it is trimmed, so a long test name never leaves a
    trailing space that the wiki would drop from the title.
    """
    slug = re.sub(r"[^A-Za-z0-9]+", " ", request.node.name)[:50].strip()
    return f"Project:Hub test {next(_hubs)} {slug}"


_hubs = itertools.count(int.from_bytes(os.urandom(2), "big") * 1000)


def sparse_wav(path: Path, size: int) -> str:
    """A WAV file of ``size`` bytes, almost all of it a hole on disk; returns its SHA-1.

    Silence is a valid WAV body, so the wiki takes it like any recording.
    """
    header = (
        b"RIFF"
        + struct.pack("<I", size - 8)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
        + b"data"
        + struct.pack("<I", size - 44)
    )
    with path.open("wb") as f:
        f.write(header + os.urandom(16))  # a few random samples: bytes of its own
        f.truncate(size)
    digest = hashlib.sha1()
    with path.open("rb") as f:
        while block := f.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()
