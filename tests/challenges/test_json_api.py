"""The challenges' read-only JSON and their writes answer as docs/challenges.md says,
refusals included: JSON with a code, never an HTML error page, and nothing changes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from challenges.models import Challenge, Proposal, Support

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
GUIDE = (Path(__file__).resolve().parents[2] / "docs" / "challenges.md").read_text()


def _documented_challenge() -> dict[str, object]:
    block = re.search(r"## Read-only JSON.*?```json\n(.*?)```", GUIDE, flags=re.S)
    assert block is not None
    return json.loads(block.group(1))


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


def test_a_challenge_and_its_proposals_carry_exactly_the_documented_fields(
    client: Client, challenge: Challenge, proposal: Proposal
) -> None:
    documented = _documented_challenge()
    documented_proposal = documented["proposals"][0]  # type: ignore[index]

    sent = client.get(reverse("challenges:api_challenge", args=[challenge.pk])).json()

    assert set(sent) == set(documented)
    assert set(sent["proposals"][0]) == set(documented_proposal)
