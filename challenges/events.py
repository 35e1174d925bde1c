"""Live events of a challenge's pages, sent through the channel layer after commit.

Every page of a challenge (the challenge and each of its proposals) listens on the
challenge's group (`challenge.<id>`) through challenges.consumers. Declared shapes:

- `proposal.support_changed`: `proposal` (serializers.support_change_as_dict) and
  `milestone` (33, 66 or 100 when this support first passed that share, else null).
- `proposal.changed`: `proposal` (serializers.proposal_as_dict) when its status moves:
  published, held, hidden, withdrawn, forwarded, expired.

See docs/challenges.md.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .models import Proposal
from .serializers import proposal_as_dict, support_change_as_dict

logger = logging.getLogger(__name__)

EVENT_FIELDS: dict[str, frozenset[str]] = {
    "proposal.support_changed": frozenset({"proposal", "milestone"}),
    "proposal.changed": frozenset({"proposal"}),
}


def challenge_group(challenge_id: int) -> str:
    return f"challenge.{challenge_id}"


def support_changed(proposal: Proposal, *, milestone: int | None) -> None:
    _publish(
        proposal.challenge_id,
        "proposal.support_changed",
        {"proposal": support_change_as_dict(proposal), "milestone": milestone},
    )


def proposal_changed(proposal: Proposal) -> None:
    _publish(proposal.challenge_id, "proposal.changed", {"proposal": proposal_as_dict(proposal)})


def _publish(challenge_id: int, event_type: str, data: dict[str, Any]) -> None:
    if set(data) != EVENT_FIELDS[event_type]:
        raise ValueError(f"{event_type} carries {sorted(data)}")
    message = {"type": "challenge.event", "event": {"type": event_type, "data": data}}
    group = challenge_group(challenge_id)
    transaction.on_commit(lambda: _send(group, message))


def _send(group: str, message: dict[str, Any]) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception:
        # The write has committed; a page that missed it gets the counts again on reconnect.
        logger.exception("could not publish %s to %s", message["event"]["type"], group)
