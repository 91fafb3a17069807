"""``python -m bench``: the whole benchmark in one command; prints the tables.

    python -m bench                      # 500 files; 1,000 / 10,000 / 100,000 records
    python -m bench --files 5 --scale 200,400 --no-end-to-end   # a smoke run

Needs what the dev wiki needs (Debian's mediawiki and PHP packages, ImageMagick)
and ``pywikibot-scripts`` for the data_ingestion client. Everything it makes
lives under ``--work`` (default ``var/bench``); generated JPEGs are kept there
for the next run, the wikis are removed unless ``--keep``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench import report
from bench.batch import BatchError, make_media, media_name, read_museum_rows, upload_rows
from bench.machine import describe
from bench.measure import ClientFailed
from bench.servers import serve_media
from bench.uploads import CLIENTS, OPTIONAL_CLIENTS, compare_uploads, publish_batch

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCALE = (1_000, 10_000, 100_000)


def _sizes(text: str) -> list[int]:
    if text.strip().lower() in ("", "none", "0"):
        return []
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--scale takes record counts separated by commas, e.g. 1000,10000; not {text!r}"
        ) from None
    if any(n <= 0 for n in sizes):
        raise argparse.ArgumentTypeError("--scale sizes must be positive record counts")
    return sizes


def _clients(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    known = CLIENTS + OPTIONAL_CLIENTS
    unknown = [n for n in names if n not in known]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown client {', '.join(unknown)}; choose from {', '.join(known)}"
        )
    return names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Upload throughput against the floor and pywikibot, and planning at scale.",
    )
    p.add_argument("--files", type=int, default=500, help="files in the upload batch (500)")
    p.add_argument(
        "--scale",
        type=_sizes,
        default=list(DEFAULT_SCALE),
        help="record counts for the scale runs, comma-separated, or none (1000,10000,100000)",
    )
    p.add_argument(
        "--clients",
        type=_clients,
        default=list(CLIENTS),
        help=f"upload clients to run, comma-separated ({','.join(CLIENTS)}; also "
        f"{','.join(OPTIONAL_CLIENTS)}); none: --files 0",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="upload rounds; each client's figures are from its run of median wall time (1)",
    )
    p.add_argument(
        "--no-end-to-end",
        action="store_true",
        help="scale: only the preview path, not also `hubbot run` against a dev wiki",
    )
    p.add_argument("--work", type=Path, default=REPO / "var" / "bench", help="work folder")
    p.add_argument("--keep", action="store_true", help="keep the wikis for a look afterwards")
    p.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    p.add_argument(
        "--report",
        type=Path,
        metavar="JSON",
        help="print the tables of a run saved with --json, and run nothing",
    )
    p.add_argument(
        "--profile",
        type=Path,
        help="run hubbot's upload under cProfile, save the statistics here and print the top "
        "functions (its timings are then the profiler's)",
    )
    return p


def say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def check_tools(clients: list[str]) -> None:
    if (
        any(c.startswith("data_ingestion") for c in clients)
        and importlib.util.find_spec("pywikibot_scripts") is None
    ):
        raise BatchError(
            "The data_ingestion client needs pywikibot's scripts: pip install pywikibot-scripts "
            "(or leave it out with --clients floor,hubbot)."
        )
    if shutil.which("php") is None:
        raise BatchError("PHP is missing; `hubbot devwiki start` explains what to install.")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.report:
        return reprint(args.report)
    clients = args.clients if args.files > 0 else []
    work: Path = args.work.resolve()
    run_dir = work / "run"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    data_dir = run_dir / "data"
    data_dir.mkdir(parents=True)
    machine = describe(REPO)
    try:
        check_tools(clients)
        museum = read_museum_rows()
        uploads: list[report.ClientResult] = []
        scale: list[report.ScaleResult] = []
        baseline = 0.0
        rows = upload_rows(museum, args.files) if clients else []
        make_media(
            [media_name(r) for r in rows], work / "media", workers=os.cpu_count() or 2, log=say
        )
        with serve_media(work / "media", data_dir) as media:
            if clients:
                batch = publish_batch(rows, media)
                uploads = compare_uploads(
                    batch,
                    media,
                    run_dir,
                    clients=clients,
                    repeat=max(1, args.repeat),
                    keep=args.keep,
                    profile=args.profile.resolve() if args.profile else None,
                    log=say,
                )
            if args.scale:
                from bench.scale import measure_scale

                scale, baseline = measure_scale(
                    args.scale,
                    museum,
                    media,
                    run_dir,
                    end_to_end=not args.no_end_to_end,
                    keep=args.keep,
                    log=say,
                )
    except (BatchError, ClientFailed) as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    machine["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print_report(machine, args.files, uploads, scale, baseline)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine,
                    "uploads": [report.as_json(r) for r in uploads],
                    "scale": [report.as_json(r) for r in scale],
                    "imports_baseline_mb": baseline,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    if args.profile and args.profile.exists():
        print_profile(args.profile)
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return 0


def reprint(path: Path) -> int:
    """The report of a saved run (the figures are not measured again)."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    uploads = [report.client_from_json(r) for r in saved["uploads"]]
    scale = [report.scale_from_json(r) for r in saved["scale"]]
    files = uploads[0].files if uploads else 0
    print_report(saved["machine"], files, uploads, scale, saved["imports_baseline_mb"])
    return 0


def print_profile(path: Path, top: int = 30) -> None:
    import pstats

    print(f"\n## Profile of hubbot's upload run ({path})\n")
    stats = pstats.Stats(str(path), stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def print_report(
    machine: dict[str, str],
    files: int,
    uploads: list[report.ClientResult],
    scale: list[report.ScaleResult],
    baseline: float,
) -> None:
    print("## Machine\n")
    for key, value in machine.items():
        print(f"- {key}: {value}")
    if uploads:
        rounds = len(uploads[0].walls) if uploads[0].walls else 1
        print(
            f"\n## Uploads: {files} files, each client on a fresh dev wiki"
            + (f", median of {rounds} runs" if rounds > 1 else "")
            + "\n"
        )
        print(report.upload_table(uploads))
        print()
        print(report.where_time_goes_table(uploads))
        print("\nWiki requests by kind:\n")
        print(report.requests_table(uploads))
    if scale:
        print("\n## Scale: validation, mapping tables and preview\n")
        print(report.scale_table(scale, baseline))
        print(f"\nImports alone: {baseline:.0f} MB peak RSS. Seconds per stage:\n")
        print(report.stages_table(scale))
        ratio = report.linearity(scale)
        if ratio is not None:
            print(
                f"\nPlanning time per record, largest batch over smallest: {ratio:.2f} "
                "(1.00 is exactly linear)."
            )
    print("\n## Targets\n")
    print(report.targets_table(report.targets(uploads, scale)))


if __name__ == "__main__":
    sys.exit(main())
