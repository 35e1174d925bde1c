"""A listed word cannot slip past the word list with an invisible character inside it,
and matching never changes the words people see (issue 17, 5)."""

from __future__ import annotations

import pytest

from ideas.models import Idea
from ideas.services import idea_edit, idea_post
from moderation.services import word_list_matches
from workshops.actors import Actor, actor_refresh
from workshops.sanitize import clean_text
from workshops.selectors import room_snapshot

pytestmark = pytest.mark.django_db

INVISIBLES = {
    "soft hyphen": "\u00ad",
    "word joiner": "\u2060",
    "zero-width no-break space": "\ufeff",
    "combining grapheme joiner": "\u034f",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "zero-width non-joiner": "\u200c",
    "left-to-right mark": "\u200e",
    "variation selector": "\ufe0f",
    "invisible separator": "\u2063",
}


@pytest.mark.parametrize("invisible", INVISIBLES.values(), ids=INVISIBLES.keys())
def test_an_invisible_character_inside_a_listed_word_is_still_held(
    citizen: Actor, invisible: str
) -> None:
    text = f"This sh{invisible}itty bus"

    idea, _ = idea_post(actor=citizen, text=text, client_key="key-invisible")

    assert idea.status == Idea.Status.HELD
    # What is stored is what the cleaner makes of the words; matching changed nothing.
    assert idea.text == clean_text(text)


@pytest.mark.parametrize("invisible", INVISIBLES.values(), ids=INVISIBLES.keys())
def test_an_edit_with_an_invisible_character_inside_a_listed_word_is_held(
    citizen: Actor, invisible: str
) -> None:
    idea, _ = idea_post(actor=citizen, text="A nice bus", client_key="key-invisible-edit")

    idea_edit(actor=citizen, idea_id=idea.pk, text=f"A F{invisible}U{invisible}CK bus")

    assert Idea.objects.get(pk=idea.pk).status == Idea.Status.HELD


def test_upper_case_and_full_width_are_matched_too() -> None:
    assert word_list_matches(text="\uff33\uff28\uff29\uff34 happens", word_list="shit*") == [
        "shit*"
    ]
    assert word_list_matches(text="SHIT HAPPENS", word_list="shit*") == ["shit*"]


def test_an_entry_with_an_invisible_character_matches_the_plain_word() -> None:
    assert word_list_matches(text="more parking", word_list="par\u00adking") == ["parking"]


@pytest.mark.parametrize(
    "text",
    [
        "A bench for the family \U0001f468\u200d\U0001f469\u200d\U0001f467",
        "Pride flag \U0001f3f3\ufe0f\u200d\U0001f308 at the town hall",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 a library open late",
    ],
    ids=["family emoji", "rainbow flag", "persian"],
)
def test_joined_emoji_and_persian_words_pass_unchanged_by_matching(
    citizen: Actor, text: str
) -> None:
    idea, _ = idea_post(actor=citizen, text=text, client_key="key-joined-01")

    assert idea.status == Idea.Status.PUBLISHED
    assert idea.text == clean_text(text)
    # The joiners that hold the emoji and the Persian word together are stored and shown.
    joiners = [char for char in text if char in "\u200c\u200d"]
    assert [char for char in idea.text if char in "\u200c\u200d"] == joiners
    shown = [i["text"] for i in room_snapshot(actor=actor_refresh(citizen))["ideas"]]
    assert shown == [idea.text]
