"""Telling the room the tally, at most a few times a second however fast votes arrive.

Every committed vote asks for a tally. The first ask in a window adds a key to the
shared cache and schedules one publish for the end of the window; asks while the key
exists ride along. The publish deletes the key *before* it reads the votes, so a vote
that commits while the tally is being computed schedules the next one: the last
message a room receives always includes the last vote.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.core.cache import cache
from django.db import connection, connections

from workshops.events import Audience, Held, events_held, events_send, publish
from workshops.models import Workshop

from .models import Ballot
from .selectors import ballot_of, tallies_as_of, tallies_of, voter_count

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 0.25
# If a process dies inside its window the key must not block the room for long.
PENDING_TIMEOUT_SECONDS = 5


def _pending_key(workshop_id: int) -> str:
    return f"samskab:voting:tally-pending:{workshop_id}"


def _voters_key(workshop_id: int) -> str:
    return f"samskab:voting:voters-told:{workshop_id}"


def _run_later(delay: float, function: Callable[..., Any], *args: Any) -> None:
    """Run `function(*args)` after `delay` seconds: on the server's loop when there is one.

    Inside the server the call is timed by the server's own event loop and run on its
    database thread, from where the event is sent on that loop. Sent from a thread
    of its own instead, the in-memory channel layer would put it into the hub's
    queue without waking the loop, and every screen would wait for the loop's next
    reason to wake (up to a second was seen). Outside a server (a management
    command) a timer thread does it.
    """
    loop = _server_loop()
    if loop is not None:
        # A fresh context: the caller's says it runs on the database thread, and a task
        # inheriting that would refuse to hand work to that thread.
        loop.call_soon_threadsafe(
            loop.call_later, delay, _start_on_loop, function, args, context=contextvars.Context()
        )
        return

    def run() -> None:
        try:
            function(*args)
        except Exception:
            # A lost tally is repaired by the next vote or the next snapshot.
            logger.exception("could not publish the tally")
        finally:
            # This thread opened its own database connection; do not leak it.
            connections.close_all()

    timer = threading.Timer(delay, run)
    timer.daemon = True
    timer.start()


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop this synchronous code was called from, if it is still running.

    In the server's worker threads async_to_sync runs on the server's loop; anywhere
    else it makes a loop of its own, closed again by the time it returns.
    """
    try:
        loop = async_to_sync(_running_loop)()
    except RuntimeError:  # called on an event loop's own thread
        return None
    return None if loop.is_closed() else loop


# The last tally run started on the server's loop for each room, kept until done (the
# loop holds tasks weakly). A run for a room waits for the one before it: on the pool's
# threads two runs could otherwise read at once and the older one, finishing last,
# would tell the room an older count after a newer one.
_LAST_RUN: dict[tuple[Any, ...], asyncio.Task[None]] = {}


def _start_on_loop(function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    key = (function, *args)
    previous = _LAST_RUN.get(key)
    task = asyncio.get_running_loop().create_task(_run_after(previous, function, args))
    _LAST_RUN[key] = task

    def forget(done: asyncio.Task[None]) -> None:
        if _LAST_RUN.get(key) is done:
            del _LAST_RUN[key]

    task.add_done_callback(forget)


async def _run_after(
    previous: asyncio.Task[None] | None, function: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    if previous is not None:
        # It logs its own failure (_run_on_database_thread); only its end matters here.
        await asyncio.wait([previous])
    await _run_on_database_thread(function, args)


async def _run_on_database_thread(function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    # On PostgreSQL on any of the pool's threads: the one thread that synchronous code
    # shares by default is where Channels closes old connections before each socket
    # frame, so a tally there held up every frame of the process. SQLite takes one
    # writer at a time: there it stays on that thread (workshops.consumers.pooled).
    run = database_sync_to_async(_held, thread_sensitive=_one_writer_at_a_time())
    try:
        held = await run(function, args)
        # Sent from here, the loop: the database thread waits for no send.
        await events_send(held)
    except Exception:
        logger.exception("could not publish the tally")


def _one_writer_at_a_time() -> bool:
    return connection.vendor == "sqlite"


def _held(function: Callable[..., Any], args: tuple[Any, ...]) -> Held:
    """Run `function(*args)`, keeping the events it publishes to send from the loop."""
    with events_held() as held:
        function(*args)
    return held


# Tests replace this to run the window by hand instead of on a timer thread.
schedule: Callable[..., None] = _run_later


def tally_soon(workshop_id: int) -> None:
    """Publish the workshop's tally at the end of the current window (call after commit)."""
    if cache.add(_pending_key(workshop_id), 1, timeout=PENDING_TIMEOUT_SECONDS):
        schedule(WINDOW_SECONDS, tally_publish, workshop_id)


def tally_publish(workshop_id: int) -> None:
    """Read the tally now and send it to whoever may see it."""
    # Delete first: a vote committing from here on must schedule a fresh tally.
    cache.delete(_pending_key(workshop_id))
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    if workshop is None:
        return
    as_of = tallies_as_of()
    ballot = ballot_of(workshop=workshop)
    audience = Audience.EVERYONE if ballot.tallies_public else Audience.FACILITATORS
    publish(
        workshop,
        "votes.tallied",
        {"tallies": tallies_of(ballot=ballot), "revealed": ballot.tallies_public, "as_of": as_of},
        audience=audience,
    )
    voters_publish(workshop, ballot=ballot, as_of=as_of)


def voters_publish(workshop: Workshop, *, ballot: Ballot, as_of: int) -> None:
    """Tell everyone how many have voted, if that changed since the room last heard it.

    A thousand phones hear it once per window in which someone voted for the first
    time, not with every dot; never the tallies themselves.
    """
    voters = voter_count(ballot=ballot)
    if cache.get(_voters_key(workshop.pk), 0) != voters:
        cache.set(_voters_key(workshop.pk), voters, timeout=24 * 60 * 60)
        publish(workshop, "votes.counted", {"voters": voters, "as_of": as_of})
