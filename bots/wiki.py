"""The one module that talks to MediaWiki, through pywikibot.

Everything else receives a :class:`Wiki` object, so the same code runs against
the dev wiki, a test wiki or Commons. Writes return small frozen outcomes
(``Saved``, ``NoChange``, ``EditConflict``, ``ReadOnly``...) instead of raising;
errors nobody planned for are raised as :class:`WikiError` with the API code.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bots import __version__

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
        base = cache / "hubbot" / "pywikibot"
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.environ["PYWIKIBOT_DIR"] = str(base)
    # pywikibot uses PYWIKIBOT_DIR only when it holds a user-config.py; an
    # empty one keeps its cookies and caches there instead of the cwd.
    user_config = Path(os.environ["PYWIKIBOT_DIR"]) / "user-config.py"
    if not user_config.exists():
        user_config.write_text("# hubbot configures pywikibot in code.\n", encoding="utf-8")
    import pywikibot  # noqa: F401  (import after the environment is set)

    _pywikibot_ready = True


class WikiError(Exception):
    """An API error the caller did not plan for."""

    def __init__(self, code: str, info: str) -> None:
        super().__init__(f"{code}: {info}")
        self.code = code
        self.info = info


class LoginError(WikiError):
    pass


class WikiUnavailable(WikiError):
    """The wiki did not answer (network, 5xx, timeouts after retries)."""


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


SaveOutcome = Saved | NoChange | EditConflict | PageExists | PageMissing | ReadOnly | Blocked
SaveOutcome = SaveOutcome | Protected | Refused


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
    """Another file already has this title."""

    title: str
    warning: str


@dataclass(frozen=True)
class UploadRefused:
    """The wiki will not take this file; ``reason`` is for the status page."""

    code: str
    reason: str


UploadOutcome = Uploaded | Duplicate | TitleTaken | UploadRefused | ReadOnly | Blocked


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
            manager_cls = pwb_login.ClientLoginManager
            if "@" in username:  # a BotPassword: action=login
                manager_cls = pwb_login.LoginManager
            manager = manager_cls(password=password, site=site, user=username)
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

    def write(self, **params: Any) -> dict[str, Any]:
        """A write request: token, asserting we are still the bot."""
        params.setdefault("token", self.token())
        params.setdefault("assertuser", self.username)
        return self.call(**params)

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

    def read_page(self, title: str) -> PageInfo:
        return self.read_pages([title])[title]

    def history(self, title: str, limit: int = 500) -> list[Revision]:
        """Revisions of a page with their text, oldest first."""
        revisions: list[Revision] = []
        params: dict[str, Any] = {
            "action": "query",
            "titles": title,
            "prop": "revisions",
            "rvprop": "ids|timestamp|user|content|comment",
            "rvslots": "main",
            "rvdir": "newer",
            "rvlimit": 50,
        }
        while True:
            data = self.call(**params)
            for page in data.get("query", {}).get("pages", []):
                for rev in page.get("revisions", []):
                    revisions.append(
                        Revision(
                            revid=rev["revid"],
                            user=rev.get("user", ""),
                            timestamp=rev["timestamp"],
                            text=rev.get("slots", {}).get("main", {}).get("content", ""),
                            comment=rev.get("comment", ""),
                        )
                    )
            if "continue" not in data or len(revisions) >= limit:
                return revisions
            params.update(data["continue"])

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
                iiprop="sha1|url|size|mime",
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
                )
        return out

    def _is_file_title(self, title: str) -> bool:
        import pywikibot

        return pywikibot.Page(self.site, title).namespace().id == 6

    def find_sha1(self, sha1: str) -> list[str]:
        """Titles of current files with exactly these bytes."""
        data = self.call(action="query", list="allimages", aisha1=sha1, ailimit=50)
        return [f"File:{i['name'].replace('_', ' ')}" for i in data["query"]["allimages"]]

    def file_exists_deleted(self, sha1: str) -> list[str]:
        data = self.call(action="query", list="filearchive", fasha1=sha1, falimit=10)
        return [f["title"] for f in data.get("query", {}).get("filearchive", [])]

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
        """Save a page, detecting edit conflicts against ``base`` (what we read)."""
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
        try:
            data = self.write(**params)
        except WikiError as e:
            return _edit_error(title, e)
        edit = data.get("edit", {})
        if edit.get("result") != "Success":
            return Refused(code=str(edit.get("code", "failure")), info=_edit_failure_info(edit))
        if edit.get("nochange") is not None:
            return NoChange(title=edit.get("title", title))
        return Saved(title=edit.get("title", title), revid=int(edit.get("newrevid", 0)))

    def upload(
        self,
        title: str,
        path: Path,
        page_text: str,
        summary: str,
        *,
        mime: str = "application/octet-stream",
        new_version: bool = False,
    ) -> UploadOutcome:
        """Upload one file without ignoring warnings; each warning is decided here.

        One request for a clean upload. A warning that only informs (``large-file``,
        ``badfilename`` is not one) is confirmed through the stash; anything that
        means "this would be wrong" becomes an outcome for the status page.
        """
        from pywikibot.data import api as pwb_api
        from pywikibot.exceptions import APIError

        filename = title.removeprefix("File:")
        params: dict[str, Any] = {
            "action": "upload",
            "filename": filename,
            "text": page_text,
            "comment": summary,
            "token": self.token(),
            "assertuser": self.username,
            "maxlag": self.maxlag,
            "formatversion": 2,
        }
        content = path.read_bytes()
        mime_parts = {"file": (content, tuple(mime.split("/", 1)), {"filename": filename})}
        try:
            data = pwb_api.Request(
                site=self.site, parameters=params, mime=mime_parts, max_retries=0
            ).submit()
        except APIError as e:
            return _upload_error(filename, e.code, e.info, e.other if hasattr(e, "other") else {})
        except Exception as e:
            raise WikiUnavailable("unreachable", f"{self.api}: {_short(e)}") from None
        return self._upload_result(
            filename, page_text, summary, data.get("upload", {}), new_version
        )

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
        outcome = decide_upload_warnings(filename, warnings)
        if outcome is not None:
            return outcome
        # Only informational warnings: confirm the stashed upload.
        try:
            data = self.write(
                action="upload",
                filename=filename,
                filekey=upload["filekey"],
                text=page_text,
                comment=summary,
                ignorewarnings=1,
                maxlag=self.maxlag,
            )
        except WikiError as e:
            return _upload_error(filename, e.code, e.info, {})
        return self._upload_result(filename, page_text, summary, data.get("upload", {}))


# Warnings that only inform; confirmed through the stash. Everything else is an outcome.
INFORMATIONAL_UPLOAD_WARNINGS = frozenset({"large-file"})


def decide_upload_warnings(filename: str, warnings: dict[str, Any]) -> UploadOutcome | None:
    """The outcome of an upload that came back with warnings (pure).

    Returns None when every warning is informational and the upload may be
    confirmed. Every warning MediaWiki gives has an explicit branch here.
    """
    title = "File:" + filename.replace("_", " ")
    if "nochange" in warnings:
        # the same bytes are already the current version of this very title
        return Duplicate(existing=title)
    if "duplicateversions" in warnings:
        return Duplicate(existing=title)
    if "duplicate" in warnings:
        names = warnings["duplicate"]
        if isinstance(names, dict):
            names = list(names.values())
        existing = "File:" + str(names[0]).replace("_", " ") if names else title
        return Duplicate(existing=existing)
    if "duplicate-archive" in warnings:
        return UploadRefused(
            code="duplicate-archive",
            reason=(
                "This exact file was deleted from the wiki before "
                f"(as File:{warnings['duplicate-archive']}); it is not uploaded again. "
                "Ask an administrator if the deletion was a mistake."
            ),
        )
    if "exists" in warnings or "exists-normalized" in warnings or "page-exists" in warnings:
        which = next(w for w in ("exists", "exists-normalized", "page-exists") if w in warnings)
        return TitleTaken(title=title, warning=which)
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
            reason=f"The wiki would change the title to {warnings['badfilename']!r}.",
        )
    if "bad-prefix" in warnings:
        return UploadRefused(
            code="bad-prefix",
            reason="The title starts like a camera's automatic file name; "
            "make the title pattern more descriptive.",
        )
    if "thumb" in warnings or "thumb-name" in warnings:
        return UploadRefused(
            code="thumb",
            reason="The title looks like a thumbnail's name (e.g. 120px-...); change the pattern.",
        )
    if "empty-file" in warnings:
        return UploadRefused(code="empty-file", reason="The partner's media file is empty.")
    if "filetype-unwanted-type" in warnings:
        return UploadRefused(
            code="filetype-unwanted-type",
            reason=f"The wiki does not want files of this type ({filename.rsplit('.', 1)[-1]}).",
        )
    unknown = set(warnings) - INFORMATIONAL_UPLOAD_WARNINGS
    if unknown:
        return UploadRefused(
            code=sorted(unknown)[0],
            reason=f"The wiki warned: {', '.join(sorted(unknown))}; the bot does not override it.",
        )
    return None


def _upload_error(filename: str, code: str, info: str, other: dict[str, Any]) -> UploadOutcome:
    if code == "readonly":
        return ReadOnly(reason=info)
    if code in ("blocked", "autoblocked"):
        return Blocked(reason=info)
    if code == "fileexists-no-change":
        return Duplicate(existing="File:" + filename.replace("_", " "))
    messages = {
        "verification-error": "The wiki refused the file's contents",
        "fileexists-forbidden": "A file with this name exists and cannot be overwritten",
        "filetype-banned": "The wiki does not accept this file type",
        "file-too-large": "The file is larger than the wiki accepts",
        "titleblacklist-forbidden": "The title is on the wiki's title blacklist",
        "spamblacklist": "The page text contains a link on the spam blacklist",
        "abusefilter-disallowed": "An abuse filter of the wiki refused the upload",
        "abusefilter-warning": "An abuse filter of the wiki warned about the upload",
        "permissiondenied": "The bot's account may not upload",
        "mustbeloggedin": "The bot is not logged in",
        "protectedpage": "The file page is protected",
        "cantupload": "The wiki does not accept uploads",
    }
    lead = messages.get(code, "The wiki refused the upload")
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
