from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummariesConfig(AppConfig):
    name = "summaries"
    verbose_name = _("Value propositions and summaries")

    def ready(self) -> None:
        from workshops import registry
        from workshops.registry import Screen

        from . import commands, events, selectors
        from .serializers import proposition_labels

        registry.add_commands(commands.COMMANDS)
        registry.add_events(events.EVENTS)
        registry.add_shapes(events.SHAPES)
        registry.add_snapshot_part(selectors.snapshot_part)
        registry.add_panel(Screen.ROOM, "summaries/room_panel.html")
        registry.add_panel(
            Screen.CONSOLE,
            "summaries/console_panel.html",
            tool="propose",
            label=_("Value propositions"),
            phases=("propose",),
        )
        registry.add_panel(
            Screen.CONSOLE,
            "summaries/console_summary_panel.html",
            tool="summary",
            label=_("Summary"),
            phases=("closed",),
        )
        registry.add_panel(Screen.WALL, "summaries/wall_panel.html")
        # Last on the projector: thanks, and where to follow what happens next, once closed.
        registry.add_panel(Screen.WALL, "summaries/wall_closed_panel.html", order=90)
        registry.add_panel(Screen.MENU, "summaries/room_menu.html")
        registry.add_script("summaries/propose.js")
        # What it keeps about a participant goes into their data download.
        from moderation import selectors as moderation_selectors

        if selectors.personal_data_part not in moderation_selectors.PERSONAL_DATA_PARTS:
            moderation_selectors.PERSONAL_DATA_PARTS.append(selectors.personal_data_part)
        registry.add_labels(
            ("proposition.started", "proposition.edited", "proposition.suggested"),
            proposition_labels,
        )
