from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TendenciesConfig(AppConfig):
    name = "tendencies"
    verbose_name = _("Tendencies")

    def ready(self) -> None:
        from statuses.registry import ServiceGroup, service_group_register

        from .selectors import theme_members, themes_as_services

        # Open311 lists each theme as a service gathering items across workshops and
        # challenges; statuses sits below and never imports this app.
        service_group_register(
            ServiceGroup(key="theme", services=themes_as_services, members=theme_members)
        )
