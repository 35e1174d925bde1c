from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusesConfig(AppConfig):
    name = "statuses"
    verbose_name = _("You said, we did")

    def ready(self) -> None:
        # Nothing below this app imports it: the kinds of item it follows, the jobs
        # it runs and its part in erasure are handed over here.
        from workshops import registry

        from . import kinds, signals, tasks

        registry.add_panel(registry.Screen.ROOM, "statuses/room_panel.html")
        kinds.register_workshop_kinds()
        kinds.register_challenge_kinds()
        signals.connect()
        tasks.schedule()
