"""Approval (SPEC 5) and the stop page (SPEC 6) as pure rules over page histories."""

from __future__ import annotations

import pytest

from bots.approval import Approvers, check_approval, check_stop_page, revision_that_set
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
    """(user, approve value) pairs, oldest first, as request page texts."""
    return [
        Revision(revid=n, user=user, timestamp=f"2026-11-20T10:{n:02d}:00Z", text=value)
        for n, (user, value) in enumerate(edits, start=1)
    ]


def approve_of(text: str) -> str | None:
    return text or None


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
        ([("Partner", ""), ("Nobody", "abc123")], False, "does not exist"),
    ],
)
def test_approval_table(edits, ok, reason):
    decision = check_approval(history(*edits), approve_of, "abc123", USERS, APPROVERS)
    assert decision.ok is ok
    assert reason in decision.reason


def test_stale_approval_names_both_ids():
    decision = check_approval(
        history(("Partner", ""), ("Reviewer", "old999")), approve_of, "abc123", USERS, APPROVERS
    )
    assert "old999" in decision.reason and "abc123" in decision.reason


def stop_history(*edits: tuple[str, str]) -> list[Revision]:
    return history(*edits)


@pytest.mark.parametrize(
    "edits, ok, reason",
    [
        ([("HubBot", "run")], True, "install"),
        ([("HubBot", "run"), ("Volunteer", "stop")], False, "'stop'"),
        ([("HubBot", "run"), ("Volunteer", "")], False, "''"),
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
        ([("HubBot", "run"), ("Volunteer", "Run")], False, "'Run'"),
        ([], False, "does not exist"),
    ],
)
def test_stop_page_table(edits, ok, reason):
    decision = check_stop_page(stop_history(*edits), USERS, APPROVERS, "HubBot")
    assert decision.ok is ok
    assert reason in decision.reason


def test_revision_that_set_walks_back_over_equal_values():
    revs = history(("A", "x"), ("B", "y"), ("C", "y"), ("D", "y"))
    assert revision_that_set(revs, lambda t: t).user == "B"
    assert revision_that_set([], lambda t: t) is None
