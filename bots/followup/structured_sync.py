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

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from bots.i18n import Message, msg
from bots.statements import EntityDraft, EntityState, HeldStatement, Statement, Value


def _note(kind: str, change: str, what: str) -> Message:
    """What the community did to a property's statements or a caption, and what sync did.

    ``kind`` is ``statements`` or ``caption``, ``change`` one of ``added``,
    ``changed`` and ``removed``; ``what`` the property or the caption's language.
    """
    return msg(f"hubbot-sync-structured-{kind}-{change}", what)


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
    #: what the community added, changed or removed: kept
    community: tuple[Message, ...] = ()

    @property
    def changed(self) -> bool:
        return not self.send.empty


def _shown(value: Value | None) -> str:
    """A value as the conflict table quotes it; "?" for a kind the bot does not read."""
    return "?" if value is None else value.shown()


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
    community: list[Message] = []
    properties = dict.fromkeys(
        [s.property for s in (*base.statements, *ours.statements)]
        + [h.property for h in theirs.statements]
    )
    for prop in properties:
        b = [s for s in base.statements if s.property == prop]
        o = [s for s in ours.statements if s.property == prop]
        t = [h for h in theirs.statements if h.property == prop]
        b_keys, o_keys, t_keys = {s.key() for s in b}, {s.key() for s in o}, {h.key() for h in t}
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
        else:
            community.append(_note("statements", _change(b_keys, t_keys), prop))
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
    community: list[Message],
) -> tuple[dict[str, str], dict[str, str]]:
    """(captions to set, the captions' new base), one language at a time."""
    send: dict[str, str] = {}
    new_base: dict[str, str] = {}
    for language in dict.fromkeys([*base.labels, *ours.labels, *theirs.labels]):
        b, o, t = base.labels.get(language), ours.labels.get(language), theirs.labels.get(language)
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
        else:
            change = _change([] if b is None else [b], [] if t is None else [t])
            community.append(_note("caption", change, language))
    return send, new_base


def _change(base: Collection[object], theirs: Collection[object]) -> str:
    """What the wiki did, from what the bot wrote (``base``) and what is there now."""
    if not base:
        return "added"
    return "removed" if not theirs else "changed"
