"""Posting, editing and withdrawing ideas through the services."""

from __future__ import annotations

from typing import Any

import pytest

from ideas.models import Idea
from ideas.selectors import ideas_on_wall
from ideas.serializers import idea_as_dict
from ideas.services import idea_edit, idea_post, idea_withdraw
from tests.factories import HOSTILE_FORMULA, HOSTILE_HTML, IdeaFactory, WorkshopFactory, actor_for
from workshops.actors import Actor
from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Phase
from workshops.selectors import room_snapshot

pytestmark = pytest.mark.django_db

KEY = "phone-key-0001"


def wall_texts(workshop: Workshop) -> list[str]:
    return [idea.text for idea in ideas_on_wall(workshop=workshop)]


class TestPostIsIdempotent:
    def test_the_same_key_twice_posts_one_idea(self, citizen: Actor) -> None:
        first, first_created = idea_post(actor=citizen, text="Free wifi", client_key=KEY)
        again, again_created = idea_post(actor=citizen, text="Free wifi", client_key=KEY)

        assert (first_created, again_created) == (True, False)
        assert again.pk == first.pk
        assert Idea.objects.filter(workshop=citizen.workshop).count() == 1

    def test_a_resend_with_other_text_returns_the_first_idea_unchanged(
        self, citizen: Actor
    ) -> None:
        idea_post(actor=citizen, text="Free wifi", client_key=KEY)
        again, created = idea_post(actor=citizen, text="Something else", client_key=KEY)

        assert created is False
        assert again.text == "Free wifi"
        assert wall_texts(citizen.workshop) == ["Free wifi"]

    def test_a_resend_after_the_phase_moved_on_still_returns_the_original(
        self, citizen: Actor
    ) -> None:
        first, _ = idea_post(actor=citizen, text="Free wifi", client_key=KEY)
        later = actor_for(
            "citizen", citizen.workshop, Phase.CLOSED, participant=citizen.participant
        )

        again, created = idea_post(actor=later, text="Free wifi", client_key=KEY)

        assert (again.pk, created) == (first.pk, False)

    def test_a_new_key_after_the_phase_moved_on_is_refused(self, citizen: Actor) -> None:
        idea_post(actor=citizen, text="Free wifi", client_key=KEY)
        later = actor_for("citizen", citizen.workshop, Phase.GROUP, participant=citizen.participant)

        with pytest.raises(ActionRefused) as refused:
            idea_post(actor=later, text="One more", client_key="phone-key-0002")

        assert refused.value.code == "wrong_phase"
        assert wall_texts(citizen.workshop) == ["Free wifi"]

    def test_two_citizens_may_use_the_same_key(self, citizen: Actor, second_citizen: Actor) -> None:
        idea_post(actor=citizen, text="Free wifi", client_key=KEY)
        _, created = idea_post(actor=second_citizen, text="Quiet rooms", client_key=KEY)

        assert created is True
        assert wall_texts(citizen.workshop) == ["Free wifi", "Quiet rooms"]


class TestPostRefusesBadInput:
    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   \n\t  ",
            "<b></b><!-- nothing -->",
            "x" * 501,
            None,
            42,
            ["Free wifi"],
            {"text": "Free wifi"},
        ],
        ids=["empty", "whitespace", "markup-only", "501-chars", "none", "int", "list", "dict"],
    )
    def test_refused_as_invalid_and_nothing_stored(self, citizen: Actor, text: Any) -> None:
        with pytest.raises(ActionRefused) as refused:
            idea_post(actor=citizen, text=text, client_key=KEY)

        assert refused.value.code == "invalid"
        assert refused.value.message
        assert not Idea.objects.exists()

    def test_the_oversize_message_says_the_limit_and_the_length(self, citizen: Actor) -> None:
        with pytest.raises(ActionRefused) as refused:
            idea_post(actor=citizen, text="y" * 612, client_key=KEY)

        assert "500" in refused.value.message
        assert "612" in refused.value.message

    def test_exactly_the_limit_is_accepted(self, citizen: Actor) -> None:
        idea, created = idea_post(actor=citizen, text="z" * 500, client_key=KEY)

        assert created is True
        assert len(idea.text) == 500

    def test_the_limit_counts_the_cleaned_text(self, citizen: Actor) -> None:
        # Over 500 characters typed, 500 left once the markup and spaces are gone.
        typed = "<b>" + "w" * 249 + "</b>     " + "<i>" + "w" * 250 + "</i>" + " " * 20
        assert len(typed) > 500

        idea, _ = idea_post(actor=citizen, text=typed, client_key=KEY)

        assert Idea.objects.get(pk=idea.pk).text == "w" * 249 + " " + "w" * 250

    @pytest.mark.parametrize("key", ["", "short", "has spaces in it", "x" * 65, None, 12345678])
    def test_a_post_without_a_valid_key_is_refused(self, citizen: Actor, key: Any) -> None:
        with pytest.raises(ActionRefused) as refused:
            idea_post(actor=citizen, text="Free wifi", client_key=key)

        assert refused.value.code == "invalid"
        assert not Idea.objects.exists()


class TestPostCleansText:
    def test_hostile_markup_is_stripped_before_storing(self, citizen: Actor) -> None:
        idea, _ = idea_post(
            actor=citizen, text=f"Free wifi {HOSTILE_HTML} {HOSTILE_FORMULA}", client_key=KEY
        )

        stored = Idea.objects.get(pk=idea.pk).text
        assert "<script" not in stored
        assert stored.startswith("Free wifi")
        # A formula is text like any other; it is not markup.
        assert HOSTILE_FORMULA in stored

    def test_a_factory_idea_text_is_cleaned_when_posted(self, citizen: Actor) -> None:
        typed = IdeaFactory.build().text
        assert "<script" in typed

        idea, _ = idea_post(actor=citizen, text=typed, client_key=KEY)

        assert "<script" not in Idea.objects.get(pk=idea.pk).text


class TestEditAndWithdraw:
    def test_the_author_edits_and_the_revision_grows(self, citizen: Actor) -> None:
        idea, _ = idea_post(actor=citizen, text="Free wifi", client_key=KEY)

        edited = idea_edit(actor=citizen, idea_id=idea.pk, text=f"Fast wifi {HOSTILE_HTML}")

        stored = Idea.objects.get(pk=idea.pk)
        assert stored.text == "Fast wifi alert(1)"
        assert stored.revision == edited.revision == 2
        assert idea_as_dict(stored)["edited"] is True

    def test_an_unchanged_edit_is_not_marked_edited(self, citizen: Actor) -> None:
        idea, _ = idea_post(actor=citizen, text="Free wifi", client_key=KEY)

        idea_edit(actor=citizen, idea_id=idea.pk, text="  Free wifi  ")

        assert Idea.objects.get(pk=idea.pk).revision == 1

    def test_an_edit_to_nothing_is_refused(self, citizen: Actor) -> None:
        idea, _ = idea_post(actor=citizen, text="Free wifi", client_key=KEY)

        with pytest.raises(ActionRefused) as refused:
            idea_edit(actor=citizen, idea_id=idea.pk, text="   ")

        assert refused.value.code == "invalid"
        assert Idea.objects.get(pk=idea.pk).text == "Free wifi"

    def test_nobody_edits_someone_elses_idea(self, citizen: Actor, second_citizen: Actor) -> None:
        idea, _ = idea_post(actor=citizen, text="Free wifi", client_key=KEY)

        with pytest.raises(ActionRefused) as refused:
            idea_edit(actor=second_citizen, idea_id=idea.pk, text="Paid wifi")

        assert refused.value.code == "forbidden"
        assert Idea.objects.get(pk=idea.pk).text == "Free wifi"

    def test_nobody_withdraws_someone_elses_idea(
        self, citizen: Actor, second_citizen: Actor
    ) -> None:
        idea, _ = idea_post(actor=citizen, text="Free wifi", client_key=KEY)

        with pytest.raises(ActionRefused) as refused:
            idea_withdraw(actor=second_citizen, idea_id=idea.pk)

        assert refused.value.code == "forbidden"
        assert wall_texts(citizen.workshop) == ["Free wifi"]

    def test_an_idea_of_another_workshop_is_not_found(self, citizen: Actor) -> None:
        elsewhere = actor_for("citizen", WorkshopFactory(phase=Phase.IDEATE))
        idea, _ = idea_post(actor=elsewhere, text="Elsewhere", client_key=KEY)

        with pytest.raises(ActionRefused) as refused:
            idea_withdraw(actor=citizen, idea_id=idea.pk)

        assert refused.value.code == "not_found"
        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.PUBLISHED

    @pytest.mark.parametrize("idea_id", ["1", None, True, 10**9])
    def test_a_bad_idea_id_is_refused(self, citizen: Actor, idea_id: Any) -> None:
        idea_post(actor=citizen, text="Free wifi", client_key=KEY)

        with pytest.raises(ActionRefused) as refused:
            idea_withdraw(actor=citizen, idea_id=idea_id)

        assert refused.value.code in {"invalid", "not_found"}
        assert wall_texts(citizen.workshop) == ["Free wifi"]

    def test_a_withdrawn_idea_leaves_the_wall_and_the_snapshot(
        self, citizen: Actor, observer: Actor
    ) -> None:
        kept, _ = idea_post(actor=citizen, text="Free wifi", client_key=KEY)
        gone, _ = idea_post(actor=citizen, text="Longer hours", client_key="phone-key-0002")

        withdrawn = idea_withdraw(actor=citizen, idea_id=gone.pk)

        assert wall_texts(citizen.workshop) == ["Free wifi"]
        assert [idea["id"] for idea in room_snapshot(actor=observer)["ideas"]] == [kept.pk]
        # The event tells screens to drop it without repeating the withdrawn words.
        assert idea_as_dict(withdrawn)["text"] == ""
        assert idea_as_dict(withdrawn)["status"] == "withdrawn"

    def test_a_withdrawn_idea_cannot_be_edited_back(self, citizen: Actor) -> None:
        idea, _ = idea_post(actor=citizen, text="Free wifi", client_key=KEY)
        idea_withdraw(actor=citizen, idea_id=idea.pk)

        with pytest.raises(ActionRefused) as refused:
            idea_edit(actor=citizen, idea_id=idea.pk, text="Back again")

        assert refused.value.code == "not_found"
        assert wall_texts(citizen.workshop) == []
