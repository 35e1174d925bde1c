"""Scheduled jobs: each is handed to the worker once per interval, however many clocks run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.schedule import SCHEDULE, due_jobs_enqueue

pytestmark = pytest.mark.django_db

RETENTION = "moderation.tasks.personal_data_expired_erase"


def queued(name: str) -> int:
    return DBTaskResult.objects.filter(task_path=name).count()


def test_the_retention_job_is_on_the_schedule() -> None:
    assert RETENTION in SCHEDULE
    assert SCHEDULE[RETENTION].every == timedelta(hours=1)


def test_a_due_job_is_enqueued_once_per_interval() -> None:
    now = timezone.now()
    assert RETENTION in due_jobs_enqueue(now=now)
    assert queued(RETENTION) == 1
    # A second clock looking at the same moment, or a minute later, enqueues nothing.
    assert RETENTION not in due_jobs_enqueue(now=now)
    assert RETENTION not in due_jobs_enqueue(now=now + timedelta(minutes=59))
    assert queued(RETENTION) == 1
    assert RETENTION in due_jobs_enqueue(now=now + timedelta(hours=1))
    assert queued(RETENTION) == 2
