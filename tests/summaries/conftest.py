"""A workshop that has reached value propositions: clusters, ideas, votes, consent to be named."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from ideas.models import Cluster, Idea
from summaries.models import NameConsent
from tests.factories import HOSTILE_FORMULA, HOSTILE_HTML, IdeaFactory, ParticipantFactory
from voting.models import Ballot, Vote
from workshops.models import Participant, Workshop
from workshops.phases import Phase


@dataclass
class Room:
    workshop: Workshop
    people: list[Participant]
    clusters: dict[str, Cluster] = field(default_factory=dict)
    ideas: dict[str, Idea] = field(default_factory=dict)


def vote(room: Room, person: int, target: Idea | Cluster, weight: int = 1) -> None:
    ballot, _ = Ballot.objects.get_or_create(workshop=room.workshop)
    key = "idea" if isinstance(target, Idea) else "cluster"
    Vote.objects.create(
        ballot=ballot, participant=room.people[person], weight=weight, **{key: target}
    )


@pytest.fixture
def room(workshop: Workshop) -> Room:
    """Five people; two clusters and a loose idea; dot votes on ideas.

    Wifi (2 ideas): 4 dots from 3 people. Hours (1 idea + a duplicate merged in): 5 dots
    from 2 people. Loose idea: 1 dot. One idea held and one hidden by moderation.
    """
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.PROPOSE)
    workshop.refresh_from_db()
    people = [
        ParticipantFactory(workshop=workshop, display_name=f"Person {n} {HOSTILE_HTML}")
        for n in range(5)
    ]
    NameConsent.objects.create(participant=people[0])
    room = Room(workshop=workshop, people=people)
    room.clusters["wifi"] = Cluster.objects.create(
        workshop=workshop, name="Faster wifi", position=0
    )
    room.clusters["hours"] = Cluster.objects.create(
        workshop=workshop, name="Longer hours", position=1
    )
    room.clusters["music"] = Cluster.objects.create(
        workshop=workshop, name="Music room", position=2
    )

    def idea(key: str, author: int, text: str, **extra: object) -> Idea:
        made = IdeaFactory(workshop=workshop, author=people[author], text=text, **extra)
        room.ideas[key] = made
        return made

    idea("wifi1", 0, "Wifi in the reading room", cluster=room.clusters["wifi"])
    idea("wifi2", 1, f"{HOSTILE_FORMULA} routers", cluster=room.clusters["wifi"])
    idea("hours", 2, "Open until 22 on Fridays", cluster=room.clusters["hours"])
    idea(
        "hours_dup",
        3,
        "Open late on Fridays please",
        status=Idea.Status.MERGED,
        merged_into=room.ideas["hours"],
    )
    idea("music", 4, "A band room", cluster=room.clusters["music"])
    idea("loose", 1, "Free coffee")
    idea("held", 2, "Held words secret", status=Idea.Status.HELD)
    idea("hidden", 3, "Hidden words secret", status=Idea.Status.HIDDEN)
    idea("withdrawn", 4, "Withdrawn words", status=Idea.Status.WITHDRAWN)

    vote(room, 0, room.ideas["wifi1"], 2)
    vote(room, 1, room.ideas["wifi1"], 1)
    vote(room, 2, room.ideas["wifi2"], 1)
    vote(room, 2, room.ideas["hours"], 2)
    vote(room, 3, room.ideas["hours_dup"], 3)
    vote(room, 4, room.ideas["loose"], 1)
    return room
