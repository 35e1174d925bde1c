"""Django's makemessages, knowing where Samskab keeps its strings (docs/translating.md).

The page scripts call the catalogue's gettext as `t(...)` (see static/workshops/room.js),
so xgettext is told that `t` marks a string too; and the tests, the benchmark and
collected static files hold nothing a person reads in the product.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import makemessages

# Folders makemessages never reads, whatever the command line says.
IGNORED = ["tests", "bench", "staticfiles", "node_modules", "scripts", "*.egg-info"]
# Extra xgettext keywords for the page scripts: `t` is gettext by another name.
JS_KEYWORDS = ["--keyword=t"]


class Command(makemessages.Command):
    def handle(self, *args: Any, **options: Any) -> str | None:
        options["ignore_patterns"] = list(options.get("ignore_patterns") or []) + IGNORED
        # One line per reference and no wrapping keep the diffs of a catalogue small.
        options["no_wrap"] = True
        return super().handle(*args, **options)

    def process_locale_dir(self, locale_dir: Any, files: Any) -> None:
        base = self.xgettext_options
        if self.domain == "djangojs":
            self.xgettext_options = [*base, *JS_KEYWORDS]
        try:
            super().process_locale_dir(locale_dir, files)
        finally:
            self.xgettext_options = base
