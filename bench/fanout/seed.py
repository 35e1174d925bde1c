"""Seed the benchmark's rooms: `python -m bench.fanout.seed --participants N [--votes V]`.

Runs against the database in DATABASE_URL (migrating it first) and prints one JSON
line: the room's code, one session cookie per participant, and a second, empty
room for measuring joins through the real join page. Participants and their
sessions are written in bulk: a thousand HTTP joins would measure joining, which
the join run measures on its own.

With `--votes V` (votes per participant, 0 for none) it also seeds a third room in
the vote phase: N participants of its own with their sessions, a few published
ideas, and a ballot with live tallies: dots with a budget of V, or with
`--vote-rule approval` approval, or with `--vote-rule ranking` a ranking of V
places. Its code, sessions and idea ids go in the same JSON line (`vote_code`,
`vote_sessions`, `vote_ideas`).

`python -m bench.fanout.seed --count-votes CODE` reads back what a room's votes add
up to, for checking after a run that every vote was counted once.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.fanout.load import PAD  # noqa: E402
from ideas.models import Idea  # noqa: E402
from ideas.services import idea_post  # noqa: E402
from voting.models import Ballot, Vote  # noqa: E402
from voting.services import ballot_configure  # noqa: E402
from workshops.actors import PARTICIPANTS_SESSION_KEY, Actor  # noqa: E402
from workshops.models import Participant, Workshop  # noqa: E402
from workshops.phases import Phase, Role  # noqa: E402
from workshops.services import workshop_change_phase, workshop_create  # noqa: E402

# Enough ideas that votes spread over the wall, few enough that every one gets votes.
VOTE_IDEAS = 15
IDEA_TEXTS = [
    "Longer opening hours on Thursdays",
    "A quiet corner for homework",
    "A café run by the youth club",
    "Board games to borrow for an evening",
    "Reading hour for toddlers on Saturdays",
    "More comfortable chairs by the windows",
    "A repair café once a month",
    "Help with forms and computers for older people",
    "Audiobooks for the commute",
    "A small stage for local music",
    "Plants and daylight in the reading room",
    "Language cafés for newcomers",
    "Lockers for bags and laptops",
    "A maker space with a 3D printer",
    "Exhibitions by local schools",
]


def _room(owner: object, title: str) -> Workshop:
    workshop = workshop_create(
        owner=owner,
        title=title,
        question="What would make the town library a place you want to spend an afternoon?",
        context="",
        language="en",
    )
    actor = Actor(role=Role.FACILITATOR, workshop=workshop, user=owner)
    return workshop_change_phase(actor=actor, phase=Phase.IDEATE)


def _sessions(room: Workshop, people: list[Participant]) -> list[str]:
    """One session per participant, as the join page would have left in the phone."""
    expires = timezone.now() + timedelta(days=1)
    store = SessionStore()
    sessions = [
        Session(
            session_key=secrets.token_hex(16),
            session_data=store.encode({PARTICIPANTS_SESSION_KEY: {str(room.pk): person.key}}),
            expire_date=expires,
        )
        for person in people
    ]
    Session.objects.bulk_create(sessions, batch_size=500)
    return [session.session_key for session in sessions]


def _voting_room(
    owner: object, participants: int, dots: int, rule: str = Ballot.Method.DOTS
) -> dict[str, object]:
    """A room in the vote phase: ideas on the wall, live tallies, and a ballot by `rule`.

    `dots` is each person's budget: their dots, or the places of a ranking.
    """
    room = _room(owner, "Benchmark votes")
    people = Participant.objects.bulk_create(
        Participant(workshop=room, display_name=f"Voter {index}") for index in range(participants)
    )
    ideas = []
    for index in range(VOTE_IDEAS):
        # Posted by the room's own people, through the same service a phone's post takes.
        author = Actor(role=Role.CITIZEN, workshop=room, participant=people[index % len(people)])
        idea, _created = idea_post(
            actor=author, text=IDEA_TEXTS[index % len(IDEA_TEXTS)], client_key=f"bench-idea-{index}"
        )
        ideas.append(idea.pk)
    facilitator = Actor(role=Role.FACILITATOR, workshop=room, user=owner)
    # Every dot may go on one idea, so the load decides how the dots spread.
    ballot_configure(
        actor=facilitator,
        method=rule,
        target=Ballot.Target.IDEAS,
        dots_per_participant=dots,
        max_dots_per_item=dots,
        rank_count=dots if rule == Ballot.Method.RANKING else 3,
        show_live=True,
    )
    room = workshop_change_phase(actor=facilitator, phase=Phase.VOTE)
    return {
        "vote_code": room.join_code,
        "vote_sessions": _sessions(room, people),
        "vote_ideas": ideas,
        "vote_dots": dots,
    }


def count_votes(code: str) -> dict[str, object]:
    """What the room's votes add up to in the database: dots, rows, voters, dots per idea."""
    votes = Vote.objects.filter(ballot__workshop__join_code=code)
    totals = votes.aggregate(dots=Sum("weight"), rows=Count("id"))
    by_idea = dict(
        votes.filter(idea__isnull=False)
        .values("idea_id")
        .annotate(total=Sum("weight"))
        .values_list("idea_id", "total")
    )
    return {
        "dots": totals["dots"] or 0,
        "rows": totals["rows"],
        "voters": votes.values("participant").distinct().count(),
        "by_idea": {str(idea): total for idea, total in by_idea.items()},
    }


def seed(
    participants: int,
    votes: int = 0,
    join_ideas: int = 0,
    vote_budget: int = 0,
    vote_rule: str = Ballot.Method.DOTS,
) -> dict[str, object]:
    call_command("migrate", "--no-input", verbosity=0)
    owner = get_user_model().objects.create_user(
        username=f"bench-{secrets.token_hex(4)}", email="bench@samskab.local"
    )
    room = _room(owner, "Benchmark room")
    join_room = _room(owner, "Benchmark joins")
    if join_ideas:
        # A room already collecting ideas: every join reads the wall it holds.
        early = Participant.objects.create(workshop=join_room, display_name="Early bird")
        Idea.objects.bulk_create(
            Idea(workshop=join_room, author=early, text=f"Idea {n}: {PAD}", client_key=f"seed-{n}")
            for n in range(join_ideas)
        )
    people = Participant.objects.bulk_create(
        Participant(workshop=room, display_name=f"Citizen {index}") for index in range(participants)
    )
    facts: dict[str, object] = {
        "code": room.join_code,
        "join_code": join_room.join_code,
        "sessions": _sessions(room, people),
    }
    if votes:
        facts.update(_voting_room(owner, participants, vote_budget or votes, vote_rule))
    return facts


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=0)
    parser.add_argument("--votes", type=int, default=0, help="votes each; 0: no vote room")
    parser.add_argument("--join-ideas", type=int, default=0, help="ideas on the join room's wall")
    parser.add_argument(
        "--vote-budget",
        type=int,
        default=0,
        help="dots or places each may fill (default: --votes)",
    )
    parser.add_argument("--vote-rule", choices=Ballot.Method.values, default=Ballot.Method.DOTS)
    parser.add_argument("--count-votes", default="", metavar="CODE", help="a room's vote totals")
    args = parser.parse_args()
    if args.count_votes:
        print(json.dumps(count_votes(args.count_votes)))
    elif args.participants < 1:
        parser.error("--participants must be at least 1")
    else:
        facts = seed(
            args.participants, args.votes, args.join_ideas, args.vote_budget, args.vote_rule
        )
        print(json.dumps(facts))
