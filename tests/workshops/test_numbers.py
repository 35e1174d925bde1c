"""Numbers written any way but the documented one are refused clearly, never with a 500
(issue 17, 3): "--1", "²", full-width and Arabic-Indic digits, over HTTP and the socket."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from moderation.models import ModerationSettings
from tests.factories import IdeaFactory, actor_for
from voting.models import Ballot, Vote
from workshops.commands import command_handle
from workshops.models import Workshop
from workshops.numbers import number_from_text, whole_number
from workshops.phases import Phase

# Each is something int() takes, or something isdigit() says is a number, or both.
NOT_NUMBERS = [
    "--1",
    "²",
    "1²",
    "\uff11\uff12",
    "١٢",
    "-",
    "+3",
    "3.0",
    "1e3",
    "0x10",
    "",
    " ",
    "9" * 19,
]


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_only_ascii_digits_are_a_number(raw: str) -> None:
    assert number_from_text(raw) is None
    assert whole_number(raw) is None


def test_ascii_digits_are_a_number() -> None:
    assert number_from_text("12") == 12
    assert number_from_text(" 7\t") == 7
    assert number_from_text("-4", signed=True) == -4
    assert number_from_text("-4") is None
    assert whole_number(5) == 5
    assert whole_number(True) is None


def _votes_url(workshop: Workshop) -> str:
    return reverse("voting:vote", kwargs={"code": workshop.join_code})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form",
    [
        {"target_type": "idea", "target_id": "--1", "dots": "1"},
        {"target_type": "idea", "target_id": "1", "dots": "²"},
        {"target_type": "idea", "target_id": "1", "dots": "\uff11"},
        {"target_type": "idea", "order": "1,--2"},
        {"target_type": "idea", "order": "²"},
        {"target_type": "idea", "target_id": "²", "approved": "true"},
    ],
)
def test_a_malformed_number_in_a_vote_is_refused_for_anyone(
    workshop: Workshop, citizen_client: Client, form: dict[str, str]
) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.VOTE)
    accept = {"HTTP_ACCEPT": "application/json"}

    stranger = Client().post(_votes_url(workshop), form, **accept)
    citizen = citizen_client.post(_votes_url(workshop), form, **accept)

    assert stranger.status_code in {400, 403}, stranger.content
    assert citizen.status_code in {400, 409}, citizen.content
    assert citizen.json()["ok"] is False
    assert citizen.json()["code"] in {"invalid", "conflict"}
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_a_dot_count_in_digits_0_to_9_still_votes(
    workshop: Workshop, citizen_client: Client
) -> None:
    idea = IdeaFactory(workshop=workshop, author__workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.VOTE)

    response = citizen_client.post(
        _votes_url(workshop),
        {"target_type": "idea", "target_id": str(idea.pk), "dots": "2"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 200, response.content
    assert list(Vote.objects.values_list("weight", flat=True)) == [2]


@pytest.mark.django_db
@pytest.mark.parametrize("threshold", ["²", "--1", "\uff11", "٣"])
def test_a_malformed_flag_threshold_is_refused_over_http(
    workshop: Workshop, facilitator_client: Client, threshold: str
) -> None:
    response = facilitator_client.post(
        reverse("moderation:settings", kwargs={"code": workshop.join_code}),
        {"mode": "pre", "flag_threshold": threshold, "word_list": "", "retention_days": "30"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert not ModerationSettings.objects.filter(mode="pre").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("threshold", ["²", "--1", "\uff11", "٣"])
def test_a_malformed_flag_threshold_is_refused_over_the_socket(
    workshop: Workshop, threshold: str
) -> None:
    frame = {
        "type": "moderation.configure",
        "request_id": "m",
        "mode": "pre",
        "flag_threshold": threshold,
        "word_list": "",
        "retention_days": 30,
    }

    _actor, reply = command_handle(actor=actor_for("facilitator", workshop), frame=frame)

    assert (reply["type"], reply["code"], reply["request_id"]) == ("error", "invalid", "m")
    assert not ModerationSettings.objects.filter(mode="pre").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("dots", ["٣", "\uff13", "²"])
def test_the_voting_rules_take_only_ascii_digits(
    workshop: Workshop, facilitator_client: Client, dots: str
) -> None:
    facilitator_client.post(
        reverse("voting:rules", kwargs={"code": workshop.join_code}),
        {
            "method": "dots",
            "target": "idea",
            "dots_per_participant": dots,
            "max_dots_per_item": "1",
            "rank_count": "3",
        },
    )

    assert not Ballot.objects.filter(dots_per_participant=3).exists()


@pytest.mark.parametrize("typed", ["60", " 60 ", "60\t", "1800"])
def test_a_timer_with_spaces_around_its_number_is_taken(
    typed: str, workshop: Workshop, facilitator_client: Client
) -> None:
    url = reverse("workshops:timer", kwargs={"code": workshop.join_code})

    response = facilitator_client.post(
        url, {"duration_seconds": typed}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["workshop"]["ends_at"] is not None


@pytest.mark.parametrize("typed", ["٦٠", "+60", "6 0", "0", "61", "1e3"])
def test_a_timer_that_is_not_a_preset_in_ascii_digits_is_refused(
    typed: str, workshop: Workshop, facilitator_client: Client
) -> None:
    url = reverse("workshops:timer", kwargs={"code": workshop.join_code})

    response = facilitator_client.post(
        url, {"duration_seconds": typed}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 400 and response.json()["code"] == "invalid"
    workshop.refresh_from_db()
    assert workshop.phase_ends_at is None
