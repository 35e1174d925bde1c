"""The mails this app sends: the address confirmation and the digest of status changes.

Built and sent by the worker only (statuses.tasks); never inside a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshops.links import site_link

from .models import Notice, Subscription, Unsubscription
from .selectors import receipt_language, told_long_enough_ago

UNSUBSCRIBE_SALT = "statuses.unsubscribe"
# How many messages go out over one SMTP connection before it is renewed.
BATCH = 200


def _language(subscription: Subscription) -> str:
    return receipt_language(receipt=subscription.receipt) or settings.LANGUAGE_CODE


def unsubscribe_token(*, subscription_id: int, content_type_id: int, object_id: int) -> str:
    return signing.dumps([subscription_id, content_type_id, object_id], salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> tuple[int, int, int] | None:
    """The subscription and item a per-item unsubscribe link names; None if forged."""
    try:
        values = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if (
        not isinstance(values, list)
        or len(values) != 3
        or not all(isinstance(value, int) for value in values)
    ):
        return None
    return values[0], values[1], values[2]


def confirmation_message(subscription: Subscription) -> EmailMessage:
    with translation.override(_language(subscription)):
        confirm = site_link(
            reverse("statuses:confirm", kwargs={"token": subscription.confirm_token})
        )
        body = render_to_string("statuses/mail_confirm.txt", {"confirm_url": confirm})
        return EmailMessage(
            subject=_("Confirm your address for news about your ideas"),
            body=body,
            to=[subscription.email],
        )


def digest_message(subscription: Subscription, notices: list[Notice]) -> EmailMessage:
    from .registry import KINDS

    receipt = subscription.receipt
    with translation.override(_language(subscription)):
        lines = []
        for notice in notices:
            change = notice.change
            item_status = change.item_status
            model = item_status.content_type.model_class()
            kind = next((k for k in KINDS.values() if k.model is model), None)
            lines.append(
                {
                    "title": item_status.title,
                    "change": change,
                    "status": change.get_status_display(),
                    "page": site_link(
                        reverse(
                            "statuses:item",
                            kwargs={
                                "kind": kind.key if kind else "",
                                "item_id": item_status.object_id,
                            },
                        )
                    ),
                    "unsubscribe": site_link(
                        reverse(
                            "statuses:unsubscribe",
                            kwargs={
                                "token": unsubscribe_token(
                                    subscription_id=subscription.pk,
                                    content_type_id=item_status.content_type_id,
                                    object_id=item_status.object_id,
                                )
                            },
                        )
                    ),
                }
            )
        body = render_to_string(
            "statuses/mail_digest.txt",
            {
                "lines": lines,
                "receipt_url": site_link(
                    reverse("statuses:receipt", kwargs={"token": receipt.token})
                ),
            },
        )
        subject = (
            _("News about what you said: %(title)s") % {"title": str(lines[0]["title"])[:60]}
            if len(lines) == 1
            else ngettext(
                "News about what you said: %(count)d change",
                "News about what you said: %(count)d changes",
                len(lines),
            )
            % {"count": len(lines)}
        )
        return EmailMessage(subject=subject, body=body, to=[subscription.email])


def _due(now: dt.datetime, receipt_ids: Iterable[int] | None) -> list[int]:
    subscriptions = Subscription.objects.filter(
        told_long_enough_ago("last_mailed_at", now=now),
        confirmed_at__isnull=False,
        receipt__revoked_at=None,
        receipt__notices__mailed_at=None,
    )
    if receipt_ids is not None:
        subscriptions = subscriptions.filter(receipt_id__in=list(receipt_ids))
    return list(subscriptions.values_list("pk", flat=True).distinct())


def digests_send(
    *, now: dt.datetime | None = None, receipt_ids: Iterable[int] | None = None
) -> int:
    """Mail every confirmed address its unsent notices, at most one digest a day; idempotent."""
    now = now or timezone.now()
    sent = 0
    due = _due(now, receipt_ids)
    for start in range(0, len(due), BATCH):
        messages: list[EmailMessage] = []
        marked: list[int] = []
        with transaction.atomic():
            batch = list(
                Subscription.objects.select_for_update()
                .filter(pk__in=due[start : start + BATCH])
                .select_related("receipt", "receipt__participant__workshop")
            )
            for subscription in batch:
                message, notice_ids = _digest_for(subscription)
                marked.extend(notice_ids)
                if message is not None:
                    messages.append(message)
                    subscription.last_mailed_at = now
            # Sent inside the lock: a second worker on the same batch waits, then finds
            # nothing unsent. Marked only once the server took them.
            if messages:
                connection = get_connection()
                connection.send_messages(messages)
            Notice.objects.filter(pk__in=marked).update(mailed_at=now)
            Subscription.objects.bulk_update(
                [s for s in batch if s.last_mailed_at == now], ["last_mailed_at"]
            )
        sent += len(messages)
    return sent


def _digest_for(subscription: Subscription) -> tuple[EmailMessage | None, list[int]]:
    notices = list(
        Notice.objects.filter(receipt_id=subscription.receipt_id, mailed_at=None)
        .select_related(
            "change",
            "change__administration",
            "change__forwarded_to",
            "change__item_status",
            "change__item_status__content_type",
        )
        .order_by("created_at", "pk")
    )
    muted = set(
        Unsubscription.objects.filter(subscription=subscription).values_list(
            "content_type_id", "object_id"
        )
    )
    wanted = [
        notice
        for notice in notices
        if (notice.change.item_status.content_type_id, notice.change.item_status.object_id)
        not in muted
    ]
    ids = [notice.pk for notice in notices]
    if not wanted:
        return None, ids
    return digest_message(subscription, wanted), ids


def content_type_of(content_type_id: int) -> ContentType | None:
    return ContentType.objects.filter(pk=content_type_id).first()
