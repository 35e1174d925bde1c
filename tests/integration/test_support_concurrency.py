"""Supports under real concurrency: two server processes, real PostgreSQL and Redis.

On PostgreSQL supports to one proposal really do run side by side, so this is where
counting could go wrong: a crowd supporting at once, phones withdrawing while others
support, the same phone sending twice at the same moment. Afterwards the count is
the number of supports stored, the threshold's time was recorded once and never
undone, each of the author's milestones was told once, and a page watching the
proposal shows the final count.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Origin

from tests.servers import daphne, manage, project_env

pytestmark = pytest.mark.services

THRESHOLD = 100
CROWD = 150
WITHDRAWING = 100
LATECOMERS = 30
WAIT = 30.0

SEED = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from administrations.models import Administration
from challenges import services
from challenges.models import Citizen
owner = get_user_model().objects.create_user("owner", "owner@example.org", None)
administration = Administration.objects.create(name="Roads", slug="roads")
now = timezone.now()
challenge = services.challenge_create(
    user=owner, title="Safer roads", question="How?", opens_at=now - timedelta(hours=1),
    closes_at=now + timedelta(days=1), threshold_value={threshold},
    administration=administration,
)
proposal = services.proposal_submit(
    challenge=challenge, citizen=Citizen.objects.create(), title="Crossings",
    text="More zebra crossings.",
)
print(json.dumps({{"challenge": challenge.pk, "proposal": proposal.pk}}))
"""

STATE = """
import json
from challenges.models import ChallengeLog, Proposal, Support
p = Proposal.objects.get(pk={proposal})
log = ChallengeLog.objects.filter(proposal_number=p.pk)
print(json.dumps({{
    "rows": Support.objects.filter(proposal=p).count(),
    "count": p.support_count,
    "status": p.status,
    "reached_at": p.threshold_reached_at.isoformat() if p.threshold_reached_at else None,
    "thresholds": log.filter(kind="threshold").count(),
    "milestones": sorted(e.detail["share"] for e in log.filter(kind="milestone")),
}}))
"""


@dataclass(frozen=True)
class Site:
    env: dict[str, str]
    challenge: int
    proposal: int
    servers: tuple[str, str]

    def state(self) -> dict[str, Any]:
        script = STATE.format(proposal=self.proposal)
        return json.loads(manage(self.env, "shell", "-c", script).splitlines()[-1])


@pytest.fixture
def site(database_url: str, redis_url: str) -> Iterator[Site]:
    env = project_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="0",
        SECURE_COOKIES="0",
        SECRET_KEY="support-concurrency-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1",
        # Every phone here comes from 127.0.0.1.
        SAMSKAB_RATE_SUPPORT_PER_ADDRESS="1000000/m",
    )
    manage(env, "migrate", "--no-input")
    ids = json.loads(manage(env, "shell", "-c", SEED.format(threshold=THRESHOLD)).splitlines()[-1])
    with daphne(env) as server_1, daphne(env) as server_2:
        yield Site(env, ids["challenge"], ids["proposal"], (server_1, server_2))


class Phone:
    """One phone: its own cookies (session once it has supported) on one of the servers."""

    def __init__(self, base_url: str) -> None:
        token = secrets.token_hex(16)
        self.client = httpx.AsyncClient(
            base_url=base_url,
            timeout=60,
            trust_env=False,
            cookies={"csrftoken": token},
            headers={"Accept": "application/json", "X-CSRFToken": token},
        )

    async def post(self, proposal: int, *, withdraw: bool = False) -> tuple[int, str]:
        response = await self.client.post(
            f"/proposals/{proposal}/support/", data={"withdraw": "1"} if withdraw else {}
        )
        body = response.json()
        return response.status_code, "ok" if body["ok"] else body["code"]

    async def close(self) -> None:
        await self.client.aclose()


class Watcher:
    """A page watching the proposal's count over its socket, as the proposal page does."""

    def __init__(self) -> None:
        self.revision = -1
        self.count = -1
        self.status = ""
        self.milestones: list[int] = []
        self.task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def watch(self, base_url: str, challenge: int, proposal: int) -> None:
        async with connect(
            f"ws://127.0.0.1:{urlsplit(base_url).port}/ws/challenges/{challenge}/",
            origin=Origin(base_url),
            proxy=None,
            open_timeout=WAIT,
            max_queue=None,
        ) as socket:
            async for raw in socket:
                frame = json.loads(raw)
                if frame["type"] == "snapshot":
                    for item in frame["data"]["proposals"]:
                        self._keep(item, None, proposal)
                    self.ready.set()
                    continue
                for event in frame["events"] if frame["type"] == "batch" else [frame]:
                    if event["type"] == "proposal.support_changed":
                        data = event["data"]
                        self._keep(data["proposal"], data["milestone"], proposal)

    def _keep(self, item: dict[str, Any], milestone: int | None, proposal: int) -> None:
        if item["id"] != proposal:
            return
        if milestone:
            self.milestones.append(milestone)
        if item["revision"] > self.revision:
            self.revision, self.count, self.status = (
                item["revision"],
                item["support_count"],
                item["status"],
            )

    async def until(self, count: int) -> None:
        async with asyncio.timeout(WAIT):
            while self.count != count:
                await asyncio.sleep(0.05)


async def _storm(site: Site) -> dict[str, Any]:
    watchers = [Watcher(), Watcher()]
    for watcher, server in zip(watchers, site.servers, strict=True):
        watcher.task = asyncio.create_task(watcher.watch(server, site.challenge, site.proposal))
    async with asyncio.timeout(WAIT):
        await asyncio.gather(*(watcher.ready.wait() for watcher in watchers))

    phones = [Phone(site.servers[n % 2]) for n in range(CROWD + LATECOMERS)]
    crowd, latecomers = phones[:CROWD], phones[CROWD:]
    try:
        # A crowd supports at the same moment, over both servers.
        first = await asyncio.gather(*(phone.post(site.proposal) for phone in crowd))
        after_crowd = await asyncio.to_thread(site.state)

        # Most of them withdraw, each pressing twice, while latecomers support.
        withdrawing = crowd[:WITHDRAWING]
        pressed = [
            phone.post(site.proposal, withdraw=True) for phone in withdrawing for _twice in (1, 2)
        ]
        pressed += [phone.post(site.proposal) for phone in latecomers]
        second = await asyncio.gather(*pressed)
        after_withdrawals = await asyncio.to_thread(site.state)

        # They come back, again each pressing twice at once.
        third = await asyncio.gather(
            *(phone.post(site.proposal) for phone in withdrawing for _twice in (1, 2))
        )
        final = await asyncio.to_thread(site.state)
        for watcher in watchers:
            await watcher.until(final["count"])
    finally:
        for phone in phones:
            await phone.close()
        for watcher in watchers:
            if watcher.task is not None:
                watcher.task.cancel()
    return {
        "first": Counter(first),
        "second": Counter(second),
        "third": Counter(third),
        "after_crowd": after_crowd,
        "after_withdrawals": after_withdrawals,
        "final": final,
        "watchers": [(w.count, w.status, w.milestones) for w in watchers],
    }


def test_a_crowd_supports_and_withdraws_at_once_and_every_support_counts_once(
    site: Site,
) -> None:
    seen = asyncio.run(_storm(site))

    assert seen["first"] == {(200, "ok"): CROWD}
    after_crowd = seen["after_crowd"]
    assert after_crowd["count"] == after_crowd["rows"] == CROWD
    assert after_crowd["status"] == "threshold_reached"
    assert after_crowd["thresholds"] == 1
    assert after_crowd["milestones"] == [33, 66, 100]

    # Each phone's two withdrawals: one done, the other finds nothing to withdraw.
    assert seen["second"] == {
        (200, "ok"): WITHDRAWING + LATECOMERS,
        (400, "not_supported"): WITHDRAWING,
    }
    below = seen["after_withdrawals"]
    assert below["count"] == below["rows"] == CROWD - WITHDRAWING + LATECOMERS < THRESHOLD
    # Below the threshold again, and still it stays reached, at the time first recorded.
    assert below["status"] == "threshold_reached"
    assert below["reached_at"] == after_crowd["reached_at"]

    assert seen["third"] == {
        (200, "ok"): WITHDRAWING,
        (400, "already_supported"): WITHDRAWING,
    }
    final = seen["final"]
    assert final["count"] == final["rows"] == CROWD + LATECOMERS
    assert final["reached_at"] == after_crowd["reached_at"]
    assert final["thresholds"] == 1
    assert final["milestones"] == [33, 66, 100]

    # Both pages, one on each server, show the final count and the threshold reached.
    for count, status, milestones in seen["watchers"]:
        assert (count, status) == (CROWD + LATECOMERS, "threshold_reached")
        assert 100 in milestones
