"""Web Push of status notices to phones that allowed it (RFC 8030, 8291, 8292).

A phone's browser hands the receipt page a subscription: the address of its vendor's
push service and the keys to encrypt for. The worker posts each receipt's new notices
there, encrypted (aes128gcm) so the push service reads nothing, signed with the site's
VAPID key. Never inside a request: statuses.tasks runs it beside the mail.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from .models import Notice, PushKey, PushSubscription, Receipt
from .selectors import receipt_language, told_long_enough_ago

logger = logging.getLogger(__name__)

ENDPOINT_MAX_LENGTH = 1000
# base64url of a 65-byte P-256 point and of a 16-byte secret, with room for padding.
P256DH_MAX_LENGTH = 100
AUTH_MAX_LENGTH = 32
# How long a push service keeps a notice for a phone that is off (its TTL header).
KEEP_FOR = dt.timedelta(days=2)
# How long one push service may take to answer before the send counts as failed.
TIMEOUT_SECONDS = 10
# Phones taken at once by a run, and how long they stay its own: a crashed run's phones
# are tried again after it. Longer than a batch can take (BATCH * TIMEOUT / threads).
BATCH = 100
LEASE = dt.timedelta(minutes=5)
# Failed sends in a row (every 15 minutes by the clock: about two days) before a phone
# counts as gone.
GIVE_UP_AFTER = 200
# Items named in one notification; the rest are counted.
NAMED = 3
# The receipt pages, which the service worker's scope covers.
SCOPE = "/r/"


def _settings() -> dict[str, Any]:
    return dict(settings.SAMSKAB_PUSH)


def concurrency() -> int:
    """Pushes in flight at once: a push service answers in tens of milliseconds."""
    return max(1, int(_settings().get("CONCURRENCY", 10)))


def max_per_receipt() -> int:
    return int(_settings().get("MAX_PER_RECEIPT", 5))


def _b64decode(text: str) -> bytes | None:
    if not text or any(c not in _B64URL for c in text.rstrip("=")):
        return None
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


_B64URL = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# ---- the site's VAPID key ----------------------------------------------------------------


def _private_key_text() -> str:
    configured = str(_settings().get("VAPID_PRIVATE_KEY") or "").strip()
    if configured:
        return configured
    kept = PushKey.objects.order_by("pk").first()
    if kept is not None:
        return kept.private_key
    made = _b64encode(
        ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big")
    )
    try:
        with transaction.atomic():
            PushKey.objects.create(pk=1, private_key=made)
    except IntegrityError:
        # Another process made one a moment ago: everyone signs with that one.
        pass
    return PushKey.objects.order_by("pk").values_list("private_key", flat=True)[0]


def vapid(text: str | None = None) -> Vapid:
    """The site's VAPID signer (or `text`'s); ValueError if the key is not one."""
    text = text if text is not None else _private_key_text()
    raw = _b64decode(text)
    if raw is None or len(raw) != 32:
        raise ValueError("SAMSKAB_VAPID_PRIVATE_KEY is not a base64url raw P-256 private key.")
    return Vapid.from_raw(text.encode())


def public_key(signer: Vapid | None = None) -> str:
    """The applicationServerKey the page subscribes with: the uncompressed point, base64url."""
    point = (signer or vapid()).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64encode(point)


def new_private_key() -> str:
    """A fresh VAPID private key to put in SAMSKAB_VAPID_PRIVATE_KEY."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _b64encode(key.private_numbers().private_value.to_bytes(32, "big"))


# ---- what a page may hand over -------------------------------------------------------------


@dataclass(frozen=True)
class Offered:
    endpoint: str
    p256dh: str
    auth: str


def endpoint_allowed(endpoint: str) -> bool:
    """A push service's https address, or a local one where the settings allow it.

    The worker posts to this address, so a forged one must not point it anywhere else.
    """
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.username is not None or parts.password is not None or not host:
        return False
    if parts.scheme == "https" and port in (None, 443):
        services = [str(s).lower().strip(".") for s in _settings().get("SERVICES", [])]
        return any(host == s or host.endswith("." + s) for s in services if s)
    return bool(
        parts.scheme == "http" and host == "127.0.0.1" and _settings().get("ALLOW_LOCAL_HTTP")
    )


def subscription_read(raw: object) -> Offered:
    """The subscription a page sent (PushSubscription.toJSON()); raises ValueError with why."""
    if not isinstance(raw, dict):
        raise ValueError(_("Send the phone's subscription as a JSON object."))
    endpoint = raw.get("endpoint")
    keys = raw.get("keys")
    if not isinstance(endpoint, str) or not 0 < len(endpoint) <= ENDPOINT_MAX_LENGTH:
        raise ValueError(_("The subscription has no valid push service address."))
    if not endpoint_allowed(endpoint):
        raise ValueError(_("That is not the address of a push service this site sends to."))
    if not isinstance(keys, dict):
        raise ValueError(_("The subscription's keys are missing."))
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(p256dh, str) or len(p256dh) > P256DH_MAX_LENGTH:
        raise ValueError(_("The subscription's public key is not valid."))
    point = _b64decode(p256dh)
    try:
        if point is None or len(point) != 65:
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as error:
        raise ValueError(_("The subscription's public key is not valid.")) from error
    if not isinstance(auth, str) or len(auth) > AUTH_MAX_LENGTH:
        raise ValueError(_("The subscription's secret is not valid."))
    secret = _b64decode(auth)
    if secret is None or len(secret) != 16:
        raise ValueError(_("The subscription's secret is not valid."))
    return Offered(endpoint=endpoint, p256dh=_b64encode(point), auth=_b64encode(secret))


# ---- sending (the worker) ------------------------------------------------------------------


def _pending() -> Any:
    return Notice.objects.filter(receipt_id=OuterRef("receipt_id"), pk__gt=OuterRef("pushed_until"))


def payload_of(receipt: Receipt, notices: list[Notice]) -> dict[str, str]:
    """What the notification says, in the receipt's language, and where a tap leads."""
    language = receipt_language(receipt=receipt) or settings.LANGUAGE_CODE
    with translation.override(language):
        lines = [
            _("%(title)s is now: %(status)s")
            % {
                "title": _short(notice.change.item_status.title),
                "status": notice.change.get_status_display(),
            }
            for notice in notices[:NAMED]
        ]
        rest = len(notices) - NAMED
        if rest > 0:
            lines.append(
                ngettext("And %(count)d more change.", "And %(count)d more changes.", rest)
                % {"count": rest}
            )
        return {
            "title": _("News about what you said"),
            "body": "\n".join(lines),
            "url": reverse("statuses:receipt", kwargs={"token": receipt.token}),
            "lang": language,
        }


def _short(title: str, limit: int = 80) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


@dataclass
class Outcome:
    sent: int = 0
    gone: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Push:
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    until: int
    payload: str


def pushes_send(*, change_id: int | None = None, now: dt.datetime | None = None) -> Outcome:
    """Push every phone its receipt's notices it has not had yet, at most one push a pause
    (a day by default); idempotent.

    With `change_id`, only the phones behind that change. A phone pushed to within the
    pause keeps its notices for a run after it (the clock runs this every 15 minutes),
    which pushes them together. A phone the push service no longer knows (404, 410) is
    forgotten. Any other failure keeps the notices waiting for the next run.
    """
    outcome = Outcome()
    now = now or timezone.now()
    subscriptions = PushSubscription.objects.filter(
        told_long_enough_ago("last_pushed_at", now=now),
        Exists(_pending()),
        receipt__revoked_at=None,
    )
    if change_id is not None:
        subscriptions = subscriptions.filter(
            Exists(Notice.objects.filter(receipt_id=OuterRef("receipt_id"), change_id=change_id))
        )
    ids = list(subscriptions.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return outcome
    signer = vapid()
    subject = str(_settings().get("VAPID_SUBJECT") or "")
    sessions = threading.local()

    def send(push: _Push) -> tuple[str, str]:
        # Each sending thread keeps one connection per push service from phone to phone.
        if not hasattr(sessions, "session"):
            sessions.session = requests.Session()
        return _post(push, signer=signer, subject=subject, session=sessions.session)

    with ThreadPoolExecutor(max_workers=concurrency()) as pool:
        for start in range(0, len(ids), BATCH):
            pushes = _claim(ids[start : start + BATCH], now=now)
            results = list(pool.map(send, pushes))
            _settle(pushes, results, outcome, now=now)
    return outcome


def _claim(ids: list[int], *, now: dt.datetime) -> list[_Push]:
    """Take these phones for this run, with what to push to each.

    A lease rather than a lock held while sending: another worker skips them until it
    ends, so no phone gets the same notice twice, and a crashed run's phones come back.
    """
    claim = secrets.token_hex(8)
    # Asked again: another run may have pushed to a phone since it was listed.
    PushSubscription.objects.filter(pk__in=ids).filter(
        told_long_enough_ago("last_pushed_at", now=now),
        Q(claimed_until=None) | Q(claimed_until__lt=timezone.now()),
    ).update(claim=claim, claimed_until=timezone.now() + LEASE)
    claimed = list(
        PushSubscription.objects.filter(claim=claim, receipt__revoked_at=None).select_related(
            "receipt", "receipt__participant__workshop"
        )
    )
    if not claimed:
        return []
    notices: dict[int, list[Notice]] = {}
    for notice in (
        Notice.objects.filter(
            receipt_id__in=[s.receipt_id for s in claimed],
            pk__gt=min(s.pushed_until for s in claimed),
        )
        .select_related("change", "change__item_status")
        .order_by("pk")
    ):
        notices.setdefault(notice.receipt_id, []).append(notice)
    pushes = []
    for subscription in claimed:
        waiting = [
            n for n in notices.get(subscription.receipt_id, []) if n.pk > subscription.pushed_until
        ]
        if not waiting:
            continue
        pushes.append(
            _Push(
                subscription_id=subscription.pk,
                endpoint=subscription.endpoint,
                p256dh=subscription.p256dh,
                auth=subscription.auth,
                until=waiting[-1].pk,
                payload=json.dumps(payload_of(subscription.receipt, waiting), ensure_ascii=False),
            )
        )
    # Those with nothing left to push are released at once.
    taken = {push.subscription_id for push in pushes}
    PushSubscription.objects.filter(claim=claim).exclude(pk__in=taken).update(
        claim="", claimed_until=None
    )
    return pushes


def _post(
    push: _Push, *, signer: Vapid, subject: str, session: requests.Session
) -> tuple[str, str]:
    """One push to one phone's push service: "sent", "gone" or "failed", and why."""
    if not endpoint_allowed(push.endpoint):
        # The settings no longer allow its push service.
        return "gone", "push service not allowed"
    try:
        webpush(
            subscription_info={
                "endpoint": push.endpoint,
                "keys": {"p256dh": push.p256dh, "auth": push.auth},
            },
            data=push.payload,
            vapid_private_key=signer,
            vapid_claims={"sub": subject},
            content_encoding="aes128gcm",
            ttl=int(KEEP_FOR.total_seconds()),
            timeout=TIMEOUT_SECONDS,
            requests_session=session,
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in (404, 410):
            return "gone", str(status)
        return "failed", f"{status}: {error}"
    except requests.RequestException as error:
        return "failed", repr(error)
    return "sent", ""


def _settle(
    pushes: list[_Push], results: list[tuple[str, str]], outcome: Outcome, *, now: dt.datetime
) -> None:
    """Record what each push service answered, and release the phones."""
    with transaction.atomic():
        for push, (result, why) in zip(pushes, results, strict=True):
            row = PushSubscription.objects.filter(pk=push.subscription_id)
            if result == "sent":
                outcome.sent += 1
                row.update(
                    pushed_until=push.until,
                    last_pushed_at=now,
                    failures=0,
                    claim="",
                    claimed_until=None,
                )
            elif result == "gone":
                outcome.gone += 1
                row.delete()
            else:
                outcome.failed += 1
                logger.warning("Push to subscription %s failed: %s", push.subscription_id, why)
                row.filter(failures__gte=GIVE_UP_AFTER - 1).delete()
                row.update(failures=F("failures") + 1, claim="", claimed_until=None)
