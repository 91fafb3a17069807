"""Checks and JSON for the values the state store keeps."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from bots.store.schema import MAX_NAME_CHARS, MAX_REASON_CHARS, MAX_TITLE_BYTES


def check_name(what: str, value: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be text, not {type(value).__name__}")
    if not value and not allow_empty:
        raise ValueError(f"{what} is empty")
    if len(value) > MAX_NAME_CHARS:
        raise ValueError(
            f"{what} {value[:40]!r}... is {len(value)} characters long; "
            f"at most {MAX_NAME_CHARS} fit in the state store"
        )
    return value


def check_title(what: str, value: str, record_id: str) -> str:
    size = len(value.encode("utf-8"))
    if size > MAX_TITLE_BYTES:
        raise ValueError(
            f"record {record_id}: {what} {value[:40]!r}... is {size} bytes long; "
            f"the wiki allows at most {MAX_TITLE_BYTES}"
        )
    return value


def check_sha1(value: str, record_id: str) -> str:
    value = value.strip().lower()
    if value and (len(value) != 40 or any(c not in "0123456789abcdef" for c in value)):
        raise ValueError(f"record {record_id}: {value!r} is not a SHA-1 (40 hexadecimal digits)")
    return value


def cut(reason: str) -> str:
    if len(reason) <= MAX_REASON_CHARS:
        return reason
    return reason[: MAX_REASON_CHARS - 1] + "…"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"time {value} has no time zone; the state store keeps UTC times")
        return {"$datetime": value.astimezone(UTC).isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"the state store cannot keep a {type(value).__name__} value")


def _json_hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if "$datetime" in obj:
            return datetime.fromisoformat(obj["$datetime"]).astimezone(UTC)
        if "$date" in obj:
            return date.fromisoformat(obj["$date"])
    return obj


def to_json(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> Any:
    return json.loads(text, object_hook=_json_hook)


def day_of(value: date) -> date:
    """A calendar day; a datetime is reduced to its UTC date."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"time {value} has no time zone; the state store keeps UTC times")
        return value.astimezone(UTC).date()
    return value
