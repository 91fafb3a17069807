"""JSON sources: a list of objects, or an object with a ``records`` list.

Records are flattened into columns the way a partner would name them in a
pattern: nested objects become dotted keys (``{"artist": {"name": "Blake"}}``
gives ``artist.name``); lists of values are joined with the request's
``split`` separator; lists of objects contribute each key once, their values
joined (``creators.name`` = ``Blake;Turner``). ``null`` and empty lists give
an empty value, ``true``/``false`` stay as those words, and numbers keep the
exact text they have in the file (``1.50`` stays ``1.50``).

The document is parsed in memory, which the download limit
(``max_metadata_bytes``) bounds; the flattened records then go to disk.
"""

from __future__ import annotations

import json
from typing import Any

from bots.sources.base import RecordStore, SourceError, join_values
from bots.sources.detect import looks_like_iiif

#: Deeper nesting than this is not data a partner meant to publish.
MAX_DEPTH = 64


def parse_json(data: bytes) -> Any:
    """Parse JSON text (UTF-8, with or without BOM, or UTF-16/32 with BOM).

    Numbers that are not integers are kept as their text.
    """
    text = _decode(data)
    try:
        return json.loads(text, parse_float=str, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise SourceError(json_problem(error)) from None
    except RecursionError:
        raise SourceError("the JSON is nested too deeply to read") from None


#: The JSON parser's messages in words a partner can act on (by how they start).
_JSON_ERRORS: tuple[tuple[str, str], ...] = (
    ("Expecting value", "a value is missing"),
    ("Expecting ',' delimiter", "a comma is missing"),
    ("Expecting ':' delimiter", "a colon is missing"),
    ("Expecting property name", "a name in double quotes is expected"),
    ("Unterminated string", "a text in quotes is never closed"),
    ("Invalid control character", "a text in quotes holds a control character (a line break?)"),
    ("Invalid \\escape", "a backslash in a text is not followed by a valid escape"),
    ("Extra data", "more data follows the end of the document"),
)


def json_problem(error: json.JSONDecodeError) -> str:
    """Where and why a JSON text does not parse; says so when the text looks cut off.

    Documents cut off in transfer or by an export that ran out of time are the
    commonest broken JSON, and the parser's own words do not say so.
    """
    words = next((w for start, w in _JSON_ERRORS if error.msg.startswith(start)), error.msg)
    cut = error.msg.startswith("Unterminated string") or not error.doc[error.pos :].strip()
    ending = "; the document ends too early, so it may have been cut off" if cut else ""
    return f"the JSON is not valid: line {error.lineno} column {error.colno}: {words}{ending}"


def _refuse_constant(name: str) -> Any:
    raise SourceError(f"the JSON is not valid: {name} is not a JSON value")


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise SourceError(
            f"the JSON is not valid UTF-8 text (byte {error.start + 1} cannot be read)"
        ) from None


def read_json_records(document: Any, store: RecordStore, *, split: str) -> None:
    """Flatten the records of a parsed JSON document into ``store``."""
    items = record_list(document)
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            store.problem(
                f"record {number}",
                f"is {_kind(item)}, not an object with named fields; it was left out",
            )
            continue
        store.add(flatten(item, split=split))


def record_list(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        records = document.get("records")
        if isinstance(records, list):
            return records
        if "records" in document:
            raise SourceError(f'the JSON\'s "records" is {_kind(records)}, not a list')
        hint = ""
        if looks_like_iiif(document):
            hint = " It looks like a IIIF manifest: leave format empty or set format = iiif."
        keys = ", ".join(list(document)[:10]) or "none"
        raise SourceError(
            'the JSON must be a list of objects or an object with a "records" list; '
            f"this object has the keys: {keys}.{hint}"
        )
    raise SourceError(f"the JSON is {_kind(document)}, not a list of records")


def flatten(item: dict[str, Any], *, split: str) -> dict[str, str]:
    """One JSON object as a flat record (see the module docstring)."""
    collected: dict[str, list[str]] = {}
    _collect(item, "", collected, depth=0)
    return {key: join_values(values, split) for key, values in collected.items()}


def _collect(value: Any, key: str, out: dict[str, list[str]], *, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise SourceError(f"the JSON is nested more than {MAX_DEPTH} levels deep at {key!r}")
    if isinstance(value, dict):
        if not value and key:
            out.setdefault(key, [])
        for name, inner in value.items():
            _collect(inner, f"{key}.{name}" if key else str(name), out, depth=depth + 1)
    elif isinstance(value, list):
        for inner in value:
            _collect(inner, key, out, depth=depth + 1)
        if key and key not in out and not any(k.startswith(key + ".") for k in out):
            out[key] = []
    elif value is None:
        out.setdefault(key, [])
    else:
        out.setdefault(key, []).append(scalar_text(value))


def scalar_text(value: Any) -> str:
    """A JSON scalar as text: ``true``, ``12``, ``1.50`` (as written), strings as is."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
