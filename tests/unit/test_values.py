"""Text into Wikibase values by datatype, and statements as Wikibase takes and gives them."""

from __future__ import annotations

import pytest

from bots.i18n import Message
from bots.i18n.render import render
from bots.pipeline.values import parse_value, time_value
from bots.statements import (
    DAY,
    ENTITY_URI,
    MONTH,
    YEAR,
    EntityDraft,
    EntityState,
    HeldStatement,
    ItemValue,
    MonolingualValue,
    QuantityValue,
    Snak,
    Statement,
    StringValue,
    TimeValue,
    missing,
    statements_from_json,
)


@pytest.mark.parametrize(
    "datatype, text, expected",
    [
        ("wikibase-item", "Q5", ItemValue("Q5")),
        ("wikibase-item", " Q42 ", ItemValue("Q42")),
        ("wikibase-item", "q5", '"q5" is not an item id (Q123)'),
        ("wikibase-item", "Blake", '"Blake" is not an item id (Q123)'),
        ("string", "N04186", StringValue("N04186")),
        ("external-id", "  12 34 ", StringValue("12 34")),
        ("string", "x" * 401, "the text is longer than the 400 characters a value may have"),
        ("url", "https://example.org/a?b=1", StringValue("https://example.org/a?b=1")),
        ("url", "ftp://example.org", '"ftp://example.org" is not an http:// or https:// address'),
        ("time", "1850", TimeValue("+1850-00-00T00:00:00Z", YEAR)),
        ("time", "1850-03", TimeValue("+1850-03-00T00:00:00Z", MONTH)),
        ("time", "1850-03-12", TimeValue("+1850-03-12T00:00:00Z", DAY)),
        ("time", "c. 1850", '"c. 1850" is not a date written as YYYY, YYYY-MM or YYYY-MM-DD'),
        ("time", "1850-02-30", '"1850-02-30" is not a date written as YYYY, YYYY-MM or YYYY-MM-DD'),
        ("quantity", "12.5", QuantityValue("+12.5")),
        ("quantity", "-3 Q11573", QuantityValue("-3", ENTITY_URI + "Q11573")),
        (
            "quantity",
            "twelve",
            '"twelve" is not a number (optionally followed by the Q-id of its unit)',
        ),
        ("monolingualtext", "The Tyger", MonolingualValue("The Tyger", "sv")),
        ("globe-coordinate", "1,2", "the bot cannot write values of the datatype globe-coordinate"),
        ("string", "   ", "the value is empty"),
    ],
)
def test_parse_value(datatype: str, text: str, expected: object) -> None:
    value = parse_value(datatype, text, language="sv")
    if isinstance(expected, str):  # why not: a message, English here
        assert isinstance(value, Message) and str(value) == expected
    else:
        assert value == expected


def test_why_a_value_cannot_be_made_is_said_in_the_requests_language() -> None:
    reason = parse_value("time", "c. 1850")
    assert isinstance(reason, Message)
    assert (
        render(reason, "sv")
        == '"c. 1850" är inte ett datum skrivet som YYYY, YYYY-MM eller YYYY-MM-DD'
    )


@pytest.mark.parametrize("text", ["0800", "1850", "1850-03", "2026-11-20"])
def test_dates_show_as_written(text: str) -> None:
    value = time_value(text)
    assert value is not None and value.shown() == text


def creator(qid: str) -> Statement:
    return Statement(
        Snak("P170", ItemValue(qid), "wikibase-item"),
        references=((Snak("P854", StringValue("https://example.org/1"), "url"),),),
    )


def test_statements_as_wikibase_takes_them() -> None:
    data = creator("Q5").to_json()
    assert data["mainsnak"]["datavalue"] == {
        "type": "wikibase-entityid",
        "value": {"entity-type": "item", "numeric-id": 5, "id": "Q5"},
    }
    assert data["references"][0]["snaks"]["P854"][0]["datavalue"]["value"] == (
        "https://example.org/1"
    )
    draft = EntityDraft(labels={"en": "Caption"}, statements=(creator("Q5"),))
    assert set(draft.to_json()) == {"labels", "claims"}


def test_reading_back_and_what_is_still_missing() -> None:
    claims = {
        "P170": [
            {
                "id": "M1$abc",
                "mainsnak": {
                    "snaktype": "value",
                    "datavalue": creator("Q5").snak.value.datavalue(),
                },
                "rank": "preferred",
            }
        ],
        "P180": [{"id": "M1$def", "mainsnak": {"snaktype": "somevalue"}}],
    }
    held = statements_from_json(claims)
    assert held == [
        HeldStatement("M1$abc", "P170", ItemValue("Q5")),
        HeldStatement("M1$def", "P180", None),
    ]
    state = EntityState("M1", True, labels={"en": "Their caption"}, statements=tuple(held))
    draft = EntityDraft(
        labels={"en": "Our caption", "sv": "Vår bildtext"},
        statements=(creator("Q5"), creator("Q6")),
    )
    still = missing(draft, state)
    # same property and value, whatever the rank: there; someone's caption: kept
    assert still.statements == (creator("Q6"),)
    assert still.labels == {"sv": "Vår bildtext"}
