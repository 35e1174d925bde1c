from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from ideas import screening
        from jobs.schedule import schedule_register
        from workshops import registry
        from workshops.registry import Screen

        from . import commands, events, selectors, services, tasks

        registry.add_commands(commands.COMMANDS)
        registry.add_events(events.EVENTS)
        registry.add_shapes(events.SHAPES)
        registry.add_snapshot_part(selectors.snapshot_part)
        registry.set_participant_standing(related="restriction", read=selectors.restriction_of)
        # What waits for review comes before everything else a facilitator runs.
        registry.add_panel(Screen.ROOM, "moderation/room_panel.html", order=40)
        registry.add_panel(Screen.MENU, "moderation/room_menu.html")
        registry.add_panel(
            Screen.CONSOLE,
            "moderation/console_panel.html",
            order=40,
            tool="moderation",
            label=_("Moderation"),
        )
        registry.add_script("moderation/moderate.js")
        # New and edited ideas pass the word list and pre-moderation on their way in.
        screening.set_screen(services.IDEA_SCREEN)

        # Hourly: a workshop's data goes within the hour its retention ends, and a run
        # that finds nothing due costs one query.
        schedule_register(tasks.personal_data_expired_erase, every=timedelta(hours=1))
