"""The developer's tools: a real local wiki, the demo, and the installer of the hub's pages."""


class DevWikiError(Exception):
    """Something stopped the dev wiki from starting; the message says what to do."""
