"""Partner data sources: CSV, TSV, JSON, IIIF and OAI-PMH, from a URL or a wiki page.

:func:`open_source` is the one entry point. It reads the whole source once
(through the safe fetcher for URLs), detects the format when the request does
not give one, and returns a :class:`SourceData` whose records can be streamed
as often as needed. See :mod:`bots.sources.base` for how records and problems
are kept, and each format's module for its columns.

The digest (``SourceData.digest``, part of the preview id) is the sha256 over
the source's bytes as read: the downloaded file, the wiki page's data as
UTF-8, or the IIIF manifest followed by every document fetched for it, in
order. OAI-PMH is the exception: see :mod:`bots.sources.oai`.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from bots.model import FORMATS
from bots.net.deadline import Deadline
from bots.net.errors import FetchError, FileTooLarge, human_size
from bots.net.fetch import Fetcher
from bots.sources import base
from bots.sources.base import (
    RecordStore,
    SourceData,
    SourceError,
    new_workspace,
    sha256_file,
)
from bots.sources.delimited import read_delimited
from bots.sources.detect import detect_format, is_web_page, looks_like_iiif, page_title
from bots.sources.iiif import read_iiif
from bots.sources.jsonsource import parse_json, read_json_records
from bots.sources.oai import harvest
from bots.sources.wikipage import data_from_page

__all__ = ["SourceData", "SourceError", "open_source", "is_url"]

_ACCEPT = {
    None: "*/*",
    "csv": "text/csv, text/plain;q=0.5, */*;q=0.1",
    "tsv": "text/tab-separated-values, text/plain;q=0.5, */*;q=0.1",
    "json": "application/json, */*;q=0.1",
    "iiif": "application/ld+json, application/json;q=0.9, */*;q=0.1",
}
_ALIASES = {"oai": "oai-pmh", "oaipmh": "oai-pmh", "oai_pmh": "oai-pmh", "text/csv": "csv"}
#: what a format's data is called in messages, and what a partner should link to
_WANTED_WORDS = {
    None: ("data", "the CSV, JSON, IIIF or OAI-PMH data"),
    "csv": ("CSV data", "the CSV file"),
    "tsv": ("TSV data", "the TSV file"),
    "json": ("JSON data", "the JSON document"),
    "iiif": ("IIIF data", "the IIIF manifest or collection"),
}


def is_url(location: str) -> bool:
    """Whether a request's ``source`` is a URL (else it is a wiki page title)."""
    return location.strip().lower().startswith(("http://", "https://"))


def open_source(
    location: str,
    format: str | None,  # noqa: A002 (the request parameter's name)
    options: Mapping[str, str],
    *,
    fetcher: Fetcher,
    read_wiki_page: Callable[[str], str | None],
    workdir: Path,
    split: str = ";",
    max_seconds: float | None = None,
) -> SourceData:
    """Read a partner source completely; raise :class:`SourceError` if it cannot be.

    ``location`` is an http(s) URL or a wiki page title; ``read_wiki_page``
    returns a page's text, or None when the page does not exist. Records are
    kept under ``workdir`` until ``SourceData.close()``. ``max_seconds`` is
    the time the run can give this read (its share of the run's budget):
    every fetch, every page of a harvest and every manifest of a collection
    ends by then. Without it the read may take
    :data:`bots.sources.base.MAX_READ_SECONDS`.
    """
    wanted = _normalise_format(format)
    location = location.strip()
    if not location:
        raise SourceError("the source is empty: give a URL or a wiki page title")
    deadline = Deadline(base.MAX_READ_SECONDS if max_seconds is None else max_seconds)
    workspace = new_workspace(workdir)
    store = RecordStore(workspace)
    try:
        if is_url(location):
            data = _open_url(location, wanted, options, fetcher, store, workspace, split, deadline)
        else:
            data = _open_page(
                location, wanted, options, fetcher, read_wiki_page, store, split, deadline
            )
    except BaseException as error:
        store.abandon()
        shutil.rmtree(workspace, ignore_errors=True)
        # the fetcher's own timers end a read at the deadline, a moment after it
        if isinstance(error, SourceError) and max_seconds is not None:
            if deadline.remaining() <= _DEADLINE_SLACK:
                raise SourceError(f"{error}. {_budget_note(deadline)}") from None
        raise
    return data


#: how close to its deadline a failed read counts as ended by it (seconds)
_DEADLINE_SLACK = 0.1


def _budget_note(deadline: Deadline) -> str:
    """Why a read ended early when the run's budget ended it: it is not the partner's fault."""
    return (
        f"This run could give the source only {deadline.describe()} of its time budget; "
        "the next run tries again"
    )


def _normalise_format(format: str | None) -> str | None:  # noqa: A002
    if format is None or not format.strip():
        return None
    name = format.strip().lower()
    name = _ALIASES.get(name, name)
    if name not in FORMATS:
        allowed = ", ".join(FORMATS)
        raise SourceError(f'the format "{format.strip()}" is not known; use one of: {allowed}')
    return name


def _open_url(
    url: str,
    wanted: str | None,
    options: Mapping[str, str],
    fetcher: Fetcher,
    store: RecordStore,
    workspace: Path,
    split: str,
    deadline: Deadline,
) -> SourceData:
    if wanted == "oai-pmh":
        return _harvest(url, options, fetcher, store, split, deadline)
    path = workspace / "download"
    limit = fetcher.policy.max_metadata_bytes
    try:
        fetched = fetcher.fetch_to_file(
            url, path, limit=limit, accept=_ACCEPT.get(wanted, "*/*"), deadline=deadline
        )
    except FileTooLarge:
        raise SourceError(
            f"the source at {url} is larger than the limit of {human_size(limit)} "
            "(sources.max_metadata_bytes)"
        ) from None
    except FetchError as error:
        raise SourceError(f"the source could not be read: {error}") from None
    head = _head(path)
    _refuse_web_page(head, wanted, fetched.content_type, "the source address gave")
    if wanted is None and detect_format(head) == "oai-pmh":
        return _harvest(url, options, fetcher, store, split, deadline)
    hasher = sha256_file(path)
    return _read_content(
        path,
        wanted,
        options,
        fetcher=fetcher,
        store=store,
        hasher=hasher,
        split=split,
        encoding=None,
        deadline=deadline,
    )


def _refuse_web_page(head: bytes, wanted: str | None, served_as: str | None, origin: str) -> None:
    """One clear message for a web page where data should be (see :func:`is_web_page`)."""
    if not is_web_page(head, served_as):
        return
    what, link = _WANTED_WORDS.get(wanted, _WANTED_WORDS[None])
    title = page_title(head)
    named = f'"{title}"' if title else "a page without a title"
    raise SourceError(
        f"{origin} a web page (HTML), not {what}: {named} (a login page, an error page, "
        f"or a page about the data?). Give the address of {link} itself"
    )


def _open_page(
    title: str,
    wanted: str | None,
    options: Mapping[str, str],
    fetcher: Fetcher,
    read_wiki_page: Callable[[str], str | None],
    store: RecordStore,
    split: str,
    deadline: Deadline,
) -> SourceData:
    if wanted == "oai-pmh":
        raise SourceError(
            f"an OAI-PMH source must be the repository's base URL (http or https), not {title}"
        )
    text = read_wiki_page(title)
    if text is None:
        raise SourceError(f"the page {title} does not exist")
    data, blocks = data_from_page(text)
    if not data.strip():
        raise SourceError(f"the page {title} has no data")
    if blocks > 1:
        store.problem(f"page {title}", f"has {blocks} data blocks; only the first was read")
    encoded = data.encode("utf-8")
    _refuse_web_page(encoded[: 64 * 1024], wanted, None, f"the page {title} holds")
    path = store.workspace / "page"
    path.write_bytes(encoded)
    return _read_content(
        path,
        wanted,
        options,
        fetcher=fetcher,
        store=store,
        hasher=hashlib.sha256(encoded),
        split=split,
        encoding="utf-8",
        deadline=deadline,
    )


def _read_content(
    path: Path,
    wanted: str | None,
    options: Mapping[str, str],
    *,
    fetcher: Fetcher,
    store: RecordStore,
    hasher: hashlib._Hash,
    split: str,
    encoding: str | None,
    deadline: Deadline,
) -> SourceData:
    """Parse a downloaded or pasted source of any format but OAI-PMH."""
    detected = detect_format(_head(path))
    if wanted is None:
        if detected == "oai-pmh":
            raise SourceError("OAI-PMH data can only be harvested from the repository's URL")
        if detected == "xml":
            raise SourceError(
                "the source is XML but not an OAI-PMH answer; the bot reads CSV, TSV, "
                "JSON, IIIF and OAI-PMH"
            )
    if wanted in ("json", "iiif") or (wanted is None and detected == "json"):
        document = parse_json(path.read_bytes())
        if wanted == "iiif" or (wanted is None and looks_like_iiif(document)):
            read_iiif(
                document,
                options=options,
                fetcher=fetcher,
                store=store,
                hasher=hasher,
                split=split,
                bytes_used=path.stat().st_size,
                deadline=deadline,
            )
            return store.finish(format="iiif", digest=hasher.hexdigest())
        read_json_records(document, store, split=split)
        return store.finish(format="json", digest=hasher.hexdigest())
    kind, used_encoding, delimiter = read_delimited(path, store, format=wanted, encoding=encoding)
    return store.finish(
        format=kind, digest=hasher.hexdigest(), encoding=used_encoding, delimiter=delimiter
    )


def _harvest(
    url: str,
    options: Mapping[str, str],
    fetcher: Fetcher,
    store: RecordStore,
    split: str,
    deadline: Deadline,
) -> SourceData:
    hasher = hashlib.sha256()
    harvest(
        url, options, fetcher=fetcher, store=store, hasher=hasher, split=split, deadline=deadline
    )
    return store.finish(format="oai-pmh", digest=hasher.hexdigest())


def _head(path: Path, size: int = 64 * 1024) -> bytes:
    with path.open("rb") as data:
        return data.read(size)
