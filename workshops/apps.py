from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Workshops")

    def ready(self) -> None:
        # The room's own commands and events go through the registry like any app's.
        from . import commands, events, registry
        from .actors import actor_watch
        from .serializers import workshop_labels

        registry.add_commands(commands.COMMANDS)
        registry.add_events(events.EVENTS)
        registry.add_shapes(events.SHAPES)
        registry.add_labels(("workshop.updated", "phase.changed", "timer.changed"), workshop_labels)
        actor_watch()
