"""What a batch has seen (record ids, file titles), in a few bytes per record.

The planner must remember every id and title of a batch to find the ones
that come twice, and a batch may hold a million records: Python's own sets
and dicts of strings take about 300 bytes a record for that. Here each
string is kept as its 128-bit BLAKE2b fingerprint in flat arrays of
integers, an open-addressing hash table at most half full: 32 bytes a member
(and for titles the first record id that had it: 16 bytes more, and the id
itself). Two different strings share a fingerprint with a probability of
about 2^-128 a pair, far below that of a disk error; the fingerprint is the
same in every process (no salted ``hash()``).

Pure: no I/O, only memory.
"""

from __future__ import annotations

from array import array
from hashlib import blake2b

_START = 1 << 10  # slots; a power of two
_LOW_64 = (1 << 64) - 1


def _zeros(size: int) -> array[int]:
    return array("Q", bytes(8 * size))


def _fingerprint(text: str) -> tuple[int, int]:
    digest = blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    both = int.from_bytes(digest, "little")  # the first 8 bytes are the low 64 bits
    high, low = both & _LOW_64, both >> 64
    return (high, low) if high or low else (0, 1)  # (0, 0) marks an empty slot


class _LastFingerprint:
    """The fingerprint of the string asked last: the planner asks "seen?", then adds it."""

    __slots__ = ("fingerprint", "text")

    def __init__(self) -> None:
        self.text: str | None = None
        self.fingerprint = (0, 1)

    def __call__(self, text: str) -> tuple[int, int]:
        if text != self.text:
            self.text, self.fingerprint = text, _fingerprint(text)
        return self.fingerprint


class _Table:
    """An open-addressing table of fingerprints, with an optional integer per member."""

    def __init__(self, *, values: bool) -> None:
        self.high, self.low = _zeros(_START), _zeros(_START)
        self.value: array[int] | None = array("q", [-1]) * _START if values else None
        self.count = 0

    def slot(self, high: int, low: int) -> int:
        """Where the fingerprint is kept, or the empty slot where it would go."""
        highs, lows = self.high, self.low
        mask = len(highs) - 1
        slot = low & mask
        while True:
            found_high, found_low = highs[slot], lows[slot]
            if (found_high == high and found_low == low) or not (found_high or found_low):
                return slot
            slot = (slot + 1) & mask

    def put(self, high: int, low: int, value: int = -1) -> None:
        # slot() and taken() written out: a batch puts two fingerprints a record
        highs, lows = self.high, self.low
        mask = len(highs) - 1
        slot = low & mask
        while True:
            found_high, found_low = highs[slot], lows[slot]
            if found_high == high and found_low == low:
                break
            if not (found_high or found_low):
                if 2 * (self.count + 1) > len(highs):
                    self._grow()
                    slot = self.slot(high, low)
                self.high[slot], self.low[slot] = high, low
                self.count += 1
                break
            slot = (slot + 1) & mask
        if self.value is not None:
            self.value[slot] = value

    def get(self, high: int, low: int) -> int | None:
        """The member's value (-1 without values), or None when it is not a member."""
        highs, lows = self.high, self.low
        mask = len(highs) - 1
        slot = low & mask
        while True:
            found_high, found_low = highs[slot], lows[slot]
            if found_high == high and found_low == low:
                return -1 if self.value is None else self.value[slot]
            if not (found_high or found_low):
                return None
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        old_high, old_low, old_value = self.high, self.low, self.value
        size = 2 * len(old_high)
        self.high, self.low = _zeros(size), _zeros(size)
        self.value = None if old_value is None else array("q", [-1]) * size
        for index in range(len(old_high)):
            high, low = old_high[index], old_low[index]
            if high or low:
                slot = self.slot(high, low)
                self.high[slot], self.low[slot] = high, low
                if old_value is not None and self.value is not None:
                    self.value[slot] = old_value[index]


class SeenStrings:
    """A set of strings: ``text in seen``, ``seen.add(text)``."""

    def __init__(self) -> None:
        self._table = _Table(values=False)
        self._fingerprint = _LastFingerprint()

    def __len__(self) -> int:
        return self._table.count

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self._table.get(*self._fingerprint(text)) is not None

    def add(self, text: str) -> None:
        self._table.put(*self._fingerprint(text))


class SeenTitles:
    """A map from strings (casefolded titles) to a string (the record id that had it first)."""

    def __init__(self) -> None:
        self._table = _Table(values=True)
        self._fingerprint = _LastFingerprint()
        self._ids = bytearray()
        self._ends = array("Q", [0])

    def __len__(self) -> int:
        return self._table.count

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self._table.get(*self._fingerprint(text)) is not None

    def __getitem__(self, text: str) -> str:
        found = self.get(text)
        if found is None:
            raise KeyError(text)
        return found

    def get(self, text: str) -> str | None:
        index = self._table.get(*self._fingerprint(text))
        if index is None or index < 0:
            return None
        start, end = self._ends[index], self._ends[index + 1]
        return self._ids[start:end].decode("utf-8", "surrogatepass")

    def __setitem__(self, text: str, record_id: str) -> None:
        self._ids += record_id.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._ids))
        self._table.put(*self._fingerprint(text), value=len(self._ends) - 2)
