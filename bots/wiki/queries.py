"""Every read the bot makes of the wiki: pages, histories, users, files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bots.pipeline.titles import TitleRules, asks_wiki
from bots.wiki.client import ApiCall, Client
from bots.wiki.records import FileInfo, PageInfo, Revision, UserInfo


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: Revisions read a request when their text comes along (texts of old revisions can be large).
REVISIONS_PER_REQUEST = 50


def newest_revisions(call: ApiCall, title: str) -> History:
    """A page's revisions with their text, newest first, 50 a request, however long the history.

    The next 50 are asked for only when the caller reads past the ones it has,
    so a caller that stops at the revision it needs (who set the current value)
    pays one request when that revision is among the newest 50. The one history
    reader of the bot: approval, the stop page and sync all use it.
    """
    return History(call, title)


class History(Iterator[Revision]):
    """The revisions of one page, newest first, read 50 at a time as the caller goes.

    A page whose whole history came in the requests made so far (fewer than
    50 revisions, the common case for a request page) also tells who created
    it (:attr:`creator`), which the four-eyes rule would otherwise ask for.
    """

    def __init__(self, call: ApiCall, title: str) -> None:
        self._call = call
        self._params: dict[str, Any] | None = {
            "action": "query",
            "titles": title,
            "prop": "revisions",
            "rvprop": "ids|timestamp|user|content|comment",
            "rvslots": "main",
            "rvdir": "older",
            "rvlimit": REVISIONS_PER_REQUEST,
            "formatversion": 2,
        }
        self._batch: list[Revision] = []
        #: the user who made the page's first revision, once a request read it; else None
        self.creator: str | None = None

    def __next__(self) -> Revision:
        while not self._batch:
            if self._params is None:
                raise StopIteration
            self._read()
        return self._batch.pop(0)

    def _read(self) -> None:
        params = self._params
        if params is None:
            return
        data = self._call(**params)
        for page in data.get("query", {}).get("pages", []):
            for rev in page.get("revisions", []):
                if rev.get("parentid") == 0:
                    self.creator = str(rev.get("user", ""))
                self._batch.append(
                    Revision(
                        revid=int(rev["revid"]),
                        user=rev.get("user", ""),
                        timestamp=rev.get("timestamp", ""),
                        text=rev.get("slots", {}).get("main", {}).get("content", ""),
                        comment=rev.get("comment", ""),
                    )
                )
        self._params = {**params, **data["continue"]} if "continue" in data else None


def chunks(items: Sequence[str], size: int = 50) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Queries(Client):
    """Reads: pages, histories, users, files; 50 titles a request."""

    # -- reads ----------------------------------------------------------------
    def content_language(self) -> str:
        """The wiki's content language (siteinfo's ``lang``), as pywikibot read it at login."""
        return str(self.site.siteinfo.get("lang") or "en")

    def read_pages(self, titles: Iterable[str]) -> dict[str, PageInfo]:
        """Current text of many pages, 50 a request; keyed by the title asked."""
        wanted = list(dict.fromkeys(titles))
        out: dict[str, PageInfo] = {}
        for batch in chunks(wanted):
            data = self.call(
                action="query",
                titles="|".join(batch),
                prop="revisions",
                rvprop="ids|timestamp|user|content",
                rvslots="main",
                curtimestamp=1,
            )
            query = data.get("query", {})
            start = data.get("curtimestamp", _now_iso())
            alias = aliases(query)
            by_title = {p["title"]: p for p in query.get("pages", [])}
            for asked in batch:
                page = by_title.get(alias.get(asked, asked))
                title = alias.get(asked, asked)
                if page is None or page.get("missing") or page.get("invalid"):
                    out[asked] = PageInfo(title=title, exists=False, starttimestamp=start)
                    continue
                rev = page["revisions"][0]
                out[asked] = PageInfo(
                    title=page["title"],
                    exists=True,
                    text=rev["slots"]["main"].get("content", ""),
                    revid=rev["revid"],
                    timestamp=rev["timestamp"],
                    starttimestamp=start,
                    user=rev.get("user", ""),
                )
        return out

    def revision_ids(self, titles: Iterable[str]) -> dict[str, int]:
        """The current revision id of many pages (0 for a missing page), 50 a request."""
        wanted = list(dict.fromkeys(titles))
        out: dict[str, int] = {}
        for batch in chunks(wanted):
            data = self.call(action="query", titles="|".join(batch), prop="revisions", rvprop="ids")
            query = data.get("query", {})
            alias = aliases(query)
            by_title = {p["title"]: p for p in query.get("pages", [])}
            for asked in batch:
                page = by_title.get(alias.get(asked, asked)) or {}
                revisions = page.get("revisions") or [{}]
                out[asked] = int(revisions[0].get("revid", 0))
        return out

    def revision_texts(self, revids: Iterable[int]) -> dict[int, str]:
        """The text of revisions by id, 50 a request (deleted or unknown ones are left out)."""
        wanted = [r for r in dict.fromkeys(revids) if r]
        out: dict[int, str] = {}
        for start in range(0, len(wanted), 50):
            data = self.call(
                action="query",
                revids="|".join(str(r) for r in wanted[start : start + 50]),
                prop="revisions",
                rvprop="ids|content",
                rvslots="main",
            )
            for page in data.get("query", {}).get("pages", []):
                for rev in page.get("revisions", []):
                    out[int(rev["revid"])] = rev.get("slots", {}).get("main", {}).get("content", "")
        return out

    def read_page(self, title: str) -> PageInfo:
        return self.read_pages([title])[title]

    def revisions(self, title: str) -> History:
        """Revisions of a page with their text, newest first, read as far as the caller goes.

        See :func:`newest_revisions`; a missing page has none.
        """
        return newest_revisions(self.call, title)

    def creator(self, title: str) -> str:
        """Who made the page's first revision ("" when the page is missing or the name hidden).

        One small request (no text), whatever the length of the history: the
        four-eyes rule needs only this of the page's oldest revisions.
        """
        data = self.call(
            action="query",
            titles=title,
            prop="revisions",
            rvprop="user",
            rvdir="newer",
            rvlimit=1,
        )
        for page in data.get("query", {}).get("pages", []):
            for rev in page.get("revisions", []):
                return str(rev.get("user", ""))
        return ""

    def subpages(self, prefix_title: str) -> list[str]:
        """Titles of pages whose title starts with ``prefix_title`` + "/"."""
        return list(self.subpage_revisions(prefix_title))

    def subpage_revisions(self, prefix_title: str) -> dict[str, int]:
        """Every page under ``prefix_title`` + "/" with its current revision id, as the wiki
        spells the titles.

        One request for as many pages as the account may list at once (5,000
        for a bot): a hub's request pages, mapping pages and the bot's own
        pages, however many requests it has.
        """
        import pywikibot

        page = pywikibot.Page(self.site, prefix_title + "/")
        params: dict[str, Any] = {
            "action": "query",
            "generator": "allpages",
            "gapnamespace": page.namespace().id,
            "gapprefix": page.title(with_ns=False),
            "gaplimit": "max",
            "prop": "info",
        }
        found: dict[str, int] = {}
        while True:
            data = self.call(**params)
            for listed in data.get("query", {}).get("pages", []):
                found[listed["title"]] = int(listed.get("lastrevid", 0))
            if "continue" not in data:
                return dict(sorted(found.items()))
            params.update(data["continue"])

    def users(self, names: Iterable[str]) -> dict[str, UserInfo]:
        wanted = [n for n in dict.fromkeys(names) if n]
        out: dict[str, UserInfo] = {}
        for batch in chunks(wanted):
            data = self.call(
                action="query", list="users", ususers="|".join(batch), usprop="groups|blockinfo"
            )
            for user in data.get("query", {}).get("users", []):
                name = user.get("name", "")
                if user.get("missing") or user.get("invalid"):
                    out[name] = UserInfo(name=name, exists=False)
                    continue
                out[name] = UserInfo(
                    name=name,
                    exists=True,
                    groups=tuple(user.get("groups", [])),
                    blocked="blockid" in user,
                )
        return out

    def my_rights(self) -> frozenset[str]:
        """What this connection may do (its user's rights, narrowed by a BotPassword's grants)."""
        data = self.call(action="query", meta="userinfo", uiprop="rights")
        return frozenset(data.get("query", {}).get("userinfo", {}).get("rights", []))

    def user(self, name: str) -> UserInfo | None:
        """One user's facts at this moment; None for an empty (hidden) name."""
        if not name:
            return None
        found = self.users([name])
        return found.get(name) or next(iter(found.values()), None)

    def files(self, titles: Iterable[str]) -> dict[str, FileInfo]:
        """File facts for many titles (with or without ``File:``), 50 a request."""
        wanted = list(dict.fromkeys(titles))
        out: dict[str, FileInfo] = {}
        for batch in chunks(wanted):
            full = [t if ":" in t and self._is_file_title(t) else f"File:{t}" for t in batch]
            data = self.call(
                action="query",
                titles="|".join(full),
                prop="imageinfo",
                iiprop="sha1|url|size|mime|user",
            )
            query = data.get("query", {})
            alias = aliases(query)
            by_title = {p["title"]: p for p in query.get("pages", [])}
            for asked, title in zip(batch, full, strict=True):
                page = by_title.get(alias.get(title, title), {})
                info = (page.get("imageinfo") or [None])[0]
                if not info:
                    out[asked] = FileInfo(title=alias.get(title, title), exists=False)
                    continue
                out[asked] = FileInfo(
                    title=page["title"],
                    exists=True,
                    sha1=info.get("sha1", ""),
                    url=info.get("url", ""),
                    size=info.get("size", 0),
                    mime=info.get("mime", ""),
                    user=info.get("user", ""),
                )
        return out

    def _is_file_title(self, title: str) -> bool:
        import pywikibot

        return bool(pywikibot.Page(self.site, title).namespace().id == 6)

    def title_rules(self, letters: Iterable[str], known: TitleRules | None = None) -> TitleRules:
        """How this wiki capitalises titles starting with each of ``letters``.

        The namespaces' case rule comes from siteinfo; each first character
        the wiki may change (:func:`bots.pipeline.titles.asks_wiki`) is asked as a
        one-letter title, 50 a request, and the wiki's ``normalized`` answer
        is its own ``ucfirst``. ``known`` (what an earlier call returned) is
        the cache: only new letters cost a request.
        """
        if known is None:
            data = self.call(action="query", meta="siteinfo", siprop="namespaces")
            spaces = data.get("query", {}).get("namespaces", {})
            known = TitleRules(
                files_capitalised=spaces.get("6", {}).get("case") != "case-sensitive",
                categories_capitalised=spaces.get("14", {}).get("case") != "case-sensitive",
            )
        prefix = (
            "File:"
            if known.files_capitalised
            else "Category:"
            if known.categories_capitalised
            else ""
        )
        upper = dict(known.upper)
        wanted = {c for c in letters if asks_wiki(c)}
        # the first letters of the answers too: the wiki capitalises the title it is given
        for _round in range(4):
            wanted = {c for c in wanted if c not in upper}
            if not prefix or not wanted:
                break
            for batch in chunks([prefix + c for c in sorted(wanted)]):
                query = self.call(action="query", titles="|".join(batch)).get("query", {})
                alias = aliases(query)
                for asked in batch:
                    letter = asked.removeprefix(prefix)
                    # a title the wiki finds invalid keeps its letter (and fails at upload)
                    upper[letter] = alias.get(asked, asked).partition(":")[2] or letter
            wanted = {upper[c][:1] for c in wanted if upper[c][:1] and asks_wiki(upper[c][:1])}
        return replace(known, upper=upper)

    def find_sha1(self, sha1: str) -> list[str]:
        """Titles of current files with exactly these bytes."""
        data = self.call(action="query", list="allimages", aisha1=sha1, ailimit=50)
        return [f"File:{i['name'].replace('_', ' ')}" for i in data["query"]["allimages"]]

    def file_exists_deleted(self, sha1: str) -> list[str]:
        data = self.call(action="query", list="filearchive", fasha1=sha1, falimit=10)
        return [f["title"] for f in data.get("query", {}).get("filearchive", [])]


def aliases(query: Mapping[str, Any]) -> dict[str, str]:
    """Map asked titles to the wiki's spelling (normalized, converted, followed redirects)."""
    alias: dict[str, str] = {}
    for key in ("normalized", "converted", "redirects"):
        for item in query.get(key, []):
            alias[item["from"]] = item["to"]
    return alias
