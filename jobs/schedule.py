"""Jobs that run by the clock: each app registers its own from AppConfig.ready().

A scheduled job is a task of Django's tasks framework (the django-tasks backport)
with an interval. The clock (`manage.py run_worker`, or `manage.py
enqueue_scheduled_jobs` from cron) enqueues every job whose interval has passed;
the worker runs it. Jobs must be idempotent: a job enqueued twice, or retried after
a crash, changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ScheduledRun


@dataclass(frozen=True)
class ScheduledJob:
    task: Any  # a django_tasks Task taking no arguments
    every: timedelta

    @property
    def name(self) -> str:
        return str(self.task.module_path)


SCHEDULE: dict[str, ScheduledJob] = {}


def schedule_register(task: Any, *, every: timedelta) -> None:
    """Run `task` (no arguments) once every `every`; registering twice keeps one."""
    job = ScheduledJob(task=task, every=every)
    SCHEDULE[job.name] = job


def due_jobs_enqueue(*, now: datetime | None = None) -> list[str]:
    """Enqueue every job whose interval has passed; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in SCHEDULE.values():
        if _claim(job, now):
            job.task.enqueue()
            enqueued.append(job.name)
    return enqueued


def _claim(job: ScheduledJob, now: datetime) -> bool:
    with transaction.atomic():
        run = ScheduledRun.objects.select_for_update().filter(name=job.name).first()
        if run is None:
            try:
                with transaction.atomic():
                    ScheduledRun.objects.create(name=job.name, last_enqueued_at=now)
            except IntegrityError:
                # Another clock created it a moment ago: that one enqueues this time.
                return False
            return True
        if run.last_enqueued_at + job.every > now:
            return False
        run.last_enqueued_at = now
        run.save(update_fields=["last_enqueued_at"])
        return True
