"""A phone erases its data at the same moment it supports: a clear refusal, nothing changed.

On real PostgreSQL, with the server in a process of its own: the phone's erasure is
held uncommitted (with its citizen's row) while the same phone's support arrives and
waits for it. Once the erasure commits, the support finds its citizen gone. It is
refused as every support refusal is (`erased`, in JSON), counts nothing, and the
phone's next support counts as a new phone's, as the refusal says. Before, the
support's row pointed at the deleted citizen and the commit broke the foreign key:
an HTTP 500.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.processes import WAIT, line, release, shell, waiting_for_a_lock
from tests.servers import daphne, manage, project_env

pytestmark = pytest.mark.services


SEED = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from administrations.models import Administration
from challenges import services
from challenges.models import Citizen
owner = get_user_model().objects.create_user("owner", "owner@example.org", None)
administration = Administration.objects.create(name="Parks", slug="parks")
now = timezone.now()
challenge = services.challenge_create(
    user=owner, title="Greener parks", question="How?", opens_at=now - timedelta(hours=1),
    closes_at=now + timedelta(days=1), threshold_value=100, administration=administration,
)
proposals = [
    services.proposal_submit(
        challenge=challenge, citizen=Citizen.objects.create(), title=title, text="Please."
    ).pk
    for title in ("Benches", "Trees")
]
print(json.dumps({"proposals": proposals}))
"""

# The phone's erasure, held uncommitted (with its citizen's row) until told to commit.
HOLD = """
import sys
from django.db import transaction
from challenges.services import citizen_erase
with transaction.atomic():
    citizen_erase(citizen_key="{key}")
    print("held", flush=True)
    sys.stdin.readline()
print("committed", flush=True)
"""

NEWEST_CITIZEN = "from challenges.models import Citizen; print(Citizen.objects.latest('pk').key)"

STATE = """
import json
from challenges.models import Proposal, Support
print(json.dumps({{
    str(p.pk): [p.support_count, Support.objects.filter(proposal=p).count()]
    for p in Proposal.objects.filter(pk__in={proposals})
}}))
"""


@pytest.fixture
def site(database_url: str, redis_url: str) -> Iterator[tuple[dict[str, str], str]]:
    env = project_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="0",
        SECURE_COOKIES="0",
        SECRET_KEY="support-erase-race-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1",
    )
    manage(env, "migrate", "--no-input")
    with daphne(env) as server:
        yield env, server


def _state(env: dict[str, str], proposals: list[int]) -> dict[str, Any]:
    script = STATE.format(proposals=proposals)
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


async def _support(phone: httpx.AsyncClient, proposal: int) -> tuple[int, dict[str, Any]]:
    answer = await phone.post(f"/proposals/{proposal}/support/")
    try:
        body = answer.json()
    except ValueError:
        body = {"page": answer.text[:200]}
    return answer.status_code, body


def test_a_support_racing_its_phones_erasure_is_refused_and_changes_nothing(
    site: tuple[dict[str, str], str], stop_all: list[subprocess.Popen[str]]
) -> None:
    env, server = site
    benches, trees = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])[
        "proposals"
    ]

    async def scenario() -> tuple[tuple[int, dict[str, Any]], tuple[int, dict[str, Any]]]:
        token = secrets.token_hex(16)
        async with httpx.AsyncClient(
            base_url=server,
            timeout=WAIT,
            trust_env=False,
            cookies={"csrftoken": token},
            headers={"Accept": "application/json", "X-CSRFToken": token},
        ) as phone:
            # The phone's first support makes it a citizen, kept in its session.
            first = await _support(phone, benches)
            assert first[0] == 200, first
            key = manage(env, "shell", "-c", NEWEST_CITIZEN).strip().splitlines()[-1]
            holder = shell(env, HOLD.format(key=key))
            stop_all.append(holder)
            assert line(holder) == "held"

            racing = asyncio.create_task(_support(phone, trees))
            # The support is inside its statement, waiting for the citizen the erasure holds.
            waited = await asyncio.to_thread(waiting_for_a_lock, env["DATABASE_URL"])
            assert waited, "the support never waited for the erasure"
            release(holder)
            refused = await racing

            again = await _support(phone, trees)
            return refused, again

    refused, again = asyncio.run(scenario())

    status, body = refused
    assert status == 400, body
    assert body["ok"] is False and body["code"] == "erased"
    assert "not counted" in body["message"]
    # The erasure kept the first support counted (belonging to nobody now); the refused
    # one left nothing. Supporting again counts, as a new phone's.
    assert again[0] == 200 and again[1]["proposal"]["support_count"] == 1, again
    assert _state(env, [benches, trees]) == {str(benches): [1, 1], str(trees): [1, 1]}
