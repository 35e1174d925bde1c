"""Proposals of open challenges are routed like a workshop's items, by those who manage them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse

from administrations.models import Administration
from challenges import services as challenge_services
from challenges.models import Challenge, Citizen, Proposal
from routing.models import Kind, Method, Routing
from routing.services import routing_decide
from tests.challenges.conftest import make_challenge
from tests.factories import HOSTILE_HTML, UserFactory
from tests.routing.labelled import administrations_create
from tests.routing.worker import worker_pass
from workshops.errors import ActionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrations(db: None) -> dict[str, Administration]:
    return administrations_create()


@pytest.fixture
def owner(db: None) -> AbstractBaseUser:
    return UserFactory(username="challenge-owner")


@pytest.fixture
def challenge(owner: AbstractBaseUser, administrations: dict[str, Administration]) -> Challenge:
    return make_challenge(owner, administrations["environment"])


@pytest.fixture
def proposal(challenge: Challenge, django_capture_on_commit_callbacks: Any) -> Proposal:
    with django_capture_on_commit_callbacks(execute=True):
        proposal = challenge_services.proposal_submit(
            challenge=challenge,
            citizen=Citizen.objects.create(),
            title=f"{HOSTILE_HTML}A cycle lane to the station",
            text="Paint a protected cycle lane along the main road.",
        )
    # The new public proposal was handed to the worker, which keeps its suggestion.
    assert worker_pass() >= 1
    return proposal


def test_the_challenge_owner_routes_a_proposal(
    owner: AbstractBaseUser,
    challenge: Challenge,
    proposal: Proposal,
    administrations: dict[str, Administration],
) -> None:
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("routing:challenge", args=[challenge.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Proposals" in html and "A cycle lane to the station" in html
    assert "Confirm: Roads and Traffic" in html
    assert HOSTILE_HTML not in html
    overview = client.get(reverse("routing:overview")).content.decode()
    assert "Route the proposals of" in overview

    routing = routing_decide(
        user=owner,
        kind=Kind.PROPOSAL,
        object_id=proposal.pk,
        administration_id=administrations["roads"].pk,
    )
    assert routing.challenge == challenge and routing.workshop is None
    assert routing.agreed and routing.method == Method.KEYWORDS
    assert "protected cycle lane" in routing.text
    inbox = client.get(reverse("routing:administration", args=["roads"]))
    assert inbox.status_code == 404  # the owner is no member of Roads and Traffic
    member = UserFactory(username="roads")
    administrations["roads"].members.add(member)
    client.force_login(member)
    html = client.get(reverse("routing:administration", args=["roads"])).content.decode()
    assert "A proposal from the challenge" in html


def test_others_may_not_route_a_challenges_proposals(
    challenge: Challenge, proposal: Proposal, administrations: dict[str, Administration]
) -> None:
    stranger = UserFactory(username="stranger")
    client = Client()
    client.force_login(stranger)
    assert client.get(reverse("routing:challenge", args=[challenge.pk])).status_code == 404
    with pytest.raises(ActionRefused):
        routing_decide(
            user=stranger,
            kind=Kind.PROPOSAL,
            object_id=proposal.pk,
            administration_id=administrations["roads"].pk,
        )
    assert not Routing.objects.exists()
