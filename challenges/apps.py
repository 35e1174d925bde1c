from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = _("Challenges")

    def ready(self) -> None:
        from jobs.schedule import schedule_register

        from . import tasks

        # Every minute: a proposal is forwarded within a minute of reaching its threshold,
        # and expires within a minute of its challenge's closing; a run with nothing due
        # costs two queries.
        schedule_register(tasks.challenges_transitions_run, every=timedelta(minutes=1))
        # Hourly, as the workshops' retention: a challenge's personal data goes within the
        # hour its retention ends, and a run that finds nothing due costs one query.
        schedule_register(tasks.challenges_personal_data_expired_erase, every=timedelta(hours=1))

        from moderation.retention import RetentionSweep, retention_register

        from . import services

        # The same command erases workshops and challenges, where no worker runs.
        retention_register(
            RetentionSweep(
                noun="challenge",
                people="citizens",
                due=services.challenges_retention_due,
                erase=lambda challenge: services.challenge_erase_personal_data(challenge=challenge),
                name_of=lambda challenge: str(challenge.pk),
            )
        )

        from workshops import registry
        from workshops.languages import source_language_register

        from .selectors import challenge_language_of_page, console_panel_context

        # A challenge's own pages speak its language to citizens who chose none. (The
        # support reads it with the proposal, once: challenges.views.support.)
        source_language_register(
            "challenges:challenge",
            "challenges:propose",
            "challenges:proposal",
            "challenges:withdraw",
            "challenges:flag",
            "challenges:cosponsor",
            language_of=challenge_language_of_page,
        )

        # From the room to the platform: the console offers its themes and ideas to a challenge.
        registry.add_panel(
            registry.Screen.CONSOLE,
            "challenges/console_panel.html",
            order=90,
            context=console_panel_context,
        )
