"""A Danish or a Swedish workshop and challenge, each with an item to tell people about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from administrations.models import Administration
from challenges import services as challenges
from challenges.models import Challenge, Citizen, Proposal
from ideas.models import Cluster, Idea
from summaries.models import ValueProposition
from tests.factories import UserFactory
from workshops.models import Participant, Workshop
from workshops.phases import Phase

# What people typed, in each language: the English checks leave it out.
TYPED = {
    "da": {
        "administration": "Vej og Park",
        "workshop": "Lektiecafé på biblioteket",
        "item": "Lektiecafé",
        "challenge": "Grønnere gader",
        "proposal": "Lindetræer på Hovedgaden",
        "note": "Vi åbner i marts",
    },
    "sv": {
        "administration": "Gata och park",
        "workshop": "Läxkafé på biblioteket",
        "item": "Läxkafé",
        "challenge": "Grönare gator",
        "proposal": "Lindar på Storgatan",
        "note": "Vi öppnar i mars",
    },
}


@dataclass(frozen=True)
class Seeded:
    member: AbstractBaseUser  # of the administration, owner of the workshop and the challenge
    administration: Administration
    workshop: Workshop  # closed
    participant: Participant  # the author of the workshop's one idea
    proposition: ValueProposition  # on the idea's cluster
    challenge: Challenge  # open, forwarded to the administration at its first support
    citizen: Citizen  # the author of the challenge's one proposal
    proposal: Proposal


@pytest.fixture
def seeded(language: str) -> Seeded:
    """A closed workshop and an open challenge in `language`, run by one administration."""
    typed = TYPED[language]
    member = UserFactory(username=f"member-{language}")
    administration = Administration.objects.create(
        name=typed["administration"], slug=f"adm-{language}", email=f"adm-{language}@example.org"
    )
    administration.members.add(member)
    workshop = Workshop.objects.create(
        owner=member,
        title=typed["workshop"],
        question=typed["workshop"],
        language=language,
        phase=Phase.CLOSED,
    )
    participant = Participant.objects.create(workshop=workshop, display_name="Ea")
    cluster = Cluster.objects.create(workshop=workshop, name=typed["item"])
    Idea.objects.create(
        workshop=workshop, author=participant, text=typed["item"], cluster=cluster, client_key="k"
    )
    proposition = ValueProposition.objects.create(workshop=workshop, cluster=cluster)
    now = timezone.now()
    challenge = challenges.challenge_create(
        user=member,
        title=typed["challenge"],
        question=typed["challenge"],
        language=language,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        threshold_value=1,
        administration=administration,
    )
    citizen = Citizen.objects.create()
    proposal = challenges.proposal_submit(
        challenge=challenge, citizen=citizen, title=typed["proposal"], text=typed["proposal"]
    )
    return Seeded(
        member=member,
        administration=administration,
        workshop=workshop,
        participant=participant,
        proposition=proposition,
        challenge=challenge,
        citizen=citizen,
        proposal=proposal,
    )
