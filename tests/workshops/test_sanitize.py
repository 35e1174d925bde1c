"""What people type is stored as plain text: markup gone, their words kept."""

from __future__ import annotations

import html
import threading
import unicodedata

import bleach
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import HOSTILE_FORMULA, HOSTILE_HTML
from workshops.sanitize import _CONTROL, _strip_markup, clean_text


@pytest.mark.parametrize(
    "typed",
    [
        HOSTILE_HTML,
        f"Free wifi {HOSTILE_HTML}",
        "<img src=x onerror=alert(1)>Free wifi",
        "<scr<script>ipt>alert(1)</script>",
        # Removing the inner tags joins the outer pieces into a new tag.
        "<<script>script>alert(1)<</script>/script>",
        "<<b>img src=x onerror=alert(1)>",
        # Typed entities must stay the characters typed, not become a tag.
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        # Invisible characters that would join "<" and "script" once removed.
        "<\u200bscript>alert(1)",
        "<scr\x00ipt>alert(1)</scr\x00ipt>",
    ],
)
def test_no_markup_survives_cleaning(typed: str) -> None:
    cleaned = clean_text(typed)
    assert "<script" not in cleaned.lower()
    assert "<img" not in cleaned.lower()


def test_the_words_around_markup_are_kept() -> None:
    assert clean_text(f"Free wifi {HOSTILE_HTML} please") == "Free wifi alert(1) please"
    assert clean_text("<b>Longer</b> opening <i>hours</i>") == "Longer opening hours"


@pytest.mark.parametrize(
    "typed",
    [
        "Books < films & games > nothing",
        "I <3 the library",
        "fish &amp; chips",
        "&lt;b&gt; is how you write bold",
        HOSTILE_FORMULA,
        "Ærø, Öland & Åland: «quotes» — and \u201cdouble\u201d ones",
    ],
)
def test_ordinary_punctuation_is_kept_exactly(typed: str) -> None:
    assert clean_text(typed) == typed


def test_whitespace_is_tidied_but_paragraphs_stay() -> None:
    typed = "  First   thought\r\n\r\n\r\n\r\n\tsecond\t\tthought  "
    assert clean_text(typed) == "First thought\n\nsecond thought"


def test_single_line_fields_lose_their_line_breaks() -> None:
    assert clean_text("Quiet\nOwl", multiline=False) == "Quiet Owl"


def test_invisible_and_control_characters_are_removed() -> None:
    assert clean_text("li\u200bbra\x07ry\u202e") == "library"


def test_markup_only_cleans_to_nothing() -> None:
    assert clean_text("<b></b><!-- hidden --> \n ") == ""


@pytest.mark.parametrize(
    "typed",
    [
        # Family: man, zero-width joiner, woman, joiner, girl; one picture, not three.
        "Room for 👨\u200d👩\u200d👧 in the library",
        # Rainbow flag: white flag, variation selector, joiner, rainbow.
        "Pride week 🏳\ufe0f\u200d🌈 at the town hall",
        # Persian "I want", written with a zero-width non-joiner.
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u067e\u0627\u0631\u06a9",
    ],
)
def test_joiners_and_non_joiners_are_kept(typed: str) -> None:
    assert clean_text(typed) == typed


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("Free\u200b wifi", "Free wifi"),
        ("Free \u200ewifi\u200f", "Free wifi"),
        # A right-to-left override would show "wifi" backwards next to other words.
        ("Free \u202ewifi\u202c", "Free wifi"),
        ("Free \u2067wifi\u2069", "Free wifi"),
        ("Cafe\u0301", "Café"),
    ],
)
def test_hiding_and_reordering_characters_go_and_text_is_composed(typed: str, cleaned: str) -> None:
    assert clean_text(typed) == cleaned


def test_a_joiner_cannot_turn_into_a_tag() -> None:
    assert "<script" not in clean_text("<\u200dscript>alert(1)</script>").lower()


def test_markup_is_stripped_in_many_threads_at_once() -> None:
    """Each thread keeps a cleaner of its own; shared, one parse would see another's text."""
    typed = [
        (f"Free wifi {HOSTILE_HTML} please", "Free wifi alert(1) please"),
        ("<b>Longer</b> opening <i>hours</i>", "Longer opening hours"),
        ("<<b>img src=x onerror=alert(1)>Quiet corner", "Quiet corner"),
        ("<!-- hidden -->Bike racks <em>by the door</em>", "Bike racks by the door"),
    ]
    start = threading.Barrier(len(typed))
    wrong: list[tuple[str, str]] = []

    def clean_many(text: str, expected: str) -> None:
        start.wait()
        for _round in range(300):
            cleaned = clean_text(text)
            if cleaned != expected:
                wrong.append((text, cleaned))

    threads = [threading.Thread(target=clean_many, args=pair) for pair in typed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert wrong == []


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(exclude_characters="<"), max_size=80))
def test_text_without_a_tag_opening_is_what_the_parser_gives(typed: str) -> None:
    """Text with no "<" skips the parser: it must be what the parser would have given."""
    # As clean_text hands it on: composed, "\n" line breaks, no control characters.
    text = _CONTROL.sub("", unicodedata.normalize("NFC", typed).replace("\r", "\n"))
    parsed = html.unescape(
        bleach.clean(text.replace("&", "&amp;"), tags=set(), attributes={}, strip=True)
    )
    assert _strip_markup(text) == parsed
