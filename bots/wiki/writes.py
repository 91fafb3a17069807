"""Writing to the wiki: pacing, retries, and saving pages."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bots.net.pacing import (
    PacingPolicy,
    backoff_delay,
    parse_retry_after,
    rate_limit_delay,
)
from bots.wiki.client import short_error
from bots.wiki.errors import (
    AmbiguousWrite,
    WikiBusy,
    WikiError,
    WikiUnavailable,
)
from bots.wiki.outcomes import (
    EditOutcome,
    NoChange,
    Refused,
    Saved,
    SaveOutcome,
    edit_outcome,
)
from bots.wiki.queries import Queries, chunks
from bots.wiki.records import PageInfo

log = logging.getLogger(__name__)


class Writes(Queries):
    """Writes: one request at a time, paced, never sent twice when it may have arrived."""

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
        params = {k: v for k, v in params.items() if v is not None}
        params.setdefault("format", "json")
        params.setdefault("formatversion", 2)
        params.setdefault("maxlag", self.maxlag)
        params.setdefault("assertuser", self.username)
        tries = _Tries(self.pacer.policy)
        while True:
            params["token"] = self.token()
            try:
                data, retry_after = self._send(params, files)
            except _NotSent as e:
                delay = tries.transient(
                    WikiBusy(
                        "unreachable",
                        f"the wiki at {self.write_api or self.api} could not be reached "
                        f"{tries.transients + 1} times in a row ({e})",
                    ),
                    None,
                )
                self.pacer.wait(delay, "backoff", f"the wiki could not be reached ({e})")
                continue
            error = data.get("error")
            if not isinstance(error, dict):
                return data
            self._after_error(tries, error, retry_after, limit_action)

    def _after_error(
        self, tries: _Tries, error: dict[str, Any], retry_after: float | None, limit_action: str
    ) -> None:
        """Wait out an error that means "not now", or raise it (see :meth:`post`)."""
        code = str(error.get("code", "unknown"))
        info = str(error.get("info", ""))
        if code == "maxlag":
            lag = retry_after if retry_after is not None else _float(error.get("lag"))
            delay = tries.transient(WikiBusy(code, f"the wiki's databases lag behind: {info}"), lag)
            self.pacer.wait(delay, "maxlag", f"the wiki is lagging ({info})")
        elif code == "ratelimited":
            hits, seconds = self._rate_limit(limit_action)
            delay = tries.rate_limited(hits, seconds, retry_after, info)
            self.pacer.wait(delay, "ratelimited", f"rate limited by the wiki ({info})")
        elif code.startswith("internal_api_error_DB"):
            # a database hiccup; the request was rolled back
            delay = tries.transient(WikiBusy(code, info), retry_after)
            self.pacer.wait(delay, "backoff", f"database error on the wiki ({code})")
        elif code == "badtoken" and not tries.token_renewed:
            tries.token_renewed = True
            log.info("the wiki refused our edit token; fetching a new one")
            self.site.tokens.clear()
        elif code in ("assertuserfailed", "assertnameduserfailed", "notloggedin") and (
            not tries.logged_in_again
        ):
            tries.logged_in_again = True
            log.info("the wiki no longer knows our session; logging in again")
            self.site._relogin()
        else:
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
                raise _NotSent(short_error(result))
            raise AmbiguousWrite(
                "noanswer",
                f"the wiki did not answer ({params.get('action')} request): {short_error(result)}",
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
    def may(self, right: str) -> bool:
        """Whether the bot's account has a user right (delete, upload...) on this wiki."""
        try:
            return bool(self.site.has_right(right))
        except Exception:  # an old wiki without rights in userinfo: assume not
            return False

    def delete(self, title: str, reason: str) -> EditOutcome:
        """Delete a page (a file page deletes the file); the outcome says whether it went."""
        try:
            self.write(action="delete", title=title, reason=reason)
        except WikiError as e:
            if isinstance(e, WikiUnavailable):
                raise
            if e.code == "missingtitle":
                return NoChange(title=title)
            return edit_outcome(title, e)
        return Saved(title=title, revid=0)

    def purge(self, titles: Iterable[str], *, render: bool = False) -> None:
        """Have the wiki render pages again now (a page that shows another one changed).

        A plain purge does nothing to a page saved in the same second (the wiki's
        times are whole seconds), so a page that links to one saved just after it
        would keep its red link; ``render`` has the wiki render and keep the pages
        at once (with their links), whenever they were saved.
        """
        extra = {"forcelinkupdate": 1} if render else {}
        for batch in chunks(list(titles)):
            self.call(action="purge", titles="|".join(batch), **extra)

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
        content_model: str | None = None,
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
            # contentmodel, e.g. "json": a page of data rather than wikitext
            **{k: v for k, v in (("bot", bot and 1), ("minor", minor and 1)) if v},
            **({"contentmodel": content_model} if content_model else {}),
        }
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
                    return Saved(title=now.title, revid=now.revid, timestamp=now.timestamp)
                if attempt > self.pacer.policy.retries:
                    raise
                policy = self.pacer.policy
                delay = backoff_delay(
                    attempt, e.retry_after, base=policy.backoff, cap=policy.max_wait
                )
                self.pacer.wait(delay, "retry-after", f"saving {title} got no answer ({e.info})")
            except WikiError as e:
                return edit_outcome(title, e)
        edit = data.get("edit", {})
        if edit.get("result") != "Success":
            return Refused(code=str(edit.get("code", "failure")), info=_edit_failure_info(edit))
        if edit.get("nochange") is not None:
            return NoChange(title=edit.get("title", title))
        return Saved(
            title=edit.get("title", title),
            revid=int(edit.get("newrevid", 0)),
            timestamp=str(edit.get("newtimestamp", "")),
        )


@dataclass
class _Tries:
    """How often one write was told "not now", and how long it waited for rate limits."""

    policy: PacingPolicy
    transients: int = 0
    limited: int = 0
    limited_for: float = 0.0
    token_renewed: bool = False
    logged_in_again: bool = False

    def transient(self, give_up: WikiBusy, asked: float | None) -> float:
        """The wait before sending again, or ``give_up`` raised after too many tries."""
        self.transients += 1
        if self.transients > self.policy.retries:
            raise give_up
        policy = self.policy
        return backoff_delay(self.transients, asked, base=policy.backoff, cap=policy.max_wait)

    def rate_limited(self, hits: int, seconds: float, asked: float | None, info: str) -> float:
        """The wait of a rate-limited write; :class:`WikiBusy` once it would wait too long."""
        self.limited += 1
        policy = self.policy
        delay = (
            min(policy.max_wait, asked)
            if asked is not None
            else rate_limit_delay(self.limited, hits, seconds, cap=policy.max_wait)
        )
        if self.limited_for + delay > policy.rate_limit_wait:
            raise WikiBusy(
                "ratelimited", f"still rate limited after waiting {self.limited_for:.0f} s: {info}"
            )
        self.limited_for += delay
        return delay


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


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _edit_failure_info(edit: dict[str, Any]) -> str:
    for key in ("spamblacklist", "info", "warning"):
        if key in edit:
            return str(edit[key])
    return str(edit)
