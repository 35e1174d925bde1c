"""Erase personal data past its retention period: workshops, and what other apps register.

Run it daily from cron or a systemd timer (see README, "Production"): one run per
deployment, however many ASGI workers serve the rooms.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from moderation.retention import SWEEPS
from moderation.services import retention_due, workshop_erase_personal_data


class Command(BaseCommand):
    help = (
        "Erase personal data (names, session links, receipts, e-mail addresses) of workshops "
        "and challenges past their retention period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be erased; erase nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        due = retention_due()
        for workshop in due:
            if options["dry_run"]:
                self.stdout.write(f"would erase {workshop.join_code}")
                continue
            count = workshop_erase_personal_data(workshop=workshop)
            self.stdout.write(f"erased {count} participants of {workshop.join_code}")
        self.stdout.write(f"{len(due)} workshop(s) past their retention period")
        for sweep in SWEEPS.values():
            found = sweep.due()
            for thing in found:
                name = f"{sweep.noun} {sweep.name_of(thing)}"
                if options["dry_run"]:
                    self.stdout.write(f"would erase {name}")
                    continue
                self.stdout.write(f"erased {sweep.erase(thing)} {sweep.people} of {name}")
            self.stdout.write(f"{len(found)} {sweep.noun}(s) past their retention period")
