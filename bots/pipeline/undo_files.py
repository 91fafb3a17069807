"""What undoing a batch edit takes back from the files' structured data (SPEC 13), decided
from the journal and the files' MediaInfo entities as they are now (pure).

A batch edit adds statements and captions to files someone else uploaded; the
journal keeps each statement it added (its id and a digest of what it held)
and each caption (its language and text). The undo removes them where they
are still exactly as the bot wrote them, never more:

- a statement someone changed since (value, qualifiers, references or rank)
  stays and is listed; one someone removed already is nothing to do;
- a caption someone edited since stays and is listed; one someone removed
  already is nothing to do.

Statements the bot added to files it *uploaded* go with the files (the undo
lists those for deletion), so they are not journalled here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bots.i18n.message import msg
from bots.pipeline.undo import Left
from bots.statements import EntityState

STATEMENT, CAPTION = "statement", "caption"


@dataclass(frozen=True)
class FileClaim:
    """A statement or a caption the bot added to a file's MediaInfo entity (from the journal)."""

    entity: str  # M<page id>
    title: str  # the file, with File:
    kind: str  # STATEMENT or CAPTION
    key: str  # the statement's id (GUID), or the caption's language
    property: str  # the statement's property ("" for a caption)
    #: a statement's digest (:func:`bots.statements.statement_digest`), or the caption's text
    value: str
    record_id: str


@dataclass(frozen=True)
class FileRemoval:
    """The bot's statements and captions to remove from one file: one ``wbeditentity``."""

    entity: str
    title: str
    claims: tuple[str, ...]
    properties: tuple[str, ...]
    captions: tuple[str, ...]  # languages
    revid: int  # the entity's (the file page's) revision the plan was made from

    def key(self) -> str:
        """What the undo's preview id covers of it."""
        return (
            f"unfile {self.entity} {self.revid} {','.join(self.claims)} {','.join(self.captions)}"
        )


def captions_added(sent: Mapping[str, str], now: Mapping[str, str]) -> dict[str, str]:
    """The captions of ``sent`` the entity holds now exactly as sent (the bot's)."""
    return {lang: text for lang, text in sent.items() if now.get(lang) == text}


def plan_file_undo(
    claims: Iterable[FileClaim], now: Mapping[str, EntityState]
) -> tuple[tuple[FileRemoval, ...], tuple[Left, ...]]:
    """The removals, and what is left and why, given the entities as they are now."""
    by_entity: dict[str, list[FileClaim]] = {}
    for claim in claims:
        by_entity.setdefault(claim.entity, []).append(claim)
    removals: list[FileRemoval] = []
    left: list[Left] = []
    for entity, mine in by_entity.items():
        title = mine[0].title
        state = now.get(entity)
        if state is None or not state.exists:
            left.append(Left(title, msg("hubbot-undo-file-data-gone")))
            continue
        held = {h.id: h for h in state.statements}
        statements: list[FileClaim] = []
        captions: list[str] = []
        for claim in mine:
            if claim.kind == STATEMENT:
                there = held.get(claim.key)
                if there is None:
                    continue  # someone removed it already
                if there.digest != claim.value:
                    left.append(
                        Left(title, msg("hubbot-undo-item-statement-changed", claim.property))
                    )
                else:
                    statements.append(claim)
            elif claim.kind == CAPTION:
                caption = state.labels.get(claim.key)
                if caption is None:
                    continue
                if caption != claim.value:
                    left.append(Left(title, msg("hubbot-undo-caption-changed", claim.key)))
                else:
                    captions.append(claim.key)
        if statements or captions:
            removals.append(
                FileRemoval(
                    entity,
                    title,
                    tuple(c.key for c in statements),
                    tuple(dict.fromkeys(c.property for c in statements)),
                    tuple(captions),
                    state.revid,
                )
            )
    return tuple(removals), tuple(left)
