from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CocreationConfig(AppConfig):
    name = "cocreation"
    verbose_name = _("Requests for co-creation")
