"""Who may start uploads: approval of a preview (SPEC 5) and the stop page (SPEC 6).

Both rules ask "which revision made the page say this?", so they are pure
functions over the page history (oldest first) plus what the wiki says about
the users at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bots.wiki import Revision, UserInfo


@dataclass(frozen=True)
class Decision:
    ok: bool
    reason: str  # one plain sentence, for the status page or the dashboard
    user: str = ""
    revid: int = 0


def revision_that_set(
    history: Sequence[Revision], value_of: Callable[[str], str | None]
) -> Revision | None:
    """The revision that made the page's current value what it is.

    Walks back from the newest revision while the value stays the same; the
    oldest revision of that run is the one that set it.
    """
    if not history:
        return None
    current = value_of(history[-1].text)
    setter = history[-1]
    for rev in reversed(history):
        if value_of(rev.text) != current:
            break
        setter = rev
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


def is_trusted(info: UserInfo | None, approvers: Approvers) -> tuple[bool, str]:
    """Approver and not blocked, checked at run time."""
    if info is None or not info.exists:
        return False, "the account does not exist"
    if info.blocked:
        return False, f"{info.name} is blocked"
    if not approvers.includes(info):
        groups = ", ".join(approvers.groups) or "none"
        return False, (
            f"{info.name} is not an approver (approver groups: {groups}"
            + (f"; approver users: {', '.join(approvers.users)}" if approvers.users else "")
            + ")"
        )
    return True, ""


def check_approval(
    history: Sequence[Revision],
    approve_of: Callable[[str], str | None],
    preview_id: str,
    users: Mapping[str, UserInfo],
    approvers: Approvers,
) -> Decision:
    """SPEC 5: approved only if the current inputs' id was set by a trusted other user."""
    if not history:
        return Decision(False, "The request page has no history.")
    approved = (approve_of(history[-1].text) or "").strip()
    if not approved:
        return Decision(
            False,
            f"Waiting for a reviewer to approve preview {preview_id} "
            f"(set |approve={preview_id} on the request page).",
        )
    if approved != preview_id:
        return Decision(
            False,
            f"The approval of preview {approved} is stale: the request, its data, the "
            f"source or a mapping changed, and the current preview is {preview_id}. "
            f"A reviewer must look at the new preview and set |approve={preview_id}.",
        )
    setter = revision_that_set(history, lambda text: (approve_of(text) or "").strip())
    assert setter is not None
    creator = history[0].user
    if setter.user == creator:
        return Decision(
            False,
            f"Preview {preview_id} was approved by {setter.user}, who created the request; "
            "another reviewer must approve it (four eyes).",
            setter.user,
            setter.revid,
        )
    ok, why = is_trusted(users.get(setter.user), approvers)
    if not ok:
        return Decision(
            False,
            f"Preview {preview_id} was approved by {setter.user}, but {why}; "
            "an approver must approve it.",
            setter.user,
            setter.revid,
        )
    return Decision(
        True, f"Preview {preview_id} approved by {setter.user}.", setter.user, setter.revid
    )


def check_stop_page(
    history: Sequence[Revision],
    users: Mapping[str, UserInfo],
    approvers: Approvers,
    bot_user: str,
) -> Decision:
    """SPEC 6: run only if the text is ``run`` and an approver (or our install) made it so."""
    if not history:
        return Decision(False, "The stop page does not exist; run `hubbot install`.")
    text = history[-1].text.strip()
    if text != "run":
        who = history[-1].user
        return Decision(False, f"The stop page says {text[:80]!r} (last edited by {who}).", who)
    setter = revision_that_set(history, lambda t: "run" if t.strip() == "run" else t)
    assert setter is not None
    if setter.user == bot_user:
        return Decision(True, "The stop page says run (set by the bot's install).", setter.user)
    ok, why = is_trusted(users.get(setter.user), approvers)
    if not ok:
        return Decision(
            False,
            f"The stop page was set to run by {setter.user}, but {why}; "
            "only an approver can start the bot.",
            setter.user,
            setter.revid,
        )
    return Decision(True, f"The stop page says run (set by {setter.user}).", setter.user)
