"""The room-socket fixture of the room's own tests, for moderation's socket tests."""

from __future__ import annotations

from tests.workshops.test_consumer import open_socket

__all__ = ["open_socket"]
