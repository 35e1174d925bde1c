"""The room's WebSocket: transport only.

It resolves who is connecting, registers with the room's hub (workshops.hub, which
writes each event this person may see straight to the socket), sends a snapshot,
and hands every client frame to workshops.commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from . import registry
from .actors import Actor, actor_refresh, actor_resolve, require
from .batching import command_batch
from .code_guessing import code_guessing_check, code_guessing_miss
from .commands import command_handle, error_reply, join_handle
from .errors import ActionRefused, page_expired
from .hub import RoomHub, room_hub
from .languages import Reader, scope_language
from .limits import connection_closed, connection_open, socket_address
from .listeners import SnapshotFirstConsumer
from .phases import Action, Role
from .selectors import room_snapshot, room_snapshot_current, workshop_by_code


def pooled(function: Any) -> Any:
    """Run a database function on the shared thread pool, where the database allows it.

    Channels runs every consumer's synchronous code on one thread by default; in a
    room of a thousand phones that single thread, not the sockets, is what every
    snapshot and every post waits for (see docs/deploy.md). PostgreSQL takes the
    calls in parallel, each thread on its own connection. SQLite allows one writer
    at a time and refuses a second at once, so there the one thread stays.
    """
    return database_sync_to_async(function, thread_sensitive=connection.vendor == "sqlite")


logger = logging.getLogger(__name__)

# Close codes in the 4000s carry the reason to the page, which then stops retrying.
CLOSE_NOT_FOUND = 4404
CLOSE_FORBIDDEN = 4403
# Too many sockets of one participant: the page retries later, when a tab has closed.
CLOSE_TOO_MANY = 4429
# A socket opened to join waited longer than SAMSKAB_JOIN_WAIT_SECONDS for its `join`:
# the join page opens a new one when the person comes back to it.
CLOSE_JOIN_TIMEOUT = 4408

# Deepest nesting of arrays and objects a frame may have. No command needs more than
# two levels; Python's parser recurses once per level and a frame nested thousands deep
# would exhaust the stack (docs/protocol.md).
MAX_FRAME_DEPTH = 32
# A lone UTF-16 surrogate, written as an escape or (from a client that sends invalid
# text) as itself: it cannot be stored or sent back as UTF-8.
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
REQUEST_ID_MAX_LENGTH = 64
# A snapshot's version (workshops.room_cache.snapshot_version) is far shorter; anything
# longer names no version and is answered with the whole room.
SINCE_MAX_LENGTH = 200
# The messages a socket handles without Channels' hop to its shared thread (dispatch).
STRAIGHT_TO_HANDLER = frozenset({"websocket.connect", "websocket.receive", "websocket.disconnect"})


def _since(scope: dict[str, Any]) -> str | None:
    """The version of the snapshot the page already holds (`?since=`), if it sent one."""
    query = scope.get("query_string", b"")
    if b"since=" not in query:
        return None
    values = parse_qs(query.decode("latin-1")).get("since") or [""]
    since = values[0]
    return since if 0 < len(since) <= SINCE_MAX_LENGTH else None


def _joining(scope: dict[str, Any]) -> bool:
    """Whether the socket was opened by a page that may join over it (`?join=1`)."""
    query = scope.get("query_string", b"")
    return b"join=" in query and parse_qs(query.decode("latin-1")).get("join") == ["1"]


def _join_refused(actor: Actor, session: Any) -> ActionRefused | None:
    """Why a socket opened to join (`?join=1`) cannot, as it opens; None if it may wait.

    A phone with no stored session (the join page gives one; the session was read when
    the socket's person was resolved, which forgets a key with no row), a room already
    closed, a phone a facilitator removed. A room that closes later is refused at `join`.
    """
    if session.session_key is None:
        return page_expired()
    try:
        require(actor, Action.JOIN)
    except ActionRefused as refused:
        return refused
    return None


def _nested_deeper_than(text: str, limit: int) -> bool:
    """Whether the JSON text opens more than `limit` arrays or objects inside each other."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the common case, decided without a scan
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _encodable(frame: dict[str, Any]) -> bool:
    try:
        json.dumps(frame, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _resolve(
    code: str, user: Any, session: Any, as_observer: bool, address: str | None
) -> Actor | None:
    """Who is connecting; None for a code that names no workshop (a guess, counted).

    Raises ActionRefused (`rate_limited`) while the address has guessed too often.
    """
    code_guessing_check(address=address)
    workshop = workshop_by_code(code=code)
    if workshop is None:
        code_guessing_miss(address=address)
        return None
    return actor_resolve(
        workshop=workshop, user=user, session=session, as_observer=as_observer, address=address
    )


def _socket_language(scope: dict[str, Any], actor: Actor | None, *, as_observer: bool) -> str:
    """The page's language when it says so, else as a page for this person would choose."""
    if actor is None:
        return scope_language(scope, reader=Reader.PERSON)
    if actor.role is Role.FACILITATOR:
        reader = Reader.FACILITATOR
    elif as_observer and actor.user is not None:
        reader = Reader.ROOM  # the projector
    else:
        reader = Reader.PERSON
    return scope_language(scope, reader=reader, workshop_language=actor.workshop.language)


def frame_parse(text_data: str | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The frame as a JSON object, or the error frame to answer instead.

    The one guard in front of every socket's frames: size, nesting, JSON, a type,
    text that can be encoded, and a short request id. Whatever it refuses is
    answered, and the socket stays open.
    """
    if text_data is None:
        return {}, error_reply(None, "malformed", _("Send text frames with JSON."))
    if len(text_data.encode("utf-8", "surrogatepass")) > settings.SAMSKAB["MAX_FRAME_BYTES"]:
        return {}, error_reply(None, "too_large", _("That message is too large."))
    if _nested_deeper_than(text_data, MAX_FRAME_DEPTH):
        message = _("That message is nested too deeply.")
        return {}, error_reply(None, "malformed", message)
    try:
        frame = json.loads(text_data)
    except (ValueError, RecursionError):
        return {}, error_reply(None, "malformed", _("That message is not valid JSON."))
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        return {}, error_reply(None, "malformed", _("A message needs a type."))
    if _MAYBE_SURROGATE.search(text_data) and not _encodable(frame):
        message = _("That message holds characters that are not text.")
        return {}, error_reply(None, "malformed", message)
    request_id = frame.get("request_id")
    if request_id is not None and (
        not isinstance(request_id, str) or len(request_id) > REQUEST_ID_MAX_LENGTH
    ):
        message = _("The request id must be a short string.")
        return {}, error_reply(None, "invalid", message)
    return frame, None


class RoomConsumer(SnapshotFirstConsumer):
    actor: Actor | None = None
    hub: RoomHub | None = None
    # The participant whose connection count this socket holds, to give back on close.
    counted_participant: int | None = None
    # A phone on the join page whose socket waits for its `join` before the room.
    waiting_to_join: bool = False
    # Ends the wait for that `join` (SAMSKAB_JOIN_WAIT_SECONDS) unless it comes first.
    join_wait: asyncio.Task[None] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # However the socket ended (a close, a crash, the server cancelling it), its
            # count goes back, or the participant would be locked out for hours.
            await self.leave()

    async def open(self) -> None:
        # The handshake first, the database after: under a crowd of joining phones the
        # room's reads queue, and a server gives up on a handshake left waiting (Daphne
        # after 5 s, websockets after 10 s) where a socket waiting for its snapshot is
        # kept (docs/deploy.md, *Joins*). Every refusal below is a frame and a close.
        await self.accept_once()
        code = self.scope["url_route"]["kwargs"]["code"]
        as_observer = b"view=projector" in self.scope.get("query_string", b"")
        try:
            actor = await pooled(_resolve)(
                code,
                self.scope.get("user"),
                self.scope["session"],
                as_observer,
                socket_address(self.scope),
            )
        except ActionRefused as refused:
            # Too many wrong codes from this address (workshops.code_guessing).
            await self._send(error_reply(None, refused.code, refused.message))
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.language = _socket_language(self.scope, actor, as_observer=as_observer)
        with translation.override(self.language):
            await self._connect(actor)

    async def _connect(self, actor: Actor | None) -> None:
        if actor is None:
            await self._send(error_reply(None, "not_found", _("No workshop has this code.")))
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if _joining(self.scope) and actor.role in {Role.OUTSIDER, Role.OBSERVER}:
            refused = _join_refused(actor, self.scope["session"])
            if refused is not None:
                # Nothing to wait for: answered and closed as a socket with no role is,
                # rather than held open for a join that cannot come.
                await self._send(error_reply(None, refused.code, refused.message))
                await self.close(code=CLOSE_FORBIDDEN)
                return
            # The join page opens its socket while the person reads and types; their
            # `join` makes it the room's (docs/protocol.md). Until then it is in no room
            # and is sent nothing, also for a browser that opened the read-only link:
            # the page waits for the room of a participant.
            self.actor = actor
            self.waiting_to_join = True
            self._join_wait_start()
            return
        if actor.role is Role.OUTSIDER:
            await self._send(error_reply(None, "forbidden", _("Join the workshop first.")))
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self._enter(actor, since=_since(self.scope))

    async def _enter(self, actor: Actor, *, since: str | None = None) -> None:
        """Count the socket, register it with the room's hub and send the person's snapshot."""
        if actor.participant is not None:
            if not await pooled(connection_open)(actor.participant.pk):
                message = _("This workshop is already open in too many tabs; close one.")
                await self._send(error_reply(None, "too_many_connections", message))
                await self.close(code=CLOSE_TOO_MANY)
                return
            self.counted_participant = actor.participant.pk
        self.actor = actor
        self.waiting_to_join = False
        # Join before reading the snapshot: an event racing the read then arrives after
        # it, and the page applies it idempotently, so nothing falls between the two.
        self.hub = room_hub(actor.workshop.pk)
        await self.hub.add(self)
        # A page that holds a snapshot still current gets only what is read fresh.
        if since is not None:
            current = await pooled(room_snapshot_current)(actor=actor, since=since)
            if current is not None:
                await self.send_snapshot(current, frame_type="snapshot.current")
                return
        await self.send_snapshot(await pooled(room_snapshot)(actor=actor))

    def _join_wait_start(self) -> None:
        """Give the phone SAMSKAB_JOIN_WAIT_SECONDS (again) to send its `join`."""
        self._join_wait_stop()
        seconds = settings.SAMSKAB["JOIN_WAIT_SECONDS"]
        self.join_wait = asyncio.get_running_loop().create_task(self._join_wait_over(seconds))

    def _join_wait_stop(self) -> None:
        wait, self.join_wait = self.join_wait, None
        if wait is not None and wait is not asyncio.current_task():
            wait.cancel()

    async def _join_wait_over(self, seconds: float) -> None:
        """No `join` came in time: say why and close, rather than hold the socket for ever.

        A page left open in a tab, or a phone gone, would otherwise hold it until the
        server restarts. Every socket counts: no limit per address, which a town hall's
        phones share (docs/protocol.md).
        """
        await asyncio.sleep(seconds)
        if not self.waiting_to_join or self.actor is None:
            return
        # Decided before anything is awaited: a frame arriving meanwhile finds no actor.
        self.waiting_to_join = False
        self.actor = None
        self.join_wait = None
        with translation.override(self.language):
            message = _(
                "This page waited a long time for you to join. "
                "It connects again when you come back to it."
            )
        with contextlib.suppress(Exception):
            # The socket may have gone meanwhile; then nobody is left to tell.
            await self._send(error_reply(None, "join_timeout", message))
            await self.close(code=CLOSE_JOIN_TIMEOUT)

    async def disconnect(self, code: int) -> None:
        await self.leave()

    async def leave(self) -> None:
        """Give back this socket's connection count and leave the room's hub (once)."""
        self._join_wait_stop()
        participant, self.counted_participant = self.counted_participant, None
        hub, self.hub = self.hub, None
        if participant is not None:
            await pooled(connection_closed)(participant)
        if hub is not None:
            await hub.remove(self)
        # Nothing more is answered on a socket that has left its room.
        self.actor = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message["type"] in STRAIGHT_TO_HANDLER:
            # Straight to the handler. Channels first closes the database connections
            # of the thread its synchronous code shares (Django's CONN_MAX_AGE), a hop to
            # that one thread and back for every message: a busy vote's frames queued for
            # it behind whatever ran there (a tally's reads), and so did each joining
            # phone's handshake and each hang-up (docs/deploy.md, *Joins*). This socket
            # touches the database only through database_sync_to_async, which closes old
            # connections in its own thread, before and after.
            await getattr(self, get_handler_name(message))(message)
            return
        await super().dispatch(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        # Channels' own closes the shared thread's old connections after `disconnect`:
        # the hop `dispatch` saves. This socket is in no channel-layer group (its hub is).
        await self.disconnect(message["code"])
        raise StopConsumer

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.actor is None:
            return
        with translation.override(self.language):
            await self._receive(text_data)

    async def _receive(self, text_data: str | None) -> None:
        frame, problem = frame_parse(text_data)
        if problem is not None:
            await self._send(problem)
            return
        request_id = frame.get("request_id")
        try:
            if frame.get("type") == "ping":
                await self._send({"type": "pong", "request_id": request_id})
                return
            if self.waiting_to_join:
                # Only its `join` is taken; any other socket's `join` is the room command's
                # (a phone in the room is answered who it is, anyone else is refused).
                if frame.get("type") == "join":
                    await self._join(frame)
                else:
                    await self._send(
                        error_reply(request_id, "forbidden", _("Join the workshop first."))
                    )
                return
            command = registry.COMMANDS.get(frame["type"])
            if command is not None and command.batched and self.actor is not None:
                # A vote: committed together with those arriving at the same time.
                self.actor, reply = await command_batch().handle(
                    actor=self.actor, frame=frame, language=self.language
                )
            else:
                self.actor, reply = await pooled(command_handle)(
                    actor=self.actor, frame=frame, language=self.language
                )
            await self._send(reply)
        except Exception:
            # A fault of ours, not of the frame: the transaction rolled back, so nothing
            # changed; the person gets an answer and keeps the socket.
            logger.exception("room command %r failed", frame.get("type"))
            message = _("Something went wrong on our side; nothing changed. Try again.")
            await self._send(error_reply(request_id, "server_error", message))

    async def _join(self, frame: dict[str, Any]) -> None:
        """`join` from a phone not in the room: the answer, then the room's snapshot."""
        if self.actor is None:
            return
        # The join came in time: nothing ends the socket while it is made.
        self._join_wait_stop()
        try:
            actor, reply = await pooled(join_handle)(
                actor=self.actor,
                session=self.scope["session"],
                frame=frame,
                language=self.language,
            )
        except Exception:
            # Answered as a fault of ours (nothing changed); the phone may try again.
            self._join_wait_start()
            raise
        await self._send(reply)
        if reply["type"] != "ack":
            # Refused (a name too long, say): the phone may try again, with time to.
            self._join_wait_start()
            return
        try:
            await self._enter(actor)
        except Exception:
            # The phone has joined (its session names the participant) but the room could
            # not be read: the socket ends as one that could not open, and the page's
            # reconnect finds the room as this participant.
            logger.exception("the room's socket could not open after a join")
            await self.end_after_fault(
                _("You have joined, but the room could not be shown. The page tries again.")
            )

    # The consumer's own name for the shared guard (tests call it so).
    _parse = staticmethod(frame_parse)

    # What the room's hub calls (workshops.hub.Listener).

    @property
    def hub_participant(self) -> int | None:
        actor = self.actor
        return actor.participant.pk if actor is not None and actor.participant else None

    @property
    def hub_language(self) -> str | None:
        return self.language

    def hub_facilitator(self) -> bool | None:
        return None if self.actor is None else self.actor.role is Role.FACILITATOR

    async def hub_close(self, message: dict[str, Any]) -> None:
        """This participant was removed from the room: say why, then hang up."""
        if self.actor is None:
            return
        # The message travels as its source text (events.disconnect_participant).
        with translation.override(self.language):
            text = _(message["message"])
        await self._send(error_reply(None, message["code"], text))
        self.actor = None
        await self.close(code=CLOSE_FORBIDDEN)

    async def hub_resync(self) -> None:
        """The bus dropped events: send the whole room again, as on a reconnect."""
        if self.actor is None:
            return
        actor = await pooled(actor_refresh)(self.actor)
        if actor.role is Role.OUTSIDER:
            self.actor = None
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.actor = actor
        with translation.override(self.language):
            snapshot = await pooled(room_snapshot)(actor=actor)
        await self.send_frame({"type": "snapshot", "data": snapshot})

    async def _send(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False))
