"""The preview id: a short hash over everything that decides the upload (SPEC 5)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping


def preview_id(
    raw_params: Mapping[str, str],
    mapping_pages: Mapping[str, str],
    source_digest: str,
    templates_digest: str,
    licenses: Mapping[str, str],
    *,
    name: str = "",
    media: Mapping[str, str] | None = None,
    structured: str = "",
    items: str = "",
) -> str:
    """A short hash over everything that decides the upload (SPEC 5).

    ``name`` is the request's page name: a moved request needs a new approval,
    because every file page and the tracking category carry the name. ``media``
    holds the SHA-1 of each media file the preview shows, by record id (or
    ``unreadable``): other bytes served later make the approval stale.
    ``approve``, ``pause``, ``limit`` and ``sync`` steer the run but do not
    change what a file looks like, so they are left out. ``structured`` is the
    digest of the files' structured data (SPEC 11,
    :func:`bots.pipeline.structured_checks.structured_digest`), "" when the
    files get none (the id is then what it was before structured data). ``items`` is the
    digest of the records' items (:meth:`bots.pipeline.item_plan.ItemPlan.digest`),
    "" for a request that asks for none.
    """
    decisive = {
        k: v
        for k, v in raw_params.items()
        if v.strip() and k not in ("approve", "pause", "limit", "sync")
    }
    inputs: dict[str, object] = {
        "name": name,
        "request": sorted(decisive.items()),
        "mappings": sorted(mapping_pages.items()),
        "source": source_digest,
        "templates": templates_digest,
        "licenses": sorted(licenses.items()),
        "media": sorted((media or {}).items()),
    }
    if structured:
        inputs["structured"] = structured
    if items:
        inputs["items"] = items
    payload = json.dumps(
        inputs,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:10]


def preview_id_on_page(text: str) -> str | None:
    match = re.search(r"\{\{\s*Batch preview\s*\|\s*id\s*=\s*([0-9a-f]+)", text)
    return match.group(1) if match else None
