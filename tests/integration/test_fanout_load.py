"""A full room on a real server: every phone gets every event, once, in the room's order.

The benchmark (bench/fanout) measures how fast; this checks, at a size CI can
afford, that the room's fan-out loses nothing, repeats nothing and shows every
screen the same order: 200 sockets on Daphne, 50 ideas posted over the sockets
of ten of them. Once with one process, once with two processes sharing Redis.
And when Redis restarts under a live room, the room's hub subscribes again and
every screen gets a fresh snapshot, so nothing that happened meanwhile is lost.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bench.fanout.client import Connection, open_connection
from tests.integration.conftest import RestartableRedis
from tests.servers import ROOT, daphne, project_env

pytestmark = pytest.mark.services

SOCKETS = 200
POSTERS = 10
EVENTS = 50
TEST_TIMEOUT = 90.0


def _env(database_url: str, redis_url: str = "") -> dict[str, str]:
    env = project_env(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECURE_COOKIES="0",
        SECRET_KEY="fanout-test-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1",
        # Every socket comes from 127.0.0.1 and the posters post fast.
        SAMSKAB_RATE_POST="100000/m",
        SAMSKAB_RATE_POST_PER_ADDRESS="1000000/m",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _seed(env: dict[str, str], participants: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.fanout.seed", "--participants", str(participants)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


class Phone:
    """One socket and every frame it got, parsed."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.changed = asyncio.Event()
        self.connection: Connection | None = None

    def on_frame(self, _connection: Connection, data: bytes, _at: float) -> None:
        frame = json.loads(data)
        # A busy room sends the events of one pass together; a page applies them one by one.
        self.frames.extend(frame["events"] if frame["type"] == "batch" else [frame])
        self.changed.set()

    def ideas(self) -> list[str]:
        return [f["data"]["idea"]["text"] for f in self.frames if f["type"] == "idea.posted"]

    def snapshots(self) -> int:
        return sum(1 for f in self.frames if f["type"] == "snapshot")

    async def wait_for(self, done: Any, seconds: float) -> None:
        async with asyncio.timeout(seconds):
            while not done(self):
                self.changed.clear()
                await self.changed.wait()


async def _open(base_urls: list[str], code: str, sessions: list[str]) -> list[Phone]:
    phones = [Phone() for _ in sessions]
    gate = asyncio.Semaphore(25)

    async def one(index: int) -> None:
        base = base_urls[index % len(base_urls)]
        port = urlsplit(base).port
        async with gate:
            phones[index].connection = await open_connection(
                f"ws://127.0.0.1:{port}/ws/workshops/{code}/",
                origin=base,
                cookie=f"sessionid={sessions[index]}",
                on_frame=phones[index].on_frame,
            )
            await phones[index].wait_for(lambda p: p.snapshots() == 1, 30)

    await asyncio.gather(*(one(index) for index in range(len(sessions))))
    return phones


def _close(phones: list[Phone]) -> None:
    for phone in phones:
        if phone.connection is not None:
            phone.connection.close()


async def _post(phone: Phone, text: str) -> None:
    assert phone.connection is not None
    frame = {"type": "idea.post", "text": text, "client_key": uuid.uuid4().hex, "request_id": text}
    phone.connection.send_text(json.dumps(frame))


async def _every_phone_gets_every_idea_once(base_urls: list[str], facts: dict[str, Any]) -> None:
    phones = await _open(base_urls, facts["code"], facts["sessions"][:SOCKETS])
    try:
        posters = phones[:: SOCKETS // POSTERS]
        texts = [f"Idea number {index} from the fan-out test" for index in range(EVENTS)]
        for index, text in enumerate(texts):
            await _post(posters[index % len(posters)], text)
            await asyncio.sleep(0.02)
        await asyncio.gather(
            *(phone.wait_for(lambda p: len(p.ideas()) >= EVENTS, 45) for phone in phones)
        )
        await asyncio.sleep(0.5)  # time for a duplicate to show up, if any would

        for phone in phones:
            seen = phone.ideas()
            assert len(seen) == EVENTS, f"{len(seen)} ideas arrived, not {EVENTS}"
            assert sorted(seen) == sorted(texts), "a phone missed or repeated an idea"
        # One room, one order: every screen shows the same wall, built in the same order.
        orders = {tuple(phone.ideas()) for phone in phones}
        assert len(orders) == 1, f"{len(orders)} different orders across the room"
        for poster in posters:
            acks = [f for f in poster.frames if f["type"] == "ack"]
            assert acks, "a poster got no answer"
            assert all(ack["data"]["created"] for ack in acks)
    finally:
        _close(phones)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fanout.sqlite3'}"


async def test_200_phones_each_get_all_50_ideas_once_in_order(sqlite_url: str) -> None:
    env = _env(sqlite_url)
    facts = _seed(env, SOCKETS)
    with daphne(env) as server:
        async with asyncio.timeout(TEST_TIMEOUT):
            await _every_phone_gets_every_idea_once([server], facts)


async def test_200_phones_on_two_processes_sharing_redis(database_url: str, redis_url: str) -> None:
    env = _env(database_url, redis_url)
    facts = _seed(env, SOCKETS)
    with daphne(env) as server_1, daphne(env) as server_2:
        async with asyncio.timeout(TEST_TIMEOUT):
            await _every_phone_gets_every_idea_once([server_1, server_2], facts)


async def test_after_a_redis_restart_every_screen_resyncs_and_hears_the_room_again(
    sqlite_url: str, restartable_redis: RestartableRedis
) -> None:
    env = _env(sqlite_url, restartable_redis.url)
    facts = _seed(env, 20)
    with daphne(env) as server:
        async with asyncio.timeout(TEST_TIMEOUT):
            phones = await _open([server], facts["code"], facts["sessions"])
            try:
                await _post(phones[0], "Before the restart")
                await asyncio.gather(
                    *(p.wait_for(lambda p: p.ideas() == ["Before the restart"], 10) for p in phones)
                )

                restartable_redis.restart()

                # The hub notices (a dropped connection, or its heartbeat going unanswered),
                # subscribes again and sends every screen the whole room afresh.
                await asyncio.gather(
                    *(p.wait_for(lambda p: p.snapshots() == 2, 40) for p in phones)
                )
                for phone in phones:
                    fresh = next(f for f in reversed(phone.frames) if f["type"] == "snapshot")
                    assert [i["text"] for i in fresh["data"]["ideas"]] == ["Before the restart"]

                # And the room is live again: an idea posted now reaches every screen.
                await _post(phones[1], "After the restart")
                await asyncio.gather(
                    *(p.wait_for(lambda p: "After the restart" in p.ideas(), 10) for p in phones)
                )
            finally:
                _close(phones)
