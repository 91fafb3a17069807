"""File titles the wiki accepts unchanged, and category names safe in links."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bots.pipeline.titles import (
    AS_WRITTEN,
    MAX_TITLE_BYTES,
    REPLACEMENTS,
    STOCK_RULES,
    TitleError,
    TitleRules,
    asks_wiki,
    category_first_letter,
    category_title,
    extension_from_url,
    first_letter,
    legal_title,
    split_extension,
)

#: MediaWiki's own test for an illegal title (TitleParser's $rxTc with the
#: default $wgLegalTitleChars), applied to UTF-8 bytes as PHP does.
MEDIAWIKI_ILLEGAL = re.compile(
    rb"[^ %!\"$&'()*,\-./0-9:;=?@A-Z\\^_`a-z~\x80-\xff+]"
    rb"|%[0-9A-Fa-f]{2}"
    rb"|&[A-Za-z0-9\x80-\xff]+;"
)
#: Uploads additionally refuse these ($wgIllegalFileChars).
ILLEGAL_IN_FILE_NAMES = re.compile(r"[:/\\]")

_TRICKY = list("#<>[]|{}/\\:%&;~._ -'\u00a0\u3000\u200e\u202e\x00\x7f\t\n") + [
    "~~~",
    "%41",
    "&amp;",
    "File:",
    "e\u0301",
    "ı\u0307",
    "ß",
    "ǆ",
    "\U0001f600",
    ".jpg",
]
tricky_text = st.lists(st.one_of(st.sampled_from(_TRICKY), st.text(max_size=4)), max_size=60).map(
    "".join
)
any_text = st.one_of(st.text(), tricky_text, st.text(min_size=200, max_size=400))
extensions = st.sampled_from([None, "jpg", "tif", "webm", "flac"])
#: Record ids and how they appear inside the title.
ID_IN_TITLE = {
    "A00001": "A00001",
    "1035": "1035",
    "N/05": "N-05",
    "x" * 60: "x" * 60,
    "a: b": "a - b",
}
record_ids = st.one_of(st.none(), st.sampled_from(sorted(ID_IN_TITLE)))


def _usable(text: str, extension: str | None, record_id: str | None = None) -> str | None:
    try:
        return legal_title(text, extension, record_id)
    except TitleError:
        return None


def _assert_legal(title: str) -> None:
    assert unicodedata.is_normalized("NFC", title)
    assert len(title.encode("utf-8")) <= MAX_TITLE_BYTES
    assert not MEDIAWIKI_ILLEGAL.search(title.encode("utf-8"))
    assert not ILLEGAL_IN_FILE_NAMES.search(title)
    assert not set(title) & set(REPLACEMENTS)
    assert "~~~" not in title
    assert title == title.strip(" .") and title not in (".", "..")
    assert "  " not in title and "_" not in title
    assert not [char for char in title if unicodedata.category(char) in ("Cc", "Cs")]
    first = title[0]
    assert len(first.upper()) != 1 or first.upper() == first


@settings(max_examples=500)
@given(any_text, extensions, record_ids)
def test_every_title_is_legal(text: str, extension: str | None, record_id: str | None) -> None:
    title = _usable(text, extension, record_id)
    assume(title is not None)
    assert title is not None
    _assert_legal(title)
    if extension:
        assert title.endswith("." + extension)
    if record_id:
        assert split_extension(title, extension).endswith(f" ({ID_IN_TITLE[record_id]})")


@settings(max_examples=500)
@given(any_text, extensions)
def test_titles_are_stable(text: str, extension: str | None) -> None:
    title = _usable(text, extension)
    assume(title is not None)
    assert title is not None
    base = split_extension(title, extension)
    assert legal_title(base, extension) == title
    assert legal_title(legal_title(base, None), None) == legal_title(base, None)


@given(
    st.text(min_size=1, max_size=300),
    st.text(alphabet="ABCNabc0123456789-", min_size=1, max_size=20).filter(lambda i: i[0] != "-"),
)
def test_record_id_is_kept_whole_and_the_text_is_cut(text: str, record_id: str) -> None:
    title = _usable(text, "jpg", record_id)
    assume(title is not None)
    assert title is not None
    assert title.endswith(f" ({record_id}).jpg")
    assert len(title.encode("utf-8")) <= MAX_TITLE_BYTES


@pytest.mark.parametrize(
    ("text", "extension", "record_id", "expected"),
    [
        ("Job's Comforters", "jpg", None, "Job's Comforters.jpg"),
        ("[title not known]", "jpg", "A00051", "(title not known) (A00051).jpg"),
        (
            "The Circle of the Lustful: Francesca da Rimini",
            "jpg",
            None,
            "The Circle of the Lustful - Francesca da Rimini.jpg",
        ),
        ("File:Evil.jpg", "png", None, "File-Evil.jpg.png"),
        ("en:Main Page", None, None, "En-Main Page"),
        ("a/b\\c|d#e{f}<g>", "jpg", None, "A-b-c-d-e(f)(g).jpg"),
        ("  many   spaces__and_underscores  ", "jpg", None, "Many spaces and underscores.jpg"),
        ("...dots...", "jpg", None, "Dots.jpg"),
        ("signed ~~~~ here", "jpg", None, "Signed ~~ here.jpg"),
        ("100%41 off", "jpg", None, "100% 41 off.jpg"),
        ("R&amp;D", "jpg", None, "R& amp;D.jpg"),
        ("R & D", "jpg", None, "R & D.jpg"),
        ("e\u0301tude", "jpg", None, "Étude.jpg"),
        ("ßtraße", "jpg", None, "SStraße.jpg"),
        ("\u200eleft\u202eright\x00", "jpg", None, "Leftright.jpg"),
        ("line\nbreak\ttab", "jpg", None, "Linebreaktab.jpg"),
        ("Photo.JPEG", "jpg", None, "Photo.jpg"),
        ("Scan.jpg.jpg", "jpg", None, "Scan.jpg"),
        ("Scan.jpg", "png", None, "Scan.jpg.png"),
        ("Müller, William James", "tif", "N/01", "Müller, William James (N-01).tif"),
    ],
)
def test_specific_titles(
    text: str, extension: str | None, record_id: str | None, expected: str
) -> None:
    assert legal_title(text, extension, record_id) == expected


def test_long_titles_are_cut_on_character_boundaries() -> None:
    title = legal_title("é" * 300, "jpg", "A00001")
    assert title.endswith(" (A00001).jpg")
    assert len(title.encode("utf-8")) <= MAX_TITLE_BYTES
    assert set(title.removesuffix(" (A00001).jpg")) == {"é", "É"}
    unit = "e\u0323\u0301\u0302"  # e, dot below, acute, circumflex: one letter on screen
    cut = legal_title(unit * 200, None)
    letters = len(unicodedata.normalize("NFD", cut)) // len(unit)
    assert cut == unicodedata.normalize("NFC", (unit * letters).capitalize())
    assert len(legal_title("\U0001f600" * 100, "webm").encode("utf-8")) <= MAX_TITLE_BYTES


@pytest.mark.parametrize("text", ["", "   ", "...", ".", "..", "\x00\x01", "\u200e", "_ _"])
def test_nothing_usable_raises(text: str) -> None:
    with pytest.raises(TitleError):
        legal_title(text, "jpg")


def test_record_id_too_long_or_empty_raises() -> None:
    with pytest.raises(TitleError, match="too long"):
        legal_title("Title", "jpg", "9" * 240)
    with pytest.raises(TitleError, match="record id"):
        legal_title("Title", "jpg", "...")


def test_bad_extension_raises() -> None:
    with pytest.raises(TitleError, match="extension"):
        legal_title("Title", "j/pg")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.tate.org.uk/art/images/work/A/A00/A00001_8.jpg", "jpg"),
        ("https://example.org/a/B.JPEG?size=full#top", "jpg"),
        ("https://example.org/scan.TIFF", "tiff"),
        ("https://example.org/scan.tif", "tif"),
        ("https://example.org/song.opus", "opus"),
        ("https://example.org/film.ogv", "ogv"),
        ("https://example.org/a%2Epng", "png"),
        ("https://example.org/getimage.php?id=7.jpg", None),
        ("https://example.org/folder.jpg/", None),
        ("https://example.org/image", None),
        ("https://example.org/tool.exe", None),
        ("https://example.org/", None),
        ("", None),
        ("http://[::1", None),
    ],
)
def test_extension_from_url(url: str, expected: str | None) -> None:
    assert extension_from_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tate", "Tate"),
        ("drawings in Tate", "Drawings in Tate"),
        ("Category:George Richmond", "George Richmond"),
        ("[[Category:George Richmond]]", "George Richmond"),
        (":category: Foo", "Foo"),
        ("Content Partnerships Hub uploads/Tate", "Content Partnerships Hub uploads/Tate"),
        ("Paintings: 1820s", "Paintings: 1820s"),
        ("Foo]] [[Category:Spam", "Foo)) ((Category:Spam"),
        ("a|sort key", "A-sort key"),
        ("x_y  z", "X y z"),
        ("   ", None),
        ("Category:", None),
    ],
)
def test_category_title(text: str, expected: str | None) -> None:
    assert category_title(text) == expected


@given(any_text)
def test_category_titles_hold_no_link_syntax(text: str) -> None:
    name = category_title(text)
    assume(name is not None)
    assert name is not None
    assert not set(name) & set("[]{}|<>#\n")
    assert not MEDIAWIKI_ILLEGAL.search(name.encode("utf-8"))
    assert category_title(name) == name


#: What a Wikimedia wiki's $wgOverrideUcfirstCharacters does to some first letters:
#: they stay as they are (or become the title-case letter), unlike PHP's mb_strtoupper.
WIKIMEDIA_LIKE = TitleRules(upper={"ß": "ß", "ა": "ა", "ǆ": "ǅ", "ǅ": "ǅ", "ﬁ": "ﬁ"})


@pytest.mark.parametrize(
    ("text", "rules", "expected"),
    [
        ("ßtraße", STOCK_RULES, "SStraße.jpg"),
        ("ßtraße", WIKIMEDIA_LIKE, "ßtraße.jpg"),
        ("ǆungla", STOCK_RULES, "Ǆungla.jpg"),
        ("ǆungla", WIKIMEDIA_LIKE, "ǅungla.jpg"),
        ("ﬁre", STOCK_RULES, "FIre.jpg"),
        ("ﬁre", WIKIMEDIA_LIKE, "ﬁre.jpg"),
        ("ადგილი", STOCK_RULES, "Ადგილი.jpg"),
        ("ადგილი", WIKIMEDIA_LIKE, "ადგილი.jpg"),
        ("istanbul", TitleRules(upper={"i": "İ"}), "İstanbul.jpg"),
        # the wiki capitalises the title it is given: ǅ is proposed only if it stays
        ("ǆamija", TitleRules(upper={"ǆ": "ǅ"}), "Ǆamija.jpg"),
        ("ǆamija", TitleRules(upper={"ǆ": "ǅ", "ǅ": "ǅ"}), "ǅamija.jpg"),
        # the wiki's titles are NFC: I + a combining dot above is one letter there too
        ("ı\u0307zmir", STOCK_RULES, "İzmir.jpg"),
        ("ßtraße", TitleRules(files_capitalised=False), "ßtraße.jpg"),
        ("photo", TitleRules(files_capitalised=False), "photo.jpg"),
        ("photo", AS_WRITTEN, "photo.jpg"),
    ],
)
def test_the_first_letter_follows_the_wikis_rules(
    text: str, rules: TitleRules, expected: str
) -> None:
    assert legal_title(text, "jpg", rules=rules) == expected


def test_a_loop_in_a_wikis_overrides_ends() -> None:
    looping = TitleRules(upper={"ÿ": "þ", "þ": "ÿ"})
    assert legal_title("ÿes", None, rules=looping) in ("þes", "ÿes")


def test_category_names_follow_the_category_namespace() -> None:
    assert category_title("ßtraßen", WIKIMEDIA_LIKE) == "ßtraßen"
    assert category_title("ßtraßen") == "SStraßen"
    only_files = TitleRules(categories_capitalised=False)
    assert category_title("english nouns", only_files) == "english nouns"
    assert legal_title("english nouns", None, rules=only_files) == "English nouns"


@pytest.mark.parametrize(
    ("char", "asked"),
    [("A", False), ("1", False), ("(", False), ("~", False), ("a", True), ("i", True)]
    + [(c, True) for c in "ßǆﬁაÉé\u0301\U0001f600"],
)
def test_which_first_letters_the_wiki_is_asked_about(char: str, asked: bool) -> None:
    assert asks_wiki(char) is asked
    if not asked:  # every wiki leaves these alone, whatever its rules
        assert STOCK_RULES.capitalise(char + "x") == char + "x"


def test_first_letters_are_those_of_the_cleaned_text() -> None:
    assert first_letter("  ...ßtraße") == "ß"
    assert first_letter("[x]") == "("
    assert first_letter("\u200e") == ""
    assert category_first_letter("[[Category:ǆ x]]") == "ǆ"
    assert category_first_letter(": ß") == "ß"


rule_sets = st.sampled_from([STOCK_RULES, WIKIMEDIA_LIKE, TitleRules(files_capitalised=False)])


@settings(max_examples=300)
@given(any_text, extensions, record_ids, rule_sets)
def test_a_planned_title_is_never_changed_again(
    text: str, extension: str | None, record_id: str | None, rules: TitleRules
) -> None:
    """Uploading re-checks the planned title with AS_WRITTEN: it must come out the same."""
    title = _usable_with(text, extension, rules)
    assume(title is not None)
    assert title is not None
    base = split_extension(title, extension)
    assert legal_title(base, extension, rules=AS_WRITTEN) == title
    if record_id:
        with_id = legal_title(base, extension, record_id, rules=AS_WRITTEN)
        assert with_id[:1] == title[:1]


def _usable_with(text: str, extension: str | None, rules: TitleRules) -> str | None:
    try:
        return legal_title(text, extension, rules=rules)
    except TitleError:
        return None
