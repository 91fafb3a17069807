"""The benchmark's batch: museum records from the Tate sample and media made for them.

Every client uploads the same files with the same titles, so the batch is
built once: records from ``../shared/data/tate/artwork_data.csv`` whose titles
every client can use unchanged, and one JPEG per record made with ImageMagick.
The JPEGs are cached (generating 500 takes minutes, reading them takes none);
the metadata is read from the shared folder on every run and never copied.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import zlib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TATE_CSV = REPO / ".." / "shared" / "data" / "tate" / "artwork_data.csv"

#: Columns of the batch CSV: the museum's own, then the media URL.
COLUMNS: tuple[str, ...] = (
    "id",
    "accession_number",
    "artist",
    "artistId",
    "title",
    "dateText",
    "creditLine",
    "year",
    "dimensions",
    "width",
    "height",
    "depth",
    "units",
    "inscription",
    "thumbnailUrl",
    "url",
)

#: Characters that make one of the clients change or refuse a title
#: (MediaWiki's own, and pywikibot's UploadRobot's ``:*/\``).
_AWKWARD = frozenset("#<>[]|{}:/\\*")
MAX_TITLE_BYTES = 180
#: The title pattern, as the request and data_ingestion spell it.
TITLE_PATTERN = "{title} ({accession_number})"
INGESTION_TITLE_FORMAT = "%(title)s (%(accession_number)s).%(_ext)s"


class BatchError(Exception):
    """The batch cannot be built; the message says what is missing."""


def read_museum_rows(path: Path = TATE_CSV) -> list[dict[str, str]]:
    """Every complete row of the museum sample (its last row is cut off in the source)."""
    if not path.exists():
        raise BatchError(
            f"The museum sample {path.resolve()} is missing; the benchmark reads its records "
            "from ../shared/data/tate/artwork_data.csv beside the repository."
        )
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return [row for row in rows if None not in row and None not in row.values()]


def usable_for_upload(row: dict[str, str]) -> bool:
    """Whether every client would upload this record under the same title.

    The comparison needs a clean batch: a title one client rewrites and another
    refuses would measure title handling, not upload throughput.
    """
    title = row.get("title", "").strip()
    return (
        bool(title)
        and not (_AWKWARD & set(title))
        and len(title.encode()) <= MAX_TITLE_BYTES
        # pywikibot builds multipart bodies with the email package, which turns a
        # value starting with "From " into ">From " (mbox escaping): the wiki then
        # refuses data_ingestion's upload with the warning badfilename.
        and not title.startswith("From ")
    )


def upload_rows(rows: Sequence[dict[str, str]], count: int) -> list[dict[str, str]]:
    """``count`` distinct records from the usable rows, in museum order.

    When the sample has fewer usable rows than asked, rows repeat with a
    numbered accession number, so titles and ids stay unique.
    """
    usable = [row for row in rows if usable_for_upload(row)]
    if not usable:
        raise BatchError("No record of the museum sample has a title every client can use.")
    return list(_cycled(usable, count))


def scale_rows(rows: Sequence[dict[str, str]], count: int) -> Iterator[dict[str, str]]:
    """``count`` records for the scale runs: every museum row, ids and titles varied.

    All rows are used, awkward titles and missing values included, because
    validation is part of what is measured.
    """
    return _cycled(rows, count)


def _cycled(rows: Sequence[dict[str, str]], count: int) -> Iterator[dict[str, str]]:
    for n in range(count):
        lap, row = divmod(n, len(rows))
        row = rows[row]
        if lap == 0:
            yield dict(row)
            continue
        varied = dict(row)
        varied["id"] = f"{row['id']}-{lap}"
        varied["accession_number"] = f"{row['accession_number']}-{lap}"
        if row["title"].strip():
            varied["title"] = f"{row['title']} (version {lap + 1})"
        yield varied


def media_name(row: dict[str, str]) -> str:
    return f"{row['accession_number']}.jpg"


def media_size(name: str) -> tuple[int, int]:
    """Pixel size of a record's JPEG: 1200x900 to 1500x1125, so 200 to 350 KB."""
    width = 1200 + (zlib.crc32(name.encode()) % 7) * 50
    return width, width * 3 // 4


def make_media(names: Iterable[str], folder: Path, *, workers: int = 2, log=print) -> list[Path]:
    """One distinct JPEG per name in ``folder`` (ImageMagick), reusing cached ones."""
    if shutil.which("convert") is None:
        raise BatchError(
            "ImageMagick's convert is missing; install the Debian package imagemagick."
        )
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in names]
    missing = [p for p in paths if not (p.exists() and p.stat().st_size > 0)]
    if missing:
        log(f"Generating {len(missing)} JPEGs in {folder} (cached for later runs)")
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_make_jpeg, missing))
    return paths


def _make_jpeg(path: Path) -> None:
    width, height = media_size(path.name)
    seed = zlib.crc32(path.name.encode()) % 2**31
    partial = path.with_name(path.name + ".part.jpg")
    result = subprocess.run(
        [
            "convert",
            "-seed",
            str(seed),
            "-size",
            f"{width}x{height}",
            "plasma:fractal",
            "-quality",
            "88",
            str(partial),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BatchError(f"convert could not make {path.name}: {result.stderr.strip()[:300]}")
    partial.replace(path)


def write_batch_csv(path: Path, rows: Iterable[dict[str, str]], media_base_url: str) -> Path:
    """Write the CSV in pieces, so 100,000 records are never one string."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            record = {column: row.get(column, "") for column in COLUMNS}
            record["url"] = f"{media_base_url}/{media_name(row)}"
            writer.writerow(record)
    return path


@dataclass(frozen=True)
class RequestShape:
    """How the benchmark's request describes the museum's records."""

    partner: str = "Tate"
    id_column: str = "accession_number"
    file_column: str = "url"
    mapped: str = "artist; creditLine"
    #: captions and statements beyond the licence, source and date (SPEC 11): Tate's item
    structured: bool = False


def request_text(source: str, shape: RequestShape = RequestShape(), *, approve: str = "") -> str:
    """The ``{{Partnership request}}`` a museum would file for this batch."""
    lines = [
        "{{Partnership request",
        f" |partner     = {shape.partner}",
        f" |source      = {source}",
        " |format      = csv",
        f" |id          = {shape.id_column}",
        f" |file        = {shape.file_column}",
        " |license     = CC0",
        " |template    = Artwork",
        f" |title       = {TITLE_PATTERN}",
        " |artist      = {artist}",
        " |work_title  = {title}",
        " |date        = {dateText}",
        " |dimensions  = {dimensions}",
        " |credit_line = {creditLine}",
        " |accession_number = {accession_number}",
        " |institution = Tate",
        " |source_url  = https://www.tate.org.uk/art/artworks/{accession_number}",
        " |categories  = Tate; Works in the Tate sample",
        f" |mapped      = {shape.mapped}",
    ]
    if shape.structured:
        lines += [
            " |caption     = {title}",
            " |collection  = Q430682",
            " |inventory   = {accession_number}",
            " |partner_item = Q430682",
        ]
    if approve:
        lines.append(f" |approve     = {approve}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def ingestion_config_text(csv_name: str, template: str = "Artwork") -> str:
    """The ``{{Data ingestion}}`` page that pywikibot's data_ingestion script reads."""
    return (
        "{{Data ingestion\n"
        "|sourceFormat=csv\n"
        f"|csvFile={csv_name}\n"
        "|csvDialect=excel\n"
        "|csvDelimiter=,\n"
        "|csvEncoding=utf-8\n"
        f"|formattingTemplate={template}\n"
        f"|titleFormat={INGESTION_TITLE_FORMAT}\n"
        "}}\n"
    )
