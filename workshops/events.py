"""Room events: their declared shapes, and publishing them once the write has committed.

Every event reaches the room through the workshop's channel-layer group. A write
publishes only after its transaction commits, so no screen ever hears of a change
that was rolled back. See docs/protocol.md for every event and its fields.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import threading
import weakref
from collections.abc import Iterator
from typing import Annotated, Any

import msgspec
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise

from . import registry
from .models import Workshop
from .phases import Phase
from .room_cache import own_parts_retire, room_changed

logger = logging.getLogger(__name__)


class Audience(enum.StrEnum):
    EVERYONE = "everyone"
    FACILITATORS = "facilitators"


class PhaseChoice(msgspec.Struct, forbid_unknown_fields=True):
    phase: str
    label: str


# The room's shapes, built by workshops.serializers.
class WorkshopShape(registry.Shape):
    code: Annotated[str, msgspec.Meta(description="the join code")]
    title: str
    question: str
    context: str
    language: Annotated[str, msgspec.Meta(description=registry.one_of(dict(settings.LANGUAGES)))]
    phase: Annotated[str, msgspec.Meta(description=registry.one_of(Phase.values))]
    phase_label: Annotated[str, msgspec.Meta(description="the phase's name, translated")]
    runnable_phases: Annotated[
        list[PhaseChoice], msgspec.Meta(description="phases a facilitator can move to today")
    ]
    ends_at: Annotated[
        str | None, msgspec.Meta(description="ISO 8601: when the phase's countdown ends")
    ]
    revision: Annotated[int, msgspec.Meta(description="grows with every change to the workshop")]


class ParticipantShape(registry.Shape):
    id: int
    display_name: str


class You(msgspec.Struct, forbid_unknown_fields=True):
    role: str
    participant_id: int | None
    display_name: str


# Built by workshops.selectors.room_snapshot, before each app adds its part.
class SnapshotShape(registry.Shape):
    workshop: WorkshopShape
    participant_count: Annotated[int, msgspec.Meta(description="participants who joined")]
    participant_count_as_of: Annotated[
        int,
        msgspec.Meta(
            description="the id of the newest participant the count includes (0 for none)"
        ),
    ]
    you: Annotated[
        You,
        msgspec.Meta(
            description="the connection's role; a citizen's participant id and name "
            "(for anyone else `null` and empty)"
        ),
    ]
    server_time: Annotated[str, msgspec.Meta(description="ISO 8601, the server's clock")]
    version: Annotated[
        str | None,
        msgspec.Meta(
            description="what this snapshot was read at; send it as `since` when opening "
            "the socket (`null` on a facilitator's snapshot, which has none)"
        ),
    ]


# Sent instead of a snapshot when the client's (`since`) is still what the room holds:
# only what is read fresh for every snapshot.
class SnapshotCurrentShape(registry.Shape):
    workshop: WorkshopShape
    participant_count: Annotated[int, msgspec.Meta(description="participants who joined")]
    participant_count_as_of: Annotated[int, msgspec.Meta(description="as in the snapshot")]
    you: Annotated[You, msgspec.Meta(description="as in the snapshot")]
    server_time: Annotated[str, msgspec.Meta(description="ISO 8601, the server's clock")]
    version: Annotated[str, msgspec.Meta(description="the same as `since`")]


SHAPES: dict[str, type[registry.Shape]] = {
    "Workshop": WorkshopShape,
    "Participant": ParticipantShape,
    "Snapshot": SnapshotShape,
    "SnapshotCurrent": SnapshotCurrentShape,
}


# The room's own events; each app declares its own in its events.py and registers
# them (workshops.registry). publish() refuses data of any other shape.


class WorkshopUpdated(registry.Data):
    workshop: WorkshopShape


class PhaseChanged(registry.Data):
    workshop: WorkshopShape
    server_time: Annotated[str, msgspec.Meta(description="ISO 8601, the server's clock")]


class TimerChanged(registry.Data):
    workshop: WorkshopShape
    server_time: Annotated[str, msgspec.Meta(description="ISO 8601, the server's clock")]


class ParticipantJoined(registry.Data):
    participant: ParticipantShape
    participant_count: int
    participant_count_as_of: Annotated[
        int,
        msgspec.Meta(
            description="as in the snapshot; keep `participant_count` only if it is higher "
            "than the count held"
        ),
    ]


class ParticipantRenamed(registry.Data):
    participant: ParticipantShape


EVENTS: dict[str, registry.Event] = {
    "workshop.updated": registry.Event(WorkshopUpdated),
    "phase.changed": registry.Event(PhaseChanged),
    "timer.changed": registry.Event(TimerChanged),
    "participant.joined": registry.Event(ParticipantJoined),
    "participant.renamed": registry.Event(ParticipantRenamed),
}


# Events that change nothing workshops.room_cache keeps (the participant count is read fresh).
PARTS_KEPT_THROUGH = frozenset({"participant.joined"})


def event_fields(event_type: str) -> frozenset[str]:
    """The fields declared for this event's data (KeyError for an undeclared event)."""
    return frozenset(registry.EVENTS[event_type].data.__struct_fields__)


def _check(event_type: str, data: dict[str, Any]) -> None:
    """Refuse data that is not what the event declares: a bug, caught before anyone hears it."""
    try:
        msgspec.convert(data, registry.EVENTS[event_type].data)
    except msgspec.ValidationError as error:
        raise ValueError(f"{event_type} does not match its declaration: {error}") from None


def room_group(workshop_id: int) -> str:
    return f"workshop.{workshop_id}"


def participant_group(participant_id: int) -> str:
    """Every connection of one participant (two tabs, a phone and a laptop)."""
    return f"participant.{participant_id}"


def publish(
    workshop: Workshop,
    event_type: str,
    data: dict[str, Any],
    *,
    audience: Audience = Audience.EVERYONE,
    facilitator_data: dict[str, Any] | None = None,
) -> None:
    """Send the event to the room after the current transaction commits.

    With `facilitator_data`, facilitators get that (same fields, more shown) instead
    of `data`: e.g. the words of an idea the wall no longer shows.
    """
    for shape in (data, facilitator_data if facilitator_data is not None else data):
        _check(event_type, shape)
    message: dict[str, Any] = {
        "type": "room.event",
        "audience": audience.value,
        "event": {"type": event_type, "data": data},
    }
    if facilitator_data is not None:
        message["facilitator_event"] = {"type": event_type, "data": facilitator_data}
    group = room_group(workshop.pk)
    workshop_id = workshop.pk
    # Parts kept for the room go now, so a read later in this transaction sees the
    # change, and again once it commits, so nothing read from before the commit in
    # between is kept; both before the event goes out, so a screen that hears of it
    # is never handed a part from before it.
    retire = event_type not in PARTS_KEPT_THROUGH
    if retire:
        room_changed(workshop_id)

    def send() -> None:
        if retire:
            room_changed(workshop_id)
        _send(group, message)

    transaction.on_commit(send)


def publish_to_participant(
    participant_id: int, event_type: str, data: dict[str, Any], *, workshop_id: int | None = None
) -> None:
    """Send an event only to this participant's own connections, after commit.

    For what is nobody else's business, such as the dots a citizen has left. With
    `workshop_id` (the participant's room), a batch's personal events to one room
    travel together (events_send).
    """
    _check(event_type, data)
    message: dict[str, Any] = {
        "type": "room.event",
        "audience": Audience.EVERYONE.value,
        "event": {"type": event_type, "data": data},
        # The room's hub hears every local participant's group on one channel.
        "participant": participant_id,
    }
    if workshop_id is not None:
        message["workshop"] = workshop_id
    group = participant_group(participant_id)

    def send() -> None:
        # What the event says is the participant's own (their ballot): the snapshots
        # read before it are not current for them any more (workshops.room_cache).
        # Once, at the commit, and not also now as the room's parts are: nothing
        # reads this person's snapshot in the transaction that changes their parts.
        retiring = getattr(_held, "retiring", None)
        if retiring is not None:
            # A batch's: retired together as the batch hands its events back, still
            # before any of them goes out (events_held).
            retiring.append(participant_id)
        else:
            _own_parts_retire(participant_id)
        _send(group, message)

    transaction.on_commit(send)


def disconnect_participant(participant_id: int, *, code: str, message: str | Promise) -> None:
    """Close every connection of this participant after commit, telling them why.

    Give `message` lazily (gettext_lazy): it travels as its source text, and each
    socket translates it into its own person's language.
    """
    with translation.override(None):
        source = str(message)
    frame = {"type": "room.close", "code": code, "message": source, "participant": participant_id}
    group = participant_group(participant_id)
    transaction.on_commit(lambda: _send(group, frame))


# The events held back in this thread while a batch of commands commits, if any.
_held = threading.local()

Held = list[tuple[str, dict[str, Any]]]


@contextlib.contextmanager
def events_held() -> Iterator[Held]:
    """Keep the events this thread publishes in the block; the caller sends them after.

    A batch of room commands (workshops.batching) publishes one event or more per
    command after its commit. Handed back to the server's event loop and sent from
    there (events_send), they cost no hop from the database thread to the loop. The
    own parts of the participants told something of their own are retired together
    as the block ends, in one call to the cache instead of one per event (on Redis a
    round trip each, one after another, while the batch's voters waited).
    """
    held: Held = []
    retiring: list[int] = []
    previous = getattr(_held, "messages", None), getattr(_held, "retiring", None)
    _held.messages, _held.retiring = held, retiring
    try:
        yield held
    finally:
        _held.messages, _held.retiring = previous
        if retiring:
            _own_parts_retire(*sorted(set(retiring)))


def _own_parts_retire(*participant_ids: int) -> None:
    try:
        own_parts_retire(*participant_ids)
    except Exception:
        # The events still go; a cache that cannot take a token has none to compare.
        logger.warning("could not retire the own parts of %s", participant_ids, exc_info=True)


async def events_send(held: Held) -> None:
    """Send events kept by events_held(), in order, from the server's event loop."""
    await _group_send_all(personal_together(held))


def personal_together(messages: Held) -> Held:
    """The messages, with each run of personal events to one room made one message.

    A batch of votes tells each voter's tabs their own ballot: one event per vote.
    Sent one by one, each crosses the channel layer on its own (on Redis four round
    trips for each send, and a receive for each in the hub that holds the voter's
    socket), while the voters wait for the batch's answers. Together they are one
    `room.personal` message to the room's group, holding the events as they were;
    every hub of the room receives it and hands each event to its own participant's
    sockets alone (workshops.hub), so nobody else's screen ever sees it. Messages
    keep their order.
    """
    together: Held = []
    for group, message in messages:
        workshop = message.get("workshop")
        personal = message.get("type") == "room.event" and message.get("participant") is not None
        if workshop is None or not personal:
            together.append((group, message))
            continue
        room = room_group(int(workshop))
        last = together[-1] if together else None
        if last is not None and last[0] == room and last[1]["type"] == "room.personal":
            last[1]["messages"].append(message)
        else:
            together.append((room, {"type": "room.personal", "messages": [message]}))
    return together


def _send(group: str, message: dict[str, Any]) -> None:
    held = getattr(_held, "messages", None)
    if held is not None:
        held.append((group, message))
        return
    _send_all([(group, message)])


async def _group_send_all(messages: list[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    for group, message in messages:
        if _joining(message):
            await _joins_send(layer, group, message)
        else:
            await _group_send(layer, group, message)


async def _group_send(layer: Any, group: str, message: dict[str, Any]) -> None:
    # Twice: after a Redis restart the first try finds a pooled connection dead.
    for attempt in (1, 2):
        try:
            await layer.group_send(group, message)
            break
        except Exception:
            if attempt == 2:
                # The write has committed; a screen that missed the event resyncs from
                # the snapshot when it reconnects, so a broken bus must not fail the
                # request.
                logger.exception("could not publish %s to %s", message["type"], group)


def _joining(message: dict[str, Any]) -> bool:
    return message.get("type") == "room.event" and message["event"]["type"] in JOINS_TOGETHER


# Events that ride together to the room's group while one of them is on its way.
JOINS_TOGETHER = frozenset({"participant.joined"})


class _JoinsGoing:
    """A room's joins waiting in this event loop for the send under way to its group."""

    def __init__(self) -> None:
        self.waiting: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self.sender: asyncio.Task[None] | None = None


_joins_going: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _JoinsGoing]] = (
    weakref.WeakKeyDictionary()
)


async def _joins_send(layer: Any, group: str, message: dict[str, Any]) -> None:
    """Send a join to the room's group, together with the joins that wait as it goes.

    Every process's hub of the room receives every message to its group: on Redis a
    send is four round trips and each receive four, in each process, for every
    phone that joins. A crowd's joins commit faster than they can go one by one, so
    those that commit while a send is under way go next as one `room.events` message
    (workshops.hub hands each to the room as if it came alone), in the order they
    were sent. No join waits for a timer: the first goes at once, and each caller
    returns once its own join has gone, so whatever the same phone does next is
    sent after it, as before.
    """
    loop = asyncio.get_running_loop()
    going = _joins_going.setdefault(loop, {}).setdefault(group, _JoinsGoing())
    done: asyncio.Future[None] = loop.create_future()
    going.waiting.append((message, done))
    if going.sender is None:
        going.sender = loop.create_task(_joins_drain(layer, group, going))
    await done


async def _joins_drain(layer: Any, group: str, going: _JoinsGoing) -> None:
    try:
        while going.waiting:
            batch, going.waiting = going.waiting, []
            messages = [message for message, _done in batch]
            together = (
                messages[0] if len(messages) == 1 else {"type": "room.events", "messages": messages}
            )
            try:
                await _group_send(layer, group, together)
            finally:
                for _message, done in batch:
                    if not done.done():
                        done.set_result(None)
    finally:
        going.sender = None
        rooms = _joins_going.get(asyncio.get_running_loop(), {})
        if rooms.get(group) is going:
            del rooms[group]
        for _message, done in going.waiting:
            # Only if this task was cancelled (the loop is ending): nobody waits forever.
            if not done.done():
                done.set_result(None)
        going.waiting = []


def _send_all(messages: list[tuple[str, dict[str, Any]]]) -> None:
    try:
        async_to_sync(_group_send_all)(messages)
    except Exception:
        logger.exception("could not publish %d events", len(messages))
