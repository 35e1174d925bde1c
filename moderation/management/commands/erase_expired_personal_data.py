"""Erase names and session links of workshops past their retention period.

Run it daily from cron or a systemd timer (see README, "Production"): one run per
deployment, however many ASGI workers serve the rooms.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from moderation.services import retention_due, workshop_erase_personal_data


class Command(BaseCommand):
    help = "Erase personal data (names, session links) of workshops past their retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List the workshops; erase nothing."
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
