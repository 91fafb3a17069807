"""Every upload warning and error code, produced by the real wiki, and its outcome.

Each test makes the real MediaWiki give one code (by preparing the wiki the
way Commons would be: a file already there, a deleted file, a protected
title, a blacklist...), sends the upload through :meth:`Wiki.upload`, checks
the outcome, and then asks the wiki what it holds: the bytes that should be
there exactly once, refused bytes nowhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bots.wiki import (
    Blocked,
    Duplicate,
    ReadOnly,
    TitleTaken,
    Uploaded,
    UploadRefused,
    Wiki,
)
from tests.faults.helpers import fresh, report, sha1, tally, unique_png


class Uploader:
    """Uploads bytes under a test's own titles and checks the wiki afterwards."""

    def __init__(self, wiki: Wiki, folder: Path) -> None:
        self.wiki = wiki
        self.folder = folder
        self.tag = uuid.uuid4().hex[:8]

    def title(self, name: str) -> str:
        return f"File:{name} {self.tag}"

    def file(self, data: bytes, name: str = "") -> Path:
        path = self.folder / f"{name or sha1(data)}.bin"
        path.write_bytes(data)
        return path

    def upload(self, title: str, data: bytes, text: str = "A test upload.", **kw):
        mime = kw.pop("mime", "image/png")
        return self.wiki.upload(title, self.file(data), text, "test upload", mime=mime, **kw)

    def check(self, code: str, did: str, present=(), absent=()) -> None:
        result = tally(self.wiki, present=present, absent=absent)
        report(f"upload warning or error `{code}`", did, result, "real wiki")
        assert result.clean, result


@pytest.fixture
def up(bot, tmp_path) -> Uploader:
    return Uploader(fresh(bot), tmp_path)


@pytest.fixture
def admin(person):
    return person("Admin")


@pytest.fixture
def extra_settings(devwiki) -> Iterator:
    """Set extra PHP settings for one test; the wiki gets its defaults back afterwards."""
    yield devwiki.set_extra_settings
    devwiki.set_extra_settings(None)
    devwiki.set_read_only(None)


# --- the bytes are already there -------------------------------------------------


def test_duplicate(up):
    data = unique_png()
    first = up.title("Original") + ".png"
    assert up.upload(first, data) == Uploaded(first)
    outcome = up.upload(up.title("Copy") + ".png", data)
    assert outcome == Duplicate(existing=first)
    up.check("duplicate", "duplicate, naming the existing file", present=[sha1(data)])


def test_nochange(up):
    data = unique_png()
    title = up.title("Same") + ".png"
    up.upload(title, data)
    assert up.upload(title, data) == Duplicate(existing=title)
    up.check("nochange", "duplicate of the same title", present=[sha1(data)])


def test_fileexists_no_change(up):
    """A new version with the very same bytes (the impact chart's case)."""
    data = unique_png()
    title = up.title("Chart") + ".png"
    up.upload(title, data)
    assert up.upload(title, data, new_version=True) == Duplicate(existing=title)
    up.check("fileexists-no-change", "duplicate of the same title", present=[sha1(data)])


def test_duplicateversions(up):
    old, new = unique_png(), unique_png()
    title = up.title("Versions") + ".png"
    assert up.upload(title, old) == Uploaded(title)
    assert up.upload(title, new, new_version=True) == Uploaded(title)
    assert up.upload(title, old) == Duplicate(existing=title)
    up.check(
        "duplicateversions", "duplicate of the file with that old version", present=[sha1(new)]
    )


def test_duplicate_archive(up, admin):
    data = unique_png()
    title = up.title("Deleted") + ".png"
    up.upload(title, data)
    admin.delete(title, "test: deleted file")
    outcome = up.upload(up.title("Again") + ".png", data)
    assert isinstance(outcome, UploadRefused) and outcome.code == "duplicate-archive"
    assert "deleted from the wiki before" in outcome.reason and "Deleted" in outcome.reason
    up.check(
        "duplicate-archive", "failed: deleted bytes are never re-uploaded", absent=[sha1(data)]
    )


# --- the title is taken ---------------------------------------------------------


def test_exists_then_published_from_the_stash_under_another_title(up):
    first, second = unique_png(), unique_png()
    title = up.title("Taken") + ".png"
    up.upload(title, first)
    outcome = up.upload(title, second)
    assert isinstance(outcome, TitleTaken) and outcome.warning == "exists"
    assert outcome.filekey  # the wiki kept the bytes: no second upload of them
    other = up.title("Taken (R1)") + ".png"
    assert up.wiki.commit(other, outcome.filekey, "text", "test") == Uploaded(other)
    assert up.wiki.files([title])[title].sha1 == sha1(first)  # never overwritten
    up.check(
        "exists",
        "title taken: published under the title with the record id",
        present=[sha1(first), sha1(second)],
    )


def test_exists_normalized(up, tmp_path):
    from tests.faults.helpers import converted

    first = converted(unique_png(), "jpg", tmp_path)
    second = converted(unique_png(), "jpg", tmp_path)
    name = up.title("Normalized")
    up.upload(name + ".jpg", first, mime="image/jpeg")
    outcome = up.upload(name + ".jpeg", second, mime="image/jpeg")
    assert isinstance(outcome, TitleTaken) and outcome.warning == "exists-normalized"
    up.check("exists-normalized", "title taken", present=[sha1(first)], absent=[sha1(second)])


def test_page_exists(up, admin):
    title = up.title("Page only") + ".png"
    admin.edit(title, "A page somebody wrote before any file.", "test")
    data = unique_png()
    outcome = up.upload(title, data)
    assert isinstance(outcome, TitleTaken) and outcome.warning == "page-exists"
    assert up.wiki.read_page(title).text == "A page somebody wrote before any file."
    up.check("page-exists", "title taken; the page is untouched", absent=[sha1(data)])


def test_fileexists_forbidden(up, extra_settings):
    data, other = unique_png(), unique_png()
    title = up.title("Locked") + ".png"
    up.upload(title, data)
    extra_settings(
        "foreach (['*', 'user', 'bot', 'autoconfirmed'] as $g) "
        "{ $wgGroupPermissions[$g]['reupload'] = false; "
        "$wgGroupPermissions[$g]['reupload-own'] = false; }"
    )
    outcome = up.upload(title, other, new_version=True)
    assert isinstance(outcome, TitleTaken), outcome
    assert outcome.warning == "fileexists-forbidden"
    up.check("fileexists-forbidden", "title taken", present=[sha1(data)], absent=[sha1(other)])


def test_was_deleted(up, admin):
    title = up.title("Gone") + ".png"
    up.upload(title, unique_png())
    admin.delete(title, "test")
    data = unique_png()
    outcome = up.upload(title, data)
    assert isinstance(outcome, UploadRefused) and outcome.code == "was-deleted"
    up.check("was-deleted", "failed: deleted titles are not re-created", absent=[sha1(data)])


def test_protected_title(up, admin):
    title = up.title("Protected") + ".png"
    admin.protect(title, "create=sysop")
    data = unique_png()
    outcome = up.upload(title, data)
    # MediaWiki 1.39 answers protectedpage for a title protected from creation
    assert isinstance(outcome, UploadRefused) and outcome.code == "protectedpage", outcome
    assert "protected" in outcome.reason
    up.check("protectedpage", "failed: the title is protected", absent=[sha1(data)])


# --- the title is not a good one ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("DSC_{n}.png", "bad-prefix"),
        ("120px-Nothing here {n}.png", "thumb-name"),
        ("Colon: in {n}.png", "badfilename"),
    ],
)
def test_title_warnings(up, name, code):
    data = unique_png()
    outcome = up.upload("File:" + name.format(n=up.tag), data)
    assert isinstance(outcome, UploadRefused) and outcome.code == code, outcome
    up.check(code, "failed: change the title pattern", absent=[sha1(data)])


def test_thumb(up):
    title = up.title("Thumbed") + ".png"
    up.upload(title, unique_png())
    data = unique_png()
    outcome = up.upload("File:120px-" + title.removeprefix("File:"), data)
    assert isinstance(outcome, UploadRefused) and outcome.code == "thumb"
    up.check("thumb", "failed: looks like a thumbnail", absent=[sha1(data)])


# --- the file is not a good one -------------------------------------------------


def test_empty_file(up):
    outcome = up.upload(up.title("Empty") + ".png", b"")
    assert isinstance(outcome, UploadRefused) and outcome.code == "empty-file"
    up.check("empty-file", "failed: the file is empty")


def test_verification_error_content_does_not_match_the_extension(up):
    data = unique_png()
    outcome = up.upload(up.title("Not a JPEG") + ".jpg", data, mime="image/jpeg")
    assert isinstance(outcome, UploadRefused) and outcome.code == "verification-error"
    assert "filetype-mime-mismatch" in outcome.reason
    up.check("verification-error", "failed: content and extension disagree", absent=[sha1(data)])


def test_verification_error_svg_with_a_script(up):
    data = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
        + up.tag.encode()
        + b"<rect/></svg>"
    )
    outcome = up.upload(up.title("Scripted") + ".svg", data, mime="image/svg+xml")
    assert isinstance(outcome, UploadRefused) and outcome.code == "verification-error"
    up.check("verification-error", "failed: an SVG with a script", absent=[sha1(data)])


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("Notes.txt", b"Plain text, not a media file: ", "filetype-banned"),
        ("Program.exe", b"MZ", "verification-error"),  # refused on its content first
    ],
    ids=["text file", "program"],
)
def test_types_the_wiki_refuses(up, name, data, code):
    data = data + uuid.uuid4().hex.encode() * 8
    stem, extension = name.rsplit(".", 1)
    outcome = up.upload(f"{up.title(stem)}.{extension}", data, mime="application/octet-stream")
    assert isinstance(outcome, UploadRefused) and outcome.code == code, outcome
    up.check(code, "failed: a type the wiki refuses", absent=[sha1(data)])


def test_filetype_unwanted_type(up, extra_settings):
    from tests.unit.test_mediatypes import webp

    extra_settings("$wgStrictFileExtensions = false;")
    data = webp() + up.tag.encode()
    outcome = up.upload(up.title("Unwanted") + ".webp", data, mime="image/webp")
    assert isinstance(outcome, UploadRefused) and outcome.code == "filetype-unwanted-type"
    up.check("filetype-unwanted-type", "failed: a type the wiki does not want", absent=[sha1(data)])


def test_large_file_is_only_information(up, extra_settings):
    extra_settings("$wgUploadSizeWarning = 1000;")
    data = unique_png(200, 200)
    assert len(data) > 1000
    title = up.title("Large") + ".png"
    assert up.upload(title, data) == Uploaded(title)
    up.check("large-file", "uploaded: confirmed from the stash", present=[sha1(data)])


def test_file_too_large(up, extra_settings):
    extra_settings("$wgMaxUploadSize = 1000;")
    data = unique_png(200, 200)
    outcome = up.upload(up.title("Too large") + ".png", data)
    assert isinstance(outcome, UploadRefused) and outcome.code == "file-too-large", outcome
    up.check("file-too-large", "failed: larger than the wiki takes", absent=[sha1(data)])


# --- the wiki's own refusals ----------------------------------------------------


@pytest.fixture
def blacklists(devwiki, admin) -> Iterator:
    devwiki.load_blacklists()
    yield devwiki
    devwiki.remove_abuse_filters()
    admin.edit("MediaWiki:Titleblacklist", "", "test done")
    admin.edit("MediaWiki:Spam-blacklist", "", "test done")
    devwiki.set_extra_settings(None)


def test_titleblacklist(up, blacklists, admin):
    admin.edit("MediaWiki:Titleblacklist", f".*Forbidden {up.tag}.*\n", "test")
    data = unique_png()
    outcome = up.upload(up.title(f"Forbidden {up.tag}") + ".png", data)
    assert isinstance(outcome, UploadRefused)
    assert outcome.code.startswith("titleblacklist-forbidden"), outcome
    assert "title blacklist" in outcome.reason
    up.check("titleblacklist-forbidden", "failed: the title is blacklisted", absent=[sha1(data)])


def test_spamblacklist(up, blacklists, admin):
    admin.edit("MediaWiki:Spam-blacklist", f"spam-{up.tag}\\.example\\.com\n", "test")
    data = unique_png()
    text = f"See https://spam-{up.tag}.example.com/offer"
    outcome = up.upload(up.title("Spam") + ".png", data, text=text)
    assert isinstance(outcome, UploadRefused) and outcome.code == "spamblacklist", outcome
    assert "spam blacklist" in outcome.reason
    up.check("spamblacklist", "failed: a link on the spam blacklist", absent=[sha1(data)])


@pytest.mark.parametrize("action", ["disallow", "warn"])
def test_abusefilter(up, blacklists, action):
    blacklists.add_abuse_filter(
        f'action == "upload" & contains_any(new_wikitext, "filtered {up.tag}")',
        f"Test filter {up.tag}",
        action,
    )
    data = unique_png()
    outcome = up.upload(up.title("Filtered") + ".png", data, text=f"filtered {up.tag}")
    code = {"disallow": "abusefilter-disallowed", "warn": "abusefilter-warning"}[action]
    assert isinstance(outcome, UploadRefused) and outcome.code == code, outcome
    # A warning is a refusal too: sending the same upload again in this session
    # would pass the filter (that is how AbuseFilter warnings work), so the
    # bot never does; the record fails with the filter's reason.
    assert f"Test filter {up.tag}" in outcome.reason
    up.check(code, "failed: an abuse filter refused it", absent=[sha1(data)])


# --- the account and the wiki ---------------------------------------------------


def test_stash_file_not_found(up):
    outcome = up.wiki.commit(up.title("No stash") + ".png", "1abcdefghijk.xyz123.3.png", "t", "s")
    assert isinstance(outcome, UploadRefused) and outcome.code == "stash-lost"
    up.check(
        "uploadstash-file-not-found",
        "stash-lost: asked the wiki by title and SHA-1, then the bytes are sent again",
    )


def test_read_only(up, devwiki):
    devwiki.set_read_only("Test switchover")
    try:
        data = unique_png()
        assert up.upload(up.title("Read only") + ".png", data) == ReadOnly("Test switchover")
    finally:
        devwiki.set_read_only(None)
    up.check("readonly", "paused (see the pacing tests)", absent=[sha1(data)])


def test_blocked(up, admin):
    admin.block("HubBot", "test: a blocked bot")
    try:
        data = unique_png()
        outcome = up.upload(up.title("Blocked") + ".png", data)
    finally:
        admin.unblock("HubBot")
    assert isinstance(outcome, Blocked) and "blocked" in outcome.reason.lower()
    up.check("blocked", "the run stops with a clear message", absent=[sha1(data)])


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        (
            "foreach (['*', 'user', 'bot', 'autoconfirmed'] as $g) "
            "{ $wgGroupPermissions[$g]['upload'] = false; }",
            "permissiondenied",
        ),
        ("$wgEnableUploads = false;", "uploaddisabled"),
    ],
    ids=["no upload right", "uploads disabled"],
)
def test_refusals_of_every_upload_stop_the_whole_run(up, extra_settings, settings, code):
    extra_settings(settings)
    data = unique_png()
    outcome = up.upload(up.title("No right") + ".png", data)
    assert isinstance(outcome, UploadRefused) and outcome.whole_run, outcome
    assert outcome.code == code
    up.check(code, "the run stops: every file would be refused", absent=[sha1(data)])
