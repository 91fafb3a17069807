"""A realistic batch: real Tate metadata (../shared/data), generated images, the real wiki.

The partner's CSV keeps Tate's columns and line endings, adds the address of
an image per record on the partner's (loopback) web server, and ends with
Tate's own truncated last record, as the real export does.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from bots.dev.demo import png
from bots.dev.install import install
from bots.pipeline.titles import legal_title
from bots.store import Outcome
from tests.support.workflow import Media, Workflow

ROWS = 40


def tate_batch(shared_data, media: Media) -> tuple[bytes, list[dict[str, str]]]:
    raw = (shared_data / "tate" / "artwork_data.csv").read_bytes()
    text = raw.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = [row for _, row in zip(range(ROWS), reader, strict=False)]
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=[*reader.fieldnames, "image_url"], lineterminator="\r\n"
    )
    writer.writeheader()
    for n, row in enumerate(rows):
        name = f"{row['accession_number']}.png"
        row["image_url"] = media.put(name, png(48, 36, 9000 + n))
        writer.writerow(row)
    # Tate's export ends with a record cut off mid-field: keep it as it is.
    last_line = text.rstrip("\r\n").rsplit("\r\n", 1)[-1]
    return (out.getvalue() + last_line + "\r\n").encode("utf-8"), rows


def test_tate_batch_from_request_to_files(bot, person, config_file, hub_root, media, shared_data):
    install(bot, hub_root, standins=True, progress=lambda m: None)
    flow = Workflow(
        bot=bot, person=person, config_path=config_file(), hub_root=hub_root, media=media
    )
    data, rows = tate_batch(shared_data, media)
    source = media.put("artwork_data.csv", data)
    flow.file_request(
        "Tate drawings",
        source=source,
        format=None,  # detected
        id="accession_number",
        file="image_url",
        license="CC0",
        template="Artwork",
        title="{title} ({accession_number})",
        description=None,
        author=None,
        artist="{artist}",
        work_title="{title}",
        date="{dateText}",
        dimensions="{dimensions}",
        credit_line="{creditLine}",
        accession_number="{accession_number}",
        institution="Tate",
        source_url="https://www.tate.org.uk/art/artworks/{accession_number}",
        categories="Tate; Drawings in Tate",
        mapped="artist",
    )
    assert flow.run().requests == {"Tate drawings": "awaiting-approval"}

    # the mapping table counts what the rows say, most frequent first
    counts = Counter(row["artist"] for row in rows)
    table = bot.read_page(flow.hub.mapping("Tate drawings", "artist")).text
    top, top_count = counts.most_common(1)[0]
    assert f"{{{{Mapping row|value={top}|count={top_count}|" in table
    assert table.count("{{Mapping row|") == len(counts)

    # the preview reports Tate's truncated last record and shows real pages
    preview = bot.read_page(flow.hub.preview("Tate drawings")).text
    assert f"files={ROWS}|problems=1" in preview
    assert "header has" in preview
    first = rows[0]
    # titles are made legal ("Verso: Sketch" becomes "Verso - Sketch")
    assert legal_title(f"{first['title']} ({first['accession_number']})", "png") in preview

    # a volunteer maps the most frequent artist; the reviewer approves
    volunteer = person("Volunteer")
    title = flow.hub.mapping("Tate drawings", "artist")
    text = volunteer.text(title)
    row_start = text.index(f"{{{{Mapping row|value={top}|")
    row_end = text.index("}}", row_start) + 2
    mapped_row = text[row_start:row_end].replace("|categories=|", f"|categories={top}|")
    volunteer.edit(title, text[:row_start] + mapped_row + text[row_end:], "map artist")
    flow.run()
    flow.approve("Tate drawings")
    assert flow.run().requests == {"Tate drawings": "done"}

    status = flow.status("Tate drawings")
    assert (status["uploaded"], status["failed"], status["pending"]) == (str(ROWS), "0", "0")
    store = flow.store()
    states = {s.record_id: s for s in store.all("Tate drawings")}
    assert len(states) == ROWS
    assert all(s.outcome is Outcome.UPLOADED for s in states.values())

    page = flow.file_text(f"File:{states[first['accession_number']].title}")
    assert "{{Artwork" in page
    assert f" |credit line = {first['creditLine']}" in page
    assert f" |accession number = {first['accession_number']}" in page
    assert "[[Category:Tate]]" in page and "[[Category:Drawings in Tate]]" in page
    assert (
        f"{{{{Partnership upload|request=Tate drawings|id={first['accession_number']}}}}}" in page
    )
    by_top = next(r for r in rows if r["artist"] == top)
    assert f"[[Category:{top}]]" in flow.file_text(
        f"File:{states[by_top['accession_number']].title}"
    )
    parsed = bot.call(
        action="parse", page=f"File:{states[first['accession_number']].title}", prop="templates"
    )["parse"]
    assert "Template:Artwork" in {t["title"] for t in parsed["templates"]}
