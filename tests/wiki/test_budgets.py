"""A run's time budget bounds every read, on the real wiki (SPEC 7, issue: budgets that bound).

``hubbot run --max-seconds N`` runs as a real process. Partner servers that
misbehave are real loopback sockets: one accepts the connection and never
answers, one refuses it. Each costs at most its request's share of the
budget, its status page says what happened in plain words, and a healthy
request after them still gets its preview; the whole process ends within N
seconds plus a margin for starting Python, logging in and writing the last
status pages and the dashboard.
"""

from __future__ import annotations

import html
import re
import time

from bots.store import Outcome
from tests.support.plainwords import assert_plain
from tests.support.rawserver import RawServer, mute, refused_port
from tests.support.workflow import Workflow

#: the budget given to the runs below
BUDGET = 5.0
#: what a run may take beyond its budget: starting Python, logging in, the last
#: status pages and the dashboard (measured at 2 to 5 s on an idle machine; doubled
#: for a machine that runs other tests beside it)
MARGIN = 10.0


def problems(flow: Workflow, name: str) -> list[str]:
    """The problem lines on an invalid request's status page."""
    text = flow.status_text(name)
    assert flow.status(name)["state"] == "invalid", text
    return re.findall(r"^\* '''(?:source|[^']+)''': (.*)$", text, re.MULTILINE)


def timed_run(flow: Workflow, *args: str) -> float:
    started = time.monotonic()
    result = flow.run_cli("run", *args)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    print(f"hubbot run {' '.join(args)}: {elapsed:.1f} s")  # the figure the README quotes
    return elapsed


def test_mute_and_refusing_sources_cost_only_their_share(flow: Workflow) -> None:
    """sources.timeout is its default (300 s): only the budget can end the mute source's wait."""
    port = refused_port()
    with RawServer(mute) as silent:
        flow.file_request("A mute", source=silent.url("/export.csv"))
        flow.file_request("B refusing", source=f"http://127.0.0.1:{port}/export.csv")
        flow.file_request("C healthy", rows=flow.rows(2))
        elapsed = timed_run(flow, "--max-seconds", f"{BUDGET:g}")
        assert silent.connections == 1
    assert elapsed < BUDGET + MARGIN

    [mute_problem] = problems(flow, "A mute")
    assert mute_problem.startswith(
        "the source could not be read: the server at 127.0.0.1 accepted the connection "
        "but did not answer within "
    )
    assert "of its time budget; the next run tries again" in mute_problem
    # the first of three requests gets a third of the budget (or the floor), not all of it
    waited = float(re.search(r"did not answer within ([\d.]+) s", mute_problem).group(1))
    assert waited <= BUDGET / 3 + 0.5

    [refused_problem] = problems(flow, "B refusing")
    assert refused_problem == (
        "the source could not be read: could not connect to 127.0.0.1: the server refused "
        f"the connection (nothing is listening on port {port})"
    )
    for message in (mute_problem, refused_problem):
        assert_plain(html.unescape(message))

    assert flow.status("C healthy")["state"] == "awaiting-approval"
    assert flow.preview_id("C healthy")


def test_a_mute_media_server_ends_the_run_within_its_budget(flow: Workflow) -> None:
    """The download is cut at the end of the budget and the record waits for the next run."""
    with RawServer(mute) as silent:
        rows = flow.rows(3)
        rows[0]["image"] = silent.url("/huge.tif")
        flow.file_request("Slow media", rows=rows)
        flow.run(request="Slow media", max_seconds=BUDGET)
        flow.approve("Slow media")
        assert silent.connections == 1  # the preview reads the file it shows
        elapsed = timed_run(flow, "--request", "Slow media", "--max-seconds", f"{BUDGET:g}")
        # read again for this run's preview, and (when the budget is not used up by then)
        # for the upload; each read ends by the budget
        assert silent.connections in (2, 3)
    assert elapsed < BUDGET + MARGIN
    # the budget ended the run while it read the previewed files (the request stays as it
    # was) or while it downloaded the file for its upload (the next run carries on)
    status = flow.status("Slow media")
    if status["state"] == "uploading":
        assert f"the time budget of {BUDGET:g} s is used up" in flow.status_text("Slow media")
    else:
        assert status["state"] == "awaiting-approval", flow.status_text("Slow media")
    store = flow.store()
    try:
        counts = store.counts("Slow media")
    finally:
        store.close()
    # not failed: the partner did nothing wrong, and the next run downloads it again
    assert counts[Outcome.FAILED] == 0
    assert counts[Outcome.UPLOADED] == 0


def test_a_login_page_where_csv_should_be_is_one_clear_message(flow: Workflow) -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Sign in | Museum</title></head>"
        b"<body><form><input name=user></form></body></html>"
    )
    url = flow.media.put("export.csv", page)
    flow.file_request("Login page", source=url, format="csv")
    assert flow.run(request="Login page").requests == {"Login page": "invalid"}
    [problem] = problems(flow, "Login page")
    assert problem.startswith(
        'the source address gave a web page (HTML), not CSV data: "Sign in &#124; Museum"'
    ), problem
    assert "column" not in flow.status_text("Login page")
