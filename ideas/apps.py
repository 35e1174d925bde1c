from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = _("Ideas")

    def ready(self) -> None:
        from workshops import registry
        from workshops.registry import Screen

        from . import commands, events, selectors, views

        registry.add_commands(commands.COMMANDS)
        registry.add_events(events.EVENTS)
        registry.add_shapes(events.SHAPES)
        registry.add_snapshot_part(selectors.snapshot_part)
        # The idea form comes first on a phone: posting is what most people came for.
        registry.add_panel(
            Screen.ROOM, "ideas/room_compose_panel.html", order=10, context=views.compose_context
        )
        registry.add_panel(Screen.ROOM, "ideas/room_group_panel.html")
        registry.add_panel(
            Screen.CONSOLE,
            "ideas/console_group_panel.html",
            tool="group",
            label=_("Group"),
            phases=("group",),
        )
        registry.add_panel(Screen.WALL, "ideas/wall_group_panel.html")
        registry.add_script("ideas/group.js")
