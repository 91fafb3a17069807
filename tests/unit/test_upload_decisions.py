"""Every upload warning and error the wiki gives has one explicit outcome.

The warning and error bodies below are the ones the real MediaWiki 1.39 dev
wiki answers (tests/wiki/test_upload_warnings.py produces each of them for
real); here the decision alone is checked, as a table.
"""

from __future__ import annotations

import pytest

from bots.wiki import Blocked, Duplicate, ReadOnly, TitleTaken, UploadRefused
from bots.wiki.upload_policy import UPLOAD_WARNINGS, decide_upload_warnings, upload_error

NAME = "Museum_object_7.png"
TITLE = "File:Museum object 7.png"

WARNINGS = [
    ({"nochange": {"timestamp": "2026-11-20T22:30:40Z"}, "exists": NAME}, Duplicate(TITLE)),
    ({"exists": NAME, "duplicateversions": [{"timestamp": "x"}]}, Duplicate(TITLE)),
    ({"duplicate": ["Other_file.png"]}, Duplicate("File:Other file.png")),
    ({"duplicate": ["A.png", "B.png"], "exists": NAME}, Duplicate("File:A.png")),
    ({"exists": NAME}, TitleTaken(TITLE, "exists", "key1")),
    ({"exists-normalized": NAME}, TitleTaken(TITLE, "exists-normalized", "key1")),
    ({"page-exists": NAME}, TitleTaken(TITLE, "page-exists", "key1")),
    ({"large-file": [{"size": 1000}, {"size": 2062}]}, None),
]

REFUSED = [
    ({"duplicate-archive": "Exp_D.png"}, "duplicate-archive", "deleted from the wiki before"),
    ({"was-deleted": NAME}, "was-deleted", "was deleted before"),
    ({"badfilename": "Exp-_colon.png"}, "badfilename", "File:Exp-_colon.png"),
    ({"bad-prefix": "DSC_1234.png"}, "bad-prefix", "camera"),
    ({"thumb": "120px-Exp_A.png"}, "thumb", "thumbnail of an existing file"),
    ({"thumb-name": "120px-Nothing.png"}, "thumb-name", "thumbnail's name"),
    ({"empty-file": ""}, "empty-file", "empty"),
    ({"filetype-unwanted-type": ["webp", "png, gif", 16]}, "filetype-unwanted-type", ".png"),
    ({"large-file": [], "something-new": "x"}, "something-new", "does not override"),
]


@pytest.mark.parametrize(("warnings", "outcome"), WARNINGS)
def test_warning_outcomes(warnings, outcome):
    assert decide_upload_warnings(NAME, warnings, filekey="key1") == outcome


@pytest.mark.parametrize(("warnings", "code", "words"), REFUSED)
def test_refusing_warnings(warnings, code, words):
    outcome = decide_upload_warnings(NAME, warnings)
    assert isinstance(outcome, UploadRefused)
    assert outcome.code == code and not outcome.whole_run
    assert words in outcome.reason


def test_every_listed_warning_has_a_decision():
    decided = {next(iter(w)) for w, _ in WARNINGS} | {next(iter(w)) for w, _, _ in REFUSED}
    decided |= {"duplicateversions"}
    assert set(UPLOAD_WARNINGS) <= decided


ERRORS = [
    ("readonly", "The wiki is currently in read-only mode.", {"readonlyreason": "Switch"}),
    ("blocked", "You have been blocked from editing.", {}),
    ("fileexists-no-change", "The upload is an exact duplicate", {}),
    ("fileexists-forbidden", "A file with this name already exists", {"filekey": "k2"}),
    (
        "verification-error",
        "File extension does not match",
        {"details": ["filetype-mime-mismatch", "jpg", "image/png"]},
    ),
    ("titleblacklist-forbidden-edit", "The title has been banned from creation.", {}),
    ("spamblacklist", "The text you wanted to publish was blocked by the spam filter.", {}),
    ("abusefilter-disallowed", "This action has been automatically identified as harmful", {}),
    ("empty-file", "The file you submitted was empty.", {}),
    ("permissiondenied", "You don't have permission to upload files.", {}),
    ("some-new-error", "Something new.", {}),
]


@pytest.mark.parametrize(("code", "info", "data"), ERRORS)
def test_error_outcomes(code, info, data):
    outcome = upload_error(NAME, code, info, data)
    if code == "readonly":
        assert outcome == ReadOnly("Switch")
    elif code == "blocked":
        assert outcome == Blocked(info)
    elif code == "fileexists-no-change":
        assert outcome == Duplicate(TITLE)
    elif code == "fileexists-forbidden":
        assert outcome == TitleTaken(TITLE, code, "k2")
    else:
        assert isinstance(outcome, UploadRefused)
        assert outcome.code == code
        assert info in outcome.reason
        assert outcome.whole_run == (code == "permissiondenied")
        if code == "verification-error":
            assert "filetype-mime-mismatch" in outcome.reason
        if code.startswith("titleblacklist"):
            assert "title blacklist" in outcome.reason


@pytest.mark.parametrize(
    ("declared", "sniffed", "agrees"),
    [
        ("image/png", "PNG", True),
        ("image/jpg", "JPEG", True),
        ("image/jpeg; charset=binary", "JPEG", True),
        ("image/jpeg", "PNG", False),
        ("audio/ogg", "OGG_THEORA", True),  # Ogg is one family
        ("video/ogg", "OGG_OPUS", True),
        ("audio/x-wav", "WAV", True),
        ("video/mp4", "WEBM", False),  # a media claim we do not take
        ("image/heic", "JPEG", False),
        ("application/octet-stream", "PNG", True),  # says nothing
        ("text/plain", "FLAC", True),
        ("", "PDF", True),
        ("application/pdf", "PDF", True),
        ("application/pdf", "PNG", False),
    ],
)
def test_declared_type_against_content(declared, sniffed, agrees):
    from bots.jobs.media import declared_type_agrees
    from bots.net import mediatypes

    assert declared_type_agrees(declared, getattr(mediatypes, sniffed)) is agrees
