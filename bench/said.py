"""A status change on a proposal with 10,000 supporters: `python -m bench.said`.

Builds, in a throwaway SQLite file, a challenge proposal supported by `--supporters`
citizens (10,000), each holding a receipt with a confirmed e-mail address. Starts a real
SMTP sink (aiosmtpd), Daphne and the background worker (`manage.py run_worker`), opens
`--pages` receipt pages on WebSockets (1,000 by default: one client process cannot hold
10,000 sockets on a small machine; `--pages 10000` opens them all), then a member of the
administration accepts the proposal through its page, and it prints:

- how long the request took to answer (target: under 1 s, whatever the supporters);
- how long until every open receipt page showed the change;
- how long until every supporter's e-mail had reached the SMTP sink.

Each figure is printed beside its target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Member-2026!"  # noqa: S105 - a throwaway account of the benchmark
REQUEST_TARGET_S = 1.0
PAGES_TARGET_S = 5.0

SEED = """
import secrets
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from administrations.models import Administration
from challenges import services as challenges
from challenges.models import Citizen, Proposal, Support
from statuses.models import Receipt, Subscription
n = {supporters}
roads = Administration.objects.create(name="Roads", slug="roads")
member = get_user_model().objects.create_user(
    username="member", email="member@example.org", password={password!r}
)
roads.members.add(member)
owner = get_user_model().objects.create_user(username="owner", email="owner@example.org")
now = timezone.now()
challenge = challenges.challenge_create(
    user=owner, title="Greener streets", question="How do we make our streets greener?",
    context="", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
    threshold_value=100, administration=roads,
)
author = Citizen.objects.create()
proposal = challenges.proposal_submit(
    challenge=challenge, citizen=author, title="Trees on Main Street", text="Plant lime trees."
)
citizens = Citizen.objects.bulk_create(
    [Citizen(key=secrets.token_urlsafe(24)) for _ in range(n)], batch_size=2000
)
Support.objects.bulk_create(
    [Support(proposal=proposal, citizen=c) for c in citizens], batch_size=2000
)
Proposal.objects.filter(pk=proposal.pk).update(support_count=n)
receipts = Receipt.objects.bulk_create([Receipt(citizen=c) for c in citizens], batch_size=2000)
Subscription.objects.bulk_create(
    [Subscription(receipt=r, email=f"supporter{{i}}@example.org", confirmed_at=now)
     for i, r in enumerate(receipts)],
    batch_size=2000,
)
print("PROPOSAL", proposal.pk)
for r in receipts[: {pages}]:
    print("TOKEN", r.token)
"""


class Counter:
    """The SMTP sink: counts messages and remembers when the last one arrived."""

    def __init__(self) -> None:
        self.count = 0
        self.last = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
            self.last = time.monotonic()
        return "250 OK"


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=True,
    )  # fmt: skip
    return result.stdout


async def open_pages(port: int, tokens: list[str]) -> list[Any]:
    import websockets

    async def one(token: str) -> Any:
        socket = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/receipts/{token}/",
            origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
            max_queue=4,
        )
        hello = json.loads(await socket.recv())
        assert hello["type"] == "hello", hello
        return socket

    sockets = []
    for start in range(0, len(tokens), 100):
        sockets.extend(await asyncio.gather(*(one(t) for t in tokens[start : start + 100])))
    return sockets


async def wait_pages(sockets: list[Any], timeout: float) -> tuple[int, float]:
    async def one(socket: Any) -> float:
        while True:
            event = json.loads(await socket.recv())
            if event["type"] == "status.changed":
                return time.monotonic()

    done = await asyncio.wait_for(asyncio.gather(*(one(s) for s in sockets)), timeout)
    return len(done), max(done) if done else time.monotonic()


def change_status(base: str, proposal_id: int) -> float:
    """Sign in as the member, then accept the proposal on its page; the POST's seconds."""
    import httpx

    with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as client:
        page = client.get("/accounts/login/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token
        client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token.group(1), "login": "member@example.org",
                  "password": PASSWORD},
            headers={"Referer": base + "/accounts/login/"},
        )  # fmt: skip
        item = f"/said/proposal/{proposal_id}/"
        page = client.get(item).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token and "Publish the new status" in page, "the member cannot change the status"
        administration = re.search(r'<option value="(\d+)"[^>]*>Roads</option>', page)
        assert administration
        started = time.monotonic()
        response = client.post(
            f"{item}status/",
            data={"csrfmiddlewaretoken": token.group(1), "status": "accepted",
                  "administration": administration.group(1), "note": "Planting in spring"},
            headers={"Referer": base + item},
        )  # fmt: skip
        elapsed = time.monotonic() - started
        assert response.status_code == 302, response.text[:500]
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--supporters", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=1_000, help="receipt pages held open")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for mail")
    args = parser.parse_args()
    pages = min(args.pages, args.supporters)

    from aiosmtpd.controller import Controller

    folder = Path(tempfile.mkdtemp(prefix="samskab-bench-said-"))
    sink = Counter()
    smtp_port, port = free_port(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {
        **{
            k: v
            for k, v in __import__("os").environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL"}
        },
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 60,
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        print(f"seeding {args.supporters:,} supporters with receipts and addresses…", flush=True)
        manage(env, "migrate", "--noinput")
        seed = SEED.format(supporters=args.supporters, password=PASSWORD, pages=pages)
        out = manage(env, "shell", "-c", seed)
        proposal_id = int(re.search(r"PROPOSAL (\d+)", out).group(1))  # type: ignore[union-attr]
        tokens = re.findall(r"TOKEN (\S+)", out)
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
             "config.asgi:application"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
        processes.append(subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
        wait_for_port(port, processes=processes[:1])
        loop = asyncio.new_event_loop()
        print(f"opening {pages:,} receipt pages…", flush=True)
        sockets = loop.run_until_complete(open_pages(port, tokens))
        waiting = loop.create_task(wait_pages(sockets, timeout=120))

        started = time.monotonic()
        request_s = change_status(f"http://127.0.0.1:{port}", proposal_id)
        shown, last_page = loop.run_until_complete(waiting)
        pages_s = last_page - started
        deadline = time.monotonic() + args.timeout
        while sink.count < args.supporters + 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        mail_s = (sink.last - started) if sink.count else float("nan")

        print()
        rows = [
            ("status change request answered (s)", f"{request_s:.3f}", f"{REQUEST_TARGET_S:.1f}"),
            ("open receipt pages showing it", f"{shown:,}", f"{pages:,}"),
            ("until every open page showed it (s)", f"{pages_s:.2f}", f"{PAGES_TARGET_S:.1f}"),
            ("e-mails at the SMTP sink", f"{sink.count:,}", f"{args.supporters:,}"),
            ("until every e-mail reached the sink (s)", f"{mail_s:.1f}", "-"),
        ]
        print(f"{'measure':<44} {'figure':>12} {'target':>10}")
        for name, figure, target in rows:
            print(f"{name:<44} {figure:>12} {target:>10}")
        for socket in sockets:
            loop.run_until_complete(socket.close())
        loop.close()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        controller.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
