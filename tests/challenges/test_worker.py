"""The background worker forwards a proposal that reached its threshold and expires the rest."""

from __future__ import annotations

from pathlib import Path

from tests.servers import manage, project_env, worker_until

SEED = """
from datetime import timedelta
from django.utils import timezone
from administrations.models import Administration
from challenges import services
from challenges.models import Challenge, Citizen
from tests.factories import UserFactory
owner = UserFactory(username="owner")
administration = Administration.objects.create(
    name="Roads", slug="roads", email="roads@example.org"
)
now = timezone.now()
challenge = services.challenge_create(
    user=owner, title="Safer roads", question="How?", opens_at=now - timedelta(days=2),
    closes_at=now + timedelta(days=2), threshold_value=2, administration=administration,
)
reached = services.proposal_submit(challenge=challenge, citizen=Citizen.objects.create(),
                                   title="Crossings", text="More zebra crossings.")
services.proposal_submit(challenge=challenge, citizen=Citizen.objects.create(),
                         title="Lights", text="Brighter street lights.")
for _n in range(2):
    services.support_give(proposal_id=reached.pk, citizen=Citizen.objects.create())
# The period ends: what is below the threshold expires at the next run.
Challenge.objects.filter(pk=challenge.pk).update(closes_at=timezone.now())
"""

STATUSES = """
from challenges.models import ChallengeLog, Proposal
print(sorted(Proposal.objects.values_list("title", "status")),
      sorted(ChallengeLog.objects.values_list("kind", flat=True)))
"""
DONE = (
    "[('Crossings', 'forwarded'), ('Lights', 'expired')] "
    "['expire', 'forward', 'milestone', 'milestone', 'milestone', "
    "'publish', 'publish', 'threshold']"
)


def test_the_worker_forwards_and_expires_on_its_clock(tmp_path: Path) -> None:
    env = project_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SEED)
    seen, output = worker_until(env, STATUSES, DONE)
    assert seen == DONE
    assert "enqueued challenges.tasks.challenges_transitions_run" in output
    # The administration heard of it (the console mail backend prints to the worker's output).
    assert "roads@example.org" in output and "Crossings" in output
    # Run again: nothing more happens, and nothing is logged twice.
    run_again = "from challenges.tasks import challenges_transitions_run as job; job.call()"
    manage(env, "shell", "-c", run_again)
    assert manage(env, "shell", "-c", STATUSES).strip().splitlines()[-1] == DONE
