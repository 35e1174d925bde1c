"""The background worker with its own clock: runs queued tasks and scheduled jobs.

`make run` starts one beside the web server. In production run it as its own
service (one or more); it never runs inside the ASGI server, so a long job cannot
hold up a room.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from jobs.schedule import due_jobs_enqueue


class Command(BaseCommand):
    help = "Run queued background tasks and, every --clock seconds, the scheduled jobs due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at the queue."
        )
        parser.add_argument(
            "--clock", type=float, default=30.0, help="Seconds between looks at the schedule."
        )
        parser.add_argument(
            "--no-clock", action="store_true", help="Leave the schedule to another process."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.running = True
        self.worker: Worker | None = None
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        worker_id = get_random_string(32)
        next_clock = 0.0
        while self.running:
            if not options["no_clock"] and time.monotonic() >= next_clock:
                close_old_connections()
                for name in due_jobs_enqueue():
                    self.stdout.write(f"enqueued {name}")
                next_clock = time.monotonic() + options["clock"]
            # One pass over what is queued now; between passes the clock gets its turn.
            self.worker = Worker(
                queue_names=["*"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            )
            self.worker.run()
            if self.running:
                time.sleep(options["interval"])

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        # Finish the task in hand, then leave: tasks are idempotent, but a clean stop
        # leaves nothing marked as running.
        self.running = False
        if self.worker is not None:
            self.worker.running = False
