"""One Wikidata item per record, on the test wiki's real Wikibase (SPEC 12).

The batch: a record whose item must be created, one whose item a volunteer
made already (found by its inventory number in the collection), and one whose
inventory number two items share (ambiguous). Then the files and items are
linked both ways where the Wikibase allows it, and a second run makes nothing.
"""

from __future__ import annotations

import csv
import io
import uuid

from bots.store import ItemState
from tests.support.items import claim, item_value, items_labelled, make_item

COLLECTION = "Q430682"  # Tate, on the test wiki as on Wikidata
PAINTING = "Q3305213"


def _set_wikidata(flow, name: str, column: str, value: str, qid: str) -> None:
    title = flow.hub.mapping(name, column)
    text = flow.person("Volunteer").text(title)
    row = next(line for line in text.splitlines() if f"value={value}|" in line)
    flow.person("Volunteer").edit(
        title, text.replace(row, row.replace("|wikidata=|", f"|wikidata={qid}|"))
    )


def _statements(entity: dict) -> dict[str, list[dict]]:
    return entity.get("claims") or entity.get("statements") or {}


def _entity(bot, qid: str) -> dict:
    return bot.call(action="wbgetentities", ids=qid)["entities"][qid]


def _file_entity(bot, title: str) -> dict:
    data = bot.call(action="wbgetentities", sites="commonswiki", titles=title)
    return next(iter(data["entities"].values()))


def test_items_are_created_linked_refused_and_not_made_twice(flow, bot, person):
    tag = uuid.uuid4().hex[:6]
    volunteer = person("Volunteer")
    artist = make_item(
        volunteer, f"Ada Painter {tag}", "painter in an items test", [claim("P31", "Q5")]
    )
    existing = make_item(
        volunteer,
        f"Someone's label {tag}",
        "an object a volunteer described",
        [claim("P31", PAINTING), claim("P217", f"{tag}-2", {"P195": COLLECTION})],
    )
    twins = [
        make_item(
            volunteer,
            f"Twin {n} {tag}",
            "one of two",
            [claim("P217", f"{tag}-3", {"P195": COLLECTION})],
        )
        for n in (1, 2)
    ]
    rows = [
        {
            "id": f"{tag}-{i}",
            "title": f"{flow.tag} items object {tag} {i}",
            "artist": f"Painter {tag}, Ada",
            "image": flow.media.image(f"{tag}-{i}.png"),
        }
        for i in (1, 2, 3)
    ]
    flow.file_request(
        "Items",
        rows,
        mapped="artist",
        source_url="https://example.org/object/{id}",
        items="create",
        item_label="{title}",
        item_description="test object {id}",
        item_statements=f"P31={PAINTING}; P170=@artist; P217={{id}}",
        item_match="P217",
        collection=COLLECTION,
    )
    flow.run()
    _set_wikidata(flow, "Items", "artist", f"Painter {tag}, Ada", artist)
    flow.run()

    preview = flow.bot.read_page(flow.hub.preview("Items")).text
    assert "* Items to create: 1" in preview
    assert (
        "* Existing items to link (only missing statements are added; labels and descriptions stay as they are): 1"
        in preview
    )
    assert "* Ambiguous (several existing items match; no item): 1" in preview
    assert f"[[Special:EntityPage/{existing}|{existing}]]" in preview
    assert f"2 existing items match it ({twins[0]}, {twins[1]})" in preview
    assert "reference URL (P854)" not in preview  # the reference is shown once, in words
    assert f"https://example.org/object/{tag}-1, retrieved" in preview
    assert f"creator (P170) || Ada Painter {tag} ({artist})" in preview

    flow.approve("Items")
    summary = flow.run()
    assert summary.requests["Items"] == "done", flow.status_text("Items")

    store = flow.store()
    entries = store.item_entries("Items")
    created = entries[f"{tag}-1"]
    assert created.state is ItemState.CREATED and created.item
    assert entries[f"{tag}-2"].state is ItemState.MATCHED and entries[f"{tag}-2"].item == existing
    assert f"{tag}-3" not in entries

    # the new item: label, description, statements, each with its reference
    item = _entity(bot, created.item)
    assert item["labels"]["en"]["value"] == rows[0]["title"]
    assert item["descriptions"]["en"]["value"] == f"test object {tag}-1"
    claims = _statements(item)
    assert claims["P31"][0]["mainsnak"]["datavalue"] == item_value(PAINTING)
    assert claims["P170"][0]["mainsnak"]["datavalue"] == item_value(artist)
    identifier = claims["P217"][0]
    assert identifier["mainsnak"]["datavalue"]["value"] == f"{tag}-1"
    assert identifier["qualifiers"]["P195"][0]["datavalue"] == item_value(COLLECTION)
    for group in claims.values():
        for statement in group:
            (reference,) = statement["references"]
            url = reference["snaks"]["P854"][0]["datavalue"]["value"]
            assert url == f"https://example.org/object/{tag}-1"
            assert reference["snaks"]["P813"][0]["datavalue"]["value"]["precision"] == 11

    # the existing item: its label and statements stay, the missing creator is added
    matched = _entity(bot, existing)
    assert matched["labels"]["en"]["value"] == f"Someone's label {tag}"
    assert matched["descriptions"]["en"]["value"] == "an object a volunteer described"
    matched_claims = _statements(matched)
    assert [c["mainsnak"]["datavalue"] for c in matched_claims["P170"]] == [item_value(artist)]
    assert len(matched_claims["P31"]) == 1 and len(matched_claims["P217"]) == 1

    # files and items, both ways where the Wikibase allows it
    states = {s.record_id: s for s in store.all("Items")}
    for record, qid in ((f"{tag}-1", created.item), (f"{tag}-2", existing)):
        media = _file_entity(bot, f"File:{states[record].title}")
        values = [c["mainsnak"]["datavalue"] for c in _statements(media).get("P6243", [])]
        assert values == [item_value(qid)], record
        assert entries[record].file_linked or store.item_entry("Items", record).file_linked
        # the link is one of the statements of the file's one structured-data edit
        assert "P7482" in _statements(media), record
        history = bot.call(
            action="query", prop="revisions", titles=f"File:{states[record].title}", rvlimit=50
        )["query"]["pages"][0]["revisions"]
        assert len(history) == 2, record  # the upload, then one wbeditentity
    third = _file_entity(bot, f"File:{states[f'{tag}-3'].title}")
    assert "P6243" not in _statements(third)
    status = flow.status_text("Items")
    assert "== Wikidata items ==" in status and "* Created: 1" in status
    assert "* Linked to existing items: 1" in status
    assert f"[[Special:EntityPage/{created.item}|{created.item}]]" in status
    assert "Items do not get an image (P18)" in status

    # a second run (after any change that makes the bot look again) creates nothing
    revisions = bot.call(
        action="query", prop="revisions", titles=f"Item:{created.item}", rvlimit=50
    )
    before = len(revisions["query"]["pages"][0]["revisions"])
    flow.set_request_param("Items", "limit", "50")
    flow.run()
    assert items_labelled(bot, rows[0]["title"]) == [created.item]
    after = bot.call(action="query", prop="revisions", titles=f"Item:{created.item}", rvlimit=50)
    assert len(after["query"]["pages"][0]["revisions"]) == before
    assert store.item_entries("Items") == store.item_entries("Items")
    assert {k: (e.state, e.item) for k, e in store.item_entries("Items").items()} == {
        k: (e.state, e.item) for k, e in entries.items()
    }

    # the export names each record's item
    exported = flow.run_cli("export", "Items")
    assert exported.returncode == 0, exported.stderr
    table = {r["id"]: r for r in csv.DictReader(io.StringIO(exported.stdout))}
    assert table[f"{tag}-1"]["item"] == created.item
    assert table[f"{tag}-2"]["item"] == existing
    assert table[f"{tag}-3"]["item"] == ""
    store.close()


def test_match_only_links_and_creates_nothing(flow, bot, person):
    tag = uuid.uuid4().hex[:6]
    existing = make_item(
        person("Volunteer"),
        f"Matched only {tag}",
        "an object already described",
        [claim("P31", PAINTING), claim("P217", f"{tag}-1")],
    )
    rows = [
        {
            "id": f"{tag}-{i}",
            "title": f"{flow.tag} match object {tag} {i}",
            "artist": "x",
            "image": flow.media.image(f"m{tag}-{i}.png"),
        }
        for i in (1, 2)
    ]
    flow.file_request(
        "Match",
        rows,
        source_url="https://example.org/object/{id}",
        items="match",
        item_label="{title}",
        item_description="test object {id}",
        item_statements=f"P31={PAINTING}; P217={{id}}",
        item_match="P217",
    )
    flow.run()
    preview = flow.bot.read_page(flow.hub.preview("Match")).text
    assert "Items to create" not in preview
    assert "* No existing item found (items = match: no item): 1" in preview
    flow.approve("Match")
    assert flow.run().requests["Match"] == "done"
    store = flow.store()
    entries = store.item_entries("Match")
    assert {k: (e.state, e.item) for k, e in entries.items()} == {
        f"{tag}-1": (ItemState.MATCHED, existing)
    }
    assert items_labelled(bot, rows[1]["title"]) == []
    store.close()


def test_items_the_community_would_refuse_are_never_sent(flow, bot):
    tag = uuid.uuid4().hex[:6]
    rows = [
        {
            "id": f"{tag}-1",
            "title": f"{flow.tag} fine {tag}",
            "artist": "",
            "image": flow.media.image(f"r{tag}1.png"),
        },
        {
            "id": f"{tag}-2",
            "title": f"{flow.tag} no date {tag}",
            "artist": "",
            "image": flow.media.image(f"r{tag}2.png"),
        },
    ]
    rows[0]["label"], rows[1]["label"] = f"Refusal test {tag}", ""
    params = dict(
        source_url="https://example.org/object/{id}",
        items="create",
        item_label="{label}",
        item_description="refusal test object",
        item_match="",
    )
    # no instance of (P31): the request cannot go ahead
    flow.file_request("Refuse", rows, item_statements="P217={id}", **params)
    flow.run()
    assert flow.status("Refuse")["state"] == "invalid"
    assert "Items need an instance of (P31) statement" in flow.status_text("Refuse")

    # with P31, the record without a label gets no item; the other one does
    flow.set_request_param("Refuse", "item_statements", f"P31={PAINTING}; P217={{id}}")
    flow.run()
    preview = flow.bot.read_page(flow.hub.preview("Refuse")).text
    assert "* Refused (see the problems below; no item): 1" in preview
    assert f"record {tag}-2 || No item for this record: the item would have no label" in preview
    flow.approve("Refuse")
    assert flow.run().requests["Refuse"] == "done"
    store = flow.store()
    assert set(store.item_entries("Refuse")) == {f"{tag}-1"}
    assert len(flow.uploads("Refuse")) == 2  # the files go up all the same
    store.close()


def _file_revisions(bot, title: str) -> int:
    data = bot.call(action="query", prop="revisions", titles=title, rvlimit=50)
    return len(data["query"]["pages"][0]["revisions"])


def test_an_item_made_after_the_files_structured_data_links_it_once(flow, bot):
    """A file whose structured data was written before its record had an item gets
    P6243 with an edit of its own; sent again, that edit finds it there and adds nothing."""
    tag = uuid.uuid4().hex[:6]
    rows = [
        {
            "id": f"{tag}-1",
            "title": f"{flow.tag} later item {tag}",
            "artist": "",
            "image": flow.media.image(f"l{tag}.png"),
        }
    ]
    flow.file_request("Later", rows, source_url="https://example.org/object/{id}")
    flow.run()
    flow.approve("Later")
    assert flow.run().requests["Later"] == "done"
    (title,) = flow.uploads("Later")
    assert "P6243" not in _statements(_file_entity(bot, title))
    assert _file_revisions(bot, title) == 2  # the upload, then its structured data

    # the partner asks for items afterwards: a new approval, then the item and its link
    for param, value in dict(
        items="create",
        item_label="{title}",
        item_description="a later item test object",
        item_statements=f"P31={PAINTING}; P217={{id}}",
    ).items():
        flow.set_request_param("Later", param, value)
    flow.run()
    flow.approve("Later")
    flow.run()
    store = flow.store()
    entry = store.item_entry("Later", f"{tag}-1")
    assert entry is not None and entry.state is ItemState.CREATED and entry.file_linked
    values = [c["mainsnak"]["datavalue"] for c in _statements(_file_entity(bot, title))["P6243"]]
    assert values == [item_value(entry.item)]
    assert _file_revisions(bot, title) == 3  # one edit for the link alone

    # the journal forgets the link (as after a crash): the next run finds it there
    store.mark_item("Later", f"{tag}-1", file_linked=False)
    flow.set_request_param("Later", "limit", "50")
    flow.run()
    assert store.item_entry("Later", f"{tag}-1").file_linked
    assert _file_revisions(bot, title) == 3
    assert len(_statements(_file_entity(bot, title))["P6243"]) == 1
    store.close()


def test_the_items_sections_speak_the_requests_language(flow, bot):
    """A Swedish request: the preview's and the status page's items sections in Swedish."""
    tag = uuid.uuid4().hex[:6]
    rows = [
        {
            "id": f"{tag}-{n}",
            "title": f"{flow.tag} svensk {tag} {n}",
            "artist": "",
            "image": flow.media.image(f"sv{tag}{n}.png"),
            "label": f"Svenskt test {tag}" if n == 1 else "",
        }
        for n in (1, 2)
    ]
    flow.file_request(
        "Objekt",
        rows,
        language="sv",
        source_url="https://example.org/object/{id}",
        items="create",
        item_label="{label}",
        item_description="testobjekt",
        item_match="",
        item_statements=f"P31={PAINTING}; P217={{id}}",
    )
    flow.run()
    preview = flow.bot.read_page(flow.hub.preview("Objekt")).text
    assert "== Wikidata-objekt ==" in preview
    assert "* Objekt att skapa: 1" in preview
    assert "* Avvisade (se problemen nedan; inget objekt): 1" in preview
    assert f"post {tag}-2 || Inget objekt för den här posten" in preview
    assert "objektet skulle sakna etikett (item_label ger ingenting" in preview
    assert "Items to create" not in preview and "would have no label" not in preview
    flow.approve("Objekt")
    assert flow.run().requests["Objekt"] == "done"
    status = flow.status_text("Objekt")
    assert "== Wikidata-objekt ==" in status and "* Skapade: 1" in status
    assert "|| skapat" in status and "Created:" not in status
