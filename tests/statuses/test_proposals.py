"""Challenge proposals carry a status too: their author, co-sponsors and supporters are told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse

from administrations.models import Administration
from challenges import services as challenge_services
from challenges.models import Citizen, Proposal
from challenges.selectors import SESSION_CITIZEN_KEY
from statuses.models import Notice, Receipt
from statuses.selectors import item_status_of, receipt_items, timeline_of
from statuses.services import (
    item_forwarded_record,
    notices_create,
    receipt_for_citizen,
    status_change,
)
from tests.challenges.conftest import make_challenge
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administration(db: None) -> Administration:
    return Administration.objects.create(name="Roads", slug="roads")


@pytest.fixture
def author(db: None) -> Citizen:
    return Citizen.objects.create()


@pytest.fixture
def proposal(administration: Administration, author: Citizen) -> Proposal:
    challenge = make_challenge(UserFactory(username="challenge-owner"), administration)
    return challenge_services.proposal_submit(
        challenge=challenge,
        citizen=author,
        title="Trees on Main Street",
        text="Plant lime trees along Main Street.",
    )


@pytest.fixture
def member(administration: Administration) -> AbstractBaseUser:
    user = UserFactory(username="streets-member")
    administration.members.add(user)
    return user


def phone_of(citizen: Citizen) -> Client:
    client = Client()
    session = client.session
    session[SESSION_CITIZEN_KEY] = citizen.key
    session.save()
    return client


def test_supporters_and_the_author_hear_of_a_proposals_status(
    proposal: Proposal, author: Citizen, administration: Administration, member: AbstractBaseUser
) -> None:
    supporter, stranger = Citizen.objects.create(), Citizen.objects.create()
    challenge_services.support_give(proposal_id=proposal.pk, citizen=supporter)
    receipts = {c: receipt_for_citizen(citizen=c) for c in (author, supporter, stranger)}
    made = status_change(
        user=member,
        item=proposal,
        status="accepted",
        administration=administration,
        expected_on="2027-04-01",
    )
    assert notices_create(change=made) == 2
    told = set(Notice.objects.values_list("receipt_id", flat=True))
    assert told == {receipts[author].pk, receipts[supporter].pk}
    [row] = receipt_items(receipt=receipts[supporter])
    assert row.key == f"proposal-{proposal.pk}" and row.status_label == "Accepted"
    assert receipt_items(receipt=receipts[stranger]) == []


def test_the_proposal_page_shows_its_timeline_and_offers_the_receipt(
    proposal: Proposal, author: Citizen, administration: Administration, member: AbstractBaseUser
) -> None:
    status_change(
        user=member,
        item=proposal,
        status="declined",
        administration=administration,
        note="The pavement is too narrow",
    )
    phone = phone_of(author)
    page = phone.get(proposal.get_absolute_url()).content.decode()
    assert "The pavement is too narrow" in page and "Declined" in page
    # The author's own receipt, made for them: its link and QR code, kept on the phone.
    receipt = Receipt.objects.get(citizen=author)
    assert f'href="http://testserver/r/{receipt.token}/"' in page
    assert f'src="/r/{receipt.token}/qr.svg"' in page
    assert f'data-receipt-token="{receipt.token}"' in page
    # Reading it again makes no second receipt.
    phone.get(proposal.get_absolute_url())
    assert Receipt.objects.filter(citizen=author).count() == 1
    # Anyone else reads the status, and is offered no receipt.
    other = phone_of(Citizen.objects.create()).get(proposal.get_absolute_url()).content.decode()
    assert "The pavement is too narrow" in other and "data-receipt-token" not in other
    assert Receipt.objects.count() == 1
    link = reverse("statuses:receipt_from_challenges")
    response = phone.get(link)
    assert response.status_code == 302
    assert receipt.token in response["Location"]
    assert "The pavement is too narrow" in phone.get(response["Location"]).content.decode()
    # A phone that did nothing in a challenge has no receipt to open.
    assert Client().get(link).status_code == 404


def test_a_supporter_is_offered_their_receipt_on_the_page_they_return_to(
    proposal: Proposal,
) -> None:
    supporter = Citizen.objects.create()
    phone = phone_of(supporter)
    assert "data-receipt-token" not in phone.get(proposal.get_absolute_url()).content.decode()
    response = phone.post(reverse("challenges:support", kwargs={"proposal_id": proposal.pk}))
    assert response.status_code == 302
    page = phone.get(response["Location"]).content.decode()
    receipt = Receipt.objects.get(citizen=supporter)
    assert f'data-receipt-token="{receipt.token}"' in page
    assert f'src="/r/{receipt.token}/qr.svg"' in page


def test_a_proposal_forwarded_at_its_threshold_shows_forwarded_to_the_people_behind_it(
    proposal: Proposal, author: Citizen, administration: Administration
) -> None:
    supporters = [Citizen.objects.create() for _ in range(3)]
    for supporter in supporters:
        challenge_services.support_give(proposal_id=proposal.pk, citizen=supporter)
    receipt = receipt_for_citizen(citizen=supporters[0])

    assert challenge_services.proposals_forward_due() == 1

    [step] = timeline_of(item=proposal)
    assert step.status == "forwarded"
    assert step.administration == administration and step.forwarded_to == administration
    assert "threshold of 3 supporters" in step.note
    assert notices_create(change=step) == 1
    [row] = receipt_items(receipt=receipt)
    assert row.status_label == "Forwarded to an administration"
    answer = Client().get(f"/open311/v2/requests/proposal-{proposal.pk}.json").json()
    assert answer[0]["detailed_status"] == "FORWARDED"
    assert answer[0]["agency_responsible"] == "Roads"
    # The clock runs again: nothing more is recorded.
    assert challenge_services.proposals_forward_due() == 0
    assert len(timeline_of(item=proposal)) == 1


def test_forwarding_from_elsewhere_records_only_what_makes_sense(
    proposal: Proposal, administration: Administration, member: AbstractBaseUser
) -> None:
    parks = Administration.objects.create(name="Parks", slug="parks")
    first = item_forwarded_record(item=proposal, administration=administration, user=member)
    assert first is not None and first.member_email == member.email
    # Already with that administration: nothing new.
    assert item_forwarded_record(item=proposal, administration=administration) is None
    # Passed on to another, signed by the one that had it.
    onward = item_forwarded_record(item=proposal, administration=parks, signed_by=administration)
    assert onward is not None and onward.administration == administration
    assert item_status_of(item=proposal).administration == parks  # type: ignore[union-attr]
    accepted = status_change(
        user=UserFactory(username="root", is_superuser=True),
        item=proposal,
        status="accepted",
        administration=parks,
    )
    assert accepted.status == "accepted"
    # Past forwarding: an accepted item stays accepted.
    assert item_forwarded_record(item=proposal, administration=administration) is None
    assert [step.status for step in timeline_of(item=proposal)] == [
        "forwarded",
        "forwarded",
        "accepted",
    ]


def test_proposals_forwarded_before_statuses_recorded_it_get_their_forwarded_step(
    proposal: Proposal, administration: Administration
) -> None:
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    migration = import_module("statuses.migrations.0004_forwarded_proposals_get_their_status")
    forwarded_at = timezone.now() - timedelta(days=30)
    Proposal.objects.filter(pk=proposal.pk).update(status="forwarded", forwarded_at=forwarded_at)
    untouched = challenge_services.proposal_submit(
        challenge=proposal.challenge, citizen=Citizen.objects.create(), title="Bins", text="More."
    )

    migration.forwarded_statuses(apps, None)
    migration.forwarded_statuses(apps, None)

    [step] = timeline_of(item=proposal)
    assert step.status == "forwarded" and step.created_at == forwarded_at
    assert step.administration == administration and step.forwarded_to == administration
    assert item_status_of(item=proposal).administration == administration  # type: ignore[union-attr]
    assert timeline_of(item=untouched) == []
