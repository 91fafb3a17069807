"""Scale: validation, mapping tables and preview for 1,000 to 100,000 records.

Each size is planned twice, each time in a process of its own so that its
peak memory is its own:

1. ``python -m bench.preview``: the preview path without the wiki, stage by
   stage (read, mapping tables, validate and render, preview page);
2. ``hubbot run`` on the unapproved request against a dev wiki: the figure a
   partner waits for, wiki round trips included.

Records are the museum's rows over and over, with ids and titles varied, so
every record is distinct and the museum's own awkward titles and empty
cells stay in (validation is part of the work).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.batch import request_text, scale_rows, write_batch_csv
from bench.measure import require_success, run_measured
from bench.report import ScaleResult
from bench.servers import MediaServer
from bench.wikis import BenchWiki, fresh_wiki
from bots.config import load_config
from bots.hub import Hub

#: Media addresses in the scale batches: planning checks them, never fetches them.
SCALE_MEDIA_URL = "https://collection.example.org/media"


def scale_name(records: int) -> str:
    return f"Scale {records}"


def scale_profile(profile: Path, records: int) -> Path:
    """Where the profile of the scale run of ``records`` goes, beside ``profile``."""
    return profile.with_name(f"{profile.stem}-scale-{records}{profile.suffix}")


def imports_baseline(wiki: BenchWiki) -> float:
    """Peak memory of a process that only imports what the preview path imports."""
    measured = run_measured(
        [sys.executable, "-c", "import bench.preview"],
        env=wiki.client_env("baseline"),
        cwd=wiki.work,
        log_path=wiki.work / "baseline.log",
    )
    return require_success("imports baseline", measured).peak_rss_mb


def measure_size(
    records: int,
    museum: Sequence[dict[str, str]],
    media: MediaServer,
    wiki: BenchWiki,
    *,
    end_to_end: bool,
    profile: Path | None = None,
) -> ScaleResult:
    name = scale_name(records)
    csv_name = f"scale-{records}.csv"
    write_batch_csv(media.data / csv_name, scale_rows(museum, records), SCALE_MEDIA_URL)
    text = request_text(f"{media.data_url}/{csv_name}")
    request_file = wiki.work / f"request-{records}.txt"
    request_file.write_text(text, encoding="utf-8")
    measured = require_success(
        f"preview of {records} records",
        run_measured(
            [
                sys.executable,
                "-m",
                "bench.preview",
                str(wiki.config_path),
                str(request_file),
                name,
            ],
            env=wiki.client_env("preview"),
            cwd=wiki.work,
            log_path=wiki.work / f"preview-{records}.log",
        ),
    )
    figures = json.loads(measured.stdout)
    result = ScaleResult(
        records=figures["records"],
        files=figures["files"],
        problems=figures["problems"],
        wall=measured.wall,
        cpu=measured.cpu,
        peak_rss_mb=measured.peak_rss_mb,
        stages=figures["seconds"],
        mapped_values=figures["mapped_values"],
    )
    if end_to_end:
        hub = Hub(load_config(wiki.config_path, environ={}).hub.root)
        wiki.account("Partner").edit(hub.request(name), text, "New partnership request")
        mark = wiki.requests.mark()
        load_before = os.getloadavg()[0]
        args = wiki.hubbot("run", "--request", name)
        if profile:
            args[1:3] = ["-m", "cProfile", "-o", str(profile), "-m", "bots.cli"]
        run = require_success(
            f"hubbot run on {records} records",
            run_measured(
                args,
                env=wiki.client_env("hubbot"),
                cwd=wiki.work,
                log_path=wiki.work / f"run-{records}.log",
            ),
        )
        result.run_wall = run.wall
        result.run_cpu = run.cpu
        result.run_rss_mb = run.peak_rss_mb
        result.run_requests = sum(wiki.requests.since(mark).values())
        result.run_load = (load_before, os.getloadavg()[0])
    (media.data / csv_name).unlink(missing_ok=True)
    return result


def measure_scale(
    sizes: Sequence[int],
    museum: Sequence[dict[str, str]],
    media: MediaServer,
    work: Path,
    *,
    end_to_end: bool = True,
    keep: bool = False,
    profile: Path | None = None,
    log: Callable[[str], None] = print,
) -> tuple[list[ScaleResult], float]:
    """Every size, smallest first; also the imports-only baseline memory.

    With ``profile``, each size's ``hubbot run`` runs under cProfile and writes
    its statistics to :func:`scale_profile` of it (the timings are then the
    profiler's, not the bot's).
    """
    results = []
    with fresh_wiki(work / "wikis", "scale", keep=keep, log=log) as wiki:
        baseline = imports_baseline(wiki)
        for records in sorted(sizes):
            log(f"[scale] planning {records:,} records")
            result = measure_size(
                records,
                museum,
                media,
                wiki,
                end_to_end=end_to_end,
                profile=scale_profile(profile, records) if profile else None,
            )
            log(
                f"[scale] {records:,} records: {result.wall:.1f} s, "
                f"peak RSS {result.peak_rss_mb:.0f} MB"
                + (
                    f"; hubbot run {result.run_wall:.1f} s, {result.run_rss_mb:.0f} MB"
                    if result.run_wall is not None
                    else ""
                )
            )
            results.append(result)
    return results, baseline
