from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from . import tasks
        from .schedule import schedule_register

        schedule_register(tasks.expired_sessions_clear, every=timedelta(hours=1))
