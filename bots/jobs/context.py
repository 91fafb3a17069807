"""What every command that works on a hub's requests shares.

A :class:`Job` holds the configuration, the wiki, the state store, the hub's
page names, the partner fetcher and the write gate of one command's run, and
the few things they all need: which requests there are, and a request's
source read within its share of the time budget.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bots.config import Config
from bots.hub import Hub
from bots.i18n import PageLanguage
from bots.jobs.entity_cache import EntityCache
from bots.jobs.session import WriteGate
from bots.jobs.wikibase_reader import WikibaseReader
from bots.model import MappingTable, Record, Request
from bots.net.fetch import Fetcher, FetchPolicy
from bots.pipeline.approval import Approvers
from bots.pipeline.plan import letters_to_ask
from bots.pipeline.titles import STOCK_RULES, TitleRules
from bots.progress import Bars
from bots.sources import SourceData, open_source
from bots.store import StateStore
from bots.wiki import Wiki, WikiError, user_agent

log = logging.getLogger(__name__)


class NoSuchRequest(WikiError):
    """The command named a request the hub does not have."""


@dataclass
class Job:
    """One command's run over a hub: its wiki, store, gate, fetcher and progress lines."""

    config: Config
    wiki: Wiki
    store: StateStore
    hub: Hub
    gate: WriteGate
    fetcher: Fetcher
    approvers: Approvers
    progress: Callable[[str], None] = log.info
    #: the wiki's capitalisation of the first letters asked so far in this run
    known_titles: TitleRules | None = field(default=None, repr=False)
    #: the Wikibase that holds items, when it is not the wiki itself (connected when needed)
    _item_wiki: Wiki | None = field(default=None, repr=False)
    #: progress bars of long work (drawn on a terminal only)
    bars: Bars = field(default_factory=Bars, repr=False)
    #: the pages under the hub's Requests/ and their revisions, as read once in this run
    _listing: dict[str, int] | None = field(default=None, repr=False)
    #: what this run learnt from the Wikibase (entities, languages, MediaInfo), asked once
    entity_cache: EntityCache = field(default_factory=EntityCache, repr=False)
    #: the run's reads of that Wikibase, kept and counted (made when first needed)
    _reader: WikibaseReader | None = field(default=None, repr=False)
    #: pages that show a bot page this run saved, purged together when the run ends
    purges: set[str] = field(default_factory=set, repr=False)

    def purge_pending(self) -> None:
        """Purge in one request the pages that show a bot page this run saved."""
        titles, self.purges = sorted(self.purges), set()
        if not titles:
            return
        try:
            self.wiki.purge(titles)
        except WikiError as e:  # only a delay in what the pages show
            log.debug("purging %s failed: %s", ", ".join(titles), e)

    @property
    def wikibase_reader(self) -> WikibaseReader:
        """The item Wikibase's answers of this run (suggestions, item lookups, labels)."""
        if self._reader is None:
            self._reader = WikibaseReader(self.wikibase, scan_limit=self.config.wikibase.scan_limit)
        return self._reader

    @property
    def wikibase(self) -> Wiki:
        """The Wikibase of items (``wikibase.api``): the wiki itself unless configured apart."""
        api = self.config.wikibase.api
        if not api or api == self.wiki.api:
            return self.wiki
        if self._item_wiki is None:
            self._item_wiki = Wiki.connect(
                api,
                self.config.wiki.username,
                self.config.wiki.password,
                contact=self.config.wiki.contact,
                maxlag=self.config.wiki.maxlag,
                timeout=self.config.wiki.timeout,
            )
        # the write gate guards the Wikibase too (the wiki's guard is set while the gate is open)
        self._item_wiki.guard = self.wiki.guard
        return self._item_wiki

    @classmethod
    def open(
        cls,
        config: Config,
        wiki: Wiki,
        store: StateStore,
        *,
        max_seconds: float | None = None,
        max_files: int | None = None,
        fetcher: Fetcher | None = None,
        progress: Callable[[str], None] = log.info,
        clock: Callable[[], float] = time.monotonic,
        bars: Bars | None = None,
    ) -> Job:
        """A job for ``config``'s hub; its gate opens with ``with job.gate:``."""
        hub = Hub(wiki.normalize(config.hub.root))
        approvers = Approvers(config.approvers.groups, config.approvers.users)
        gate = WriteGate(
            wiki=wiki,
            store=store,
            stop_page=hub.stop,
            dashboard=hub.dashboard,
            approvers=approvers,
            max_seconds=max_seconds,
            max_files=max_files,
            clock=clock,
            progress=progress,
            language=wiki.content_language(),
        )
        fetcher = fetcher or Fetcher(
            FetchPolicy.from_config(
                config.sources,
                user_agent=user_agent(config.wiki.contact),
                timeout=float(config.sources.timeout),
            )
        )
        return cls(
            config, wiki, store, hub, gate, fetcher, approvers, progress, bars=bars or Bars()
        )

    # -- which requests -----------------------------------------------------------
    def hub_pages(self) -> dict[str, int]:
        """Every page under ``R/Requests/`` with its current revision id, read once per run.

        One listing tells a run which requests there are and whether their
        pages changed since they were done (:mod:`bots.jobs.unchanged`).
        """
        if self._listing is None:
            self._listing = self.wiki.subpage_revisions(self.hub.requests_prefix)
        return self._listing

    def request_names(self) -> list[str]:
        """Every request of the hub: the pages directly under ``R/Requests/``."""
        return sorted(name for name in map(self.hub.request_name, self.hub_pages()) if name)

    def select(self, only: str | None) -> list[str]:
        """The requests a command works on: all, or the one it names (which must exist)."""
        names = self.request_names()
        if only is None:
            return names
        wanted = only.replace("_", " ")
        if wanted not in names:
            raise NoSuchRequest(
                "norequest", f"There is no request {only} under {self.hub.requests_prefix}."
            )
        return [wanted]

    # -- reading a request's inputs ----------------------------------------------------
    def open_source(self, request: Request) -> SourceData:
        """The request's records, read through the safe fetcher within its share of the budget."""
        source_dir = Path(self.config.upload.work_dir) / "sources"
        source_dir.mkdir(parents=True, exist_ok=True)
        return open_source(
            request.source,
            request.format,
            request.options,
            fetcher=self.fetcher,
            read_wiki_page=self._read_wiki_text,
            workdir=source_dir,
            split=request.split,
            max_seconds=self.gate.source_seconds(),
        )

    def _read_wiki_text(self, title: str) -> str | None:
        info = self.wiki.read_page(title)
        return info.text if info.exists else None

    def mapping_tables(self, name: str, request: Request) -> dict[str, MappingTable]:
        """The request's mapping tables as they are on the wiki (read only)."""
        from bots.pipeline.mapping import mapping_from_text

        titles = {c: self.hub.mapping(name, c) for c in request.mapped}
        pages = self.wiki.read_pages(titles.values())
        return {
            c: mapping_from_text(name, c, pages[t].text if pages[t].exists else "")
            for c, t in titles.items()
        }

    def title_rules(
        self,
        request: Request,
        records: Iterable[Record],
        tables: Mapping[str, MappingTable],
        *,
        title_letters: Iterable[str] | None = None,
    ) -> TitleRules:
        """The wiki's own capitalisation of the first letters this batch's titles start with.

        Asked once per letter and run, so the preview shows the titles the
        wiki will store (SPEC 5, 8). Titles starting with ASCII capitals, digits
        or signs cost no request: every wiki leaves those as they are.
        ``title_letters``: the records' first letters, when a pass already
        collected them (the records are then not read here).
        """
        letters = letters_to_ask(request, records, tables, title_letters=title_letters)
        if not letters:
            return STOCK_RULES
        self.known_titles = self.wiki.title_rules(letters, self.known_titles)
        return self.known_titles

    # -- languages ---------------------------------------------------------------------
    def page_language(self, name: str | None = None) -> PageLanguage:
        """The language of a request's pages (its ``|language=``), or of the hub's pages."""
        content = self.wiki.content_language()
        language = self.store.request_facts(name).language if name is not None else ""
        return PageLanguage(language or content, content)

    # -- where downloads go ------------------------------------------------------------
    def media_dir(self, name: str) -> Path:
        """A folder of this run's own for a request's media: other runs may download beside it."""
        key = hashlib.sha1(name.encode()).hexdigest()[:16]
        holder = self.gate.holder.replace(":", "-")
        return Path(self.config.upload.work_dir) / "media" / holder / key
