"""The challenges' read-only JSON and their writes answer as docs/challenges.md says,
refusals included: JSON with a code, never an HTML error page, and nothing changes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from challenges.models import Challenge, Proposal, Support

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def test_the_list_is_an_object_holding_the_challenges(
    client: Client, challenge: Challenge, proposal: Proposal
) -> None:
    body = client.get(reverse("challenges:api_challenges")).json()

    assert list(body) == ["challenges"]
    assert [c["id"] for c in body["challenges"]] == [challenge.pk]


def test_an_unknown_challenge_is_not_found_as_json_whatever_the_client_accepts(
    client: Client, challenge: Challenge
) -> None:
    for accept in ({}, JSON):
        for raw in (str(challenge.pk + 1), "abc"):
            url = reverse("challenges:api_challenge", args=[raw])
            response = client.get(url, **accept)

            assert response.status_code == 404
            assert response["Content-Type"] == "application/json"
            assert response.json() == {
                "ok": False,
                "code": "not_found",
                "message": "No such challenge.",
            }


def test_support_for_an_unknown_proposal_is_not_found_as_json(
    client: Client, proposal: Proposal
) -> None:
    url = reverse("challenges:support", args=[proposal.pk + 1])

    response = client.post(url, **JSON)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Support.objects.exists()


def test_a_proposal_refused_by_a_script_says_which_field_and_stores_nothing(
    client: Client, challenge: Challenge
) -> None:
    url = reverse("challenges:propose", args=[challenge.pk])

    response = client.post(url, {"title": "", "text": "Plant trees"}, **JSON)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "Title: This field is required."
    assert not Proposal.objects.exists()
