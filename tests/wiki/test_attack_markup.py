"""Hostile markup in mapping texts and patterns, on the real wiki (SPEC 5, 8).

A volunteer's mapping ``text`` and the text of a requester's pattern are
wikitext that the bot puts into every file page. Here a batch carries each kind
of unclosed or stray markup, next to closed markup that must keep working. The
hostile values must be problems on the preview (the request's patterns: the
request is invalid) and their records must never be uploaded. The wiki's own
parser (``action=parse``) then shows that every uploaded page kept its
description template with all its fields, its licence, its ``{{Partnership
upload}}`` tracking template and category, and its categories; and that the
page the bot would have written for each refused value would have lost some of
that, so the check is not for show.
"""

from __future__ import annotations

import hashlib
import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bots.model import MappingRow, MappingTable
from bots.pipeline.balance import unbalanced
from bots.pipeline.mapping import mapping_from_text
from bots.pipeline.patterns import fill_pattern
from bots.pipeline.render import compose_page
from tests.faults.helpers import Tally, report, tally
from tests.support.workflow import Workflow
from tests.unit.test_balance import PIECES

#: The stand-in {{Information}}'s fields, in its order, with the header of each one's row.
LABELS = {
    "description": "Description",
    "date": "Date",
    "source": "Source",
    "author": "Author",
    "permission": "Permission",
    "other versions": "Other versions",
    "other fields": "Other fields",
}

#: The fields the test request fills.
FIELDS = ("description", "date", "author", "other fields")

#: Closed markup in the patterns themselves, which must keep working.
PATTERNS = {
    "description": "{{en|1={title}: {artist} }}",
    "date": "{medium}",
    "author": "{artist}",
    "other_fields": (
        '<nowiki>{{not a template}} | [[</nowiki> <span lang="en">[[w:Main Page|{title}]]</span>'
    ),
}

CATEGORY = "Markup tests"
MAPPED_CATEGORY = "William Blake"


@dataclass(frozen=True)
class Attack:
    """A mapping text (for the artist, and sometimes the medium) that must be refused."""

    label: str  # the row's value in the partner's data
    artist: str  # the volunteer's text for it
    medium: str = ""  # a second text, for markup that opens in one cell and closes in another
    included: bool = False  # harm shows only where the file page is included in another page

    def kind(self) -> str:
        if self.medium:
            return f"{self.artist!r} in one mapping text and {self.medium!r} in another"
        return f"mapping text {self.artist!r}"


ATTACKS = [
    Attack("Comment", "Blake <!-- unfinished note"),
    Attack("Includeonly", "<includeonly>Blake"),
    Attack("Noinclude", "Blake<noinclude>", included=True),
    Attack("Onlyinclude", "<onlyinclude>Blake</onlyinclude>", included=True),
    Attack("Nowiki", "<nowiki>Blake", medium="Ink</nowiki>"),
    Attack("Pre", "<PRE class=x>Blake", medium="Ink</pre >"),
    Attack("Gallery", "<gallery>", medium="</gallery>"),
    Attack("Link", "[[William Blake"),
    Attack("Variant", "-{Blake"),
    Attack("Heading", "Blake\n== Turner =="),
    Attack("Table end", "Blake</table>"),
    Attack("Ref pipe", "<ref>Blake|Turner</ref>"),
    Attack("Ref template", "<ref>{{Creator:Blake</ref>"),
]

#: Closed markup that must be accepted, rendered and uploaded.
ACCEPTED = {
    "Link pipe": "[[w:William Blake|Blake]]",
    "Closed comment": "Blake <!-- a note for other volunteers -->",
    "Closed nowiki": "<nowiki>{{Blake}} | [[</nowiki>",
    "Nested template": "{{en|1=[[w:J. M. W. Turner|Turner]]}}",
    "Span and variant": '<span lang="en">Turner</span> -{Turner}-',
    "Ref with link": '<ref name="t">[[w:Turner|Turner]]</ref>',
    "Code": "<code>a {{!}} b</code>",
}


# --- what the wiki's parser sees -------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """The parts of ``action=parse`` that say whether a file page is whole."""

    info_fields: tuple[str, ...] | None  # the top-level {{Information}}'s fields, or None
    templates: frozenset[str]
    categories: frozenset[str]
    html: str

    def missing(
        self,
        request: str,
        fields: tuple[str, ...],
        categories: tuple[str, ...],
        *,
        tree: bool = True,
    ) -> list[str]:
        """What the page lost, in words; empty when it is whole.

        ``tree``: also compare the template's fields in the parse tree (not
        when the page was parsed as included in another, whose tree is the call).
        """
        lost: list[str] = []
        if tree and self.info_fields is None:
            lost.append("the Information template")
        elif tree and self.info_fields != fields:
            lost.append("the Information template's fields")
        for field in fields:
            if f">{LABELS[field]}</th>" not in self.html:
                lost.append(f"the {LABELS[field]} row")
        if "Template:Cc-zero" not in self.templates:
            lost.append("the licence")
        if "Template:Partnership upload" not in self.templates:
            lost.append("the tracking template")
        for category in (f"Content Partnerships Hub uploads/{request}", *categories):
            if category.replace(" ", "_") not in self.categories:
                lost.append(f"the category {category}")
        return lost


def in_words(lost: list[str]) -> str:
    """``missing``'s list, short: rows and categories counted."""
    rows = [item for item in lost if item.endswith(" row")]
    categories = [item for item in lost if item.startswith("the category ")]
    parts = [item for item in lost if item not in rows and item not in categories]
    if rows:
        parts.append(f"{len(rows)} of its rows" if len(rows) > 1 else rows[0])
    if categories:
        parts.append(f"{len(categories)} categories" if len(categories) > 1 else categories[0])
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def parse(bot, *, page: str | None = None, text: str | None = None) -> Parsed:
    params = {"prop": "templates|categories|parsetree|text"}
    if page is not None:
        params["page"] = page
    else:
        params.update(text=text, contentmodel="wikitext", title="File:Markup probe.png")
    data = bot.call(action="parse", **params)["parse"]
    tree = ET.fromstring(data["parsetree"])
    infos = [
        t for t in tree.findall("template") if (t.findtext("title") or "").strip() == "Information"
    ]
    fields = None
    if len(infos) == 1:
        fields = tuple("".join(p.find("name").itertext()).strip() for p in infos[0].findall("part"))
    return Parsed(
        info_fields=fields,
        templates=frozenset(t["title"] for t in data["templates"]),
        categories=frozenset(c["category"] for c in data["categories"]),
        html=data["text"],
    )


def page_text_of(flow: Workflow, title: str) -> str:
    """A page's HTML as text, tags and entities gone."""
    rendered = flow.bot.call(action="parse", page=title, prop="text")["parse"]["text"]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


def would_be_page(
    name: str,
    patterns: dict[str, str],
    record: dict[str, str],
    tables: dict[str, MappingTable],
    categories: tuple[str, ...],
) -> str:
    """The file page the bot would have written without the check (same code, no check)."""
    order = list(LABELS)
    fields = sorted(
        (
            (field.replace("_", " "), fill_pattern(p, record, tables))
            for field, p in patterns.items()
        ),
        key=lambda item: order.index(item[0]),
    )
    return compose_page("Information", fields, "cc-zero", name, record["id"], categories)


def field_names(patterns: dict[str, str]) -> tuple[str, ...]:
    return tuple(field for field in LABELS if field.replace(" ", "_") in patterns)


def included_loss(flow: Workflow, name: str, text: str, categories, label: str) -> list[str]:
    """What a page that includes a file page with this text loses of it."""
    probe = f"{flow.hub_root}/Markup probe {label}"
    flow.person("Volunteer").edit(probe, text, "what the file page would have been")
    parsed = parse(flow.bot, text=f"{{{{:{probe}}}}}")
    return parsed.missing(name, FIELDS, categories, tree=False)


def sha1_of(flow: Workflow, url: str) -> str:
    return hashlib.sha1((flow.media.folder / url.rsplit("/", 1)[1]).read_bytes()).hexdigest()


# --- mapping texts ----------------------------------------------------------------


def test_hostile_mapping_texts_are_refused_and_every_uploaded_page_stays_whole(flow, media):
    name = "Markup attack"
    rows = []
    for n, attack in enumerate(ATTACKS, 1):
        rows.append(_row(flow, f"H{n:02d}", attack.label, attack.label if attack.medium else "Ink"))
    for n, label in enumerate(ACCEPTED, 1):
        rows.append(_row(flow, f"A{n:02d}", label, "Ink"))
    flow.file_request(name, rows, mapped="artist; medium", categories=CATEGORY, **PATTERNS)
    assert flow.run().requests == {name: "awaiting-approval"}

    volunteer = flow.person("Volunteer")
    artist_page = flow.hub.mapping(name, "artist")
    texts = {a.label: a.artist for a in ATTACKS} | ACCEPTED
    volunteer.edit(artist_page, _filled(volunteer.text(artist_page), texts), "mapping")
    medium_page = flow.hub.mapping(name, "medium")
    closers = {a.label: a.medium for a in ATTACKS if a.medium}
    volunteer.edit(medium_page, _filled(volunteer.text(medium_page), closers), "mapping")
    flow.run()

    # every hostile value is a problem on the preview, naming page, row and column
    preview = page_text_of(flow, flow.hub.preview(name))
    for row, attack in zip(rows, ATTACKS, strict=False):
        rid = row["id"]
        assert (
            f'record {rid} The mapping table for column "artist" (page Mappings/artist), '
            f'row "{attack.label}", has a text that would break the file page'
        ) in preview, preview[
            preview.find(f"record {rid}") - 200 : preview.find(f"record {rid}") + 600
        ]
        if attack.medium:
            assert f'column "medium" (page Mappings/medium), row "{attack.label}"' in preview
    assert f"Files to upload: {len(ACCEPTED)}" in preview
    status = flow.status_text(name)
    assert "Mappings/artist" in status and "would break the file pages" in status

    flow.approve(name)
    assert flow.run().requests == {name: "done"}
    uploaded = flow.uploads(name)
    assert len(uploaded) == len(ACCEPTED)
    accepted_rows = [row for row in rows if row["id"].startswith("A")]
    hostile_rows = [row for row in rows if row["id"].startswith("H")]
    result = tally(
        flow.bot,
        present=[sha1_of(flow, row["image"]) for row in accepted_rows],
        absent=[sha1_of(flow, row["image"]) for row in hostile_rows],
    )

    # the wiki's parser: every uploaded page whole
    categories = (CATEGORY, MAPPED_CATEGORY)
    broken_uploads = 0
    for title in uploaded:
        lost = parse(flow.bot, page=title).missing(name, FIELDS, categories)
        broken_uploads += bool(lost)
        assert lost == [], (title, lost)
    on_pages = "".join(flow.file_text(title) for title in uploaded)
    assert "[[w:William Blake|Blake]]" in on_pages
    assert "<nowiki>{{Blake}} | [[</nowiki>" in on_pages
    assert "a note for other volunteers" not in on_pages  # comments are notes, never copied
    report(
        "closed markup in mapping texts and patterns: " + "; ".join(map(repr, ACCEPTED.values())),
        f"uploaded all {len(ACCEPTED)}; action=parse shows each page with its template's "
        "fields, licence, tracking template and categories",
        Tally(lost=result.lost, duplicated=result.duplicated, wrong=broken_uploads),
        "real wiki",
    )
    assert result.clean, result

    # ... and the page each refused value would have made is not whole
    tables = {
        column: mapping_from_text(
            name, column, flow.bot.read_page(flow.hub.mapping(name, column)).text
        )
        for column in ("artist", "medium")
    }
    for row, attack in zip(hostile_rows, ATTACKS, strict=True):
        assert unbalanced(attack.artist) and (not attack.medium or unbalanced(attack.medium))
        text = would_be_page(name, PATTERNS, row, tables, categories)
        if attack.included:
            assert parse(flow.bot, text=text).missing(name, FIELDS, categories) == []
            whole = would_be_page(name, PATTERNS, row | {"artist": "Ink"}, tables, categories)
            assert included_loss(flow, name, whole, categories, "whole") == []
            lost = included_loss(flow, name, text, categories, attack.label)
        else:
            lost = parse(flow.bot, text=text).missing(name, FIELDS, categories)
        assert lost, (attack, text)
        report(
            attack.kind(),
            "a problem on the preview naming the mapping page, row and column; its record was "
            f"not uploaded (the page it would have made loses {in_words(lost)}"
            + (" where another page includes it" if attack.included else "")
            + ", by action=parse)",
            Tally(wrong=len(flow.bot.find_sha1(sha1_of(flow, row["image"])))),
            "real wiki",
        )


def _row(flow: Workflow, rid: str, artist: str, medium: str) -> dict[str, str]:
    return {
        "id": rid,
        "title": f"{flow.tag} markup {rid}",
        "artist": artist,
        "medium": medium,
        "image": flow.media.image(f"{flow.tag}-markup-{rid}.png"),
    }


def _filled(table: str, texts: dict[str, str]) -> str:
    """The mapping page with the volunteer's texts (and a category) in the rows of these values."""
    for value, text in texts.items():
        row = f"{{{{Mapping row|value={value}|count=1|categories=|wikidata=|text=}}}}"
        assert row in table, (row, table)
        table = table.replace(
            row,
            f"{{{{Mapping row|value={value}|count=1|categories={MAPPED_CATEGORY}"
            f"|wikidata=|text={text}}}}}",
        )
    return table


# --- patterns -----------------------------------------------------------------------

#: Patterns (request parameter -> text) that must make the request invalid, each
#: named. The last two are a pair: on the request page the closing tag comes
#: first, so they stay two parameters; on the file page "other versions" comes
#: first, and its <nowiki> would take in everything up to the </nowiki>.
HOSTILE_PATTERNS = {
    "description": "{title} <!-- the partner's unfinished note",
    "author": "<includeonly>{artist}",
    "date": "-{ {title}",
    "permission": "[[Special:Search {title}",
    "other_fields": "{title}</nowiki>",
    "other_versions": "<nowiki>{title}",
}


def test_hostile_patterns_make_the_request_invalid_with_each_parameter_named(flow, media):
    name = "Markup patterns"
    rows = [_row(flow, "P01", "Blake", "Ink")]
    flow.file_request(name, rows, categories=CATEGORY, **HOSTILE_PATTERNS)
    assert flow.run().requests == {name: "invalid"}
    status = page_text_of(flow, flow.hub.status(name))
    for param in HOSTILE_PATTERNS:
        said = rf"{param} ?: The text around the placeholders would break the file page"
        assert re.search(said, status), (param, status)
    assert flow.uploads(name) == []
    assert not flow.bot.read_page(flow.hub.preview(name)).exists

    base = {"description": "{title}", "date": "{medium}", "author": "{artist}", "other_fields": "x"}
    for params in [
        ["description"],
        ["author"],
        ["date"],
        ["permission"],
        ["other_versions", "other_fields"],
    ]:
        patterns = base | {p: HOSTILE_PATTERNS[p] for p in params}
        text = would_be_page(name, patterns, rows[0], {}, (CATEGORY,))
        lost = parse(flow.bot, text=text).missing(name, field_names(patterns), (CATEGORY,))
        assert lost, (params, text)
        report(
            "pattern " + ", ".join(f"{p} = {HOSTILE_PATTERNS[p]!r}" for p in params),
            f"the request is invalid, with {' and '.join(params)} named on the status page; "
            f"nothing uploaded (the page it would have made loses {in_words(lost)}, by "
            "action=parse)",
            Tally(wrong=len(flow.bot.find_sha1(sha1_of(flow, rows[0]["image"])))),
            "real wiki",
        )


# --- the check and the wiki's own parser agree -----------------------------------------


def test_every_extension_tag_of_the_wiki_is_refused_unclosed(bot):
    tags = bot.call(action="query", meta="siteinfo", siprop="extensiontags")["query"][
        "extensiontags"
    ]
    assert "<nowiki>" in tags and "<pre>" in tags
    for tag in tags:
        name = tag.strip("<>")
        assert unbalanced(f"<{name}>a"), name
        assert unbalanced(f"a</{name.upper()}>"), name
        assert unbalanced(f"<{name} x=1>a</{name}>") == (), name


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join))
def test_any_text_the_check_accepts_leaves_the_page_whole_on_the_wiki(flow, text):
    """A property on MediaWiki's own parser: accepted texts (both mapping cells) keep the page."""
    text = text.strip()
    if not text or unbalanced(text):
        return
    record = {"id": "Q1", "title": "T", "artist": "A", "medium": "M"}
    tables = {
        "artist": MappingTable("Probe", "artist", (_mapping_row("A", f"a{text}a"),)),
        "medium": MappingTable("Probe", "medium", (_mapping_row("M", f"m{text}m"),)),
    }
    page = would_be_page("Probe", PATTERNS, record, tables, (CATEGORY,))
    lost = parse(flow.bot, text=page).missing("Probe", FIELDS, (CATEGORY,))
    assert lost == [], (text, page)


def _mapping_row(value: str, text: str) -> MappingRow:
    return MappingRow(value, 1, "", "", text)
