from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdministrationsConfig(AppConfig):
    name = "administrations"
    verbose_name = _("Administrations")
