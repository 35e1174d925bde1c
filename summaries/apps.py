from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummariesConfig(AppConfig):
    name = "summaries"
    verbose_name = _("Value propositions and summaries")

    def ready(self) -> None:
        # The room never imports this app ("nothing reads summaries"), so the app hands
        # the room its commands, events and snapshot part here instead.
        from workshops import commands as room_commands
        from workshops import events as room_events
        from workshops import selectors as room_selectors
        from workshops.labels import labels_register

        from . import commands, events, selectors
        from .serializers import proposition_labels

        room_commands.COMMANDS.update(commands.COMMANDS)
        room_events.EVENT_FIELDS.update(events.EVENT_FIELDS)
        if selectors.snapshot_part not in room_selectors.SNAPSHOT_PARTS:
            room_selectors.SNAPSHOT_PARTS.append(selectors.snapshot_part)
        # What it keeps about a participant goes into their data download.
        from moderation import selectors as moderation_selectors

        if selectors.personal_data_part not in moderation_selectors.PERSONAL_DATA_PARTS:
            moderation_selectors.PERSONAL_DATA_PARTS.append(selectors.personal_data_part)
        labels_register(
            ("proposition.started", "proposition.edited", "proposition.suggested"),
            proposition_labels,
        )
