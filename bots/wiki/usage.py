"""Where files are used: the wiki's own file usage, or GlobalUsage across a wiki farm.

The queries are functions of a ``call(**params) -> dict`` callable (such as
:meth:`bots.wiki.Wiki.call`), 50 titles a request with continuation, so they
also run against recorded answers in tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bots.wiki.client import ApiCall
from bots.wiki.queries import aliases, chunks
from bots.wiki.records import FilePage, SiteFacts, Use


def site_facts(call: ApiCall) -> SiteFacts:
    """The wiki's server name and installed extensions (one request)."""
    data = call(action="query", meta="siteinfo", siprop="general|extensions", formatversion=2)
    query = data.get("query", {})
    general = query.get("general", {})
    names = frozenset(str(e.get("name", "")) for e in query.get("extensions", []))
    return SiteFacts(servername=str(general.get("servername", "")), extensions=names)


def has_extension(call: ApiCall, name: str) -> bool:
    """Whether the wiki lists the extension ``name`` in its site information."""
    return name in site_facts(call).extensions


def file_title(title: str) -> str:
    text = title.strip().replace("_", " ")
    if text.lower().startswith(("file:", "image:")):
        text = text.split(":", 1)[1].strip()
    return "File:" + text


def resolve_alias(alias: Mapping[str, str], title: str) -> str:
    seen = set()
    while title in alias and title not in seen:
        seen.add(title)
        title = alias[title]
    return title


def usage_for(
    call: ApiCall,
    titles: Iterable[str],
    *,
    global_usage: bool | None = None,
    local_wiki: str | None = None,
) -> dict[str, list[Use]]:
    """Pages using each file, keyed by the title asked; 50 titles a query, with continuation.

    Uses GlobalUsage (every wiki of the farm) when the wiki has it, otherwise
    the wiki's own file usage. ``global_usage`` and ``local_wiki`` skip the
    site information request when the caller knows them.
    """
    wanted = list(dict.fromkeys(titles))
    if global_usage is None or local_wiki is None:
        facts = site_facts(call)
        if global_usage is None:
            global_usage = "GlobalUsage" in facts.extensions
        if local_wiki is None:
            local_wiki = facts.servername
    out: dict[str, list[Use]] = {t: [] for t in wanted}
    for batch in chunks(wanted):
        full = {asked: file_title(asked) for asked in batch}
        found = _usage_batch(call, list(full.values()), global_usage, local_wiki)
        for asked, title in full.items():
            out[asked] = found.get(title, [])
    return out


def _usage_batch(
    call: ApiCall, titles: list[str], global_usage: bool, local_wiki: str
) -> dict[str, list[Use]]:
    if global_usage:
        params: dict[str, Any] = {
            "action": "query",
            "titles": "|".join(titles),
            "prop": "globalusage",
            "guprop": "url|namespace",
            "gulimit": "max",
            "formatversion": 2,
        }
        list_key = "globalusage"
    else:
        params = {
            "action": "query",
            "titles": "|".join(titles),
            "prop": "fileusage",
            "fuprop": "title",
            "fulimit": "max",
            "formatversion": 2,
        }
        list_key = "fileusage"
    by_title: dict[str, dict[str, Use]] = {}
    alias: dict[str, str] = {}
    while True:
        data = call(**params)
        query = data.get("query", {})
        alias.update(aliases(query))
        for page in query.get("pages", []):
            uses = by_title.setdefault(page["title"], {})
            for item in page.get(list_key, []):
                use = _use(item, global_usage, local_wiki)
                uses.setdefault(use.key, use)
        if "continue" not in data:
            break
        params = {**params, **data["continue"]}
    return {t: list(by_title.get(resolve_alias(alias, t), {}).values()) for t in titles}


def _use(item: Mapping[str, Any], global_usage: bool, local_wiki: str) -> Use:
    title = str(item.get("title", "")).replace("_", " ")
    if global_usage:
        wiki = str(item.get("wiki", ""))
        return Use(wiki=wiki, title=title, url=str(item.get("url", "")), local=wiki == local_wiki)
    return Use(wiki=local_wiki, title=title, local=True)


def category_files(call: ApiCall, category: str) -> list[str]:
    """Titles (with ``File:``) of the files in ``category``, following continuation."""
    params: dict[str, Any] = {
        "action": "query",
        "list": "categorymembers",
        "cmtitle": category,
        "cmtype": "file",
        "cmprop": "title",
        "cmlimit": "max",
        "formatversion": 2,
    }
    titles: list[str] = []
    while True:
        data = call(**params)
        titles.extend(m["title"] for m in data.get("query", {}).get("categorymembers", []))
        if "continue" not in data:
            return titles
        params = {**params, **data["continue"]}


def file_urls(call: ApiCall, titles: Iterable[str]) -> dict[str, str]:
    """The upload URL of each file (keyed by the title asked); missing files are left out."""
    out: dict[str, str] = {}
    for batch in chunks(list(dict.fromkeys(titles))):
        full = {asked: file_title(asked) for asked in batch}
        data = call(
            action="query",
            titles="|".join(full.values()),
            prop="imageinfo",
            iiprop="url",
            formatversion=2,
        )
        query = data.get("query", {})
        alias = aliases(query)
        pages = {p["title"]: p for p in query.get("pages", [])}
        for asked, title in full.items():
            info = (pages.get(resolve_alias(alias, title), {}).get("imageinfo") or [{}])[0]
            if info.get("url"):
                out[asked] = str(info["url"])
    return out


def file_pages(call: ApiCall, titles: Sequence[str]) -> dict[str, FilePage]:
    """URL, SHA-1, visible categories and current text of up to 50 files, keyed by title asked."""
    if len(titles) > 50:
        raise ValueError("ask at most 50 titles a query")
    params: dict[str, Any] = {
        "action": "query",
        "titles": "|".join(titles),
        "prop": "imageinfo|categories|revisions",
        "iiprop": "url|sha1",
        "clshow": "!hidden",
        "cllimit": "max",
        "rvprop": "ids|user|content",
        "rvslots": "main",
        "formatversion": 2,
    }
    found: dict[str, dict[str, Any]] = {}
    alias: dict[str, str] = {}
    while True:
        data = call(**params)
        query = data.get("query", {})
        for key in ("normalized", "redirects"):
            alias.update({i["from"]: i["to"] for i in query.get(key, [])})
        for page in query.get("pages", []):
            entry = found.setdefault(
                page["title"], {"missing": bool(page.get("missing")), "categories": []}
            )
            if page.get("imageinfo"):
                entry["imageinfo"] = page["imageinfo"][0]
            if page.get("revisions"):
                entry["revision"] = page["revisions"][0]
            for cat in page.get("categories", []):
                entry["categories"].append(str(cat["title"]).split(":", 1)[-1])
        if "continue" not in data:
            break
        params = {**params, **data["continue"]}
    out: dict[str, FilePage] = {}
    for asked in titles:
        title = alias.get(asked, asked)
        known = found.get(title)
        if known is None or known["missing"]:
            out[asked] = FilePage(title=title, exists=False)
            continue
        info = known.get("imageinfo", {})
        rev = known.get("revision", {})
        out[asked] = FilePage(
            title=title,
            exists=True,
            url=str(info.get("url", "")),
            sha1=str(info.get("sha1", "")),
            categories=tuple(dict.fromkeys(known["categories"])),
            text=str(rev.get("slots", {}).get("main", {}).get("content", "")),
            user=str(rev.get("user", "")),
            first_revision=rev.get("parentid", -1) == 0,
        )
    return out
