"""The state store: the journal that makes runs resumable (DESIGN.md "State").

The wiki is the truth for what exists; this store remembers, per request and
record, the planned title, the SHA-1 once known, the outcome, the reason and
the number of attempts, so that an interrupted run picks up where it stopped
and a finished record costs nothing on the next run. It also keeps a few facts
per request (state, preview id, when the status page was last saved), the
upload stash of chunked uploads under way, one lease per request so that two
overlapping scheduled runs never work on the same request, and small dated
snapshots for reports.

One :class:`StateStore` object is one database; its parts live by topic in
the modules of this package (each a subclass of :class:`db.Database`).
"""

from __future__ import annotations

from bots.pipeline.undo import PageEdit
from bots.store.bot_pages import BotPageJournal, SavedPage, text_sha1
from bots.store.db import StateStoreError, display_url, toolsdb_url, utc_now
from bots.store.edits import EditBase, Edits
from bots.store.facts import Facts
from bots.store.file_claims import FileClaims
from bots.store.item_claims import ItemClaims
from bots.store.items import ItemEntry, ItemJournal, ItemState, identifier_key, terms_key
from bots.store.journal import Journal, Outcome, RecordState
from bots.store.leases import Lease, Leases
from bots.store.lookups import Lookups, lookup_key
from bots.store.schema import HUB_WIDE, MAX_NAME_CHARS, TOOLSDB_HOST
from bots.store.snapshots import Snapshots
from bots.store.stashes import Stashes
from bots.store.structured import DataState, StructuredJournal, StructuredState


class StateStore(
    Journal,
    Stashes,
    Facts,
    Leases,
    Snapshots,
    StructuredJournal,
    ItemJournal,
    Lookups,
    Edits,
    ItemClaims,
    FileClaims,
    BotPageJournal,
):
    """The journal of every request's records, plus stashes, facts, leases, snapshots,
    the structured data of uploaded files, the records' items, kept Wikibase answers and
    the bases and edits of batch edits, and what batch edits added to files' structured data."""


__all__ = [
    "DataState",
    "SavedPage",
    "text_sha1",
    "EditBase",
    "PageEdit",
    "StructuredState",
    "HUB_WIDE",
    "ItemEntry",
    "ItemState",
    "identifier_key",
    "lookup_key",
    "terms_key",
    "MAX_NAME_CHARS",
    "TOOLSDB_HOST",
    "Lease",
    "Outcome",
    "RecordState",
    "StateStore",
    "StateStoreError",
    "display_url",
    "toolsdb_url",
    "utc_now",
]
