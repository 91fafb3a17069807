"""Item creations whose answer is lost, through the loopback fault proxy (SPEC 12).

The proxy breaks the connection around a real ``wbeditentity`` (after the
Wikibase made the item, or a gateway answering before it saw the request);
the bot must look for the item by its label and description before it sends
the creation again, so every record ends with exactly one item.
"""

from __future__ import annotations

import pytest

from bots.store import ItemState
from tests.faults.helpers import (
    FAST_UPLOAD_CONFIG,
    Tally,
    make_flow,
    own_hub_root,
    report,
    sha1,
    tally,
    through,
    unique_png,
)
from tests.support.faultproxy import Rule, Seen
from tests.support.items import items_labelled


def is_creation(seen: Seen) -> bool:
    return seen.method == "POST" and seen.action == "wbeditentity" and "new" in seen.params


@pytest.fixture
def hub_root(request):
    return own_hub_root(request)


FAULTS = {
    "drop-after-forward": (
        Rule("drop-after-forward", match=is_creation, times={1}),
        "the connection dropped after the Wikibase made the item",
        "looked for the item by its label and description: there; not sent again",
        0,
    ),
    "503-before": (
        Rule(
            "respond",
            match=is_creation,
            times={1},
            status=503,
            headers={"Retry-After": "1", "Content-Type": "text/html"},
            body=b"busy",
        ),
        "503 from a gateway before the Wikibase saw the creation",
        "looked for the item: not there; waited as asked; sent again",
        1,
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_an_unanswered_creation_is_looked_for_before_it_is_sent_again(
    bot, proxy, person, config_file, hub_root, media, fault
):
    rule, what, did, resent = FAULTS[fault]
    path = config_file(upload=FAST_UPLOAD_CONFIG, wikibase={"items_per_minute": 600})
    flow = make_flow(through(bot, proxy), person, path, hub_root, media)
    files = {f"F{i}": unique_png() for i in (1, 2)}
    rows = [
        {
            "id": rid,
            "title": f"{flow.tag} item fault {fault} {rid}",
            "artist": "Blake, William",
            "image": media.put(f"{flow.tag}-{rid}.png", data),
        }
        for rid, data in files.items()
    ]
    flow.file_request(
        "Faulty",
        rows,
        source_url="https://example.org/object/{id}",
        items="create",
        item_label="{title}",
        item_description="object of an item fault test",
        item_statements="P31=Q3305213",
    )
    flow.run()
    flow.approve("Faulty")
    proxy.add(rule)
    flow.run()

    store = flow.store()
    entries = store.item_entries("Faulty")
    assert {e.state for e in entries.values()} == {ItemState.CREATED}, entries
    duplicated = lost = 0
    for row in rows:
        found = items_labelled(bot, row["title"])
        duplicated += max(0, len(found) - 1)
        lost += not found
        assert found == [entries[row["id"]].item]
    assert len(proxy.seen(is_creation)) == len(rows) + resent
    result = Tally(lost=lost, duplicated=duplicated) + tally(
        bot, present=[sha1(d) for d in files.values()]
    )
    store.close()
    report(f"item creation: {what}", did, result, "proxy")
    assert result.clean, result
