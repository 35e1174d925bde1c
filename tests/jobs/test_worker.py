"""The worker `make run` starts erases expired personal data by itself, in its own process."""

from __future__ import annotations

from pathlib import Path

from tests.servers import manage, project_env, worker_until

SEED = """
from datetime import timedelta
from django.utils import timezone
from tests.factories import ParticipantFactory, WorkshopFactory
from workshops.models import Workshop
old = WorkshopFactory(title="Old")
Workshop.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
ParticipantFactory(workshop=old, display_name="Kind Heron")
new = WorkshopFactory(title="New")
ParticipantFactory(workshop=new, display_name="Quick Owl")
"""

NAMES = """
from workshops.models import Participant
print(sorted(Participant.objects.values_list("display_name", flat=True)))
"""


def test_the_worker_runs_the_retention_job_on_its_clock(tmp_path: Path) -> None:
    env = project_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SEED)
    names, output = worker_until(env, NAMES, "['', 'Quick Owl']")
    assert names == "['', 'Quick Owl']"
    assert "enqueued moderation.tasks.personal_data_expired_erase" in output
