"""Print a new VAPID key for SAMSKAB_VAPID_PRIVATE_KEY, and the public key it gives."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from statuses import push


class Command(BaseCommand):
    help = "Print a new VAPID private key for SAMSKAB_VAPID_PRIVATE_KEY, and its public key."

    def handle(self, *args: Any, **options: Any) -> None:
        private = push.new_private_key()
        public = push.public_key(push.vapid(private))
        self.stdout.write(f"SAMSKAB_VAPID_PRIVATE_KEY={private}\n# public key: {public}")
