"""The benchmark still runs: a tiny batch through every client, and a tiny scale run.

Not a timed test: the figures of a two-file batch mean nothing. It checks that
``python -m bench`` starts its wikis, that every client uploads every file,
that requests are counted at the server, and that the report holds the tables
and the targets. The real figures are in BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FILES = 2
RECORDS = 60


def test_bench_runs_every_client_and_the_scale_path(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--files",
            str(FILES),
            "--scale",
            str(RECORDS),
            "--work",
            str(tmp_path / "work"),
            "--json",
            str(results),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    figures = json.loads(results.read_text(encoding="utf-8"))
    uploads = {r["name"]: r for r in figures["uploads"]}
    assert set(uploads) == {"floor", "data_ingestion", "hubbot", "hubbot-structured-data"}
    for name, result in uploads.items():
        assert result["files"] == FILES, name
        assert result["wiki_requests"].get("api.php upload", 0) >= FILES, name
        assert result["media_downloads"] >= FILES, name
        assert result["wall"] > 0 and result["cpu"] > 0 and result["peak_rss_mb"] > 0, name
    # structured data: one wbeditentity per file, and none when it is switched off
    sdc = uploads["hubbot-structured-data"]["wiki_requests"]
    assert sdc.get("api.php wbeditentity") == FILES
    assert "api.php wbeditentity" not in uploads["hubbot"]["wiki_requests"]
    # the floor is the floor: log in (three requests), then one upload per file
    assert sum(uploads["floor"]["wiki_requests"].values()) == 3 + FILES

    (scale,) = figures["scale"]
    assert scale["records"] == RECORDS
    assert scale["files"] + scale["problems"] >= RECORDS
    assert scale["run_wall"] > 0 and scale["run_requests"] > 0

    out = done.stdout
    for heading in ("## Machine", "## Uploads", "## Scale", "## Targets"):
        assert heading in out
    for name in uploads:
        assert f"| {name} " in out
    assert "hubbot wiki requests per uploaded file" in out
