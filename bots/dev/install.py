"""``hubbot install``: the hub's templates, pages and help on a wiki.

The pages come from ``wiki_templates/pages.yaml``. Installing is idempotent and
careful with human work: a page whose latest revision was made by someone other
than the bot is left alone (and reported) unless ``force`` is given. The stop
page is only ever created, never overwritten: whoever stopped the bot decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bots import WIKI_TEMPLATES_DIR, __version__
from bots.dev import install_i18n
from bots.dev.forms import FormsPage, FormsSettings, install_forms
from bots.wiki import NoChange, PageInfo, Saved, Wiki, WikiError

log = logging.getLogger(__name__)

TEMPLATES_DIR = WIKI_TEMPLATES_DIR
SUMMARY = f"hubbot install: Content Partnerships Hub pages (version {__version__})"


@dataclass(frozen=True)
class HubPage:
    title: str
    text: str
    dev_only: bool = False
    create_only: bool = False


@dataclass(frozen=True)
class InstallResult:
    title: str
    action: str  # created, updated, unchanged, kept (human edit), failed; ask (see detail)
    detail: str = ""


def stop_page(root: str) -> str:
    return f"{root}/Stop"


def load_pages(root: str, *, standins: bool, templates_dir: Path = TEMPLATES_DIR) -> list[HubPage]:
    """The pages to install, with ``{root}`` filled in."""
    manifest = yaml.safe_load((templates_dir / "pages.yaml").read_text(encoding="utf-8"))
    pages: list[HubPage] = []
    for entry in manifest:
        if entry.get("dev_only") and not standins:
            continue
        title = entry["title"].replace("{root}", root)
        text = (templates_dir / "pages" / entry["file"]).read_text(encoding="utf-8")
        text = text.replace("{root}", root)
        pages.append(
            HubPage(
                title=title,
                text=text,
                dev_only=bool(entry.get("dev_only")),
                create_only=title == stop_page(root) or bool(entry.get("create_only")),
            )
        )
    return language_pages(root, pages, standins=standins, templates_dir=templates_dir)


def language_pages(
    root: str, pages: list[HubPage], *, standins: bool, templates_dir: Path
) -> list[HubPage]:
    """The manifest's pages with the languages added (SPEC 14).

    The messages of the on-wiki templates come first, so that the templates
    using them render in full from the start; TemplateData labels are given in
    every shipped language; each language's help pages and (dev wiki) the
    language templates of multilingual descriptions follow.
    """
    messages = [
        HubPage(f"Template:Hub message/{lang}", install_i18n.message_template(lang))
        for lang in install_i18n.languages()
    ]
    translated = [
        HubPage(
            p.title,
            install_i18n.translate_templatedata(p.text)
            if p.title in install_i18n.TRANSLATED_TEMPLATEDATA
            else p.text,
            p.dev_only,
            p.create_only,
        )
        for p in pages
    ]
    helps = [
        HubPage(install_i18n.help_title(root, kind, lang), text.replace("{root}", root))
        for kind in install_i18n.HELPS
        for lang, text in install_i18n.help_pages(templates_dir, kind).items()
    ]
    standin_pattern = templates_dir / "pages" / "devwiki" / "Language.wikitext"
    standin_pages = [
        HubPage(
            f"Template:{lang[:1].upper()}{lang[1:]}",
            install_i18n.language_standin(lang, standin_pattern.read_text(encoding="utf-8")),
            dev_only=True,
        )
        for lang in install_i18n.standin_languages()
        if standins
    ]
    return messages + translated + helps + standin_pages


def decide(page: HubPage, current: PageInfo, bot_user: str, force: bool) -> str:
    """What to do with one page (pure): create, update, unchanged or keep."""
    if not current.exists:
        return "create"
    if current.text.rstrip() == page.text.rstrip():
        return "unchanged"
    if page.create_only:
        return "keep"
    if current.user != bot_user and not force:
        return "keep"
    return "update"


def install(
    wiki: Wiki,
    root: str,
    *,
    standins: bool,
    force: bool = False,
    progress: Callable[[str], None] = log.info,
    forms: FormsSettings | None = None,
) -> list[InstallResult]:
    """Install the hub's pages (and with ``forms``, the forms of SPEC 15); one result a page.

    Pages that show other pages (the hub's page, the help) are purged at the end,
    so that none shows a red link to a page this install made after it.
    """
    pages = load_pages(root, standins=standins)
    current = wiki.read_pages(p.title for p in pages)
    results: list[InstallResult] = []
    for page in pages:
        info = current[page.title]
        action = decide(page, info, wiki.username, force)
        if action == "unchanged":
            results.append(InstallResult(page.title, "unchanged"))
            continue
        results.append(_write(wiki, page, info, action, progress))
    if forms is not None:

        def save_forms_page(page: FormsPage, info: PageInfo, same: bool) -> None:
            if same:
                results.append(InstallResult(page.title, "unchanged"))
                return
            hub_page = HubPage(page.title, page.text)
            # of Common.js only the marked block is ours: it is always brought up to date
            action = "update" if page.block_only and info.exists else None
            action = action or decide(hub_page, info, wiki.username, force)
            results.append(_write(wiki, hub_page, info, action, progress, page.content_model))

        plan = install_forms(wiki, root, forms, save_page=save_forms_page)
        if plan.ask():
            results.append(InstallResult(plan.script, "ask", plan.ask()))
    changed = [r.title for r in results if r.action in ("created", "updated")]
    if changed:
        try:
            titles = [root, *(p.title for p in pages if p.title.startswith(root + "/"))]
            wiki.purge(titles, render=True)
        except WikiError as e:  # only a delay in what the pages show
            log.warning("could not purge the hub's pages: %s", e)
    return results


def _write(
    wiki: Wiki,
    page: HubPage,
    info: PageInfo,
    action: str,
    progress: Callable[[str], None],
    content_model: str | None = None,
) -> InstallResult:
    """Carry out one page's decision (create, update or keep)."""
    if action == "keep":
        why = (
            "the stop page is never overwritten"
            if page.create_only
            else f"changed by {info.user} since the last install; use --force to overwrite"
        )
        progress(f"kept {page.title}: {why}")
        return InstallResult(page.title, "kept", why)
    outcome = wiki.save(page.title, page.text, SUMMARY, base=info, content_model=content_model)
    if isinstance(outcome, Saved | NoChange):
        verb = "created" if action == "create" else "updated"
        progress(f"{verb} {page.title}")
        return InstallResult(page.title, verb)
    progress(f"could not save {page.title}: {outcome}")
    return InstallResult(page.title, "failed", str(outcome))
