"""What everyone in a room sees alike: read once per change of the room, not once per screen.

A citizen joining reads the room twice (the page, then the socket's snapshot), and a
thousand join within seconds. Most of what they read is the same for every citizen:
the wall, the clusters, the ballot and public tallies, the value propositions. Those
parts are kept in the cache under the room's version, a random token replaced
whenever the room publishes an event (workshops.events.publish: after the write
commits, before the event is sent). Nothing changes without the room hearing of it,
so a part kept under the current version is what a fresh read would give; a write
committing at that very moment reaches the screen as its event, as it always did.

A reader takes the version before it reads the database: a read that raced a write
is kept under the version that write replaces, and nobody asks for that again. The
version is a token rather than a counter, so an evicted or lost version can never
bring back parts kept under an old one.

Only citizens and observers share parts: a facilitator's view (the review queue,
pending suggestions) is read fresh. Nothing of one person (their ballot, flags, ideas
waiting for review, name consent) is ever kept here.

Each process also keeps the parts it last used as objects, under the same keys: a
part read back from the cache is unpickled on every read, which for a wall of 500
ideas cost a joining phone about 2 ms for its page and again for its socket. The
version is still asked of the cache on every read, so a process never hands out a
part the room has retired; callers treat a part as read-only.

A snapshot says which versions it was read at (snapshot_version): the room's, and for
a citizen the version of their own parts (their votes, flags, ideas held for review,
name consent, name and standing), a token of its own replaced by own_parts_changed()
whenever one of them changes, in the transaction that changes it and again once it
commits. Those change without an event to the room, so the room's version alone
cannot tell. A socket opened by a page whose snapshot is still current answers with
what is read fresh instead of the whole room again (workshops.selectors,
room_snapshot_since).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from .phases import Role

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Roles that see the room alike: their parts may be shared between screens.
SHARED_ROLES = frozenset({Role.CITIZEN, Role.OBSERVER})
# A write that publishes no event (the retention job, run as its own process) shows
# in new snapshots within this many seconds.
PART_SECONDS = 30
# Parts this process keeps as objects: a few rooms' current parts in a few languages.
LOCAL_PARTS = 64

_local: OrderedDict[str, tuple[float, Any]] = OrderedDict()
_local_lock = threading.Lock()
_reading: dict[str, threading.Lock] = {}


def _version_key(workshop_id: int) -> str:
    return f"room-version:{workshop_id}"


def _version(workshop_id: int) -> str:
    key = _version_key(workshop_id)
    version = cache.get(key)
    if version is None:
        # add() keeps whichever token another reader stored first.
        cache.add(key, secrets.token_hex(8), timeout=None)
        version = cache.get(key)
    return str(version)


def room_changed(workshop_id: int) -> None:
    """Retire every part kept for this room; call after the change has committed."""
    cache.set(_version_key(workshop_id), secrets.token_hex(8), timeout=None)


def _own_key(participant_id: int) -> str:
    return f"own-parts:{participant_id}"


def own_parts_retire(*participant_ids: int) -> None:
    """Retire the version of these participants' own parts now; call once the change committed."""
    cache.set_many(
        {_own_key(participant_id): secrets.token_hex(8) for participant_id in participant_ids},
        timeout=None,
    )


def own_parts_changed(*participant_ids: int) -> None:
    """Retire the version of these participants' own parts, now and once the transaction commits.

    Now, so a snapshot read later in this transaction is never taken for one read
    before it; at the commit, so nothing read between the two is either. A reader
    takes the version before it reads the database (snapshot_version), so a read
    racing the change is labelled with a version the change replaces.
    """
    ids = [participant_id for participant_id in participant_ids if participant_id is not None]
    if not ids:
        return
    try:
        own_parts_retire(*ids)
    except Exception:
        # The commit below still retires it; until then a snapshot says it is unsure.
        logger.warning("could not retire the own parts of %s", ids, exc_info=True)
    transaction.on_commit(partial(own_parts_retire, *ids), robust=True)


def snapshot_version(
    *, workshop_id: int, participant_id: int | None, role: Role, revision: int
) -> str | None:
    """The versions a snapshot of this person is read at, as one string; None if unknown.

    Only for roles whose snapshot is the room's shared parts and their own (not a
    facilitator's, read fresh). Take it before reading the snapshot. Changes with the
    room's version, the person's own parts, the workshop's revision and the language.
    """
    if role not in SHARED_ROLES:
        return None
    keys = [_version_key(workshop_id)]
    if participant_id is not None:
        keys.append(_own_key(participant_id))
    tokens = cache_tokens(keys, unavailable="snapshot versions unavailable")
    if tokens is None:
        return None
    return ".".join([*tokens, str(revision), translation.get_language() or ""])


def cache_tokens(keys: list[str], *, unavailable: str) -> tuple[str, ...] | None:
    """The tokens under these keys now, a new one stored for any missing; None if unknown.

    A token stands for "nothing changed since": whoever changes what it guards
    replaces it. A missing token is stored by the first reader (add() keeps whichever
    another reader stored first), so every reader agrees on it. A cache that cannot
    answer gives None, and the caller reads afresh (logged with `unavailable`).
    """
    try:
        found = cache.get_many(keys)
        missing = [key for key in keys if key not in found]
        if missing:
            for key in missing:
                cache.add(key, secrets.token_hex(8), timeout=None)
            found = cache.get_many(keys)
    except Exception:
        logger.warning(unavailable, exc_info=True)
        return None
    if any(key not in found for key in keys):
        return None
    return tuple(str(found[key]) for key in keys)


def room_part(*, workshop_id: int, role: Role, name: str, read: Callable[[], T]) -> T:
    """`read()`, shared by every screen of this role in the room until the room changes.

    Precondition: what `read` returns depends on the workshop and the role only, and
    nobody changes what this returns (other screens are handed the same object).
    """
    if role not in SHARED_ROLES:
        return read()
    version = _version(workshop_id)
    # Labels in a part are translated: each language keeps its own.
    key = f"room-part:{workshop_id}:{version}:{role.value}:{name}:{translation.get_language()}"
    found = _fresh_local(key)
    if found is None:
        # One reader per part in this process: when a part expires under a crowd of
        # joining phones, the others wait for it rather than all reading the wall.
        with _local_lock:
            reading = _reading.setdefault(key, threading.Lock())
        with reading:
            found = _fresh_local(key)
            if found is None:
                # Kept with the time it expires, so a process that takes it from the
                # cache keeps it no longer than the cache does: a write without an
                # event shows as promised.
                found = cache.get(key)
                if found is None:
                    found = (time.time() + PART_SECONDS, read())
                    cache.set(key, found, timeout=PART_SECONDS)
                with _local_lock:
                    _local[key] = found
                    while len(_local) > LOCAL_PARTS:
                        _local.popitem(last=False)
        with _local_lock:
            _reading.pop(key, None)
    part: T = found[1]
    return part


def _fresh_local(key: str) -> tuple[float, Any] | None:
    with _local_lock:
        found = _local.get(key)
    return found if found is not None and found[0] > time.time() else None
