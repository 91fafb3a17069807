"""What every partner source becomes: a stream of flat text records.

Sources are read once, completely, when they are opened: that is when the
digest (part of the preview id) is known, when bad rows are found, and when
the columns are known. The records are then kept on disk in a private folder
under the work directory, so that :meth:`SourceData.records` can be iterated
as often as the pipeline needs (mapping counts, rendering, uploading) without
ever holding a 100,000-row source in memory.

On disk each record is the list of its values in column order, written with
:mod:`marshal` in blocks of :data:`BLOCK_RECORDS`, each after its size: the
file lives only as long as the process that wrote it (the same Python reads
it back), and a planning pass over a million records reads it several times,
which JSON objects of every column name made three times slower.
"""

from __future__ import annotations

import hashlib
import marshal
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from itertools import repeat
from pathlib import Path
from types import TracebackType

from bots.i18n.message import Message, msg
from bots.model import Problem

#: More problems than this are summed up in one line rather than listed.
MAX_PROBLEMS = 1000

#: How long reading one source may take in all when the run has no time
#: budget (with one, the request's share of it bounds the read). A source of
#: many documents (a IIIF collection, an OAI-PMH harvest) is fetched piece by
#: piece, each within the fetcher's timeout; this bounds the whole, so that a
#: slow or endless server cannot hold a scheduled run for hours.
MAX_READ_SECONDS = 600.0

#: Records written to disk at once: a few hundred KB held in memory at most.
BLOCK_RECORDS = 1000
#: Each block is preceded by its size in bytes, in this many bytes.
_SIZE_BYTES = 8


class SourceError(Exception):
    """The source cannot be read at all; the message says why in plain words."""

    def __init__(self, message: Message | str):
        self.message = message if isinstance(message, Message) else Message.verbatim(message)
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


def duration(seconds: float) -> Message:
    """A time bound in words of the page's language: "10 minutes", "45 seconds"."""
    if seconds >= 120:
        return msg("hubbot-src-minutes", _number(seconds / 60))
    return msg(
        "hubbot-src-seconds", _number(round(seconds) if seconds >= 10 else round(seconds, 1))
    )


def _number(value: float) -> int | str:
    return int(value) if value == int(value) else f"{value:g}"


def join_values(values: Iterable[str], split: str) -> str:
    """Several values of one field, as one cell (the request's ``split``)."""
    return split.join(values)


def new_workspace(workdir: Path) -> Path:
    """A private folder for one opened source."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="source-", dir=workdir))


class RecordStore:
    """Collects records on disk while a source is read, and the columns seen."""

    def __init__(self, workspace: Path):
        self.workspace = workspace
        self.path = workspace / "records.bin"
        self._file = self.path.open("wb")
        self._columns: dict[str, None] = {}
        self._block: list[list[str]] = []
        self.count = 0
        self.problems: list[Problem] = []
        self._unlisted_problems = 0

    def add(self, record: Mapping[str, str]) -> None:
        for column in record:
            if column not in self._columns:
                self._columns[column] = None
        # a column first seen later is missing here, which records() reads as ""
        self._keep([record.get(column, "") for column in self._columns])

    def add_values(self, values: list[str]) -> None:
        """A record given as its values, one for each column announced so far, in order."""
        self._keep(values)

    def _keep(self, values: list[str]) -> None:
        self._block.append(values)
        self.count += 1
        if len(self._block) >= BLOCK_RECORDS:
            self._flush()

    def _flush(self) -> None:
        if self._block:
            data = marshal.dumps(self._block)
            self._file.write(len(data).to_bytes(_SIZE_BYTES, "little"))
            self._file.write(data)
            self._block = []

    def add_column(self, column: str) -> None:
        """Announce a column before any record has it (a CSV header)."""
        if column not in self._columns:
            self._columns[column] = None

    def problem(self, where: str | Message, message: Message | str) -> None:
        if isinstance(message, str):
            message = Message.verbatim(message)
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(where, message))
        else:
            self._unlisted_problems += 1

    def finish(
        self,
        *,
        format: str,  # noqa: A002 (the request parameter's name)
        digest: str,
        encoding: str | None = None,
        delimiter: str | None = None,
    ) -> SourceData:
        self._flush()
        self._file.close()
        problems = list(self.problems)
        if self._unlisted_problems:
            problems.append(
                Problem("source", msg("hubbot-source-more-problems", self._unlisted_problems))
            )
        return SourceData(
            format=format,
            digest=digest,
            columns=tuple(self._columns),
            problems=problems,
            record_count=self.count,
            encoding=encoding,
            delimiter=delimiter,
            records_path=self.path,
            workspace=self.workspace,
        )

    def abandon(self) -> None:
        self._file.close()


class SourceData:
    """A source that has been read: columns, problems, digest and its records."""

    def __init__(
        self,
        *,
        format: str,  # noqa: A002
        digest: str,
        columns: tuple[str, ...],
        problems: list[Problem],
        record_count: int,
        records_path: Path,
        workspace: Path | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
    ):
        #: csv, tsv, json, iiif or oai-pmh: as given, or as detected
        self.format = format
        #: sha256 (hex) over the source's content; see ``open_source``
        self.digest = digest
        #: column names in the order first seen
        self.columns = columns
        #: records left out, with the reason (row, record or manifest named)
        self.problems = problems
        self.record_count = record_count
        #: the text encoding used for CSV/TSV (utf-8, utf-8-sig, utf-16, cp1252...)
        self.encoding = encoding
        #: the CSV/TSV field delimiter that was detected or given
        self.delimiter = delimiter
        self._records_path = records_path
        self._workspace = workspace

    def records(self) -> Iterator[dict[str, str]]:
        """Every record, in source order, with every column (missing ones as "")."""
        columns = self.columns
        width = len(columns)
        with self._records_path.open("rb") as stored:
            while size := int.from_bytes(stored.read(_SIZE_BYTES), "little"):
                block = marshal.loads(stored.read(size))
                if min(map(len, block)) == width:  # every record has every column
                    yield from map(dict, map(zip, repeat(columns), block))
                    continue
                for values in block:
                    record = dict(zip(columns, values, strict=False))
                    if len(values) < width:  # columns first seen in a later record
                        for column in columns[len(values) :]:
                            record[column] = ""
                    yield record

    def close(self) -> None:
        """Remove the records kept on disk."""
        if self._workspace is not None:
            shutil.rmtree(self._workspace, ignore_errors=True)

    def __enter__(self) -> SourceData:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"SourceData(format={self.format!r}, records={self.record_count}, "
            f"columns={len(self.columns)}, problems={len(self.problems)})"
        )


def sha256_file(path: Path, hasher: hashlib._Hash | None = None) -> hashlib._Hash:
    """Feed a file to a sha256 hasher in chunks."""
    hasher = hasher or hashlib.sha256()
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(1024 * 1024), b""):
            hasher.update(chunk)
    return hasher
