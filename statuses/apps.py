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
        from workshops.languages import source_language_register

        from . import kinds, room, signals, tasks
        from .selectors import statuses_language_of_page, subscription_language_of_page

        registry.add_panel(
            registry.Screen.ROOM, "statuses/room_panel.html", context=room.room_panel_context
        )
        registry.add_script("statuses/room_receipt.js")
        kinds.register_workshop_kinds()
        kinds.register_challenge_kinds()
        signals.connect()
        tasks.schedule()
        # A receipt and an item's page speak the language of the workshop or challenge
        # it came from to citizens who chose none.
        source_language_register(
            "statuses:receipt",
            "statuses:receipt_revoke",
            "statuses:receipt_email",
            "statuses:receipt_email_stop",
            "statuses:receipt_push",
            "statuses:receipt_push_stop",
            "statuses:receipt_answer",
            "statuses:item",
            language_of=statuses_language_of_page,
        )
        source_language_register("statuses:confirm", language_of=subscription_language_of_page)
