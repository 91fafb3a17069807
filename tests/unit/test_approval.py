"""Approval (SPEC 5) and the stop page (SPEC 6) as pure rules over page histories.

Histories are written oldest first here, for reading, and given to the rules
newest first, as the wiki gives them to the bot.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bots.pipeline.approval import Approvers, check_approval, check_stop_page, revision_that_set
from bots.wiki import Revision, UserInfo

APPROVERS = Approvers(groups=("sysop",), users=("Trusted volunteer",))
USERS = {
    "Partner": UserInfo("Partner", True, ("user",)),
    "Reviewer": UserInfo("Reviewer", True, ("sysop", "user")),
    "Other reviewer": UserInfo("Other reviewer", True, ("sysop",)),
    "Volunteer": UserInfo("Volunteer", True, ("user",)),
    "Trusted volunteer": UserInfo("Trusted volunteer", True, ("user",)),
    "Blocked reviewer": UserInfo("Blocked reviewer", True, ("sysop",), blocked=True),
    "HubBot": UserInfo("HubBot", True, ("bot",)),
}


def history(*edits: tuple[str, str]) -> list[Revision]:
    """(user, approve value) pairs, oldest first, as request page texts; newest first out."""
    return [
        Revision(revid=n, user=user, timestamp=f"2026-11-20T10:{n % 60:02d}:00Z", text=value)
        for n, (user, value) in reversed(list(enumerate(edits, start=1)))
    ]


def approve_of(text: str) -> str | None:
    return text or None


def approval(edits: list[tuple[str, str]], preview_id: str = "abc123"):
    creator = edits[0][0] if edits else ""
    return check_approval(
        history(*edits), approve_of, preview_id, lambda: creator, USERS.get, APPROVERS
    )


class Counted:
    """A newest-first history that counts how far it was read."""

    def __init__(self, revisions: list[Revision]) -> None:
        self.revisions = revisions
        self.read = 0

    def __iter__(self) -> Iterator[Revision]:
        for rev in self.revisions:
            self.read += 1
            yield rev


@pytest.mark.parametrize(
    "edits, ok, reason",
    [
        ([("Partner", ""), ("Reviewer", "abc123")], True, "approved by Reviewer"),
        ([("Partner", "")], False, "Waiting for a reviewer"),
        ([("Partner", ""), ("Reviewer", "old999")], False, "stale"),
        ([("Reviewer", ""), ("Reviewer", "abc123")], False, "four eyes"),
        ([("Partner", ""), ("Volunteer", "abc123")], False, "Volunteer is not an approver"),
        ([("Partner", ""), ("Blocked reviewer", "abc123")], False, "is blocked"),
        ([("Partner", ""), ("Trusted volunteer", "abc123")], True, "Trusted volunteer"),
        # the revision that SET the value counts, not later edits keeping it
        ([("Partner", ""), ("Reviewer", "abc123"), ("Partner", "abc123")], True, "by Reviewer"),
        # removing and re-adding makes the re-adder the approver
        (
            [("Partner", ""), ("Reviewer", "abc123"), ("Partner", ""), ("Partner", "abc123")],
            False,
            "four eyes",
        ),
        # removing it revokes the approval, however it was set before
        ([("Partner", ""), ("Reviewer", "abc123"), ("Partner", "")], False, "Waiting"),
        ([("Partner", ""), ("Nobody", "abc123")], False, "does not exist"),
        # a setter whose name was hidden is nobody the bot can trust
        ([("Partner", ""), ("", "abc123")], False, "a user whose name is hidden"),
        # nor can four eyes be checked when the creator's name is hidden
        ([("", ""), ("Reviewer", "abc123")], False, "creator is hidden"),
        ([], False, "no history"),
    ],
)
def test_approval_table(edits, ok, reason):
    decision = approval(edits)
    assert decision.ok is ok
    assert reason in str(decision.reason)


def test_stale_approval_names_both_ids():
    decision = approval([("Partner", ""), ("Reviewer", "old999")])
    assert "old999" in str(decision.reason) and "abc123" in str(decision.reason)


def long_request_history(approved_by: str, discussion: int, last: str) -> list[tuple[str, str]]:
    """Created by the partner, approved, then a long discussion keeping the value, then ``last``."""
    edits = [("Partner", ""), (approved_by, "abc123")]
    edits += [("Volunteer" if n % 2 else "Partner", "abc123") for n in range(discussion)]
    return edits + [("Partner", last)]


def test_a_setter_far_back_is_found_by_walking_back_lazily():
    edits = long_request_history("Reviewer", 10_000, "abc123")
    revisions = Counted(history(*edits))
    decision = check_approval(
        revisions, approve_of, "abc123", lambda: "Partner", USERS.get, APPROVERS
    )
    assert decision.ok and decision.user == "Reviewer" and decision.revid == 2
    assert revisions.read == len(edits)  # back to the first revision without the value


def test_removing_approve_revokes_at_once_whatever_the_history():
    asked: list[str] = []

    def creator() -> str:
        asked.append("creator")
        return "Partner"

    def user_info(name: str) -> UserInfo | None:
        asked.append(name)
        return USERS.get(name)

    revisions = Counted(history(*long_request_history("Reviewer", 10_000, "")))
    decision = check_approval(revisions, approve_of, "abc123", creator, user_info, APPROVERS)
    assert not decision.ok and "Waiting for a reviewer" in str(decision.reason)
    assert revisions.read == 1  # only the newest revision was read
    assert asked == []  # nor was anything asked about users


def test_the_walk_stops_at_the_first_other_value():
    edits = [("Partner", "")] + [("Volunteer", "x")] * 5000 + [("Reviewer", "abc123")]
    edits += [("Partner", "abc123")] * 3
    revisions = Counted(history(*edits))
    asked: list[str] = []
    decision = check_approval(
        revisions,
        approve_of,
        "abc123",
        lambda: asked.append("creator") or "Partner",
        lambda name: asked.append(name) or USERS.get(name),
        APPROVERS,
    )
    assert decision.ok and decision.user == "Reviewer"
    assert revisions.read == 5  # 3 keeping it, the setter, one with another value
    assert asked == ["creator", "Reviewer"]


def stop_history(*edits: tuple[str, str]) -> list[Revision]:
    return history(*edits)


def stop_page(edits: list[tuple[str, str]]):
    return check_stop_page(stop_history(*edits), USERS.get, APPROVERS, "HubBot")


@pytest.mark.parametrize(
    "edits, ok, reason",
    [
        ([("HubBot", "run")], True, "install"),
        ([("HubBot", "run"), ("Volunteer", "stop")], False, '"stop"'),
        ([("HubBot", "run"), ("Volunteer", "")], False, '""'),
        (
            [("HubBot", "run"), ("Volunteer", "stop"), ("Volunteer", "run")],
            False,
            "only an approver",
        ),
        ([("HubBot", "run"), ("Volunteer", "stop"), ("Reviewer", "run")], True, "Reviewer"),
        ([("HubBot", "run"), ("Volunteer", "stop"), ("Reviewer", " run\n")], True, "Reviewer"),
        (
            [("HubBot", "run"), ("Volunteer", "stop"), ("Blocked reviewer", "run")],
            False,
            "blocked",
        ),
        ([("HubBot", "run"), ("Volunteer", "Run")], False, '"Run"'),
        ([("HubBot", "run"), ("Volunteer", "stop"), ("", "run")], False, "name is hidden"),
        ([], False, "does not exist"),
    ],
)
def test_stop_page_table(edits, ok, reason):
    decision = stop_page(edits)
    assert decision.ok is ok
    assert reason in str(decision.reason)


def whitespace_edits(user: str, count: int) -> list[tuple[str, str]]:
    """Edits that keep the trimmed text ``run`` (MediaWiki keeps leading white space)."""
    return [(user, " " * (n % 3) + "run") for n in range(count)]


def test_a_stop_after_a_long_history_stops_at_once():
    edits = [("HubBot", "run")] + whitespace_edits("Volunteer", 10_000) + [("Reviewer", "stop")]
    revisions = Counted(stop_history(*edits))
    decision = check_stop_page(revisions, USERS.get, APPROVERS, "HubBot")
    assert (
        not decision.ok and '"stop"' in str(decision.reason) and "Reviewer" in str(decision.reason)
    )
    assert revisions.read == 1


@pytest.mark.parametrize(
    "setter, ok, reason",
    [("Reviewer", True, "set by Reviewer"), ("Volunteer", False, "Volunteer is not an approver")],
)
def test_run_set_far_back_keeps_its_setter(setter, ok, reason):
    edits = [("HubBot", "run"), ("Volunteer", "stop"), (setter, "run")]
    edits += whitespace_edits("Partner" if setter == "Volunteer" else "Volunteer", 10_000)
    decision = stop_page(edits)
    assert decision.ok is ok
    assert reason in str(decision.reason)


def test_revision_that_set_walks_back_over_equal_values():
    revs = Counted(history(("A", "x"), ("B", "y"), ("C", "y"), ("D", "y")))
    setter = revision_that_set(revs, lambda t: t)
    assert setter is not None and setter.user == "B"
    assert revs.read == 4  # stopped at A, the first other value
    assert revision_that_set([], lambda t: t) is None
