"""The load generator: N sockets in one room, a steady event rate, latency room-wide.

Run by bench.fanout.run (pinned to its own core); prints one JSON object. Most
sockets only count what they receive; the probes parse every frame and stamp
when each event arrived. An event's room-wide latency is the time from its send
until the last probe has it. The probes also publish: in the application they
post ideas over their own sockets, through the same command path a phone uses.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import resource
import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.fanout.client import Connection, open_connection

# About the size of an idea as the room sees it, so every server carries the same bytes.
PAD = (
    "Longer opening hours on Thursdays, a quiet corner for homework and "
    "a café run by the youth club"
)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


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
    # Frames a discarding socket got that were no events (snapshot), to leave out of counts.
    baseline: dict[int, int] = field(default_factory=dict)
    first_frame: dict[int, asyncio.Future[None]] = field(default_factory=dict)

    def on_frame(self, connection: Connection, data: bytes, now: float) -> None:
        waiter = self.first_frame.get(connection.label)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        probe = self.probes.get(connection.label)
        if probe is None:
            return
        frame = json.loads(data)
        seq = event_seq(self.mode, frame)
        if seq is None:
            return
        if seq in probe.arrivals:
            probe.duplicates += 1
            return
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


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def connect_all(
    room: Room, url: str, origin: str, cookies: list[str], n: int, probes: int
) -> dict[str, Any]:
    """Open n sockets, `concurrency` at a time; the probes are spread over the room."""
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(50)
    errors: list[str] = []
    step = max(1, n // max(1, probes))

    async def one(index: int) -> None:
        if index % step == 0 and len(room.probes) < probes:
            room.probes[index] = Probe()
        room.first_frame[index] = loop.create_future()
        cookie = f"sessionid={cookies[index]}" if cookies else ""
        async with gate:
            try:
                connection = await open_connection(
                    url, origin=origin, cookie=cookie, on_frame=room.on_frame, label=index
                )
            except Exception as error:  # counted and reported
                errors.append(repr(error))
                return
            room.connections.append(connection)
            if room.mode == "app":
                # The application answers every socket with its snapshot first.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(room.first_frame[index], 30)

    started = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(n)))
    elapsed = time.perf_counter() - started
    for connection in room.connections:
        room.baseline[connection.label] = connection.frames
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
        return from_probes + sum(c.frames - room.baseline[c.label] for c in counted)

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
        room.baseline[connection.label] = connection.frames

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


async def joins(base_url: str, code: str, ws_url: str, count: int) -> dict[str, Any]:
    """Join `count` citizens through the real join page, then open each one's room socket.

    Each phone keeps one connection for the page, the form and the redirect to the room
    (bench.fanout.phone, light enough that the server, not the generator, sets the pace),
    and a join counts once the room page has come and the socket's first frame is the
    snapshot.
    """
    from bench.fanout.phone import Phone

    gate = asyncio.Semaphore(25)
    errors: list[str] = []
    durations: list[float] = []
    kept: list[Connection] = []
    loop = asyncio.get_running_loop()

    async def one(index: int) -> None:
        async with gate:
            began = time.perf_counter()
            try:
                async with Phone(base_url) as phone:
                    page = await phone.get(f"/j/{code}")
                    token = CSRF_INPUT.search(page.text)
                    if page.status != 200 or token is None:
                        raise RuntimeError(f"join page answered {page.status}")
                    joined = await phone.post(
                        f"/j/{code}",
                        {"display_name": f"Joiner {index}", "csrfmiddlewaretoken": token[1]},
                        headers={"Referer": f"{base_url}/j/{code}"},
                    )
                    session = phone.cookies.get("sessionid")
                    in_room = b'id="room-config"' in joined.body
                    if joined.status != 200 or not session or not in_room:
                        raise RuntimeError(f"joining answered {joined.status}")
                first: asyncio.Future[bytes] = loop.create_future()

                def seen(_c: Connection, data: bytes, _t: float, first: Any = first) -> None:
                    if not first.done():
                        first.set_result(data)

                connection = await open_connection(
                    f"{ws_url}/ws/workshops/{code}/",
                    origin=base_url,
                    cookie=f"sessionid={session}",
                    on_frame=seen,
                )
                kept.append(connection)
                frame = json.loads(await asyncio.wait_for(first, 30))
                if frame.get("type") != "snapshot":
                    raise RuntimeError(f"the room's first frame was {frame.get('type')}")
                durations.append(time.perf_counter() - began)
            except Exception as error:  # counted and reported
                errors.append(repr(error))

    cpu_started = cpu_seconds()
    started = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(count)))
    elapsed = time.perf_counter() - started
    load_cpu = (cpu_seconds() - cpu_started) / max(elapsed, 1e-9)
    for connection in kept:
        connection.close()
    return {
        # Above ~0.9 the generator, not the server, sets the pace.
        "join_load_cpu": load_cpu,
        "joins": count,
        "join_errors": len(errors),
        "first_join_error": errors[0] if errors else "",
        "joins_per_s": (count - len(errors)) / elapsed,
        "join_seconds": elapsed,
        "join_p99_ms": percentile(durations, 0.99) * 1000,
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
    if args.mode == "app" and args.joins:
        await asyncio.sleep(1)
        result.update(await joins(origin, facts["join_code"], f"ws://127.0.0.1:{port}", args.joins))
    return result


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["raw", "bare", "app"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pids", default="", help="server processes to read RSS from")
    parser.add_argument("--facts", default="", help="JSON from bench.fanout.seed")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--probes", type=int, default=20)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--sat-rate", type=float, default=200)
    parser.add_argument("--sat-events", type=int, default=200)
    parser.add_argument("--settle", type=float, default=20)
    parser.add_argument("--joins", type=int, default=0)
    return parser.parse_args(argv)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(parse()))))
