"""A department asks for co-creation, the team triages, and the work starts from the request."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from administrations.models import Administration
from cocreation.models import CoCreationRequest
from cocreation.services import (
    request_challenge_create,
    request_submit,
    request_triage,
    request_update,
    request_workshop_create,
)
from statuses.models import Status
from statuses.services import status_change
from summaries.models import ValueProposition
from tests.factories import HOSTILE_HTML, IdeaFactory, ParticipantFactory, UserFactory
from workshops.errors import ActionRefused

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": f"A new e-service for building permits {HOSTILE_HTML}",
    "current_situation": "Applications come on paper and take eight weeks.",
    "citizens_needs": "To know where their case stands.",
    "goals": "How can applying for a building permit feel simple?",
    "deadline": None,
    "owner": "Kirsten, head of building",
    "resources": "Two people for three months.",
}


@pytest.fixture
def building(db: None) -> Administration:
    return Administration.objects.create(name="Building", slug="building")


@pytest.fixture
def member(building: Administration) -> AbstractBaseUser:
    user = UserFactory(username="member")
    building.members.add(user)
    return user


@pytest.fixture
def team(db: None) -> AbstractBaseUser:
    user = UserFactory(username="team")
    user.user_permissions.add(Permission.objects.get(codename="triage_cocreationrequest"))
    return UserFactory._meta.model.objects.get(pk=user.pk)  # fresh permission cache


def signed_in(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_whole_way_from_request_to_statuses(
    member: AbstractBaseUser, team: AbstractBaseUser, building: Administration
) -> None:
    asker = signed_in(member)
    answer = asker.post(
        reverse("cocreation:new"),
        {**FIELDS, "deadline": "", "administration": building.pk},
        follow=True,
    )
    html = answer.content.decode()
    assert "Your request has gone to the co-creation team." in html
    assert HOSTILE_HTML not in html
    request = CoCreationRequest.objects.get()
    assert request.status == CoCreationRequest.Status.SUBMITTED

    team_client = signed_in(team)
    url = reverse("cocreation:request", args=[request.pk])
    team_client.post(
        reverse("cocreation:triage", args=[request.pk]),
        {"decision": "needs_more", "note": "Which case types come first?"},
    )
    html = asker.get(url).content.decode()
    assert "The co-creation team asks: Which case types come first?" in html
    asker.post(
        reverse("cocreation:edit", args=[request.pk]),
        {**FIELDS, "deadline": "", "resources": "Two people, and the case system's supplier."},
    )
    request.refresh_from_db()
    assert request.status == CoCreationRequest.Status.SUBMITTED
    assert "supplier" in request.resources

    team_client.post(reverse("cocreation:triage", args=[request.pk]), {"decision": "accepted"})
    made = team_client.post(reverse("cocreation:workshop", args=[request.pk]))
    workshop = request.workshops.get()
    assert made.url == reverse("workshops:edit", args=[workshop.join_code])
    assert workshop.question == FIELDS["goals"]
    assert "eight weeks" in workshop.context and "where their case stands" in workshop.context
    assert workshop.owner == team

    # What came out of the workshop shows on the request, with its status.
    idea = IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Track my case online")
    proposition = ValueProposition.objects.create(workshop=workshop, idea=idea)
    html = asker.get(url).content.decode()
    assert "Track my case online: no status yet" in html
    assert reverse("summaries:page", args=[workshop.join_code]) in html
    building.members.add(team)
    workshop.phase = "closed"
    workshop.save()
    status_change(user=team, item=proposition, status=Status.UNDER_REVIEW, administration=building)
    html = asker.get(url).content.decode()
    assert "Track my case online: Under review" in html


def test_a_challenge_runs_until_the_deadline(
    member: AbstractBaseUser, team: AbstractBaseUser, building: Administration
) -> None:
    deadline = date.today() + timedelta(days=60)
    request = request_submit(
        user=member, administration=building, fields={**FIELDS, "deadline": deadline}
    )
    with pytest.raises(ActionRefused):
        request_challenge_create(user=team, request=request)  # not accepted yet
    request_triage(user=team, request=request, decision="accepted", note="")
    challenge = request_challenge_create(user=team, request=request)
    assert challenge.administration == building
    assert timezone.localtime(challenge.closes_at).date() == deadline
    assert list(request.challenges.all()) == [challenge]

    # The challenge's public proposals show on the request with their statuses.
    from challenges.models import Citizen
    from challenges.services import proposal_submit

    proposal = proposal_submit(
        challenge=challenge,
        citizen=Citizen.objects.create(),
        title="A map of every permit",
        text="Show where each case is.",
    )
    url = reverse("cocreation:request", args=[request.pk])
    assert "A map of every permit: no status yet" in signed_in(member).get(url).content.decode()
    building.members.add(team)
    status_change(user=team, item=proposal, status=Status.UNDER_REVIEW, administration=building)
    assert "A map of every permit: Under review" in signed_in(member).get(url).content.decode()


def test_triage_needs_the_team_and_a_reason(
    member: AbstractBaseUser, team: AbstractBaseUser, building: Administration
) -> None:
    request = request_submit(user=member, administration=building, fields=FIELDS)
    with pytest.raises(ActionRefused):
        request_triage(user=member, request=request, decision="accepted", note="")
    for decision in ("declined", "needs_more"):
        with pytest.raises(ActionRefused):
            request_triage(user=team, request=request, decision=decision, note="  ")
    with pytest.raises(ActionRefused):
        request_triage(user=team, request=request, decision="maybe", note="x")
    request.refresh_from_db()
    assert request.status == CoCreationRequest.Status.SUBMITTED and not request.team_note
    request_triage(user=team, request=request, decision="declined", note="Already running.")
    with pytest.raises(ActionRefused):
        request_triage(user=team, request=request, decision="accepted", note="")
    with pytest.raises(ActionRefused):
        request_update(user=member, request=request, fields={"title": "Again"})
    with pytest.raises(ActionRefused):
        request_workshop_create(user=team, request=request)
    html = signed_in(member).get(reverse("cocreation:request", args=[request.pk])).content.decode()
    assert "Declined because: Already running." in html


def test_only_members_ask_and_see_their_administrations_requests(
    member: AbstractBaseUser, building: Administration
) -> None:
    outsider = UserFactory(username="outsider")
    with pytest.raises(ActionRefused):
        request_submit(user=outsider, administration=building, fields=FIELDS)
    assert signed_in(outsider).get(reverse("cocreation:new")).status_code == 404
    request = request_submit(user=member, administration=building, fields=FIELDS)
    url = reverse("cocreation:request", args=[request.pk])
    assert signed_in(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert "A new e-service" in signed_in(member).get(reverse("cocreation:list")).content.decode()


def test_a_request_without_its_required_parts_is_refused(
    member: AbstractBaseUser, building: Administration
) -> None:
    page = signed_in(member).post(
        reverse("cocreation:new"), {"administration": building.pk, "title": "Only a title"}
    )
    assert page.status_code == 200
    assert "This field is required." in page.content.decode()
    assert not CoCreationRequest.objects.exists()
