from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    """When a scheduled job was last handed to the worker, so each runs once per interval.

    Several clocks (one per worker process) may run at once; the row is locked while
    one of them decides, so a job is not enqueued twice for the same interval.
    """

    name = models.CharField(max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
