"""The one module that talks to MediaWiki, through pywikibot.

Everything else receives a :class:`Wiki` object, so the same code runs against
the dev wiki, a test wiki or Commons. Writes return small frozen outcomes
(``Saved``, ``NoChange``, ``EditConflict``, ``ReadOnly``...) instead of raising;
errors nobody planned for are raised as :class:`WikiError` with the API code.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bots import __version__
from bots.model import StashState
from bots.net.pacing import (
    Pacer,
    StopRequested,
    backoff_delay,
    parse_retry_after,
    rate_limit_delay,
)
from bots.pipeline.titles import TitleRules, asks_wiki

log = logging.getLogger(__name__)

_pywikibot_ready = False


def _prepare_pywikibot() -> None:
    """Configure pywikibot in code: no user-config.py, a private base dir."""
    global _pywikibot_ready
    if _pywikibot_ready:
        return
    os.environ.setdefault("PYWIKIBOT_NO_USER_CONFIG", "2")
    if "PYWIKIBOT_DIR" not in os.environ:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        os.environ["PYWIKIBOT_DIR"] = str(cache / "hubbot" / "pywikibot")
    Path(os.environ["PYWIKIBOT_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    # pywikibot uses PYWIKIBOT_DIR only when it holds a user-config.py; an
    # empty one keeps its cookies and caches there instead of the cwd.
    user_config = Path(os.environ["PYWIKIBOT_DIR"]) / "user-config.py"
    if not user_config.exists():
        user_config.write_text("# hubbot configures pywikibot in code.\n", encoding="utf-8")
    import pywikibot  # noqa: F401  (import after the environment is set)

    _pywikibot_ready = True


class WikiError(Exception):
    """An API error the caller did not plan for; ``data`` holds the error's other fields."""

    def __init__(self, code: str, info: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {info}")
        self.code = code
        self.info = info
        self.data: dict[str, Any] = dict(data or {})


class LoginError(WikiError):
    pass


class WikiUnavailable(WikiError):
    """The wiki did not answer (network, 5xx, timeouts after retries)."""


class AmbiguousWrite(WikiUnavailable):
    """A write got no clear answer (timeout, 5xx, dropped connection): it may have happened.

    Never simply send it again: ask the wiki first (title and SHA-1 for an
    upload, the page's text for an edit). ``retry_after`` is what the wiki
    (or the proxy in front of it) asked for, in seconds, if anything.
    """

    def __init__(self, code: str, info: str, retry_after: float | None = None) -> None:
        super().__init__(code, info)
        self.retry_after = retry_after


class AccountRefused(WikiUnavailable):
    """The wiki refuses this account's writes (blocked, no upload right, a session it
    keeps refusing): every request would fail the same way, so the run ends."""


class WikiBusy(WikiUnavailable):
    """The wiki kept saying "not now" (maxlag, rate limits, refused connections)
    for longer than the pacing policy allows; nothing was done. Try in a later run."""


# --- outcomes of writes ----------------------------------------------------


@dataclass(frozen=True)
class Saved:
    title: str
    revid: int


@dataclass(frozen=True)
class NoChange:
    title: str


@dataclass(frozen=True)
class EditConflict:
    title: str


@dataclass(frozen=True)
class PageExists:
    """``createonly`` and somebody created the page first."""

    title: str


@dataclass(frozen=True)
class PageMissing:
    """``nocreate`` and the page is gone (deleted)."""

    title: str


@dataclass(frozen=True)
class ReadOnly:
    reason: str


@dataclass(frozen=True)
class Blocked:
    reason: str


@dataclass(frozen=True)
class Protected:
    title: str
    reason: str


@dataclass(frozen=True)
class Refused:
    """Any other refusal the wiki explained (spam blacklist, abuse filter...)."""

    code: str
    info: str


SaveOutcome = (
    Saved
    | NoChange
    | EditConflict
    | PageExists
    | PageMissing
    | ReadOnly
    | Blocked
    | Protected
    | Refused
)


# --- reads -----------------------------------------------------------------


@dataclass(frozen=True)
class PageInfo:
    title: str
    exists: bool
    text: str = ""
    revid: int = 0
    timestamp: str = ""  # of the current revision: the edit's basetimestamp
    starttimestamp: str = ""  # when we read it: the edit's starttimestamp
    user: str = ""  # author of the current revision


@dataclass(frozen=True)
class Revision:
    revid: int
    user: str
    timestamp: str
    text: str
    comment: str = ""


@dataclass(frozen=True)
class UserInfo:
    name: str
    exists: bool
    groups: tuple[str, ...] = ()
    blocked: bool = False


@dataclass(frozen=True)
class FileInfo:
    title: str
    exists: bool
    sha1: str = ""
    url: str = ""
    size: int = 0
    mime: str = ""
    user: str = ""  # who uploaded the current version


# --- uploads ---------------------------------------------------------------


@dataclass(frozen=True)
class Uploaded:
    title: str


@dataclass(frozen=True)
class Duplicate:
    """The same bytes are already on the wiki under ``existing``."""

    existing: str


@dataclass(frozen=True)
class TitleTaken:
    """Another file (or a page without a file) already has this title.

    ``filekey`` names the bytes in the wiki's upload stash when the wiki kept
    them, so another title costs one small request instead of a new upload.
    """

    title: str
    warning: str
    filekey: str = ""


@dataclass(frozen=True)
class UploadRefused:
    """The wiki will not take this file; ``reason`` is for the status page.

    ``whole_run`` means the refusal is about the account or the wiki (no
    upload right, uploads disabled), not this file: every other file would
    be refused too, so the run stops instead of failing them all.
    """

    code: str
    reason: str
    whole_run: bool = False


UploadOutcome = Uploaded | Duplicate | TitleTaken | UploadRefused | ReadOnly | Blocked


@dataclass(frozen=True)
class Chunking:
    """When and how to upload in chunks (the ``upload`` configuration keys)."""

    threshold: int = 50 * 1024 * 1024
    size: int = 10 * 1024 * 1024
    #: seconds the wiki keeps stashed files ($wgUploadStashMaxAge): older ones are not resumed
    stash_max_age: float = 6 * 3600


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_agent(contact: str) -> str:
    """A User-Agent that names the tool, its version and a contact (Wikimedia policy).

    Set through the ``toolforge`` library, which also makes it the default of
    every ``requests`` session (the fetcher, the analytics client).
    """
    import toolforge

    contact = contact.strip()
    email = contact if "@" in contact and "://" not in contact else ""
    url = "" if email else contact
    return toolforge.set_user_agent(
        f"hubbot/{__version__}", url=url or "no contact configured", email=email or "no email"
    )


#: A function that sends one API request, such as :meth:`Wiki.call`.
ApiCall = Callable[..., dict[str, Any]]

#: Revisions read a request when their text comes along (texts of old revisions can be large).
REVISIONS_PER_REQUEST = 50


def newest_revisions(call: ApiCall, title: str) -> Iterator[Revision]:
    """A page's revisions with their text, newest first, 50 a request, however long the history.

    The next 50 are asked for only when the caller reads past the ones it has,
    so a caller that stops at the revision it needs (who set the current value)
    pays one request when that revision is among the newest 50. The one history
    reader of the bot: approval, the stop page and sync all use it.
    """
    params: dict[str, Any] = {
        "action": "query",
        "titles": title,
        "prop": "revisions",
        "rvprop": "ids|timestamp|user|content|comment",
        "rvslots": "main",
        "rvdir": "older",
        "rvlimit": REVISIONS_PER_REQUEST,
        "formatversion": 2,
    }
    while True:
        data = call(**params)
        for page in data.get("query", {}).get("pages", []):
            for rev in page.get("revisions", []):
                yield Revision(
                    revid=int(rev["revid"]),
                    user=rev.get("user", ""),
                    timestamp=rev.get("timestamp", ""),
                    text=rev.get("slots", {}).get("main", {}).get("content", ""),
                    comment=rev.get("comment", ""),
                )
        if "continue" not in data:
            return
        params = {**params, **data["continue"]}


def chunks(items: Sequence[str], size: int = 50) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Wiki:
    """A logged-in connection to one wiki."""

    api: str
    username: str
    site: Any = field(repr=False)
    maxlag: int = 5
    #: every wait (maxlag, Retry-After, rate limits, read-only) goes through it
    pacer: Pacer = field(default_factory=Pacer, repr=False)
    #: where writes are sent; the API itself unless a test puts a fault proxy there
    write_api: str = ""
    #: asked before every write with the page or file it touches; raises to forbid it
    #: (the write gate of bots/gate.py: the stop page)
    guard: Callable[[str], None] | None = field(default=None, repr=False, compare=False)

    # -- connecting -----------------------------------------------------------
    @classmethod
    def connect(
        cls,
        api: str,
        username: str,
        password: str,
        *,
        contact: str = "",
        maxlag: int = 5,
        timeout: int = 120,
        max_retries: int = 3,
    ) -> Wiki:
        """Log in to the wiki at ``api`` (its api.php URL)."""
        _prepare_pywikibot()
        import pywikibot
        from pywikibot import config as pwb_config
        from pywikibot import login as pwb_login
        from pywikibot.exceptions import APIError, NoUsernameError

        family = "hub" + format(abs(hash(api)) % 10**8, "d")
        pwb_config.family_files[family] = api
        pwb_config.usernames[family][family] = username.split("@")[0]
        pwb_config.put_throttle = 0
        # the bot paces its own writes (bots/pacing.py); pywikibot's read throttle
        # would add ~0.1 s to requests that maxlag already keeps polite
        pwb_config.minthrottle = 0
        pwb_config.maxlag = maxlag
        # fail fast while logging in; be patient with a busy wiki afterwards
        pwb_config.max_retries = 1
        pwb_config.retry_wait = 1
        pwb_config.retry_max = 120
        pwb_config.socket_timeout = (10, timeout)
        pwb_config.user_agent_format = user_agent(contact) + " {pwb}"
        pwb_config.simulate = False
        _quiet_pywikibot()
        try:
            site = pywikibot.Site(family, family)
            # A session saved by an earlier run would make the wiki refuse a new
            # login (a BotPassword session cannot log in again): start clean.
            from pywikibot.comms import http as pwb_http

            pwb_http.cookie_jar.clear()
            # ClientLoginManager uses action=login by itself for "Name@botpassword".
            manager = pwb_login.ClientLoginManager(password=password, site=site, user=username)
            ok = manager.login(retry=False)
        except (NoUsernameError, APIError) as e:
            raise LoginError(
                "login",
                f"Logging in to {api} as {username} failed: {_login_reason(e)}. "
                "Check wiki.username and the password (HUBBOT_WIKI_PASSWORD).",
            ) from None
        except Exception as e:  # network: refused, DNS, timeouts
            raise WikiUnavailable(
                "unreachable", f"The wiki at {api} did not answer: {_short(e)}"
            ) from None
        if not ok:
            raise LoginError(
                "login",
                f"Logging in to {api} as {username} failed: wrong username or password. "
                "Check wiki.username and the password (HUBBOT_WIKI_PASSWORD).",
            )
        site.login()
        pwb_config.max_retries = max_retries
        pwb_config.retry_wait = 5
        return cls(api=api, username=site.user(), site=site, maxlag=maxlag)

    # -- low level ------------------------------------------------------------
    def call(self, max_retries: int | None = None, **params: Any) -> dict[str, Any]:
        """One API request; errors become :class:`WikiError`."""
        from pywikibot.data import api as pwb_api
        from pywikibot.exceptions import APIError

        params.setdefault("formatversion", 2)
        kwargs: dict[str, Any] = {"site": self.site, "parameters": params}
        if max_retries is not None:
            kwargs["max_retries"] = max_retries
        try:
            return pwb_api.Request(**kwargs).submit()
        except APIError as e:
            raise WikiError(e.code, e.info) from None
        except Exception as e:
            raise WikiUnavailable("unreachable", f"{self.api}: {_short(e)}") from None

    def token(self, kind: str = "csrf") -> str:
        return str(self.site.tokens[kind])

    def normalize(self, title: str) -> str:
        """The canonical title, as the wiki would spell it (no request)."""
        import pywikibot

        return str(pywikibot.Page(self.site, title).title())

    def page_url(self, title: str) -> str:
        from urllib.parse import quote

        base = self.api.rsplit("/", 1)[0]
        return f"{base}/index.php?title={quote(self.normalize(title).replace(' ', '_'), safe=':/')}"

    # -- reads ----------------------------------------------------------------
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
            alias = _aliases(query)
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
            alias = _aliases(query)
            by_title = {p["title"]: p for p in query.get("pages", [])}
            for asked in batch:
                page = by_title.get(alias.get(asked, asked)) or {}
                revisions = page.get("revisions") or [{}]
                out[asked] = int(revisions[0].get("revid", 0))
        return out

    def read_page(self, title: str) -> PageInfo:
        return self.read_pages([title])[title]

    def revisions(self, title: str) -> Iterator[Revision]:
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
        import pywikibot

        page = pywikibot.Page(self.site, prefix_title + "/")
        ns = page.namespace().id
        prefix = page.title(with_ns=False)
        titles: list[str] = []
        params: dict[str, Any] = {
            "action": "query",
            "list": "allpages",
            "apnamespace": ns,
            "apprefix": prefix,
            "aplimit": "max",
        }
        while True:
            data = self.call(**params)
            titles.extend(p["title"] for p in data.get("query", {}).get("allpages", []))
            if "continue" not in data:
                return titles
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
            alias = _aliases(query)
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

        return pywikibot.Page(self.site, title).namespace().id == 6

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
                alias = _aliases(query)
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

    def write(self, **params: Any) -> dict[str, Any]:
        """A write request: token, assertuser, maxlag, and the pacing of :meth:`post`."""
        return self.post(params)

    def post(
        self,
        params: dict[str, Any],
        files: dict[str, tuple[str, Any, str]] | None = None,
        *,
        limit_action: str = "edit",
    ) -> dict[str, Any]:
        """Send one write and wait out every "not now" the wiki gives.

        - ``maxlag`` and refused connections: wait (``Retry-After`` if the wiki
          gave one, else a doubling back-off) and send again, at most
          ``pacer.policy.retries`` times, then :class:`WikiBusy`;
        - ``ratelimited``: wait and send again, not counted as a failure (up to
          ``rate_limit_wait`` seconds in all for this write);
        - ``badtoken``: fetch a new token once; ``assertuserfailed``: log in once;
        - timeouts, 5xx and dropped connections raise :class:`AmbiguousWrite`
          (the caller asks the wiki what happened; this method never re-sends them);
        - any other API error is raised as :class:`WikiError` with its data.

        Nothing that reached the server is ever sent twice here: the answers
        above all mean the wiki did nothing.
        """
        if self.guard is not None:
            self.guard(str(params.get("title") or params.get("filename") or params["action"]))
        policy = self.pacer.policy
        params = {k: v for k, v in params.items() if v is not None}
        params.setdefault("format", "json")
        params.setdefault("formatversion", 2)
        params.setdefault("maxlag", self.maxlag)
        params.setdefault("assertuser", self.username)
        transient = limited = 0
        limited_for = 0.0
        token_renewed = logged_in_again = False
        while True:
            params["token"] = self.token()
            try:
                data, retry_after = self._send(params, files)
            except _NotSent as e:
                transient += 1
                if transient > policy.retries:
                    raise WikiBusy(
                        "unreachable",
                        f"the wiki at {self.write_api or self.api} could not be reached "
                        f"{transient} times in a row ({e})",
                    ) from None
                delay = backoff_delay(transient, None, base=policy.backoff, cap=policy.max_wait)
                self.pacer.wait(delay, "backoff", f"the wiki could not be reached ({e})")
                continue
            error = data.get("error")
            if not isinstance(error, dict):
                return data
            code = str(error.get("code", "unknown"))
            info = str(error.get("info", ""))
            if code == "maxlag":
                transient += 1
                if transient > policy.retries:
                    raise WikiBusy(code, f"the wiki's databases lag behind: {info}")
                lag = retry_after if retry_after is not None else _float(error.get("lag"))
                delay = backoff_delay(transient, lag, base=policy.backoff, cap=policy.max_wait)
                self.pacer.wait(delay, "maxlag", f"the wiki is lagging ({info})")
                continue
            if code == "ratelimited":
                limited += 1
                hits, seconds = self._rate_limit(limit_action)
                delay = (
                    min(policy.max_wait, retry_after)
                    if retry_after is not None
                    else rate_limit_delay(limited, hits, seconds, cap=policy.max_wait)
                )
                if limited_for + delay > policy.rate_limit_wait:
                    raise WikiBusy(
                        code, f"still rate limited after waiting {limited_for:.0f} s: {info}"
                    )
                limited_for += delay
                self.pacer.wait(delay, "ratelimited", f"rate limited by the wiki ({info})")
                continue
            if code.startswith("internal_api_error_DB"):
                transient += 1  # a database hiccup; the request was rolled back
                if transient > policy.retries:
                    raise WikiBusy(code, info)
                delay = backoff_delay(
                    transient, retry_after, base=policy.backoff, cap=policy.max_wait
                )
                self.pacer.wait(delay, "backoff", f"database error on the wiki ({code})")
                continue
            if code == "badtoken" and not token_renewed:
                token_renewed = True
                log.info("the wiki refused our edit token; fetching a new one")
                self.site.tokens.clear()
                continue
            if code in ("assertuserfailed", "assertnameduserfailed", "notloggedin") and (
                not logged_in_again
            ):
                logged_in_again = True
                log.info("the wiki no longer knows our session; logging in again")
                self.site._relogin()
                continue
            raise WikiError(code, info, data=error)

    def _send(
        self, params: dict[str, Any], files: dict[str, tuple[str, Any, str]] | None
    ) -> tuple[dict[str, Any], float | None]:
        """One HTTP POST through pywikibot's session (cookies, User-Agent); no retries."""
        from pywikibot.comms import http

        form = {k: _form_value(v) for k, v in params.items()}
        for _name, content, _mime in (files or {}).values():
            if hasattr(content, "seek"):
                content.seek(0)
        result = http.fetch(
            self.write_api or self.api,
            method="POST",
            data=form,
            files=files,
            headers={"user-agent": http.user_agent(self.site)},
            default_error_handling=False,
        )
        if isinstance(result, Exception):
            if _never_sent(result):
                raise _NotSent(_short(result))
            raise AmbiguousWrite(
                "noanswer",
                f"the wiki did not answer ({params.get('action')} request): {_short(result)}",
            )
        retry_after = parse_retry_after(result.headers.get("Retry-After"))
        if result.status_code >= 500:
            raise AmbiguousWrite(
                f"http{result.status_code}",
                f"the wiki answered {result.status_code} {result.reason}",
                retry_after,
            )
        try:
            data = result.json()
        except ValueError:
            raise AmbiguousWrite(
                "notjson",
                f"the wiki answered {result.status_code} without an API result",
                retry_after,
            ) from None
        if not isinstance(data, dict):
            raise AmbiguousWrite("notjson", "the wiki's answer is not an API result", retry_after)
        return data, retry_after

    def _rate_limit(self, action: str) -> tuple[int, float]:
        """The account's limit for ``action`` (hits, seconds), as the wiki told us at login."""
        try:
            limit = self.site.ratelimit(action)
            return int(limit.hits), float(limit.seconds)
        except Exception:  # an old wiki without ratelimits in userinfo
            return 0, 0.0

    @property
    def paced(self) -> bool:
        """Whether the wiki rate-limits this account (no ``noratelimit`` right, no bot flag)."""
        try:
            return not self.site.has_right("noratelimit")
        except Exception:
            return True

    def refresh_account(self) -> None:
        """Read the account's rights and rate limits again (one request)."""
        del self.site.userinfo
        self.site.userinfo  # noqa: B018  (the property loads them)

    def read_only(self) -> str:
        """The wiki's read-only reason, or "" when it takes writes."""
        general = self.call(action="query", meta="siteinfo", siprop="general")["query"]["general"]
        if not general.get("readonly"):
            return ""
        return str(general.get("readonlyreason") or "no reason given")

    def wait_while_read_only(self, reason: str) -> bool:
        """Pause while the wiki is read-only; True once it takes writes again.

        Gives up (False) after ``read_only_wait`` seconds; the run then ends
        and the next one carries on. A stop request ends the wait at once.
        """
        policy = self.pacer.policy
        waited = 0.0
        while waited < policy.read_only_wait:
            step = min(policy.read_only_poll, policy.read_only_wait - waited)
            self.pacer.wait(step, "read-only", f"the wiki is read-only ({reason})")
            waited += step
            reason = self.read_only() or ""
            if not reason:
                return True
        return False

    # -- writes ---------------------------------------------------------------
    def save(
        self,
        title: str,
        text: str,
        summary: str,
        *,
        base: PageInfo | None = None,
        create_only: bool = False,
        no_create: bool = False,
        minor: bool = False,
        bot: bool = True,
    ) -> SaveOutcome:
        """Save a page, detecting edit conflicts against ``base`` (what we read).

        After an unanswered save the page is read again: if it already holds
        our text, the save happened and is not sent a second time.
        """
        params: dict[str, Any] = {
            "action": "edit",
            "title": title,
            "text": text,
            "summary": summary,
            "maxlag": self.maxlag,
        }
        if bot:
            params["bot"] = 1
        if minor:
            params["minor"] = 1
        if base is not None:
            params["starttimestamp"] = base.starttimestamp
            if base.exists:
                params["basetimestamp"] = base.timestamp
                params["baserevid"] = base.revid
            else:
                create_only = True
        if create_only:
            params["createonly"] = 1
        if no_create:
            params["nocreate"] = 1
        attempt = 0
        while True:
            attempt += 1
            try:
                data = self.write(**params)
                break
            except AmbiguousWrite as e:
                now = self.read_page(title)
                if now.exists and now.text.rstrip() == text.rstrip():
                    if base is not None and base.exists and now.revid == base.revid:
                        return NoChange(title=now.title)
                    return Saved(title=now.title, revid=now.revid)
                if attempt > self.pacer.policy.retries:
                    raise
                policy = self.pacer.policy
                delay = backoff_delay(
                    attempt, e.retry_after, base=policy.backoff, cap=policy.max_wait
                )
                self.pacer.wait(delay, "retry-after", f"saving {title} got no answer ({e.info})")
            except WikiError as e:
                return _edit_error(title, e)
        edit = data.get("edit", {})
        if edit.get("result") != "Success":
            return Refused(code=str(edit.get("code", "failure")), info=_edit_failure_info(edit))
        if edit.get("nochange") is not None:
            return NoChange(title=edit.get("title", title))
        return Saved(title=edit.get("title", title), revid=int(edit.get("newrevid", 0)))

    # -- uploads --------------------------------------------------------------
    def upload(
        self,
        title: str,
        path: Path,
        page_text: str,
        summary: str,
        *,
        mime: str = "application/octet-stream",
        new_version: bool = False,
        chunking: Chunking | None = None,
        sha1: str = "",
        resume: StashState | None = None,
        on_stash: Callable[[StashState | None], None] | None = None,
        should_stop: Callable[[], str] | None = None,
    ) -> UploadOutcome:
        """Upload one file without ignoring warnings; each warning is decided here.

        A file up to ``chunking.threshold`` bytes is one request when the wiki
        has nothing to say. A larger one goes in chunks through the upload
        stash, read from disk one chunk at a time; ``on_stash`` hears every
        confirmed offset (for the journal) and ``resume`` continues such an
        upload after a crash, once the stash is checked to hold this file's
        bytes. ``should_stop`` is asked between chunks.

        Raises :class:`AmbiguousWrite` when the request that publishes the
        file got no answer (the caller asks the wiki by title and SHA-1),
        :class:`WikiBusy` and :class:`~bots.net.pacing.StopRequested`.
        """
        chunking = chunking or Chunking()
        filename = title.removeprefix("File:")
        size = path.stat().st_size
        limit = _int(self.site.siteinfo.get("maxuploadsize"))
        if limit and size > limit:
            return UploadRefused(
                code="file-too-large",
                reason=f"The file is {_mib(size)}; the wiki accepts at most {_mib(limit)}.",
            )
        if resume is not None and sha1 and resume.sha1 == sha1 and resume.size == size:
            usable = self._usable_stash(resume, path, chunking)
            if usable is not None and usable.complete:
                return self.commit(
                    title, usable.filekey, page_text, summary, new_version=new_version
                )
            if usable is not None:
                return self._upload_chunks(
                    filename,
                    path,
                    page_text,
                    summary,
                    size,
                    sha1,
                    chunking,
                    usable,
                    on_stash,
                    should_stop,
                    new_version,
                )
        if resume is not None and on_stash is not None:
            on_stash(None)
        if size > chunking.threshold:
            return self._upload_chunks(
                filename,
                path,
                page_text,
                summary,
                size,
                sha1,
                chunking,
                None,
                on_stash,
                should_stop,
                new_version,
            )
        params: dict[str, Any] = {
            "action": "upload",
            "filename": filename,
            "text": page_text,
            "comment": summary,
        }
        with path.open("rb") as content:
            try:
                data = self.post(params, {"file": (filename, content, mime)}, limit_action="upload")
            except WikiError as e:
                if isinstance(e, WikiUnavailable):
                    raise
                return _upload_error(filename, e.code, e.info, e.data)
        return self._upload_result(
            filename, page_text, summary, data.get("upload", {}), new_version
        )

    def commit(
        self,
        title: str,
        filekey: str,
        page_text: str,
        summary: str,
        *,
        ignore_warnings: bool = False,
        new_version: bool = False,
    ) -> UploadOutcome:
        """Publish a file from the upload stash under ``title`` (one request).

        Raises :class:`AmbiguousWrite` when it got no answer.
        """
        filename = title.removeprefix("File:")
        params: dict[str, Any] = {
            "action": "upload",
            "filename": filename,
            "filekey": filekey,
            "text": page_text,
            "comment": summary,
            "ignorewarnings": 1 if ignore_warnings else None,
        }
        try:
            data = self.post(params, limit_action="upload")
        except WikiError as e:
            if isinstance(e, WikiUnavailable):
                raise
            if e.code in _STASH_GONE:
                return UploadRefused(
                    code="stash-lost",
                    reason="The wiki lost the uploaded bytes from its upload stash before "
                    "they were published; the file is sent again next time.",
                )
            return _upload_error(filename, e.code, e.info, e.data)
        upload = data.get("upload", {})
        if ignore_warnings:
            upload = {k: v for k, v in upload.items() if k != "warnings"}
        return self._upload_result(filename, page_text, summary, upload, new_version)

    def _usable_stash(self, stash: StashState, path: Path, chunking: Chunking) -> StashState | None:
        """The stash to resume from, after asking the wiki what it holds; None to start over.

        Too old (the wiki deletes stashed files after ``stash_max_age``),
        unknown to the wiki, or holding other bytes than this file's: None.
        """
        age = (datetime.now(UTC) - stash.started).total_seconds()
        if age > chunking.stash_max_age:
            log.info("the stashed upload %s is %d s old; starting again", stash.filekey, age)
            return None
        try:
            data = self.call(
                action="query",
                prop="stashimageinfo",
                siifilekey=stash.filekey,
                siiprop="size|sha1",
            )
        except WikiError as e:
            log.info("the wiki no longer has the stashed upload %s (%s)", stash.filekey, e.code)
            return None
        infos = data.get("query", {}).get("stashimageinfo") or []
        if not infos:
            return None
        held, held_sha1 = int(infos[0].get("size", -1)), str(infos[0].get("sha1", ""))
        if stash.complete:
            return stash if held == stash.size and held_sha1 == stash.sha1 else None
        # a stash in progress shows its first chunk: it must be this file's beginning
        if held <= 0 or held > stash.size or held_sha1 != _sha1_of_start(path, held):
            log.info("the stashed upload %s holds other bytes; starting again", stash.filekey)
            return None
        return stash

    def _upload_chunks(
        self,
        filename: str,
        path: Path,
        page_text: str,
        summary: str,
        size: int,
        sha1: str,
        chunking: Chunking,
        resume: StashState | None,
        on_stash: Callable[[StashState | None], None] | None,
        should_stop: Callable[[], str] | None,
        new_version: bool,
    ) -> UploadOutcome:
        """Send the file in chunks through the stash, then publish it.

        A chunk that got no answer is sent again at the same offset: if the
        wiki had kept it, it says so ("invalid chunk offset", with its own
        offset) and the upload carries on from there. A stash the wiki lost
        is started again once.
        """
        policy = self.pacer.policy
        minimum = _int(self.site.siteinfo.get("minuploadchunksize")) or 1024
        chunk_size = max(chunking.size, minimum)
        stash = resume
        restarts = unanswered = 0
        first_checked = False
        note = on_stash or (lambda _state: None)
        with path.open("rb") as f:
            while True:
                offset = stash.offset if stash else 0
                if stash is not None and stash.complete:
                    break
                if should_stop is not None and offset > 0:
                    reason = should_stop()
                    if reason:
                        raise StopRequested(reason)
                f.seek(offset)
                chunk = f.read(chunk_size)
                params: dict[str, Any] = {
                    "action": "upload",
                    "stash": 1,
                    "filename": filename,
                    "filesize": size,
                    "offset": offset,
                    "filekey": stash.filekey if stash else None,
                    # The wiki checks warnings on every chunk as if it were the whole
                    # file. The first chunk is asked about the title (a taken or bad
                    # title shows before the bytes are sent); the whole file's
                    # warnings come with the last chunk and are decided before
                    # anything is published, so later chunks skip the partial check.
                    "ignorewarnings": 1 if (stash or first_checked) else None,
                }
                try:
                    data = self.post(
                        params,
                        {"chunk": ("chunk", chunk, "application/octet-stream")},
                        limit_action="upload",
                    )
                except AmbiguousWrite as e:
                    # harmless to send again: the offset tells the wiki what it has
                    unanswered += 1
                    if unanswered > policy.retries:
                        raise WikiBusy(
                            e.code, f"chunks of {filename} get no answer: {e.info}"
                        ) from None
                    delay = backoff_delay(
                        unanswered, e.retry_after, base=policy.backoff, cap=policy.max_wait
                    )
                    self.pacer.wait(delay, "retry-after", f"a chunk of {filename} got no answer")
                    continue
                except WikiError as e:
                    if isinstance(e, WikiUnavailable):
                        raise
                    their = _int(e.data.get("offset"), -1)
                    if e.code == "stashfailed" and stash and their >= 0 and their != offset:
                        log.info(
                            "the wiki holds %d bytes of %s, not %d; going on from there",
                            their,
                            filename,
                            offset,
                        )
                        unanswered = 0
                        stash = StashState(stash.filekey, their, size, sha1, stash.started)
                        note(stash)
                        continue
                    if e.code in _STASH_GONE or e.code == "stashfailed":
                        restarts += 1
                        if restarts > 1:
                            note(None)
                            return UploadRefused(
                                code=e.code,
                                reason="The wiki's upload stash failed twice for this file "
                                f"({e.code}: {e.info}).",
                            )
                        log.info("the stash of %s failed (%s); starting again", filename, e.code)
                        stash = None
                        note(None)
                        continue
                    note(None)
                    return _upload_error(filename, e.code, e.info, e.data)
                unanswered = 0
                upload = data.get("upload", {})
                result = upload.get("result")
                key = str(upload.get("filekey", ""))
                started = stash.started if stash else datetime.now(UTC)
                if result == "Continue":
                    stash = StashState(
                        key, int(upload.get("offset", offset + len(chunk))), size, sha1, started
                    )
                    note(stash)
                    continue
                if result == "Warning" and stash is None and not first_checked:
                    first_checked = True
                    outcome = _first_chunk_warnings(filename, dict(upload.get("warnings") or {}))
                    if outcome is not None:
                        return outcome
                    continue  # nothing about the title: send it again, warnings decided at the end
                if result == "Success":
                    stash = StashState(key, size, size, sha1, started, complete=True)
                    note(stash)
                    warnings = dict(upload.get("warnings") or {})
                    if new_version:
                        warnings.pop("exists", None)
                    outcome = decide_upload_warnings(filename, warnings, filekey=key)
                    if outcome is not None:
                        note(None)
                        return outcome
                    return self.commit(
                        filename,
                        key,
                        page_text,
                        summary,
                        ignore_warnings=bool(warnings),
                        new_version=new_version,
                    )
                note(None)
                return UploadRefused(
                    code=str(result), reason=f"The wiki answered {result!r} to a chunk."
                )
        return self.commit(filename, stash.filekey, page_text, summary, new_version=new_version)

    def _upload_result(
        self,
        filename: str,
        page_text: str,
        summary: str,
        upload: dict[str, Any],
        new_version: bool = False,
    ) -> UploadOutcome:
        result = upload.get("result")
        if result == "Success":
            return Uploaded(title="File:" + upload.get("filename", filename).replace("_", " "))
        if result != "Warning":
            return UploadRefused(code=str(result), reason=f"The wiki answered {result!r}.")
        warnings: dict[str, Any] = dict(upload.get("warnings", {}))
        if new_version:
            # a new version of our own file (an impact chart) is the point
            warnings.pop("exists", None)
        filekey = str(upload.get("filekey", ""))
        outcome = decide_upload_warnings(filename, warnings, filekey=filekey)
        if outcome is not None:
            return outcome
        # Only informational warnings: publish the bytes the wiki stashed.
        return self.commit(
            filename, filekey, page_text, summary, ignore_warnings=True, new_version=new_version
        )


#: Every upload warning MediaWiki gives, and what the bot does about it. The
#: order is the order of precedence when several come together: "the bytes
#: are already here" beats "the title is taken".
UPLOAD_WARNINGS: dict[str, str] = {
    "nochange": "duplicate: the same bytes are this title's current version",
    "duplicateversions": "duplicate: the same bytes are an old version of this title",
    "duplicate": "duplicate: names the file that already has these bytes",
    "duplicate-archive": "failed: these bytes were deleted from the wiki before; never re-uploaded",
    "exists": "title taken: the record id is appended and the stashed bytes published under it",
    "exists-normalized": "title taken: a file differing only in the extension's case exists",
    "page-exists": "title taken: a page without a file has this title; never overwritten",
    "was-deleted": "failed: a file with this title was deleted; the bot does not re-create it",
    "badfilename": "failed: the wiki would change the title",
    "bad-prefix": "failed: the title starts like a camera's file name (DSC_, IMG_...)",
    "thumb": "failed: the title looks like a thumbnail of an existing file",
    "thumb-name": "failed: the title looks like a thumbnail's name",
    "empty-file": "failed: the file is empty",
    "filetype-unwanted-type": "failed: the wiki does not want this file type",
    "large-file": "informational: confirmed from the stash (one more request)",
}

# Warnings that only inform; confirmed through the stash. Everything else is an outcome.
INFORMATIONAL_UPLOAD_WARNINGS = frozenset({"large-file"})


def decide_upload_warnings(
    filename: str, warnings: dict[str, Any], *, filekey: str = ""
) -> UploadOutcome | None:
    """The outcome of an upload that came back with warnings (pure).

    Returns None when every warning is informational and the upload may be
    confirmed. Every warning MediaWiki gives has an explicit branch here (see
    :data:`UPLOAD_WARNINGS`); one the bot does not know is never overridden.
    """
    title = "File:" + filename.replace("_", " ")
    if "nochange" in warnings:
        # the same bytes are already the current version of this very title
        return Duplicate(existing=title)
    if "duplicateversions" in warnings:
        # the same bytes are an older version of this very title
        return Duplicate(existing=title)
    if "duplicate" in warnings:
        names = warnings["duplicate"]
        if isinstance(names, dict):
            names = list(names.values())
        if isinstance(names, str):
            names = [names]
        existing = "File:" + str(names[0]).replace("_", " ") if names else title
        return Duplicate(existing=existing)
    if "duplicate-archive" in warnings:
        return UploadRefused(
            code="duplicate-archive",
            reason=(
                "This exact file was deleted from the wiki before "
                f"(as File:{str(warnings['duplicate-archive']).replace('_', ' ')}); "
                "it is not uploaded again. Ask an administrator if the deletion was a mistake."
            ),
        )
    for which in ("exists", "exists-normalized", "page-exists"):
        if which in warnings:
            return TitleTaken(title=title, warning=which, filekey=filekey)
    if "was-deleted" in warnings:
        return UploadRefused(
            code="was-deleted",
            reason=(
                f"A file named {title} was deleted before; the bot does not re-create "
                "deleted files. Ask an administrator, or change the title pattern."
            ),
        )
    if "badfilename" in warnings:
        return UploadRefused(
            code="badfilename",
            reason=f"The wiki would change the title to File:{warnings['badfilename']}; "
            "change the title pattern.",
        )
    if "bad-prefix" in warnings:
        return UploadRefused(
            code="bad-prefix",
            reason="The title starts like a camera's automatic file name (such as DSC_ or "
            "IMG_); make the title pattern more descriptive.",
        )
    if "thumb" in warnings:
        return UploadRefused(
            code="thumb",
            reason="The title looks like a thumbnail of an existing file (such as "
            "120px-...); change the title pattern.",
        )
    if "thumb-name" in warnings:
        return UploadRefused(
            code="thumb-name",
            reason="The title looks like a thumbnail's name (such as 120px-...); "
            "change the title pattern.",
        )
    if "empty-file" in warnings:
        return UploadRefused(code="empty-file", reason="The partner's media file is empty.")
    if "filetype-unwanted-type" in warnings:
        return UploadRefused(
            code="filetype-unwanted-type",
            reason=f"The wiki does not want files of this type (.{filename.rsplit('.', 1)[-1]}).",
        )
    unknown = set(warnings) - INFORMATIONAL_UPLOAD_WARNINGS
    if unknown:
        return UploadRefused(
            code=sorted(unknown)[0],
            reason=f"The wiki warned: {', '.join(sorted(unknown))}; the bot does not override it.",
        )
    return None


#: Warnings about the bytes, meaningless for a first chunk (it is not the whole file).
_CONTENT_WARNINGS = frozenset(
    {"duplicate", "duplicate-archive", "duplicateversions", "nochange", "empty-file", "large-file"}
)


def _first_chunk_warnings(filename: str, warnings: dict[str, Any]) -> UploadOutcome | None:
    """The outcome of warnings the wiki gave on a first chunk, or None to go on (pure).

    Only the title's warnings count there. A taken title is reported without
    the stash's file key: that stash holds one chunk, never to be published.
    """
    about_title = {k: v for k, v in warnings.items() if k not in _CONTENT_WARNINGS}
    outcome = decide_upload_warnings(filename, about_title)
    if isinstance(outcome, TitleTaken):
        return TitleTaken(title=outcome.title, warning=outcome.warning)
    return outcome


#: API error codes of an upload, and what they mean for the record.
UPLOAD_ERRORS: dict[str, str] = {
    "verification-error": "The wiki refused the file's contents",
    "fileexists-forbidden": "A file with this name exists and cannot be overwritten",
    "fileexists-shared-forbidden": "A file with this name exists in a shared repository",
    "filetype-banned": "The wiki does not accept this file type",
    "filetype-missing": "The file has no extension",
    "file-too-large": "The file is larger than the wiki accepts",
    "empty-file": "The file is empty",
    "titleblacklist-forbidden": "The title is on the wiki's title blacklist",
    "spamblacklist": "The page text contains a link on the wiki's spam blacklist",
    "abusefilter-disallowed": "An abuse filter of the wiki refused the upload",
    "abusefilter-warning": "An abuse filter of the wiki warned about the upload",
    "abusefilter-blocked-display": "An abuse filter of the wiki refused the upload",
    "protectedpage": "The file page is protected",
    "protectedtitle": "The title is protected from creation",
    "cascadeprotected": "The file page is protected",
    "stashfailed": "The wiki's upload stash failed",
    "stash-lost": "The wiki lost the stashed bytes",
    "uploadstash-file-not-found": "The wiki's upload stash no longer has the file",
}

#: Errors about the account or the wiki, not the file: the run stops.
WHOLE_RUN_UPLOAD_ERRORS: dict[str, str] = {
    "permissiondenied": "The bot's account may not upload",
    "mustbeloggedin": "The bot is not logged in",
    "cantupload": "The wiki does not accept uploads",
    "uploaddisabled": "The wiki does not accept uploads",
    "chunk-too-small": "upload.chunk_size is smaller than the wiki accepts",
    "invalid-chunk": "The wiki refused a chunk's size; check upload.chunk_size",
    "badtoken": "The wiki keeps refusing the bot's edit token (a session problem)",
    "assertuserfailed": "The bot's session ended and logging in again did not help",
    "assertnameduserfailed": "The bot is logged in as another user",
}

#: Stash errors meaning "the wiki no longer has these bytes": start the file again.
_STASH_GONE = frozenset(
    {
        "uploadstash-file-not-found",
        "stashedfilenotfound",
        "stashnosuchfilekey",
        "stashpathinvalid",
        "stashwrongowner",
        "stashzerolength",
        "stashfilestorage",
        "stashnotloggedin",
        "uploadstash-exception",
        "uploadstash-bad-path",
        "missingresult",
    }
)


def _upload_error(filename: str, code: str, info: str, data: dict[str, Any]) -> UploadOutcome:
    """The outcome of an upload the API answered with an error (pure)."""
    if code == "readonly":
        return ReadOnly(reason=str(data.get("readonlyreason") or info))
    if code in ("blocked", "autoblocked"):
        return Blocked(reason=info)
    if code == "fileexists-no-change":
        return Duplicate(existing="File:" + filename.replace("_", " "))
    if code in ("fileexists-forbidden", "fileexists-shared-forbidden"):
        return TitleTaken(
            title="File:" + filename.replace("_", " "),
            warning=code,
            filekey=str(data.get("filekey", "")),
        )
    if code in WHOLE_RUN_UPLOAD_ERRORS:
        return UploadRefused(
            code=code, reason=f"{WHOLE_RUN_UPLOAD_ERRORS[code]} ({code}: {info})", whole_run=True
        )
    key = "titleblacklist-forbidden" if code.startswith("titleblacklist-forbidden") else code
    lead = UPLOAD_ERRORS.get(key, "The wiki refused the upload")
    details = data.get("details")
    if code == "verification-error" and isinstance(details, list) and details:
        lead = f"{lead} ({', '.join(str(d) for d in details)})"
    return UploadRefused(code=code, reason=f"{lead} ({code}: {info})")


def _edit_error(title: str, e: WikiError) -> SaveOutcome:
    code = e.code
    if code == "editconflict":
        return EditConflict(title=title)
    if code == "articleexists":
        return PageExists(title=title)
    if code in ("missingtitle", "pagedeleted"):
        return PageMissing(title=title)
    if code == "readonly":
        return ReadOnly(reason=e.info)
    if code in ("blocked", "autoblocked"):
        return Blocked(reason=e.info)
    if code in ("protectedpage", "cascadeprotected", "protectedtitle", "protectednamespace"):
        return Protected(title=title, reason=e.info)
    if code in ("spamblacklist", "abusefilter-disallowed", "abusefilter-warning"):
        return Refused(code=code, info=e.info)
    raise e


def _edit_failure_info(edit: dict[str, Any]) -> str:
    for key in ("spamblacklist", "info", "warning"):
        if key in edit:
            return str(edit[key])
    return str(edit)


def _aliases(query: dict[str, Any]) -> dict[str, str]:
    """Map asked titles to the wiki's spelling (normalized, redirects)."""
    alias: dict[str, str] = {}
    for item in query.get("normalized", []):
        alias[item["from"]] = item["to"]
    for item in query.get("converted", []):
        alias[item["from"]] = item["to"]
    return alias


def _login_reason(e: Exception) -> str:
    text = str(e)
    if "Incorrect username or password" in text or "WrongPass" in text or "wrongpass" in text:
        return "wrong username or password"
    if "NotExists" in text or "does not exist" in text:
        return "there is no such user"
    return text.split("\n")[0][:200]


class _NotSent(Exception):
    """The request never left (connection refused, connect timeout): safe to send again."""


def _never_sent(e: BaseException) -> bool:
    """Whether a failed request certainly never reached the server."""
    import requests

    if isinstance(e, requests.exceptions.ConnectTimeout):
        return True
    text = repr(e)
    return isinstance(e, requests.exceptions.ConnectionError) and (
        "NewConnectionError" in text or "Connection refused" in text
    )


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MiB"


def _sha1_of_start(path: Path, length: int) -> str:
    """SHA-1 of the first ``length`` bytes of a file, read in slices."""
    digest = hashlib.sha1()
    left = length
    with path.open("rb") as f:
        while left > 0:
            block = f.read(min(left, 1024 * 1024))
            if not block:
                break
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def _short(e: Exception) -> str:
    text = f"{e.__class__.__name__}: {e}"
    return text.split("\n")[0][:300]


def _quiet_pywikibot() -> None:
    """Send pywikibot's chatter to our log at DEBUG level instead of stderr."""
    import pywikibot.bot
    import pywikibot.logging

    pywikibot.bot.init_handlers()
    pywikibot.logging._init()  # run pending init routines now, not at first output
    for name in ("pywiki", "pywikibot"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = False
        logger.addHandler(_ForwardHandler())
        logger.setLevel(logging.DEBUG)


class _ForwardHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # pragma: no cover - malformed third-party record
            return
        log.debug("pywikibot: %s", message.split("\n")[0][:500])
