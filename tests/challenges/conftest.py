from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from administrations.models import Administration
from challenges import services
from challenges.models import Challenge, Citizen, Proposal
from tests.factories import HOSTILE_HTML, UserFactory


@pytest.fixture
def administration(db: None) -> Administration:
    return Administration.objects.create(
        name="Culture and Leisure", slug="culture", email="culture@example.org"
    )


@pytest.fixture
def challenge_owner(db: None) -> AbstractBaseUser:
    return UserFactory(username="challenge-owner")


def make_challenge(
    owner: AbstractBaseUser, administration: Administration, **kwargs: Any
) -> Challenge:
    now = timezone.now()
    options: dict[str, Any] = {
        "title": f"{HOSTILE_HTML}Greener streets",
        "question": "How do we make our streets greener?",
        "context": "Streets are grey.",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=30),
        "threshold_value": 3,
        "administration": administration,
    }
    options.update(kwargs)
    return services.challenge_create(user=owner, **options)


@pytest.fixture
def challenge(challenge_owner: AbstractBaseUser, administration: Administration) -> Challenge:
    return make_challenge(challenge_owner, administration)


@pytest.fixture
def author(db: None) -> Citizen:
    return Citizen.objects.create()


def citizens(n: int) -> list[Citizen]:
    return [Citizen.objects.create() for _ in range(n)]


@pytest.fixture
def proposal(challenge: Challenge, author: Citizen) -> Proposal:
    return services.proposal_submit(
        challenge=challenge,
        citizen=author,
        title=f"{HOSTILE_HTML}Trees on Main Street",
        text="Plant lime trees along Main Street.",
    )
