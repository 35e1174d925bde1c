"""Time and memory of a large workshop's summary exports: `python -m bench.summaries`.

Builds a workshop of 10,000 ideas (in 200 clusters, 12 of them carried forward as value
propositions) and 100,000 dot votes in a throwaway SQLite file, then exports every
format in a fresh process each, pinned to one core, and prints a table: format,
seconds, peak memory of that process (MB). Targets: PDF under 10 s, every other
format under 3 s, each under 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ("pdf", "docx", "md", "json", "ideas.csv", "clusters.csv", "votes.csv", "html")
LIMITS = {"pdf": 10.0}
DEFAULT_LIMIT = 3.0
MEMORY_LIMIT_MB = 300


def _setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def build(ideas: int, votes: int, seed: int) -> None:
    """Make the workshop with bulk inserts (no services: nothing here is being measured)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from ideas.models import Cluster, Idea
    from summaries.models import PropositionField, ValueProposition
    from voting.models import Ballot, Vote
    from workshops.models import Participant, Workshop
    from workshops.phases import Phase

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    owner = get_user_model().objects.create(username="bench", email="bench@example.org")
    workshop = Workshop.objects.create(
        title="Library for teenagers",
        question="How can the library serve teenagers after school?",
        context="The main library has an empty floor from March.",
        owner=owner,
        phase=Phase.PROPOSE,
    )
    voters = 2_000
    per_voter = votes // voters
    Participant.objects.bulk_create(
        Participant(workshop=workshop, display_name=f"Otter {n}") for n in range(voters)
    )
    people = list(Participant.objects.filter(workshop=workshop).values_list("pk", flat=True))
    Cluster.objects.bulk_create(
        Cluster(workshop=workshop, name=f"Theme {n}", position=n) for n in range(200)
    )
    clusters = list(Cluster.objects.filter(workshop=workshop).values_list("pk", flat=True))
    words = ["open", "late", "quiet", "rooms", "music", "homework", "café", "games", "wifi"]
    Idea.objects.bulk_create(
        (
            Idea(
                workshop=workshop,
                author_id=rng.choice(people),
                text=" ".join(rng.choices(words, k=12)).capitalize(),
                client_key=f"bench-{n}",
                cluster_id=clusters[n % len(clusters)] if n % 10 else None,
                status=Idea.Status.HELD if n % 97 == 0 else Idea.Status.PUBLISHED,
            )
            for n in range(ideas)
        ),
        batch_size=2_000,
    )
    idea_ids = list(Idea.objects.filter(workshop=workshop).values_list("pk", flat=True))
    ballot = Ballot.objects.create(workshop=workshop, dots_per_participant=per_voter)
    batch = []
    for person in people:
        for idea_id in rng.sample(idea_ids, per_voter):
            batch.append(Vote(ballot=ballot, participant_id=person, idea_id=idea_id, weight=1))
    Vote.objects.bulk_create(batch, batch_size=5_000)
    for position, cluster_id in enumerate(clusters[:12], start=1):
        proposition = ValueProposition.objects.create(
            workshop=workshop, cluster_id=cluster_id, position=position
        )
        PropositionField.objects.bulk_create(
            PropositionField(proposition=proposition, name=name, text=f"{name} " * 20, revision=1)
            for name in PropositionField.Name.values
        )


def _peak_mb() -> float:
    """This process's own high-water mark of resident memory.

    Read from /proc rather than getrusage, whose figure survives exec and so would
    report the parent that built the data.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_one(name: str) -> dict[str, float]:
    """Export one format in this process; returns seconds and this process's peak MB."""
    from summaries import exports
    from summaries.summary import summary_build
    from summaries.views import FORMATS as VIEW_FORMATS
    from summaries.views import RENDERERS
    from workshops.models import Workshop

    workshop = Workshop.objects.get()
    started = time.perf_counter()
    if name == "html":
        body: bytes | str = exports.summary_html(summary_build(workshop=workshop))
    else:
        summary = summary_build(workshop=workshop, with_raw=VIEW_FORMATS[name][2])
        body = RENDERERS[name](summary)
    seconds = time.perf_counter() - started
    peak_mb = _peak_mb()
    return {"seconds": seconds, "peak_mb": peak_mb, "bytes": len(body)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=10_000)
    parser.add_argument("--votes", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--one", choices=FORMATS, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        # One core, as the requirement says.
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        _setup(Path(args.database))
        print(json.dumps(export_one(args.one)))
        return 0

    with tempfile.TemporaryDirectory(prefix="samskab-bench-") as folder:
        database = Path(folder) / "bench.sqlite3"
        _setup(database)
        started = time.perf_counter()
        build(args.ideas, args.votes, args.seed)
        print(
            f"workshop of {args.ideas:,} ideas and {args.votes:,} votes built in "
            f"{time.perf_counter() - started:.1f} s"
        )
        print(f"{'format':<14}{'seconds':>9}{'peak MB':>10}{'size KB':>10}  target")
        failed = False
        for name in FORMATS:
            result = subprocess.run(  # noqa: S603 - our own module, fixed arguments
                [
                    sys.executable,
                    "-m",
                    "bench.summaries",
                    "--one",
                    name,
                    "--database",
                    f"{database}",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            limit = LIMITS.get(name, DEFAULT_LIMIT)
            ok = figures["seconds"] < limit and figures["peak_mb"] < MEMORY_LIMIT_MB
            failed |= not ok
            print(
                f"{name:<14}{figures['seconds']:>9.2f}{figures['peak_mb']:>10.0f}"
                f"{figures['bytes'] / 1024:>10.0f}  < {limit:.0f} s, < {MEMORY_LIMIT_MB} MB"
                f"{'' if ok else '  MISSED'}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
