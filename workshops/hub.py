"""One subscription per room per process: each event serialised once, written to every socket.

Stock Channels gives every socket its own channel in the room's group, so each
event is received, dispatched (with a database check in a worker thread) and
serialised once per recipient: a thousand phones cost a thousand of each. Here a
process holds one hub per room that has local sockets. The hub's one room channel
is in the room's group; it receives each event once, serialises it once per
audience (the room, facilitators) and hands the same text to each local socket's
ASGI `send`. Personal events (a participant's own ballot, a removal) reach the hub
on the same channel, which is also in the group of each participant with a local
socket; they name their participant, and go to that participant's tabs alone. A
batch's personal events come as one message through the room's group instead
(workshops.events.personal_together), and each goes to its own participant's tabs
alone too.
(A channel per participant would cost the in-memory layer a scan of every
channel on each receive: a room of a thousand would pay for it on every vote.)

Writing a frame costs the server tens of microseconds per socket (framing and a
system call), so one pass over a thousand sockets takes tens of milliseconds.
Room events that arrive during a pass are not queued behind it one by one: the
next pass sends them together, one `batch` frame per socket, so under load the
number of frames stays at one per socket per pass and latency stays at about two
passes however fast the room posts. A pass lets other tasks run every
`YIELD_EVERY` sockets, so commands and snapshots are not held up by it. A socket
that cannot take a frame (its buffers are full) is not waited for: its write
finishes on its own, it is skipped meanwhile, and it gets a fresh snapshot after.

The bus can lose the hub's subscription (Redis restarted, a group expired). A
heartbeat through the room's group notices; the hub then subscribes again and asks
every local socket to resync (send a fresh snapshot), so no screen keeps a wall
that missed events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from channels.layers import get_channel_layer

from .events import Audience, participant_group, room_group
from .registry import event_in_language

logger = logging.getLogger(__name__)

# How often a hub checks that its own subscription still carries messages, and how
# long its ping may take through the bus before the hub assumes the subscription lost.
HEARTBEAT_SECONDS = 5.0
HEARTBEAT_TIMEOUT = 5.0
# Waits between attempts to subscribe again while the bus is down.
RETRY_MIN_SECONDS = 0.2
RETRY_MAX_SECONDS = 5.0
# Sockets written in a pass before the hub lets the event loop run other tasks.
YIELD_EVERY = 64
# Events that only tell the room how many have joined. While a crowd arrives, each
# would start a pass over every socket of the room: a thousand phones joining within
# seconds cost the server a thousand passes over a growing room. Alone in the outbox
# they wait for company until this long after the last pass, so the room hears of
# its joins at most about once a second, in one batch; any other event goes at once
# and takes them along, in order.
PACED_EVENTS = frozenset({"participant.joined"})
PACE_SECONDS = 1.0


class Listener(Protocol):
    """A local socket as the hub sees it (workshops.consumers.RoomConsumer)."""

    @property
    def hub_participant(self) -> int | None: ...

    @property
    def hub_language(self) -> str | None:
        """The language its person reads; None takes events as published."""

    def hub_facilitator(self) -> bool | None:
        """True for a facilitator, False for anyone else, None once it stopped listening."""

    async def hub_send(self, text: str) -> None: ...

    async def hub_close(self, message: dict[str, Any]) -> None:
        """This participant was removed: tell the socket why and hang up."""

    async def hub_resync(self) -> None:
        """Events may have been lost: send the socket a fresh snapshot."""


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False)


def frame_of(texts: list[str]) -> str:
    """One event as itself; several as one batch frame carrying them in order."""
    if len(texts) == 1:
        return texts[0]
    # The count first, so a client can count events without parsing the frame.
    return f'{{"type": "batch", "count": {len(texts)}, "events": [{", ".join(texts)}]}}'


class Frames:
    """The frame for each audience and language for some room events, each encoded if needed.

    Labels (a phase's name) are written in each socket's language (workshops.registry.add_labels).
    """

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = messages
        self._room: dict[str | None, str] = {}
        self._facilitators: dict[str | None, str] = {}

    def for_room(self, language: str | None = None) -> str:
        if language not in self._room:
            texts = [
                encode(event_in_language(message["event"], language))
                for message in self.messages
                if message["audience"] != Audience.FACILITATORS
            ]
            self._room[language] = frame_of(texts) if texts else ""
        return self._room[language]

    def for_facilitators(self, language: str | None = None) -> str:
        if language not in self._facilitators:
            self._facilitators[language] = frame_of(
                [
                    encode(
                        event_in_language(
                            message.get("facilitator_event") or message["event"], language
                        )
                    )
                    for message in self.messages
                ]
            )
        return self._facilitators[language]


def write_now(write: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run a socket's write until it first has to wait; None if it never had to.

    Nearly every write completes at once: the server buffers the frame and returns.
    A socket whose buffer is full (a phone that went quiet without closing) makes the
    server wait until it drains, which can take until the server's ping gives up on
    it; that write is finished by a task of its own, so the room does not wait too.
    Driving the coroutine by hand keeps the common case free of a task per socket.
    """
    try:
        waiting_on = write.send(None)
    except StopIteration:
        return None
    return asyncio.get_running_loop().create_task(_finish_write(write, waiting_on))


class Socket(Protocol):
    async def hub_send(self, text: str) -> None: ...


S = TypeVar("S", bound=Socket)


class Writes(Generic[S]):
    """A hub's writes to its local sockets, none waited for (see `write_now`).

    A socket still writing an earlier frame is `stalled`; the hub passes it by meanwhile.
    `written` is told of each stalled write once it is done, or failed, or cancelled.
    """

    def __init__(
        self, where: str, written: Callable[[S, asyncio.Task[None]], None] | None = None
    ) -> None:
        self.where = where
        self.written = written
        self.stalled: dict[S, asyncio.Task[None]] = {}

    def start(self, socket: S, text: str) -> None:
        try:
            pending = write_now(socket.hub_send(text))
        except Exception:
            logger.exception("%s: a socket refused an event", self.where)
            return
        if pending is not None:
            self.stalled[socket] = pending
            pending.add_done_callback(partial(self._done, socket))

    def _done(self, socket: S, write: asyncio.Task[None]) -> None:
        self.stalled.pop(socket, None)
        if self.written is not None:
            self.written(socket, write)


H = TypeVar("H")


class HubsByLoop(dict[tuple[asyncio.AbstractEventLoop, int], H]):
    """Hubs by event loop and id: a test runner or a second server thread has its own."""

    def __init__(self, hub: Callable[[int], H]) -> None:
        super().__init__()
        self.hub = hub

    def of(self, pk: int) -> H:
        """The hub of `pk` in this loop, created on its first local socket."""
        key = (asyncio.get_running_loop(), pk)
        found = self.get(key)
        if found is None:
            found = self[key] = self.hub(pk)
        return found

    def forget(self, pk: int) -> None:
        """Forget this loop's hub of `pk`, the next socket makes a new one.

        Precondition: called before the hub's last socket awaits anything on leaving, so
        a socket arriving meanwhile is not added to a hub that is going away.
        """
        self.pop((asyncio.get_running_loop(), pk), None)


async def _finish_write(write: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    """Go on with a write that `write_now` started, as a task would have."""
    try:
        while True:
            if waiting_on is None:  # a bare yield: let the loop run once
                await asyncio.sleep(0)
            else:
                waiting_on._asyncio_future_blocking = False
                await asyncio.wait([waiting_on])
            waiting_on = write.send(None)
    except StopIteration:
        return
    finally:
        write.close()


class RoomHub:
    def __init__(self, workshop_id: int) -> None:
        self.workshop_id = workshop_id
        self.group = room_group(workshop_id)
        self.layer = get_channel_layer()
        # Each socket with the participant it joined as (an ordered set): a removed
        # participant's socket forgets who it is before it leaves, the hub must not.
        self.listeners: dict[Listener, int | None] = {}
        self.by_participant: dict[int, dict[Listener, None]] = {}
        self.channel = ""
        self.subscribed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._resubscribing: asyncio.Lock = asyncio.Lock()
        self._ping_sent = 0
        self._pong_seen = 0
        # Sockets still writing a frame of an earlier pass, and those that missed
        # events meanwhile: they get the whole room once the write is done.
        self._writes = Writes[Listener](f"room {workshop_id}", self._write_done)
        self._missed: set[Listener] = set()
        # Resyncs and closes under way, kept until done (the loop holds tasks weakly).
        self._helpers: set[asyncio.Task[None]] = set()
        # Room events received and not yet written to the sockets, in order.
        self._outbox: list[dict[str, Any]] = []
        self._outbox_filled = asyncio.Event()
        # An event that may not wait for the pace (PACED_EVENTS) is in the outbox.
        self._outbox_urgent = asyncio.Event()
        self._last_pass = 0.0

    # Listeners come and go.

    async def add(self, listener: Listener) -> None:
        """Register a socket; returns once the hub hears the room (and the participant)."""
        participant = listener.hub_participant
        self.listeners[listener] = participant
        if not self._tasks:
            self._tasks = [asyncio.create_task(self._run())]
        first = False
        if participant is not None:
            first = participant not in self.by_participant
            self.by_participant.setdefault(participant, {})[listener] = None
        await self.subscribed.wait()
        if first and participant is not None:
            await self._group_add(participant_group(participant), self.channel)

    async def remove(self, listener: Listener) -> None:
        participant = self.listeners.pop(listener, None)
        leave: list[tuple[str, str]] = []
        tasks: list[asyncio.Task[None]] = []
        if participant is not None and participant in self.by_participant:
            sockets = self.by_participant[participant]
            sockets.pop(listener, None)
            if not sockets:
                del self.by_participant[participant]
                if self.channel:
                    leave.append((participant_group(participant), self.channel))
        if not self.listeners:
            _HUBS.forget(self.workshop_id)
            tasks += self._tasks
            self._tasks = []
            if self.channel:
                leave.append((self.group, self.channel))
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for group, channel in leave:
            await self._group_discard(group, channel)

    # Subscribing, and noticing when the bus forgot us.

    async def _subscribe(self) -> None:
        await self.layer.group_add(self.group, self.channel)
        for participant in list(self.by_participant):
            await self.layer.group_add(participant_group(participant), self.channel)
        self.subscribed.set()

    async def _group_add(self, group: str, channel: str) -> None:
        try:
            await self.layer.group_add(group, channel)
        except Exception:
            # The heartbeat finds the bus down and subscribes every group again.
            logger.exception("could not join %s", group)

    async def _group_discard(self, group: str, channel: str) -> None:
        try:
            await self.layer.group_discard(group, channel)
        except Exception:
            logger.exception("could not leave %s", group)

    async def _resubscribe(self, *, resync: bool) -> None:
        """Subscribe (again) until it works; then have every local socket resync."""
        async with self._resubscribing:
            self.subscribed.clear()
            wait = RETRY_MIN_SECONDS
            while True:
                try:
                    await self._subscribe()
                    break
                except Exception:
                    logger.warning("room %s: bus unavailable, retrying", self.workshop_id)
                    await asyncio.sleep(wait * (1 + random.random() / 2))  # noqa: S311
                    wait = min(RETRY_MAX_SECONDS, wait * 2)
            self._pong_seen = self._ping_sent
        if resync:
            logger.warning("room %s: subscription restored; resyncing sockets", self.workshop_id)
            await asyncio.gather(
                *(listener.hub_resync() for listener in list(self.listeners)),
                return_exceptions=True,
            )

    async def _run(self) -> None:
        self.channel = await self.layer.new_channel()
        helpers = [
            asyncio.create_task(self._heartbeat_loop()),
            asyncio.create_task(self._send_loop()),
        ]
        try:
            await self._resubscribe(resync=False)
            await self._receive_loop()
        finally:
            for task in helpers:
                task.cancel()

    async def _receive_loop(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("room %s: lost the bus", self.workshop_id)
                await self._resubscribe(resync=True)
                continue
            try:
                await self._dispatch(message)
            except Exception:
                logger.exception("room %s: could not deliver %s", self.workshop_id, message)

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self.subscribed.wait()
            self._ping_sent += 1
            ping = {"type": "hub.ping", "channel": self.channel, "ping": self._ping_sent}
            try:
                await self.layer.group_send(self.group, ping)
            except Exception:
                logger.warning("room %s: heartbeat could not be sent", self.workshop_id)
            await asyncio.sleep(HEARTBEAT_TIMEOUT)
            if self._pong_seen < self._ping_sent:
                await self._resubscribe(resync=True)

    # Delivering.

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        participant = message.get("participant")
        if participant is not None:
            await self._to_participant(int(participant), message)
        elif kind == "room.personal":
            # Personal events of a batch, to several participants of the room at once
            # (workshops.events.personal_together): each to its own participant's
            # sockets here, if any.
            for each in message["messages"]:
                if int(each["participant"]) in self.by_participant:
                    await self._to_participant(int(each["participant"]), each)
        elif kind == "room.event":
            self._to_outbox(message)
        elif kind == "room.events":
            # Joins that went together from one process (workshops.events, _joins_send):
            # each as if it came alone, in order.
            for each in message["messages"]:
                self._to_outbox(each)
        elif kind == "hub.ping" and message.get("channel") == self.channel:
            self._pong_seen = max(self._pong_seen, int(message["ping"]))

    def _to_outbox(self, message: dict[str, Any]) -> None:
        self._outbox.append(message)
        self._outbox_filled.set()
        if message["event"].get("type") not in PACED_EVENTS:
            self._outbox_urgent.set()

    async def _to_participant(self, participant: int, message: dict[str, Any]) -> None:
        """An event for one participant's own tabs, or their removal from the room."""
        recipients = list(self.by_participant.get(participant, ()))
        if message.get("type") == "room.event":
            await self._deliver(Frames([message]), recipients)
        elif message.get("type") == "room.close":
            for listener in recipients:
                # Closing waits for the socket; this loop must go on hearing the room.
                self._spawn(listener.hub_close(message))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._helpers.add(task)
        task.add_done_callback(self._helpers.discard)

    async def _send_loop(self) -> None:
        """Write what the outbox holds to every socket; what arrives meanwhile goes next."""
        loop = asyncio.get_running_loop()
        while True:
            await self._outbox_filled.wait()
            wait = self._last_pass + PACE_SECONDS - loop.time()
            if wait > 0 and not self._outbox_urgent.is_set():
                # Only joins so far: let the next ones ride along (PACED_EVENTS).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._outbox_urgent.wait(), wait)
            self._outbox_filled.clear()
            self._outbox_urgent.clear()
            self._last_pass = loop.time()
            messages, self._outbox = self._outbox, []
            try:
                await self._deliver(Frames(messages), list(self.listeners))
            except Exception:
                logger.exception("room %s: could not deliver %s", self.workshop_id, messages)

    async def _deliver(self, frames: Frames, recipients: list[Listener]) -> None:
        """Write the frame each socket may see: the room's, or the facilitators'."""
        for index, listener in enumerate(recipients):
            if index and index % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            facilitator = listener.hub_facilitator()
            # Gone while the pass let others run: its socket is closed.
            if facilitator is None or listener not in self.listeners:
                continue
            language = getattr(listener, "hub_language", None)
            text = frames.for_facilitators(language) if facilitator else frames.for_room(language)
            if not text:
                continue
            if listener in self._writes.stalled:
                self._missed.add(listener)
                continue
            self._writes.start(listener, text)

    def _write_done(self, listener: Listener, write: asyncio.Task[None]) -> None:
        """A stalled socket took its frame (or closed): resync it if it missed events."""
        missed = listener in self._missed
        self._missed.discard(listener)
        if write.cancelled() or write.exception() is not None or listener not in self.listeners:
            return  # the socket is gone
        if missed:
            self._spawn(listener.hub_resync())


_HUBS = HubsByLoop(RoomHub)


def room_hub(workshop_id: int) -> RoomHub:
    """The room's hub in this process, created on the first local socket."""
    return _HUBS.of(workshop_id)


# Where WireSend keeps the server's own `send` in a socket's scope.
WIRE_SEND = "samskab.wire_send"


class WireSend:
    """Outermost WebSocket middleware: keep the server's `send` for the hub's writes.

    Channels' session middleware wraps `send` to save a changed session on an HTTP
    response; for a WebSocket frame it only costs time, and the hub sends a
    thousand frames per event.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        return await self.app({**scope, WIRE_SEND: send}, receive, send)
