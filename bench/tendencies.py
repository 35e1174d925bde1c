"""Time the tendencies page over a seeded year: `python -m bench.tendencies`.

Seeds a throwaway SQLite file with a year of workshops and challenges: 10,000 items
(ideas tagged with a theme's tag, clusters and proposals put into themes, a share of
them routed) across 12 themes, then renders the tendencies page (all its queries,
the counting, the charts and the table), its JSON export and the themes page
through Django's test client, five times each, and prints the best and median
seconds beside the target: under 1 s for the tendencies page. Then it times the
worker's routing jobs once each: a suggestion kept for every item (from keywords),
a model trained on the seeded routings (a quarter of the ideas), every suggestion
worked out again from that model, and a run that finds none stale.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

TARGET_SECONDS = 1.0
THEMES = (
    "cykelsti", "skole", "ældre", "bibliotek", "træer", "parkering",
    "svømmehal", "busser", "affald", "legeplads", "boliger", "kultur",
)  # fmt: skip


def _setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def build(items: int, seed: int) -> None:
    """Bulk inserts only: nothing here is being measured."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from administrations.models import Administration
    from challenges.models import Challenge, Citizen, Proposal
    from ideas.models import Cluster, Idea
    from routing.models import Routing
    from tendencies.models import Theme, ThemeLink, ThemeTag
    from workshops.models import Participant, Workshop

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    start = timezone.now() - timedelta(days=365)
    owner = get_user_model().objects.create(
        username="bench", email="bench@example.org", is_staff=True
    )
    administrations = [
        Administration.objects.create(name=f"Administration {i}", slug=f"a{i}") for i in range(6)
    ]
    themes = [Theme.objects.create(name=name.title()) for name in THEMES]
    for theme, name in zip(themes, THEMES, strict=True):
        ThemeTag.objects.create(theme=theme, name=name)
    tags = {name: Tag.objects.create(name=name, slug=name) for name in THEMES}

    def when() -> datetime:
        return start + timedelta(seconds=rng.randrange(365 * 24 * 3600))

    workshops = [
        Workshop.objects.create(
            title=f"Workshop {i}", question="?", owner=owner, join_code=f"B{i:05d}"
        )
        for i in range(50)
    ]
    participants = Participant.objects.bulk_create(
        Participant(workshop=workshops[i % 50], display_name=f"P{i}", key=f"k{i}")
        for i in range(500)
    )
    n_ideas, n_clusters = int(items * 0.8), int(items * 0.1)
    n_proposals = items - n_ideas - n_clusters
    ideas = Idea.objects.bulk_create(
        Idea(
            workshop_id=p.workshop_id,
            author=p,
            text=f"Idea {i} about {rng.choice(THEMES)}",
            client_key=f"c{i}",
            created_at=when(),
        )
        for i in range(n_ideas)
        for p in [participants[i % 500]]
    )
    idea_type = ContentType.objects.get_for_model(Idea)
    TaggedItem.objects.bulk_create(
        TaggedItem(content_type=idea_type, object_id=idea.pk, tag=tags[rng.choice(THEMES)])
        for idea in ideas
    )
    clusters = Cluster.objects.bulk_create(
        Cluster(workshop=rng.choice(workshops), name=f"Cluster {i}", created_at=when())
        for i in range(n_clusters)
    )
    ThemeLink.objects.bulk_create(
        ThemeLink(theme=rng.choice(themes), kind="cluster", object_id=c.pk) for c in clusters
    )
    now = timezone.now()
    challenges = [
        Challenge.objects.create(
            title=f"Challenge {i}",
            question="?",
            opens_at=start,
            closes_at=now + timedelta(days=30),
            threshold_value=100,
            threshold=100,
            administration=administrations[i % 6],
            owner=owner,
        )
        for i in range(10)
    ]
    citizen = Citizen.objects.create()
    proposals = Proposal.objects.bulk_create(
        Proposal(
            challenge=rng.choice(challenges),
            title=f"Proposal {i}",
            text="…",
            author=citizen,
            status=Proposal.Status.OPEN,
            created_at=when(),
        )
        for i in range(n_proposals)
    )
    ThemeLink.objects.bulk_create(
        ThemeLink(theme=rng.choice(themes), kind="proposal", object_id=p.pk) for p in proposals
    )
    Routing.objects.bulk_create(
        Routing(
            kind="idea",
            object_id=idea.pk,
            text=idea.text,
            administration=rng.choice(administrations),
        )
        for idea in ideas[: n_ideas // 4]
    )


PAGES = (
    ("tendencies page", "/tendencies/"),
    ("tendencies.json", "/tendencies.json"),
    # The curation page clusters the latest 1,000 ideas in no theme for its suggestions.
    ("themes page", "/tendencies/themes/"),
)


def measure(rounds: int) -> dict[str, list[float]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    timings: dict[str, list[float]] = {name: [] for name, _url in PAGES}
    for _ in range(rounds):
        for name, url in PAGES:
            began = time.perf_counter()
            response = client.get(url, HTTP_HOST="localhost")
            timings[name].append(time.perf_counter() - began)
            assert response.status_code == 200, response.status_code  # noqa: S101
    return timings


def measure_suggestions() -> dict[str, float]:
    """The worker's routing jobs over every item: suggestions kept, a model trained on the
    seeded routings, every suggestion worked out again from it, then a run finding none stale."""
    from routing.services import routing_model_train, routing_suggestions_refresh

    timings = {}
    for name, job in (
        ("suggestions, from keywords", routing_suggestions_refresh),
        ("model trained and measured", routing_model_train),
        ("suggestions, from the model", routing_suggestions_refresh),
        ("suggestions, none stale", routing_suggestions_refresh),
    ):
        began = time.perf_counter()
        job()
        timings[name] = time.perf_counter() - began
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="samskab-tendencies-") as folder:
        _setup(Path(folder) / "bench.sqlite3")
        began = time.perf_counter()
        build(args.items, args.seed)
        print(f"seeded {args.items} items over a year in {time.perf_counter() - began:.1f} s")
        timings = measure(args.rounds)
        once = measure_suggestions()
    print(f"{'what':<32}{'best s':>8}{'median s':>10}{'target s':>10}")
    for name, values in timings.items():
        target = f"{TARGET_SECONDS:10.1f}" if name == "tendencies page" else f"{'-':>10}"
        print(f"{name:<32}{min(values):8.3f}{statistics.median(values):10.3f}{target}")
    for name, seconds in once.items():
        print(f"{name:<32}{seconds:8.3f}{'(once)':>10}{'-':>10}")


if __name__ == "__main__":
    main()
