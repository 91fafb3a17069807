"""Text from a request or a record, turned into a Wikibase value by the property's datatype.

Each datatype has one small rule; a text that does not fit gives a sentence a
partner can act on instead of a value (a message, never a guess):

| datatype | the text | the value |
|---|---|---|
| wikibase-item | a Q-id | the item |
| string, external-id, commonsMedia | any text (trimmed, one line, at most 400 characters) | that text |
| url | an http(s) address | the address |
| time | ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` | a Gregorian date of year, month or day precision |
| quantity | a number, optionally followed by a unit's Q-id (``12.5 Q174728``) | the amount |
| monolingualtext | any text | the text in the request's language |
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from bots.i18n import Message, msg
from bots.statements import (
    DAY,
    ENTITY_URI,
    ITEM_ID,
    MONTH,
    YEAR,
    ItemValue,
    MonolingualValue,
    QuantityValue,
    StringValue,
    TimeValue,
    Value,
)

#: Wikibase's longest string value.
MAX_STRING = 400

#: The datatypes :func:`parse_value` turns text into.
WRITABLE_DATATYPES = frozenset(
    {
        "wikibase-item",
        "string",
        "external-id",
        "commonsMedia",
        "monolingualtext",
        "url",
        "time",
        "quantity",
    }
)

_DATE = re.compile(r"(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_QUANTITY = re.compile(r"([+-]?\d+(?:\.\d+)?)(?:\s+(Q[1-9]\d*))?")


def time_value(text: str) -> TimeValue | None:
    """A year, a year-month or a full date (ISO order), or None for anything else."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    number = int(year)
    if month is None:
        return TimeValue(f"{'+' if number >= 0 else '-'}{abs(number):04d}-00-00T00:00:00Z", YEAR)
    m = int(month)
    if not 1 <= m <= 12:
        return None
    if day is None:
        return TimeValue(f"+{number:04d}-{m:02d}-00T00:00:00Z", MONTH)
    d = int(day)
    days = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[m - 1]
    if not 1 <= d <= days:
        return None
    return TimeValue(f"+{number:04d}-{m:02d}-{d:02d}T00:00:00Z", DAY)


def parse_value(datatype: str, text: str, language: str = "en") -> Value | Message:
    """The value ``text`` stands for as a ``datatype``, or why it cannot be one."""
    text = " ".join(text.split())
    if not text:
        return msg("hubbot-value-empty")
    if datatype == "wikibase-item":
        return ItemValue(text) if ITEM_ID.fullmatch(text) else msg("hubbot-value-not-item", text)
    if datatype in ("string", "external-id", "commonsMedia", "monolingualtext"):
        if len(text) > MAX_STRING:
            return msg("hubbot-value-too-long", MAX_STRING)
        if datatype == "monolingualtext":
            return MonolingualValue(text, language)
        return StringValue(text)
    if datatype == "url":
        parts = urlsplit(text)
        if parts.scheme in ("http", "https") and parts.hostname and " " not in text:
            return StringValue(text)
        return msg("hubbot-value-not-url", text)
    if datatype == "time":
        return time_value(text) or msg("hubbot-value-not-date", text)
    if datatype == "quantity":
        return _quantity(text)
    return msg("hubbot-value-datatype", datatype)


def _quantity(text: str) -> Value | Message:
    match = _QUANTITY.fullmatch(text)
    if not match:
        return msg("hubbot-value-not-number", text)
    try:
        amount = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits numbers only
        return msg("hubbot-value-not-number", text)
    sign = "+" if amount >= 0 else ""
    unit = ENTITY_URI + match.group(2) if match.group(2) else "1"
    return QuantityValue(f"{sign}{amount}", unit)
