"""CSV and TSV files as partners export them from spreadsheets and databases.

What real exports do, and what this reader does about it:

- Encodings: UTF-8 with or without a byte order mark, UTF-16 with a byte order
  mark (Excel's "Unicode text"), and, when the bytes are not valid UTF-8,
  Windows-1252 (older Excel on Windows); Latin-1 as the last resort since it
  accepts any byte. The encoding used is reported (``SourceData.encoding``).
- Delimiters: comma, semicolon (European Excel), tab or pipe, detected with
  :class:`csv.Sniffer` and checked by how consistently each candidate splits
  the first rows; TSV (tab) when the request says ``format = tsv``.
- Quoted fields with embedded delimiters, quotes and newlines; CRLF endings.
- The first non-empty row is the header; names are stripped. An empty name is
  called ``column N`` (N counting from 1), so no data is lost to a missing
  name. A name used twice makes the file unreadable.
- Rows with a different number of fields than the header (such as a last line
  cut off mid-record) are left out and reported as problems naming the row
  (the header is row 1, as in a spreadsheet). Rows with extra fields that are
  all empty are accepted. Empty rows are skipped silently.
- Values are kept exactly as the file has them, whitespace included.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from bots.i18n.message import msg
from bots.sources.base import RecordStore, SourceError

CANDIDATE_DELIMITERS = (",", "\t", ";", "|")
_SAMPLE_CHARS = 64 * 1024
_FIELD_LIMIT = 16 * 1024 * 1024


def detect_encoding(path: Path) -> str:
    """The text encoding of a file, by byte order mark, then by trying UTF-8."""
    with path.open("rb") as data:
        head = data.read(4096)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    guessed = _utf16_without_bom(head)
    if guessed:
        return guessed
    for encoding in ("utf-8", "cp1252"):
        if _decodes(path, encoding):
            return encoding
    return "latin-1"


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text of mostly ASCII characters has a zero in every other byte."""
    if len(head) < 16:
        return None
    even = head[0::2].count(0) / len(head[0::2])
    odd = head[1::2].count(0) / len(head[1::2])
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as data:
            for chunk in iter(lambda: data.read(1024 * 1024), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_delimiter(sample: str, *, complete: bool, candidates: str = ",\t;|") -> str:
    """The delimiter that splits the sample's rows most consistently.

    ``complete`` says whether the sample is the whole file; if not, its last
    row may be cut off and is not counted.
    """
    choices = [c for c in CANDIDATE_DELIMITERS if c in candidates]
    if len(choices) == 1:
        return choices[0]
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters="".join(choices)).delimiter
    except csv.Error:
        sniffed = None
    scores = {c: _consistency(sample, c, complete=complete) for c in choices}
    best = max(scores.values())
    if sniffed in scores and scores[sniffed] == best:
        return sniffed
    for delimiter in choices:  # in order of preference
        if scores[delimiter] == best:
            return delimiter
    return ","  # pragma: no cover


def _consistency(sample: str, delimiter: str, *, complete: bool) -> tuple[bool, float, int]:
    """(splits the header at all, share of rows as wide as the header, header width)."""
    try:
        rows = [row for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
    except csv.Error:
        return (False, 0.0, 0)
    if not complete and len(rows) > 1:
        rows = rows[:-1]
    if not rows:
        return (False, 0.0, 0)
    width = len(rows[0])
    body = rows[1:]
    share = sum(1 for row in body if len(row) == width) / len(body) if body else 1.0
    return (width > 1, share, width)


def read_delimited(
    path: Path,
    store: RecordStore,
    *,
    format: str | None,  # noqa: A002 (csv, tsv or None)
    encoding: str | None = None,
) -> tuple[str, str, str]:
    """Read a CSV or TSV file into ``store``; returns (format, encoding, delimiter)."""
    encoding = encoding or detect_encoding(path)
    candidates = "\t" if format == "tsv" else ",\t;|"
    with path.open(encoding=encoding, errors="strict", newline="") as text:
        sample = text.read(_SAMPLE_CHARS)
        complete = text.read(1) == ""
    if not sample.strip():
        raise SourceError(msg("hubbot-src-csv-empty"))
    delimiter = detect_delimiter(sample, complete=complete, candidates=candidates)
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    with path.open(encoding=encoding, errors="strict", newline="") as text:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            _read_rows(reader, store, delimiter)
        except csv.Error as error:
            raise SourceError(
                msg("hubbot-src-csv-unreadable", str(reader.line_num), str(error))
            ) from None
        except UnicodeDecodeError as error:
            raise SourceError(msg("hubbot-src-encoding", encoding, str(error))) from None
    kind = "tsv" if delimiter == "\t" else "csv"
    return (format or kind), encoding, delimiter


def _read_rows(reader: Iterator[list[str]], store: RecordStore, delimiter: str) -> None:
    header: list[str] | None = None
    row_number = 0
    for row in reader:
        row_number += 1
        if not any(field != "" for field in row):
            continue
        if header is None:
            header = _columns_from_header(row, delimiter)
            for column in header:
                store.add_column(column)
            continue
        fields = row
        if len(fields) > len(header) and not any(fields[len(header) :]):
            fields = fields[: len(header)]
        if len(fields) != len(header):
            line = getattr(reader, "line_num", None)
            counts = (len(fields), len(header))
            store.problem(
                msg("hubbot-where-row", str(row_number)),  # as the file counts, no separators
                msg("hubbot-src-row-fields-line", *counts, str(line))
                if line
                else msg("hubbot-src-row-fields", *counts),
            )
            continue
        store.add_values(fields)  # the header's columns are the store's, in order
    if header is None:
        raise SourceError(msg("hubbot-src-csv-empty"))


def _columns_from_header(row: list[str], delimiter: str) -> list[str]:
    names = [name.strip() for name in row]
    if not any(names):
        raise SourceError(msg("hubbot-src-csv-first-empty"))
    columns = [name or f"column {index}" for index, name in enumerate(names, start=1)]
    seen: dict[str, int] = {}
    for index, name in enumerate(columns, start=1):
        if name in seen:
            raise SourceError(msg("hubbot-src-column-twice", name, seen[name], index))
        seen[name] = index
    return columns
