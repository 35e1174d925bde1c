from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from jobs.schedule import schedule_register

        from . import tasks

        # Hourly: a workshop's data goes within the hour its retention ends, and a run
        # that finds nothing due costs one query.
        schedule_register(tasks.personal_data_expired_erase, every=timedelta(hours=1))
