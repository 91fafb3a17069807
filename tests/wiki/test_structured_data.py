"""Structured data on uploaded files (SPEC 11) against the real Wikibase and WikibaseMediaInfo.

The test wiki is its own Wikibase: the properties and items carry
Wikidata's ids (P170, P195, P217, P275, Q430682 Tate, Q6938433 CC0...), and
every uploaded file has its MediaInfo entity ``M<page id>``. Each test files a
request as a partner, lets the bot preview it, approves it as a reviewer and
then reads the files' entities back from the wiki.
"""

from __future__ import annotations

from html import unescape

from bots.statements import ItemValue, MonolingualValue, StringValue, TimeValue
from bots.store import DataState
from tests.support.workflow import Workflow, csv_text

CC0, CC0_STATUS, ONLINE = "Q6938433", "Q88088423", "Q74228490"
TATE, HUMAN, PAINTING = "Q430682", "Q5", "Q3305213"


def approve_and_run(flow: Workflow, name: str) -> None:
    flow.run()
    flow.approve(name)
    flow.run()


def entity(flow: Workflow, title: str, languages=("en", "sv")):
    return flow.bot.entities_of_files([title], languages)[title]


def held(state) -> list[tuple[str, object]]:
    return [(h.property, h.value) for h in state.statements]


def fill_wikidata(flow: Workflow, name: str, column: str, value: str, qid: str) -> None:
    title = flow.hub.mapping(name, column)
    volunteer = flow.person("Volunteer")
    text = volunteer.text(title)
    old = next(line for line in text.splitlines() if f"|value={value}|" in line)
    volunteer.edit(title, text.replace(old, old.replace("|wikidata=|", f"|wikidata={qid}|")), "Q")


def test_every_upload_carries_its_statements_and_captions(flow, media):
    rows = flow.rows(2, year="1851", height="12.5")
    flow.file_request(
        "Structured",
        rows,
        mapped="artist=P170",
        date="{year}",
        source_url="https://example.org/object/{id}",
        caption="{title}",
        caption_sv="Bild {id}",
        collection=TATE,
        inventory="{id}",
        partner_item=TATE,
        statements=f"P136={PAINTING}; P1476={{title}}; P2048={{height}}",
    )
    flow.run()
    mapping = flow.bot.read_page(flow.hub.mapping("Structured", "artist")).text
    assert "{{Mapping table|request=Structured|column=artist|property=P170}}" in mapping
    fill_wikidata(flow, "Structured", "artist", "Turner, J. M. W.", HUMAN)
    approve_and_run(flow, "Structured")
    status = flow.status("Structured")
    assert (status["state"], status["uploaded"], status["sdc_pending"]) == ("done", "2", "0")

    one = entity(flow, flow.title("R001"))  # R001's artist is Turner: mapped to Q5
    assert one.exists and one.id.startswith("M")
    assert one.labels == {"en": f"{flow.tag} object R001", "sv": "Bild R001"}
    assert held(one) == [
        ("P275", ItemValue(CC0)),
        ("P6216", ItemValue(CC0_STATUS)),
        ("P7482", ItemValue(ONLINE)),
        ("P170", ItemValue(HUMAN)),
        ("P571", TimeValue("+1851-00-00T00:00:00Z", 9)),
        ("P195", ItemValue(TATE)),
        ("P217", StringValue("R001")),
        ("P136", ItemValue(PAINTING)),
        ("P1476", MonolingualValue(f"{flow.tag} object R001", "en")),
        ("P2048", one.statements[-1].value),
    ]
    assert one.statements[-1].value.amount == "+12.5"
    two = entity(flow, flow.title("R002"))  # Blake has no Q-id: no creator, never a guess
    assert "P170" not in [p for p, _ in held(two)]
    # the qualifiers as written: the source's URL and operator, the inventory number's collection
    data = flow.bot.call(action="wbgetentities", ids=one.id)["entities"][one.id]["statements"]
    source = data["P7482"][0]["qualifiers"]
    assert source["P973"][0]["datavalue"]["value"] == "https://example.org/object/R001"
    assert source["P137"][0]["datavalue"]["value"]["id"] == TATE
    assert data["P217"][0]["qualifiers"]["P195"][0]["datavalue"]["value"]["id"] == TATE

    # the preview showed them, with labels, and the journal kept what was written
    preview = flow.bot.read_page(flow.hub.preview("Structured")).text
    assert "copyright license (P275)" in preview and "creator (P170)" in preview
    assert "human (Q5)" in preview and "Caption (sv): Bild R001" in preview
    store = flow.store()
    assert store.structured_counts("Structured")[DataState.DONE] == 2
    # a later run writes nothing again
    revid = one.revid
    flow.run()
    assert entity(flow, flow.title("R001")).revid == revid


def test_mistakes_of_the_whole_request_make_it_invalid(flow, media):
    flow.file_request(
        "Wrong",
        flow.rows(2),
        mapped="artist=P217",  # a property of text, not of items
        statements="P99999=Q5; P571=someday",
        collection="Q999999999",
        caption="{title}",
        caption_en="Another {title}",
        language="en",
    )
    assert flow.run().requests == {"Wrong": "invalid"}
    text = unescape(flow.status_text("Wrong"))  # quoted values are escaped on the page
    assert "There is no property P99999" in text
    assert 'P571=someday: "someday" is not a date' in text
    assert "'''collection''': Q999999999 is not an item" in text
    assert "'''caption_en''': caption and caption_en both give the caption in en" in text
    assert "'''Mappings/artist''': The header names P217" in text
    assert "Traceback" not in text and "Error" not in text
    assert flow.uploads("Wrong") == []


def test_mistakes_in_records_are_problems_on_the_preview(flow, media):
    rows = flow.rows(4)
    rows[0]["year"], rows[1]["year"], rows[2]["year"], rows[3]["year"] = (
        "1850",
        "c. 1850",
        "",
        "1851",
    )
    rows[3]["title"] = ""  # no caption for R004
    flow.file_request(
        "Records",
        rows,
        title="{id} object",
        caption="{title}",
        mapped="artist=P170",
        statements="P571={year}",
    )
    flow.run()
    fill_wikidata(flow, "Records", "artist", "Blake, William", "Q999999998")
    flow.run()
    preview = unescape(flow.bot.read_page(flow.hub.preview("Records")).text)
    # R001 (Turner, 1850) and R003 (Turner, no year) are fine; R002 and R004 are Blake's
    assert "|files=2|problems=4|" in preview
    assert (
        'The statement P571 (from statements) cannot be made for this record: "c. 1850" is '
        "not a date written as YYYY, YYYY-MM or YYYY-MM-DD." in preview
    )
    assert "gives Q999999998, which is not an item on the Wikibase" in preview  # R002 is Blake's
    assert "The caption (caption) comes out empty for this record" in preview
    flow.approve("Records")
    flow.run()
    assert flow.uploads("Records") == ["File:R001 object.png", "File:R003 object.png"]
    assert ("P571", TimeValue("+1850-00-00T00:00:00Z", 9)) in held(
        entity(flow, "File:R001 object.png")
    )
    # no year: no inception, and no problem either
    assert "P571" not in [p for p, _ in held(entity(flow, "File:R003 object.png"))]


def test_without_structured_data_uploads_go_ahead(flow, media, config_file):
    flow.config_path = config_file(wikibase={"structured_data": False})
    flow.file_request("Plain", flow.rows(1), caption="{title}")
    approve_and_run(flow, "Plain")
    status = flow.status("Plain")
    assert status["state"] == "done" and status["uploaded"] == "1" and "sdc_pending" not in status
    assert "Structured data is switched off" in flow.status_text("Plain")
    assert not entity(flow, flow.title("R001")).exists


def test_a_duplicate_gets_no_structured_data(flow, media, tmp_path):
    rows = flow.rows(2)
    existing = f"File:{flow.tag} someone else's copy.png"
    path = tmp_path / "copy.png"
    path.write_bytes((media.folder / rows[0]["image"].rsplit("/", 1)[1]).read_bytes())
    flow.person("Volunteer")  # a person's file, uploaded before the request
    flow.bot.upload(existing, path, "Someone's own file", "their upload", mime="image/png")
    flow.file_request("Dup", rows, caption="{title}")
    approve_and_run(flow, "Dup")
    store = flow.store()
    assert store.get("Dup", "R001").existing_file == existing
    assert not entity(flow, existing).exists  # nothing added to a file the request did not upload
    assert entity(flow, flow.title("R002")).exists
    assert set(store.structured_of("Dup", ["R001", "R002"])) == {"R002"}


def with_store(flow: Workflow, fn, *args, **kwargs):
    store = flow.store()
    try:
        return fn(flow.config, flow.bot, store, *args, **kwargs)
    finally:
        store.close()


def test_sync_keeps_statements_and_captions_in_step_three_ways(flow, media):
    from bots.jobs.sync import run_sync

    rows = flow.rows(2)
    for r in rows:
        r["inv"] = f"INV-{r['id']}"
    params = dict(caption="{title}", inventory="{inv}", collection=TATE, sync="yes")
    flow.file_request("Steps", rows, **params)
    approve_and_run(flow, "Steps")
    one, two = flow.title("R001"), flow.title("R002")
    volunteer = flow.person("Volunteer")
    # the community adds a statement and changes a caption on R001
    volunteer.edit_file_data(
        one,
        {
            "labels": {"en": {"language": "en", "value": "A volunteer's caption"}},
            "claims": [
                {
                    "mainsnak": {
                        "snaktype": "value",
                        "property": "P180",
                        "datavalue": {"type": "wikibase-entityid", "value": {"id": HUMAN}},
                    },
                    "type": "statement",
                }
            ],
        },
    )
    # the partner corrects titles and inventory numbers in the catalogue
    for r in rows:
        r["title"] += " (corrected)"
        r["inv"] += "b"
    media.put("Steps.csv", csv_text(rows).encode())
    results = with_store(flow, run_sync, "Steps", progress=lambda m: None)
    assert "Steps" in results

    first = entity(flow, one)
    assert first.labels["en"] == "A volunteer's caption"  # the community's caption stays
    statements = held(first)
    assert ("P180", ItemValue(HUMAN)) in statements  # the community's statement stays
    assert ("P217", StringValue("INV-R001b")) in statements  # untouched: updated
    assert ("P217", StringValue("INV-R001")) not in statements
    assert len(statements) == len(set(map(repr, statements)))  # nothing twice
    second = entity(flow, two)
    assert second.labels["en"] == f"{flow.tag} object R002 (corrected)"
    assert [v for p, v in held(second) if p == "P217"] == [StringValue("INV-R002b")]
    status = unescape(flow.status_text("Steps"))
    assert "structured data (captions and statements) of 2 files" in status
    assert "caption (en)" in status and "A volunteer's caption" in status  # a conflict, listed
    assert "the P180 statements were added on the wiki; kept" in status
    # a second sync changes nothing
    revision = entity(flow, one).revid
    with_store(flow, run_sync, "Steps", progress=lambda m: None)
    assert entity(flow, one).revid == revision


def test_export_gives_each_files_statements_and_captions(flow, media):
    import csv
    import io
    import json

    from bots.jobs.export import run_export

    flow.file_request("Exported", flow.rows(1), caption="{title}", collection=TATE)
    approve_and_run(flow, "Exported")
    flow.person("Volunteer").edit_file_data(
        flow.title("R001"),
        {"labels": {"sv": {"language": "sv", "value": "En bild"}}},
    )
    out = io.StringIO()
    assert with_store(flow, run_export, "Exported", out, "json") == 1
    row = json.loads(out.getvalue())[0]
    assert {"statement": f"P195={TATE}", "added_by_community": False} in row["statements"]
    assert row["captions"] == {"en": f"{flow.tag} object R001", "sv": "En bild"}
    out = io.StringIO()
    with_store(flow, run_export, "Exported", out, "csv")
    line = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert f"P275={CC0}" in line["statements"].split("\n")
    assert "sv: En bild" in line["captions"].split("\n")


def test_the_demos_files_carry_structured_data(bot, config_file, hub_root, devwiki):
    import requests

    from bots.config import load_config
    from bots.dev.demo import ARTISTS, run_demo
    from bots.dev.install import install
    from bots.jobs.run import Runner, RunOptions
    from bots.store import StateStore

    config = load_config(config_file(), environ={})
    install(bot, hub_root, standins=True, progress=lambda m: None)
    store = StateStore.from_url(config.state.url)
    try:
        urls = run_demo(
            config,
            count=5,
            say=lambda m: None,
            run_bot=lambda: Runner(config, bot, store, progress=lambda m: None).run(RunOptions()),
            wiki_url=bot.page_url,
        )
    finally:
        store.close()
    assert "state=done" in urls["status line"] and "sdc_pending=0" in urls["status line"]
    data = [url for what, url in urls.items() if what.startswith("data ")]
    assert data and all("Special:EntityData/M" in url and url.endswith(".json") for url in data)
    entity = next(iter(requests.get(data[0], timeout=60).json()["entities"].values()))
    assert entity["labels"]["en"]["value"].endswith(tuple(f", by {a}" for a, _ in ARTISTS))
    assert {"P275", "P6216", "P7482", "P571", "P217", "P136"} <= set(entity["statements"])
