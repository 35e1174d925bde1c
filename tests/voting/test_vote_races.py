"""A vote cast alone that waits for its voter's lock counts the room as it is once it has it.

On real PostgreSQL, in three processes: a facilitator's change holds the voter's lock
(a mute, or new voting rules) while the voter's vote waits for it; once the change
commits, the vote is decided against it, not against what the room was when the
vote began to wait. A statement that waited for a row lock answers the rows it
joined as they were when it began, so the vote takes its lock in a statement of its
own and reads after it (workshops.actors, `_LockedRead.run`).
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


# Run inside `manage.py shell`: a room in the vote phase (dots, 3 each), its facilitator,
# a citizen and an idea on the wall.
SEED = """
import json
from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory
from voting.models import Ballot
workshop = WorkshopFactory(phase="vote")
citizen = ParticipantFactory(workshop=workshop)
idea = IdeaFactory(workshop=workshop)
Ballot.objects.create(workshop=workshop, dots_per_participant=3, max_dots_per_item=3)
print(json.dumps({"workshop": workshop.pk, "citizen": citizen.pk, "idea": idea.pk}))
"""

# The facilitator's change, held uncommitted (with the citizen's lock) until told to commit.
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
    "new rules": (
        "    from voting.services import ballot_configure\n"
        "    ballot_configure(actor=facilitator, method='approval', target='idea',\n"
        "        dots_per_participant=3, max_dots_per_item=3, rank_count=3, show_live=True)"
    ),
}

# The citizen's vote: its outcome as JSON.
VOTE = """
import json
from tests.factories import actor_for
from voting.services import vote_set
from workshops.errors import ActionRefused
from workshops.models import Participant, Workshop
workshop = Workshop.objects.get(pk={workshop})
citizen = actor_for("citizen", workshop, participant=Participant.objects.get(pk={citizen}))
print("voting", flush=True)
try:
    own = vote_set(actor=citizen, target_type="idea", target_id={idea}, dots=1)
    print(json.dumps({{"accepted": own.as_dict()}}), flush=True)
except ActionRefused as refused:
    print(json.dumps({{"refused": refused.code}}), flush=True)
"""

COUNT = "from voting.models import Vote; print(Vote.objects.filter(participant={citizen}).count())"


@pytest.fixture
def env(database_url: str) -> dict[str, str]:  # noqa: F811 - a fixture
    env = project_env(
        DATABASE_URL=database_url, DEBUG="0", SECRET_KEY="vote-races-" + uuid.uuid4().hex
    )
    manage(env, "migrate", "--noinput")
    return env


@pytest.mark.parametrize(
    ("change", "refusal"), [("mute", "forbidden"), ("new rules", "conflict")], ids=["mute", "rules"]
)
def test_a_vote_waiting_for_its_voter_counts_what_committed_meanwhile(
    env: dict[str, str], stop_all: list[subprocess.Popen[str]], change: str, refusal: str
) -> None:
    room: dict[str, Any] = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
    holder = shell(
        env, HOLD.format(workshop=room["workshop"], change=CHANGES[change]).format(**room)
    )
    stop_all.append(holder)
    assert line(holder) == "held"

    voter = shell(env, VOTE.format(**room))
    stop_all.append(voter)
    assert line(voter) == "voting"
    # The vote is inside its statement, waiting for the citizen's lock the change holds.
    assert waiting_for_a_lock(env["DATABASE_URL"]), "the vote never waited for the lock"

    release(holder)
    outcome = json.loads(line(voter))

    assert outcome == {"refused": refusal}
    counted = manage(env, "shell", "-c", COUNT.format(**room))
    assert counted.strip().splitlines()[-1] == "0"
