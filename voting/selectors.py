from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workshops.actors import Actor


def snapshot_part(*, actor: Actor) -> dict[str, Any]:
    """The voting part of the room's snapshot."""
    return {}
