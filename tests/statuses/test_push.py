"""Web Push of notices, through a real push endpoint on this machine (RFC 8030), decrypted
with the phone's own key as its browser would (RFC 8291, aes128gcm)."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone, translation
from py_vapid import Vapid02

from administrations.models import Administration
from bench.ports import free_port
from moderation.signals import personal_data_erased
from statuses.models import Notice, PushSubscription, Receipt, StatusChange
from statuses.services import receipt_revoke, status_change
from statuses.tasks import notice_pushes_send, status_change_push, status_change_tell
from tests.statuses.conftest import Closed
from workshops.models import Participant

pytestmark = pytest.mark.django_db


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PushService:
    """A push service on 127.0.0.1: takes RFC 8030 POSTs and answers `status`."""

    port: int
    received: list[Received] = field(default_factory=list)
    status: int = 201
    # Answers for particular phones, by name; the others get `status`.
    answers: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def endpoint(self, name: str = "phone-1") -> str:
        return f"http://127.0.0.1:{self.port}/push/{name}"

    def to(self, name: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == f"/push/{name}"]


@pytest.fixture
def push_service(settings: Any) -> Iterator[PushService]:
    service = PushService(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with service.lock:
                service.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                status = service.answers.get(self.path.rsplit("/", 1)[-1], service.status)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", service.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SAMSKAB_PUSH = {**settings.SAMSKAB_PUSH, "ALLOW_LOCAL_HTTP": True}
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Phone:
    """A browser's side of a subscription: its key pair and auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> Phone:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    def subscription(self, endpoint: str) -> dict[str, Any]:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64(point), "auth": b64(self.auth)},
        }

    def read(self, message: Received) -> dict[str, Any]:
        assert message.headers["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(
            message.body,
            private_key=self.private_key,
            auth_secret=self.auth,
            version="aes128gcm",
        )
        return json.loads(plain)


def subscribe(receipt: Receipt, body: Any, client: Client | None = None) -> Any:
    client = client or Client()
    raw = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(
        f"/r/{receipt.token}/push/",
        raw,
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def page_config(receipt: Receipt) -> dict[str, Any]:
    html = Client().get(f"/r/{receipt.token}/").content.decode()
    found = re.search(r'<script id="receipt-config" type="application/json">(.*?)</script>', html)
    assert found, html
    return json.loads(found.group(1))


def _told(
    closed: Closed, member: AbstractBaseUser, administration: Administration, status: str
) -> StatusChange:
    """A status change on the proposition, with its notices made as the worker makes them."""
    made = status_change(
        user=member, item=closed.proposition, status=status, administration=administration
    )
    status_change_tell.call(change_id=made.pk)
    return made


def test_a_status_change_reaches_the_phone_encrypted_for_it_alone(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    push_service: PushService,
) -> None:
    receipt = closed.receipts["author"]
    phone = Phone.new()
    answer = subscribe(receipt, phone.subscription(push_service.endpoint()))
    assert answer.status_code == 200 and answer.json() == {"ok": True, "push": True}
    config = page_config(receipt)["push"]
    assert config["scope"] == "/r/" and config["worker"] == "/push-worker.js"
    assert len(config["known"]) == 1

    accepted = status_change(
        user=parks_member, item=closed.proposition, status="accepted", administration=parks
    )
    # Nothing is pushed in the request: only the worker's tasks send.
    assert push_service.received == []
    status_change_tell.call(change_id=accepted.pk)
    assert push_service.received == []
    assert status_change_push.call(change_id=accepted.pk) == 1

    [message] = push_service.to("phone-1")
    assert message.headers["ttl"] == str(2 * 24 * 3600)
    # Signed with the key the page subscribed with, for this push service (RFC 8292).
    authorization = message.headers["authorization"]
    assert f"k={config['key']}" in authorization
    assert Vapid02.verify(authorization)
    claims_part = authorization.split("t=", 1)[1].split(",", 1)[0].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(claims_part + "=" * (-len(claims_part) % 4)))
    assert claims["aud"] == f"http://127.0.0.1:{push_service.port}"
    assert claims["sub"].startswith("mailto:")
    # The push service sees ciphertext only; the phone reads the notice.
    assert b"Homework" not in message.body
    notice = phone.read(message)
    assert notice["title"] == "News about what you said"
    assert notice["body"].startswith("Homework cafés")
    assert notice["body"].endswith("is now: Accepted")
    assert notice["url"] == f"/r/{receipt.token}/"

    # Idempotent: a retried task pushes nothing twice, and phones behind nothing get nothing.
    assert status_change_push.call(change_id=accepted.pk) == 0
    assert notice_pushes_send.call() == 0
    assert len(push_service.received) == 1


def test_the_notice_speaks_the_receipts_language(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    push_service: PushService,
) -> None:
    closed.workshop.language = "da"
    closed.workshop.save(update_fields=["language"])
    receipt = closed.receipts["voter"]
    phone = Phone.new()
    assert subscribe(receipt, phone.subscription(push_service.endpoint("da"))).status_code == 200
    made = _told(closed, parks_member, parks, "accepted")
    status_change_push.call(change_id=made.pk)
    notice = phone.read(push_service.to("da")[0])
    with translation.override("da"):
        assert notice["title"] == translation.gettext("News about what you said")
        accepted = translation.gettext("Accepted")
    assert notice["title"] != "News about what you said"
    assert notice["body"].endswith(accepted) and notice["lang"] == "da"


def test_a_gone_phone_is_forgotten_and_a_failing_service_is_tried_again(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    push_service: PushService,
) -> None:
    author, voter = closed.receipts["author"], closed.receipts["voter"]
    gone, later = Phone.new(), Phone.new()
    subscribe(author, gone.subscription(push_service.endpoint("gone")))
    subscribe(voter, later.subscription(push_service.endpoint("later")))

    push_service.answers["gone"] = 410
    push_service.answers["later"] = 503
    first = _told(closed, parks_member, parks, "under_review")
    status_change_push.call(change_id=first.pk)
    assert not PushSubscription.objects.filter(receipt=author).exists()
    assert PushSubscription.objects.get(receipt=voter).failures == 1

    second = _told(closed, parks_member, parks, "accepted")
    assert status_change_push.call(change_id=second.pk) == 0
    assert PushSubscription.objects.get(receipt=voter).failures == 2
    assert len(push_service.to("later")) == 2

    # The clock's retry delivers what waited, both changes in one notification.
    push_service.answers["later"] = 201
    assert notice_pushes_send.call() == 1
    notice = later.read(push_service.to("later")[-1])
    assert "Under review" in notice["body"] and "Accepted" in notice["body"]
    assert PushSubscription.objects.get(receipt=voter).failures == 0
    assert notice_pushes_send.call() == 0


def test_only_changes_after_subscribing_are_pushed(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    push_service: PushService,
) -> None:
    receipt = closed.receipts["author"]
    _told(closed, parks_member, parks, "under_review")
    assert Notice.objects.filter(receipt=receipt).count() == 1
    phone = Phone.new()
    subscribe(receipt, phone.subscription(push_service.endpoint()))
    assert notice_pushes_send.call() == 0
    assert push_service.received == []


def test_a_phone_is_pushed_once_a_day_and_the_receipt_page_shows_every_change(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    push_service: PushService,
) -> None:
    receipt = closed.receipts["author"]
    phone = Phone.new()
    subscribe(receipt, phone.subscription(push_service.endpoint()))
    first = _told(closed, parks_member, parks, "under_review")
    assert status_change_push.call(change_id=first.pk) == 1

    # A second change the same day buzzes no phone, by the change's task or the clock's.
    second = _told(closed, parks_member, parks, "accepted")
    assert status_change_push.call(change_id=second.pk) == 0
    assert notice_pushes_send.call() == 0
    assert len(push_service.to("phone-1")) == 1
    # The receipt page says it all the same.
    page = Client().get(f"/r/{receipt.token}/").content.decode()
    assert "<strong data-status-label>Accepted</strong>" in page

    # A day after the last push, the clock's run pushes what waited, and only that.
    a_day_ago = timezone.now() - timedelta(hours=24)
    PushSubscription.objects.update(last_pushed_at=a_day_ago)
    assert notice_pushes_send.call() == 1
    notice = phone.read(push_service.to("phone-1")[-1])
    assert notice["body"].endswith("is now: Accepted")
    assert "Under review" not in notice["body"]
    assert notice_pushes_send.call() == 0


def test_the_pause_between_pushes_is_the_mails_setting(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    push_service: PushService,
    settings: Any,
) -> None:
    settings.SAMSKAB = {**settings.SAMSKAB, "NOTICE_DIGEST_HOURS": 0}
    receipt = closed.receipts["author"]
    phone = Phone.new()
    subscribe(receipt, phone.subscription(push_service.endpoint()))
    for status in ("under_review", "accepted"):
        made = _told(closed, parks_member, parks, status)
        assert status_change_push.call(change_id=made.pk) == 1
    bodies = [phone.read(message)["body"] for message in push_service.to("phone-1")]
    assert [body.rsplit(": ", 1)[-1] for body in bodies] == ["Under review", "Accepted"]


BAD_ENDPOINTS = [
    "http://example.org/push/1",
    "https://evil.example/push/1",
    "https://fcm.googleapis.com.evil.example/push/1",
    "https://user:pw@fcm.googleapis.com/push/1",
    "https://fcm.googleapis.com:8443/push/1",
    "http://127.0.0.2:9/push/1",
    "http://localhost:9/push/1",
    "ftp://fcm.googleapis.com/push/1",
    "https://fcm.googleapis.com/" + "x" * 1000,
    "",
    None,
    42,
]


@pytest.mark.parametrize("endpoint", BAD_ENDPOINTS)
def test_a_forged_push_address_is_refused_and_nothing_is_kept(
    closed: Closed, push_service: PushService, endpoint: Any
) -> None:
    receipt = closed.receipts["author"]
    body = Phone.new().subscription("x")
    body["endpoint"] = endpoint
    answer = subscribe(receipt, body)
    assert answer.status_code == 400
    assert answer.json()["ok"] is False and answer.json()["code"] == "invalid"
    assert answer.json()["message"]
    assert not PushSubscription.objects.exists()


def test_a_vendor_push_service_is_accepted(closed: Closed) -> None:
    receipt = closed.receipts["author"]
    for endpoint in [
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGhk",
        "https://wns2-par02p.notify.windows.com/w/?token=BQY",
    ]:
        assert subscribe(receipt, Phone.new().subscription(endpoint)).status_code == 200
    assert PushSubscription.objects.filter(receipt=receipt).count() == 4


def test_local_http_is_refused_where_the_settings_do_not_allow_it(
    closed: Closed, settings: Any
) -> None:
    settings.SAMSKAB_PUSH = {**settings.SAMSKAB_PUSH, "ALLOW_LOCAL_HTTP": False}
    answer = subscribe(closed.receipts["author"], Phone.new().subscription("http://127.0.0.1:9/p"))
    assert answer.status_code == 400
    assert answer.json()["message"] == (
        "That is not the address of a push service this site sends to."
    )
    assert not PushSubscription.objects.exists()


def _keys(p256dh: Any = None, auth: Any = None) -> dict[str, Any]:
    good = Phone.new().subscription("https://fcm.googleapis.com/fcm/send/x")
    if p256dh is not None:
        good["keys"]["p256dh"] = p256dh
    if auth is not None:
        good["keys"]["auth"] = auth
    return good


BAD_BODIES: list[Any] = [
    _keys(p256dh="A" * 5000),  # oversized
    _keys(p256dh=b64(b"\x04" + b"\x01" * 64)),  # not a point on the curve
    _keys(p256dh=b64(os.urandom(33))),  # compressed, not what browsers send
    _keys(p256dh="not base64!"),
    _keys(p256dh=17),
    _keys(auth=b64(os.urandom(32))),  # too long a secret
    _keys(auth="A" * 5000),
    _keys(auth=b64(b"")),
    {**_keys(), "keys": None},
    {**_keys(), "keys": "p256dh"},
    ["https://fcm.googleapis.com/fcm/send/x"],
    "not json at all",
    b"\xff\xfe",
    json.dumps({**_keys(), "padding": "x" * 5000}),  # far larger than a subscription
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_malformed_subscription_is_refused_and_nothing_is_kept(closed: Closed, body: Any) -> None:
    answer = subscribe(closed.receipts["author"], body)
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid" and answer.json()["message"]
    assert not PushSubscription.objects.exists()


def test_a_body_past_the_servers_own_limit_gets_the_same_clear_answer(closed: Closed) -> None:
    huge = json.dumps({**_keys(), "padding": "x" * 3_000_000})
    answer = subscribe(closed.receipts["author"], huge)
    assert answer.status_code == 400
    assert answer.json()["message"] == "That is too much to be a phone's subscription."
    assert not PushSubscription.objects.exists()


def test_a_revoked_or_forged_receipt_takes_no_phone(closed: Closed) -> None:
    receipt = closed.receipts["author"]
    body = Phone.new().subscription("https://fcm.googleapis.com/fcm/send/x")
    receipt_revoke(receipt=receipt)
    answer = subscribe(receipt, body)
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    forged = Receipt(token="x" * 43)
    assert subscribe(forged, body).status_code == 404
    assert not PushSubscription.objects.exists()


def test_a_receipt_notifies_at_most_its_limit_of_phones(closed: Closed, settings: Any) -> None:
    settings.SAMSKAB_PUSH = {**settings.SAMSKAB_PUSH, "MAX_PER_RECEIPT": 2}
    receipt = closed.receipts["author"]
    first = Phone.new().subscription("https://fcm.googleapis.com/fcm/send/1")
    assert subscribe(receipt, first).status_code == 200
    second = subscribe(receipt, _keys() | {"endpoint": "https://fcm.googleapis.com/x/2"})
    assert second.status_code == 200
    third = subscribe(receipt, _keys() | {"endpoint": "https://fcm.googleapis.com/x/3"})
    assert third.status_code == 409 and third.json()["code"] == "conflict"
    assert "already notifies 2 phones" in third.json()["message"]
    # The same phone again renews its keys and is not a third.
    renewed = Phone.new().subscription(first["endpoint"])
    assert subscribe(receipt, renewed).status_code == 200
    assert PushSubscription.objects.filter(receipt=receipt).count() == 2
    kept = PushSubscription.objects.get(endpoint=first["endpoint"])
    assert kept.p256dh == renewed["keys"]["p256dh"]


def test_turning_a_phone_off_stops_its_pushes(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    push_service: PushService,
) -> None:
    receipt = closed.receipts["author"]
    phone = Phone.new()
    subscribe(receipt, phone.subscription(push_service.endpoint()))
    client = Client()

    def stop(endpoint: Any) -> Any:
        return client.post(
            f"/r/{receipt.token}/push/stop/",
            json.dumps({"endpoint": endpoint}),
            content_type="application/json",
            HTTP_ACCEPT="application/json",
        )

    assert stop(push_service.endpoint()).json() == {"ok": True, "push": False, "removed": True}
    assert stop(push_service.endpoint()).json()["removed"] is False
    assert stop(["not", "an", "address"]).status_code == 400
    assert page_config(receipt)["push"]["known"] == []
    made = _told(closed, parks_member, parks, "accepted")
    status_change_push.call(change_id=made.pk)
    assert push_service.received == []


def test_phones_go_with_a_withdrawn_or_erased_receipt(closed: Closed) -> None:
    author, voter = closed.receipts["author"], closed.receipts["voter"]
    subscribe(author, Phone.new().subscription("https://fcm.googleapis.com/fcm/send/a"))
    subscribe(voter, Phone.new().subscription("https://fcm.googleapis.com/fcm/send/v"))
    receipt_revoke(receipt=author)
    assert not PushSubscription.objects.filter(receipt__participant=closed.author).exists()
    # The participant's erasure (moderation's signal) takes their receipts and phones.
    personal_data_erased.send(sender=Participant, participant=closed.voter)
    assert not PushSubscription.objects.exists()


def test_the_service_worker_is_served_for_the_receipt_pages() -> None:
    answer = Client().get("/push-worker.js")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/javascript; charset=utf-8"
    assert answer["Cache-Control"] == "no-cache"
    body = answer.content.decode()
    assert 'addEventListener("push"' in body and 'addEventListener("notificationclick"' in body
    assert "openWindow" in body


def test_a_phone_another_run_is_pushing_to_is_left_to_it_until_its_lease_ends(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    push_service: PushService,
) -> None:
    receipt = closed.receipts["author"]
    phone = Phone.new()
    subscribe(receipt, phone.subscription(push_service.endpoint()))
    _told(closed, parks_member, parks, "accepted")
    soon = timezone.now() + timedelta(minutes=1)
    PushSubscription.objects.update(claim="other-run", claimed_until=soon)
    assert notice_pushes_send.call() == 0
    assert push_service.received == []
    # That run crashed: once its lease is over, the phone is pushed, once.
    PushSubscription.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert notice_pushes_send.call() == 1
    assert notice_pushes_send.call() == 0
    assert len(push_service.to("phone-1")) == 1
    assert PushSubscription.objects.get().claimed_until is None


def test_the_key_comes_from_the_settings_and_a_bad_one_offers_no_push(
    closed: Closed, settings: Any
) -> None:
    from statuses import push

    receipt = closed.receipts["author"]
    # Nothing configured: one key made once, kept, and the same on every page.
    made = page_config(receipt)["push"]["key"]
    assert page_config(closed.receipts["voter"])["push"]["key"] == made
    private = push.new_private_key()
    settings.SAMSKAB_PUSH = {**settings.SAMSKAB_PUSH, "VAPID_PRIVATE_KEY": private}
    configured = page_config(receipt)["push"]["key"]
    assert configured == push.public_key(push.vapid(private)) != made
    settings.SAMSKAB_PUSH = {**settings.SAMSKAB_PUSH, "VAPID_PRIVATE_KEY": "not-a-key"}
    assert page_config(receipt)["push"] is None
    assert "Notify this phone" not in Client().get(f"/r/{receipt.token}/").content.decode()
