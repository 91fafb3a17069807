"""An idle hub: a scheduled ``hubbot run`` over a thousand finished requests.

Most runs of a hub change nothing: every request is done and nobody edited
its pages. Such a run should cost next to nothing, whatever the number of
requests. The hub is built like this:

1. one request goes through the whole workflow for real: the partner files
   it (one record, mapping tables for two columns), ``hubbot run`` previews
   it, the reviewer approves, ``hubbot run`` uploads its file; it is done;
2. it is copied until the hub has ``count`` requests: its request page and
   mapping pages are saved again under new names (MediaWiki's importDump.php,
   so every copy has a revision of its own; thousands of edits through the
   API would take many minutes), and its journal (facts and records) is
   copied through the state store's API with the copies' own page revisions,
   as a run that finished each of them would have left it;
3. one ``hubbot run`` brings the dashboard up to date (not timed);
4. the timed ``hubbot run``: what a scheduled run costs on this hub.

Every source is a CSV on the partner's server, so any source the idle run
reads counts as a download there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.batch import media_name, request_text, upload_rows, write_batch_csv
from bench.measure import ClientFailed, require_success, run_measured
from bench.report import IdleFigures
from bench.servers import MediaServer
from bench.wikis import BenchWiki, fresh_wiki
from bots.config import load_config
from bots.hub import Hub
from bots.pipeline.preview import preview_id_on_page
from bots.pipeline.request import set_param
from bots.reports.status import parse_status_line
from bots.store import StateStore

FIRST = "Idle 0001"


def idle_name(number: int) -> str:
    return f"Idle {number:04d}"


def _run_hubbot(wiki: BenchWiki, label: str, *args: str) -> Any:
    return require_success(
        f"hubbot run ({label})",
        run_measured(
            wiki.hubbot("run", *args),
            env=wiki.client_env("hubbot"),
            cwd=wiki.work,
            log_path=wiki.work / f"idle-{label}.log",
        ),
    )


def finish_one_request(wiki: BenchWiki, media: MediaServer, museum: Sequence[dict[str, str]]):
    """The first request, through the whole workflow; returns its hub and request text."""
    hub = Hub(load_config(wiki.config_path, environ={}).hub.root)
    rows = upload_rows(museum, 1)
    write_batch_csv(media.data / "idle.csv", rows, media.media_url)
    if not (media.media / media_name(rows[0])).exists():
        raise ClientFailed(f"the idle hub's file {media_name(rows[0])} is missing")
    partner = wiki.account("Partner")
    partner.edit(hub.request(FIRST), request_text(f"{media.data_url}/idle.csv"), "New request")
    _run_hubbot(wiki, "preview", "--request", FIRST)
    reviewer = wiki.account("Reviewer")
    pid = preview_id_on_page(reviewer.text(hub.preview(FIRST)) or "")
    page = reviewer.text(hub.request(FIRST)) or ""
    reviewer.edit(hub.request(FIRST), set_param(page, "approve", pid), f"Approve {pid}")
    _run_hubbot(wiki, "upload", "--request", FIRST)
    status = parse_status_line(reviewer.text(hub.status(FIRST)) or "")
    if status.get("state") != "done":
        raise ClientFailed(f"the idle hub's first request did not finish: {status}")
    return hub


def import_pages(wiki: BenchWiki, pages: dict[str, str], path: Path) -> None:
    """Save many pages at once with MediaWiki's importDump.php (each gets one revision)."""
    from xml.sax.saxutils import escape

    with path.open("w", encoding="utf-8") as out:
        out.write('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11">\n')
        for title, text in pages.items():
            out.write(
                f"<page><title>{escape(title)}</title><revision>"
                "<timestamp>2026-01-01T00:00:00Z</timestamp>"
                "<contributor><username>Admin</username></contributor>"
                "<model>wikitext</model><format>text/x-wiki</format>"
                f'<text xml:space="preserve">{escape(text)}</text>'
                "</revision></page>\n"
            )
        out.write("</mediawiki>\n")
    wiki.dev.php("maintenance/importDump.php", "--no-updates", str(path))


def revisions_under(wiki: BenchWiki, prefix: str) -> dict[str, int]:
    """The current revision of every page under ``prefix`` (as the wiki spells the titles)."""
    account = wiki.account("Admin")
    info = account._get(action="query", titles=prefix, formatversion="2")["query"]["pages"][0]
    params = {
        "action": "query",
        "generator": "allpages",
        "gapnamespace": str(info["ns"]),
        "gapprefix": info["title"].partition(":")[2] + "/",
        "gaplimit": "max",
        "prop": "info",
    }
    found: dict[str, int] = {}
    while True:
        data = account._get(**params)
        for page in data.get("query", {}).get("pages", []):
            found[page["title"]] = int(page["lastrevid"])
        if "continue" not in data:
            return found
        params.update(data["continue"])


def copy_request(wiki: BenchWiki, hub: Hub, count: int, log: Callable[[str], None]) -> None:
    """Copy the first request's pages and journal until the hub has ``count`` requests."""
    config = load_config(wiki.config_path, environ={})
    store = StateStore.from_url(config.state.url)
    try:
        facts = store.get_request(FIRST) or {}
        records = list(store.all(FIRST))
        inputs: dict[str, int] = facts.get("done_inputs") or {}
        if not inputs:
            raise ClientFailed("the first request's journal has no done_inputs to copy")
        reader = wiki.account("Admin")
        first_page = next(t for t in inputs if t.endswith("/" + FIRST))
        texts = {title: reader.text(title) or "" for title in inputs}
        pages: dict[str, str] = {}
        for number in range(2, count + 1):
            mine = first_page[: -len(FIRST)] + idle_name(number)
            for title, text in texts.items():
                if title == first_page or title.startswith(first_page + "/"):
                    pages[mine + title[len(first_page) :]] = text
        log(f"[idle] importing {len(pages)} pages")
        import_pages(wiki, pages, wiki.work / "idle-pages.xml")
        revisions = revisions_under(wiki, first_page.rsplit("/", 1)[0])
        log(f"[idle] copying the journal {count - 1} times")
        for number in range(2, count + 1):
            name = idle_name(number)
            mine = first_page[: -len(FIRST)] + name
            done_inputs = {}
            for title in texts:
                if title == first_page or title.startswith(first_page + "/"):
                    copied = mine + title[len(first_page) :]
                    done_inputs[copied] = revisions[copied]
                else:  # a page other requests may share (a data page): as it is
                    done_inputs[title] = inputs[title]
            store.set_request(name, **{**facts, "done_inputs": done_inputs})
            for state in records:
                store.finish(
                    name,
                    state.record_id,
                    state.outcome,
                    title=state.title,
                    sha1=state.sha1,
                    reason=state.reason,
                    existing_file=state.existing_file,
                )
    finally:
        store.close()


def measure_idle(
    count: int,
    museum: Sequence[dict[str, str]],
    media: MediaServer,
    work: Path,
    *,
    keep: bool = False,
    log: Callable[[str], None] = print,
) -> IdleFigures:
    """Build a hub of ``count`` finished requests, then time a scheduled run over it."""
    import time

    with fresh_wiki(work / "wikis", "idle", keep=keep, log=log) as wiki:
        started = time.monotonic()
        log(f"[idle] one request through the workflow, then {count - 1} copies")
        hub = finish_one_request(wiki, media, museum)
        if count > 1:
            copy_request(wiki, hub, count, log)
        setup = time.monotonic() - started
        mark = wiki.requests.mark()
        first = _run_hubbot(wiki, "first")
        first_requests = sum(wiki.requests.since(mark).values())
        mark = wiki.requests.mark()
        downloads, unchanged = sum(media.snapshot().values()), sum(media.unchanged.values())
        timed = _run_hubbot(wiki, "timed")
        requests = wiki.requests.since(mark)
        result = IdleFigures(
            requests=count,
            wall=timed.wall,
            cpu=timed.cpu,
            peak_rss_mb=timed.peak_rss_mb,
            wiki_requests=dict(requests),
            downloads=sum(media.snapshot().values()) - downloads,
            unchanged=sum(media.unchanged.values()) - unchanged,
            writes=sum(n for kind, n in requests.items() if _is_write(kind)),
            first_wall=first.wall,
            first_requests=first_requests,
            setup_seconds=setup,
        )
        log(
            f"[idle] {count} finished requests: {result.wall:.1f} s, "
            f"{result.requests_total} wiki requests, {result.downloads} downloads"
        )
        return result


def _is_write(kind: str) -> bool:
    action = kind.split()[1] if len(kind.split()) > 1 else ""
    return action in ("edit", "upload", "purge", "move", "delete", "wbeditentity")
