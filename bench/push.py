"""Web Push of one status change to many phones: `python -m bench.push`.

Builds, in a throwaway SQLite file, a challenge proposal supported by `--supporters`
citizens (2,000), each holding a receipt that notifies one phone by Web Push. The phones'
push service is a local HTTP server that takes the RFC 8030 POSTs and answers 201 after
`--latency-ms` (a vendor's push service answers in tens of milliseconds). A member
accepts the proposal; the worker's task makes the notices, then the push task sends one
encrypted, signed push per phone. It prints how long the push task took, the pushes a
second, and how many the push service received, beside the figures docs/statuses.md
recorded.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.ports import free_port

# docs/statuses.md, "Measured": 2,000 phones, 10 pushes in flight, on the shared machine.
RECORDED = {0: "285 pushes/s", 50: "137 pushes/s"}


class PushService:
    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.received = 0
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if service.latency:
                    time.sleep(service.latency)
                with service.lock:
                    service.received += 1
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def proposal_with_supporters(n: int) -> tuple[Any, Any, Any]:
    """A member of Roads, and a proposal with `n` supporters, each holding a receipt."""
    import secrets
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from administrations.models import Administration
    from challenges import services as challenges
    from challenges.models import Citizen, Proposal, Support
    from statuses.models import Receipt

    roads = Administration.objects.create(name="Roads", slug="roads")
    member = get_user_model().objects.create_user(username="member", email="m@example.org")
    roads.members.add(member)
    owner = get_user_model().objects.create_user(username="owner", email="o@example.org")
    now = timezone.now()
    challenge = challenges.challenge_create(
        user=owner,
        title="Greener streets",
        question="How do we make our streets greener?",
        context="",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        threshold_value=100,
        administration=roads,
    )
    author = Citizen.objects.create()
    proposal = challenges.proposal_submit(
        challenge=challenge, citizen=author, title="Trees on Main Street", text="Plant trees."
    )
    citizens = Citizen.objects.bulk_create(
        [Citizen(key=secrets.token_urlsafe(24)) for _ in range(n)], batch_size=2000
    )
    Support.objects.bulk_create(
        [Support(proposal=proposal, citizen=c) for c in citizens], batch_size=2000
    )
    Proposal.objects.filter(pk=proposal.pk).update(support_count=n)
    Receipt.objects.bulk_create([Receipt(citizen=c) for c in citizens], batch_size=2000)
    return member, roads, proposal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supporters", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="samskab-push-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
    os.environ["SAMSKAB_PUSH_ALLOW_LOCAL_HTTP"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.core.management import call_command

    from statuses.models import PushSubscription, Receipt
    from statuses.push import pushes_send
    from statuses.services import notices_create, status_change

    try:
        call_command("migrate", "--noinput", verbosity=0)
        service = PushService(args.latency_ms / 1000)
        member, roads, proposal = proposal_with_supporters(args.supporters)
        key = ec.generate_private_key(ec.SECP256R1()).public_key()
        p256dh = base64.urlsafe_b64encode(
            key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        ).decode()
        auth = base64.urlsafe_b64encode(os.urandom(16)).decode()
        PushSubscription.objects.bulk_create(
            [
                PushSubscription(
                    receipt=receipt,
                    endpoint=f"http://127.0.0.1:{service.port}/push/{receipt.pk}",
                    p256dh=p256dh.rstrip("="),
                    auth=auth.rstrip("="),
                )
                for receipt in Receipt.objects.all()
            ],
            batch_size=2000,
        )
        change = status_change(user=member, item=proposal, status="accepted", administration=roads)
        notices_create(change=change)
        started = time.perf_counter()
        outcome = pushes_send(change_id=change.pk)
        took = time.perf_counter() - started
        print(
            f"{args.supporters} phones, push service answering after {args.latency_ms:g} ms: "
            f"{outcome.sent} pushed, {outcome.failed} failed, {service.received} received; "
            f"{took:.1f} s, {outcome.sent / took:.0f} pushes/s "
            f"(recorded: {RECORDED.get(int(args.latency_ms), '-')})"
        )
        service.server.shutdown()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
