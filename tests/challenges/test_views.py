"""The challenge pages and endpoints as a phone and a facilitator use them."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse
from PIL import Image

from challenges.models import Challenge, Proposal, Support

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def test_pages_show_the_challenge_and_its_proposals(
    client: Client, challenge: Challenge, proposal: Proposal
) -> None:
    listing = client.get(reverse("challenges:list")).content.decode()
    page = client.get(challenge.get_absolute_url()).content.decode()
    proposal_page = client.get(proposal.get_absolute_url()).content.decode()

    assert "Greener streets" in listing and "<script>alert" not in listing
    assert "Trees on Main Street" in page and "of 3 supporters" in page
    assert "Support this proposal" in proposal_page
    assert client.get(reverse("challenges:qr", args=[proposal.pk]))["Content-Type"] == (
        "image/svg+xml"
    )


def test_a_phone_writes_a_proposal_with_a_photo_and_supports_another(
    client: Client, challenge: Challenge, proposal: Proposal
) -> None:
    photo = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(photo, format="PNG")
    photo.seek(0)
    photo.name = "park.png"

    response = client.post(
        reverse("challenges:propose", args=[challenge.pk]),
        {"title": "A park", "text": "A small park by the school.", "photo": photo},
    )

    mine = Proposal.objects.get(title="A park")
    assert response.status_code == 302 and response["Location"] == mine.get_absolute_url()
    assert client.get(reverse("challenges:photo", args=[mine.pk]))["Content-Type"] == "image/png"
    answer = client.post(reverse("challenges:support", args=[proposal.pk]), **JSON).json()
    assert answer["ok"] and answer["proposal"]["support_count"] == 1
    again = client.post(reverse("challenges:support", args=[proposal.pk]), **JSON)
    assert again.status_code == 400 and again.json()["code"] == "already_supported"
    assert Support.objects.count() == 1


def test_a_proposal_with_a_fake_photo_is_refused_and_not_stored(
    client: Client, challenge: Challenge
) -> None:
    fake = io.BytesIO(b"<?php echo 1; ?>")
    fake.name = "photo.jpg"

    response = client.post(
        reverse("challenges:propose", args=[challenge.pk]),
        {"title": "A park", "text": "Words", "photo": fake},
        **JSON,
    )

    assert response.status_code == 400 and response.json()["code"] == "invalid_photo"
    assert not Proposal.objects.exists()


def test_similar_proposals_answer_while_writing(
    client: Client, challenge: Challenge, proposal: Proposal
) -> None:
    url = reverse("challenges:similar", args=[challenge.pk])

    found = client.get(url, {"text": "lime trees main street"}).json()["proposals"]

    assert [p["id"] for p in found] == [proposal.pk]


def test_the_json_lists_challenges_with_counts_and_threshold_times(
    client: Client, challenge: Challenge, proposal: Proposal
) -> None:
    for _n in range(3):
        Client().post(reverse("challenges:support", args=[proposal.pk]))

    body = client.get(reverse("challenges:api_challenges")).json()

    (listed,) = body["challenges"]
    assert listed["threshold"] == 3 and listed["support_count"] == 3
    (item,) = listed["proposals"]
    assert item["status"] == "threshold_reached" and item["threshold_reached_at"]
    assert "cosponsor_token" not in json.dumps(body)


def test_held_proposals_are_seen_by_their_author_and_facilitators_only(
    client: Client, challenge_owner: AbstractBaseUser, challenge: Challenge
) -> None:
    Challenge.objects.filter(pk=challenge.pk).update(moderation="pre")
    client.post(reverse("challenges:propose", args=[challenge.pk]), {"title": "X", "text": "Y"})
    held = Proposal.objects.get()

    assert client.get(held.get_absolute_url()).status_code == 200
    assert Client().get(held.get_absolute_url()).status_code == 404
    facilitator = Client()
    facilitator.force_login(challenge_owner)
    assert (
        "X" in facilitator.get(reverse("challenges:moderate", args=[challenge.pk])).content.decode()
    )
    facilitator.post(reverse("challenges:review", args=[held.pk, "approve"]))
    held.refresh_from_db()
    assert held.status == Proposal.Status.OPEN


def test_a_facilitator_creates_a_challenge(
    client: Client, challenge_owner: AbstractBaseUser, administration: object
) -> None:
    client.force_login(challenge_owner)
    response = client.post(
        reverse("challenges:new"),
        {
            "title": "Quieter nights",
            "question": "How do we cut night noise?",
            "language": "en",
            "opens_at": "2026-01-01T10:00",
            "closes_at": "2027-01-01T10:00",
            "threshold_kind": "number",
            "threshold_value": "50",
            "cosponsors_needed": "2",
            "moderation": "pre",
            "supporters": "open",
            "administration": str(getattr(administration, "pk", "")),
        },
    )

    challenge = Challenge.objects.get(title="Quieter nights")
    assert response.status_code == 302
    assert (challenge.threshold, challenge.cosponsors_needed) == (50, 2)


def test_a_workshop_theme_becomes_a_proposal_in_one_action(
    client: Client, challenge_owner: AbstractBaseUser, challenge: Challenge
) -> None:
    from ideas.models import Cluster, Idea
    from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory

    workshop = WorkshopFactory(owner=challenge_owner, title="Library evening")
    theme = Cluster.objects.create(workshop=workshop, name="Shade in the streets")
    author = ParticipantFactory(workshop=workshop)
    IdeaFactory(author=author, workshop=workshop, text="Trees by the school", cluster=theme)
    IdeaFactory(author=author, workshop=workshop, text="Awnings on the square", cluster=theme)
    client.force_login(challenge_owner)

    console = client.get(reverse("workshops:console", args=[workshop.join_code])).content.decode()
    assert "Open for support in a challenge" in console and "Shade in the streets" in console
    response = client.post(
        reverse("challenges:from_workshop", args=[workshop.join_code]),
        {"challenge": challenge.pk, "target": f"cluster:{theme.pk}"},
    )

    proposal = Proposal.objects.get(source_cluster=theme)
    assert response["Location"] == proposal.get_absolute_url()
    assert proposal.status == Proposal.Status.OPEN and proposal.title == "Shade in the streets"
    assert "Trees by the school" in proposal.text and "Awnings on the square" in proposal.text
    page = Client().get(proposal.get_absolute_url()).content.decode()
    assert reverse("workshops:observe", args=[workshop.observer_token]) in page
    again = client.post(
        reverse("challenges:from_workshop", args=[workshop.join_code]),
        {"challenge": challenge.pk, "target": f"cluster:{theme.pk}"},
        HTTP_ACCEPT="application/json",
    )
    assert again.json()["code"] == "conflict" and Proposal.objects.count() == 1
    assert Idea.objects.filter(workshop=workshop).count() == 2
