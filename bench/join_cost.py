"""What one join costs the server's core, in process: `python -m bench.join_cost`.

    python -m bench.join_cost [--joins 200] [--ideas 500] [--by form]

Runs the application (config.asgi) in this process on a fresh SQLite database and lets
citizens join one after another the way a phone does: the join page, then the room's
socket opened with `join=1`, the name sent as `join`, until its `ack` and the room's
snapshot (as the join page's script joins). `--by form` joins as a phone without
script does, and as every phone did before: the join page, the form (which answers
with the room), then the room's socket until its first frame. No server and
no network: the CPU time of each step (all threads of the process) is what the
application itself costs, without the HTTP and WebSocket work a server adds
(docs/deploy.md, *What the profiles show*). Earlier joiners keep their sockets open,
as in a room, so each join also reaches them. The first 20 joins warm the caches and
are not counted. Sample it with `py-spy record --gil -- python -m bench.join_cost` to
see where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

WARM = 20
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# The room page's snapshot version, sent as `since` as the room's script does.
SNAPSHOT_VERSION = re.compile(rb'"version":"([^"]+)"')


def _environment(folder: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'join_cost.sqlite3'}",
            "DEBUG": "0",
            "SECURE_COOKIES": "0",
            "SECRET_KEY": "join-cost-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            # Every joiner comes from one address here.
            "SAMSKAB_RATE_JOIN_PER_ADDRESS": "1000000/m",
        }
    )
    for name in ("REDIS_URL",):
        os.environ.pop(name, None)


def _seed(ideas: int) -> str:
    """A room collecting ideas, holding `ideas` of them; returns its join code."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from ideas.models import Idea
    from workshops.actors import Actor
    from workshops.models import Participant
    from workshops.phases import Phase, Role
    from workshops.services import workshop_change_phase, workshop_create

    call_command("migrate", "--no-input", verbosity=0)
    owner = get_user_model().objects.create_user(username="join-cost", email="f@example.org")
    workshop = workshop_create(
        owner=owner,
        title="Join cost",
        question="What should the library do?",
        context="",
        language="en",
    )
    facilitator = Actor(role=Role.FACILITATOR, workshop=workshop, user=owner)
    workshop_change_phase(actor=facilitator, phase=Phase.IDEATE, duration_seconds=None)
    if ideas:
        early = Participant.objects.create(workshop=workshop, display_name="Early bird")
        Idea.objects.bulk_create(
            Idea(
                workshop=workshop,
                author=early,
                text=f"Idea {n}: longer opening hours on Thursdays and a quiet corner",
                client_key=f"seed-{n}",
            )
            for n in range(ideas)
        )
    return workshop.join_code


async def _joins(code: str, count: int, by: str) -> tuple[dict[str, float], int]:
    from channels.testing import HttpCommunicator, WebsocketCommunicator

    from config.asgi import application

    spent = {"page": 0.0, "form": 0.0, "socket": 0.0}
    # Sockets answered with `snapshot.current` (the page's snapshot still the room's).
    current = 0
    sockets: list[WebsocketCommunicator] = []

    async def http(method: str, path: str, cookies: dict[str, str], body: bytes = b"") -> Any:
        headers = [(b"host", b"127.0.0.1")]
        if cookies:
            jar = "; ".join(f"{name}={value}" for name, value in cookies.items())
            headers.append((b"cookie", jar.encode()))
        if body:
            headers += [
                (b"content-type", b"application/x-www-form-urlencoded"),
                (b"origin", b"http://127.0.0.1"),
                (b"referer", f"http://127.0.0.1/j/{code}".encode()),
            ]
        exchange = HttpCommunicator(application, method, path, body, headers)
        reply = await exchange.get_response(30)
        # The browser hangs up, as it would, so the handler's listener ends too.
        await exchange.send_input({"type": "http.disconnect"})
        await exchange.wait(30)
        for name, value in reply["headers"]:
            if name.lower() == b"set-cookie":
                key, _, rest = value.decode().partition("=")
                cookies[key] = rest.split(";", 1)[0]
        return reply

    def socket_to(path: str, cookies: dict[str, str]) -> WebsocketCommunicator:
        return WebsocketCommunicator(
            application,
            path,
            headers=[
                (b"origin", b"http://127.0.0.1"),
                (b"host", b"127.0.0.1"),
                (b"cookie", f"sessionid={cookies['sessionid']}".encode()),
            ],
        )

    async def join(index: int) -> None:
        nonlocal current
        cookies: dict[str, str] = {}
        began = time.process_time()
        page = await http("GET", f"/j/{code}", cookies)
        token = CSRF_INPUT.search(page["body"])
        if page["status"] != 200 or token is None:
            raise RuntimeError(f"the join page answered {page['status']}")
        paged = time.process_time()
        if by == "socket":
            socket = socket_to(f"/ws/workshops/{code}/?join=1", cookies)
            connected, _ = await socket.connect(timeout=30)
            if not connected:
                raise RuntimeError("the join page's socket was refused")
            await socket.send_to(
                json.dumps({"type": "join", "request_id": "j", "display_name": f"Joiner {index}"})
            )
            ack = json.loads(await socket.receive_from(timeout=30))
            if ack.get("type") != "ack":
                raise RuntimeError(f"join answered {ack}")
            joined = paged
        else:
            form = urlencode({"display_name": f"Joiner {index}", "csrfmiddlewaretoken": token[1]})
            room = await http("POST", f"/j/{code}", cookies, form.encode())
            if room["status"] != 200 or b'id="room-config"' not in room["body"]:
                raise RuntimeError(f"joining answered {room['status']}")
            joined = time.process_time()
            version = SNAPSHOT_VERSION.search(room["body"])
            since = f"?since={quote(version[1].decode())}" if version else ""
            socket = socket_to(f"/ws/workshops/{code}/{since}", cookies)
            connected, _ = await socket.connect(timeout=30)
        frame = json.loads(await socket.receive_from(timeout=30)) if connected else {}
        if frame.get("type") not in {"snapshot", "snapshot.current"}:
            raise RuntimeError(f"the room's first frame was {frame.get('type')}")
        sockets.append(socket)
        if index >= WARM:
            current += frame["type"] == "snapshot.current"
            spent["page"] += paged - began
            spent["form"] += joined - paged
            spent["socket"] += time.process_time() - joined

    for index in range(WARM + count):
        await join(index)
    for socket in sockets:
        await socket.disconnect()
    if by == "socket":
        del spent["form"]  # the name goes over the socket
    return {step: 1000 * seconds / count for step, seconds in spent.items()}, current


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--joins", type=int, default=200, help="joins counted (after 20 more)")
    parser.add_argument("--ideas", type=int, default=0, help="ideas already on the wall")
    parser.add_argument(
        "--by",
        choices=["socket", "form"],
        default="socket",
        help="join over the join page's socket (as its script does) or by the form",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.joins <= 5000:
        parser.error("--joins: between 1 and 5,000")
    with tempfile.TemporaryDirectory(prefix="samskab-join-cost-") as folder:
        _environment(folder)
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        import django

        django.setup()
        code = _seed(args.ideas)
        load = os.getloadavg()[0]
        per_join, current = asyncio.run(_joins(code, args.joins, args.by))
    total = sum(per_join.values())
    steps = ", ".join(f"{step} {ms:.1f}" for step, ms in per_join.items())
    print(
        f"{args.joins} joins by {args.by} into a room of {args.ideas} ideas: "
        f"{total:.1f} ms of CPU a join "
        f"({steps}); {current} sockets opened with snapshot.current; "
        f"load average {load:.2f} at the start"
    )


if __name__ == "__main__":
    main()
