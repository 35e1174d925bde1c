"""One subscription per challenge per process; counts reach every open page, coalesced.

A support storm sends thousands of count changes a minute to a challenge. Each page
needs the newest count, not every step: the hub receives each event once for all
local pages (one channel in the challenge's group, as workshops.hub does for a
room), keeps the newest change per proposal (by its `revision`), and writes what
gathered to every page at most every `FLUSH_SECONDS`, as one frame. So a page's
count is never more than about `FLUSH_SECONDS` behind, and the frames per page stay
bounded however fast people support.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from channels.layers import get_channel_layer

from workshops.hub import YIELD_EVERY, HubsByLoop, Socket, Writes, frame_of

from .events import challenge_group

# A quarter of a second: well inside the second a page may lag behind the last support,
# and a process with 500 pages open writes 2,000 frames a second in a storm, not 5,000.
FLUSH_SECONDS = 0.25


class ChallengeHub:
    def __init__(self, challenge_id: int) -> None:
        self.challenge_id = challenge_id
        self.group = challenge_group(challenge_id)
        self.layer = get_channel_layer()
        self.pages: set[Socket] = set()
        self.channel = ""
        self.subscribed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._pending: dict[tuple[str, int], dict[str, Any]] = {}
        self._revisions: dict[int, int] = {}
        self._latest: dict[int, dict[str, Any]] = {}
        self._wake = asyncio.Event()
        self._writes = Writes[Socket](f"challenge {challenge_id}")

    async def add(self, page: Socket) -> None:
        self.pages.add(page)
        if self._task is None:
            self._task = asyncio.create_task(self._run())
        await self.subscribed.wait()

    async def remove(self, page: Socket) -> None:
        self.pages.discard(page)
        if self.pages:
            return
        _HUBS.forget(self.challenge_id)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.channel:
            with contextlib.suppress(Exception):
                await self.layer.group_discard(self.group, self.channel)

    async def _run(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.subscribed.set()
        flusher = asyncio.create_task(self._flush_loop())
        try:
            while True:
                message = await self.layer.receive(self.channel)
                if message.get("type") == "challenge.event":
                    self._keep(message["event"])
        finally:
            flusher.cancel()

    def _keep(self, event: dict[str, Any]) -> None:
        proposal = event["data"]["proposal"]
        revision = int(proposal.get("revision", 0))
        if revision < self._revisions.get(proposal["id"], 0):
            # An older count that crossed a newer one on the bus (two processes send
            # their own). Its count is dropped; its milestone, news for the author that
            # no later change repeats, rides on the newest count instead.
            latest = self._latest.get(proposal["id"])
            if latest is None or not event["data"].get("milestone"):
                return
            event = {**event, "data": {**event["data"], "proposal": latest}}
            proposal, revision = latest, int(latest.get("revision", 0))
        self._revisions[proposal["id"]] = revision
        if event["type"] == "proposal.support_changed":
            self._latest[proposal["id"]] = proposal
        key = (event["type"], proposal["id"])
        earlier = self._pending.get(key)
        # A milestone is news for the author even when a later count overtakes it.
        if earlier is not None and earlier["data"].get("milestone"):
            milestone = max(earlier["data"]["milestone"], event["data"].get("milestone") or 0)
            event = {**event, "data": {**event["data"], "milestone": milestone}}
        self._pending[key] = event
        self._wake.set()

    async def _flush_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            events, self._pending = list(self._pending.values()), {}
            text = frame_of([json.dumps(event, ensure_ascii=False) for event in events])
            for index, page in enumerate(list(self.pages)):
                if index and index % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                if page in self._writes.stalled:
                    continue  # still writing an earlier frame: it gets the next one
                self._writes.start(page, text)
            await asyncio.sleep(FLUSH_SECONDS)


_HUBS = HubsByLoop(ChallengeHub)


def challenge_hub(challenge_id: int) -> ChallengeHub:
    return _HUBS.of(challenge_id)
