"""Two server processes share one room through real Redis and PostgreSQL.

A deployment runs several workers behind a load balancer, so two citizens in the
same room are often served by different processes. What one posts must still
appear on the other's screen, a resend must not post twice wherever it lands,
and a phone that reconnects (to any worker) must get the whole wall back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from tests.servers import ROOT, daphne, manage, project_env

pytestmark = pytest.mark.services

# Generous for a loaded CI machine, small enough that a lost event fails fast.
FRAME_TIMEOUT = 5.0
TEST_TIMEOUT = 45.0

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Room:
    code: str
    server_1: str
    server_2: str
    env: dict[str, str]


@contextlib.contextmanager
def _demo_credentials_kept() -> Iterator[None]:
    """seed_demo writes the demo password next to the code; keep a developer's own file."""
    path = ROOT / ".demo-credentials"
    before = path.read_bytes() if path.exists() else None
    try:
        yield
    finally:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(before)


@pytest.fixture
def room(database_url: str, redis_url: str) -> Iterator[Room]:
    """A demo workshop collecting ideas, served by two Daphne processes on one database and bus."""
    env = project_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        # Production-like, except that cookies must travel over plain http to 127.0.0.1.
        DEBUG="0",
        SECURE_COOKIES="0",
        SECRET_KEY="two-servers-test-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1",
    )
    manage(env, "migrate", "--no-input")
    with _demo_credentials_kept():
        facts = json.loads(manage(env, "seed_demo", "--phase", "ideate", "--json").splitlines()[-1])
    with daphne(env) as server_1, daphne(env) as server_2:
        yield Room(code=facts["join_code"], server_1=server_1, server_2=server_2, env=env)


async def _join(client: httpx.AsyncClient, code: str, name: str) -> str:
    """Join as a citizen through the page a phone sees; returns the session id."""
    page = await client.get(f"/j/{code}")
    assert page.status_code == 200, page.text
    token = CSRF_INPUT.search(page.text)
    assert token is not None, "the join page has no CSRF field"
    joined = await client.post(
        f"/j/{code}",
        data={"display_name": name, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{client.base_url}/j/{code}"},
    )
    assert joined.status_code == 200, joined.text
    # The answer to the join form is the room; its script shows the room's address.
    assert f'"page_url": "/w/{code}/"' in joined.text, "joining did not lead into the room"
    assert name in joined.text
    session = client.cookies.get("sessionid")
    assert session, "joining set no session cookie"
    return session


@contextlib.asynccontextmanager
async def _socket(base_url: str, code: str, session: str) -> Any:
    """The room's WebSocket on one server, opened as the page would with this session."""
    port = urlsplit(base_url).port
    async with connect(
        f"ws://127.0.0.1:{port}/ws/workshops/{code}/",
        additional_headers={"Cookie": f"sessionid={session}"},
        origin=Origin(base_url),
        proxy=None,
        open_timeout=FRAME_TIMEOUT,
        close_timeout=2,
    ) as socket:
        yield socket


async def _receive(socket: ClientConnection) -> dict[str, Any]:
    frame = await asyncio.wait_for(socket.recv(), FRAME_TIMEOUT)
    return json.loads(frame)


async def _receive_until(
    socket: ClientConnection, wanted: Callable[[dict[str, Any]], bool], what: str
) -> dict[str, Any]:
    """The first frame that matches, skipping other room traffic; fails after the timeout."""

    async def scan() -> dict[str, Any]:
        while True:
            frame = json.loads(await socket.recv())
            if wanted(frame):
                return frame

    try:
        return await asyncio.wait_for(scan(), FRAME_TIMEOUT)
    except TimeoutError:
        pytest.fail(f"no {what} within {FRAME_TIMEOUT}s")


async def _snapshot(socket: ClientConnection) -> dict[str, Any]:
    frame = await _receive(socket)
    assert frame["type"] == "snapshot", f"the first frame was {frame}, not a snapshot"
    return frame["data"]


def _posted(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f["type"] == "idea.posted" and f["data"]["idea"]["text"] == text


def _texts(snapshot: dict[str, Any]) -> list[str]:
    return [idea["text"] for idea in snapshot["ideas"]]


async def test_ideas_cross_between_two_server_processes(room: Room) -> None:
    async with asyncio.timeout(TEST_TIMEOUT):
        await _two_citizens_on_two_servers(room)


async def _two_citizens_on_two_servers(room: Room) -> None:
    code = room.code
    idea_a = "Længere åbent om torsdagen"
    idea_b = "A quiet room for homework, with good chairs"
    key_a = uuid.uuid4().hex
    key_b = uuid.uuid4().hex

    # Each citizen has a phone of their own (a cookie jar), talking to a different worker.
    async with (
        httpx.AsyncClient(
            base_url=room.server_1, follow_redirects=True, timeout=10, trust_env=False
        ) as phone_a,
        httpx.AsyncClient(
            base_url=room.server_2, follow_redirects=True, timeout=10, trust_env=False
        ) as phone_b,
    ):
        session_a = await _join(phone_a, code, "Astrid")
        session_b = await _join(phone_b, code, "Bilal")

        async with (
            _socket(room.server_1, code, session_a) as socket_a,
            _socket(room.server_2, code, session_b) as socket_b,
        ):
            snapshot_a = await _snapshot(socket_a)
            snapshot_b = await _snapshot(socket_b)
            assert snapshot_a["you"]["display_name"] == "Astrid"
            assert snapshot_b["you"]["display_name"] == "Bilal"
            assert snapshot_a["workshop"]["phase"] == "ideate"
            assert snapshot_a["ideas"] == snapshot_b["ideas"] == []
            assert snapshot_b["participant_count"] == 2

            # A posts over the WebSocket on server 1; B on server 2 sees it.
            await socket_a.send(
                json.dumps(
                    {"type": "idea.post", "request_id": "k1", "client_key": key_a, "text": idea_a}
                )
            )
            ack = await _receive_until(
                socket_a, lambda f: f["type"] in {"ack", "error"}, "answer to the post"
            )
            assert ack["type"] == "ack", ack
            assert ack["request_id"] == "k1"
            assert ack["data"]["created"] is True
            assert ack["data"]["idea"]["text"] == idea_a
            idea_a_id = ack["data"]["idea"]["id"]

            seen_by_b = await _receive_until(socket_b, _posted(idea_a), "idea.posted on server 2")
            assert seen_by_b["data"]["idea"]["id"] == idea_a_id
            assert seen_by_b["data"]["idea"]["author_name"] == "Astrid"

            # B posts over plain HTTP on server 2; A on server 1 sees it.
            posted = await phone_b.post(
                f"/w/{code}/ideas/",
                data={"text": idea_b, "client_key": key_b},
                headers={
                    "Accept": "application/json",
                    "X-CSRFToken": phone_b.cookies["csrftoken"],
                },
            )
            assert posted.status_code == 201, posted.text
            assert posted.json()["created"] is True
            idea_b_id = posted.json()["idea"]["id"]

            seen_by_a = await _receive_until(socket_a, _posted(idea_b), "idea.posted on server 1")
            assert seen_by_a["data"]["idea"]["id"] == idea_b_id
            assert seen_by_a["data"]["idea"]["author_name"] == "Bilal"

            # A's phone resends its post: once on the same socket, once over HTTP to the
            # other worker (as after a lost answer and a reconnect). Neither posts again.
            await socket_a.send(
                json.dumps(
                    {
                        "type": "idea.post",
                        "request_id": "k1-again",
                        "client_key": key_a,
                        "text": idea_a,
                    }
                )
            )
            again = await _receive_until(
                socket_a, lambda f: f.get("request_id") == "k1-again", "answer to the resend"
            )
            assert again["type"] == "ack", again
            assert again["data"]["created"] is False
            assert again["data"]["idea"]["id"] == idea_a_id

            resent = await phone_a.post(
                f"{room.server_2}/w/{code}/ideas/",
                data={"text": idea_a, "client_key": key_a},
                headers={
                    "Accept": "application/json",
                    "X-CSRFToken": phone_a.cookies["csrftoken"],
                },
            )
            assert resent.status_code == 200, resent.text
            assert resent.json()["created"] is False
            assert resent.json()["idea"]["id"] == idea_a_id

        # Both reconnect, each to the other worker, and get the whole wall back once.
        async with (
            _socket(room.server_2, code, session_a) as socket_a,
            _socket(room.server_1, code, session_b) as socket_b,
        ):
            for snapshot in (await _snapshot(socket_a), await _snapshot(socket_b)):
                assert sorted(_texts(snapshot)) == sorted([idea_a, idea_b])
                assert _texts(snapshot).count(idea_a) == 1
                assert {idea["id"] for idea in snapshot["ideas"]} == {idea_a_id, idea_b_id}


# A facilitator's act from a process of its own, through the same services the console uses.
HOST_ACT = """
from moderation.services import participant_mute, participant_unmute
from workshops.actors import Actor
from workshops.models import Participant, Workshop
from workshops.phases import Role
from workshops.services import workshop_change_phase
workshop = Workshop.objects.get(join_code={code!r})
host = Actor(role=Role.FACILITATOR, workshop=workshop, user=workshop.owner)
citizen = Participant.objects.get(workshop=workshop, display_name={name!r})
{act}
"""


async def _host_does(room: Room, name: str, act: str) -> None:
    script = HOST_ACT.format(code=room.code, name=name, act=act)
    await asyncio.to_thread(manage, room.env, "shell", "-c", script)


async def _post(socket: ClientConnection, text: str, request_id: str) -> dict[str, Any]:
    frame = {
        "type": "idea.post",
        "request_id": request_id,
        "client_key": uuid.uuid4().hex,
        "text": text,
    }
    await socket.send(json.dumps(frame))
    return await _receive_until(
        socket, lambda f: f.get("request_id") == request_id, f"answer to {request_id}"
    )


async def test_a_mute_and_a_phase_change_elsewhere_hold_for_the_next_command_on_any_server(
    room: Room,
) -> None:
    """A socket keeps who it is; what another process did to the room holds all the same."""
    async with (
        asyncio.timeout(TEST_TIMEOUT * 2),
        httpx.AsyncClient(
            base_url=room.server_2, follow_redirects=True, timeout=10, trust_env=False
        ) as phone,
    ):
        session = await _join(phone, room.code, "Astrid")
        async with _socket(room.server_2, room.code, session) as socket:
            await _snapshot(socket)
            assert (await _post(socket, "Open late on Thursdays", "p1"))["type"] == "ack"

            await _host_does(
                room, "Astrid", "participant_mute(actor=host, participant_id=citizen.pk)"
            )
            muted = await _post(socket, "A quiet room", "p2")
            assert (muted["type"], muted["code"]) == ("error", "forbidden"), muted

            await _host_does(
                room, "Astrid", "participant_unmute(actor=host, participant_id=citizen.pk)"
            )
            assert (await _post(socket, "A quiet room", "p3"))["type"] == "ack"

            await _host_does(room, "Astrid", "workshop_change_phase(actor=host, phase='group')")
            late = await _post(socket, "Free coffee", "p4")
            assert (late["type"], late["code"]) == ("error", "wrong_phase"), late
