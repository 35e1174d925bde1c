from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Workshops")

    def ready(self) -> None:
        from .labels import labels_register
        from .serializers import workshop_labels

        labels_register(("workshop.updated", "phase.changed", "timer.changed"), workshop_labels)
