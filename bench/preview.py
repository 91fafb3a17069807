"""The preview path, stage by stage, without the wiki: what a large batch costs to plan.

``hubbot run`` on a new request reads and checks it, reads the source, counts
the values of the mapped columns, merges the mapping tables, renders every
record and writes the preview. These are the same calls in the same order
(``bots.jobs.run.Runner._with_source``), timed one by one, with the wiki's
pages replaced by what a first run would find (no mapping page yet).

Run as ``python -m bench.preview CONFIG REQUEST_FILE NAME`` in a process of
its own, so its peak memory is the preview's; prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bots.config import Config, load_config
from bots.model import MappingTable, PlannedFile, Problem, Request
from bots.net.fetch import Fetcher, FetchPolicy
from bots.pipeline import mapping as mappings_mod
from bots.pipeline.patterns import placeholders
from bots.pipeline.plan import BatchChecks, Skipped, plan
from bots.pipeline.preview import preview_id
from bots.pipeline.render import templates_digest
from bots.pipeline.request import parse_request
from bots.pipeline.request_checks import check_columns
from bots.reports.preview import TableSummary, render_preview
from bots.sources import SourceData, open_source

PREVIEW_ROOT = "Project:Content Partnerships Hub/Requests"


class PreviewError(Exception):
    """The request or its source is not valid; the benchmark's own inputs are wrong."""


@dataclass
class PreviewFigures:
    """What planning one batch took, stage by stage (seconds), and what it found."""

    records: int = 0
    files: int = 0
    problems: int = 0
    mapped_values: dict[str, int] = field(default_factory=dict)
    preview_bytes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def fetcher_for(config: Config) -> Fetcher:
    return Fetcher(
        FetchPolicy.from_config(
            config.sources, user_agent="hubbot-bench", timeout=float(config.sources.timeout)
        )
    )


def open_request(config: Config, name: str, text: str, workdir: Path) -> tuple[Request, SourceData]:
    """Parse the request and read its source, as the bot does before anything else."""
    request, problems = parse_request(name, text, licenses=config.license_templates)
    if request is None:
        raise PreviewError("; ".join(str(p) for p in problems))
    source = open_source(
        request.source,
        request.format,
        request.options,
        fetcher=fetcher_for(config),
        read_wiki_page=lambda title: None,
        workdir=workdir,
        split=request.split,
    )
    problems = check_columns(request, source.columns, placeholders)
    if problems:
        source.close()
        raise PreviewError("; ".join(str(p) for p in problems))
    return request, source


def first_mapping_tables(
    request: Request, source: SourceData
) -> tuple[dict[str, MappingTable], dict[str, str]]:
    """The mapping tables a first run writes: counts of every value, nothing mapped yet."""
    counts = mappings_mod.count_values(source.records(), request.mapped, request.split)
    tables: dict[str, MappingTable] = {}
    texts: dict[str, str] = {}
    for column in request.mapped:
        text = mappings_mod.merge_mapping(None, request.name, column, counts[column])
        texts[column] = text
        tables[column] = mappings_mod.mapping_from_text(request.name, column, text)
    return tables, texts


def planned_files(
    config: Config, request: Request, source: SourceData, tables: dict[str, MappingTable]
) -> Iterator[PlannedFile]:
    """Every file the batch uploads, rendered exactly as the bot will upload it."""
    for item in plan(request, source.records(), tables, config.license_templates):
        if not isinstance(item, Skipped):
            yield item


def measure_preview(config: Config, name: str, text: str, workdir: Path) -> PreviewFigures:
    figures = PreviewFigures()
    clock = time.perf_counter
    start = clock()
    request, source = open_request(config, name, text, workdir)
    figures.seconds["read request and source"] = clock() - start
    with source:
        start = clock()
        tables, texts = first_mapping_tables(request, source)
        figures.seconds["mapping tables"] = clock() - start
        figures.mapped_values = {column: len(t.rows) for column, t in tables.items()}

        start = clock()
        checks = BatchChecks()
        problems: list[Problem] = list(source.problems)
        shown: list[PlannedFile] = []
        for item in plan(request, source.records(), tables, config.license_templates, checks):
            figures.records += 1
            if isinstance(item, Skipped):
                problems.extend(item.problems)
                continue
            figures.files += 1
            if len(shown) < config.hub.preview_files:
                shown.append(item)
        figures.seconds["validate and render every record"] = clock() - start

        start = clock()
        pid = preview_id(
            request.raw, texts, source.digest, templates_digest(), config.license_templates
        )
        page = render_preview(
            id=pid,
            request=name,
            records=figures.records,
            files=figures.files,
            license=request.license or "",
            template=request.template,
            tables=[
                TableSummary(
                    column=c,
                    page=f"{PREVIEW_ROOT}/{name}/Mappings/{c}",
                    values=len(t.rows),
                    unmapped=sum(1 for r in t.rows if r.count > 0 and not r.filled),
                )
                for c, t in tables.items()
            ],
            problems=problems,
            shown=shown,
        )
        figures.seconds["preview page"] = clock() - start
        figures.problems = len(problems)
        figures.preview_bytes = len(page.encode("utf-8"))
    return figures


def main(argv: list[str]) -> int:
    config_path, request_path, name = argv
    config = load_config(config_path, environ={})
    text = Path(request_path).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as workdir:
        figures = measure_preview(config, name, text, Path(workdir))
    print(json.dumps(asdict(figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
