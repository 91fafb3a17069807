"""SPEC 14 on the real wiki: a request's pages in its language, right to left for Arabic,
English for what is not translated, and descriptions in several languages on the file page."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest

from bots.i18n import catalog
from bots.jobs.impact import run_impact
from bots.store import StateStore
from tests.support.workflow import Workflow


def rendered(flow: Workflow, title: str) -> str:
    """The page as the wiki renders it (HTML)."""
    return str(
        flow.bot.call(action="parse", page=title, prop="text", formatversion=2)["parse"]["text"]
    )


def run_after_a_second(flow: Workflow):  # noqa: ANN201 (a RunSummary)
    """Run the bot in the second after a human edited the request page: the wiki keeps the
    page's rendering (which shows the status box) until a purge in a later second."""
    time.sleep(1.1)
    return flow.run()


def impact(flow: Workflow, name: str) -> str:
    store = StateStore.from_url(flow.config.state.url)
    try:
        run_impact(flow.config, flow.bot, store, name, progress=lambda m: None)
    finally:
        store.close()
    return flow.bot.read_page(flow.hub.impact(name)).text


def test_a_swedish_request_end_to_end(flow: Workflow) -> None:
    batch = flow.rows(2, prefix="S", titel_sv="Teckning", beskrivning="A drawing")
    flow.file_request(
        "Svenska",
        batch,
        language="sv",
        description="{title}",
        description_sv="{titel_sv} av {artist}",
        description_en="{beskrivning}",
    )
    assert run_after_a_second(flow).requests == {"Svenska": "awaiting-approval"}

    preview = flow.bot.read_page(flow.hub.preview("Svenska")).text
    assert '<div lang="sv" dir="ltr"' in preview
    assert "== Sammanfattning ==" in preview and "Filer att ladda upp: 2" in preview
    assert "Summary" not in preview
    status = flow.status_text("Svenska")
    assert flow.status("Svenska")["language"] == "sv"
    assert "Väntar på att en granskare godkänner förhandsgranskning" in status
    # the box on the request page speaks Swedish too, in the wiki's own rendering
    box = unescape(rendered(flow, flow.hub.request("Svenska")))
    assert "Väntar på godkännande" in box and "Källa för metadata" in box
    assert "Awaiting approval" not in box

    flow.approve("Svenska")
    assert run_after_a_second(flow).requests == {"Svenska": "done"}
    status = flow.status_text("Svenska")
    assert "Alla filer är hanterade" in status and "Senaste uppladdningar" in status
    box = unescape(rendered(flow, flow.hub.request("Svenska")))
    assert "Klar" in box and "Uppladdade filer: 2 av 2" in box

    # descriptions in several languages, as Commons writes them
    page = flow.file_text(flow.title("S001"))
    line = next(x for x in page.splitlines() if "description" in x)
    assert re.search(
        r"description\s*=\s*\S.* \{\{sv\|1=Teckning av [^}]+\}\} \{\{en\|1=A drawing\}\}", line
    ), line
    html = unescape(rendered(flow, flow.title("S001")))
    assert 'lang="sv"' in html and "Svenska:" in html and "English:" in html

    report = impact(flow, "Svenska")
    assert "== I siffror ==" in report and "Uppladdade filer" in report
    assert "In numbers" not in report


def test_an_arabic_request_runs_right_to_left(flow: Workflow) -> None:
    batch = flow.rows(2, prefix="A")
    flow.file_request("Arabic", batch, language="ar", license="CC-BY-NC")
    assert flow.run().requests == {"Arabic": "invalid"}
    status = flow.status_text("Arabic")
    assert '<div lang="ar" dir="rtl" class="mw-content-rtl">' in status
    assert "== مشكلات يجب إصلاحها ==" in status
    # the partner's Latin value stays readable inside Arabic text
    assert "الرخصة «<bdi>CC-BY-NC</bdi>» غير مقبولة هنا" in status
    html = rendered(flow, flow.hub.status("Arabic"))
    assert 'dir="rtl"' in html and "غير صالح" in unescape(html)

    flow.set_request_param("Arabic", "license", "CC0")
    assert run_after_a_second(flow).requests == {"Arabic": "awaiting-approval"}
    preview = flow.bot.read_page(flow.hub.preview("Arabic")).text
    assert '<div lang="ar" dir="rtl"' in preview and "== ملخّص ==" in preview
    # the file pages themselves are shown as the wiki shows them, left to right
    assert '<div lang="en" dir="ltr" class="mw-content-ltr">' in preview
    flow.approve("Arabic")
    assert run_after_a_second(flow).requests == {"Arabic": "done"}
    status = flow.status_text("Arabic")
    assert "عولجت كل الملفات" in status and "== أحدث الملفات المرفوعة ==" in status
    box = rendered(flow, flow.hub.request("Arabic"))
    assert re.search(r'class="cph-batch-status[^"]*" lang="ar" dir="rtl"', box), box[:2000]
    assert "مكتمل" in unescape(box) and "الملفات المرفوعة: 2 من 2" in unescape(box)
    dashboard = flow.bot.read_page(flow.hub.dashboard).text  # the hub's page: the wiki's language
    assert '<div lang="en" dir="ltr"' in dashboard and "Arabic" in dashboard


def test_a_source_the_bot_cannot_read_is_explained_in_french(flow: Workflow) -> None:
    source = flow.media.put("deux-fois.csv", b"id,title,id\n1,a,2\n")
    flow.file_request("Francais", None, source=source, language="fr")
    flow.run()
    status = flow.status_text("Francais")
    assert '<div lang="fr" dir="ltr"' in status
    assert "l’en-tête nomme la colonne « id » deux fois (colonnes 1 et 3)" in status
    assert "the header names" not in status


def test_a_missing_message_falls_back_to_english(
    flow: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    swedish = dict(catalog().messages["sv"])
    del swedish["hubbot-preview-heading-summary"]
    monkeypatch.setitem(catalog().messages, "sv", swedish)
    flow.file_request("Fallback", flow.rows(1, prefix="F"), language="sv")
    flow.run()
    preview = flow.bot.read_page(flow.hub.preview("Fallback")).text
    assert "== Summary ==" in preview  # the one message Swedish lacks, in English
    assert "Filer att ladda upp: 1" in preview and "== Filsidor ==" in preview  # the rest Swedish


#: A heading of each translated help's newer sections, as the wiki renders it.
HELP_SECTIONS = {
    "sv": ("Strukturerad data: bildtexter och påståenden", "Wikidata-objekt"),
    "es": ("Datos estructurados: leyendas y declaraciones", "Elementos de Wikidata"),
    "fr": ("Données structurées\xa0: légendes et déclarations", "Éléments Wikidata"),
    "ar": ("البيانات المهيكلة: التسميات التوضيحية والإفادات", "عناصر ويكي بيانات"),
}


def headlines(html: str) -> list[str]:
    return [
        unescape(h) for h in re.findall(r'<span class="mw-headline" id="[^"]*">(.*?)</span>', html)
    ]


def test_help_pages_and_labels_in_every_language(flow: Workflow) -> None:
    for lang, words in {"sv": "Godkännande", "es": "Aprobación", "fr": "Approbation"}.items():
        assert words in flow.bot.read_page(f"{flow.hub.root}/Help/{lang}").text
    html = rendered(flow, f"{flow.hub.root}/Help/ar")
    assert 'dir="rtl"' in html and "الموافقة" in unescape(html)
    assert '<code dir="ltr">undo = yes</code>' in html  # code runs left to right inside Arabic
    english = headlines(rendered(flow, f"{flow.hub.root}/Help"))
    for lang, sections in HELP_SECTIONS.items():
        html = rendered(flow, f"{flow.hub.root}/Help/{lang}")
        assert 'class="error"' not in html, lang
        missing = re.findall(r'title="([^"]*) \(page does not exist\)"', html)
        assert {m.rsplit("/", 1)[-1] for m in missing} <= {"Impact"}, (lang, missing)  # no run yet
        assert len(headlines(html)) == len(english), (lang, headlines(html))
        assert set(sections) <= set(headlines(html)), (lang, headlines(html))
        for code in ("caption_LANG", "item_statements", "mode = edit", "undo = yes"):
            assert f">{code}</code>" in html, (lang, code)
        anchors = re.findall(r'href="#([^"]+)"', html)  # links within the page
        assert len(anchors) >= 5, (lang, anchors)
        for anchor in anchors:
            assert f'id="{anchor}"' in html, (lang, anchor)
    data = flow.bot.call(
        action="templatedata", titles="Template:Partnership request", lang="sv", formatversion=2
    )
    page = next(iter(data["pages"].values()))
    assert page["params"]["source"]["label"] == "Källa för metadata"


#: A heading of each translated volunteers' (Mappings) and reviewers' (Reviewing) help.
SUBPAGE_HELP_SECTIONS = {
    ("Mappings", "sv"): "Påståenden från tabellen",
    ("Mappings", "es"): "Sugerencias para la celda de Wikidata",
    ("Mappings", "fr"): "Règles du robot",
    ("Mappings", "ar"): "قواعد البوت",
    ("Reviewing", "sv"): "Inaktuella godkännanden",
    ("Reviewing", "es"): "Aprobaciones caducadas",
    ("Reviewing", "fr"): "Approbations périmées",
    ("Reviewing", "ar"): "الموافقات المتقادمة",
}


def test_volunteers_and_reviewers_help_in_every_language(flow: Workflow) -> None:
    """``hubbot install`` puts R/Help/Mappings/LANG and R/Help/Reviewing/LANG on the wiki."""
    root = flow.hub.root
    for (kind, lang), heading in SUBPAGE_HELP_SECTIONS.items():
        html = rendered(flow, f"{root}/Help/{kind}/{lang}")
        assert heading in headlines(html), (kind, lang, headlines(html))
        assert len(headlines(html)) == len(headlines(rendered(flow, f"{root}/Help/{kind}")))
        missing = re.findall(r'title="([^"]*) \(page does not exist\)"', html)
        assert not missing, (kind, lang, missing)  # the language bar and the other helps exist
        assert f"/Help/{kind}/{lang}" in rendered(flow, f"{root}/Help/{kind}")  # English links
        assert f"/Help/{kind}/{lang}" in rendered(flow, f"{root}/Help/{lang}")  # partners' help
    mappings = rendered(flow, f"{root}/Help/Mappings/ar")
    assert 'dir="rtl"' in mappings and '<code dir="ltr">suggestions</code>' in mappings
    reviewing = rendered(flow, f"{root}/Help/Reviewing/ar")
    assert 'dir="rtl"' in reviewing and "|approve     = 3f9a1c02de" in reviewing
