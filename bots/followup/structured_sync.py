"""Keeping a file's structured data in step with the partner's data, three ways (SPEC 11).

As for template fields (:mod:`bots.followup.merge`), three versions meet:

- *base*: what the bot last wrote (the journal keeps it),
- *ours*: what the bot would write now, from the partner's data as it is now,
- *theirs*: the file's MediaInfo entity as it is now.

Statements are merged one property at a time, captions one language at a time:

- nobody on the wiki touched it (theirs equals base): it takes the partner's
  new values: statements the data no longer gives are removed (they are the
  bot's own, as it wrote them), new ones are added;
- the community changed it and the partner's data did not: kept, and listed;
- both changed it, differently: the wiki keeps the community's version and the
  change is listed as a conflict for a person to decide;
- statements and captions the community added are never touched, and listed.

Everything here is pure; the result is one ``wbeditentity`` per file at most.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bots.statements import EntityDraft, EntityState, HeldStatement, Statement, Value

#: The sentences this merge writes, in one place.
WORDS: dict[str, str] = {
    "added": "{what} was added on the wiki; kept",
    "changed": "{what} was changed on the wiki; kept",
    "removed": "{what} was removed on the wiki; not added again",
    "caption": "the caption ({language})",
    "statements": "the {prop} statements",
}


@dataclass(frozen=True)
class DataConflict:
    """A property or caption both the community and the partner's data changed, differently."""

    param: str  # "P217" or "caption (en)"
    base: str | None
    ours: str | None
    theirs: str | None


@dataclass(frozen=True)
class StructuredSync:
    """What sync does to one file's entity, and what it reports."""

    send: EntityDraft  # statements to add, captions to set, statement ids to remove
    base: EntityDraft  # what the bot has written once this is sent: the next sync's base
    conflicts: tuple[DataConflict, ...] = ()
    community: tuple[str, ...] = ()  # what the community added, changed or removed: kept

    @property
    def changed(self) -> bool:
        return not self.send.empty


def _shown(value: Value | None) -> str:
    return "(a value of another kind)" if value is None else value.shown()


def _values(statements: Iterable[Statement]) -> str:
    return "; ".join(sorted(s.snak.value.shown() for s in statements))


def _held_values(held: Iterable[HeldStatement]) -> str:
    return "; ".join(sorted(_shown(h.value) for h in held))


def merge_structured(base: EntityDraft, ours: EntityDraft, theirs: EntityState) -> StructuredSync:
    """The three-way merge of one file's captions and statements (see the module doc)."""
    add: list[Statement] = []
    remove: list[str] = []
    new_base: list[Statement] = []
    conflicts: list[DataConflict] = []
    community: list[str] = []
    properties = dict.fromkeys(
        [s.property for s in (*base.statements, *ours.statements)]
        + [h.property for h in theirs.statements]
    )
    for prop in properties:
        b = [s for s in base.statements if s.property == prop]
        o = [s for s in ours.statements if s.property == prop]
        t = [h for h in theirs.statements if h.property == prop]
        b_keys, o_keys, t_keys = {s.key() for s in b}, {s.key() for s in o}, {h.key() for h in t}
        what = WORDS["statements"].format(prop=prop)
        if t_keys == b_keys:  # nobody on the wiki touched it: the partner's data decides
            add += [s for s in o if s.key() not in t_keys]
            remove += [h.id for h in t if h.key() not in o_keys]
            new_base += o
            continue
        if o_keys == t_keys:  # the wiki already says what the partner's data says now
            new_base += o
            continue
        new_base += b  # the community's version stays, and the base stays what the bot wrote
        if o_keys != b_keys:
            conflicts.append(
                DataConflict(prop, _values(b) or None, _values(o) or None, _held_values(t) or None)
            )
        elif not b_keys:
            community.append(WORDS["added"].format(what=what))
        elif not t_keys:
            community.append(WORDS["removed"].format(what=what))
        else:
            community.append(WORDS["changed"].format(what=what))
    labels, label_base = _captions(base, ours, theirs, conflicts, community)
    return StructuredSync(
        send=EntityDraft(labels=labels, statements=tuple(add), remove=tuple(remove)),
        base=EntityDraft(labels=label_base, statements=tuple(new_base)),
        conflicts=tuple(conflicts),
        community=tuple(community),
    )


def _captions(
    base: EntityDraft,
    ours: EntityDraft,
    theirs: EntityState,
    conflicts: list[DataConflict],
    community: list[str],
) -> tuple[dict[str, str], dict[str, str]]:
    """(captions to set, the captions' new base), one language at a time."""
    send: dict[str, str] = {}
    new_base: dict[str, str] = {}
    for language in dict.fromkeys([*base.labels, *ours.labels, *theirs.labels]):
        b, o, t = base.labels.get(language), ours.labels.get(language), theirs.labels.get(language)
        what = WORDS["caption"].format(language=language)
        kept = o if o is not None else b
        if t == b or o == t:  # untouched on the wiki (a caption is never removed), or agreed
            if o is not None and o != t:
                send[language] = o
            if kept is not None:
                new_base[language] = kept
            continue
        if b is not None:
            new_base[language] = b
        if o is not None and o != b:
            conflicts.append(DataConflict(f"caption ({language})", b, o, t))
        elif b is None:
            community.append(WORDS["added"].format(what=what))
        elif t is None:
            community.append(WORDS["removed"].format(what=what))
        else:
            community.append(WORDS["changed"].format(what=what))
    return send, new_base
