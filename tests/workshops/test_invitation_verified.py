"""A co-facilitator invitation is accepted only by someone who confirmed the invited
address, whatever the sign-up's verification setting (issue 17, 8)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from tests.factories import InvitationFactory, UserFactory
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


def accept(user: object, token: str) -> object:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client.post(reverse("workshops:invitation", kwargs={"token": token}))


def test_an_address_typed_at_sign_up_but_never_confirmed_cannot_accept(
    workshop: Workshop,
) -> None:
    invitation = InvitationFactory(workshop=workshop, email="ally@example.org")
    # Anyone can sign up with someone else's address while verification is optional.
    impostor = UserFactory(username="impostor", email="ally@example.org", verified_email=False)

    response = accept(impostor, invitation.token)

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Confirm your address" in response.content.decode()  # type: ignore[attr-defined]
    assert not workshop.facilitators.filter(pk=impostor.pk).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by is None


def test_once_confirmed_the_same_person_can_accept(workshop: Workshop) -> None:
    invitation = InvitationFactory(workshop=workshop, email="ally@example.org")
    ally = UserFactory(username="ally", email="ally@example.org", verified_email=False)
    EmailAddress.objects.filter(user=ally).update(verified=True)

    response = accept(ally, invitation.token)

    assert response.status_code == 302  # type: ignore[attr-defined]
    assert workshop.facilitators.filter(pk=ally.pk).exists()


def test_a_confirmed_second_address_can_accept(workshop: Workshop) -> None:
    invitation = InvitationFactory(workshop=workshop, email="work@example.org")
    ally = UserFactory(username="ally2", email="home@example.org")
    EmailAddress.objects.create(user=ally, email="work@example.org", verified=True)

    assert accept(ally, invitation.token).status_code == 302  # type: ignore[attr-defined]
    assert workshop.facilitators.filter(pk=ally.pk).exists()
