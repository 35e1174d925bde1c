"""Hot commands that arrive together share one transaction; each is still answered alone.

A busy room votes hundreds of times a second. Committed one by one, every vote pays
for a commit of its own (on SQLite a synced write of the log, on PostgreSQL a synced
write of the WAL) and a hop to the database thread. Here the commands registered
as `batched` (workshops.registry.Command) queue in the process; while one batch is
in the database the next gathers, so under load a batch holds what arrived during
the last one and in a quiet room a command goes alone, without waiting.

A command that can be carried out together with others of its type (a vote of any
method: workshops.registry.Command.together) is, for every participant whose commands in
the batch are all of that type: their reads and writes are shared, so a batch costs
a few round trips to the database however many it holds, in one savepoint; a
database error there rolls the savepoint back and each is carried out again alone.
Every other command runs in its own savepoint (its service is @transaction.atomic),
so a refused or failed command changes nothing and the others still commit. Events are
published after the batch commits, and every reply is sent after it too: nobody is
told of a vote that could still be rolled back. If the batch itself cannot commit,
nothing of it was kept and each command is carried out again on its own; the
batched commands set a state (a number of dots, a mark, a ranking), so carrying
one out again lands it once.

Every batch locks its participants in one order (the groups carried out together
one command type after another, each by id, then the others by id; a participant's
votes are all of their room's method), so batches in flight at the same time, in
this process or another, do not wait on each other in a circle over participants:
SQLite has one batch in the database at a time, PostgreSQL two per
process (batches_in_flight). A deadlock PostgreSQL finds all the same (two batches
making a room's ballot at its very first votes) fails one command, which is then
carried out again alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from django.db import DatabaseError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from . import registry
from .actors import Actor
from .commands import command_handle, commands_together, error_reply
from .events import Held, events_held, events_send

logger = logging.getLogger(__name__)

# Most commands in one transaction: locks are held until it commits, a reply waits for
# the whole batch, and on SQLite the room's tally waits behind it for the one thread.
MAX_BATCH = 50


@dataclass
class _Waiting:
    actor: Actor
    frame: dict[str, Any]
    language: str | None
    answer: asyncio.Future[tuple[Actor, dict[str, Any]]] = field(repr=False)


def _server_error(request_id: Any, language: str | None) -> dict[str, Any]:
    with translation.override(language):
        message = _("Something went wrong on our side; nothing changed. Try again.")
    return error_reply(request_id, "server_error", message)


def _handle_alone(item: _Waiting) -> tuple[Actor, dict[str, Any]]:
    try:
        return command_handle(actor=item.actor, frame=item.frame, language=item.language)
    except Exception:
        logger.exception("room command %r failed", item.frame.get("type"))
        return item.actor, _server_error(item.frame.get("request_id"), item.language)


def batch_handle(items: list[_Waiting]) -> tuple[list[tuple[Actor, dict[str, Any]]], Held]:
    """Carry out the commands in one transaction: a reply for each, in order, and the events.

    The events the batch published are handed back, to be sent from the server's loop
    before the replies (events_send). A command that meets a database error (a
    deadlock with another process, say) is carried out again on its own once the
    batch has committed; its events go out as any single command's do.
    """
    answers: list[tuple[Actor, dict[str, Any]] | None] = [None] * len(items)
    # A participant's locks are taken in one order by every batch, which keeps two
    # processes' batches from waiting on each other; a participant's own commands
    # keep their order (the sort is stable).
    order = sorted(
        range(len(items)),
        key=lambda index: getattr(items[index].actor.participant, "pk", 0),
    )
    together = _together(items, order)
    held: Held = []
    try:
        with events_held() as held, transaction.atomic():
            # By kind, in one order, so that each batch's groups lock theirs in one order.
            for kind, indices in sorted(together.items()):
                _handle_together(kind, [items[index] for index in indices], indices, answers)
            grouped = {index for indices in together.values() for index in indices}
            for index in order:
                if index in grouped:
                    continue
                item = items[index]
                try:
                    answers[index] = command_handle(
                        actor=item.actor, frame=item.frame, language=item.language
                    )
                except DatabaseError:
                    # Its savepoint was rolled back; try it again after the others.
                    logger.warning("room command %r retried alone", item.frame.get("type"))
                except Exception:
                    logger.exception("room command %r failed", item.frame.get("type"))
                    answers[index] = (
                        item.actor,
                        _server_error(item.frame.get("request_id"), item.language),
                    )
            if transaction.get_rollback():
                # A savepoint could not be rolled back: the batch would end rolled back
                # in silence, so nothing of it may be answered as done.
                raise DatabaseError("the batch's transaction can only be rolled back")
    except DatabaseError:
        # The batch did not commit: none of it was kept, and no event of it was sent.
        logger.exception("a batch of %d room commands did not commit", len(items))
        answers = [None] * len(items)
        held = []
    replies = [
        answer if answer is not None else _handle_alone(item)
        for answer, item in zip(answers, items, strict=True)
    ]
    return replies, held


def _together(items: list[_Waiting], order: list[int]) -> dict[str, list[int]]:
    """The commands to carry out together, by type, in lock order.

    Those of a type that can be (workshops.registry.Command.together), of participants
    whose every command in this batch is of that one type, so that each
    participant's commands still run in the order they came.
    """
    kinds: dict[int, set[Any]] = {}
    for item in items:
        if item.actor.participant is not None:
            kinds.setdefault(item.actor.participant.pk, set()).add(item.frame.get("type"))
    groups: dict[str, list[int]] = {}
    for index in order:
        item = items[index]
        kind = item.frame.get("type")
        command = registry.COMMANDS.get(kind) if isinstance(kind, str) else None
        if command is None or command.together is None or item.actor.participant is None:
            continue
        if kinds[item.actor.participant.pk] == {kind}:
            groups.setdefault(str(kind), []).append(index)
    return groups


def _handle_together(
    kind: str,
    batch: list[_Waiting],
    indices: list[int],
    answers: list[tuple[Actor, dict[str, Any]] | None],
) -> None:
    """Carry out one type's commands at once in a savepoint of their own, or none of them."""
    try:
        with transaction.atomic():
            replies = commands_together(
                registry.COMMANDS[kind], [(item.actor, item.frame, item.language) for item in batch]
            )
    except DatabaseError:
        # The savepoint was rolled back: each is carried out again alone after the batch.
        logger.warning("%d room commands %r retried alone", len(batch), kind)
        return
    except Exception:
        logger.exception("%d room commands %r failed", len(batch), kind)
        replies = [_server_error(item.frame.get("request_id"), item.language) for item in batch]
    for index, item, reply in zip(indices, batch, replies, strict=True):
        answers[index] = (item.actor, reply)


@contextlib.contextmanager
def one_round_trip() -> Iterator[None]:
    """Send the block's statements without waiting for each answer, on PostgreSQL.

    psycopg's pipeline mode: statements go out as they are executed and their
    answers are read when first fetched, so statements that do not need each
    other's answers cost one round trip together instead of one each. The server
    still runs them in order. Elsewhere (SQLite, in process) the block runs as it is.
    """
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw: Any = connection.connection
    # An error surfaces when the pipeline syncs; Django's wrapper makes it a DatabaseError.
    with connection.wrap_database_errors, raw.pipeline():
        yield


def batches_in_flight() -> int:
    """How many batches may be in the database at once: one on SQLite, two on PostgreSQL.

    SQLite takes one writer at a time. PostgreSQL answers each statement over a round
    trip: while one batch waits for an answer, another can use the server.
    """
    return 1 if connection.vendor == "sqlite" else POSTGRES_BATCHES_IN_FLIGHT


POSTGRES_BATCHES_IN_FLIGHT = 2


class CommandBatch:
    """The process's queue of batched commands, and the tasks that carry them out."""

    def __init__(self) -> None:
        self.waiting: list[_Waiting] = []
        self.draining: set[asyncio.Task[None]] = set()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def handle(
        self, *, actor: Actor, frame: dict[str, Any], language: str | None
    ) -> tuple[Actor, dict[str, Any]]:
        """The actor and the reply, once the command's batch has committed."""
        loop = asyncio.get_running_loop()
        self.loop = loop
        answer: asyncio.Future[tuple[Actor, dict[str, Any]]] = loop.create_future()
        self.waiting.append(_Waiting(actor, frame, language, answer))
        self.draining = {task for task in self.draining if not task.done()}
        if len(self.draining) < batches_in_flight():
            # A fresh context: the drain outlives this socket, and must not run on a
            # database thread that belongs to it.
            self.draining.add(loop.create_task(self._drain(), context=contextvars.Context()))
        return await answer

    async def _drain(self) -> None:
        run = database_sync_to_async(batch_handle, thread_sensitive=connection.vendor == "sqlite")
        while self.waiting:
            batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
            try:
                answers, held = await run(batch)
                # The room hears of the votes before the voters are answered.
                await events_send(held)
            except Exception:
                logger.exception("a batch of %d room commands failed", len(batch))
                answers = [
                    (item.actor, _server_error(item.frame.get("request_id"), item.language))
                    for item in batch
                ]
            for item, answer in zip(batch, answers, strict=True):
                if not item.answer.done():
                    item.answer.set_result(answer)


_BATCHES: dict[int, CommandBatch] = {}


def command_batch() -> CommandBatch:
    """This event loop's batch (a test's server runs on a loop of its own)."""
    loop = asyncio.get_running_loop()
    batch = _BATCHES.get(id(loop))
    if batch is None or (batch.loop is not None and batch.loop is not loop):
        batch = _BATCHES[id(loop)] = CommandBatch()
    return batch
