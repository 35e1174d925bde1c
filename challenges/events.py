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

import asyncio
import contextvars
import logging
import os
import threading
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
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
    """A count moved; coalesced per proposal in this process (see `_offer`)."""
    data = {"proposal": support_change_as_dict(proposal), "milestone": milestone}
    if set(data) != EVENT_FIELDS["proposal.support_changed"]:
        raise ValueError(f"proposal.support_changed carries {sorted(data)}")
    message = {
        "type": "challenge.event",
        "event": {"type": "proposal.support_changed", "data": data},
    }
    group = challenge_group(proposal.challenge_id)
    transaction.on_commit(lambda: _offer(group, proposal.pk, message))


def proposal_changed(proposal: Proposal) -> None:
    _publish(proposal.challenge_id, "proposal.changed", {"proposal": proposal_as_dict(proposal)})


def _publish(challenge_id: int, event_type: str, data: dict[str, Any]) -> None:
    if set(data) != EVENT_FIELDS[event_type]:
        raise ValueError(f"{event_type} carries {sorted(data)}")
    message = {"type": "challenge.event", "event": {"type": event_type, "data": data}}
    group = challenge_group(challenge_id)
    transaction.on_commit(lambda: _send(group, message))


# A support storm moves one count thousands of times a minute, and every change would
# be a message on the bus for every server process to read. A page only needs the
# newest count: the first change of a proposal opens a window of `WINDOW_SECONDS`,
# the changes that follow in this process meanwhile only replace it (newer by
# revision), and at the window's end the newest goes. So a process sends a proposal's
# count at most about once per window however fast support comes; the change that
# arrives after a window has been taken opens the next one, so the last change always
# goes. No support waits for the window: in the server the window is timed by the
# server's event loop and its end sent from there (a sleeping request would keep its
# database connection and answer its phone a window later); elsewhere (a command, a
# test) by a timer thread.
WINDOW_SECONDS = 0.05
_lock = threading.Lock()
_waiting: dict[int, tuple[str, dict[str, Any]]] = {}
# Sends started on the server's loop, kept until done (the loop holds tasks weakly).
_sending: set[asyncio.Task[None]] = set()


def _offer(group: str, proposal_id: int, message: dict[str, Any]) -> None:
    with _lock:
        earlier = _waiting.get(proposal_id)
        _waiting[proposal_id] = (group, _newer(earlier[1], message) if earlier else message)
        if earlier is not None:
            return  # the window is open: its end sends the newest
    loop = _server_loop()
    if loop is not None:
        # A fresh context: the request's own must not follow the send onto the loop.
        loop.call_soon_threadsafe(
            loop.call_later,
            WINDOW_SECONDS,
            _window_closed_on_loop,
            proposal_id,
            context=contextvars.Context(),
        )
        return
    timer = threading.Timer(WINDOW_SECONDS, _window_closed, args=(proposal_id,))
    timer.daemon = True
    timer.start()


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop of the server whose worker thread this is, if any.

    asgiref marks each thread it runs synchronous code in (a view, a consumer's
    database call) with the loop that handed the work over.
    """
    local = SyncToAsync.threadlocal
    loop: asyncio.AbstractEventLoop | None = getattr(local, "main_event_loop", None)
    if loop is None or getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    return loop if loop.is_running() and not loop.is_closed() else None


def _window_closed(proposal_id: int) -> None:
    with _lock:
        newest = _waiting.pop(proposal_id)
    _send(*newest)


def _window_closed_on_loop(proposal_id: int) -> None:
    with _lock:
        group, message = _waiting.pop(proposal_id)
    task = asyncio.get_running_loop().create_task(_send_on_loop(group, message))
    _sending.add(task)
    task.add_done_callback(_sending.discard)


async def _send_on_loop(group: str, message: dict[str, Any]) -> None:
    try:
        await get_channel_layer().group_send(group, message)
    except Exception:
        # The write has committed; a page that missed it gets the counts again on reconnect.
        logger.exception("could not publish %s to %s", message["event"]["type"], group)


def _newer(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    old, new = earlier["event"]["data"], later["event"]["data"]
    if old["proposal"]["revision"] > new["proposal"]["revision"]:
        old, new = new, old
    milestone = max(old["milestone"] or 0, new["milestone"] or 0) or None
    data = {"proposal": new["proposal"], "milestone": milestone}
    return {"type": "challenge.event", "event": {"type": "proposal.support_changed", "data": data}}


def _send(group: str, message: dict[str, Any]) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception:
        # The write has committed; a page that missed it gets the counts again on reconnect.
        logger.exception("could not publish %s to %s", message["event"]["type"], group)
