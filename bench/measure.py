"""Run one client as a child process and read what it cost from the kernel.

``os.wait4`` gives the child's own resource usage: CPU seconds (user +
system) and peak resident memory. Each client is a process of its own, so
nothing the harness does (serving media, counting) is charged to it.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    """One child process: how long, how much CPU, how much memory, how it ended."""

    wall: float  # seconds
    cpu: float  # user + system seconds
    peak_rss_mb: float  # MiB
    returncode: int
    stdout: str
    stderr_tail: str


class ClientFailed(Exception):
    """A client exited with an error; the message holds the end of its output."""


def run_measured(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log_path: Path | None = None,
    timeout: float = 3600,
) -> Measured:
    """Run ``args`` to completion; stderr goes to ``log_path`` (kept for reading later)."""
    log_path = log_path or Path(os.devnull)
    out_path = log_path.with_suffix(".stdout") if log_path != Path(os.devnull) else None
    with (
        log_path.open("wb") as err,
        out_path.open("w+b") if out_path else open(os.devnull, "w+b") as out,  # noqa: SIM115
    ):
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(args),
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
    tail = ""
    if log_path != Path(os.devnull):
        tail = "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
    return Measured(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        returncode=proc.returncode,
        stdout=stdout,
        stderr_tail=tail,
    )


def require_success(name: str, measured: Measured) -> Measured:
    if measured.returncode != 0:
        raise ClientFailed(
            f"{name} exited with status {measured.returncode}:\n{measured.stderr_tail}"
        )
    return measured
