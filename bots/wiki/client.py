"""The connection to one wiki through pywikibot: login, API calls, titles."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from bots import __version__
from bots.net.errors import explain
from bots.net.pacing import (
    Pacer,
)
from bots.wiki.errors import (
    LoginError,
    WikiError,
    WikiUnavailable,
)

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


#: A function that sends one API request, such as :meth:`Client.call`.
ApiCall = Callable[..., dict[str, Any]]


@dataclass
class Client:
    """A logged-in connection to one wiki: the API, tokens and titles."""

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
    ) -> Self:
        """Log in to the wiki at ``api`` (its api.php URL)."""
        _prepare_pywikibot()
        import pywikibot
        from pywikibot import config as pwb_config
        from pywikibot import login as pwb_login
        from pywikibot.exceptions import APIError, NoUsernameError

        family = "hub" + hashlib.sha1(api.encode()).hexdigest()[:8]
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
                "unreachable", f"The wiki at {api} did not answer: {short_error(e)}"
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
            answer: dict[str, Any] = pwb_api.Request(**kwargs).submit()
            return answer
        except APIError as e:
            raise WikiError(e.code, e.info) from None
        except Exception as e:
            raise WikiUnavailable("unreachable", f"{self.api}: {short_error(e)}") from None

    def cached_call(self, days: float, **params: Any) -> dict[str, Any]:
        """A read whose answer changes rarely (the wiki's extensions, its languages), kept on
        disk by pywikibot for ``days``, so that a bot run every few minutes asks once a day."""
        from pywikibot.data import api as pwb_api
        from pywikibot.exceptions import APIError

        params.setdefault("formatversion", 2)
        try:
            answer: dict[str, Any] = pwb_api.CachedRequest(
                days, site=self.site, parameters=params
            ).submit()
            return answer
        except APIError as e:
            raise WikiError(e.code, e.info) from None
        except Exception as e:
            raise WikiUnavailable("unreachable", f"{self.api}: {short_error(e)}") from None

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


def _login_reason(e: Exception) -> str:
    text = str(e)
    if "Incorrect username or password" in text or "WrongPass" in text or "wrongpass" in text:
        return "wrong username or password"
    if "NotExists" in text or "does not exist" in text:
        return "there is no such user"
    return text.split("\n")[0][:200]


def short_error(e: BaseException) -> str:
    """A network failure in plain words (no class names, no addresses' internals), for logs."""
    return str(explain(e).words)


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
