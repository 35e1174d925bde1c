from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TendenciesConfig(AppConfig):
    name = "tendencies"
    verbose_name = _("Tendencies")
