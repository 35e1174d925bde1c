"""The load generator: N sockets in one room, a steady event rate, latency room-wide.

Run by bench.fanout.run (pinned to its own core); prints one JSON object. Most
sockets only count what they receive; the probes parse every frame and stamp
when each event arrived. An event's room-wide latency is the time from its send
until the last probe has it. The probes also publish: in the application they
post ideas over their own sockets, through the same command path a phone uses.
The server may put several room events in one `batch` frame: probes unpack them,
and the discarding sockets count a batch as the events it carries.

In the application, a vote run follows (`votes`): one socket per participant of a
second room, each casting its votes one at a time (one dot more, one more idea
approved, or a ranking one place longer, by the room's rule), spread over a few
seconds; then when each screen showed the final tally.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.fanout.client import Connection, FrameHandler, events_of, open_connection

# About the size of an idea as the room sees it, so every server carries the same bytes.
PAD = (
    "Longer opening hours on Thursdays, a quiet corner for homework and "
    "a café run by the youth club"
)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The version the room page's snapshot was read at, which the room's script sends as
# `since` when it opens the socket (docs/protocol.md). Quotes inside the snapshot's
# strings are escaped, so only the snapshot's own field matches.
SNAPSHOT_VERSION = re.compile(rb'"version":"([^"]+)"')
# A frame's type, which the server writes first (docs/protocol.md).
FIRST_FRAME = re.compile(rb'\{"type":"([^"]+)"')


@dataclass
class Probe:
    """What one probe saw: when each event arrived, in arrival order."""

    arrivals: dict[int, float] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    duplicates: int = 0


@dataclass
class Room:
    mode: str
    connections: list[Connection] = field(default_factory=list)
    probes: dict[int, Probe] = field(default_factory=dict)
    # Events a discarding socket got before a run (snapshot, earlier runs), left out of counts.
    baseline: dict[int, int] = field(default_factory=dict)
    first_frame: dict[int, asyncio.Future[None]] = field(default_factory=dict)

    def on_frame(self, connection: Connection, data: bytes, now: float) -> None:
        waiter = self.first_frame.get(connection.label)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        probe = self.probes.get(connection.label)
        if probe is None:
            return
        for event in events_of(json.loads(data)):
            seq = event_seq(self.mode, event)
            if seq is None:
                continue
            if seq in probe.arrivals:
                probe.duplicates += 1
                continue
            probe.arrivals[seq] = now
            probe.order.append(seq)


def event_seq(mode: str, frame: dict[str, Any]) -> int | None:
    """The sequence number of a benchmark event, or None for any other frame."""
    if mode == "app":
        if frame.get("type") != "idea.posted":
            return None
        text = frame["data"]["idea"]["text"]
        return int(text.split(" ", 2)[1]) if text.startswith("bench ") else None
    if frame.get("type") == "bench.event":
        return int(frame["data"]["seq"])
    return None


def publish_frame(mode: str, seq: int, run: str) -> str:
    if mode == "app":
        return json.dumps(
            {
                "type": "idea.post",
                "text": f"bench {seq} {PAD}",
                "client_key": f"{run}-{seq}",
                "request_id": str(seq),
            }
        )
    # The application's idea.posted carries the idea with its author, status and times.
    data = {"seq": seq, "text": PAD, "author_name": "Citizen 7", "status": "published"}
    return json.dumps({"type": "publish", "data": data})


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pids: list[int]) -> float:
    """CPU time the processes have used so far: every thread, and their children's.

    Children count too, living (uvicorn's workers, PostgreSQL's backends) or ended and
    waited for (a backend of a closed connection).
    """
    ticks = 0
    for pid in pids:
        ticks += _tree_ticks(pid)
    return ticks / os.sysconf("SC_CLK_TCK")


def _tree_ticks(pid: int, depth: int = 0) -> int:
    ticks = 0
    with contextlib.suppress(OSError):
        # After the command name in parentheses: utime, stime, cutime and cstime are
        # fields 14 to 17.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += sum(int(value) for value in fields[11:15])
    if depth < 3:
        with contextlib.suppress(OSError):
            for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
                ticks += _tree_ticks(int(child), depth + 1)
    return ticks


def machine_cpu() -> tuple[float, float]:
    """The machine's CPU seconds so far, every core: (busy, stolen by the hypervisor)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is within user)
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6]
    ticks = os.sysconf("SC_CLK_TCK")
    return busy / ticks, (fields[7] if len(fields) > 7 else 0) / ticks


def spy_start(path: str, pids: list[int], *, idle: bool) -> subprocess.Popen[bytes] | None:
    """Sample the server processes and their children with py-spy into `path` (raw stacks).

    Each stack starts with its process and thread. With `idle`, waiting threads too.
    """
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists() or not pids:
        return None
    command = [spy, "record", "--pid", str(pids[0]), "--subprocesses", "--threads"]
    command += ["--idle"] if idle else []
    command += ["--rate", "200", "--format", "raw", "--nonblocking", "-o", path]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def spy_stop(sampler: subprocess.Popen[bytes]) -> None:
    sampler.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        sampler.wait(timeout=30)


def rss_kib(pid: int) -> int:
    """The process's resident memory with its children's (uvicorn's workers are children)."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total = int(line.split()[1])
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total += sum(rss_kib(int(child)) for child in children)
    return total


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def open_many(
    url: str,
    origin: str,
    cookies: list[str],
    n: int,
    on_frame: FrameHandler,
    first_frame: dict[int, asyncio.Future[None]] | None,
) -> tuple[list[Connection], list[str], float]:
    """Open n sockets, 50 at a time; with `first_frame`, wait for each one's first frame.

    Returns the open connections (labelled by index), the errors, and the seconds taken.
    """
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(50)
    errors: list[str] = []
    connections: list[Connection] = []

    async def one(index: int) -> None:
        if first_frame is not None:
            first_frame[index] = loop.create_future()
        cookie = f"sessionid={cookies[index]}" if cookies else ""
        async with gate:
            try:
                connection = await open_connection(
                    url, origin=origin, cookie=cookie, on_frame=on_frame, label=index
                )
            except Exception as error:  # counted and reported
                errors.append(repr(error))
                return
            connections.append(connection)
            if first_frame is not None:
                # The application answers every socket with its snapshot first.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(first_frame[index], 30)

    started = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(n)))
    return connections, errors, time.perf_counter() - started


async def connect_all(
    room: Room, url: str, origin: str, cookies: list[str], n: int, probes: int
) -> dict[str, Any]:
    """Open the room's n sockets; the probes are spread over those that opened."""
    first_frame = room.first_frame if room.mode == "app" else None
    room.connections, errors, elapsed = await open_many(
        url, origin, cookies, n, room.on_frame, first_frame
    )
    # Chosen once the sockets are open: a probe that failed to open would count every
    # event as missing. No run has started yet, so no probe has missed anything.
    opened = sorted(connection.label for connection in room.connections)
    step = max(1, len(opened) // max(1, probes))
    for label in opened[::step][:probes]:
        room.probes[label] = Probe()
    for connection in room.connections:
        room.baseline[connection.label] = connection.events
    return {
        "opened": len(room.connections),
        "open_errors": len(errors),
        "first_open_error": errors[0] if errors else "",
        "opens_per_s": len(room.connections) / elapsed,
    }


async def drive(
    room: Room, *, rate: float, events: int, first_seq: int, settle: float
) -> dict[str, Any]:
    """Publish `events` at `rate` from the probes in turn; wait until the room has them."""
    run = uuid.uuid4().hex[:8]
    cpu_started = cpu_seconds()
    publishers = [c for c in room.connections if c.label in room.probes]
    sent: dict[int, float] = {}
    started = time.perf_counter()
    for offset in range(events):
        due = started + offset / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        seq = first_seq + offset
        publisher = publishers[offset % len(publishers)]
        sent[seq] = time.perf_counter()
        publisher.send_text(publish_frame(room.mode, seq, run))
    send_done = time.perf_counter()
    expected_total = events * len(room.connections)
    counted = [c for c in room.connections if c.label not in room.probes]

    def delivered() -> int:
        from_probes = sum(
            sum(1 for seq in sent if seq in room.probes[c.label].arrivals)
            for c in room.connections
            if c.label in room.probes
        )
        return from_probes + sum(c.events - room.baseline[c.label] for c in counted)

    # Wait for everything, or for the room to stop making progress.
    deadline = send_done + settle
    last, last_change = -1, time.perf_counter()
    while time.perf_counter() < deadline:
        now_delivered = delivered()
        if now_delivered >= expected_total:
            break
        if now_delivered != last:
            last, last_change = now_delivered, time.perf_counter()
        elif time.perf_counter() - last_change > 5:
            break
        await asyncio.sleep(0.05)
    total = delivered()
    for connection in counted:
        room.baseline[connection.label] = connection.events

    latencies: list[float] = []
    missing = 0
    for seq, at in sent.items():
        arrivals = [p.arrivals.get(seq) for p in room.probes.values()]
        if any(a is None for a in arrivals):
            missing += 1
            continue
        latencies.append(max(a for a in arrivals if a is not None) - at)
    last_arrival = max(
        (t for p in room.probes.values() for s, t in p.arrivals.items() if s in sent),
        default=send_done,
    )
    # Publishers race each other, so order is judged against the room: every probe
    # must see the events in one and the same order.
    common = [s for s in sent if all(s in p.arrivals for p in room.probes.values())]
    orders = [[s for s in p.order if s in common] for p in room.probes.values()]
    out_of_order = sum(1 for order in orders if order != orders[0])
    span = max(last_arrival - started, 1e-9)
    return {
        # Above ~0.9 the generator, not the server, sets the pace.
        "load_cpu": (cpu_seconds() - cpu_started) / max(time.perf_counter() - started, 1e-9),
        "events": events,
        "offered_rate": rate,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": (max(latencies) if latencies else float("nan")) * 1000,
        "mean_ms": (statistics.fmean(latencies) if latencies else float("nan")) * 1000,
        "delivered": total,
        "expected": expected_total,
        "events_per_s": (events - missing) / span,
        "deliveries_per_s": total / span,
        "duplicates": sum(p.duplicates for p in room.probes.values()),
        "out_of_order": out_of_order,
        "missing_at_probes": missing,
    }


async def joins(
    base_url: str,
    code: str,
    ws_url: str,
    count: int,
    seconds: float = 10.0,
    *,
    by: str = "socket",
    pids: list[int] | None = None,
) -> dict[str, Any]:
    """Join `count` citizens through the real join page, offered evenly over `seconds`.

    The phones arrive on a schedule, as a room fills after the facilitator shows the
    code, whether or not the server has answered the ones before: a slow server makes
    joins pile up rather than arrive later. Each phone keeps one connection for its
    pages (bench.fanout.phone, light enough that the server, not the generator, sets
    the pace). `by="socket"` joins as the join page's script does: the page, then the
    room's socket opened with `join=1`, the name sent as `join`, and the join counts
    once the `ack` and the room's snapshot have come. `by="form"` joins as before (and
    as a phone without script does): the page, the form (which answers with the room),
    then the room's socket, sending the page's version as the room's script does; the
    join counts once the socket's first frame is the snapshot (or `snapshot.current`).
    A join's time runs from its scheduled arrival. The server processes' CPU (`pids`)
    over the run is reported per join, so a room that makes joins slower can be told
    from a generator or machine that does.
    """
    from bench.fanout.phone import Phone

    if by not in {"socket", "form"}:
        raise ValueError(f"joins by socket or form, not {by!r}")
    errors: list[str] = []
    durations: list[float] = []
    kept: list[Connection] = []
    # Sockets whose page's snapshot was still current (no second snapshot sent).
    current: list[int] = []
    interval = seconds / max(1, count)

    async def one(index: int, start: float) -> None:
        await asyncio.sleep(max(0.0, start + index * interval - time.perf_counter()))
        began = time.perf_counter()
        name = f"Joiner {index}"
        try:
            version = None
            async with Phone(base_url) as phone:
                page = await phone.get(f"/j/{code}")
                token = CSRF_INPUT.search(page.text)
                if page.status != 200 or token is None:
                    raise RuntimeError(f"join page answered {page.status}")
                if by == "form":
                    joined = await phone.post(
                        f"/j/{code}",
                        {"display_name": name, "csrfmiddlewaretoken": token[1]},
                        headers={"Referer": f"{base_url}/j/{code}"},
                    )
                    in_room = b'id="room-config"' in joined.body
                    if joined.status != 200 or not in_room:
                        raise RuntimeError(f"joining answered {joined.status}")
                    version = SNAPSHOT_VERSION.search(joined.body)
                session = phone.cookies.get("sessionid")
                if not session:
                    raise RuntimeError("the join page gave the phone no session")
            frames: asyncio.Queue[bytes] = asyncio.Queue()

            def seen(_c: Connection, data: bytes, _t: float, frames: Any = frames) -> None:
                frames.put_nowait(data)

            if by == "socket":
                query = "?join=1"
            else:
                query = f"?since={quote(version[1].decode())}" if version else ""
            connection = await open_connection(
                f"{ws_url}/ws/workshops/{code}/{query}",
                origin=base_url,
                cookie=f"sessionid={session}",
                on_frame=seen,
            )
            kept.append(connection)
            if by == "socket":
                connection.send_text(
                    json.dumps({"type": "join", "request_id": "join", "display_name": name})
                )
                ack = json.loads(await asyncio.wait_for(frames.get(), 30))
                if ack.get("type") != "ack":
                    raise RuntimeError(f"join answered {ack.get('type')}: {ack.get('code')}")
            # Only the frame's type is read: decoding a room of 500 ideas for every
            # joiner took the generator 1.4 ms of its core each (a phone's, not the
            # server's, work), a seventh of a core at a hundred joins a second.
            first = FIRST_FRAME.match(await asyncio.wait_for(frames.get(), 30))
            kind = first[1].decode() if first else "not JSON"
            if kind not in {"snapshot", "snapshot.current"}:
                raise RuntimeError(f"the room's first frame was {kind}")
            if kind == "snapshot.current":
                current.append(index)
            durations.append(time.perf_counter() - began)
        except Exception as error:  # counted and reported
            errors.append(repr(error))

    pids = pids or []
    cpu_started = cpu_seconds()
    server_cpu_started = process_cpu_seconds(pids)
    machine_started = machine_cpu()[0]
    started = time.perf_counter()
    await asyncio.gather(*(one(index, started) for index in range(count)))
    elapsed = time.perf_counter() - started
    load_cpu = (cpu_seconds() - cpu_started) / max(elapsed, 1e-9)
    server_cpu = process_cpu_seconds(pids) - server_cpu_started
    machine_busy = (machine_cpu()[0] - machine_started) / max(elapsed, 1e-9)
    for connection in kept:
        connection.close()
    return {
        # Above ~0.9 the generator, not the server, sets the pace.
        "join_load_cpu": load_cpu,
        # The server's CPU per join answered (every process and thread), and every
        # core's busy time over the run in cores (ours and any other work's).
        "join_server_cpu_ms": 1000 * server_cpu / max(1, count - len(errors)) if pids else None,
        "join_machine_cpu": machine_busy,
        "joins": count,
        "join_by": by,
        "join_offered_seconds": seconds,
        "join_errors": len(errors),
        "join_current": len(current),
        "first_join_error": errors[0] if errors else "",
        "joins_per_s": (count - len(errors)) / elapsed,
        "join_seconds": elapsed,
        "join_p99_ms": percentile(durations, 0.99) * 1000,
    }


@dataclass
class Ballots:
    """The vote run: every vote sent and answered, and when each screen had the final tally."""

    sent_at: dict[str, float] = field(default_factory=dict)
    acked_at: dict[str, float] = field(default_factory=dict)
    failed_at: dict[str, float] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    # Each socket's participant as the server last answered them: (revision, dots placed).
    own: dict[int, tuple[int, int]] = field(default_factory=dict)
    # Per socket: every distinct set of totals it was shown, and when it first was.
    shown: dict[int, dict[tuple[tuple[int, int], ...], float]] = field(default_factory=dict)
    tally_events: int = 0
    ballot_updates: int = 0
    snapshot_ballot: dict[str, Any] = field(default_factory=dict)
    first_frame: dict[int, asyncio.Future[None]] = field(default_factory=dict)

    def on_frame(self, connection: Connection, data: bytes, now: float) -> None:
        waiter = self.first_frame.get(connection.label)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        # A participant's own ballot also comes back in the vote's ack: count, do not parse.
        if data.startswith(b'{"type": "ballot.updated"'):
            self.ballot_updates += 1
            return
        # Every socket gets the same large snapshot; one is enough to check the rules.
        if data.startswith(b'{"type": "snapshot"') and self.snapshot_ballot:
            return
        for event in events_of(json.loads(data)):
            self.on_event(connection.label, event, now)

    def on_event(self, label: int, event: dict[str, Any], now: float) -> None:
        kind = event.get("type")
        if kind in {"votes.tallied", "tallies.revealed"}:
            self.tally_events += 1
            totals = tuple(
                sorted((tally["target_id"], tally["total"]) for tally in event["data"]["tallies"])
            )
            self.shown.setdefault(label, {}).setdefault(totals, now)
        elif kind == "ack":
            request = event.get("request_id")
            if request in self.sent_at and request not in self.acked_at:
                self.acked_at[request] = now
                own = event["data"]
                dots = sum(vote["weight"] for vote in own["votes"])
                if own["revision"] >= self.own.get(label, (-1, 0))[0]:
                    self.own[label] = (own["revision"], dots)
        elif kind == "error":
            self.errors[str(event.get("code"))] += 1
            request = event.get("request_id")
            if request in self.sent_at:
                self.failed_at[request] = now
        elif kind == "ballot.updated":
            self.ballot_updates += 1
        elif kind == "snapshot":
            self.snapshot_ballot = event["data"]["voting"]["ballot"]


# The room's voting rules the vote run can cast under.
VOTE_RULES = ("dots", "approval", "ranking")


def vote_plan(
    labels: list[int], ideas: list[int], per_participant: int, rule: str = "dots"
) -> list[tuple[int, dict[str, Any]]]:
    """(socket, the vote's frame) for every vote, round by round: each adds one more mark.

    Vote k of participant i names idea (i + k) % len(ideas). Dots: it sets
    `k // len(ideas) + 1` dots there (one dot on each of k different ideas while there
    are enough, then a second dot, and so on). Approval: it approves that idea.
    Ranking: it sends the ranking of ideas i, i + 1, ... i + k, one place longer than
    the last. Sending each participant's votes in order, every one adds exactly one.
    """
    plan: list[tuple[int, dict[str, Any]]] = []
    for k in range(per_participant):
        for label in labels:
            idea = ideas[(label + k) % len(ideas)]
            frame: dict[str, Any]
            if rule == "approval":
                frame = {"type": "vote.approve", "target_id": idea, "approved": True}
            elif rule == "ranking":
                order = [ideas[(label + j) % len(ideas)] for j in range(k + 1)]
                frame = {"type": "vote.rank", "order": order}
            else:
                frame = {"type": "vote.set", "target_id": idea, "dots": k // len(ideas) + 1}
            plan.append((label, {**frame, "target_type": "idea"}))
    return plan


def expected_totals(
    plan: list[tuple[int, dict[str, Any]]], budget: int | None = None
) -> tuple[tuple[int, int], ...]:
    """What the room's totals must be: each participant's first `budget` dots or places count.

    A ranking's places earn `budget` points for the top choice, one less for each next.
    """
    dots: Counter[int] = Counter()
    placed: Counter[int] = Counter()
    approved: dict[int, set[int]] = {}
    ranked: dict[int, list[int]] = {}
    for label, frame in plan:
        if frame["type"] == "vote.approve":
            approved.setdefault(label, set()).add(frame["target_id"])
        elif frame["type"] == "vote.rank":
            if budget is None or len(frame["order"]) <= budget:
                ranked[label] = frame["order"]
        elif budget is None or placed[label] < budget:
            dots[frame["target_id"]] += 1
            placed[label] += 1
    totals = Counter(dots)
    for ideas in approved.values():
        totals.update(ideas)
    for order in ranked.values():
        places = budget if budget is not None else len(order)
        for index, idea in enumerate(order):
            totals[idea] += places - index
    return tuple(sorted(totals.items()))


async def votes(
    url: str,
    origin: str,
    cookies: list[str],
    ideas: list[int],
    *,
    per_participant: int,
    budget: int,
    rule: str = "dots",
    seconds: float,
    settle: float,
    pids: list[int],
    sides: dict[str, int] | None = None,
    profile: str = "",
    profile_idle: bool = False,
) -> dict[str, Any]:
    """One socket per participant; every participant casts its votes, spread over `seconds`.

    Then: how many votes were answered, how fast, and when each screen showed the final
    tally, measured from the last vote's ack (and from the last send). With a `budget`
    below `per_participant` the votes beyond it are refused (dots: `conflict`; a ranking
    longer than its places: `invalid`), and are answered like any other.
    """
    sides = sides or {}
    ballots = Ballots()
    connections, open_errors, elapsed = await open_many(
        url, origin, cookies, len(cookies), ballots.on_frame, ballots.first_frame
    )
    by_label = {connection.label: connection for connection in connections}
    plan = vote_plan(sorted(by_label), ideas, per_participant, rule)
    expected = expected_totals(plan, budget)
    sampler = spy_start(profile, pids, idle=profile_idle) if profile else None
    await asyncio.sleep(1)
    cpu_started = cpu_seconds()
    server_cpu_started = process_cpu_seconds(pids)
    sides_started = {name: process_cpu_seconds([pid]) for name, pid in sides.items()}
    machine_started = machine_cpu()
    interval = seconds / max(1, len(plan))
    started = time.perf_counter()
    for index, (label, frame) in enumerate(plan):
        delay = started + index * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif index % 50 == 0:
            # Behind schedule: still let the answers in now and then.
            await asyncio.sleep(0)
        request = f"v{label}.{index // len(by_label)}"
        ballots.sent_at[request] = time.perf_counter()
        by_label[label].send_text(json.dumps({**frame, "request_id": request}))
    last_sent = time.perf_counter()

    # Every vote answered, or no answer for 5 s (a stuck server), at most 600 s.
    answered = 0
    last_change = time.perf_counter()
    while time.perf_counter() < last_sent + 600:
        now_answered = len(ballots.acked_at) + len(ballots.failed_at)
        if now_answered >= len(plan):
            break
        if now_answered != answered:
            answered, last_change = now_answered, time.perf_counter()
        elif time.perf_counter() - last_change > 5:
            break
        await asyncio.sleep(0.02)
    last_ack = max(ballots.acked_at.values(), default=last_sent)
    last_answer = max([last_ack, *ballots.failed_at.values()])

    def finals() -> dict[int, float]:
        return {
            label: shown[expected]
            for label, shown in ballots.shown.items()
            if expected in shown and label in by_label
        }

    while time.perf_counter() < max(last_ack, last_sent) + settle:
        if len(finals()) >= len(connections):
            break
        await asyncio.sleep(0.02)
    wall = max(time.perf_counter() - started, 1e-9)
    if sampler is not None:
        spy_stop(sampler)
    cpu = (cpu_seconds() - cpu_started) / wall
    # Near 1.0 the server is busy all the time; well below, it waits on something else.
    server_cpu = (process_cpu_seconds(pids) - server_cpu_started) / wall
    side_cpu = {
        name: (process_cpu_seconds([pid]) - sides_started[name]) / wall
        for name, pid in sides.items()
    }
    machine_busy, machine_stolen = (
        (now - then) / wall for now, then in zip(machine_cpu(), machine_started, strict=True)
    )
    seen = finals()
    after_ack = [at - last_ack for at in seen.values()]
    after_send = [at - last_sent for at in seen.values()]
    round_trips = [at - ballots.sent_at[request] for request, at in ballots.acked_at.items()]
    # A screen shown more dots on an idea than were cast saw some vote counted twice.
    most = dict(expected)
    overcounted = sum(
        1
        for shown in ballots.shown.values()
        if any(total > most.get(idea, 0) for totals in shown for idea, total in totals)
    )
    for connection in connections:
        connection.close()
    return {
        "load_cpu": cpu,
        "server_cpu": server_cpu,
        # The services the server waits on (Redis, PostgreSQL), in cores over the run.
        "side_cpu": side_cpu,
        # Every core's busy time, ours and any other work's, and what the hypervisor took.
        "machine_cpu": machine_busy,
        "machine_stolen": machine_stolen,
        "participants": len(cookies),
        "opened": len(connections),
        "open_errors": len(open_errors),
        "first_open_error": open_errors[0] if open_errors else "",
        "opens_per_s": len(connections) / elapsed,
        "ballot": ballots.snapshot_ballot,
        "per_participant": per_participant,
        "ideas": len(ideas),
        "offered_seconds": seconds,
        "sent": len(plan),
        "send_seconds": last_sent - started,
        "acked": len(ballots.acked_at),
        "failed": len(ballots.failed_at),
        "unanswered": len(plan) - len(ballots.acked_at) - len(ballots.failed_at),
        "errors": dict(ballots.errors),
        "votes_per_s": len(ballots.acked_at) / max(last_ack - started, 1e-9),
        # Accepted and refused alike: what the server answered per second.
        "answered_per_s": (len(ballots.acked_at) + len(ballots.failed_at))
        / max(last_answer - started, 1e-9),
        "all_answered_after_first_send_s": last_answer - started,
        # A refusal answered after the last accepted vote holds back that phone's screen.
        "last_refusal_after_last_ack_ms": (
            (max(ballots.failed_at.values()) - last_ack) * 1000 if ballots.failed_at else 0.0
        ),
        "refusal_p99_ms": percentile(
            [at - ballots.sent_at[request] for request, at in ballots.failed_at.items()], 0.99
        )
        * 1000,
        "budget": budget,
        "rule": rule,
        "ack_p50_ms": percentile(round_trips, 0.50) * 1000,
        "ack_p99_ms": percentile(round_trips, 0.99) * 1000,
        "ack_max_ms": (max(round_trips) if round_trips else float("nan")) * 1000,
        "expected_dots": sum(total for _idea, total in expected),
        "expected_totals": {str(idea): total for idea, total in expected},
        # What the server's answers say each participant holds (dots, approvals, a
        # ranking's points), added up over the room.
        "dots_in_acks": sum(dots for _revision, dots in ballots.own.values()),
        "tally_events": ballots.tally_events,
        "ballot_updates": ballots.ballot_updates,
        "screens": len(connections),
        "screens_final": len(seen),
        "screens_missed": len(connections) - len(seen),
        "screens_overcounted": overcounted,
        "final_p50_ms": percentile(after_ack, 0.50) * 1000,
        "final_p99_ms": percentile(after_ack, 0.99) * 1000,
        "final_max_ms": (max(after_ack) if after_ack else float("nan")) * 1000,
        "final_after_send_p50_ms": percentile(after_send, 0.50) * 1000,
        "final_after_send_p99_ms": percentile(after_send, 0.99) * 1000,
        "final_after_send_max_ms": (max(after_send) if after_send else float("nan")) * 1000,
        "settle_seconds": settle,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    cookies: list[str] = []
    facts: dict[str, Any] = {}
    if args.facts:
        facts = json.loads(Path(args.facts).read_text())
        cookies = facts["sessions"]
    room = Room(mode=args.mode)
    ws_path = f"/ws/workshops/{facts['code']}/" if args.mode == "app" else "/ws/bench/"
    port = args.port
    url = f"ws://127.0.0.1:{port}{ws_path}"
    origin = f"http://127.0.0.1:{port}"
    pids = [int(pid) for pid in args.pids.split(",") if pid]
    result: dict[str, Any] = {"mode": args.mode, "n": args.n}
    if "fanout" in args.parts:
        rss_before = sum(rss_kib(pid) for pid in pids)
        result.update(await connect_all(room, url, origin, cookies, args.n, args.probes))
        await asyncio.sleep(1)
        rss_after = sum(rss_kib(pid) for pid in pids)
        result["kib_per_connection"] = (rss_after - rss_before) / max(1, len(room.connections))
        result["server_rss_mib"] = rss_after / 1024
        result["steady"] = await drive(
            room, rate=args.rate, events=args.events, first_seq=1, settle=args.settle
        )
        if args.sat_events:
            result["saturate"] = await drive(
                room,
                rate=args.sat_rate,
                events=args.sat_events,
                first_seq=100_000,
                settle=args.settle,
            )
        for connection in room.connections:
            connection.close()
    votes_wanted = "votes" in args.parts and args.votes_per_participant
    if args.mode == "app" and votes_wanted and facts.get("vote_code"):
        # Let the server see the room's sockets go before the voting room fills.
        await asyncio.sleep(2)
        result["voting"] = await votes(
            f"ws://127.0.0.1:{port}/ws/workshops/{facts['vote_code']}/",
            origin,
            facts["vote_sessions"],
            facts["vote_ideas"],
            per_participant=args.votes_per_participant,
            budget=args.vote_budget or args.votes_per_participant,
            rule=args.vote_rule,
            seconds=args.vote_seconds,
            settle=args.vote_settle,
            pids=pids,
            sides={
                name: int(pid)
                for name, _, pid in (side.partition("=") for side in args.sides.split(","))
                if pid
            },
            profile=args.profile_votes,
            profile_idle=args.profile_idle,
        )
        result["voting"]["code"] = facts["vote_code"]
    if args.mode == "app" and args.joins and "joins" in args.parts:
        await asyncio.sleep(1)
        result.update(
            await joins(
                origin,
                facts["join_code"],
                f"ws://127.0.0.1:{port}",
                args.joins,
                args.join_seconds,
                by=args.join_by,
                pids=pids,
            )
        )
    return result


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["raw", "bare", "app"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pids", default="", help="server processes to read RSS from")
    parser.add_argument(
        "--sides", default="", help="name=pid,...: services whose CPU the vote run reports"
    )
    parser.add_argument(
        "--profile-votes", default="", help="sample the server with py-spy while it votes, here"
    )
    parser.add_argument("--profile-idle", action="store_true", help="sample waiting threads too")
    parser.add_argument("--facts", default="", help="JSON from bench.fanout.seed")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--probes", type=int, default=20)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--sat-rate", type=float, default=200)
    parser.add_argument("--sat-events", type=int, default=200)
    parser.add_argument("--settle", type=float, default=20)
    parser.add_argument("--joins", type=int, default=0)
    parser.add_argument("--join-seconds", type=float, default=10, help="offer the joins over")
    parser.add_argument(
        "--join-by", choices=["socket", "form"], default="socket", help="how the phones join"
    )
    parser.add_argument(
        "--parts", default="fanout,votes,joins", help="which runs: fanout, votes, joins"
    )
    parser.add_argument(
        "--votes-per-participant",
        type=int,
        default=5,
        help="votes each participant casts in the seeded voting room (0: none)",
    )
    parser.add_argument(
        "--vote-rule", choices=VOTE_RULES, default="dots", help="the seeded voting room's rule"
    )
    parser.add_argument("--vote-seconds", type=float, default=10, help="spread the votes over")
    parser.add_argument(
        "--vote-budget", type=int, default=0, help="the room's dots each (default: as many as cast)"
    )
    parser.add_argument(
        "--vote-settle", type=float, default=20, help="wait this long for the final tally"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(parse()))))
