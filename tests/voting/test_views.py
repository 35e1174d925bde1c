"""Voting over plain HTTP: the console's forms and a phone's fallback."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse

from ideas.models import Idea
from tests.conftest import join_by_page
from voting.models import Ballot, Vote
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

RULES = {
    "method": "dots",
    "target": "idea",
    "dots_per_participant": "8",
    "max_dots_per_item": "2",
    "rank_count": "3",
}


def url(name: str, workshop: Workshop) -> str:
    return reverse(f"voting:{name}", kwargs={"code": workshop.join_code})


@pytest.fixture
def phone(voting_room: Workshop) -> Client:
    return join_by_page(Client(), voting_room, "Curious Otter 42")


class TestVoteOverHttp:
    def post(self, client: Client, workshop: Workshop, **data: Any) -> Any:
        return client.post(url("vote", workshop), data, headers={"Accept": "application/json"})

    def test_a_phone_without_a_socket_votes_and_learns_its_budget(
        self, phone: Client, voting_room: Workshop, ideas: list[Idea]
    ) -> None:
        response = self.post(phone, voting_room, target_type="idea", target_id=ideas[0].pk, dots=2)

        assert response.status_code == 200
        assert response.json()["ok"] is True
        assert response.json()["remaining"] == 3
        assert Vote.objects.get().weight == 2

    @pytest.mark.parametrize(
        ("dots", "status", "code"), [("9", 400, "invalid"), ("two", 400, "invalid")]
    )
    def test_a_refused_vote_answers_the_reason(
        self,
        phone: Client,
        voting_room: Workshop,
        ideas: list[Idea],
        dots: str,
        status: int,
        code: str,
    ) -> None:
        response = self.post(
            phone, voting_room, target_type="idea", target_id=ideas[0].pk, dots=dots
        )

        assert response.status_code == status
        assert response.json()["code"] == code
        assert response.json()["message"]
        assert not Vote.objects.exists()

    def test_someone_who_has_not_joined_cannot_vote(
        self, voting_room: Workshop, ideas: list[Idea]
    ) -> None:
        response = self.post(
            Client(), voting_room, target_type="idea", target_id=ideas[0].pk, dots=1
        )

        assert response.status_code == 403
        assert not Vote.objects.exists()

    def test_without_script_the_phone_returns_to_the_room_with_a_message(
        self, phone: Client, voting_room: Workshop, ideas: list[Idea]
    ) -> None:
        response = phone.post(
            url("vote", voting_room),
            {"target_type": "idea", "target_id": ideas[0].pk, "dots": 1},
            follow=True,
        )

        assert "Your vote is saved." in response.text
        assert Vote.objects.count() == 1


class TestConsoleForms:
    def test_the_facilitator_saves_the_rules(
        self, facilitator_client: Client, voting_room: Workshop
    ) -> None:
        response = facilitator_client.post(url("rules", voting_room), RULES, follow=True)

        assert "The voting rules are saved." in response.text
        ballot = Ballot.objects.get(workshop=voting_room)
        assert (ballot.dots_per_participant, ballot.max_dots_per_item) == (8, 2)

    def test_a_rule_out_of_range_is_refused_naming_its_field(
        self, facilitator_client: Client, voting_room: Workshop
    ) -> None:
        response = facilitator_client.post(
            url("rules", voting_room),
            {**RULES, "dots_per_participant": "51"},
            HTTP_ACCEPT="application/json",
        )

        assert response.status_code == 400
        assert response.json()["message"].startswith("Dots per person: ")
        assert not Ballot.objects.filter(workshop=voting_room, dots_per_participant=51).exists()

    def test_changing_rules_after_votes_explains_how_and_keeps_the_votes(
        self,
        facilitator_client: Client,
        phone: Client,
        voting_room: Workshop,
        ideas: list[Idea],
    ) -> None:
        phone.post(
            url("vote", voting_room), {"target_type": "idea", "target_id": ideas[0].pk, "dots": 1}
        )

        refused = facilitator_client.post(url("rules", voting_room), RULES, follow=True)
        cleared = facilitator_client.post(
            url("rules", voting_room), {**RULES, "clear_votes": "on"}, follow=True
        )

        assert "Clear the votes to change the rules." in refused.text
        assert "1 vote was cleared." in cleared.text
        assert not Vote.objects.exists()

    def test_the_facilitator_reveals_the_tallies(
        self, facilitator_client: Client, voting_room: Workshop
    ) -> None:
        response = facilitator_client.post(url("reveal", voting_room), follow=True)

        assert "The tallies are now shown to the whole room." in response.text
        assert Ballot.objects.get(workshop=voting_room).tallies_public

    @pytest.mark.parametrize("name", ["rules", "reveal"])
    def test_a_stranger_gets_not_found_and_nothing_changes(
        self, stranger: AbstractBaseUser, voting_room: Workshop, name: str
    ) -> None:
        client = Client()
        client.force_login(stranger)

        response = client.post(url(name, voting_room), RULES)

        assert response.status_code == 404
        assert not Ballot.objects.exists()

    def test_the_console_shows_the_rules_form_and_the_reveal_button(
        self, facilitator_client: Client, voting_room: Workshop
    ) -> None:
        response = facilitator_client.get(
            reverse("workshops:console", kwargs={"code": voting_room.join_code})
        )

        assert 'action="' + url("rules", voting_room) + '"' in response.text
        assert 'action="' + url("reveal", voting_room) + '"' in response.text


class TestPages:
    def test_the_phone_shows_the_vote_panel_with_the_dots_left(
        self, phone: Client, voting_room: Workshop, ideas: list[Idea]
    ) -> None:
        phone.post(
            url("vote", voting_room), {"target_type": "idea", "target_id": ideas[0].pk, "dots": 2}
        )

        page = phone.get(reverse("workshops:room", kwargs={"code": voting_room.join_code}))

        assert "data-vote-panel" in page.text
        assert "3 dots left" in page.text
        assert 'aria-live="polite" data-vote-remaining' in page.text

    def test_the_projector_shows_results_only_once_revealed(
        self,
        facilitator_client: Client,
        phone: Client,
        voting_room: Workshop,
        ideas: list[Idea],
    ) -> None:
        phone.post(
            url("vote", voting_room), {"target_type": "idea", "target_id": ideas[1].pk, "dots": 3}
        )
        projector = reverse("workshops:projector", kwargs={"code": voting_room.join_code})

        hidden = facilitator_client.get(projector)
        facilitator_client.post(url("reveal", voting_room))
        shown = facilitator_client.get(projector)

        assert "3 dots" not in hidden.text
        assert "Free wifi" in shown.text
        assert "3 dots" in shown.text
        assert "1 supporter" in shown.text
