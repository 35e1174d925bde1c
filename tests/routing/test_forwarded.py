"""A confirmed routing gives the item its public status: forwarded to that administration."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from administrations.models import Administration
from challenges import services as challenge_services
from challenges.models import Citizen
from routing.models import Kind
from routing.services import routing_decide
from statuses.models import Status
from statuses.selectors import item_status_of, timeline_of
from tests.challenges.conftest import make_challenge
from tests.factories import IdeaFactory, ParticipantFactory, UserFactory, actor_for
from tests.routing.labelled import administrations_create
from tests.routing.worker import worker_pass
from workshops.models import Workshop
from workshops.phases import Phase
from workshops.services import workshop_change_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrations(db: None) -> dict[str, Administration]:
    return administrations_create()


def test_confirming_a_proposal_forwards_it_publicly(
    administrations: dict[str, Administration],
) -> None:
    owner = UserFactory(username="challenge-owner")
    challenge = make_challenge(owner, administrations["environment"])
    proposal = challenge_services.proposal_submit(
        challenge=challenge,
        citizen=Citizen.objects.create(),
        title="A cycle lane to the station",
        text="Paint a protected cycle lane.",
    )
    roads, culture = administrations["roads"], administrations["culture"]
    routing_decide(
        user=owner, kind=Kind.PROPOSAL, object_id=proposal.pk, administration_id=roads.pk
    )
    status = item_status_of(item=proposal)
    assert status is not None
    assert (status.status, status.administration) == (Status.FORWARDED, roads)
    [change] = timeline_of(item=proposal)
    assert (change.forwarded_to, change.member) == (roads, owner)

    # Its public page says where it went.
    page = Client().get(f"/said/proposal/{proposal.pk}/").content.decode()
    assert "Forwarded to Roads and Traffic." in page

    # Passed on by a member of the administration: forwarded again, to the other one.
    member = UserFactory(username="roads-member")
    roads.members.add(member)
    routing_decide(
        user=member, kind=Kind.PROPOSAL, object_id=proposal.pk, administration_id=culture.pk
    )
    status = item_status_of(item=proposal)
    assert status is not None and status.administration == culture
    assert [c.forwarded_to for c in timeline_of(item=proposal)] == [roads, culture]


def test_a_workshops_items_are_forwarded_once_it_closes(
    workshop: Workshop,
    facilitator: AbstractBaseUser,
    administrations: dict[str, Administration],
    django_capture_on_commit_callbacks: Any,
) -> None:
    idea = IdeaFactory(author=ParticipantFactory(workshop=workshop), text="A cycle lane")
    roads = administrations["roads"]
    routing_decide(user=facilitator, kind=Kind.IDEA, object_id=idea.pk, administration_id=roads.pk)
    # The room is still running: its ideas are not public, so there is no status yet.
    assert item_status_of(item=idea) is None

    with django_capture_on_commit_callbacks(execute=True):
        workshop_change_phase(actor=actor_for("facilitator", workshop), phase=Phase.CLOSED)
    assert worker_pass() == 1
    status = item_status_of(item=idea)
    assert status is not None
    assert (status.status, status.administration) == (Status.FORWARDED, roads)
    # The job is idempotent: a second run records nothing new.
    from routing.tasks import routing_workshop_closed

    assert routing_workshop_closed.call(workshop_id=workshop.pk) == 0
    assert len(timeline_of(item=idea)) == 1

    # Routed after closing: recorded at once.
    later = IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Trees")
    routing_decide(
        user=facilitator,
        kind=Kind.IDEA,
        object_id=later.pk,
        administration_id=administrations["environment"].pk,
    )
    status = item_status_of(item=later)
    assert status is not None and status.status == Status.FORWARDED
