"""What becomes of each record's item, and the part of the preview id it makes (pure).

For every record with a file the run looks for an existing item (by the
identifier, then exact label and description, then the bot's own journal;
:mod:`bots.jobs.item_match`), and from what it found decides here:

| found | items = create | items = match |
|---|---|---|
| one item | link it, add the missing statements | the same |
| several | ambiguous: a problem on the preview, no item | the same |
| none | create it | leave the record without an item |
| (the draft has problems) | refused: a problem on the preview, no item | the same |

The preview id covers the decisions and the drafts, so an approval approves
the items with the files. It leaves out what does not change what is
approved: the day the source was read (P813 of the references), and for an
item to create, whether the bot has created it already (a second run must
give the same id as the first).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bots.i18n import Message, Param, items, msg
from bots.model import Problem
from bots.pipeline.item_drafts import ItemDraft

# --- the sentences a partner reads (one place) ----------------------------------------
#: Each problem's message key and the names of its parameters, in order.
SAY: dict[str, tuple[str, tuple[str, ...]]] = {
    "refused": ("hubbot-items-item-plan-refused", ("reasons",)),
    "ambiguous": ("hubbot-items-item-plan-ambiguous", ("count", "items")),
}


def say(key: str, **values: Param) -> Message:
    """The message ``key`` of :data:`SAY`, with its values."""
    name, params = SAY[key]
    return msg(name, *(values[p] for p in params))


class ItemAction(StrEnum):
    CREATE = "create"
    MATCH = "match"
    AMBIGUOUS = "ambiguous"
    #: ``items = match`` and no item found: the record is left without one
    NONE = "none"
    #: the draft has problems: never sent
    REFUSED = "refused"


@dataclass(frozen=True)
class Found:
    """What looking for a record's existing item found, and how."""

    ids: tuple[str, ...] = ()
    how: str = ""  # "identifier", "label", "journal"


@dataclass(frozen=True)
class ItemDecision:
    """One record's item: what the bot will do, the item it is about and the draft."""

    draft: ItemDraft
    action: ItemAction
    item: str = ""  # the matched item, or the item the bot created already
    candidates: tuple[str, ...] = ()  # the items an ambiguous record matches
    how: str = ""
    #: the journal says the bot created or linked this record's item already
    done: bool = False

    @property
    def record_id(self) -> str:
        return self.draft.record_id

    @property
    def writes(self) -> bool:
        """Whether the run sends anything for this record (a new item, or missing statements)."""
        return self.action in (ItemAction.CREATE, ItemAction.MATCH)

    def problem(self) -> Problem | None:
        where = msg("hubbot-where-record", self.record_id)
        if self.action is ItemAction.REFUSED:
            reasons = items(self.draft.problems, "semicolon")
            return Problem(where, say("refused", reasons=reasons))
        if self.action is ItemAction.AMBIGUOUS:
            found = ", ".join(self.candidates)
            return Problem(where, say("ambiguous", count=len(self.candidates), items=found))
        return None


def decide(draft: ItemDraft, creates: bool, found: Found) -> ItemDecision:
    """The decision for one record from what was found (see the module's table)."""
    if not draft.ok:
        return ItemDecision(draft, ItemAction.REFUSED)
    ids = tuple(dict.fromkeys(found.ids))
    if len(ids) == 1:
        return ItemDecision(draft, ItemAction.MATCH, item=ids[0], how=found.how)
    if len(ids) > 1:
        return ItemDecision(draft, ItemAction.AMBIGUOUS, candidates=ids, how=found.how)
    return ItemDecision(draft, ItemAction.CREATE if creates else ItemAction.NONE)


@dataclass(frozen=True)
class ItemPlan:
    """Every record's item decision, in record order, and notes on how items were looked for."""

    decisions: tuple[ItemDecision, ...] = ()
    notes: tuple[Message, ...] = ()

    def count(self, action: ItemAction) -> int:
        return sum(1 for d in self.decisions if d.action is action)

    def problems(self) -> list[Problem]:
        return [p for d in self.decisions if (p := d.problem()) is not None]

    def of(self, record_id: str) -> ItemDecision | None:
        return next((d for d in self.decisions if d.record_id == record_id), None)

    def digest(self, retrieved: str) -> str:
        """What the preview id covers of the items (see the module's docstring)."""
        return plan_digest(self.decisions, retrieved)


def plan_digest(decisions: Iterable[ItemDecision], retrieved: str) -> str:
    digest = hashlib.sha256()
    for decision in decisions:
        item = "" if decision.action is ItemAction.CREATE else decision.item
        line = [
            decision.record_id,
            decision.action.value,
            item,
            list(decision.candidates),
            _without_property(decision.draft.entity.to_json(), retrieved),
            [str(problem) for problem in decision.draft.problems],  # their English text
        ]
        digest.update(json.dumps(line, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def _without_property(data: Any, prop: str) -> Any:
    """The entity's JSON without the snaks of ``prop`` (the retrieval date of references)."""
    if isinstance(data, dict):
        return {k: _without_property(v, prop) for k, v in data.items() if k != prop}
    if isinstance(data, list):
        return [_without_property(v, prop) for v in data if v != prop]
    return data


def first_drafts(decisions: Sequence[ItemDecision], limit: int) -> list[ItemDecision]:
    """The decisions the preview shows in full: the first ``limit`` that write or are refused."""
    shown = [d for d in decisions if d.action is not ItemAction.NONE]
    return shown[:limit]
