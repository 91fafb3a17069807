"""``python -m bench``: the whole benchmark in one command; prints the tables.

    python -m bench      # 200 files on loopback, 60 from a far server, an idle hub of
                         # 1,000 requests, 1,000 / 100,000 / 1,000,000 records
    python -m bench --files 5 --far-files 3 --idle 20 --scale 200,400   # a smoke run

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
from dataclasses import dataclass, field
from pathlib import Path

from bench import report
from bench.batch import BatchError, make_media, media_name, read_museum_rows, upload_rows
from bench.machine import describe
from bench.measure import ClientFailed
from bench.servers import FAR, serve_media
from bench.uploads import CLIENTS, FAR_CLIENTS, OPTIONAL_CLIENTS, compare_uploads, publish_batch

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCALE = (1_000, 100_000, 1_000_000)


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
    p.add_argument(
        "--files", type=int, default=200, help="files in the loopback upload batch (200)"
    )
    p.add_argument(
        "--far-files",
        type=int,
        default=60,
        help=f"files from the partner server far away ({FAR.describe()}); 0: none (60)",
    )
    p.add_argument(
        "--idle",
        type=int,
        default=1000,
        help="finished requests of the idle hub; 0: none (1000)",
    )
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
    p.add_argument(
        "--only",
        choices=("uploads", "far", "idle", "scale"),
        action="append",
        help="run only these parts (repeatable); the others are left out",
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
        help="run hubbot's upload (and each scale size's `hubbot run`, saved beside it as "
        "NAME-scale-N.EXT) under cProfile, save the statistics here and print the top "
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
    parts = set(args.only or ("uploads", "far", "idle", "scale"))
    clients = args.clients if args.files > 0 and "uploads" in parts else []
    far_files = args.far_files if "far" in parts else 0
    idle = args.idle if "idle" in parts else 0
    sizes = args.scale if "scale" in parts else []
    work: Path = args.work.resolve()
    run_dir = work / "run"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    data_dir = run_dir / "data"
    data_dir.mkdir(parents=True)
    machine = describe(REPO)
    figures = Figures()
    try:
        check_tools(clients)
        museum = read_museum_rows()
        rows = upload_rows(museum, max(args.files if clients else 0, far_files, 1))
        make_media(
            [media_name(r) for r in rows], work / "media", workers=os.cpu_count() or 2, log=say
        )
        with serve_media(work / "media", data_dir) as media:
            if clients:
                figures.uploads = compare_uploads(
                    publish_batch(rows[: args.files], media),
                    media,
                    run_dir,
                    clients=clients,
                    repeat=max(1, args.repeat),
                    keep=args.keep,
                    profile=args.profile.resolve() if args.profile else None,
                    log=say,
                )
            if far_files:
                with serve_media(work / "media", data_dir, FAR) as far:
                    say(f"[far] the partner's server: {FAR.describe()}")
                    figures.far = compare_uploads(
                        publish_batch(rows[:far_files], far, "batch-far.csv"),
                        far,
                        run_dir,
                        clients=FAR_CLIENTS,
                        repeat=max(1, args.repeat),
                        keep=args.keep,
                        log=say,
                        label="far",
                    )
            if idle:
                from bench.idle import measure_idle

                figures.idle = measure_idle(idle, museum, media, run_dir, keep=args.keep, log=say)
            if sizes:
                from bench.scale import measure_scale

                figures.scale, figures.baseline = measure_scale(
                    sizes,
                    museum,
                    media,
                    run_dir,
                    end_to_end=not args.no_end_to_end,
                    keep=args.keep,
                    profile=args.profile.resolve() if args.profile else None,
                    log=say,
                )
    except (BatchError, ClientFailed) as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    machine["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print_report(machine, figures)
    if args.json:
        args.json.write_text(json.dumps(figures.as_json(machine), indent=2), encoding="utf-8")
    if args.profile:
        print_profiles(args.profile.resolve(), sizes)
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return 0


@dataclass
class Figures:
    """Everything one run measured."""

    uploads: list[report.ClientResult] = field(default_factory=list)
    far: list[report.ClientResult] = field(default_factory=list)
    idle: report.IdleFigures | None = None
    scale: list[report.ScaleResult] = field(default_factory=list)
    baseline: float = 0.0

    def as_json(self, machine: dict[str, str]) -> dict[str, object]:
        return {
            "machine": machine,
            "uploads": [report.as_json(r) for r in self.uploads],
            "far": [report.as_json(r) for r in self.far],
            "idle": None if self.idle is None else report.as_json(self.idle),
            "scale": [report.as_json(r) for r in self.scale],
            "imports_baseline_mb": self.baseline,
        }

    @classmethod
    def from_json(cls, saved: dict) -> Figures:
        return cls(
            uploads=[report.client_from_json(r) for r in saved["uploads"]],
            far=[report.client_from_json(r) for r in saved.get("far", [])],
            idle=report.idle_from_json(saved.get("idle")),
            scale=[report.scale_from_json(r) for r in saved["scale"]],
            baseline=saved["imports_baseline_mb"],
        )


def reprint(path: Path) -> int:
    """The report of a saved run (the figures are not measured again)."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    print_report(saved["machine"], Figures.from_json(saved))
    return 0


def print_profiles(path: Path, sizes: list[int]) -> None:
    from bench.scale import scale_profile

    if path.exists():
        print_profile(path, "hubbot's upload run")
    for records in sorted(sizes):
        scaled = scale_profile(path, records)
        if scaled.exists():
            print_profile(scaled, f"the first `hubbot run` of {records:,} records")


def print_profile(path: Path, what: str, top: int = 30) -> None:
    import pstats

    print(f"\n## Profile of {what} ({path})\n")
    stats = pstats.Stats(str(path), stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def _print_uploads(title: str, uploads: list[report.ClientResult]) -> None:
    rounds = len(uploads[0].walls) if uploads[0].walls else 1
    files = uploads[0].files
    print(
        f"\n## {title}: {files} files, each client on a fresh dev wiki"
        + (f", median of {rounds} runs" if rounds > 1 else "")
        + "\n"
    )
    print(report.upload_table(uploads))
    print()
    print(report.where_time_goes_table(uploads))
    print("\nWiki requests by kind:\n")
    print(report.requests_table(uploads))


def print_report(machine: dict[str, str], figures: Figures) -> None:
    print("## Machine\n")
    for key, value in machine.items():
        print(f"- {key}: {value}")
    if figures.uploads:
        _print_uploads("Uploads from a partner server on loopback", figures.uploads)
    if figures.far:
        _print_uploads(f"Uploads from a partner server far away ({FAR.describe()})", figures.far)
    if figures.idle:
        print(
            f"\n## An idle hub: a scheduled run over {figures.idle.requests:,} finished requests\n"
        )
        print(report.idle_table(figures.idle))
        print("\nWiki requests of the timed run, by kind:\n")
        print(report.idle_requests_table(figures.idle))
    scale, baseline = figures.scale, figures.baseline
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
    print(
        report.targets_table(
            report.targets(figures.uploads, scale, far=figures.far, idle=figures.idle)
        )
    )


if __name__ == "__main__":
    sys.exit(main())
