"""Suggestions in mapping tables, from the test wiki's real Wikibase (SPEC 12).

Candidates come best first (a label or an alias equal to the value, or to its
"First Last" form, before one that merely starts with it), the table's
``type`` keeps only instances of one item, volunteers' cells stay, refreshed
suggestions leave the preview id and the approval alone, and a hub of many
tables costs a bounded number of Wikibase requests per run.
"""

from __future__ import annotations

import uuid

from bots.jobs.run import Runner, RunOptions
from bots.pipeline.mapping import parse_mapping_page
from bots.pipeline.suggestions import candidates
from bots.store import StateStore
from tests.support.items import claim, make_item
from tests.support.workflow import Workflow, rows

PAINTING = "Q3305213"


def _cells(flow, name: str, column: str = "artist") -> dict[str, dict[str, str]]:
    text = flow.bot.read_page(flow.hub.mapping(name, column)).text
    return {row.value: dict(row.cells) for row in parse_mapping_page(text).rows}


def _suggested(flow, name: str, value: str) -> list[str]:
    return candidates(_cells(flow, name).get(value, {}).get("suggestions", ""))


def _records(flow, values: list[str]) -> list[dict[str, str]]:
    return [
        {
            "id": f"S{i}",
            "title": f"{flow.tag} suggestion object {uuid.uuid4().hex[:6]}",
            "artist": value,
            "image": flow.media.image(f"s{uuid.uuid4().hex[:8]}.png"),
        }
        for i, value in enumerate(values)
    ]


def test_suggestions_appear_best_first_and_respect_the_tables_type(flow, person):
    tag = uuid.uuid4().hex[:6]
    volunteer = person("Volunteer")
    name = f"Wren Halloway{tag}"
    human = make_item(volunteer, name, "English painter", [claim("P31", "Q5")])
    known_as = make_item(
        volunteer, f"W. Halloway{tag}", "painter, known by another name",
        [claim("P31", "Q5")], aliases=(name,),
    )  # fmt: skip
    ship = make_item(volunteer, f"{name} Memorial", "a painting", [claim("P31", PAINTING)])
    value = f"Halloway{tag}, Wren"
    flow.file_request("Suggest", _records(flow, [value, value, f"Nobody{tag}"]), mapped="artist")
    flow.run()

    found = _suggested(flow, "Suggest", value)
    assert set(found[:2]) == {human, known_as} and found[2:] == [ship], found
    cells = _cells(flow, "Suggest")
    assert f"{human} ({name}; English painter)" in cells[value]["suggestions"]
    assert cells[value]["wikidata"] == ""  # never filled by the bot
    assert not cells[f"Nobody{tag}"].get("suggestions")

    # a volunteer asks for humans only, notes something, and fills a category
    title = flow.hub.mapping("Suggest", "artist")
    text = volunteer.text(title)
    text = text.replace("|column=artist}}", "|column=artist|type=Q5}}")
    text = text.replace(
        "|categories=|wikidata=|suggestions", "|categories=Halloway|wikidata=|suggestions"
    )
    text = text.replace(
        "{{Mapping row|value=Nobody", "<!-- not a person -->\n{{Mapping row|value=Nobody"
    )
    volunteer.edit(title, text)
    flow.run()
    assert set(_suggested(flow, "Suggest", value)) == {human, known_as}
    after = volunteer.text(title)
    assert "<!-- not a person -->" in after and "|categories=Halloway|" in after

    # the volunteer picks one: the bot empties the row's suggestions, and keeps the pick
    volunteer.edit(
        title,
        after.replace("|categories=Halloway|wikidata=|", f"|categories=Halloway|wikidata={human}|"),
    )
    flow.run()
    row = _cells(flow, "Suggest")[value]
    assert (
        row["wikidata"] == human and not row.get("suggestions") and row["categories"] == "Halloway"
    )


def test_refreshed_suggestions_change_neither_the_preview_id_nor_the_approval(
    bot, person, config_file, hub_root, media
):
    from bots.dev.install import install

    install(bot, hub_root, standins=True, progress=lambda m: None)
    # suggestions searched again at every run
    path = config_file(wikibase={"suggestions_max_age": 0})
    flow = Workflow(bot=bot, person=person, config_path=path, hub_root=hub_root, media=media)
    tag = uuid.uuid4().hex[:6]
    volunteer = person("Volunteer")
    first = make_item(volunteer, f"Ines Varga{tag}", "sculptor", [claim("P31", "Q5")])
    value = f"Varga{tag}, Ines"
    flow.file_request("Refresh", _records(flow, [value, value]), mapped="artist", limit="1")
    flow.run()
    assert _suggested(flow, "Refresh", value) == [first]
    pid = flow.approve("Refresh")

    second = make_item(volunteer, f"Ines Varga{tag}", "painter", [claim("P31", "Q5")])
    flow.run()
    assert set(_suggested(flow, "Refresh", value)) == {first, second}
    assert flow.preview_id("Refresh") == pid
    status = flow.status("Refresh")
    assert status["state"] == "paused" and status["uploaded"] == "1", flow.status_text("Refresh")


def test_a_hub_of_many_tables_asks_the_wikibase_a_bounded_number_of_times(
    bot, person, config_file, hub_root, media
):
    from bots.dev.install import install

    install(bot, hub_root, standins=True, progress=lambda m: None)
    budget = 30
    path = config_file(wikibase={"suggestion_searches": budget})
    flow = Workflow(bot=bot, person=person, config_path=path, hub_root=hub_root, media=media)
    tag = uuid.uuid4().hex[:5]
    columns = ("artist", "medium", "place", "subject")
    # 4 tables of 20 values each, half of them "Last, First" (two searches each);
    # two requests share the artist values
    records = rows(40, media, prefix="M", tag=flow.tag)
    for i, record in enumerate(records):
        record["artist"] = f"Maker{tag} {i % 20}, Anna"
        record["medium"] = f"medium{tag} {i % 20}"
        record["place"] = f"Place{tag} {i % 20}"
        record["subject"] = f"Subject{tag} {i % 20}"
    flow.file_request("Many A", records, mapped="; ".join(columns))
    flow.file_request("Many B", records[:20], mapped="artist")
    config = flow.config
    figures = []
    for _run in range(6):
        store = StateStore.from_url(config.state.url)
        runner = Runner(config, bot, store, progress=lambda m: None)
        runner.run(RunOptions())
        reader = runner.job.wikibase_reader
        figures.append((reader.searches, reader.requests))
        store.close()
    searches = [s for s, _ in figures]
    assert all(s <= budget for s in searches), figures
    # every value gets its suggestions within a few runs, then nothing is asked again
    assert sum(searches) == 20 * 2 + 3 * 20, figures
    assert figures[-1] == (0, 0), figures
    assert all(requests <= searches + 2 for searches, requests in figures), figures
    print(f"\nWikibase (searches, requests) per run, 5 tables, 100 distinct values: {figures}")
