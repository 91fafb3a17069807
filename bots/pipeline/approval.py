"""Who may start uploads: approval of a preview (SPEC 5) and the stop page (SPEC 6).

Both rules ask "which revision made the page say this?", so they are pure
functions over the page's revisions, newest first, plus what the wiki says
about the users at run time. The revisions are an iterable read lazily (from
:meth:`bots.wiki.Wiki.revisions`): the walk stops at the first revision with
another value, so a page with a long history costs only as many reads as the
current value is old, and the newest revision always decides the current
value. User facts and the page's creator are asked for through small lookups,
and only when the rule needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain

from bots.i18n import Message, items, msg
from bots.wiki.records import Revision, UserInfo

#: What the wiki says about one user now (None when the name is empty or hidden).
UserLookup = Callable[[str], UserInfo | None]


@dataclass(frozen=True)
class Decision:
    ok: bool
    reason: Message  # one plain sentence, for the status page or the dashboard
    user: str = ""
    revid: int = 0


def revision_that_set(
    revisions: Iterable[Revision], value_of: Callable[[str], str | None]
) -> Revision | None:
    """The revision that made the page's current value what it is (None: no revisions).

    ``revisions`` come newest first; the newest gives the current value. The
    walk goes back while the value stays the same and stops at the first
    revision with another value, reading no further: the oldest revision of
    that run set the value. A revision whose text is hidden reads as empty, so
    the walk stops there and a newer revision is taken as the setter, never an
    older one.
    """
    setter: Revision | None = None
    current: str | None = None
    for rev in revisions:
        value = value_of(rev.text)
        if setter is not None and value != current:
            break
        setter, current = rev, value
    return setter


@dataclass(frozen=True)
class Approvers:
    groups: tuple[str, ...]
    users: tuple[str, ...]

    def includes(self, info: UserInfo) -> bool:
        if not info.exists:
            return False
        names = {u.replace("_", " ") for u in self.users}
        return info.name in names or bool(set(self.groups) & set(info.groups))


def is_trusted(info: UserInfo | None, approvers: Approvers) -> tuple[bool, Message | None]:
    """Approver and not blocked, checked at run time; if not, why not."""
    if info is None or not info.exists:
        return False, msg("hubbot-approval-no-account")
    if info.blocked:
        return False, msg("hubbot-approval-blocked", info.name)
    if not approvers.includes(info):
        groups = items(approvers.groups) if approvers.groups else msg("hubbot-approval-no-groups")
        if approvers.users:
            return False, msg(
                "hubbot-approval-not-approver-users", info.name, groups, items(approvers.users)
            )
        return False, msg("hubbot-approval-not-approver", info.name, groups)
    return True, None


def check_approval(
    revisions: Iterable[Revision],
    approve_of: Callable[[str], str | None],
    preview_id: str,
    creator: Callable[[], str],
    user_info: UserLookup,
    approvers: Approvers,
) -> Decision:
    """SPEC 5: approved only if the current inputs' id was set by a trusted other user.

    ``revisions``: the request page's, newest first. The newest alone decides
    whether there is an approval of this preview; only then does the walk go
    back to the revision that set it, and only then are the page's creator
    (four eyes) and the setter's account asked for.
    """
    newest_first = iter(revisions)
    newest = next(newest_first, None)
    if newest is None:
        return Decision(False, msg("hubbot-approval-no-history"))

    def value(text: str) -> str:
        return (approve_of(text) or "").strip()

    approved = value(newest.text)
    if not approved:
        return Decision(False, msg("hubbot-approval-waiting", preview_id))
    if approved != preview_id:
        return Decision(False, msg("hubbot-approval-stale", approved, preview_id))
    setter = revision_that_set(chain([newest], newest_first), value) or newest
    who = setter.user or msg("hubbot-approval-hidden-user")
    made_by = creator()
    if not made_by or setter.user == made_by:
        key = "hubbot-approval-by-creator" if made_by else "hubbot-approval-creator-hidden"
        return Decision(False, msg(key, preview_id, who), setter.user, setter.revid)
    ok, why = is_trusted(user_info(setter.user), approvers)
    if not ok:
        return Decision(
            False,
            msg("hubbot-approval-untrusted", preview_id, who, why or ""),
            setter.user,
            setter.revid,
        )
    return Decision(
        True, msg("hubbot-approval-ok", preview_id, setter.user), setter.user, setter.revid
    )


def check_stop_page(
    revisions: Iterable[Revision],
    user_info: UserLookup,
    approvers: Approvers,
    bot_user: str,
) -> Decision:
    """SPEC 6: run only if the text is ``run`` and an approver (or our install) made it so.

    ``revisions``: the stop page's, newest first. Anything but ``run`` in the
    newest stops the bot without reading further; ``run`` sends the walk back
    to the revision that made the trimmed text ``run``.
    """
    newest_first = iter(revisions)
    newest = next(newest_first, None)
    if newest is None:
        return Decision(False, msg("hubbot-stop-missing"))
    text = newest.text.strip()
    if text != "run":
        who = newest.user or msg("hubbot-approval-hidden-user")
        return Decision(False, msg("hubbot-stop-says", text[:80], who), newest.user)
    setter = (
        revision_that_set(
            chain([newest], newest_first), lambda t: "run" if t.strip() == "run" else t
        )
        or newest
    )
    if setter.user == bot_user:
        return Decision(True, msg("hubbot-stop-run-install"), setter.user)
    ok, why = is_trusted(user_info(setter.user), approvers)
    if not ok:
        who = setter.user or msg("hubbot-approval-hidden-user")
        return Decision(
            False, msg("hubbot-stop-untrusted", who, why or ""), setter.user, setter.revid
        )
    return Decision(True, msg("hubbot-stop-run", setter.user), setter.user)
