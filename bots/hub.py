"""One hub's names: its pages (SPEC 2), the tracking category, edit summaries.

Everything the bot writes is named here once, so a page title or a summary
cannot drift between the commands that write it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

#: Every edit summary of the bot starts with this.
SUMMARY_PREFIX = "Content Partnerships Hub bot"

#: The hidden category every uploaded file of a request is in (added by
#: ``{{Partnership upload}}``), without its namespace.
TRACKING_CATEGORY = "Content Partnerships Hub uploads"


def summary(what: str) -> str:
    """An edit summary of the bot's own pages."""
    return f"{SUMMARY_PREFIX}: {what}"


def upload_summary(request_page: str, name: str, record_id: str) -> str:
    """The summary of a file's upload: it links the request (record ids are data, cleaned)."""
    safe_id = re.sub(r"[\[\]{}|<>]", "", record_id)[:100]
    return f"Content Partnerships Hub: [[{request_page}|{name}]], record {safe_id}"


#: The EditGroups tool groups a batch's edits by this link at the end of their
#: summaries, so that the community can review the batch and undo it at once.
EDITGROUPS_LINK = "([[:toollabs:editgroups/b/CB/{batch}|details]])"


def batch_id(name: str, approved: str) -> str:
    """One batch of edits for EditGroups: a request under one approval (hexadecimal)."""
    return hashlib.sha1(f"{name}\n{approved}".encode()).hexdigest()[:12]


def editgroup(name: str, preview: str) -> str:
    """The EditGroups link that ends a batch's summaries (:data:`EDITGROUPS_LINK`): one
    batch per request and approval, whatever the bot edits (pages, structured data, items)."""
    return EDITGROUPS_LINK.format(batch=batch_id(name, preview))


def structured_summary(request_page: str, name: str, record_id: str, batch: str = "") -> str:
    """The summary of a file's structured data (SPEC 11): it links the request, like the upload,
    and ends with the batch's EditGroups link (:data:`EDITGROUPS_LINK`) when ``batch`` is given."""
    safe_id = re.sub(r"[\[\]{}|<>]", "", record_id)[:100]
    link = f" {EDITGROUPS_LINK.format(batch=batch)}" if batch else ""
    return (
        f"Content Partnerships Hub: structured data from [[{request_page}|{name}]], "
        f"record {safe_id}{link}"
    )


def item_summary(what: str, request: str, record_id: str, batch: str) -> str:
    """The summary of an edit of an item or of a file's structured data for a record.

    ``request`` is the request as the Wikibase should show it: a link when the
    Wikibase is the wiki itself, its name otherwise. Record ids are data, cleaned.
    """
    safe_id = re.sub(r"[\[\]{}|<>]", "", record_id)[:100]
    link = EDITGROUPS_LINK.format(batch=batch)
    return f"Content Partnerships Hub: {what} for record {safe_id} of {request} {link}"


@dataclass(frozen=True)
class Hub:
    """The page titles of one hub (SPEC 2), under its root (as the wiki spells it)."""

    root: str

    @property
    def requests_prefix(self) -> str:
        return f"{self.root}/Requests"

    @property
    def dashboard(self) -> str:
        return f"{self.root}/Dashboard"

    @property
    def stop(self) -> str:
        return f"{self.root}/Stop"

    @property
    def hub_impact(self) -> str:
        return f"{self.root}/Impact"

    def request(self, name: str) -> str:
        return f"{self.requests_prefix}/{name}"

    def status(self, name: str) -> str:
        return f"{self.request(name)}/Status"

    def preview(self, name: str) -> str:
        return f"{self.request(name)}/Preview"

    def mapping(self, name: str, column: str) -> str:
        return f"{self.request(name)}/Mappings/{column}"

    def impact(self, name: str) -> str:
        return f"{self.request(name)}/Impact"

    def request_name(self, title: str) -> str | None:
        """The request a page title names (a page directly under Requests/), or None."""
        prefix = self.requests_prefix + "/"
        rest = title[len(prefix) :] if title.startswith(prefix) else ""
        return rest if rest and "/" not in rest else None

    @staticmethod
    def tracking_category(name: str) -> str:
        """The hidden category of a request's uploads, with its namespace."""
        return f"Category:{TRACKING_CATEGORY}/{name}"
