"""Write the protocol reference's tables from the declared commands and events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workshops.protocol_doc import doc_written

DOC = Path(settings.BASE_DIR) / "docs" / "protocol.md"


class Command(BaseCommand):
    help = "Check docs/protocol.md against the declared commands and events (--write: fix it)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--write", action="store_true", help="write the tables again")

    def handle(self, *args: Any, **options: Any) -> None:
        text = DOC.read_text()
        written = doc_written(text)
        if options["write"]:
            DOC.write_text(written)
            self.stdout.write(f"wrote {DOC}")
        elif written != text:
            raise CommandError(f"{DOC} differs from the declared commands and events; --write")
