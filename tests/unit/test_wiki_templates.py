"""The on-wiki pages `hubbot install` writes (wiki_templates/pages.yaml).

These pages are the hub's face on the wiki, and a broken template shows up on
every request, preview, status and file page at once. The tests check what can
be checked without a wiki: the manifest, the wikitext structure, TemplateData as
MediaWiki's TemplateData extension validates it, and that every parameter a
template reads is documented (and the other way round).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mwparserfromhell
import pytest
import yaml
from mwparserfromhell.nodes import Comment, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

from bots.dev import install
from bots.i18n import catalog
from bots.model import REQUEST_PARAMS, SOURCE_OPTIONS, TEMPLATE_FIELDS
from bots.pipeline.request_names import FIELD_ALIASES

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "wiki_templates"
MANIFEST = TEMPLATES_DIR / "pages.yaml"
PAGES_DIR = TEMPLATES_DIR / "pages"
DEFAULT_ROOT = "Project:Content Partnerships Hub"
PRELOAD_TITLE = "Template:Partnership request/preload"

#: Parser functions and magic words the templates may call. Everything else
#: in double braces must be a page the installer writes.
MAGIC_WORDS = {
    "#if",
    "#ifeq",
    "#ifexist",
    "#ifexpr",
    "#iferror",
    "#switch",
    "CONTENTLANGUAGE",
    "#expr",
    "#tag",
    "#time",
    "#titleparts",
    "FULLPAGENAME",
    "PAGENAME",
    "SUBPAGENAME",
    "NAMESPACE",
    "ns",
    "lc",
    "uc",
    "padleft",
    "formatnum",
    "PLURAL",
    "!",
}

#: Regions whose text MediaWiki does not parse as wikitext (or that are
#: documentation examples): left out when looking at what a page uses.
OPAQUE = re.compile(
    r"<!--.*?-->|<nowiki>.*?</nowiki>|<pre[^>]*>.*?</pre>|<templatedata>.*?</templatedata>",
    re.DOTALL,
)

# What the TemplateData extension (MediaWiki 1.39) accepts; anything else makes
# the template's documentation show an error instead of the parameter table.
TD_ROOT_KEYS = {"description", "params", "paramOrder", "sets", "maps", "format"}
TD_PARAM_KEYS = {
    "label",
    "required",
    "suggested",
    "description",
    "example",
    "deprecated",
    "aliases",
    "autovalue",
    "default",
    "inherits",
    "type",
    "suggestedvalues",
}
TD_TYPES = {
    "content",
    "line",
    "number",
    "boolean",
    "string",
    "date",
    "unbalanced-wikitext",
    "unknown",
    "url",
    "wiki-page-name",
    "wiki-user-name",
    "wiki-file-name",
    "wiki-template-name",
}
TD_FORMAT = re.compile(r"^\n?\{\{ *_+\n? *\|\n? *_+ *= *_+\n? *\}\}\n?$")


@dataclass(frozen=True)
class Page:
    title: str
    file: str
    dev_only: bool
    text: str  # with {root} replaced


def load_manifest() -> list[dict[str, Any]]:
    with MANIFEST.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, list), "pages.yaml must be a list of pages"
    return data


def load_pages(root: str = DEFAULT_ROOT) -> list[Page]:
    """The manifest's pages, then those made from i18n/ (messages, help, language stand-ins)."""
    pages = [
        Page(
            title=entry["title"].replace("{root}", root),
            file=entry["file"],
            dev_only=bool(entry.get("dev_only", False)),
            text=(PAGES_DIR / entry["file"]).read_text(encoding="utf-8").replace("{root}", root),
        )
        for entry in load_manifest()
    ]
    listed = {p.title for p in pages}
    pages += [
        Page(p.title, GENERATED, p.dev_only, p.text)
        for p in install.load_pages(root, standins=True)
        if p.title not in listed
    ]
    return pages


#: The ``file`` of pages made from i18n/ by ``hubbot install``.
GENERATED = "(generated)"
#: Files that generated pages are made from.
GENERATED_FROM = {"devwiki/Language.wikitext"} | {
    str(p.relative_to(PAGES_DIR)) for p in (PAGES_DIR / "hub" / "help").rglob("*.wikitext")
}


PAGES = load_pages()
BY_TITLE = {page.title: page for page in PAGES}
TEMPLATE_PAGES = [p for p in PAGES if p.title.startswith("Template:") and p.title != PRELOAD_TITLE]


def page_id(page: Page) -> str:
    return page.title


def normalise_title(title: str) -> str:
    """Title as MediaWiki compares it: underscores are spaces, first letter upper case."""
    title = title.replace("_", " ").strip()
    return title[:1].upper() + title[1:]


def live_code(text: str) -> Wikicode:
    """The page's wikitext without comments, nowiki, pre and TemplateData blocks."""
    return mwparserfromhell.parse(OPAQUE.sub("", text))


def section(text: str, tag: str) -> str:
    return "".join(re.findall(rf"<{tag}>(.*?)</{tag}>", text, flags=re.DOTALL))


def used_arguments(text: str) -> set[str]:
    return {str(arg.name).strip() for arg in live_code(text).filter_arguments()}


def templatedata(page: Page) -> dict[str, Any]:
    blocks = re.findall(r"<templatedata>(.*?)</templatedata>", page.text, flags=re.DOTALL)
    assert len(blocks) == 1, f"{page.title} needs exactly one <templatedata> block"
    data = json.loads(blocks[0])
    assert isinstance(data, dict)
    return data


def documented_names(data: dict[str, Any]) -> set[str]:
    names = set(data["params"])
    for param in data["params"].values():
        names.update(param.get("aliases", []))
    return names


def templatedata_errors(data: dict[str, Any]) -> Iterator[str]:
    """The checks of TemplateDataValidator (MediaWiki 1.39), as messages."""
    for key in data:
        if key not in TD_ROOT_KEYS:
            yield f"unknown root key {key!r}"
    if "format" in data:
        fmt = {"block": "{{_\n| _ = _\n}}", "inline": "{{_|_=_}}"}.get(
            data["format"], data["format"]
        )
        if not isinstance(fmt, str) or not TD_FORMAT.match(fmt):
            yield "invalid format"
    params = data.get("params")
    if not isinstance(params, dict):
        yield "params must be an object"
        return
    for name, param in params.items():
        if not isinstance(param, dict):
            yield f"params.{name} must be an object"
            continue
        for key in param:
            if key not in TD_PARAM_KEYS:
                yield f"unknown key params.{name}.{key}"
        for key in ("label", "description", "example", "default"):
            if key in param and not isinstance(param[key], str | dict):
                yield f"params.{name}.{key} must be text"
        for key in ("required", "suggested"):
            if key in param and not isinstance(param[key], bool):
                yield f"params.{name}.{key} must be true or false"
        if "type" in param and param["type"] not in TD_TYPES:
            yield f"params.{name}.type {param['type']!r} is not a TemplateData type"
        aliases = param.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            yield f"params.{name}.aliases must be a list of names"
        elif set(aliases) & set(params):
            yield f"params.{name}.aliases repeats a parameter name"
        values = param.get("suggestedvalues", [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            yield f"params.{name}.suggestedvalues must be a list of text"
    if "paramOrder" in data:
        order = data["paramOrder"]
        if not isinstance(order, list) or len(order) < len(params):
            yield "paramOrder must list every parameter"
        elif len(set(order)) != len(order) or not set(order) <= set(params):
            yield "paramOrder has duplicates or unknown parameters"
    for i, group in enumerate(data.get("sets", [])):
        if not isinstance(group.get("label"), str):
            yield f"sets.{i}.label is missing"
        if not group.get("params") or not set(group["params"]) <= set(params):
            yield f"sets.{i}.params must name parameters"


# --- the manifest -------------------------------------------------------------


def test_manifest_entries_have_the_agreed_shape() -> None:
    for entry in load_manifest():
        assert set(entry) <= {"title", "file", "dev_only"}, entry
        assert isinstance(entry["title"], str) and entry["title"], entry
        assert isinstance(entry["file"], str) and entry["file"].endswith(".wikitext"), entry
        assert isinstance(entry.get("dev_only", False), bool), entry


def test_manifest_titles_are_unique() -> None:
    titles = [normalise_title(p.title) for p in PAGES]
    assert len(titles) == len(set(titles))


def test_every_file_exists_and_every_page_file_is_installed() -> None:
    listed = {entry["file"] for entry in load_manifest()}
    for name in listed:
        assert (PAGES_DIR / name).is_file(), f"pages.yaml names a missing file: {name}"
    on_disk = {str(p.relative_to(PAGES_DIR)) for p in PAGES_DIR.rglob("*.wikitext")}
    assert on_disk == listed | GENERATED_FROM, (
        f"files not in pages.yaml: {sorted(on_disk - listed)}"
    )


def test_manifest_has_the_pages_the_spec_requires() -> None:
    required = {
        "Template:Partnership request",
        PRELOAD_TITLE,
        "Template:Mapping table",
        "Template:Mapping row",
        "Template:Mapping table end",
        "Template:Batch preview",
        "Template:Batch status",
        "Template:Partnership upload",
        "Category:Content Partnerships Hub uploads",
        DEFAULT_ROOT,
        f"{DEFAULT_ROOT}/Stop",
        f"{DEFAULT_ROOT}/Help",
        f"{DEFAULT_ROOT}/Help/Mappings",
        f"{DEFAULT_ROOT}/Help/Reviewing",
        "Template:Hub message",
        *(f"Template:Hub message/{lang}" for lang in ("en", "sv", "es", "fr", "ar")),
        *(f"{DEFAULT_ROOT}/Help/{lang}" for lang in ("sv", "es", "fr", "ar")),
    }
    production = {p.title for p in PAGES if not p.dev_only}
    assert required <= production, required - production
    dev = {p.title for p in PAGES if p.dev_only}
    assert dev == {
        "Template:Information",
        "Template:Artwork",
        "Template:Photograph",
        "Template:Cc-zero",
        "Template:Cc-by-4.0",
        "Template:Cc-by-sa-4.0",
        "Template:En",
        "Template:Sv",
        "Template:Es",
        "Template:Fr",
        "Template:Ar",
    }


def test_root_is_substituted_everywhere() -> None:
    other_root = "Commons:Content Partnerships Hub"
    for page in load_pages(other_root):
        assert "{root}" not in page.title and "{root}" not in page.text, page.title
        assert "{{{root" not in page.text, f"{page.title}: a parameter named root would collide"
    titles = {p.title for p in load_pages(other_root)}
    assert f"{other_root}/Stop" in titles and other_root in titles


# --- every page -----------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_parses_with_balanced_braces(page: Page) -> None:
    code = mwparserfromhell.parse(page.text)
    assert str(code) == page.text
    live = live_code(page.text)
    for node in live.filter_text(recursive=True):
        assert isinstance(node, Text)
        assert "{{" not in node.value and "}}" not in node.value, (
            f"{page.title}: unbalanced braces near {node.value.strip()[:80]!r}"
        )


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_uses_only_installed_templates_and_known_parser_functions(page: Page) -> None:
    installed = {normalise_title(p.title) for p in PAGES if p.dev_only <= page.dev_only}
    for template in live_code(page.text).filter_templates():
        name = str(template.name).strip()
        if name.startswith(":"):
            continue  # transclusion of a page, such as the dashboard
        if "{{" in name:
            continue  # {{Hub message/{{...}}}}: a language's page, picked at render time
        word = name.split(":", 1)[0].strip()
        if word in MAGIC_WORDS:
            continue
        title = f"Template:{normalise_title(name)}"
        assert title in installed, f"{page.title} uses {{{{{name}}}}}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_links_into_the_hub_name_real_pages(page: Page) -> None:
    """A typo such as [[R/Help/Mapping]] would send partners to an empty page."""
    hub_pages = {p.title for p in PAGES} | {
        f"{DEFAULT_ROOT}/{name}" for name in ("Dashboard", "Impact", "Requests")
    }
    for link in live_code(page.text).filter_wikilinks():
        assert isinstance(link, Wikilink)
        target = str(link.title).split("#", 1)[0].strip().lstrip(":")
        if not target.startswith(DEFAULT_ROOT):
            continue
        if target.startswith(f"{DEFAULT_ROOT}/Requests/"):
            continue  # request pages and their subpages, named by parameters
        assert target in hub_pages, f"{page.title} links to {target!r}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_parser_function_results_never_start_with_a_colour(page: Page) -> None:
    """MediaWiki puts a result starting with '#' on a new line, breaking a style attribute."""
    assert not re.search(r"[|=]\s*#[0-9a-fA-F]{3,6}\b", page.text)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_parser_function_branches_do_not_rely_on_edge_spaces(page: Page) -> None:
    """ParserFunctions trims each branch, so a space meant to separate words would vanish."""
    functions = ("#if", "#ifeq", "#ifexist", "#ifexpr", "#iferror", "#switch")
    for template in live_code(page.text).filter_templates():
        if str(template.name).split(":", 1)[0].strip() not in functions:
            continue
        for param in template.params:
            value = str(param.value)
            assert not re.match(r" +\S", value) and not re.search(r"\S +$", value), (
                f"{page.title}: branch {value[:60]!r} of {{{{{template.name}...}}}}"
            )


# --- templates ------------------------------------------------------------------


@pytest.mark.parametrize("page", TEMPLATE_PAGES, ids=page_id)
def test_templatedata_is_valid(page: Page) -> None:
    errors = list(templatedata_errors(templatedata(page)))
    assert not errors, f"{page.title}: {errors}"


@pytest.mark.parametrize("page", TEMPLATE_PAGES, ids=page_id)
def test_templatedata_documents_exactly_the_parameters_used(page: Page) -> None:
    used = used_arguments(page.text)
    documented = documented_names(templatedata(page))
    assert used <= documented, f"{page.title}: undocumented {sorted(used - documented)}"
    assert documented <= used, f"{page.title}: documented but unused {sorted(documented - used)}"


@pytest.mark.parametrize("page", TEMPLATE_PAGES, ids=page_id)
def test_every_parameter_has_a_default(page: Page) -> None:
    """An omitted parameter without a default shows as literal {{{name}}} on the page."""
    for arg in live_code(page.text).filter_arguments():
        assert arg.default is not None, f"{page.title}: {{{{{{{arg.name}}}}}}} has no default"


@pytest.mark.parametrize("page", TEMPLATE_PAGES, ids=page_id)
def test_template_output_has_no_line_starting_with_a_space(page: Page) -> None:
    """A line starting with a space becomes a preformatted block."""
    body = OPAQUE.sub("", section(page.text, "includeonly"))
    assert body, f"{page.title} has no <includeonly> output"
    for line in body.splitlines():
        assert not line.startswith(" "), f"{page.title}: {line[:60]!r}"


def request_template() -> Page:
    return BY_TITLE["Template:Partnership request"]


def test_request_templatedata_lists_every_request_parameter() -> None:
    data = templatedata(request_template())
    names = set(data["params"])
    assert set(REQUEST_PARAMS) <= names, set(REQUEST_PARAMS) - names
    for options in SOURCE_OPTIONS.values():
        assert set(options) <= names
    for name in ("partner", "source", "id", "file", "title"):
        assert data["params"][name].get("required") is True, name


def test_request_templatedata_lists_every_template_field_with_underscore_alias() -> None:
    data = templatedata(request_template())
    documented = documented_names(data)
    renamed = {field: alias for alias, field in FIELD_ALIASES.items()}
    assert set(FIELD_ALIASES) <= documented
    for template, fields in TEMPLATE_FIELDS.items():
        for field in fields:
            assert renamed.get(field, field) in documented, f"{template} field {field!r} missing"
            if " " in field and field in data["params"]:
                assert field.replace(" ", "_") in data["params"][field].get("aliases", [])


def test_request_template_shows_every_parameter() -> None:
    used = used_arguments(request_template().text)
    for name in REQUEST_PARAMS:
        assert name in used, name
    for name in ("credit line", "credit_line", "set", "records", *FIELD_ALIASES):
        assert name in used, name


def test_request_template_transcludes_status_only_when_it_exists() -> None:
    body = section(request_template().text, "includeonly")
    code = live_code(body)
    checks = [t for t in code.filter_templates() if str(t.name).startswith("#ifexist:")]
    status = [t for t in checks if "{{FULLPAGENAME}}/Status" in str(t.name)]
    assert status, "the status must be transcluded through #ifexist"
    then, otherwise = str(status[0].get(1).value), str(status[0].get(2).value)
    assert "{{:{{FULLPAGENAME}}/Status}}" in then
    assert "hubbot-template-not-looked" in otherwise
    assert "has not looked at this request yet" in english("hubbot-template-not-looked")
    for sub in ("/Preview", "/Mappings/"):
        assert f"{{{{FULLPAGENAME}}}}{sub}" in body


def test_request_category_is_added_only_on_request_pages() -> None:
    text = request_template().text
    category = "[[Category:Content Partnerships Hub requests]]"
    assert category in section(text, "includeonly")
    assert category not in OPAQUE.sub("", section(text, "noinclude"))
    holder = next(
        t
        for t in live_code(section(text, "includeonly")).filter_templates()
        if category in str(t) and str(t.name).startswith("#ifeq:{{NAMESPACE}}")
    )
    assert f"{{{{FULLPAGENAME:{DEFAULT_ROOT}/Requests/{{{{SUBPAGENAME}}}}}}}}" in str(holder)


def test_upload_template_categorises_only_file_pages() -> None:
    body = section(BY_TITLE["Template:Partnership upload"].text, "includeonly")
    holders = [
        t
        for t in live_code(body).filter_templates(recursive=False)
        if str(t.name).strip() == "#ifeq:{{NAMESPACE}}"
    ]
    assert len(holders) == 1 and str(holders[0].get(1).value).strip() == "{{ns:6}}"
    inside = str(holders[0].get(2).value)
    assert "[[Category:Content Partnerships Hub uploads/{{{request|}}}]]" in inside
    assert "[[Category:Content Partnerships Hub uploads" in inside
    outside = body.replace(str(holders[0]), "")
    assert "[[Category:" not in outside


def test_upload_categories_are_hidden() -> None:
    assert "__HIDDENCAT__" in BY_TITLE["Category:Content Partnerships Hub uploads"].text
    helper = BY_TITLE["Template:Partnership upload category"].text
    assert "__HIDDENCAT__" in section(helper, "includeonly")


def test_mapping_row_is_one_line_and_links_wikidata_externally() -> None:
    body = OPAQUE.sub("", section(BY_TITLE["Template:Mapping row"].text, "includeonly"))
    assert "\n" not in body, "a mapping row must render as a single line of the table"
    assert body.startswith("<tr") and body.endswith("</tr>")
    assert "[https://www.wikidata.org/wiki/" in body
    assert "[[d:" not in body
    assert body.count("<td") == 5


def test_mapping_table_opens_and_end_closes_the_table() -> None:
    opening = section(BY_TITLE["Template:Mapping table"].text, "includeonly")
    closing = section(BY_TITLE["Template:Mapping table end"].text, "includeonly")
    assert opening.count("<table") == 1 and "</table>" not in opening
    assert closing.strip() == "</table>"
    headers = re.findall(r"<th>(.*?)</th>", opening)
    assert len(headers) == 5


def test_batch_status_explains_every_state() -> None:
    text = BY_TITLE["Template:Batch status"].text
    explanations = next(
        t
        for t in live_code(section(text, "includeonly")).filter_templates()
        if str(t.name).strip() == "#switch:{{{state|}}}"
        and t.has("done")
        and t.has("#default")
        and "hubbot-box-text-done" in str(t.get("done").value)
    )
    for state in ("invalid", "awaiting-approval", "uploading", "paused", "stopped", "done"):
        assert explanations.has(state), state
        keys = re.findall(r"hubbot-box-text-[a-z-]+", str(explanations.get(state).value))
        assert keys and all(english(k).endswith(".") for k in keys), state
    assert "Files uploaded" in english("hubbot-box-uploaded") and "hubbot-box-uploaded" in text


def test_batch_preview_says_how_to_approve() -> None:
    body = section(BY_TITLE["Template:Batch preview"].text, "includeonly")
    assert "hubbot-box-preview-approve" in body
    approve = english("hubbot-box-preview-approve")
    assert "To approve exactly this preview, a reviewer presses the approve button" in approve
    assert "or sets $2" in approve
    assert "approve={{#tag:nowiki|{{{id|}}}}}" in body
    # the approve button (SPEC 15) reads the id shown and goes into its slot
    assert 'data-cph-id="{{{id|}}}"' in body and 'class="cph-approve-slot"' in body


def english(key: str) -> str:
    """An on-wiki message's English text (the templates take their words from i18n/)."""
    return catalog().messages["en"][key]


# --- preload ----------------------------------------------------------------------


def preload_text(text: str) -> str:
    """What MediaWiki preloads: <noinclude> parts dropped, <includeonly> tags removed."""
    text = re.sub(r"<noinclude>.*?</noinclude>", "", text, flags=re.DOTALL)
    return text.replace("<includeonly>", "").replace("</includeonly>", "")


def test_preload_is_a_commented_request_skeleton() -> None:
    code = mwparserfromhell.parse(preload_text(BY_TITLE[PRELOAD_TITLE].text))
    templates = code.filter_templates(recursive=False)
    assert [str(t.name).strip() for t in templates] == ["Partnership request"]
    params = {str(p.name).strip(): p.value for p in templates[0].params}
    assert set(REQUEST_PARAMS) <= set(params), set(REQUEST_PARAMS) - set(params)
    documented = documented_names(templatedata(request_template()))
    assert set(params) <= documented
    for name, value in params.items():
        assert value.filter(forcetype=Comment), f"preload parameter {name} has no comment"
        filled = "".join(str(n) for n in value.nodes if not isinstance(n, Comment)).strip()
        assert filled in {"", "Information", "10"}, f"{name} is prefilled with {filled!r}"
    assert params["approve"].strip_code().strip() == ""


# --- hub pages --------------------------------------------------------------------


def test_stop_page_is_exactly_run() -> None:
    raw = (PAGES_DIR / "hub" / "Stop.wikitext").read_bytes()
    assert raw == b"run"
    assert BY_TITLE[f"{DEFAULT_ROOT}/Stop"].text == "run"


def test_root_page_has_the_request_inputbox() -> None:
    text = BY_TITLE[DEFAULT_ROOT].text
    boxes = re.findall(r"<inputbox>(.*?)</inputbox>", text, flags=re.DOTALL)
    assert len(boxes) == 1
    options = dict(line.split("=", 1) for line in boxes[0].strip().splitlines() if "=" in line)
    assert options["type"] == "create"
    assert options["prefix"] == f"{DEFAULT_ROOT}/Requests/"
    assert options["preload"] == PRELOAD_TITLE and PRELOAD_TITLE in BY_TITLE
    assert options["buttonlabel"] == "Start a request"


def test_root_page_transcludes_the_dashboard_only_when_it_exists() -> None:
    code = live_code(BY_TITLE[DEFAULT_ROOT].text)
    check = next(t for t in code.filter_templates() if str(t.name).startswith("#ifexist:"))
    assert str(check.name).strip() == f"#ifexist:{DEFAULT_ROOT}/Dashboard"
    assert str(check.get(1).value).strip() == f"{{{{:{DEFAULT_ROOT}/Dashboard}}}}"


def test_help_explains_every_request_parameter() -> None:
    text = BY_TITLE[f"{DEFAULT_ROOT}/Help"].text
    names = set(REQUEST_PARAMS) | {o for opts in SOURCE_OPTIONS.values() for o in opts}
    names |= {f for fields in TEMPLATE_FIELDS.values() for f in fields} | set(FIELD_ALIASES)
    missing = sorted(n for n in names if f"<code>{n}</code>" not in text)
    assert not missing, f"Help does not explain: {missing}"
    for state in ("invalid", "awaiting-approval", "uploading", "paused", "stopped", "done"):
        assert f"<code>{state}</code>" in text, state
    for topic in ("four eyes", "stale", f"[[{DEFAULT_ROOT}/Stop]]", "approver groups"):
        assert topic in text, topic


def test_reviewing_help_explains_approval() -> None:
    text = BY_TITLE[f"{DEFAULT_ROOT}/Help/Reviewing"].text
    for topic in ("approve", "four eyes", "stale", "Preview"):
        assert topic in text, topic
