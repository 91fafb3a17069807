"""Structured data on uploaded files (SPEC 11) against the real Wikibase and WikibaseMediaInfo.

The test wiki is its own Wikibase: the properties and items carry
Wikidata's ids (P170, P195, P217, P275, Q430682 Tate, Q6938433 CC0...), and
every uploaded file has its MediaInfo entity ``M<page id>``. Each test files a
request as a partner, lets the bot preview it, approves it as a reviewer and
then reads the files' entities back from the wiki.
"""

from __future__ import annotations

from bots.statements import ItemValue, MonolingualValue, StringValue, TimeValue
from bots.store import DataState
from tests.support.workflow import Workflow

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
