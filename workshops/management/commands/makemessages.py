"""Django's makemessages, knowing where Samskab keeps its strings (docs/translating.md).

The page scripts call the catalogue's gettext and ngettext as `t(...)` and `nt(...)`
(see static/workshops/room.js), so xgettext is told that those mark strings too; and
the tests, the benchmark and collected static files hold nothing a person reads.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import makemessages

# Folders makemessages never reads, whatever the command line says.
IGNORED = ["tests", "bench", "staticfiles", "node_modules", "scripts", "*.egg-info"]
# Extra xgettext keywords for the page scripts: `t` and `nt` are gettext and ngettext.
JS_KEYWORDS = ["--keyword=t", "--keyword=nt:1,2"]


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
