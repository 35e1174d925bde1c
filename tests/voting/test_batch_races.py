"""Approval and ranking votes carried out together count the room as it is once they hold
their voters' locks.

On real PostgreSQL, in three processes: a facilitator's change holds a voter's lock (a
mute, or new voting rules, which take every voter's) while a batch of two voters' votes
waits for it; once the change commits, each vote of the batch is decided against it,
not against what the room was when the batch began to wait, and one voter's refusal
leaves the other's vote counted.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from typing import Any

import pytest

from tests.integration.conftest import database_url, postgres_server  # noqa: F401 - fixtures
from tests.processes import line, release, shell, waiting_for_a_lock
from tests.servers import manage, project_env

pytestmark = pytest.mark.services


# Run inside `manage.py shell`: a room in the vote phase under {method} (three to rank),
# its facilitator, two citizens and three ideas on the wall.
SEED = """
import json
from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory
from voting.models import Ballot
workshop = WorkshopFactory(phase="vote")
citizen = ParticipantFactory(workshop=workshop)
neighbour = ParticipantFactory(workshop=workshop)
ideas = [IdeaFactory(workshop=workshop).pk for _ in range(3)]
Ballot.objects.create(workshop=workshop, method="{method}", rank_count=3)
print(json.dumps({{
    "workshop": workshop.pk, "citizen": citizen.pk, "neighbour": neighbour.pk, "ideas": ideas
}}))
"""

# The facilitator's change, held uncommitted (with the voters' locks) until told to commit.
HOLD = """
import sys
from django.db import transaction
from tests.factories import actor_for
from workshops.models import Workshop
workshop = Workshop.objects.get(pk={workshop})
facilitator = actor_for("facilitator", workshop)
with transaction.atomic():
{change}
    print("held", flush=True)
    sys.stdin.readline()
print("committed", flush=True)
"""

CHANGES = {
    "mute": (
        "    from moderation.services import participant_mute\n"
        "    participant_mute(actor=facilitator, participant_id={citizen})"
    ),
    # One place to rank where there were three.
    "rank one": (
        "    from voting.services import ballot_configure\n"
        "    ballot_configure(actor=facilitator, method='{method}', target='idea',\n"
        "        dots_per_participant=5, max_dots_per_item=3, rank_count=1, show_live=True)"
    ),
    # Approval where there was ranking, or the other way round.
    "other method": (
        "    from voting.services import ballot_configure\n"
        "    ballot_configure(actor=facilitator, method='{other}', target='idea',\n"
        "        dots_per_participant=5, max_dots_per_item=3, rank_count=3, show_live=True)"
    ),
}

# Both citizens' votes as one batch, as a server's socket hands them over: the outcome
# of each as JSON.
BATCH = """
import json
from tests.factories import actor_for
from workshops.batching import _Waiting, batch_handle
from workshops.models import Participant, Workshop
workshop = Workshop.objects.get(pk={workshop})
ideas = {ideas}
def voter(pk):
    return actor_for("citizen", workshop, participant=Participant.objects.get(pk=pk))
def frame(who):
    if "{method}" == "approval":
        return {{"type": "vote.approve", "request_id": who, "target_type": "idea",
                 "target_id": ideas[0], "approved": True}}
    return {{"type": "vote.rank", "request_id": who, "target_type": "idea",
             "order": [ideas[0], ideas[1]] if who == "citizen" else [ideas[2]]}}
batch = [_Waiting(voter({citizen}), frame("citizen"), "en", None),
         _Waiting(voter({neighbour}), frame("neighbour"), "en", None)]
print("voting", flush=True)
replies, _held = batch_handle(batch)
print(json.dumps({{reply["request_id"]: reply.get("code") or reply["type"]
                  for _actor, reply in replies}}), flush=True)
"""

COUNT = """
import json
from voting.models import Vote
print(json.dumps(sorted(Vote.objects.values_list("participant_id", "idea_id", "weight"))))
"""

OTHER = {"approval": "ranking", "ranking": "approval"}


@pytest.fixture
def env(database_url: str) -> dict[str, str]:  # noqa: F811 - a fixture
    env = project_env(
        DATABASE_URL=database_url, DEBUG="0", SECRET_KEY="batch-races-" + uuid.uuid4().hex
    )
    manage(env, "migrate", "--noinput")
    return env


def raced(
    env: dict[str, str], stop_all: list[subprocess.Popen[str]], method: str, change: str
) -> tuple[dict[str, Any], dict[str, str], list[list[int]]]:
    """The room, the batch's outcome once the held change committed, and the votes kept."""
    seeded = manage(env, "shell", "-c", SEED.format(method=method)).strip().splitlines()[-1]
    room: dict[str, Any] = json.loads(seeded)
    facts = {**room, "method": method, "other": OTHER[method]}
    holder = shell(
        env, HOLD.format(workshop=room["workshop"], change=CHANGES[change].format(**facts))
    )
    stop_all.append(holder)
    assert line(holder) == "held"

    batch = shell(env, BATCH.format(**facts))
    stop_all.append(batch)
    assert line(batch) == "voting"
    # The batch is inside its locking statement, waiting for a lock the change holds.
    assert waiting_for_a_lock(env["DATABASE_URL"]), "the batch never waited for the lock"

    release(holder)
    outcome = json.loads(line(batch))
    kept = json.loads(manage(env, "shell", "-c", COUNT).strip().splitlines()[-1])
    return room, outcome, kept


@pytest.mark.parametrize("method", ["approval", "ranking"])
def test_a_mute_committing_while_a_batch_waits_refuses_that_voter_alone(
    env: dict[str, str], stop_all: list[subprocess.Popen[str]], method: str
) -> None:
    room, outcome, kept = raced(env, stop_all, method, "mute")

    assert outcome == {"citizen": "forbidden", "neighbour": "ack"}
    neighbours = [room["ideas"][0], 1] if method == "approval" else [room["ideas"][2], 3]
    assert kept == [[room["neighbour"], *neighbours]]


def test_fewer_places_committing_while_a_batch_of_rankings_waits_count_for_each(
    env: dict[str, str], stop_all: list[subprocess.Popen[str]]
) -> None:
    room, outcome, kept = raced(env, stop_all, "ranking", "rank one")

    # The citizen's two places are one too many now; the neighbour's one place counts
    # as the only place there is.
    assert outcome == {"citizen": "invalid", "neighbour": "ack"}
    assert kept == [[room["neighbour"], room["ideas"][2], 1]]


@pytest.mark.parametrize("method", ["approval", "ranking"])
def test_another_method_committing_while_a_batch_waits_refuses_every_vote_of_it(
    env: dict[str, str], stop_all: list[subprocess.Popen[str]], method: str
) -> None:
    _room, outcome, kept = raced(env, stop_all, method, "other method")

    assert outcome == {"citizen": "conflict", "neighbour": "conflict"}
    assert kept == []
