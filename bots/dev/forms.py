"""The forms on the wiki (SPEC 15): what ``hubbot install`` writes for them, and where.

The forms are one script and one style sheet (built from ``wiki_templates/forms/``)
and a configuration page per hub, ``R/Forms.json``, that the script reads: the
licences, the approvers, the Wikibase to search, the fields of each file page
template and the forms' messages in every language there is a file for.

Where the script goes depends on what the bot's account may do on the wiki:

- with ``editsitejs`` (the dev wiki): ``MediaWiki:Hub-forms.js`` and ``.css``,
  loaded for everyone by a marked block in ``MediaWiki:Common.js`` (the rest of
  Common.js is left alone);
- otherwise (Commons, where only interface administrators edit site scripts):
  the bot's own ``User:BOT/hub-forms.js`` and ``.css`` when it may edit its
  user scripts, anyone can load them as a user script, and install prints
  exactly what to ask an interface administrator for.

Everything but :func:`install_forms` is pure.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bots import WIKI_TEMPLATES_DIR, __version__
from bots.config import Config
from bots.model import FORMATS, SOURCE_OPTIONS, TEMPLATE_FIELDS
from bots.pipeline.request import REQUEST_TEMPLATE, REQUIRED
from bots.pipeline.request_names import field_param_name
from bots.wiki import PageInfo, Wiki

log = logging.getLogger(__name__)

FORMS_DIR = WIKI_TEMPLATES_DIR / "forms"
#: The script's parts, in the order they are joined into one page.
SCRIPT_PARTS = ("wikitext.js", "ui.js", "wizard.js", "mapping.js", "approve.js", "main.js")
STYLE_FILE = "forms.css"

SITE_SCRIPT = "MediaWiki:Hub-forms.js"
SITE_STYLE = "MediaWiki:Hub-forms.css"
COMMON_JS = "MediaWiki:Common.js"
BEGIN = "/* Content Partnerships Hub forms: begin (hubbot install keeps this block up to date) */"
END = "/* Content Partnerships Hub forms: end */"

SITE_RIGHTS = frozenset({"editinterface", "editsitejs", "editsitecss"})
USER_RIGHTS = frozenset({"editmyuserjs", "editmyusercss"})


def config_page(root: str) -> str:
    """The hub's forms configuration, read by the script."""
    return f"{root}/Forms.json"


@dataclass(frozen=True)
class FormsSettings:
    """What the forms need to know of the configuration."""

    licences: tuple[str, ...]
    approver_groups: tuple[str, ...]
    approver_users: tuple[str, ...]
    #: api.php of the Wikibase to search for items; "" for the wiki itself
    wikibase_api: str = ""

    @classmethod
    def from_config(cls, config: Config) -> FormsSettings:
        api = config.wikibase.api
        return cls(
            licences=tuple(config.licenses),
            approver_groups=tuple(config.approvers.groups),
            approver_users=tuple(config.approvers.users),
            wikibase_api="" if not api or api == config.wiki.api else api,
        )


def load_messages(folder: Path = FORMS_DIR / "i18n") -> dict[str, dict[str, str]]:
    """The forms' messages by language (``LANG.json``, MediaWiki's format), without qqq."""
    messages: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.json")):
        if path.stem == "qqq":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        messages[path.stem] = {k: str(v) for k, v in data.items() if not k.startswith("@")}
    return messages


def config_data(
    root: str, settings: FormsSettings, messages: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    """The configuration page's content."""
    return {
        "version": __version__,
        "root": root,
        "request_template": REQUEST_TEMPLATE,
        "required": list(REQUIRED),
        "licences": list(settings.licences),
        "approvers": {
            "groups": list(settings.approver_groups),
            "users": list(settings.approver_users),
        },
        "wikibase": {"api": settings.wikibase_api},
        "formats": list(FORMATS),
        "source_options": {fmt: list(options) for fmt, options in SOURCE_OPTIONS.items()},
        "templates": {
            name: [field_param_name(field) for field in fields]
            for name, fields in TEMPLATE_FIELDS.items()
        },
        "messages": {lang: dict(texts) for lang, texts in messages.items()},
    }


def script_text(folder: Path = FORMS_DIR) -> str:
    """The forms' script as one page: its parts joined, under a header."""
    header = (
        f"/* Content Partnerships Hub forms {__version__}, written by `hubbot install` from\n"
        " * wiki_templates/forms/ (see its README). Edits here are kept until the next\n"
        " * `hubbot install --force`. The wikitext stays the contract: these forms only\n"
        " * write what a person could write by hand. */\n"
    )
    parts = [(folder / name).read_text(encoding="utf-8").rstrip() + "\n" for name in SCRIPT_PARTS]
    return header + "\n".join(parts)


def style_text(folder: Path = FORMS_DIR) -> str:
    return (folder / STYLE_FILE).read_text(encoding="utf-8").rstrip() + "\n"


def raw_url(title: str, kind: str) -> str:
    """A script or style page as the browser loads it (relative to the wiki's index.php)."""
    ctype = "text/javascript" if kind == "js" else "text/css"
    return f"?title={quote(title.replace(' ', '_'), safe=':/')}&action=raw&ctype={ctype}"


def loader_lines(script: str, style: str) -> str:
    """JavaScript (ES5, as ResourceLoader checks site scripts) that loads the forms."""
    return (
        f"mw.loader.load(mw.config.get('wgScript') + '{raw_url(style, 'css')}', 'text/css');\n"
        f"mw.loader.load(mw.config.get('wgScript') + '{raw_url(script, 'js')}');"
    )


def loader_block(script: str = SITE_SCRIPT, style: str = SITE_STYLE) -> str:
    return f"{BEGIN}\n{loader_lines(script, style)}\n{END}"


def merge_loader(current: str, block: str) -> str:
    """Common.js with the forms' block put in (or brought up to date); all else kept."""
    start = current.find(BEGIN)
    end = current.find(END, start + 1) if start != -1 else -1
    if start != -1 and end != -1:
        return current[:start] + block + current[end + len(END) :]
    if not current.strip():
        return block + "\n"
    return current.rstrip("\n") + "\n\n" + block + "\n"


@dataclass(frozen=True)
class FormsPlan:
    """Where the script goes on this wiki, and what an interface administrator must do."""

    script: str
    style: str
    site_wide: bool
    #: the bot may write script and style (site-wide, or as its own user scripts)
    writable: bool

    def ask(self) -> str:
        """What to ask for, exactly, when the forms are not loaded for everyone ("" if they are)."""
        if self.site_wide:
            return ""
        where = (
            f"the text of [[{self.script}]] and [[{self.style}]]"
            if self.writable
            else "the script and style sheet this install saved (paths below)"
        )
        lines = [
            "The forms (request wizard, mapping editor, approve button) are not loaded for "
            "everyone yet: on this wiki only interface administrators may install site scripts.",
            "Ask one (on Commons: at Commons:Administrators' noticeboard, for an interface "
            "administrator) to:",
            f"  1. create [[{SITE_SCRIPT}]] and [[{SITE_STYLE}]] with {where};",
            f"  2. add these lines at the end of [[{COMMON_JS}]]:",
            *("     " + line for line in loader_block().splitlines()),
        ]
        if self.writable:
            lines += [
                "Until then, anyone can use the forms by adding this line to their own "
                "Special:MyPage/common.js:",
                "     " + loader_lines(self.script, self.style).replace("\n", " "),
            ]
        return "\n".join(lines)


def plan_forms(rights: frozenset[str], bot_user: str) -> FormsPlan:
    """Site scripts where the bot may write them, else its own user scripts (pure)."""
    if SITE_RIGHTS <= rights:
        return FormsPlan(SITE_SCRIPT, SITE_STYLE, site_wide=True, writable=True)
    script, style = f"User:{bot_user}/hub-forms.js", f"User:{bot_user}/hub-forms.css"
    return FormsPlan(script, style, site_wide=False, writable=USER_RIGHTS <= rights)


@dataclass(frozen=True)
class FormsPage:
    title: str
    text: str
    content_model: str | None = None
    #: only the marked block of this page is ours (Common.js)
    block_only: bool = False


def forms_pages(root: str, settings: FormsSettings, plan: FormsPlan) -> list[FormsPage]:
    """The pages install writes for the forms, in order."""
    data = config_data(root, settings, load_messages())
    pages = [FormsPage(config_page(root), json.dumps(data, ensure_ascii=False, indent=1), "json")]
    if plan.writable:
        pages += [
            FormsPage(plan.script, script_text()),
            FormsPage(plan.style, style_text()),
        ]
    if plan.site_wide:
        pages.append(FormsPage(COMMON_JS, loader_block(), block_only=True))
    return pages


def same_content(page: FormsPage, current: PageInfo) -> bool:
    """Whether the wiki already holds this page (JSON compared as data: the wiki reformats it)."""
    if not current.exists:
        return False
    if page.block_only:
        return merge_loader(current.text, page.text).rstrip() == current.text.rstrip()
    if page.content_model == "json":
        try:
            return bool(json.loads(current.text) == json.loads(page.text))
        except ValueError:
            return False
    return current.text.rstrip() == page.text.rstrip()


def install_forms(
    wiki: Wiki,
    root: str,
    settings: FormsSettings,
    *,
    save_page: Callable[[FormsPage, PageInfo, bool], object],
) -> FormsPlan:
    """Hand each of the forms' pages to ``save_page`` (install's rules), with whether the
    wiki holds it already; returns the plan."""
    rights = wiki.my_rights()
    bot_user = wiki.username.split("@")[0]
    plan = plan_forms(rights, bot_user)
    pages = forms_pages(root, settings, plan)
    current = wiki.read_pages(p.title for p in pages)
    for page in pages:
        info = current[page.title]
        text = merge_loader(info.text, page.text) if page.block_only else page.text
        model = page.content_model if "editcontentmodel" in rights else None
        save_page(
            FormsPage(page.title, text, model, page.block_only), info, same_content(page, info)
        )
    return plan
