"""Approval and ranking votes that arrive together are carried out together, as dots are.

What a voter notices: each vote is answered as it would be alone (the same ack, the same
refusal code and message in their language), a resend lands once, one voter's refusal
leaves the others' votes counted, and the tally the room is shown adds up the votes kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ideas.models import Cluster, Idea
from moderation.services import participant_mute
from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory, actor_for
from tests.voting.conftest import RecordingLayer, TallyWindows
from voting import services
from voting.models import Ballot, Vote, Voter
from workshops import registry
from workshops.actors import Actor
from workshops.batching import _Waiting, batch_handle
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db(transaction=True)

# Stands in for the socket's wait: batch_handle answers by return value, not through it.
_NOT_AWAITED: Any = None

RULES: dict[str, Any] = {
    "target": "idea",
    "dots_per_participant": 5,
    "max_dots_per_item": 3,
    "rank_count": 3,
    "show_live": True,
}


def rules(host: Actor, method: str) -> None:
    services.ballot_configure(actor=host, method=method, **RULES)


def approve(actor: Actor, idea_id: int, request_id: str, approved: bool = True) -> _Waiting:
    frame = {
        "type": "vote.approve",
        "request_id": request_id,
        "target_type": "idea",
        "target_id": idea_id,
        "approved": approved,
    }
    return _Waiting(actor, frame, "en", _NOT_AWAITED)


def rank(actor: Actor, order: list[int], request_id: str, target_type: str = "idea") -> _Waiting:
    frame = {"type": "vote.rank", "request_id": request_id, "target_type": target_type}
    return _Waiting(actor, {**frame, "order": order}, "en", _NOT_AWAITED)


def dots(actor: Actor, idea_id: int, request_id: str) -> _Waiting:
    frame = {
        "type": "vote.set",
        "request_id": request_id,
        "target_type": "idea",
        "target_id": idea_id,
        "dots": 1,
    }
    return _Waiting(actor, frame, "en", _NOT_AWAITED)


def in_danish(item: _Waiting) -> _Waiting:
    return dataclasses.replace(item, language="da")


def replies_of(batch: list[_Waiting]) -> list[dict[str, Any]]:
    answers, _held = batch_handle(batch)
    return [reply for _actor, reply in answers]


def kept_votes(workshop: Workshop) -> list[tuple[int, int | None, int, int | None]]:
    return sorted(
        Vote.objects.filter(ballot__workshop=workshop).values_list(
            "participant_id", "idea_id", "weight", "rank"
        )
    )


def totals_by_idea(workshop: Workshop) -> dict[int, int]:
    totals: dict[int, int] = {}
    for _participant, idea_id, weight, _rank in kept_votes(workshop):
        assert idea_id is not None
        totals[idea_id] = totals.get(idea_id, 0) + weight
    return totals


@pytest.fixture
def one_by_one(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Switches every vote command to being carried out alone, each in its savepoint."""

    def switch() -> None:
        for kind in ("vote.set", "vote.approve", "vote.rank"):
            command = registry.COMMANDS[kind]
            monkeypatch.setitem(
                registry.COMMANDS, kind, dataclasses.replace(command, together=None)
            )

    return switch


@dataclasses.dataclass
class Room:
    """A room in the vote phase: four voters (one muted by now), ideas in every state."""

    workshop: Workshop
    host: Actor
    voters: list[Actor]
    muted: Actor
    on_wall: list[int]
    hidden: int
    merged: int
    elsewhere: int


@pytest.fixture
def room(voting_room: Workshop) -> Room:
    author = ParticipantFactory(workshop=voting_room)

    def idea(**fields: Any) -> Idea:
        return IdeaFactory(author=author, **fields)

    on_wall = [idea().pk for _ in range(4)]
    hidden = idea(status=Idea.Status.HIDDEN).pk
    merged = idea(status=Idea.Status.MERGED, merged_into_id=on_wall[3]).pk
    elsewhere = IdeaFactory(author=ParticipantFactory(workshop=WorkshopFactory())).pk
    host = actor_for("facilitator", voting_room)
    voters = [actor_for("citizen", voting_room) for _ in range(3)]
    muted = actor_for("citizen", voting_room)
    # The socket still holds the actor it had before the facilitator muted them.
    participant_mute(actor=host, participant_id=muted.participant.pk)  # type: ignore[union-attr]
    return Room(voting_room, host, voters, muted, on_wall, hidden, merged, elsewhere)


def answered_alone_and_together(
    room: Room, batch: list[_Waiting], switch_to_one_by_one: Callable[[], None]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any, Any]:
    """The batch's replies and the votes kept: carried out together, then each alone."""
    together = replies_of(batch)
    kept_together = kept_votes(room.workshop)
    Vote.objects.all().delete()
    Voter.objects.all().delete()
    # The rate limits and the tally's windows start again as for the first run.
    cache.clear()
    switch_to_one_by_one()
    alone = replies_of(batch)
    return together, alone, kept_together, kept_votes(room.workshop)


def test_approvals_arriving_together_are_each_answered_as_alone(
    room: Room, room_bus: RecordingLayer, one_by_one: Callable[[], None]
) -> None:
    rules(room.host, "approval")
    otter, lynx, heron = room.voters
    wall = room.on_wall
    batch = [
        approve(otter, wall[0], "o-first"),
        approve(otter, wall[0], "o-again"),  # a resend: lands once
        approve(otter, room.hidden, "o-hidden"),
        approve(otter, room.merged, "o-merged"),
        approve(otter, wall[3], "o-second"),
        approve(otter, wall[0], "o-withdrawn", approved=False),
        approve(otter, room.elsewhere, "o-elsewhere"),
        in_danish(approve(lynx, wall[3], "l-first")),
        in_danish(approve(lynx, 10**9, "l-nowhere")),
        approve(room.muted, wall[1], "muted"),
        dots(heron, wall[2], "h-dots"),  # the page still shows dot voting
    ]

    together, alone, kept_together, kept_alone = answered_alone_and_together(
        room, batch, one_by_one
    )

    assert together == alone
    assert [(reply["request_id"], reply.get("code")) for reply in together] == [
        ("o-first", None),
        ("o-again", None),
        ("o-hidden", "not_found"),
        ("o-merged", "invalid"),
        ("o-second", None),
        ("o-withdrawn", None),
        ("o-elsewhere", "not_found"),
        ("l-first", None),
        ("l-nowhere", "not_found"),
        ("muted", "forbidden"),
        ("h-dots", "conflict"),
    ]
    assert together[8]["message"] == "Den idé findes ikke."
    assert [reply["data"]["revision"] for reply in together[:2]] == [1, 1]
    assert [vote["target_id"] for vote in together[5]["data"]["votes"]] == [wall[3]]
    assert kept_together == kept_alone
    otter_pk, lynx_pk = otter.participant.pk, lynx.participant.pk  # type: ignore[union-attr]
    assert kept_together == sorted([(otter_pk, wall[3], 1, None), (lynx_pk, wall[3], 1, None)])


def test_rankings_arriving_together_are_each_answered_as_alone(
    room: Room, room_bus: RecordingLayer, one_by_one: Callable[[], None]
) -> None:
    rules(room.host, "ranking")
    otter, lynx, heron = room.voters
    wall = room.on_wall
    batch = [
        rank(otter, [wall[0], wall[3]], "o-first"),
        rank(otter, [wall[0], wall[3]], "o-again"),  # a resend: lands once
        rank(otter, [wall[0], room.hidden], "o-hidden"),
        rank(otter, [room.merged, wall[0]], "o-merged"),
        rank(otter, [wall[1], wall[1]], "o-twice"),
        rank(otter, wall, "o-too-many"),
        rank(otter, [wall[2]], "o-clusters", target_type="cluster"),
        rank(otter, [], "o-cleared"),
        rank(otter, [wall[2], wall[1], wall[0]], "o-last"),
        in_danish(rank(lynx, [wall[3]], "l-first")),
        in_danish(rank(lynx, wall, "l-too-many")),
        rank(room.muted, [wall[1]], "muted"),
        approve(heron, wall[2], "h-approve"),  # the page still shows approval
    ]

    together, alone, kept_together, kept_alone = answered_alone_and_together(
        room, batch, one_by_one
    )

    assert together == alone
    assert [(reply["request_id"], reply.get("code")) for reply in together] == [
        ("o-first", None),
        ("o-again", None),
        ("o-hidden", "not_found"),
        ("o-merged", "invalid"),
        ("o-twice", "invalid"),
        ("o-too-many", "invalid"),
        ("o-clusters", "invalid"),
        ("o-cleared", None),
        ("o-last", None),
        ("l-first", None),
        ("l-too-many", "invalid"),
        ("muted", "forbidden"),
        ("h-approve", "conflict"),
    ]
    assert together[10]["message"] == "Sæt højst 3 ting i rækkefølge."
    assert [reply["data"]["remaining"] for reply in together[:2]] == [1, 1]
    assert together[7]["data"] == {"votes": [], "remaining": 3, "revision": 2}
    assert kept_together == kept_alone
    otter_pk, lynx_pk = otter.participant.pk, lynx.participant.pk  # type: ignore[union-attr]
    assert kept_together == sorted(
        [
            (otter_pk, wall[2], 3, 1),
            (otter_pk, wall[1], 2, 2),
            (otter_pk, wall[0], 1, 3),
            (lynx_pk, wall[3], 3, 1),
        ]
    )


@pytest.mark.parametrize("method", ["approval", "ranking"])
def test_a_crowds_votes_together_are_counted_once_and_the_room_is_shown_the_final_tally(
    voting_room: Workshop,
    ideas: list[Idea],
    host: Actor,
    room_bus: RecordingLayer,
    tally_windows: TallyWindows,
    method: str,
) -> None:
    rules(host, method)
    crowd = [actor_for("citizen", voting_room) for _ in range(12)]
    batch: list[_Waiting] = []
    for index, voter in enumerate(crowd):
        picks = [ideas[(index + step) % len(ideas)].pk for step in range(3)]
        for step in range(3):
            # Each vote adds one more idea; the last resent, as a phone does on reconnect.
            if method == "approval":
                batch.append(approve(voter, picks[step], f"{index}-{step}"))
            else:
                batch.append(rank(voter, picks[: step + 1], f"{index}-{step}"))
        batch.append(dataclasses.replace(batch[-1], frame={**batch[-1].frame}))

    answers, held = batch_handle(batch)

    assert all(reply["type"] == "ack" for _actor, reply in answers), answers
    assert len(Vote.objects.filter(ballot__workshop=voting_room)) == 12 * 3
    # Every voter's tabs heard each change once, and nothing of the resends.
    assert len([message for _group, message in held]) == 12 * 3
    assert room_bus.events("votes.tallied") == []
    assert tally_windows.close() == 1
    [tallied] = room_bus.events("votes.tallied")
    shown = {item["target_id"]: item["total"] for item in tallied["data"]["tallies"]}
    assert shown == totals_by_idea(voting_room)
    per_voter = 3 if method == "approval" else 3 + 2 + 1
    assert sum(shown.values()) == 12 * per_voter
    assert sum(item["supporters"] for item in tallied["data"]["tallies"]) == 12 * 3


@pytest.mark.parametrize("method", ["approval", "ranking"])
def test_a_batch_of_many_voters_costs_the_statements_of_one_vote(
    voting_room: Workshop, ideas: list[Idea], host: Actor, room_bus: RecordingLayer, method: str
) -> None:
    rules(host, method)
    voters = [actor_for("citizen", voting_room) for _ in range(6)]

    def vote(voter: Actor, index: int, request_id: str) -> _Waiting:
        if method == "approval":
            return approve(voter, ideas[index % len(ideas)].pk, request_id)
        return rank(voter, [ideas[1 + index % 3].pk, ideas[0].pk], request_id)

    def statements_of(batch: list[_Waiting]) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            answers, _held = batch_handle(batch)
        assert all(reply["type"] == "ack" for _actor, reply in answers), answers
        return [
            query["sql"]
            for query in queries.captured_queries
            if query["sql"] not in {"BEGIN", "BEGIN IMMEDIATE", "COMMIT"}
            and "SAVEPOINT" not in query["sql"]
        ]

    replies_of([vote(voters[0], 1, "first")])
    one = statements_of([vote(voters[0], 2, "one")])
    many = statements_of(
        [vote(voter, 3 + index, f"many-{index}") for index, voter in enumerate(voters)]
        + [vote(voters[1], 1, "again")]
    )
    # Standing, room and ballot; own votes; revisions; ideas; then the writes: a
    # ranking replaced deletes its old marks too.
    assert len(many) == len(one), many


def test_a_refusal_in_a_batch_leaves_the_other_votes_counted(
    voting_room: Workshop,
    ideas: list[Idea],
    host: Actor,
    voter: Actor,
    second_voter: Actor,
    room_bus: RecordingLayer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rules(host, "ranking")
    target_known = services._target_known

    def broken_for_one(voting: Any, target_type: Any, target_id: Any, statuses: Any) -> Any:
        if target_id == ideas[2].pk:
            raise RuntimeError("a fault of ours")
        return target_known(voting, target_type, target_id, statuses)

    monkeypatch.setattr(services, "_target_known", broken_for_one)
    replies = replies_of(
        [
            rank(voter, [ideas[0].pk], "a"),
            rank(second_voter, [ideas[1].pk, ideas[2].pk], "b"),  # fails on our side
            rank(voter, [ideas[0].pk, ideas[1].pk, ideas[3].pk, ideas[2].pk], "c"),  # too many
            rank(second_voter, [ideas[3].pk], "d"),
        ]
    )

    assert [(reply["type"], reply.get("code")) for reply in replies] == [
        ("ack", None),
        ("error", "server_error"),
        ("error", "invalid"),
        ("ack", None),
    ]
    assert replies[3]["data"]["revision"] == 1
    assert totals_by_idea(voting_room) == {ideas[0].pk: 3, ideas[3].pk: 3}


def test_the_rate_limits_hold_for_approvals_of_one_batch(
    voting_room: Workshop,
    ideas: list[Idea],
    host: Actor,
    voter: Actor,
    second_voter: Actor,
    room_bus: RecordingLayer,
    settings: Any,
) -> None:
    rules(host, "approval")
    settings.SAMSKAB_RATE_LIMITS = {**settings.SAMSKAB_RATE_LIMITS, "vote": "2/m"}
    replies = replies_of(
        [
            approve(voter, ideas[0].pk, "a"),
            approve(voter, ideas[1].pk, "b"),
            approve(voter, ideas[2].pk, "c"),  # the third within the minute
            approve(second_voter, ideas[2].pk, "d"),
        ]
    )

    assert [(reply["request_id"], reply.get("code")) for reply in replies] == [
        ("a", None),
        ("b", None),
        ("c", "rate_limited"),
        ("d", None),
    ]
    assert totals_by_idea(voting_room) == {ideas[0].pk: 1, ideas[1].pk: 1, ideas[2].pk: 1}


@pytest.mark.parametrize("method", ["approval", "ranking"])
def test_votes_of_a_batch_count_the_phase_the_room_is_in_now(
    voting_room: Workshop, ideas: list[Idea], host: Actor, room_bus: RecordingLayer, method: str
) -> None:
    rules(host, method)
    voters = [actor_for("citizen", voting_room) for _ in range(3)]
    # The sockets still hold the room as it was in the vote phase.
    Workshop.objects.filter(pk=voting_room.pk).update(phase=Phase.RESULTS)
    batch = [
        approve(voter, ideas[0].pk, f"{index}")
        if method == "approval"
        else rank(voter, [ideas[0].pk], f"{index}")
        for index, voter in enumerate(voters)
    ]

    replies = replies_of(batch)

    assert {(reply["code"], reply["message"]) for reply in replies} == {
        ("wrong_phase", "Voting is open only while the room is in the vote phase.")
    }
    assert not Vote.objects.exists()
    assert Ballot.objects.get(workshop=voting_room).method == method


def on_cluster(method: str, actor: Actor, clusters: list[int], request_id: str) -> _Waiting:
    """A vote by `method` naming these clusters (a ranking names them all, best first)."""
    if method == "ranking":
        item = rank(actor, clusters, request_id, target_type="cluster")
    elif method == "approval":
        item = approve(actor, clusters[0], request_id)
    else:
        item = dots(actor, clusters[0], request_id)
    if method != "ranking":
        item.frame["target_type"] = "cluster"
    return item


@pytest.mark.parametrize("method", ["dots", "approval", "ranking"])
def test_votes_on_clusters_together_are_answered_as_alone_for_the_statements_of_one(
    room: Room, room_bus: RecordingLayer, one_by_one: Callable[[], None], method: str
) -> None:
    services.ballot_configure(actor=room.host, method=method, **{**RULES, "target": "cluster"})
    mine = [
        Cluster.objects.create(workshop=room.workshop, name=f"Theme {index}").pk
        for index in range(4)
    ]
    elsewhere = Cluster.objects.create(workshop=WorkshopFactory(), name="Elsewhere").pk
    otter, lynx, heron = room.voters

    def statements_of(batch: list[_Waiting]) -> tuple[list[dict[str, Any]], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            answers, _held = batch_handle(batch)
        return [reply for _actor, reply in answers], [
            query["sql"]
            for query in queries.captured_queries
            if query["sql"] not in {"BEGIN", "BEGIN IMMEDIATE", "COMMIT"}
            and "SAVEPOINT" not in query["sql"]
        ]

    _replies, one = statements_of([on_cluster(method, otter, [mine[0]], "one")])
    Vote.objects.all().delete()
    Voter.objects.all().delete()
    batch = [
        on_cluster(method, otter, [mine[0], mine[1]], "o-first"),
        on_cluster(method, otter, [elsewhere], "o-elsewhere"),
        on_cluster(method, otter, [10**9], "o-nowhere"),
        in_danish(on_cluster(method, lynx, [mine[2]], "l-first")),
        in_danish(on_cluster(method, lynx, [mine[3], elsewhere], "l-elsewhere")),
        on_cluster(method, heron, [mine[1], mine[3]], "h-first"),
        approve(heron, room.on_wall[0], "h-on-an-idea"),
    ]
    batch[-1].frame["type"] = {"dots": "vote.set", "approval": "vote.approve"}.get(
        method, "vote.rank"
    )
    if method == "ranking":
        batch[-1].frame = {**rank(heron, [room.on_wall[0]], "h-on-an-idea").frame}
    elif method == "dots":
        batch[-1].frame = {**dots(heron, room.on_wall[0], "h-on-an-idea").frame}
    together, many = statements_of(batch)
    kept_together = kept_votes_on_clusters(room.workshop)
    Vote.objects.all().delete()
    Voter.objects.all().delete()
    cache.clear()
    one_by_one()
    alone = replies_of(batch)

    assert together == alone
    assert [(reply["request_id"], reply.get("code")) for reply in together] == [
        ("o-first", None),
        ("o-elsewhere", "not_found"),
        ("o-nowhere", "not_found"),
        ("l-first", None),
        ("l-elsewhere", "not_found" if method == "ranking" else None),
        ("h-first", None),
        ("h-on-an-idea", "invalid"),
    ]
    assert together[1]["message"] == "That cluster does not exist."
    assert kept_together == kept_votes_on_clusters(room.workshop)
    # However many voters and clusters, the clusters are read once; the one vote on an
    # idea adds the read of the ideas named.
    assert len(many) == len(one) + 1, many
    clusters_read = [sql for sql in many if f"FROM {Cluster._meta.db_table}" in sql]
    assert len(clusters_read) == 1, clusters_read


def kept_votes_on_clusters(workshop: Workshop) -> list[tuple[int, int | None, int, int | None]]:
    return sorted(
        Vote.objects.filter(ballot__workshop=workshop).values_list(
            "participant_id", "cluster_id", "weight", "rank"
        )
    )
