"""Content Partnerships Hub bots: GLAM batch uploads driven from wiki pages."""

__version__ = "0.1.0"
