"""Hand the worker every scheduled job whose time has come.

For deployments that run the worker as `manage.py db_worker` and keep time with
cron or a systemd timer (once a minute); `manage.py run_worker` does this itself.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jobs.schedule import due_jobs_enqueue


class Command(BaseCommand):
    help = "Enqueue the scheduled jobs that are due (run once a minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in due_jobs_enqueue():
            self.stdout.write(f"enqueued {name}")
