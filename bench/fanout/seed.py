"""Seed the benchmark's rooms: `python -m bench.fanout.seed --participants N`.

Runs against the database in DATABASE_URL (migrating it first) and prints one JSON
line: the room's code, one session cookie per participant, and a second, empty
room for measuring joins through the real join page. Participants and their
sessions are written in bulk: a thousand HTTP joins would measure joining, which
the join run measures on its own.
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
from django.utils import timezone  # noqa: E402

from bench.fanout.load import PAD  # noqa: E402
from ideas.models import Idea  # noqa: E402
from workshops.actors import PARTICIPANTS_SESSION_KEY, Actor  # noqa: E402
from workshops.models import Participant, Workshop  # noqa: E402
from workshops.phases import Phase, Role  # noqa: E402
from workshops.services import workshop_change_phase, workshop_create  # noqa: E402


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


def seed(participants: int, join_ideas: int = 0) -> dict[str, object]:
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
    return {
        "code": room.join_code,
        "join_code": join_room.join_code,
        "sessions": [session.session_key for session in sessions],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, required=True)
    parser.add_argument("--join-ideas", type=int, default=0, help="ideas on the join room's wall")
    args = parser.parse_args()
    print(json.dumps(seed(args.participants, args.join_ideas)))
