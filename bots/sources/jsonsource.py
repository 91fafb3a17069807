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

from bots.i18n.message import Message, Param, msg
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
        raise SourceError(msg("hubbot-src-json-deep")) from None


#: The JSON parser's messages (by how they start), and the message that says it to a partner.
_JSON_ERRORS: tuple[tuple[str, str], ...] = (
    ("Expecting value", "hubbot-src-json-value-missing"),
    ("Expecting ',' delimiter", "hubbot-src-json-comma-missing"),
    ("Expecting ':' delimiter", "hubbot-src-json-colon-missing"),
    ("Expecting property", "hubbot-src-json-name-expected"),
    ("Unterminated string", "hubbot-src-json-unterminated"),
    ("Invalid control", "hubbot-src-json-control"),
    ("Invalid \\escape", "hubbot-src-json-escape"),
    ("Extra data", "hubbot-src-json-extra"),
)


def json_problem(error: json.JSONDecodeError) -> Message:
    """Where and why a JSON text does not parse; says so when the text looks cut off.

    Documents cut off in transfer or by an export that ran out of time are the
    commonest broken JSON, and the parser's own words do not say so.
    """
    key = next((k for start, k in _JSON_ERRORS if error.msg.startswith(start)), None)
    words: Param = msg(key) if key is not None else error.msg  # the parser's words otherwise
    cut = error.msg.startswith("Unterminated string") or not error.doc[error.pos :].strip()
    which = "hubbot-src-json-invalid-cut" if cut else "hubbot-src-json-invalid"
    return msg(which, error.lineno, error.colno, words)


def _refuse_constant(name: str) -> Any:
    raise SourceError(msg("hubbot-src-json-constant", name))


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
        raise SourceError(msg("hubbot-src-json-utf8", error.start + 1)) from None


def read_json_records(document: Any, store: RecordStore, *, split: str) -> None:
    """Flatten the records of a parsed JSON document into ``store``."""
    items = record_list(document)
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            store.problem(
                msg("hubbot-where-record", str(number)),
                msg("hubbot-src-json-not-object", _kind(item)),
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
            raise SourceError(msg("hubbot-src-json-records-kind", _kind(records)))
        which = (
            "hubbot-src-json-shape-iiif" if looks_like_iiif(document) else "hubbot-src-json-shape"
        )
        keys = [str(key) for key in list(document)[:10]]
        named: Param = ", ".join(keys) if keys else msg("hubbot-src-json-no-keys")
        raise SourceError(msg(which, named))
    raise SourceError(msg("hubbot-src-json-kind", _kind(document)))


def flatten(item: dict[str, Any], *, split: str) -> dict[str, str]:
    """One JSON object as a flat record (see the module docstring)."""
    collected: dict[str, list[str]] = {}
    _collect(item, "", collected, depth=0)
    return {key: join_values(values, split) for key, values in collected.items()}


def _collect(value: Any, key: str, out: dict[str, list[str]], *, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise SourceError(msg("hubbot-src-json-nested", MAX_DEPTH, key))
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


def _kind(value: Any) -> Message:
    """What a JSON value is, in words ("a number", "a list")."""
    if value is None:
        return msg("hubbot-src-kind-null")
    if isinstance(value, bool):
        return msg("hubbot-src-kind-boolean")
    if isinstance(value, int | float):
        return msg("hubbot-src-kind-number")
    if isinstance(value, list):
        return msg("hubbot-src-kind-list")
    if isinstance(value, dict):
        return msg("hubbot-src-kind-object")
    return msg("hubbot-src-kind-text")  # what else json.loads gives
