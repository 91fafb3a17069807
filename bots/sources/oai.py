"""OAI-PMH repositories, harvested with ``ListRecords``.

The request's ``source`` is the repository's base URL (a full
``?verb=ListRecords&...`` URL also works: its arguments are used as defaults).
Options: ``metadata_prefix`` (default ``oai_dc``), ``set``, ``from``,
``until``. Resumption tokens are followed until the list ends, at most
:data:`MAX_PAGES` pages, and a token the server already sent stops the
harvest with an error instead of looping forever. All pages together must
stay within ``max_metadata_bytes`` and within the read's time bound
(the request's share of the run's time budget, else
:data:`bots.sources.base.MAX_READ_SECONDS`). A harvest that gives no
records (``noRecordsMatch``, or only deleted records) is an error naming the
options used: an empty source has nothing to upload, and its columns would
be unknown, which would only make every pattern look wrong.

Columns: ``id`` (the OAI identifier), ``datestamp``, ``setSpec`` (several
joined with the request's ``split``), then the metadata: for ``oai_dc`` each
Dublin Core element by name (``title``, ``creator``, ``subject``,
``description``, ``date``, ``type``, ``format``, ``identifier``, ``rights``,
...), repeated elements joined with ``split``; for other metadata formats
each innermost element by the path of element names below the metadata root
(``titleInfo.title``). Finally ``file``: the first ``identifier`` that is an
http(s) URL whose path ends in a media file extension (``.jpg``, ``.tif``,
``.mp3``...), or else the first http(s) ``identifier`` at all (often a
landing page, which the upload will then refuse as not being media; set
``file`` to another column in the request when the repository puts media
links elsewhere). Deleted records are skipped. Text is kept as the XML has
it.

XML is parsed with defusedxml: a response declaring entities (the "billion
laughs" bomb, external entities) is refused as a whole.

This is a small loop over the fetcher rather than Sickle: Sickle sends its
requests with module-level ``requests.get`` (bypassing the fetcher's address
checks and limits) and parses with lxml in recovery mode, which silently
accepts broken XML; it also has no bound on pages and no guard against a
repeating token.

The digest covers the harvested records (identifier, datestamp, sets and
metadata, in order) rather than the raw responses, because every response
carries a fresh ``responseDate`` (and often session-bound tokens): hashing
raw bytes would change the preview id on every harvest and make every
approval stale.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from bots.i18n.message import msg
from bots.net.deadline import Deadline
from bots.net.errors import FetchError, FileTooLarge, human_size
from bots.net.fetch import Fetcher
from bots.net.mediatypes import url_extension
from bots.sources.base import RecordStore, SourceError, duration, join_values
from bots.sources.detect import is_web_page, page_title

MAX_PAGES = 10_000
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
ACCEPT = "text/xml, application/xml;q=0.9, */*;q=0.1"
#: expat's errors for a document that stops in the middle: no element, unclosed
#: token, partial character
_CUT_OFF = frozenset({3, 5, 6})
_ARGUMENTS = {"metadataPrefix": "metadata_prefix", "set": "set", "from": "from", "until": "until"}

#: OAI-PMH's error codes, and the message that says what each means for the harvest.
_ERROR_WORDS = {
    "badArgument": "hubbot-src-oai-bad-argument",
    "badResumptionToken": "hubbot-src-oai-bad-token",
    "badVerb": "hubbot-src-oai-bad-verb",
    "cannotDisseminateFormat": "hubbot-src-oai-format",
    "idDoesNotExist": "hubbot-src-oai-no-id",
    "noSetHierarchy": "hubbot-src-oai-no-sets",
}


def _q(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


def split_base_url(url: str) -> tuple[str, dict[str, str]]:
    """The base URL without OAI arguments, and the arguments it carried."""
    parts = urlsplit(url)
    kept: list[tuple[str, str]] = []
    found: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in _ARGUMENTS:
            found[_ARGUMENTS[key]] = value
        elif key not in ("verb", "resumptionToken"):
            kept.append((key, value))
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))
    return base, found


def _page_url(base: str, arguments: list[tuple[str, str]]) -> str:
    separator = "&" if urlsplit(base).query else "?"
    return f"{base}{separator}{urlencode(arguments)}"


def harvest(
    location: str,
    options: Mapping[str, str],
    *,
    fetcher: Fetcher,
    store: RecordStore,
    hasher: hashlib._Hash,
    split: str,
    deadline: Deadline | None = None,
) -> None:
    """Harvest every record of the repository into ``store``."""
    base, defaults = split_base_url(location)
    settings = {**defaults, **{k: v for k, v in options.items() if v is not None and v != ""}}
    prefix = (settings.get("metadata_prefix") or "oai_dc").strip()
    arguments = [("verb", "ListRecords"), ("metadataPrefix", prefix)]
    for option, argument in (("set", "set"), ("from", "from"), ("until", "until")):
        value = (settings.get(option) or "").strip()
        if value:
            arguments.append((argument, value))
    for column in ("id", "datestamp", "setSpec"):
        store.add_column(column)
    asked = _described(arguments)
    limit = fetcher.policy.max_metadata_bytes
    used = 0
    deleted = 0
    seen_tokens: set[str] = set()
    for page in range(1, MAX_PAGES + 1):
        url = _page_url(base, arguments)
        if deadline is not None and deadline.expired():
            raise _too_slow(deadline, page - 1, store.count)
        try:
            data = fetcher.fetch_bytes(
                url, limit=max(0, limit - used), accept=ACCEPT, deadline=deadline
            )
        except FileTooLarge:
            raise SourceError(msg("hubbot-src-oai-too-large", human_size(limit), page)) from None
        except FetchError as error:
            if deadline is not None and deadline.expired():
                raise _too_slow(deadline, page - 1, store.count) from None
            raise SourceError(msg("hubbot-src-oai-page-unreadable", page, error.message)) from None
        used += len(data)
        root = parse_response(data, url)
        if _read_errors(root, prefix):
            break  # noRecordsMatch: the list is empty (checked below)
        token, skipped = _read_page(root, store, hasher, split, url)
        deleted += skipped
        if not token:
            break
        if token in seen_tokens:
            raise SourceError(msg("hubbot-src-oai-token-twice", token, page))
        seen_tokens.add(token)
        arguments = [("verb", "ListRecords"), ("resumptionToken", token)]
    else:
        raise SourceError(msg("hubbot-src-oai-endless", MAX_PAGES))
    if store.count == 0:
        if deleted:
            raise SourceError(msg("hubbot-src-oai-no-records-deleted", deleted, asked))
        raise SourceError(msg("hubbot-src-oai-no-records", asked))


def _too_slow(deadline: Deadline, pages: int, records: int) -> SourceError:
    return SourceError(msg("hubbot-src-oai-too-slow", duration(deadline.seconds), pages, records))


def _described(arguments: list[tuple[str, str]]) -> str:
    """The harvest's arguments in words: ``metadataPrefix=oai_dc, set=maps``."""
    return ", ".join(f"{key}={value}" for key, value in arguments if key != "verb")


def parse_response(data: bytes, url: str) -> Element:
    """Parse one OAI-PMH answer safely and check that it is one."""
    if is_web_page(data[: 64 * 1024]):
        title = page_title(data[: 64 * 1024])
        if title:
            raise SourceError(msg("hubbot-src-oai-web-page-titled", url, title))
        raise SourceError(msg("hubbot-src-oai-web-page", url))
    try:
        root = SafeET.fromstring(data, forbid_dtd=False)
    except defusedxml.DefusedXmlException:
        raise SourceError(msg("hubbot-src-oai-entities", url)) from None
    except ParseError as error:
        cut = error.code in _CUT_OFF
        which = "hubbot-src-oai-not-xml-cut" if cut else "hubbot-src-oai-not-xml"
        raise SourceError(msg(which, url, str(error))) from None
    if root.tag != _q("OAI-PMH"):
        raise SourceError(msg("hubbot-src-oai-not-oai", url))
    return root


def _read_errors(root: Element, prefix: str) -> bool:
    """True for ``noRecordsMatch``; raises for every other OAI-PMH error."""
    errors = root.findall(_q("error"))
    if not errors:
        return False
    codes = [error.get("code", "") for error in errors]
    if "noRecordsMatch" in codes:
        return True
    error = errors[0]
    code = error.get("code", "unknown")
    key = _ERROR_WORDS.get(code)
    if key is None:
        words = msg("hubbot-src-oai-error-other", code)
    else:
        words = msg(key, prefix) if code == "cannotDisseminateFormat" else msg(key)
    detail = (error.text or "").strip()
    if detail:
        raise SourceError(msg("hubbot-src-oai-error", words, code, detail))
    raise SourceError(msg("hubbot-src-oai-error-code", words, code))


def _read_page(
    root: Element,
    store: RecordStore,
    hasher: hashlib._Hash,
    split: str,
    url: str,
) -> tuple[str | None, int]:
    """Store the page's records; return its resumption token (if any) and the deleted count."""
    listing = root.find(_q("ListRecords"))
    if listing is None:
        raise SourceError(msg("hubbot-src-oai-no-list", url))
    deleted = 0
    for element in listing.findall(_q("record")):
        record = _record(element, split)
        if record is None:
            deleted += 1
            continue
        hasher.update(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        hasher.update(b"\n")
        store.add(record)
    token = listing.find(_q("resumptionToken"))
    text = (token.text or "").strip() if token is not None else ""
    return (text or None), deleted


def _record(element: Element, split: str) -> dict[str, str] | None:
    header = element.find(_q("header"))
    if header is None or header.get("status") == "deleted":
        return None
    record = {
        "id": (header.findtext(_q("identifier")) or "").strip(),
        "datestamp": (header.findtext(_q("datestamp")) or "").strip(),
        "setSpec": join_values(
            [(s.text or "").strip() for s in header.findall(_q("setSpec"))], split
        ),
    }
    metadata = element.find(_q("metadata"))
    content = next(iter(metadata), None) if metadata is not None else None
    if content is not None:
        fields: dict[str, list[str]] = {}
        _flatten(content, "", fields, depth=0)
        for key, values in fields.items():
            if key not in record:
                record[key] = join_values(values, split)
        if "file" not in fields:
            record["file"] = media_url(fields.get("identifier", []))
    else:
        record["file"] = ""
    return record


def _flatten(element: Element, path: str, out: dict[str, list[str]], *, depth: int) -> None:
    """Innermost elements by their path of local names below the metadata root."""
    if depth > 32:
        return
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        if path:
            out.setdefault(path, []).append("".join(element.itertext()))
        return
    for child in children:
        name = child.tag.rsplit("}", 1)[-1]
        _flatten(child, f"{path}.{name}" if path else name, out, depth=depth + 1)


def media_url(identifiers: list[str]) -> str:
    """The identifier most likely to be the media file (see the module docstring)."""
    urls = [
        value.strip()
        for value in identifiers
        if value.strip().lower().startswith(("http://", "https://"))
    ]
    for url in urls:
        if url_extension(url):
            return url
    return urls[0] if urls else ""
