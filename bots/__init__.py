"""Content Partnerships Hub bots: GLAM batch uploads driven from wiki pages."""

__version__ = "0.1.0"

from pathlib import Path

#: The checkout (or installed tree) the package lives in.
REPO_DIR = Path(__file__).resolve().parent.parent
#: The on-wiki templates, help pages and the Jinja2 templates of pages the bot writes.
WIKI_TEMPLATES_DIR = REPO_DIR / "wiki_templates"
#: The bot's messages in MediaWiki's JSON format, one file per language (``qqq`` documents them).
I18N_DIR = REPO_DIR / "i18n"
