"""What undoing a request takes back from Wikidata items (SPEC 13), decided from the
journal and the items as they are now (pure).

The journal keeps each statement the bot added to an item (its id and a
digest of what it held), and the item's revision after the bot's last edit.
The undo removes them, never an item, and never more:

- on an item the bot *created*, its statements go only when nobody edited the
  item after the bot (the item's newest revision is the bot's); otherwise the
  item stays as it is and is listed;
- on an existing item the bot *matched*, each statement it added goes when it
  is still there exactly as the bot wrote it (same id, value, qualifiers,
  references and rank); one someone changed stays and is listed, one someone
  removed already is nothing to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bots.i18n.message import msg
from bots.pipeline.undo import Left
from bots.statements import EntityState, HeldStatement


@dataclass(frozen=True)
class ItemClaim:
    """A statement the bot added to an item for a record (from the journal)."""

    item: str
    claim: str  # the statement's id (GUID)
    property: str
    digest: str  # what it held when the bot wrote it (:func:`bots.statements.statement_digest`)
    revid: int  # the item's revision after the bot's edit
    record_id: str
    created: bool  # the bot created the item


@dataclass(frozen=True)
class ItemRemoval:
    """The bot's statements to remove from one item: one ``wbremoveclaims``."""

    item: str
    claims: tuple[str, ...]
    properties: tuple[str, ...]
    revid: int  # the item's revision the plan was made from

    @property
    def title(self) -> str:
        return entity_page(self.item)


def entity_page(item: str) -> str:
    """The page that shows an item on any Wikibase, whatever its namespace."""
    return f"Special:EntityPage/{item}"


def added_statements(
    before: Iterable[HeldStatement], after: Iterable[HeldStatement], sent: Iterable[tuple[str, str]]
) -> list[HeldStatement]:
    """The statements an edit added: in ``after``, not in ``before``, and among those ``sent``."""
    had = {h.id for h in before}
    wanted = set(sent)
    return [h for h in after if h.id and h.id not in had and h.key() in wanted]


def plan_item_undo(
    claims: Iterable[ItemClaim], now: Mapping[str, EntityState]
) -> tuple[tuple[ItemRemoval, ...], tuple[Left, ...]]:
    """The removals, and what is left and why, given the items as they are now."""
    by_item: dict[str, list[ItemClaim]] = {}
    for claim in claims:
        by_item.setdefault(claim.item, []).append(claim)
    removals: list[ItemRemoval] = []
    left: list[Left] = []
    for item, mine in by_item.items():
        state = now.get(item)
        page = entity_page(item)
        if state is None or not state.exists:
            left.append(Left(page, msg("hubbot-undo-item-gone")))
            continue
        edited_after = state.revid != max(c.revid for c in mine)
        if edited_after and any(c.created for c in mine):
            left.append(Left(page, msg("hubbot-undo-item-edited-after")))
            continue
        held = {h.id: h for h in state.statements}
        take: list[ItemClaim] = []
        for claim in mine:
            there = held.get(claim.claim)
            if there is None:
                continue  # someone removed it already
            if there.digest != claim.digest:
                left.append(Left(page, msg("hubbot-undo-item-statement-changed", claim.property)))
            else:
                take.append(claim)
        if take:
            removals.append(
                ItemRemoval(
                    item,
                    tuple(c.claim for c in take),
                    tuple(dict.fromkeys(c.property for c in take)),
                    state.revid,
                )
            )
    return tuple(removals), tuple(left)
