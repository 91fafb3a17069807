"""The media files a preview shows: read a few at once, and only when they changed.

Their SHA-1 is part of the preview id (SPEC 5), so every run that publishes
a preview must know the bytes the partner's server gives now. The files are
fetched through the prefetcher (a few at once per host, bounded by the
request's part of the run's budget), and kept on disk for an upload in the
same run. What was read is kept in the journal (:class:`bots.model.MediaSeen`):
the next run asks the server whether the file is still that version (ETag,
Last-Modified) and downloads nothing when it is, which is what a request
waiting for its approval costs at every scheduled run.

A server that says "unchanged" when the bytes did change gains nothing: the
upload downloads the file again and checks its SHA-1 against the approved one.
"""

from __future__ import annotations

from collections.abc import Sequence

from bots.i18n.message import Message, from_text, msg, to_text
from bots.jobs.context import Job
from bots.jobs.media import FitMedia, judge_media, read_media
from bots.jobs.prefetch import Download, Prefetcher
from bots.model import MediaCheck, MediaSeen, PlannedFile
from bots.net.deadline import Deadline
from bots.net.mediatypes import MediaType
from bots.net.validators import Validators


def check_shown(
    job: Job,
    name: str,
    shown: Sequence[PlannedFile],
    deadline: Deadline | None,
    *,
    approve: str | None = None,
) -> list[MediaCheck]:
    """The shown files' checks, in order; their downloads stay in the run's work folder.

    ``approve`` is what the request page approves now. When it is the last
    preview, this run will probably upload, and the upload needs the bytes:
    they are downloaded whole, not asked for conditionally.
    """
    facts = job.store.request_facts(name)
    seen = {m.record_id: m for m in facts.seen_media}
    uploading = bool(approve) and approve == facts.preview

    def validators(planned: PlannedFile) -> Validators | None:
        known = seen.get(planned.record_id)
        if uploading or known is None or known.url != planned.media_url:
            return None
        return Validators(known.etag, known.last_modified)

    checks: list[MediaCheck] = []
    kept: list[MediaSeen] = []
    with (
        Prefetcher(
            job.fetcher,
            job.media_dir(name),
            name,
            per_host=job.config.sources.parallel_downloads,
            deadline=deadline,
            validators=validators,
        ) as prefetch,
        job.bars.bar(f"{name}: reading the previewed media", len(shown)) as bar,
    ):
        for download in prefetch.files(shown):
            check, fact = inspect(download, seen.get(download.record_id))
            checks.append(check)
            if fact is not None:
                kept.append(fact)
            bar.advance()
    if tuple(kept) != facts.seen_media:
        job.store.update_request(name, seen_media=tuple(kept))
    return checks


def inspect(download: Download, known: MediaSeen | None) -> tuple[MediaCheck, MediaSeen | None]:
    """One shown file's check, and what the journal keeps of it for the next run."""
    planned = download.planned
    if download.unchanged and known is not None:
        media = MediaType(known.mime, known.extension, known.kind) if known.mime else None
        svg_known = from_text(known.svg_problem)
        judged = judge_media(planned, media, known.content_type, known.size, svg_known)
        return _check(planned, known.sha1, judged), known
    fetched = download.fetched
    if fetched is None:
        problem = download.error.message if download.error else msg("hubbot-media-unreadable")
        return MediaCheck(planned.record_id, planned.full_title(), problem=problem), None
    content_type = fetched.content_type or ""
    media, svg = read_media(fetched.path) if fetched.size else (None, None)
    judged = judge_media(planned, media, content_type, fetched.size, svg)
    check = _check(planned, fetched.sha1, judged, fetched)
    validators = fetched.validators
    if validators is None:
        return check, None  # nothing to ask the server with next time
    return check, MediaSeen(
        record_id=planned.record_id,
        url=planned.media_url,
        etag=validators.etag,
        last_modified=validators.last_modified,
        sha1=fetched.sha1,
        size=fetched.size,
        content_type=content_type,
        mime=media.mime if media else "",
        extension=media.extension if media else "",
        kind=media.name if media else "",
        svg_problem=to_text(svg),
    )


def _check(
    planned: PlannedFile, sha1: str, judged: FitMedia | Message, fetched: object = None
) -> MediaCheck:
    if isinstance(judged, FitMedia):
        return MediaCheck(planned.record_id, judged.title, sha1, None, fetched=fetched)
    return MediaCheck(planned.record_id, planned.full_title(), sha1, judged, fetched=fetched)
