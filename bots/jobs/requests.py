"""A request as it stands, read only: its parameters, source and mapping tables.

Sync and export work on finished requests; they read them through here and
never write the request's own pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bots.jobs.context import Job
from bots.model import MappingTable, Request
from bots.net.errors import FetchError
from bots.pipeline.request import parse_request
from bots.sources import SourceData, SourceError
from bots.wiki import PageInfo


class FollowupError(Exception):
    """A request cannot be followed up (invalid, unreadable source...)."""


@dataclass
class OpenRequest:
    request: Request
    source: SourceData
    tables: dict[str, MappingTable]


@contextmanager
def open_request(job: Job, name: str, page: PageInfo | None = None) -> Iterator[OpenRequest]:
    """The request, its source and its mapping tables as they are now (read only).

    ``page`` is the request page when the caller has read it already.
    """
    page = page or job.wiki.read_page(job.hub.request(name))
    if not page.exists:
        raise FollowupError(f"There is no request page {job.hub.request(name)}.")
    request, problems = parse_request(name, page.text, licenses=job.config.license_templates)
    if request is None:
        raise FollowupError(
            f"The request {name} has problems: " + "; ".join(str(p) for p in problems)
        )
    try:
        source = job.open_source(request)
    except (SourceError, FetchError) as e:
        raise FollowupError(f"The source of {name} cannot be read: {e}") from None
    tables = job.mapping_tables(name, request)
    with source:
        yield OpenRequest(request, source, tables)
