"""Every kind of request ``hubbot run`` carries out writes its pages the same way."""

from __future__ import annotations

from bots.config import Config, WikibaseConfig, WikiConfig
from bots.hub import Hub
from bots.jobs.context import Job
from bots.jobs.pages import run_pages


def job(wikibase_api: str) -> Job:
    config = Config(
        wiki=WikiConfig(api="https://commons.example/w/api.php", username="Bot"),
        wikibase=WikibaseConfig(api=wikibase_api),
    )
    # the pages are only made here, not written: no wiki, store, gate or fetcher is used
    return Job(config, None, None, Hub("Project:Hub"), None, None, None)  # type: ignore[arg-type]


def test_a_runs_pages_link_items_on_the_configured_wikibase_and_purge_at_the_end() -> None:
    on_wikidata = job("https://www.wikidata.org/w/api.php")
    pages = run_pages(on_wikidata)
    assert pages.item_link("Q42") == "[[d:Special:EntityPage/Q42|Q42]]"
    pages.purge("Project:Hub/Requests/A")
    assert on_wikidata.purges == {"Project:Hub/Requests/A"}  # left for the run's end


def test_items_of_the_wiki_itself_are_linked_locally() -> None:
    assert run_pages(job("")).item_link("Q42") == "[[Special:EntityPage/Q42|Q42]]"
