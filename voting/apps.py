from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Voting")

    def ready(self) -> None:
        from workshops.labels import labels_register

        from .serializers import ballot_labels

        labels_register(("voting.configured", "tallies.revealed"), ballot_labels)
