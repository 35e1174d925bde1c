"""Posting over plain HTTP: the page's script (JSON) and a browser without script."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ideas.models import Idea
from tests.factories import HOSTILE_HTML, IdeaFactory
from workshops.models import Participant, Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def post_url(workshop: Workshop) -> str:
    return reverse("ideas:post", kwargs={"code": workshop.join_code})


def room_url(workshop: Workshop) -> str:
    return reverse("workshops:room", kwargs={"code": workshop.join_code})


def idea_url(name: str, idea: Idea) -> str:
    return reverse(f"ideas:{name}", kwargs={"code": idea.workshop.join_code, "idea_id": idea.pk})


class TestPostForScript:
    def test_a_post_is_created_then_a_resend_is_the_same_idea(
        self, citizen_client: Client, workshop: Workshop
    ) -> None:
        form = {"text": f"Free wifi {HOSTILE_HTML}", "client_key": "phone-key-0001"}

        first = citizen_client.post(post_url(workshop), form, **JSON)
        again = citizen_client.post(post_url(workshop), form, **JSON)

        assert first.status_code == 201
        assert again.status_code == 200
        assert first.json()["created"] is True
        assert again.json()["created"] is False
        assert first.json()["idea"]["id"] == again.json()["idea"]["id"]
        assert first.json()["idea"]["text"] == "Free wifi alert(1)"
        assert first.json()["client_key"] == "phone-key-0001"
        assert Idea.objects.filter(workshop=workshop).count() == 1

    def test_outside_ideate_the_post_is_refused_as_wrong_phase(
        self, citizen_client: Client, workshop: Workshop
    ) -> None:
        Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.LOBBY)

        response = citizen_client.post(
            post_url(workshop), {"text": "Too early", "client_key": "phone-key-0001"}, **JSON
        )

        assert response.status_code == 409
        assert response.json()["code"] == "wrong_phase"
        assert response.json()["message"]
        assert not Idea.objects.exists()

    def test_someone_who_has_not_joined_is_forbidden(
        self, client: Client, workshop: Workshop
    ) -> None:
        response = client.post(
            post_url(workshop), {"text": "Sneaky", "client_key": "phone-key-0001"}, **JSON
        )

        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        assert not Idea.objects.exists()

    def test_an_observer_is_forbidden(self, client: Client, workshop: Workshop) -> None:
        client.get(reverse("workshops:observe", kwargs={"token": workshop.observer_token}))

        response = client.post(
            post_url(workshop), {"text": "Watching", "client_key": "phone-key-0001"}, **JSON
        )

        assert response.status_code == 403
        assert not Idea.objects.exists()

    @pytest.mark.parametrize(
        "form",
        [
            {"text": "   ", "client_key": "phone-key-0001"},
            {"text": "x" * 501, "client_key": "phone-key-0001"},
            {"text": "Free wifi"},
        ],
        ids=["blank", "too-long", "no-key"],
    )
    def test_bad_input_is_refused_as_invalid(
        self, citizen_client: Client, workshop: Workshop, form: dict[str, str]
    ) -> None:
        response = citizen_client.post(post_url(workshop), form, **JSON)

        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert not Idea.objects.exists()

    def test_an_unknown_workshop_is_not_found(self, citizen_client: Client) -> None:
        response = citizen_client.post(
            reverse("ideas:post", kwargs={"code": "ZZZZZZ"}),
            {"text": "Lost", "client_key": "phone-key-0001"},
            **JSON,
        )

        assert response.status_code == 404

    def test_reading_the_post_address_is_not_allowed(
        self, citizen_client: Client, workshop: Workshop
    ) -> None:
        assert citizen_client.get(post_url(workshop)).status_code == 405


class TestPostWithoutScript:
    def test_a_post_lands_on_the_wall(self, citizen_client: Client, workshop: Workshop) -> None:
        response = citizen_client.post(
            post_url(workshop), {"text": "Free wifi", "client_key": "phone-key-0001"}, follow=True
        )

        assert response.redirect_chain == [(room_url(workshop), 302)]
        assert "Your idea is on the wall." in response.text
        idea = Idea.objects.get(workshop=workshop)
        assert f'data-idea-id="{idea.pk}"' in response.text
        assert ">Free wifi<" in response.text

    def test_a_refused_post_keeps_the_typed_text_in_the_box(
        self, citizen_client: Client, workshop: Workshop
    ) -> None:
        typed = "A long thought about opening hours & quiet rooms. " * 12

        response = citizen_client.post(
            post_url(workshop), {"text": typed, "client_key": "phone-key-0001"}
        )

        assert response.status_code == 400
        assert "An idea can be at most 500 characters" in response.text
        [textarea] = re.findall(r'<textarea name="text"[^>]*>(.*?)</textarea>', response.text, re.S)
        assert textarea == typed.replace("&", "&amp;")
        # The same key stays in the form, so a corrected resend cannot post twice.
        assert 'value="phone-key-0001"' in response.text
        assert not Idea.objects.exists()

    def test_hostile_text_in_a_refused_post_is_shown_escaped(
        self, citizen_client: Client, workshop: Workshop
    ) -> None:
        Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.LOBBY)

        response = citizen_client.post(
            post_url(workshop), {"text": f"Early {HOSTILE_HTML}", "client_key": "phone-key-0001"}
        )

        assert response.status_code == 400
        assert HOSTILE_HTML not in response.text
        assert "Early &lt;script&gt;alert(1)&lt;/script&gt;" in response.text

    def test_someone_who_has_not_joined_is_sent_to_join_and_sees_no_ideas(
        self, client: Client, workshop: Workshop
    ) -> None:
        IdeaFactory(author__workshop=workshop, text="Only for those in the room")

        response = client.post(
            post_url(workshop), {"text": "Sneaky", "client_key": "phone-key-0001"}, follow=True
        )

        assert response.redirect_chain == [
            (reverse("workshops:join", kwargs={"code": workshop.join_code}), 302)
        ]
        assert "Only for those in the room" not in response.text
        assert "You are not allowed to do that in this workshop." in response.text
        assert Idea.objects.count() == 1


class TestEditAndWithdraw:
    def test_the_author_edits_their_idea(self, citizen_client: Client, workshop: Workshop) -> None:
        idea = IdeaFactory(author=Participant.objects.get(workshop=workshop), text="Free wifi")

        response = citizen_client.post(idea_url("edit", idea), {"text": "Fast wifi"}, **JSON)

        assert response.status_code == 200
        assert response.json()["idea"]["text"] == "Fast wifi"
        assert response.json()["idea"]["edited"] is True

    def test_someone_elses_idea_cannot_be_edited(
        self, citizen_client: Client, second_citizen_client: Client, workshop: Workshop
    ) -> None:
        idea = IdeaFactory(author=Participant.objects.get(display_name="Curious Otter 42"))

        response = second_citizen_client.post(idea_url("edit", idea), {"text": "Mine"}, **JSON)

        assert response.status_code == 403
        idea.refresh_from_db()
        assert idea.text.startswith("Open late on Fridays")

    def test_a_withdrawn_idea_leaves_the_room_page(
        self, citizen_client: Client, workshop: Workshop
    ) -> None:
        idea = IdeaFactory(author=Participant.objects.get(workshop=workshop), text="Free wifi")

        response = citizen_client.post(idea_url("withdraw", idea), follow=True)

        assert "Your idea is withdrawn." in response.text
        assert f'data-idea-id="{idea.pk}"' not in response.text
        assert ">Free wifi<" not in response.text
        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.WITHDRAWN

    def test_a_non_numeric_idea_id_is_refused(
        self, citizen_client: Client, workshop: Workshop
    ) -> None:
        response = citizen_client.post(
            reverse("ideas:withdraw", kwargs={"code": workshop.join_code, "idea_id": "abc"}),
            **JSON,
        )

        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
