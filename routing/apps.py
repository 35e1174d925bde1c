from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from jobs.schedule import schedule_register
        from workshops import registry
        from workshops.registry import Screen

        from . import signals, tasks

        # In the console's Summary tool: routing is what happens once the room is done.
        registry.add_panel(Screen.CONSOLE, "routing/console_panel.html", order=80, tool="summary")

        # Hourly: a day's confirmations reach the model the same day, and a run that
        # finds the history unchanged costs one query.
        schedule_register(tasks.routing_model_retrain, every=timedelta(hours=1))
        signals.connect()
