"""A Danish workshop with a room full of ideas, for the screenshots and the join benchmark.

    python -m bench.showcase --database /tmp/showcase.sqlite3 [--phase ideate] [--ideas 24]

Migrates the SQLite file, writes the workshop with plain inserts (nothing here is being
measured, and a seed must not wait for rate limits), and prints JSON: the join code,
the share token, and session keys that sign a browser in as the facilitator and as one
citizen who has already joined. Run it with the same settings as the server that will
serve the file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path
from typing import Any

TITLE = "Fremtidens bibliotek i Ærø Kommune"
QUESTION = (
    "Hvad skal der til, for at biblioteket bliver et sted, du har lyst til at bruge en eftermiddag?"
)
CONTEXT = (
    "Kommunalbestyrelsen beslutter til foråret, hvordan hovedbiblioteket skal bygges om. "
    "Jeres idéer bliver en del af arkitekternes oplæg."
)
NAMES = [
    "Ada fra Marstal",
    "Birk",
    "Cecilie",
    "Dorthe K.",
    "Emil",
    "Frida",
    "Gustav",
    "Hanne",
    "Ib",
    "Johanne",
    "Karim",
    "Lærke",
    "Mads",
    "Nour",
]
IDEAS = [
    ("Stille læsesal", "Et stille rum til lektier efter skole, åbent til kl. 21"),
    ("Stille læsesal", "Flere stikkontakter ved bordene"),
    ("Stille læsesal", "Lån en bærbar til eksamensperioden"),
    ("Musik og spil", "Et musiklokale, som de unge selv booker"),
    ("Musik og spil", "Brætspilscafé om fredagen 🎲"),
    ("Musik og spil", "Gaming-aftener med turneringer"),
    ("Åbent hus", "Selvbetjent åbent bibliotek søndag formiddag"),
    ("Åbent hus", "Café med kaffe og boller ☕ i stueetagen"),
    ("Åbent hus", "Legeområde til småbørn, så forældre kan læse i fred"),
    ("Hjælp og værksteder", "Hjælp til MitID og digital post hver tirsdag"),
    ("Hjælp og værksteder", "Værksted med 3D-printer og symaskiner"),
    ("Hjælp og værksteder", "Lektiehjælp fra frivillige gymnasieelever"),
    (None, "Bedre cykelparkering ved indgangen 🚲"),
    (None, "Udstillinger af lokale kunstnere fra øen"),
    (None, "Lydbøger på flere sprog, også arabisk og ukrainsk"),
    (None, "Grønt tag med bænke, hvor man kan læse udenfor 🌱"),
    (None, "Bogbus til landsbyerne hver anden uge"),
    (None, "Længere lånetid i sommerferien"),
    (None, "Et rum til foreninger, der kan bookes gratis"),
    (None, "Fortælletime for børn på dansk og engelsk"),
    (None, "Mødelokaler med skærm til små virksomheder"),
    (None, "Skilte i øjenhøjde for kørestolsbrugere ♿"),
    (None, "Aftenforedrag om øens historie"),
    (None, "Byt-selv-hylde til bøger og frø"),
]


def _setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _session(data: dict[str, Any]) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session.update(data)
    session.create()
    return str(session.session_key)


def seed(*, phase: str, ideas: int, seed: int = 7) -> dict[str, Any]:
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.core.management import call_command

    from ideas.models import Cluster, Idea
    from summaries.models import PropositionField, SummaryShare, ValueProposition
    from voting.models import Ballot, Vote
    from workshops.actors import PARTICIPANTS_SESSION_KEY
    from workshops.models import Participant, Workshop

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    # A database may hold several showcases (a test server's); each has its own facilitator.
    number = Workshop.objects.count() + 1
    owner = get_user_model().objects.create_user(
        username=f"showcase-{number}", email=f"facilitator{number}@showcase.example", password=None
    )
    workshop = Workshop.objects.create(
        title=TITLE, question=QUESTION, context=CONTEXT, language="da", owner=owner, phase=phase
    )
    people = [Participant.objects.create(workshop=workshop, display_name=n) for n in NAMES]
    grouped = phase not in {"lobby", "ideate"}
    clusters: dict[str, Cluster] = {}
    made: list[Idea] = []
    for number in range(ideas):
        theme, text = IDEAS[number % len(IDEAS)]
        if number >= len(IDEAS):
            text = f"{text} ({number // len(IDEAS) + 1})"
        cluster = None
        if grouped and theme is not None:
            if theme not in clusters:
                clusters[theme] = Cluster.objects.create(
                    workshop=workshop, name=theme, position=len(clusters)
                )
            cluster = clusters[theme]
        made.append(
            Idea.objects.create(
                workshop=workshop,
                author=people[number % len(people)],
                text=text,
                client_key=f"showcase-{number}",
                cluster=cluster,
            )
        )
    if phase in {"vote", "results", "propose", "closed"}:
        ballot, _created = Ballot.objects.get_or_create(workshop=workshop)
        for person in people:
            for idea in rng.sample(made, 3):
                Vote.objects.create(ballot=ballot, participant=person, idea=idea, weight=1)
    share = None
    if phase in {"propose", "closed"}:
        for position, cluster in enumerate(list(clusters.values())[:2], start=1):
            proposition = ValueProposition.objects.create(
                workshop=workshop, cluster=cluster, position=position
            )
            PropositionField.objects.bulk_create(
                PropositionField(proposition=proposition, name=name, text=cluster.name, revision=1)
                for name in PropositionField.Name.values
            )
        share = SummaryShare.objects.create(workshop=workshop)
    facilitator = _session(
        {
            SESSION_KEY: str(owner.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: owner.get_session_auth_hash(),
        }
    )
    citizen = _session({PARTICIPANTS_SESSION_KEY: {str(workshop.pk): people[0].key}})
    return {
        "join_code": workshop.join_code,
        "share_token": share.token if share else None,
        "facilitator_session": facilitator,
        "citizen_session": citizen,
        "citizen_name": people[0].display_name,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument(
        "--phase",
        default="ideate",
        choices=["lobby", "ideate", "group", "vote", "results", "propose", "closed"],
    )
    parser.add_argument("--ideas", type=int, default=len(IDEAS))
    options = parser.parse_args()
    _setup(options.database)
    print(json.dumps(seed(phase=options.phase, ideas=options.ideas)))


if __name__ == "__main__":
    main()
