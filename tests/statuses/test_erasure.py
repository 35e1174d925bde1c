"""A challenge citizen erases their data from the receipt page or from the phone that took part.

The GET only asks; the POST erases; a forged, withdrawn or erased link erases nothing.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse

from administrations.models import Administration
from challenges import services as challenge_services
from challenges.models import ChallengeLog, Citizen, Proposal, Support
from challenges.selectors import SESSION_CITIZEN_KEY
from statuses.models import Receipt, Subscription
from statuses.services import receipt_for_citizen, receipt_revoke, subscription_request
from tests.challenges.conftest import make_challenge
from tests.factories import HOSTILE_HTML, UserFactory
from tests.statuses.conftest import Closed
from tests.statuses.test_consumer import TIMEOUT, open_receipt


@pytest.fixture
def proposal(db: None) -> Proposal:
    administration = Administration.objects.create(name="Roads", slug="roads")
    challenge = make_challenge(UserFactory(username="challenge-owner"), administration)
    return challenge_services.proposal_submit(
        challenge=challenge,
        citizen=Citizen.objects.create(),
        title=f"{HOSTILE_HTML}Trees on Main Street",
        text="Plant lime trees along Main Street.",
        author_name="Ada Author",
    )


def phone_of(citizen: Citizen) -> Client:
    client = Client()
    session = client.session
    session[SESSION_CITIZEN_KEY] = citizen.key
    session.save()
    return client


def supporter_with_address(proposal: Proposal) -> tuple[Citizen, Receipt]:
    citizen = Citizen.objects.create()
    challenge_services.support_give(proposal_id=proposal.pk, citizen=citizen)
    receipt = receipt_for_citizen(citizen=citizen)
    subscription_request(receipt=receipt, email="supporter@example.org")
    return citizen, receipt


def untouched(proposal: Proposal, citizen: Citizen, receipt: Receipt) -> None:
    assert Citizen.objects.filter(pk=citizen.pk, key=citizen.key).exists()
    assert Receipt.objects.filter(pk=receipt.pk, revoked_at=None).exists()
    assert Subscription.objects.filter(receipt=receipt).exists()
    assert Support.objects.filter(proposal=proposal, citizen=citizen).exists()
    assert not ChallengeLog.objects.filter(kind=ChallengeLog.Kind.ERASE).exists()


@pytest.mark.django_db
def test_the_receipt_offers_erasure_and_its_get_changes_nothing(proposal: Proposal) -> None:
    citizen, receipt = supporter_with_address(proposal)
    phone = phone_of(citizen)
    page = phone.get(reverse("statuses:receipt", kwargs={"token": receipt.token})).content.decode()
    erase_url = reverse("statuses:receipt_erase", kwargs={"token": receipt.token})
    assert f'href="{erase_url}"' in page
    confirm = phone.get(erase_url)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert f'<form method="post" action="{erase_url}"' in text
    assert "Yes, erase my data" in text and receipt.token in text  # forgotten on the phone too
    untouched(proposal, citizen, receipt)


@pytest.mark.django_db
def test_erasing_from_the_receipt_leaves_the_count_and_nothing_personal(
    proposal: Proposal,
) -> None:
    citizen, receipt = supporter_with_address(proposal)
    phone = phone_of(citizen)
    erase_url = reverse("statuses:receipt_erase", kwargs={"token": receipt.token})
    response = phone.post(erase_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("challenges:list")
    assert "Your data is erased." in response.content.decode()
    assert SESSION_CITIZEN_KEY not in phone.session
    # The link answers with the product's page, saying so; no personal data behind it.
    gone = phone.get(reverse("statuses:receipt", kwargs={"token": receipt.token}))
    assert gone.status_code == 404
    assert "it was withdrawn or erased" in gone.content.decode()
    assert not Subscription.objects.filter(email="supporter@example.org").exists()
    proposal.refresh_from_db()
    assert proposal.support_count == 1
    assert Support.objects.filter(proposal=proposal, citizen=None).count() == 1
    # Replayed, the erasure finds nothing and changes nothing.
    lines = ChallengeLog.objects.count()
    assert phone.post(erase_url).status_code == 404
    assert phone.get(erase_url).status_code == 404
    assert ChallengeLog.objects.count() == lines
    # The proposal page no longer knows this phone.
    page = phone.get(proposal.get_absolute_url()).content.decode()
    assert "data-receipt-token" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["a" * 43, "short", "x" * 65])
def test_a_forged_receipt_link_erases_nothing(proposal: Proposal, token: str) -> None:
    citizen, receipt = supporter_with_address(proposal)
    phone = phone_of(citizen)
    assert phone.post(f"/r/{token}/erase/").status_code == 404
    assert phone.get(f"/r/{token}/erase/").status_code == 404
    untouched(proposal, citizen, receipt)
    assert phone.session[SESSION_CITIZEN_KEY] == citizen.key


@pytest.mark.django_db
def test_a_withdrawn_receipt_link_erases_nothing(proposal: Proposal) -> None:
    citizen, receipt = supporter_with_address(proposal)
    fresh = receipt_revoke(receipt=receipt)
    assert fresh is not None
    phone = phone_of(citizen)
    erase_url = reverse("statuses:receipt_erase", kwargs={"token": receipt.token})
    assert phone.post(erase_url).status_code == 404
    assert Citizen.objects.filter(pk=citizen.pk).exists()
    assert Receipt.objects.filter(pk=fresh.pk, revoked_at=None).exists()
    assert Support.objects.filter(proposal=proposal, citizen=citizen).exists()


@pytest.mark.django_db
def test_the_receipt_link_erases_from_another_phone_and_leaves_that_phones_own(
    proposal: Proposal,
) -> None:
    citizen, receipt = supporter_with_address(proposal)
    other = Citizen.objects.create()
    laptop = phone_of(other)
    laptop.post(reverse("statuses:receipt_erase", kwargs={"token": receipt.token}))
    assert not Citizen.objects.filter(pk=citizen.pk).exists()
    assert laptop.session[SESSION_CITIZEN_KEY] == other.key
    assert Citizen.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_a_workshop_receipt_points_to_the_room_for_erasure(closed: Closed) -> None:
    receipt = closed.receipts["author"]
    page = Client().get(reverse("statuses:receipt", kwargs={"token": receipt.token}))
    assert "Erase my data" not in page.content.decode()
    response = Client().post(reverse("statuses:receipt_erase", kwargs={"token": receipt.token}))
    assert response.status_code == 404
    assert "Erase your data there" in response.content.decode()
    assert Receipt.objects.filter(pk=receipt.pk).exists()


@pytest.mark.django_db
def test_the_phone_that_took_part_erases_from_the_challenges(proposal: Proposal) -> None:
    citizen, receipt = supporter_with_address(proposal)
    phone = phone_of(citizen)
    page = phone.get(proposal.get_absolute_url()).content.decode()
    erase_url = reverse("statuses:erase_from_challenges")
    assert f'href="{erase_url}"' in page
    confirm = phone.get(erase_url).content.decode()
    assert "Yes, erase my data" in confirm
    untouched(proposal, citizen, receipt)
    response = phone.post(erase_url, follow=True)
    assert "Your data is erased." in response.content.decode()
    assert not Citizen.objects.filter(pk=citizen.pk).exists()
    assert not Receipt.objects.filter(pk=receipt.pk).exists()
    proposal.refresh_from_db()
    assert proposal.support_count == 1
    # Now there is nothing left to erase, and the page says so.
    again = phone.get(erase_url).content.decode()
    assert "nothing of yours to erase here" in again and "Yes, erase my data" not in again


@pytest.mark.django_db
def test_a_phone_that_took_no_part_erases_nothing(proposal: Proposal) -> None:
    before = (Citizen.objects.count(), ChallengeLog.objects.count())
    phone = Client()
    assert "nothing of yours to erase here" in phone.get("/c/erase/").content.decode()
    response = phone.post("/c/erase/", follow=True)
    assert "There is nothing of yours to erase." in response.content.decode()
    # A session naming an erased or made-up citizen is the same.
    forged = phone_of(Citizen(key="forged-key"))
    forged.post("/c/erase/")
    assert (Citizen.objects.count(), ChallengeLog.objects.count()) == before
    assert Proposal.objects.get(pk=proposal.pk).author_name == "Ada Author"


@pytest.mark.django_db
def test_erasing_needs_the_sites_csrf_token(proposal: Proposal) -> None:
    citizen, receipt = supporter_with_address(proposal)
    phone = Client(enforce_csrf_checks=True)
    session = phone.session
    session[SESSION_CITIZEN_KEY] = citizen.key
    session.save()
    response = phone.post(reverse("statuses:receipt_erase", kwargs={"token": receipt.token}))
    assert response.status_code == 403
    untouched(proposal, citizen, receipt)


@pytest.mark.django_db(transaction=True)
async def test_an_open_receipt_page_hears_its_link_is_gone(proposal: Proposal) -> None:
    citizen, receipt = await database_sync_to_async(supporter_with_address)(proposal)
    page = await open_receipt(receipt.token)
    assert (await page.receive_json_from(timeout=TIMEOUT))["type"] == "hello"
    await database_sync_to_async(challenge_services.citizen_erase)(citizen_key=citizen.key)
    assert (await page.receive_json_from(timeout=TIMEOUT))["type"] == "receipt.revoked"
    assert (await page.receive_output(timeout=TIMEOUT))["type"] == "websocket.close"
    again = await open_receipt(receipt.token)
    assert (await again.receive_json_from(timeout=TIMEOUT))["code"] == "not_found"
