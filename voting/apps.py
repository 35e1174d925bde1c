from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Voting")

    def ready(self) -> None:
        from workshops import registry
        from workshops.registry import Screen

        from . import commands, events, selectors
        from .serializers import ballot_labels

        registry.add_commands(commands.COMMANDS)
        registry.add_events(events.EVENTS)
        registry.add_shapes(events.SHAPES)
        registry.add_snapshot_part(selectors.snapshot_part)
        registry.add_panel(Screen.ROOM, "voting/room_panel.html")
        registry.add_panel(
            Screen.CONSOLE,
            "voting/console_panel.html",
            tool="vote",
            label=_("Vote"),
            phases=("vote", "results"),
        )
        registry.add_panel(Screen.WALL, "voting/wall_panel.html")
        registry.add_script("voting/vote.js")
        registry.add_labels(("voting.configured", "tallies.revealed"), ballot_labels)
