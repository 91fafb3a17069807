"""``hubbot demo``: the whole workflow on the dev wiki with generated sample data.

A fictional museum serves its images from a small web server on this machine
and pastes its data (CSV) on the wiki. The demo files a request as the partner, runs the bot (mapping tables
and preview), fills a mapping row as a volunteer, approves the new preview as
the reviewer, runs the bot again (uploads), and prints the pages to look at.
Every run makes new images, so the demo can be repeated on the same wiki.
"""

from __future__ import annotations

import csv
import functools
import http.server
import io
import logging
import random
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bots.config import Config
from bots.dev.accounts import DevAccount
from bots.dev.devwiki import DevWiki
from bots.hub import Hub
from bots.pipeline.preview import preview_id_on_page
from bots.pipeline.request import set_param

log = logging.getLogger(__name__)

ARTISTS = [
    ("Amelia Hartley", "Q1"),
    ("Bruno Castellani", ""),
    ("Chiyo Nakamura", ""),
    ("Dafydd Morgan", ""),
    ("Elin Sørensen", ""),
]
MEDIA = ["Oil paint on canvas", "Watercolour on paper", "Graphite on paper", "Etching"]
SUBJECTS = [
    "Harbour at dawn",
    "Study of a heron",
    "The orchard in May",
    "Portrait of a sailor",
    "Mill by the river",
    "Storm over the moor",
    "Still life with lemons",
    "Evening, Venice",
    "The reading room",
]


def png(width: int, height: int, seed: int) -> bytes:
    """A real PNG (a coloured composition) in pure Python, different for every seed."""
    rng = random.Random(seed)
    base = [rng.randrange(40, 220) for _ in range(3)]
    accent = [rng.randrange(0, 255) for _ in range(3)]
    cx, cy = rng.randrange(width), rng.randrange(height)
    r = rng.randrange(min(30, height // 4), max(height // 2, 31))
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r
            colour = accent if inside else base
            shade = (x + y) * 60 // (width + height)
            rows.extend(min(255, c + shade) for c in colour)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + chunk(b"IEND", b"")
    )


def sample_collection(folder: Path, base_url: str, count: int, seed: int) -> Path:
    """Write ``count`` records (CSV) and their images into ``folder``."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["accession_number", "title", "artist", "year", "medium", "image_url"])
    for n in range(1, count + 1):
        accession = f"DM-{seed % 10000:04d}-{n:03d}"
        artist = ARTISTS[n % len(ARTISTS)][0]
        name = f"{accession}.png"
        (folder / name).write_bytes(png(160, 120, seed * 1000 + n))
        writer.writerow(
            [
                accession,
                f"{rng.choice(SUBJECTS)} {n}",
                artist,
                str(rng.randrange(1780, 1930)),
                rng.choice(MEDIA),
                f"{base_url}/{name}",
            ]
        )
    path = folder / "collection.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("demo web server: " + format, *args)


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A web server for ``folder`` on a free loopback port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def request_text(name: str, data_page: str) -> str:
    """The demo's request: its data pasted on the wiki, so the request page links to
    nothing that is gone when the demo's web server stops."""
    return f"""{{{{Partnership request
 |partner     = Demo Museum
 |source      = {data_page}
 |format      = csv
 |id          = accession_number
 |file        = image_url
 |license     = CC0
 |template    = Artwork
 |title       = {{title}} ({{accession_number}})
 |artist      = {{artist}}
 |work_title  = {{title}}
 |date        = {{year}}
 |medium      = {{medium}}
 |accession_number = {{accession_number}}
 |institution = Demo Museum
 |source_url  = [[{data_page}|Demo Museum, record {{accession_number}}]]
 |categories  = Demo Museum
 |mapped      = artist=P170
 |caption     = {{title}}, by {{artist}}
 |inventory   = {{accession_number}}
 |statements  = P136=Q3305213
}}}}
This is a demonstration request ({name}) filed by <code>hubbot demo</code>. The museum's data
is on [[{data_page}]]; its images came from a small web server that ran during the demo.
"""


def data_text(csv_path: Path) -> str:
    """The sample data as a partner pastes it on the wiki (CSV inside <pre>)."""
    return "<pre>\n" + csv_path.read_text(encoding="utf-8") + "</pre>\n"


def _map_an_artist(volunteer: DevAccount, mapping_title: str) -> str:
    """The volunteer gives the second artist a category and a Wikidata item (made for the
    demo, as a volunteer would on Wikidata); returns the mapping page."""
    table = volunteer.text(mapping_title) or ""
    artist = ARTISTS[1][0]
    item = volunteer.create_item(artist, "painter (an artist of hubbot's demo)", "Q5")
    old_row = next(line for line in table.splitlines() if f"value={artist}|" in line)
    new_row = old_row.replace("|categories=|", f"|categories={artist}|").replace(
        "|wikidata=|", f"|wikidata={item}|"
    )
    volunteer.edit(mapping_title, table.replace(old_row, new_row), f"Mapping {artist}")
    return mapping_title


def _approve(reviewer: DevAccount, hub: Hub, name: str) -> None:
    """The reviewer sets |approve= to the id on the preview they read."""
    preview = reviewer.text(hub.preview(name)) or ""
    pid = preview_id_on_page(preview)
    if not pid:
        raise RuntimeError(f"No preview id on {hub.preview(name)}:\n{preview[:500]}")
    request_page = reviewer.text(hub.request(name)) or ""
    reviewer.edit(
        hub.request(name), set_param(request_page, "approve", pid), f"Approve preview {pid}"
    )


def run_demo(
    config: Config,
    *,
    count: int = 24,
    say: Callable[[str], None] = print,
    run_bot: Callable[[], object],
    wiki_url: Callable[[str], str],
    run_impact: Callable[[str], object] | None = None,
) -> dict[str, str]:
    """The workflow; ``run_bot`` is one ``hubbot run`` pass. Returns the page URLs."""
    dev = DevWiki.from_api_url(config.wiki.api, config.devwiki.dir)
    api = dev.api_url
    hub = Hub(config.hub.root)
    seed = int(time.time()) % 100000
    name = f"Demo {time.strftime('%Y-%m-%d %H%M%S')}"
    work = Path(config.upload.work_dir) / "demo" / str(seed)
    work.mkdir(parents=True, exist_ok=True)
    with serve(work) as base_url:
        collection = sample_collection(work, base_url, count, seed)
        data_page = f"{hub.request(name)}/Data"

        say(f"1. The partner pastes the data and files the request {hub.request(name)}")
        partner = DevAccount(api, "Partner")
        partner.edit(data_page, data_text(collection), "The collection's data")
        partner.edit(hub.request(name), request_text(name, data_page), "New partnership request")

        say("2. The bot reads it: mapping table and preview")
        run_bot()

        say("3. A volunteer maps an artist to a category and a Wikidata item")
        mapping_title = _map_an_artist(DevAccount(api, "Volunteer"), hub.mapping(name, "artist"))

        say("4. The bot updates the preview (the mapping changed it)")
        run_bot()

        say("5. The reviewer checks the preview and approves exactly that preview")
        _approve(DevAccount(api, "Reviewer"), hub, name)

        say("6. The bot uploads the approved batch, each file with its captions and statements")
        run_bot()

    status = DevAccount(api, "Partner").text(hub.status(name)) or ""
    files = [
        line.split("|")[0].strip()
        for line in status.split("<gallery", 1)[-1].splitlines()[1:]
        if line.startswith("File:")
    ][:3]
    if files and run_impact is not None:
        say("7. A volunteer uses two of the files in an article; the bot reports the impact")
        DevAccount(api, "Volunteer").edit(
            "Demo Museum highlights",
            "Highlights of the Demo Museum collection:\n"
            + "".join(f"[[{t}|thumb]]\n" for t in files[:2]),
            "Using the new files",
        )
        run_impact(name)
    urls = {
        "hub": wiki_url(hub.root),
        "help": wiki_url(f"{hub.root}/Help"),
        "request": wiki_url(hub.request(name)),
        "data": wiki_url(f"{hub.request(name)}/Data"),
        "preview": wiki_url(hub.preview(name)),
        "status": wiki_url(hub.status(name)),
        "mapping": wiki_url(mapping_title),
        "dashboard": wiki_url(hub.dashboard),
    }
    if run_impact is not None:
        urls["impact"] = wiki_url(hub.impact(name))
    for n, title in enumerate(files, 1):
        urls[f"file {n}"] = wiki_url(title)
    reader = DevAccount(api, "Partner")
    for n, title in enumerate(files, 1):  # SPEC 11: each file's MediaInfo entity, as JSON
        page = reader.page_id(title)
        if page:
            urls[f"data {n}"] = wiki_url(f"Special:EntityData/M{page}.json")
    urls["status line"] = status.split("\n", 1)[0]
    # pages that show other pages (the hub shows the dashboard) render anew now
    dev.php("maintenance/runJobs.php", "--maxtime=30")
    return urls
