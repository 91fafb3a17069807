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

from bots.i18n.message import items, msg
from bots.model import FORMATS
from bots.net.deadline import Deadline
from bots.net.errors import FetchError, FileTooLarge, human_size
from bots.net.fetch import Fetcher
from bots.sources import base
from bots.sources.base import (
    RecordStore,
    SourceData,
    SourceError,
    duration,
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
#: the formats whose data has its own words in messages (what it is called, what to link to)
_WANTED_WORDS = ("csv", "tsv", "json", "iiif")


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
        raise SourceError(msg("hubbot-src-empty"))
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
                note = msg("hubbot-src-budget", error.message, duration(deadline.seconds))
                raise SourceError(note) from None
        raise
    return data


#: how close to its deadline a failed read counts as ended by it (seconds)
_DEADLINE_SLACK = 0.1


def _normalise_format(format: str | None) -> str | None:  # noqa: A002
    if format is None or not format.strip():
        return None
    name = format.strip().lower()
    name = _ALIASES.get(name, name)
    if name not in FORMATS:
        allowed = items(list(FORMATS), "or")
        raise SourceError(msg("hubbot-src-format-unknown", format.strip(), allowed))
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
        raise SourceError(msg("hubbot-src-too-large", url, human_size(limit))) from None
    except FetchError as error:
        raise SourceError(msg("hubbot-src-unreadable", error.message)) from None
    head = _head(path)
    _refuse_web_page(head, wanted, fetched.content_type, None)
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


def _refuse_web_page(
    head: bytes, wanted: str | None, served_as: str | None, wiki_page: str | None
) -> None:
    """One clear message for a web page where data should be (see :func:`is_web_page`).

    ``wiki_page`` names the wiki page that holds the web page; None: the source address gave it.
    """
    if not is_web_page(head, served_as):
        return
    format_words = wanted if wanted in _WANTED_WORDS else "any"
    what, link = msg(f"hubbot-src-data-{format_words}"), msg(f"hubbot-src-link-{format_words}")
    title = page_title(head)
    named = msg("hubbot-src-page-titled", title) if title else msg("hubbot-src-page-untitled")
    if wiki_page is None:
        raise SourceError(msg("hubbot-src-web-page", what, named, link))
    raise SourceError(msg("hubbot-src-web-page-wiki", wiki_page, what, named, link))


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
        raise SourceError(msg("hubbot-src-oai-not-url", title))
    text = read_wiki_page(title)
    if text is None:
        raise SourceError(msg("hubbot-src-page-missing", title))
    data, blocks = data_from_page(text)
    if not data.strip():
        raise SourceError(msg("hubbot-src-page-empty", title))
    if blocks > 1:
        store.problem(msg("hubbot-where-page", title), msg("hubbot-src-page-blocks", blocks))
    encoded = data.encode("utf-8")
    _refuse_web_page(encoded[: 64 * 1024], wanted, None, title)
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
            raise SourceError(msg("hubbot-src-oai-pasted"))
        if detected == "xml":
            raise SourceError(msg("hubbot-src-xml"))
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
