"""The in-memory channel layer of a single process, without its cost per message.

Channels' in-memory layer looks through every channel and every group for expired
messages and memberships on each send to a group and each receive. A room of a
thousand has a thousand participant groups (workshops.hub), and a busy vote sends
each voter their own ballot: profiled at 1,000 voters, that scan took a fifth of the
server's core (docs/deploy.md). Expiry here is a matter of a minute (messages) and a
day (memberships), so looking once a second changes nothing anyone could notice.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer

# How often the layer looks for expired messages and memberships.
CLEAN_EVERY_SECONDS = 1.0


class RoomMemoryLayer(InMemoryChannelLayer):
    """InMemoryChannelLayer, looking for expired messages at most once a second."""

    _cleaned_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < CLEAN_EVERY_SECONDS:
            return
        self._cleaned_at = now
        super()._clean_expired()
