"""The one Jinja2 set-up for every page the bot writes: file pages and reports.

Wikitext is full of ``{{ }}``, so the templates use ``<< >>`` for values,
``<% %>`` for blocks and ``<# #>`` for comments. Nothing is escaped by Jinja2:
every value is escaped for wikitext before it gets here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jinja2

from bots import WIKI_TEMPLATES_DIR
from bots.i18n import PageLanguage


@cache
def environment(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        variable_start_string="<<",
        variable_end_string=">>",
        block_start_string="<%",
        block_end_string="%>",
        comment_start_string="<#",
        comment_end_string="#>",
    )


def render_report(template: str, /, lang: PageLanguage, **context: object) -> str:
    """One of the bot's pages from ``wiki_templates/reports/NAME``, blank runs folded.

    Every word of the template comes from the messages of ``lang``
    (``<< msg("hubbot-...", value) >>``); ``lang.wrapper()`` opens the page's
    ``<div>`` with its language and direction.
    """
    folder = WIKI_TEMPLATES_DIR / "reports"
    text = environment(folder).get_template(template).render(lang=lang, msg=lang, **context)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
