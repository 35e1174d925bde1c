from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import Q, QuerySet

from . import registry
from .actors import Actor, ParticipantCount
from .codes import looks_like_join_code, normalize_join_code
from .models import Participant, Workshop
from .phases import Role
from .room_cache import snapshot_version
from .serializers import server_time, workshop_as_dict


def workshop_by_code(*, code: str) -> Workshop | None:
    """The workshop with this join code, read from the database now (or None)."""
    normalized = normalize_join_code(code)
    if not looks_like_join_code(normalized):
        return None
    # Every page and socket of a room reads its workshop by code, three times a join:
    # written out, the statement skips the ORM's composing of it, more than half of
    # the read's CPU (docs/deploy.md, *Joins*). The same row, columns and conversions
    # as Workshop.objects.get(join_code=...); the code is unique.
    alias = router.db_for_read(Workshop)
    quote = connections[alias].ops.quote_name
    meta = Workshop._meta
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    sql = (
        f"SELECT {columns} FROM {quote(meta.db_table)} "  # noqa: S608 - the model's names
        f"WHERE {quote(meta.get_field('join_code').column)} = %s"
    )
    for workshop in Workshop.objects.raw(sql, [normalized], using=alias):
        return workshop
    return None


def workshops_facilitated_by(*, user: Any) -> QuerySet[Workshop]:
    return Workshop.objects.filter(Q(owner=user) | Q(facilitators=user)).distinct()


def participant_count(*, workshop: Workshop) -> ParticipantCount:
    """How many have joined the room, counted now, with the newest participant counted."""
    # Counted by every join and every socket that opens: written out, the statement
    # skips the ORM's composing of an aggregate, nearly all of the count's CPU
    # (docs/deploy.md, *Joins*). The same as Participant.objects.filter(...).aggregate(
    # Count("pk"), Max("pk")), read in one statement so the two agree.
    alias = router.db_for_read(Participant)
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = Participant._meta
    pk = quote(meta.pk.column)
    sql = (
        f"SELECT COUNT(*), COALESCE(MAX({pk}), 0) FROM {quote(meta.db_table)} "  # noqa: S608 - the model's names
        f"WHERE {quote(meta.get_field('workshop').column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [workshop.pk])
        row = cursor.fetchone()
    return ParticipantCount(total=int(row[0]), as_of=int(row[1]))


def _you(actor: Actor) -> dict[str, Any]:
    you: dict[str, Any] = {"role": actor.role.value, "participant_id": None, "display_name": ""}
    if actor.role is Role.CITIZEN and actor.participant is not None:
        you["participant_id"] = actor.participant.pk
        you["display_name"] = actor.participant.display_name
    return you


def _version(actor: Actor) -> str | None:
    participant = actor.participant if actor.role is Role.CITIZEN else None
    return snapshot_version(
        workshop_id=actor.workshop.pk,
        participant_id=participant.pk if participant is not None else None,
        role=actor.role,
        revision=actor.workshop.revision,
    )


def room_snapshot(*, actor: Actor) -> dict[str, Any]:
    """Everything this person may see of the room right now; events then keep it current."""
    workshop = actor.workshop
    # Taken before anything is read: a change committing meanwhile replaces it.
    version = _version(actor)
    # A join has just counted the room (workshops.actors, room_count).
    count = actor.room_count
    if count is None:
        count = participant_count(workshop=workshop)
    snapshot = {
        "workshop": workshop_as_dict(workshop),
        "participant_count": count.total,
        "participant_count_as_of": count.as_of,
        "you": _you(actor),
        "server_time": server_time(),
        "version": version,
    }
    # Each app adds what it keeps of the room, filtered for this person (workshops.registry).
    for part in registry.SNAPSHOT_PARTS:
        snapshot.update(part(actor=actor))
    return snapshot


def room_snapshot_current(*, actor: Actor, since: str) -> dict[str, Any] | None:
    """What is read fresh for a snapshot, when the one of version `since` (the page's) is
    still what the room holds; else None, and the socket sends the whole room.

    The version changes with every event to the room, with the person's own parts and
    with the workshop's revision, so an unchanged one means a fresh read would give the
    same snapshot but for what is read fresh every time: the workshop, the participant
    count (joining publishes no new version), who the person is and the server's clock.
    """
    version = _version(actor)
    if version is None or version != since:
        return None
    count = participant_count(workshop=actor.workshop)
    return {
        "workshop": workshop_as_dict(actor.workshop),
        "participant_count": count.total,
        "participant_count_as_of": count.as_of,
        "you": _you(actor),
        "server_time": server_time(),
        "version": version,
    }
