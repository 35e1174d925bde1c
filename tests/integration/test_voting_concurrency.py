"""Votes under real concurrency: two server processes, real PostgreSQL and Redis.

The budget check and the write that follows must be one step on PostgreSQL, where
writers really do run side by side: a participant firing votes from two tabs on
two workers, over the socket and over HTTP at once, never gets more dots than the
budget, and a room of a hundred and fifty voting at the same moment (by dots,
approval or ranking) has every accepted vote counted exactly once, with the tally
reaching the room a few times a second and its last message right.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from tests.servers import daphne, manage, project_env

pytestmark = pytest.mark.services

FRAME_TIMEOUT = 10.0
TEST_TIMEOUT = 120.0
BUDGET = 5
IDEAS = 10
CROWD = 150

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Run inside `manage.py shell`: ideas on the wall, the rules, and the room moved to voting.
SETUP = """
import json
from ideas.models import Idea
from voting.models import Ballot
from workshops.models import Participant, Workshop
workshop = Workshop.objects.get(join_code="{code}")
author = Participant.objects.create(workshop=workshop, display_name="Author")
ideas = [
    Idea.objects.create(
        workshop=workshop, author=author, text=f"Idea {{n}}", client_key=f"seed-key-{{n:04d}}"
    ).pk
    for n in range({ideas})
]
Ballot.objects.create(
    workshop=workshop, dots_per_participant={budget}, max_dots_per_item=1, show_live=True
)
workshop.phase = "vote"
workshop.save()
print(json.dumps({{"ideas": ideas, "observer_token": workshop.observer_token}}))
"""


@dataclass(frozen=True)
class Room:
    code: str
    ideas: list[int]
    observer_token: str
    servers: tuple[str, str]
    env: dict[str, str]


@pytest.fixture
def room(database_url: str, redis_url: str) -> Iterator[Room]:
    env = project_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="0",
        SECURE_COOKIES="0",
        SECRET_KEY="voting-concurrency-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1",
    )
    manage(env, "migrate", "--no-input")
    facts = json.loads(manage(env, "seed_demo", "--phase", "ideate", "--json").splitlines()[-1])
    code = facts["join_code"]
    setup = SETUP.format(code=code, ideas=IDEAS, budget=BUDGET)
    made = json.loads(manage(env, "shell", "-c", setup).splitlines()[-1])
    with daphne(env) as server_1, daphne(env) as server_2:
        yield Room(code, made["ideas"], made["observer_token"], (server_1, server_2), env)


async def _session(base_url: str, path: str, form: dict[str, str] | None = None) -> str:
    """Open a page (posting its form when given) and return the session it leaves."""
    async with httpx.AsyncClient(
        base_url=base_url, follow_redirects=True, timeout=30, trust_env=False
    ) as client:
        page = await client.get(path)
        assert page.status_code == 200, page.text
        if form is not None:
            token = CSRF_INPUT.search(page.text)
            assert token is not None
            joined = await client.post(
                path,
                data={**form, "csrfmiddlewaretoken": token.group(1)},
                headers={"Referer": f"{base_url}{path}"},
            )
            assert joined.status_code == 200, joined.text
        session = client.cookies.get("sessionid")
        assert session
        return session


async def _join(room: Room, index: int) -> str:
    return await _session(room.servers[index % 2], f"/j/{room.code}", {"display_name": ""})


@contextlib.asynccontextmanager
async def _socket(base_url: str, code: str, session: str) -> AsyncIterator[ClientConnection]:
    async with connect(
        f"ws://127.0.0.1:{urlsplit(base_url).port}/ws/workshops/{code}/",
        additional_headers={"Cookie": f"sessionid={session}"},
        origin=Origin(base_url),
        proxy=None,
        open_timeout=FRAME_TIMEOUT,
        close_timeout=2,
        max_queue=None,
    ) as socket:
        first = json.loads(await asyncio.wait_for(socket.recv(), FRAME_TIMEOUT))
        assert first["type"] == "snapshot"
        yield socket


class Listener:
    """Reads one socket in the background, answering requests and keeping events."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.replies: dict[str, dict[str, Any]] = {}
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.arrived = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.socket:
            frame = json.loads(raw)
            if frame.get("request_id"):
                self.replies[frame["request_id"]] = frame
            else:
                self.events.append((time.monotonic(), frame))
            self.arrived.set()

    async def replies_for(self, request_ids: list[str]) -> list[dict[str, Any]]:
        async with asyncio.timeout(FRAME_TIMEOUT * 3):
            while not all(request_id in self.replies for request_id in request_ids):
                self.arrived.clear()
                await self.arrived.wait()
        return [self.replies[request_id] for request_id in request_ids]

    def stop(self) -> None:
        self.task.cancel()


def _vote(idea: int, dots: int, request_id: str) -> str:
    frame = {
        "type": "vote.set",
        "request_id": request_id,
        "target_type": "idea",
        "target_id": idea,
        "dots": dots,
    }
    return json.dumps(frame)


async def _http_vote(
    base_url: str, code: str, session: str, idea: int, dots: int
) -> dict[str, Any]:
    async with httpx.AsyncClient(
        base_url=base_url, timeout=30, trust_env=False, cookies={"sessionid": session}
    ) as client:
        # Any page sets the CSRF cookie; the room page is the phone's own.
        await client.get(f"/w/{code}/")
        response = await client.post(
            f"/w/{code}/votes/",
            data={"target_type": "idea", "target_id": str(idea), "dots": str(dots)},
            headers={"Accept": "application/json", "X-CSRFToken": client.cookies["csrftoken"]},
        )
        body = response.json()
        assert response.status_code in {200, 409}, body
        return body


async def _own_ballot(base_url: str, code: str, session: str) -> dict[str, Any]:
    """The participant's ballot as a fresh snapshot tells it."""
    async with connect(
        f"ws://127.0.0.1:{urlsplit(base_url).port}/ws/workshops/{code}/",
        additional_headers={"Cookie": f"sessionid={session}"},
        origin=Origin(base_url),
        proxy=None,
        open_timeout=FRAME_TIMEOUT,
    ) as socket:
        snapshot = json.loads(await asyncio.wait_for(socket.recv(), FRAME_TIMEOUT))
        return snapshot["data"]["voting"]


async def test_two_tabs_on_two_servers_never_exceed_the_budget(room: Room) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        session = await _join(room, 0)
        server_1, server_2 = room.servers
        async with (
            _socket(server_1, room.code, session) as tab_1,
            _socket(server_2, room.code, session) as tab_2,
        ):
            tabs = [Listener(tab_1), Listener(tab_2)]
            for round_number in range(3):
                # Ten one-dot votes at once: four from each tab, one over HTTP to each server.
                sends, waits, http = [], [], []
                for index, idea in enumerate(room.ideas):
                    request_id = f"r{round_number}-{index}"
                    if index < 8:
                        tab = tabs[index % 2]
                        sends.append(tab.socket.send(_vote(idea, 1, request_id)))
                        waits.append((idea, tab, request_id))
                    else:
                        http.append(
                            (idea, _http_vote(room.servers[index % 2], room.code, session, idea, 1))
                        )
                await asyncio.gather(*sends)
                http_bodies = await asyncio.gather(*(call for _idea, call in http))
                accepted: list[int] = []
                refused_codes: list[str] = []
                for idea, tab, request_id in waits:
                    [reply] = await tab.replies_for([request_id])
                    if reply["type"] == "ack":
                        accepted.append(idea)
                    else:
                        refused_codes.append(reply["code"])
                for (idea, _call), body in zip(http, http_bodies, strict=True):
                    if body["ok"]:
                        accepted.append(idea)
                    else:
                        refused_codes.append(body["code"])

                assert len(accepted) == BUDGET, f"round {round_number}: {accepted}"
                assert refused_codes == ["conflict"] * (IDEAS - BUDGET)
                ballot = await _own_ballot(server_1, room.code, session)
                mine = ballot["mine"]
                assert mine["remaining"] == 0
                assert sorted(vote["target_id"] for vote in mine["votes"]) == sorted(accepted)
                # The room's tallies are told at most every 250 ms (voting.tally), and a
                # snapshot may carry the room's tallies from before that message: the
                # screen keeps the newer of the two. Wait for the message's turn.
                deadline = asyncio.get_running_loop().time() + FRAME_TIMEOUT
                while sum(item["total"] for item in ballot["tallies"]) != BUDGET:
                    if asyncio.get_running_loop().time() > deadline:
                        break
                    await asyncio.sleep(0.25)
                    ballot = await _own_ballot(server_1, room.code, session)
                assert sum(item["total"] for item in ballot["tallies"]) == BUDGET

                # Take every dot back before the next round, from alternating tabs.
                for index, idea in enumerate(accepted):
                    tab = tabs[index % 2]
                    request_id = f"back{round_number}-{index}"
                    await tab.socket.send(_vote(idea, 0, request_id))
                    [reply] = await tab.replies_for([request_id])
                    assert reply["type"] == "ack", reply
            for tab in tabs:
                tab.stop()


async def test_a_crowd_voting_at_once_is_counted_exactly_and_the_room_hears_few_tallies(
    room: Room,
) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        joining = asyncio.Semaphore(25)

        async def join(index: int) -> str:
            async with joining:
                return await _join(room, index)

        sessions = await asyncio.gather(*(join(index) for index in range(CROWD)))
        observer_session = await _session(room.servers[1], f"/observe/{room.observer_token}/")
        async with contextlib.AsyncExitStack() as stack:
            observer = Listener(
                await stack.enter_async_context(
                    _socket(room.servers[1], room.code, observer_session)
                )
            )
            phones = [
                Listener(
                    await stack.enter_async_context(
                        _socket(room.servers[index % 2], room.code, session)
                    )
                )
                for index, session in enumerate(sessions)
            ]
            # Everyone fires one dot at each of seven ideas at the same moment.
            targets = room.ideas[:7]
            started = time.monotonic()
            await asyncio.gather(
                *(
                    phone.socket.send(_vote(idea, 1, f"p{index}-{idea}"))
                    for index, phone in enumerate(phones)
                    for idea in targets
                )
            )
            accepted: Counter[int] = Counter()
            for index, phone in enumerate(phones):
                replies = await phone.replies_for([f"p{index}-{idea}" for idea in targets])
                acks = [reply for reply in replies if reply["type"] == "ack"]
                assert len(acks) == BUDGET, f"phone {index} got {len(acks)} of its votes in"
                assert {reply["code"] for reply in replies if reply["type"] == "error"} == {
                    "conflict"
                }
                assert min(ack["data"]["remaining"] for ack in acks) == 0
                for reply, idea in zip(replies, targets, strict=True):
                    if reply["type"] == "ack":
                        accepted[idea] += 1
            answered = time.monotonic()

            expected = {idea: accepted[idea] for idea in targets if accepted[idea]}
            assert sum(expected.values()) == CROWD * BUDGET

            def tallied() -> list[tuple[float, dict[str, int]]]:
                return [
                    (at, {item["target_id"]: item["total"] for item in frame["data"]["tallies"]})
                    for at, frame in observer.events
                    if frame["type"] == "votes.tallied"
                ]

            # The room's tally settles on exactly the accepted votes.
            deadline = time.monotonic() + FRAME_TIMEOUT
            while not tallied() or tallied()[-1][1] != expected:
                assert time.monotonic() < deadline, f"last tally {tallied()[-1:]}, not {expected}"
                await asyncio.sleep(0.1)
            settled = time.monotonic()
            # Nothing later may overwrite it with an older count.
            await asyncio.sleep(1.0)
            assert tallied()[-1][1] == expected

            messages = tallied()
            span = max(messages[-1][0] - messages[0][0], 0.001)
            print(
                f"\n{CROWD} voters x {len(targets)} votes: answered in {answered - started:.2f}s,"
                f" tally settled {settled - answered:.2f}s later;"
                f" {len(messages)} tally messages over {span:.2f}s"
            )
            # One message per 250 ms window at most, shared by both servers through Redis,
            # plus the last window's message.
            assert len(messages) <= span / 0.25 + 2
            for listener in (observer, *phones):
                listener.stop()


# Run inside `manage.py shell`: the room's rules changed as a facilitator's save does.
RULES = """
from voting.models import Ballot
ballot = Ballot.objects.get(workshop__join_code="{code}")
ballot.method = "{method}"
ballot.rank_count = {places}
ballot.revision += 1
ballot.save()
"""


def _approval_or_ranking(method: str, ideas: list[int], request_id: str) -> str:
    """One more idea approved, or the ranking of `ideas` (best first)."""
    frame: dict[str, Any] = {"request_id": request_id, "target_type": "idea"}
    if method == "approval":
        frame |= {"type": "vote.approve", "target_id": ideas[-1], "approved": True}
    else:
        frame |= {"type": "vote.rank", "order": ideas}
    return json.dumps(frame)


@pytest.mark.parametrize("method", ["approval", "ranking"])
async def test_a_crowd_approving_or_ranking_at_once_on_two_servers_is_counted_exactly(
    room: Room, method: str
) -> None:
    places = 3
    manage(room.env, "shell", "-c", RULES.format(code=room.code, method=method, places=places))
    async with asyncio.timeout(TEST_TIMEOUT):
        joining = asyncio.Semaphore(25)

        async def join(index: int) -> str:
            async with joining:
                return await _join(room, index)

        sessions = await asyncio.gather(*(join(index) for index in range(CROWD)))
        observer_session = await _session(room.servers[1], f"/observe/{room.observer_token}/")
        async with contextlib.AsyncExitStack() as stack:
            observer = Listener(
                await stack.enter_async_context(
                    _socket(room.servers[1], room.code, observer_session)
                )
            )
            phones = [
                Listener(
                    await stack.enter_async_context(
                        _socket(room.servers[index % 2], room.code, session)
                    )
                )
                for index, session in enumerate(sessions)
            ]
            # Everyone sends three votes at the same moment, each one idea more than the
            # last, and the last again, as a phone resends after a dropped answer.
            picks = [
                [room.ideas[(index + step) % len(room.ideas)] for step in range(places)]
                for index in range(CROWD)
            ]
            steps = [*range(1, places + 1), places]
            await asyncio.gather(
                *(
                    phone.socket.send(
                        _approval_or_ranking(method, picks[index][:step], f"p{index}-{turn}")
                    )
                    for index, phone in enumerate(phones)
                    for turn, step in enumerate(steps)
                )
            )
            expected: Counter[int] = Counter()
            for index, phone in enumerate(phones):
                replies = await phone.replies_for([f"p{index}-{turn}" for turn in range(4)])
                assert [reply["type"] for reply in replies] == ["ack"] * 4, replies
                # The resend changed nothing: the same ballot, the same revision.
                assert replies[3]["data"] == replies[2]["data"]
                kept = {vote["target_id"]: vote["weight"] for vote in replies[3]["data"]["votes"]}
                if method == "approval":
                    assert kept == dict.fromkeys(picks[index], 1)
                else:
                    assert kept == {idea: places - rank for rank, idea in enumerate(picks[index])}
                expected.update(kept)

            def last_tally() -> dict[int, int] | None:
                tallies = [
                    frame for _at, frame in observer.events if frame["type"] == "votes.tallied"
                ]
                if not tallies:
                    return None
                return {item["target_id"]: item["total"] for item in tallies[-1]["data"]["tallies"]}

            # The room's tally settles on exactly the votes kept, and stays there.
            deadline = time.monotonic() + FRAME_TIMEOUT
            while last_tally() != dict(expected):
                assert time.monotonic() < deadline, f"last tally {last_tally()}, not {expected}"
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)
            assert last_tally() == dict(expected)
            for listener in (observer, *phones):
                listener.stop()
