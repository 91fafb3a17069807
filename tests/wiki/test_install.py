"""`hubbot install` on the real wiki: pages exist, render, and human edits survive."""

from __future__ import annotations

import os
import subprocess
import sys

from bots.dev.install import install, load_pages


def run_cli(*args: str, config) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bots.cli", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def parse(wiki, title: str) -> dict:
    return wiki.call(action="parse", page=title, prop="text|templates|categories")["parse"]


def test_install_creates_every_page_and_they_render(bot, hub_root):
    results = {r.title: r.action for r in install(bot, hub_root, standins=True, progress=print)}
    # the hub's own pages are new; templates are shared by every hub root on this test wiki
    assert {a for t, a in results.items() if t.startswith(hub_root)} == {"created"}
    assert set(results.values()) <= {"created", "updated", "unchanged"}
    pages = load_pages(hub_root, standins=True)
    current = bot.read_pages(p.title for p in pages)
    for page in pages:
        info = current[page.title]
        assert info.exists, page.title
        assert info.text.rstrip() == page.text.rstrip()
    assert current[f"{hub_root}/Stop"].text.strip() == "run"
    root = parse(bot, hub_root)
    missing = [t["title"] for t in root["templates"] if not t.get("exists")]
    assert missing == []
    assert "inputbox" in root["text"].lower() or "<form" in root["text"]
    for template in (
        "Partnership request",
        "Mapping table",
        "Mapping row",
        "Mapping table end",
        "Batch preview",
        "Batch status",
        "Partnership upload",
    ):
        info = bot.read_page(f"Template:{template}")
        assert info.exists, template
        html = parse(bot, f"Template:{template}")["text"]
        assert "Template loop" not in html and "Expression error" not in html, template


def test_batch_status_renders_a_readable_box(bot, hub_root):
    install(bot, hub_root, standins=True, progress=lambda m: None)
    text = (
        "{{Batch status|state=uploading|total=1200|uploaded=350|duplicates=12|failed=3"
        "|pending=835|preview=3f9a1c02de|updated=2026-11-20T10:00:00Z}}"
    )
    html = bot.call(action="parse", text=text, contentmodel="wikitext", prop="text")["parse"][
        "text"
    ]
    assert "350" in html and "1200" in html.replace(",", "")
    assert "{{{" not in html


def test_install_is_idempotent_and_keeps_human_edits(bot, person, hub_root):
    install(bot, hub_root, standins=True, progress=lambda m: None)
    again = install(bot, hub_root, standins=True, progress=lambda m: None)
    assert {r.action for r in again} == {"unchanged"}

    admin = person("Admin")
    help_title = f"{hub_root}/Help"
    human_text = bot.read_page(help_title).text + "\n\nA note from a human."
    admin.edit(help_title, human_text, "human note")
    admin.edit(f"{hub_root}/Stop", "stop", "stopping the bot")

    results = {r.title: r for r in install(bot, hub_root, standins=True, progress=lambda m: None)}
    assert results[help_title].action == "kept"
    assert "Admin" in results[help_title].detail
    assert bot.read_page(help_title).text == human_text
    # the stop page belongs to whoever stopped the bot, even with --force
    forced = {
        r.title: r
        for r in install(bot, hub_root, standins=True, force=True, progress=lambda m: None)
    }
    assert forced[f"{hub_root}/Stop"].action == "kept"
    assert bot.read_page(f"{hub_root}/Stop").text == "stop"
    assert forced[help_title].action == "updated"
    assert "A note from a human." not in bot.read_page(help_title).text


def test_standins_only_when_configured(bot, hub_root):
    titles = {p.title for p in load_pages(hub_root, standins=False)}
    assert "Template:Information" not in titles
    assert f"{hub_root}/Stop" in titles


def test_cli_install_and_wrong_password(config_file, hub_root, bot):
    config = config_file()
    result = run_cli("install", config=config)
    assert result.returncode == 0, result.stderr
    assert "Hub: http://127.0.0.1" in result.stdout
    assert bot.read_page(f"{hub_root}/Stop").text.strip() == "run"

    bad = config_file(wiki={"password": "not-the-password"})
    result = run_cli("install", config=bad)
    assert result.returncode == 1
    assert "wrong username or password" in result.stderr
    assert "Traceback" not in result.stderr
    assert "not-the-password" not in result.stderr + result.stdout
