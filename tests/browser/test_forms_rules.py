"""The forms keep the wiki's rules: stale previews, changed requests, the bot's own
wikitext rules, and pages without JavaScript."""

from __future__ import annotations

import pytest

from bots.pipeline.request import set_param
from tests.support.browser import Browser
from tests.support.workflow import Workflow

SETTINGS = [
    ("{{Partnership request\n |partner     = Tate\n |title       = {x}\n}}\nTalk.", "limit", "5"),
    ("{{Partnership request|partner=Tate|title={x}}}", "approve", "abc123"),
    ("{{Partnership request\n|partner = <!-- note --> Tate\n|approve =\n}}", "approve", "ff00"),
    (
        "{{Partnership request\n |partner = T\n |approve = old\n |approve = older\n}}",
        "approve",
        "n",
    ),
    (
        "Intro {{Partnership request\n |partner     = Tate\n |source = [[A|b]]\n}} end",
        "pause",
        "yes",
    ),
    ("{{partnership_request\n |partner     = Tate\n |licence     = CC0\n}}\n", "title", "{t}"),
    ("<!-- {{Partnership request|x=1}} -->{{Partnership request|partner=T}}", "limit", "2"),
]


@pytest.fixture
def flow(bot, person, config_file, hub_root, media, forms_hub) -> Workflow:
    return Workflow(
        bot=bot, person=person, config_path=config_file(), hub_root=hub_root, media=media
    )


def test_the_forms_set_parameters_exactly_as_the_bot_does(browser, flow):
    browser.login("Volunteer")
    browser.open(flow.hub.root)
    for text, name, value in SETTINGS:
        got = browser.js(
            "return cphForms.wikitext.setParams(arguments[0], 'Partnership request', "
            "{[arguments[1]]: arguments[2]});",
            text,
            name,
            value,
        )
        assert got == set_param(text, name, value), (text, name)


def test_stale_preview_and_own_request_are_refused(browser, flow, media):
    name = "Stale"
    flow.file_request(name, flow.rows(2))
    flow.run()
    old = flow.preview_id(name)
    browser.login("Reviewer")
    browser.open(flow.hub.preview(name))
    browser.visible("[data-cph=approve]")
    # the data changes while the reviewer reads: the bot writes a new preview
    flow.file_request(name, flow.rows(3))
    flow.run()
    assert flow.preview_id(name) != old
    browser.click("[data-cph=approve]")
    refusal = browser.visible(".cph-approve .cph-notice-error").text
    assert "no longer the current one" in refusal and old in refusal
    assert "approve = " + old not in flow.bot.read_page(flow.hub.request(name)).text
    assert "approve=" + old not in flow.bot.read_page(flow.hub.request(name)).text

    # four eyes: the reviewer's own request is not approved by the button either
    flow.file_request("Own", flow.rows(1, prefix="O"), by="Reviewer")
    flow.run()
    browser.open(flow.hub.preview("Own"))
    browser.click("[data-cph=approve]")
    assert "another reviewer" in browser.visible(".cph-approve .cph-notice-error").text
    assert flow.bot.read_page(flow.hub.request("Own")).user == "Reviewer"
    assert "approve" not in flow.bot.read_page(flow.hub.request("Own")).text


def test_the_wizard_changes_only_what_was_edited(browser, flow, person):
    name = "Change"
    title = flow.hub.request(name)
    text = (
        "{{Partnership request\n |partner     = Test Museum <!-- as on our letterhead -->\n"
        f" |source      = {flow.media.url('x.csv')}\n |format      = csv\n |id          = id\n"
        " |file        = image\n |licence     = CC0\n |title       = {title} ({id})\n"
        "}}\n== Discussion ==\nLooks good. --~~~~\n"
    )
    person("Partner").edit(title, text, "request by hand")
    before = flow.bot.read_page(title).text
    browser.login("Partner")
    browser.open(title)
    browser.click("[data-cph=change-request]")
    browser.wait_forms()
    assert browser.find("#cph-field-license").get_attribute("value") == "CC0"
    browser.type("#cph-field-title", "{title}, {id}")
    browser.click("label[for=cph-field-pause]")
    browser.click("[data-cph=preview]")
    browser.visible(".cph-rendered-done")
    browser.click("[data-cph=save]")
    browser.wait(lambda d: "cphsaved=request" in d.current_url, 30, "the change to be saved")
    after = flow.bot.read_page(title).text
    assert after == set_param(set_param(before, "title", "{title}, {id}"), "pause", "yes")
    assert "<!-- as on our letterhead -->" in after and "licence     = CC0" in after


def test_without_javascript_the_wikitext_is_there(devwiki, flow):
    flow.file_request("Plain", flow.rows(1, prefix="P"))
    flow.run()
    plain = Browser(devwiki.url, javascript=False)
    try:
        plain.login("Partner")
        plain.open(flow.hub.root, forms=False)
        plain.type("form.createbox input[name=title]", "Plain new")
        plain.click("form.createbox input[type=submit]")
        editor = plain.visible("#wpTextbox1")
        assert "{{Partnership request" in editor.get_attribute("value")
        assert plain.find_all(".cph-wizard") == []
        plain.login("Reviewer")
        plain.open(flow.hub.preview("Plain"), forms=False)
        assert "|approve=" + flow.preview_id("Plain") in plain.text(".cph-batch-preview")
        assert plain.find_all("[data-cph=approve]") == []
    finally:
        plain.close()


def test_the_forms_speak_the_readers_language(browser, flow, person):
    import json

    flow.file_request("Sprache", flow.rows(1, prefix="S"))
    flow.run()
    page = f"{flow.hub.root}/Forms.json"
    config = json.loads(flow.bot.read_page(page).text)
    config["messages"]["de"] = {"cph-forms-approve-button": "Vorschau $1 freigeben"}
    flow.bot.save(page, json.dumps(config), "a language", base=flow.bot.read_page(page))
    browser.login("Reviewer")
    browser.open(flow.hub.preview("Sprache"), uselang="de")
    button = browser.visible("[data-cph=approve]").text
    assert button == "Vorschau " + flow.preview_id("Sprache") + " freigeben"
    # messages not translated fall back to English
    assert "approver" in browser.text(".cph-approve-text")
    # the shipped translations, Arabic right to left
    preview_id = flow.preview_id("Sprache")
    browser.open(flow.hub.preview("Sprache"), uselang="sv")
    assert browser.visible("[data-cph=approve]").text == f"Godkänn förhandsgranskning {preview_id}"
    browser.open(flow.hub.preview("Sprache"), uselang="ar")
    assert browser.visible("[data-cph=approve]").text == f"الموافقة على المعاينة {preview_id}"
    box = browser.visible(".cph-approve")
    assert (box.get_attribute("dir"), box.get_attribute("lang")) == ("rtl", "ar")
    assert "لديك صلاحية الموافقة" in browser.text(".cph-approve-text")
