"""The one history reader: newest first, paged back only as far as the caller reads."""

from __future__ import annotations

from itertools import islice

from bots.wiki.queries import REVISIONS_PER_REQUEST, newest_revisions


class FakeHistory:
    """Answers revision queries like the API for a page of ``count`` revisions (ids 1..count)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.seen: list[dict] = []

    def __call__(self, **params: object) -> dict:
        self.seen.append(params)
        assert params["rvdir"] == "older"
        limit = int(str(params["rvlimit"]))
        top = int(str(params.get("rvcontinue", f"x|{self.count}")).split("|")[1])
        ids = list(range(top, max(0, top - limit), -1))
        revisions = [
            {
                "revid": n,
                "parentid": n - 1,
                "timestamp": f"2026-11-20T10:00:{n % 60:02d}Z",
                "comment": f"edit {n}",
                "slots": {"main": {"contentmodel": "wikitext", "content": f"text {n}"}},
                **({"userhidden": True} if n == 2 else {"user": "HubBot" if n == 1 else "V"}),
            }
            for n in ids
        ]
        answer: dict = {
            "query": {"pages": [{"ns": 4, "title": "Project:P", "revisions": revisions}]}
        }
        if ids and ids[-1] > 1:
            answer["continue"] = {"rvcontinue": f"20261120|{ids[-1] - 1}", "continue": "||"}
        return answer


def test_revisions_come_newest_first_across_requests() -> None:
    call = FakeHistory(120)
    revisions = list(newest_revisions(call, "Project:P"))
    assert [r.revid for r in revisions] == list(range(120, 0, -1))
    assert revisions[0].text == "text 120" and revisions[-1].user == "HubBot"
    assert revisions[-2].user == ""  # a hidden name reads as empty
    assert len(call.seen) == 3
    assert all(p["rvlimit"] == REVISIONS_PER_REQUEST == 50 for p in call.seen)
    assert "content" in str(call.seen[0]["rvprop"])


def test_only_as_many_requests_as_the_caller_reads() -> None:
    call = FakeHistory(10_000)
    revisions = newest_revisions(call, "Project:P")
    assert call.seen == []  # nothing is asked before the first revision is wanted
    assert [r.revid for r in islice(revisions, 50)] == list(range(10_000, 9_950, -1))
    assert len(call.seen) == 1
    assert next(revisions).revid == 9_950
    assert len(call.seen) == 2


def test_a_missing_page_has_no_revisions() -> None:
    def call(**params: object) -> dict:
        return {"query": {"pages": [{"ns": 4, "title": "Project:P", "missing": True}]}}

    assert list(newest_revisions(call, "Project:P")) == []


def test_a_short_history_tells_its_creator() -> None:
    call = FakeHistory(10)
    revisions = newest_revisions(call, "Project:P")
    assert revisions.creator is None  # nothing read yet
    next(revisions)
    assert revisions.creator == "HubBot"  # revision 1 came in the first request
    assert len(call.seen) == 1


def test_a_long_history_leaves_the_creator_to_be_asked() -> None:
    call = FakeHistory(120)
    revisions = newest_revisions(call, "Project:P")
    next(revisions)
    assert revisions.creator is None  # the first revision is two requests further back
    list(revisions)
    assert revisions.creator == "HubBot"
