"""The newcomer's journey in a real browser, with no wikitext typed by anyone.

A partner files a request through the wizard, a volunteer maps values with the
Wikidata lookup and the category completion, a reviewer approves with the
button, and the bot (in-process, as tests/support/workflow.py runs it) uploads.
The screenshots it takes are the README's (docs/screenshots/).
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from bots.dev.demo import png
from bots.pipeline.mapping import parse_mapping_page
from bots.pipeline.request import find_request_template, parse_request
from bots.wikitext import clean_value
from tests.support.workflow import Workflow

ROOT = "Project:Content Partnerships Hub"
NAME = "Harbour paintings"
ARTISTS = ["Amelia Hartley", "Bruno Castellani", "Chiyo Nakamura"]


@pytest.fixture
def hub_root() -> str:
    """The journey runs on the hub's usual root, as a newcomer sees it."""
    return ROOT


def partner_site(media) -> str:
    """The museum's CSV and images on its (loopback) web server; returns the CSV's address."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["accession_number", "title", "artist", "year", "medium", "image_url"])
    subjects = ["Harbour at dawn", "Boats at rest", "The lighthouse", "Fishermen", "Storm", "Quay"]
    for n, subject in enumerate(subjects, 1):
        accession = f"HM-{n:03d}"
        url = media.put(f"{accession}.png", png(96, 72, 7000 + n))
        writer.writerow([accession, subject, ARTISTS[n % 3], str(1850 + n), "Oil on canvas", url])
    return media.put("harbour.csv", out.getvalue().encode())


def new_item(person, label: str, description: str) -> str:
    admin = person("Admin")
    data = {
        "labels": {"en": {"language": "en", "value": label}},
        "descriptions": {"en": {"language": "en", "value": description}},
    }
    answer = admin.api(
        "wbeditentity", new="item", data=json.dumps(data), token=admin.site.get_token("csrf")
    )
    return answer["entity"]["id"]


def fill_wizard(browser, source: str) -> None:
    browser.type("#cph-field-partner", "Harbour Museum")
    browser.type("#cph-field-source", source)
    browser.choose("#cph-field-format", "csv")
    browser.type("#cph-field-id", "accession_number")
    browser.type("#cph-field-file", "image_url")
    browser.choose("#cph-field-license", "CC0")
    browser.choose("#cph-field-template", "Artwork")
    # a title without a placeholder is refused as it is typed
    browser.type("#cph-field-title", "Harbour painting")
    browser.find("#cph-field-partner").click()
    assert "at least one column name" in browser.text("#cph-field-title-error")
    browser.type("#cph-field-title", "{title} ({accession_number})")
    assert browser.text("#cph-field-title-error") == ""
    browser.type("#cph-field-work_title", "{title}")
    browser.type("#cph-field-artist", "{artist}")
    browser.type("#cph-field-date", "{year}")
    browser.type("#cph-field-source_url", "https://example.org/collection/{accession_number}")
    browser.type("#cph-field-categories", "Harbour Museum")
    browser.type("#cph-field-mapped", "artist")


def test_partner_volunteer_and_reviewer_without_wikitext(
    browser, forms_hub, bot, person, media, config_file
):
    flow = Workflow(bot=bot, person=person, config_path=config_file(), hub_root=ROOT, media=media)
    hub = flow.hub
    source = partner_site(media)
    amelia = new_item(person, "Amelia Hartley", "English painter of harbours")
    bruno = new_item(person, "Bruno Castellani", "Italian marine painter")
    person("Admin").edit("Category:Amelia Hartley", "Paintings by Amelia Hartley.", "category")

    # --- the partner: the hub's button opens the wizard -------------------------------
    browser.login("Partner")
    browser.open(ROOT)
    browser.screenshot("1-hub", element="#content")
    browser.type(".mw-inputbox-input, form.createbox input[name=title]", NAME)
    browser.click("form.createbox input[type=submit]")
    browser.wait_forms()
    browser.visible(".cph-wizard")
    # required fields are checked before anything is previewed
    browser.click("[data-cph=preview]")
    summary = browser.visible(".cph-summary .cph-notice-error").text
    assert "Partner" in summary and "File title pattern" in summary
    fill_wizard(browser, source)
    browser.screenshot("2-wizard", element=".cph-wizard")
    browser.click("[data-cph=preview]")
    browser.visible(".cph-rendered-done")
    assert "Harbour Museum" in browser.text(".cph-rendered")
    browser.screenshot("3-wizard-preview", element=".cph-wizard-preview")
    browser.click("[data-cph=save]")
    browser.wait(lambda d: "cphsaved=request" in d.current_url, 30, "the request to be saved")

    page = bot.read_page(hub.request(NAME))
    assert page.user == "Partner"
    request, problems = parse_request(NAME, page.text, licenses={"CC0": "cc-zero"})
    assert problems == [] and request is not None
    assert request.partner == "Harbour Museum" and request.source == source
    assert request.template == "Artwork" and request.mapped == ("artist",)
    assert request.fields["title"] == "{title}" and request.limit == 10

    # --- the bot: mapping table and preview --------------------------------------------
    flow.run()
    mapping = hub.mapping(NAME, "artist")
    table = bot.read_page(mapping).text
    if "suggestions=" not in table:
        # the bot's Wikidata suggestions (SPEC 12), as it writes them where it does
        table = table.replace(
            "|value=Amelia Hartley|",
            f"|value=Amelia Hartley|suggestions={amelia} "
            "(Amelia Hartley; English painter of harbours)|",
            1,
        )
        bot.save(mapping, table, "suggestions", base=bot.read_page(mapping))
    note = "<!-- Chiyo Nakamura: ask the museum for her dates. -->"
    person("Volunteer").edit(mapping, table.rstrip() + "\n" + note, "a note")
    before = bot.read_page(mapping).text

    # --- the volunteer: the mapping editor -----------------------------------------------
    browser.login("Volunteer")
    browser.open(mapping)
    amelia_row = "tr[data-value='Amelia Hartley']"
    bruno_row = "tr[data-value='Bruno Castellani']"
    browser.click(f"{amelia_row} .cph-chip:not(.cph-chip-search)")
    assert browser.find(f"{amelia_row} .cph-qid").get_attribute("value") == amelia
    browser.type(f"{amelia_row} td:nth-child(2) input", "Amelia H")
    browser.click(f"{amelia_row} td:nth-child(2) .cph-suggestion")
    assert browser.find(f"{amelia_row} td:nth-child(2) input").get_attribute("value") == (
        "Amelia Hartley"
    )
    browser.click(f"{bruno_row} .cph-chip-search")
    browser.visible(f"{bruno_row} .cph-suggestion")
    browser.screenshot("4-mapping-lookup", element=".cph-mapping-form", blur=False)
    browser.click(f"{bruno_row} .cph-suggestion")
    assert browser.find(f"{bruno_row} .cph-qid").get_attribute("value") == bruno
    assert "2 values changed" in browser.text(".cph-bar-count")
    browser.click("[data-cph=save-mapping]")
    browser.wait(lambda d: "cphsaved=mapping" in d.current_url, 30, "the mapping to be saved")

    after = bot.read_page(mapping).text
    assert bot.read_page(mapping).user == "Volunteer"
    rows_before = {r.value: r for r in parse_mapping_page(before).rows}
    rows_after = {r.value: r for r in parse_mapping_page(after).rows}
    assert clean_value(rows_after["Amelia Hartley"].cells["wikidata"]) == amelia
    assert clean_value(rows_after["Amelia Hartley"].cells["categories"]) == "Amelia Hartley"
    assert clean_value(rows_after["Bruno Castellani"].cells["wikidata"]) == bruno
    # every other byte of the page is as it was: the other rows, the cells not edited, the note
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(changed) == 2 and note in after
    for value in ("Amelia Hartley", "Bruno Castellani"):
        old, new = rows_before[value], rows_after[value]
        assert {k: v for k, v in new.cells.items() if k not in ("wikidata", "categories")} == {
            k: v for k, v in old.cells.items() if k not in ("wikidata", "categories")
        }
    assert rows_after["Chiyo Nakamura"].text == rows_before["Chiyo Nakamura"].text

    # --- the bot: a new preview for the new mapping --------------------------------------
    flow.run()
    pid = flow.preview_id(NAME)

    # --- the reviewer: the approve button ----------------------------------------------------
    browser.login("Volunteer")
    browser.open(hub.preview(NAME))
    assert browser.find_all("[data-cph=approve]") == []  # not an approver
    browser.login("Reviewer")
    browser.open(hub.preview(NAME))
    button = browser.visible("[data-cph=approve]")
    assert pid in button.text
    browser.screenshot("5-approve", element=".cph-batch-preview")
    button.click()
    browser.visible(".cph-approve .cph-notice-success")
    request_page = bot.read_page(hub.request(NAME))
    assert request_page.user == "Reviewer"
    template = find_request_template(request_page.text)
    assert template is not None and clean_value(template.get("approve").value) == pid

    # --- the bot uploads, and everyone sees it on the request page --------------------------
    flow.run()
    assert flow.status(NAME)["state"] == "done"
    assert len(flow.uploads(NAME)) == 6
    uploaded = flow.file_text(flow.uploads(NAME)[0])
    assert "[[Category:Harbour Museum]]" in uploaded
    browser.login("Partner")
    browser.open(hub.request(NAME))
    assert "done" in browser.text(".cph-request").lower()
    browser.screenshot("6-request-done", element=".cph-request")
    browser.open(ROOT, forms=False)
    assert NAME in browser.text("#mw-content-text")
    assert browser.script_errors() == []
