"""The side-by-side upload run: the floor, data_ingestion and hubbot on the same batch.

Each client gets a fresh dev wiki (the same bytes uploaded twice to one wiki
would be duplicates, not uploads). What happens before the timed part (filing
and approving the request, writing the data_ingestion configuration page) is
not counted; the timed part is one client process from start to exit.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.batch import RequestShape, ingestion_config_text, request_text, write_batch_csv
from bench.measure import ClientFailed, Measured, require_success, run_measured
from bench.preview import first_mapping_tables, open_request, planned_files
from bench.report import (
    FLOOR,
    HUBBOT,
    HUBBOT_SDC,
    INGESTION,
    INGESTION_UNTHROTTLED,
    ClientResult,
)
from bench.servers import MediaServer
from bench.wikis import BOT, BenchWiki, fresh_wiki
from bots.config import load_config
from bots.hub import Hub, upload_summary
from bots.pipeline.preview import preview_id_on_page
from bots.pipeline.request import set_param
from bots.pipeline.titles import legal_title
from bots.reports.status import parse_status_line

REQUEST_NAME = "Tate benchmark"
INGESTION_PAGE = f"User:{BOT}/Data ingestion"
#: In the order they run: the floor and hubbot back to back, so a change of the
#: machine's load between them is least likely to touch the ratio that matters.
CLIENTS: tuple[str, ...] = (FLOOR, HUBBOT, HUBBOT_SDC, INGESTION)
#: Clients that run only when asked for with --clients.
OPTIONAL_CLIENTS: tuple[str, ...] = (INGESTION_UNTHROTTLED,)
#: Clients of the batch from a partner server far away.
FAR_CLIENTS: tuple[str, ...] = (FLOOR, HUBBOT)


@dataclass
class Batch:
    """The batch every client uploads: its CSV on the media server and on disk."""

    rows: list[dict[str, str]]
    csv_path: Path
    csv_url: str

    @property
    def size(self) -> int:
        return len(self.rows)


def publish_batch(rows: list[dict[str, str]], media: MediaServer, name: str = "batch.csv") -> Batch:
    path = write_batch_csv(media.data / name, rows, media.media_url)
    return Batch(rows=rows, csv_path=path, csv_url=f"{media.data_url}/{name}")


def write_floor_plan(wiki: BenchWiki, batch: Batch, path: Path) -> int:
    """The floor's work list: the titles and page texts hubbot renders for the same records.

    The floor sends exactly what the bot would, so the wiki does the same work
    for both and the difference is the client alone.
    """
    config = load_config(wiki.config_path, environ={})
    hub = Hub(config.hub.root)
    count = 0
    request, source = open_request(
        config, REQUEST_NAME, request_text(batch.csv_url), wiki.work / "floor-source"
    )
    with source, path.open("w", encoding="utf-8") as out:
        tables, _texts = first_mapping_tables(request, source)
        for planned in planned_files(config, request, source, tables):
            item = {
                "filename": legal_title(planned.title, "jpg"),
                "url": planned.media_url,
                "text": planned.page_text,
                "comment": upload_summary(
                    hub.request(REQUEST_NAME), REQUEST_NAME, planned.record_id
                ),
            }
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    return count


def _measure(
    name: str,
    wiki: BenchWiki,
    media: MediaServer,
    args: Sequence[str],
    *,
    files_before: int,
    env: dict[str, str] | None = None,
) -> ClientResult:
    mark = wiki.requests.mark()
    downloads = media.snapshot()["media"]
    server_before = wiki.server_cpu()
    load_before = os.getloadavg()[0]
    measured: Measured = run_measured(
        args,
        env={**wiki.client_env(name), **(env or {})},
        cwd=wiki.work,
        log_path=wiki.work / f"{name}.log",
    )
    load_after = os.getloadavg()[0]
    server_cpu = wiki.server_cpu() - server_before
    requests = wiki.requests.since(mark)
    require_success(name, measured)
    return ClientResult(
        name=name,
        files=wiki.file_count() - files_before,
        wall=measured.wall,
        cpu=measured.cpu,
        peak_rss_mb=measured.peak_rss_mb,
        wiki_requests=requests,
        media_downloads=media.snapshot()["media"] - downloads,
        server_cpu=server_cpu,
        load=(load_before, load_after),
    )


def run_floor(wiki: BenchWiki, media: MediaServer, batch: Batch) -> ClientResult:
    plan = wiki.work / "floor-plan.jsonl"
    write_floor_plan(wiki, batch, plan)
    before = wiki.file_count()
    args = [sys.executable, "-m", "bench.floor", str(plan), wiki.api, BOT]
    return _measure(FLOOR, wiki, media, args, files_before=before)


def run_ingestion(
    wiki: BenchWiki, media: MediaServer, batch: Batch, *, read_throttle: bool = True
) -> ClientResult:
    """pywikibot's data_ingestion; ``read_throttle=False`` also sets ``minthrottle = 0``.

    pywikibot waits at least ``minthrottle`` (0.1 s) between any two API
    requests, and data_ingestion makes five for every file; the variant
    without it shows what the script's requests cost on their own.
    """
    wiki.account("Admin").edit(
        INGESTION_PAGE, ingestion_config_text(batch.csv_path.name), "data_ingestion configuration"
    )
    before = wiki.file_count()
    args = [
        sys.executable,
        "-m",
        "bench.ingest",
        wiki.api,
        BOT,
        str(batch.csv_path.parent),
        INGESTION_PAGE,
    ]
    name = INGESTION if read_throttle else INGESTION_UNTHROTTLED
    env = {} if read_throttle else {"BENCH_PYWIKIBOT_MINTHROTTLE": "0"}
    return _measure(name, wiki, media, args, files_before=before, env=env)


def run_hubbot(
    wiki: BenchWiki,
    media: MediaServer,
    batch: Batch,
    profile: Path | None = None,
    *,
    structured: bool = False,
) -> ClientResult:
    """File the request, let the bot preview it, approve that preview, time the upload run.

    With ``profile``, the upload run runs under cProfile and writes its
    statistics there (the timings are then the profiler's, not the bot's).
    ``structured``: the files get their structured data too (SPEC 11), as on
    Commons; without it the bot writes none (``wikibase.structured_data:
    false``), like the other clients.
    """
    name = HUBBOT_SDC if structured else HUBBOT
    _structured_data(wiki.config_path, structured)
    config = load_config(wiki.config_path, environ={})
    hub = Hub(config.hub.root)
    partner = wiki.account("Partner")
    text = request_text(batch.csv_url, RequestShape(structured=structured))
    partner.edit(hub.request(REQUEST_NAME), text, "New partnership request")
    preview = run_measured(
        wiki.hubbot("run", "--request", REQUEST_NAME),
        env=wiki.client_env(name),
        cwd=wiki.work,
        log_path=wiki.work / "hubbot-preview.log",
    )
    require_success("hubbot run (preview)", preview)
    reviewer = wiki.account("Reviewer")
    pid = preview_id_on_page(reviewer.text(hub.preview(REQUEST_NAME)) or "")
    if not pid:
        raise ClientFailed(f"hubbot wrote no preview:\n{preview.stderr_tail}")
    page = reviewer.text(hub.request(REQUEST_NAME)) or ""
    reviewer.edit(hub.request(REQUEST_NAME), set_param(page, "approve", pid), f"Approve {pid}")
    before = wiki.file_count()
    args = wiki.hubbot("run", "--request", REQUEST_NAME)
    if profile:
        args[1:3] = ["-m", "cProfile", "-o", str(profile), "-m", "bots.cli"]
    result = _measure(name, wiki, media, args, files_before=before)
    status = parse_status_line(reviewer.text(hub.status(REQUEST_NAME)) or "")
    if status.get("state") != "done" or status.get("sdc_pending", "0") != "0":
        raise ClientFailed(f"hubbot did not finish the batch: status {status}")
    return result


def _structured_data(config_path: Path, on: bool) -> None:
    """Structured data on (as on Commons: the dev wiki has WikibaseMediaInfo) or off."""
    data = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    data.setdefault("wikibase", {})["structured_data"] = "auto" if on else "false"
    config_path.write_text(yaml.safe_dump(data), encoding="utf-8")


RUNNERS: dict[str, Callable[[BenchWiki, MediaServer, Batch], ClientResult]] = {
    FLOOR: run_floor,
    INGESTION: run_ingestion,
    HUBBOT: run_hubbot,
    HUBBOT_SDC: lambda wiki, media, batch: run_hubbot(wiki, media, batch, structured=True),
    INGESTION_UNTHROTTLED: lambda wiki, media, batch: run_ingestion(
        wiki, media, batch, read_throttle=False
    ),
}


def compare_uploads(
    batch: Batch,
    media: MediaServer,
    work: Path,
    *,
    clients: Sequence[str] = CLIENTS,
    repeat: int = 1,
    keep: bool = False,
    profile: Path | None = None,
    log: Callable[[str], None] = print,
    label: str = "",
) -> list[ClientResult]:
    """Each client on a fresh wiki, ``repeat`` rounds; per client the run of median wall time.

    Rounds alternate the order, so a drift of the machine's load favours no
    client. ``profile``: run hubbot under cProfile. ``label`` names this batch's
    wikis and log lines apart from another batch's.
    """
    runs: dict[str, list[ClientResult]] = {name: [] for name in clients}
    for round_number in range(repeat):
        order = list(clients) if round_number % 2 == 0 else list(reversed(clients))
        for name in order:
            runs[name].append(_one_run(name, batch, media, work, keep, profile, log, label))
    return [median_run(runs[name]) for name in clients]


def median_run(results: Sequence[ClientResult]) -> ClientResult:
    """The run of median wall time (the lower middle one of an even count), with every wall."""
    ordered = sorted(results, key=lambda r: r.wall)
    chosen = ordered[(len(ordered) - 1) // 2]
    chosen.walls = [r.wall for r in results]
    return chosen


def _one_run(
    name: str,
    batch: Batch,
    media: MediaServer,
    work: Path,
    keep: bool,
    profile: Path | None,
    log: Callable[[str], None],
    label: str = "",
) -> ClientResult:
    tag = f"{label}-{name}" if label else name
    with fresh_wiki(work / "wikis", tag, keep=keep, log=log) as wiki:
        log(f"[{tag}] uploading {batch.size} files")
        if name == HUBBOT and profile is not None:
            result = run_hubbot(wiki, media, batch, profile)
        else:
            result = RUNNERS[name](wiki, media, batch)
        log(
            f"[{tag}] {result.files} files in {result.wall:.1f} s, "
            f"{result.requests} wiki requests, peak RSS {result.peak_rss_mb:.0f} MB"
        )
        if result.files != batch.size:
            raise ClientFailed(
                f"{name} uploaded {result.files} of {batch.size} files; "
                f"see {wiki.work / (name + '.log')}."
            )
        return result
