from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfcheckConfig(AppConfig):
    name = "selfcheck"
    verbose_name = _("Self-check")

    def ready(self) -> None:
        # Summaries and the room sit below this app: it hands them its parts here.
        from summaries.method import add_method_part
        from workshops import registry
        from workshops.registry import Screen

        from . import selectors

        add_method_part(selectors.method_part)
        # In the console's Summary tool, which the console opens on once the room closed.
        registry.add_panel(Screen.CONSOLE, "selfcheck/console_panel.html", order=90, tool="summary")
