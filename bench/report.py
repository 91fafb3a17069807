"""The benchmark's figures, the tables they are printed as, and the targets they meet.

Pure: results in, Markdown tables out (they read well in a terminal and
paste unchanged into BENCHMARKS.md).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

FLOOR = "floor"
HUBBOT = "hubbot"
#: hubbot writing each file's structured data (SPEC 11) too: one wbeditentity after each upload
HUBBOT_SDC = "hubbot-structured-data"
INGESTION = "data_ingestion"
INGESTION_UNTHROTTLED = "data_ingestion-minthrottle0"

#: The targets: hubbot's wall time over the floor's on loopback and from a far server.
MAX_WALL_RATIO = 1.10
MAX_FAR_RATIO = 0.50
MAX_REQUESTS_PER_FILE = 1.1
#: An idle scheduled run over a hub of this many finished requests.
IDLE_TARGET_REQUESTS = 1_000
MAX_IDLE_SECONDS = 5.0
MAX_IDLE_WIKI_REQUESTS = 15
#: The first run of a large request (mapping tables and preview): records -> (s, MB).
SCALE_TARGETS: dict[int, tuple[float, float]] = {
    100_000: (15.0, 150.0),
    1_000_000: (150.0, 300.0),
}
#: one upload and one wbeditentity a file, and the run's fixed cost spread over the batch
MAX_SDC_REQUESTS_PER_FILE = 2.05


@dataclass
class ClientResult:
    """One client's run over the batch."""

    name: str
    files: int  # uploaded, as counted on the wiki afterwards
    wall: float
    cpu: float
    peak_rss_mb: float
    wiki_requests: Counter[str] = field(default_factory=Counter)
    media_downloads: int = 0
    server_cpu: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after
    #: wall time of every run of this client when the benchmark repeated it
    walls: list[float] = field(default_factory=list)

    @property
    def files_per_second(self) -> float:
        return self.files / self.wall if self.wall else 0.0

    @property
    def requests(self) -> int:
        return sum(self.wiki_requests.values())

    def per_file(self, value: float) -> float:
        return value / self.files if self.files else float("nan")


@dataclass
class ScaleResult:
    """Planning one batch of ``records`` records."""

    records: int
    files: int
    problems: int
    wall: float
    cpu: float
    peak_rss_mb: float
    stages: dict[str, float] = field(default_factory=dict)
    mapped_values: dict[str, int] = field(default_factory=dict)
    #: ``hubbot run`` on the unapproved request against a dev wiki (None: not run)
    run_wall: float | None = None
    run_cpu: float | None = None
    run_rss_mb: float | None = None
    run_requests: int | None = None
    #: the machine's 1-minute load average as the run started and as it ended
    run_load: tuple[float, float] | None = None

    @property
    def planning(self) -> float:
        """Seconds of the preview path itself, without starting Python and importing."""
        return sum(self.stages.values())


@dataclass
class IdleFigures:
    """The timed scheduled run over a hub of ``requests`` finished requests."""

    requests: int
    wall: float
    cpu: float
    peak_rss_mb: float
    wiki_requests: dict[str, int] = field(default_factory=dict)
    #: sources and media read from the partner's server during the timed run
    downloads: int = 0
    #: conditional requests the partner's server answered with 304 Not Modified
    unchanged: int = 0
    #: wiki writes in the timed run (edits, uploads, purges)
    writes: int = 0
    #: the untimed run before it, which brings the dashboard up to date
    first_wall: float = 0.0
    first_requests: int = 0
    setup_seconds: float = 0.0

    @property
    def requests_total(self) -> int:
        return sum(self.wiki_requests.values())


def idle_table(idle: IdleFigures) -> str:
    header = [
        "finished requests",
        "wall s",
        "CPU s",
        "peak RSS MB",
        "wiki requests",
        "wiki writes",
        "downloads",
        "304 answers",
        "the run before: wall s, wiki requests",
    ]
    row = [
        f"{idle.requests:,}",
        f"{idle.wall:.2f}",
        f"{idle.cpu:.2f}",
        f"{idle.peak_rss_mb:.0f}",
        str(idle.requests_total),
        str(idle.writes),
        str(idle.downloads),
        str(idle.unchanged),
        f"{idle.first_wall:.2f}, {idle.first_requests}",
    ]
    return _table(header, [row])


def idle_requests_table(idle: IdleFigures) -> str:
    rows = [[kind, str(n)] for kind, n in sorted(idle.wiki_requests.items())]
    rows.append(["total", str(idle.requests_total)])
    return _table(["wiki request", "idle run"], rows)


def idle_from_json(data: dict | None) -> IdleFigures | None:
    return None if data is None else IdleFigures(**data)


def client_from_json(data: dict) -> ClientResult:
    data = dict(data)
    data["wiki_requests"] = Counter(data.get("wiki_requests", {}))
    data["load"] = tuple(data.get("load", (0.0, 0.0)))
    return ClientResult(**data)


def scale_from_json(data: dict) -> ScaleResult:
    load = data.get("run_load")
    return ScaleResult(**{**data, "run_load": tuple(load) if load else None})


def as_json(result: ClientResult | ScaleResult | IdleFigures) -> dict[str, object]:
    """A result as plain JSON values (``dataclasses.asdict`` mangles a ``Counter``)."""
    out: dict[str, object] = {}
    for f in fields(result):
        value = getattr(result, f.name)
        if isinstance(value, Counter | dict):
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


@dataclass(frozen=True)
class Target:
    what: str
    measured: str
    limit: str
    met: bool | None  # None: not measured in this run


def _ratio(value: float, base: float) -> str:
    if not base:
        return "-"
    return f"{value / base:.2f}x"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def upload_table(results: Sequence[ClientResult]) -> str:
    """Side by side, with ratios against the floor (the result named ``floor``).

    With repeated rounds, each figure is from the client's median run, except
    "wall vs floor": the median of the round-by-round ratios (see :func:`round_ratios`).
    """
    floor = next((r for r in results if r.name == FLOOR), None)
    header = [
        "client",
        "files",
        "wall s",
        "files/s",
        "wiki requests/file",
        "client CPU s/file",
        "peak RSS MB",
        "wall vs floor",
        "requests vs floor",
        "CPU vs floor",
        "RSS vs floor",
    ]
    rows = []
    for r in results:
        rows.append(
            [
                r.name,
                str(r.files),
                f"{r.wall:.1f}",
                f"{r.files_per_second:.2f}",
                f"{r.per_file(r.requests):.3f}",
                f"{r.per_file(r.cpu):.4f}",
                f"{r.peak_rss_mb:.0f}",
                f"{statistics.median(round_ratios(r, floor)):.2f}x" if floor else "-",
                _ratio(r.per_file(r.requests), floor.per_file(floor.requests)) if floor else "-",
                _ratio(r.per_file(r.cpu), floor.per_file(floor.cpu)) if floor else "-",
                _ratio(r.peak_rss_mb, floor.peak_rss_mb) if floor else "-",
            ]
        )
    return _table(header, rows)


def where_time_goes_table(results: Sequence[ClientResult]) -> str:
    """Wiki server CPU and media downloads per file: what each client makes others do."""
    header = [
        "client",
        "wiki server CPU s/file",
        "media downloads/file",
        "load before",
        "load after",
        "wall s of every run",
    ]
    rows = [
        [
            r.name,
            f"{r.per_file(r.server_cpu):.4f}",
            f"{r.per_file(r.media_downloads):.2f}",
            f"{r.load[0]:.2f}",
            f"{r.load[1]:.2f}",
            ", ".join(f"{w:.1f}" for w in r.walls or [r.wall]),
        ]
        for r in results
    ]
    return _table(header, rows)


def requests_table(results: Sequence[ClientResult]) -> str:
    """Every kind of wiki request each client made, with counts."""
    kinds = sorted({k for r in results for k in r.wiki_requests})
    header = ["wiki request", *(r.name for r in results)]
    rows = [[k, *(str(r.wiki_requests.get(k, 0)) for r in results)] for k in kinds]
    rows.append(["total", *(str(r.requests) for r in results)])
    return _table(header, rows)


def scale_table(results: Sequence[ScaleResult], baseline_mb: float) -> str:
    header = [
        "records",
        "files planned",
        "problems",
        "process s",
        "planning s",
        "planning s per 1,000 records",
        "CPU s",
        "peak RSS MB",
        "RSS above imports MB",
        "hubbot run s",
        "hubbot run CPU s",
        "hubbot run peak RSS MB",
        "hubbot run wiki requests",
        "load before / after the run",
    ]
    rows = []
    for r in results:
        rows.append(
            [
                f"{r.records:,}",
                f"{r.files:,}",
                f"{r.problems:,}",
                f"{r.wall:.2f}",
                f"{r.planning:.2f}",
                f"{r.planning / r.records * 1000:.3f}",
                f"{r.cpu:.2f}",
                f"{r.peak_rss_mb:.0f}",
                f"{r.peak_rss_mb - baseline_mb:.0f}",
                "-" if r.run_wall is None else f"{r.run_wall:.2f}",
                "-" if r.run_cpu is None else f"{r.run_cpu:.2f}",
                "-" if r.run_rss_mb is None else f"{r.run_rss_mb:.0f}",
                "-" if r.run_requests is None else str(r.run_requests),
                "-" if r.run_load is None else f"{r.run_load[0]:.2f} / {r.run_load[1]:.2f}",
            ]
        )
    return _table(header, rows)


def stages_table(results: Sequence[ScaleResult]) -> str:
    stages = list(dict.fromkeys(s for r in results for s in r.stages))
    header = ["records", *stages]
    rows = [[f"{r.records:,}", *(f"{r.stages.get(s, 0.0):.2f}" for s in stages)] for r in results]
    return _table(header, rows)


def linearity(results: Sequence[ScaleResult]) -> float | None:
    """Seconds per record at the largest size over that at the smallest (1.0: linear)."""
    ordered = sorted(results, key=lambda r: r.records)
    if len(ordered) < 2:
        return None
    small, large = ordered[0], ordered[-1]
    if not small.planning:
        return None
    return (large.planning / large.records) / (small.planning / small.records)


def round_ratios(client: ClientResult, base: ClientResult) -> list[float]:
    """Wall time over the base's, round by round.

    The two run back to back in every round, so each ratio compares runs made
    under the same load; the median of these ratios is steadier on a shared
    machine than the ratio of the two medians.
    """
    if client.walls and len(client.walls) == len(base.walls):
        return [c / b for c, b in zip(client.walls, base.walls, strict=True)]
    return [client.wall / base.wall]


def _ratio_target(what: str, results: Sequence[ClientResult], limit: float) -> Target:
    by_name = {r.name: r for r in results}
    hub, floor = by_name.get(HUBBOT), by_name.get(FLOOR)
    if not (hub and floor):
        return Target(what, "-", f"<= {limit:.2f}x", None)
    ratios = round_ratios(hub, floor)
    ratio = statistics.median(ratios)
    each = f" (rounds: {', '.join(f'{r:.2f}' for r in ratios)})" if len(ratios) > 1 else ""
    return Target(
        what,
        f"{ratio:.2f}x: {hub.wall:.1f} s vs {floor.wall:.1f} s{each}",
        f"<= {limit:.2f}x",
        ratio <= limit,
    )


def upload_targets(uploads: Sequence[ClientResult], far: Sequence[ClientResult]) -> list[Target]:
    by_name = {r.name: r for r in uploads}
    hub, ingest = by_name.get(HUBBOT), by_name.get(INGESTION)
    files = hub.files if hub else 0
    out = [
        _ratio_target(
            f"loopback, {files} files: hubbot wall time vs the floor", uploads, MAX_WALL_RATIO
        ),
        _ratio_target(
            f"far partner server, {far[0].files if far else 0} files: hubbot wall time vs the floor",
            far,
            MAX_FAR_RATIO,
        ),
    ]
    if hub and ingest:
        out.append(
            Target(
                "hubbot faster than data_ingestion",
                f"{hub.wall:.1f} s vs {ingest.wall:.1f} s",
                "faster",
                hub.wall < ingest.wall,
            )
        )
    per_file = hub.per_file(hub.requests) if hub else None
    out.append(
        Target(
            "hubbot wiki requests per uploaded file",
            "-" if per_file is None else f"{per_file:.3f}",
            f"<= {MAX_REQUESTS_PER_FILE}",
            None if per_file is None else per_file <= MAX_REQUESTS_PER_FILE,
        )
    )
    out.append(_sdc_target(by_name.get(HUBBOT_SDC)))
    return out


def idle_targets(idle: IdleFigures | None) -> list[Target]:
    what = f"idle run over {IDLE_TARGET_REQUESTS:,} finished requests"
    if idle is None or idle.requests != IDLE_TARGET_REQUESTS:
        measured = "-" if idle is None else f"({idle.requests:,} requests measured)"
        return [
            Target(f"{what}: time", measured, f"< {MAX_IDLE_SECONDS:g} s", None),
            Target(f"{what}: wiki requests", measured, f"<= {MAX_IDLE_WIKI_REQUESTS}", None),
            Target(f"{what}: downloads", measured, "0", None),
        ]
    return [
        Target(
            f"{what}: time",
            f"{idle.wall:.2f} s",
            f"< {MAX_IDLE_SECONDS:g} s",
            idle.wall < MAX_IDLE_SECONDS,
        ),
        Target(
            f"{what}: wiki requests",
            str(idle.requests_total),
            f"<= {MAX_IDLE_WIKI_REQUESTS}",
            idle.requests_total <= MAX_IDLE_WIKI_REQUESTS,
        ),
        Target(f"{what}: downloads", str(idle.downloads), "0", idle.downloads == 0),
    ]


def scale_targets(scale: Sequence[ScaleResult]) -> list[Target]:
    out: list[Target] = []
    for records, (seconds, megabytes) in SCALE_TARGETS.items():
        what = f"first run of a {records:,}-record request"
        found = next((r for r in scale if r.records == records), None)
        if found is None:
            out.append(Target(f"{what}: time", "-", f"<= {seconds:g} s", None))
            out.append(Target(f"{what}: peak memory", "-", f"<= {megabytes:g} MB", None))
            continue
        wall = found.run_wall if found.run_wall is not None else found.wall
        rss = found.run_rss_mb if found.run_rss_mb is not None else found.peak_rss_mb
        out.append(Target(f"{what}: time", f"{wall:.1f} s", f"<= {seconds:g} s", wall <= seconds))
        out.append(
            Target(
                f"{what}: peak memory", f"{rss:.0f} MB", f"<= {megabytes:g} MB", rss <= megabytes
            )
        )
    return out


def targets(
    uploads: Sequence[ClientResult],
    scale: Sequence[ScaleResult],
    far: Sequence[ClientResult] = (),
    idle: IdleFigures | None = None,
) -> list[Target]:
    """The targets, each met, missed, or not measured in this run."""
    return [*upload_targets(uploads, far), *idle_targets(idle), *scale_targets(scale)]


def _sdc_target(sdc: ClientResult | None) -> Target:
    what = "wiki requests per uploaded file with structured data"
    limit = f"<= {MAX_SDC_REQUESTS_PER_FILE}"
    if sdc is None:
        return Target(what, "-", limit, None)
    per_file = sdc.per_file(sdc.requests)
    return Target(what, f"{per_file:.3f}", limit, per_file <= MAX_SDC_REQUESTS_PER_FILE)


def targets_table(found: Sequence[Target]) -> str:
    verdict = {True: "met", False: "NOT MET", None: "not measured"}
    return _table(
        ["target", "measured", "limit", "verdict"],
        [[t.what, t.measured, t.limit, verdict[t.met]] for t in found],
    )
