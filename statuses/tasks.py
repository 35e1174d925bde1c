"""Background work of the statuses app: telling people of changes, by page and by mail."""

from __future__ import annotations

from datetime import timedelta

from django.core.mail import get_connection
from django_tasks import task

from .mail import confirmation_message, digests_send
from .models import StatusChange, Subscription
from .services import notices_create

# How often the clock sends the digests that waited for their day to pass.
DIGEST_EVERY = timedelta(minutes=15)


@task()
def status_change_tell(change_id: int) -> int:
    """Make the notices of one change and mail those whose day allows; idempotent."""
    change = StatusChange.objects.select_related("item_status").filter(pk=change_id).first()
    if change is None:
        return 0
    notices_create(change=change)
    receipt_ids = change.notices.values_list("receipt_id", flat=True)
    return digests_send(receipt_ids=list(receipt_ids))


@task()
def notice_digests_send() -> int:
    """Mail the notices that waited for a subscriber's day to pass; idempotent."""
    return digests_send()


@task()
def subscription_confirmation_send(subscription_id: int) -> bool:
    subscription = (
        Subscription.objects.select_related("receipt__participant__workshop")
        .filter(pk=subscription_id, confirmed_at=None)
        .first()
    )
    if subscription is None:
        return False
    get_connection().send_messages([confirmation_message(subscription)])
    return True


def schedule() -> None:
    from jobs.schedule import schedule_register

    schedule_register(notice_digests_send, every=DIGEST_EVERY)
