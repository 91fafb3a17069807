"""The journal of items and the kept Wikibase answers, on SQLite and on a real MariaDB server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bots.statements import HeldStatement, ItemValue
from bots.store import ItemState, StateStore, identifier_key, lookup_key, terms_key
from tests.store.test_state import Clock, clock, mariadb_server, url  # noqa: F401  (fixtures)


@pytest.fixture
def store(url: str, clock: Clock) -> Iterator[StateStore]:  # noqa: F811
    with StateStore.from_url(url, clock=clock) as opened:
        yield opened


def test_a_creation_is_in_flight_until_its_item_is_journalled(store: StateStore) -> None:
    ident = identifier_key("P217", "'N01'", "Q430682")
    store.begin_item(
        "Tate",
        "N01",
        label="Ünïcode label",
        description="a drawing",
        language="sv",
        identifier=ident,
    )
    entry = store.item_entry("Tate", "N01")
    assert entry is not None and entry.state is ItemState.IN_FLIGHT and entry.item == ""
    assert entry.label == "Ünïcode label" and entry.language == "sv"
    assert store.items_with_keys([terms_key("sv", "Ünïcode label", "a drawing")]) == {}
    store.finish_item("Tate", "N01", ItemState.CREATED, item="Q88088500")
    entry = store.item_entry("Tate", "N01")
    assert entry is not None and (entry.state, entry.item) == (ItemState.CREATED, "Q88088500")
    assert not entry.file_linked and not entry.image_done
    # the bot's own items answer by their terms and by their identifier, in any request
    found = store.items_with_keys([terms_key("sv", "Ünïcode label", "a drawing"), ident, "nothing"])
    assert found == {
        terms_key("sv", "Ünïcode label", "a drawing"): ["Q88088500"],
        ident: ["Q88088500"],
    }
    store.mark_item("Tate", "N01", file_linked=True)
    store.mark_item("Tate", "N01", image_done=True)
    entry = store.item_entry("Tate", "N01")
    assert entry is not None and entry.file_linked and entry.image_done


def test_matched_failed_and_forgotten_items(store: StateStore) -> None:
    store.finish_item(
        "Tate", "A", ItemState.MATCHED, item="Q5", label="a", description="b", language="en"
    )
    store.finish_item("Tate", "B", ItemState.FAILED, reason="x" * 5000)
    store.begin_item("Tate", "C", label="c", description="d", language="en")
    counts = store.item_counts("Tate")
    assert counts == {
        ItemState.IN_FLIGHT: 1,
        ItemState.CREATED: 0,
        ItemState.MATCHED: 1,
        ItemState.FAILED: 1,
    }
    entry = store.item_entry("Tate", "B")
    assert entry is not None and len(entry.reason) <= 2000
    store.forget_failed_items("Tate")
    store.forget_item("Tate", "C")
    assert set(store.item_entries("Tate")) == {"A"}
    assert store.item_entries("Other") == {}


def test_answers_are_kept_for_as_long_as_the_caller_accepts(
    store: StateStore,
    clock: Clock,  # noqa: F811
) -> None:
    key = lookup_key("terms", "https://wiki/api.php", "en", "label", "description")
    store.remember(key, ["Q1", "Q2"])
    assert store.recall([key, "other"], timedelta(hours=24)) == {key: ["Q1", "Q2"]}
    clock.advance(25 * 3600)
    assert store.recall([key], timedelta(hours=24)) == {}
    store.remember(key, [])
    assert store.recall([key], timedelta(hours=24)) == {key: []}
    store.forget_answers([key])
    assert store.recall([key], timedelta(days=1000)) == {}


def test_the_statements_the_bot_added_are_kept_for_an_undo(store: StateStore) -> None:
    store.finish_item("Undo", "N01", ItemState.CREATED, item="Q7")
    store.finish_item("Undo", "N02", ItemState.MATCHED, item="Q8")
    p31 = HeldStatement("Q7$1A-b", "P31", ItemValue("Q5"), (), "d" * 40)
    p18 = HeldStatement("Q7$2C-d", "P18", None, (), "e" * 40)
    store.keep_item_claims("Undo", "N01", "Q7", 100, [p31])
    store.keep_item_claims("Undo", "N02", "Q8", 101, [HeldStatement("Q8$x", "P170", None, (), "f")])
    # a later edit of the same item (its image) moves the item's revision on
    store.keep_item_claims("Undo", "N01", "Q7", 105, [p18])
    claims = {c.claim: c for c in store.item_claims("Undo")}
    assert set(claims) == {"Q7$1A-b", "Q7$2C-d", "Q8$x"}
    assert claims["Q7$1A-b"].revid == 105 and claims["Q7$1A-b"].created
    assert claims["Q7$1A-b"].digest == "d" * 40 and claims["Q7$2C-d"].property == "P18"
    assert claims["Q8$x"].revid == 101 and not claims["Q8$x"].created
    assert store.item_claims("Other") == []


def test_what_a_batch_edit_added_to_files_is_kept_for_an_undo(store: StateStore) -> None:
    from bots.statements import EntityDraft

    sent = EntityDraft(labels={"en": "Ünïcode caption"})
    store.file_send_begin("Edit", "E1", "Old scan.png", sent)
    assert store.file_send("Edit", "E1") == sent  # until the answer is journalled
    genre = HeldStatement("M7$1A-b", "P136", ItemValue("Q5"), (), "d" * 40)
    store.keep_file_claims("Edit", "E1", "Old scan.png", "M7", 70, [genre], sent.labels)
    assert store.file_send("Edit", "E1") is None
    # journalled again (a recovery after a lost answer): the same rows, not twice
    store.keep_file_claims("Edit", "E1", "Old scan.png", "M7", 71, [genre], sent.labels)
    claims = store.file_claims("Edit")
    assert sorted((c.entity, c.kind, c.key, c.property, c.value, c.title) for c in claims) == [
        ("M7", "caption", "en", "", "Ünïcode caption", "File:Old scan.png"),
        ("M7", "statement", "M7$1A-b", "P136", "d" * 40, "File:Old scan.png"),
    ]
    store.file_send_begin("Edit", "E2", "Other.png", sent)
    store.file_send_forget("Edit", "E2")  # refused: nothing was written
    assert store.file_send("Edit", "E2") is None and store.file_claims("Other") == []
