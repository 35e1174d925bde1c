"""The worker's pass over the queue, run in the test's own process and transaction."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult


def worker_pass(prefix: str = "routing.") -> int:
    """Run every queued task whose path starts with `prefix`, as the worker would; how many."""
    ran = 0
    for queued in DBTaskResult.objects.ready().filter(task_path__startswith=prefix):
        result = queued.task_result
        queued.set_successful(queued.task.call(*result.args, **result.kwargs))
        ran += 1
    return ran
