"""Background work of the statuses app: telling people of changes, by page, mail and push."""

from __future__ import annotations

from datetime import timedelta

from django.core.mail import get_connection
from django_tasks import task

from .mail import confirmation_message, digests_send
from .models import StatusChange, Subscription
from .push import pushes_send
from .services import notices_create

# How often the clock sends the digests that waited for their day to pass.
DIGEST_EVERY = timedelta(minutes=15)
# How often the clock retries pushes a push service did not take, and sends those that
# waited for a phone's pause to pass.
PUSH_RETRY_EVERY = timedelta(minutes=15)


@task()
def status_change_tell(change_id: int) -> int:
    """Make the notices of one change and mail those whose day allows; idempotent."""
    change = StatusChange.objects.select_related("item_status").filter(pk=change_id).first()
    if change is None:
        return 0
    notices_create(change=change)
    # Phones are told in a task of their own, so a mail server that fails holds no push up.
    status_change_push.enqueue(change_id=change_id)
    receipt_ids = change.notices.values_list("receipt_id", flat=True)
    return digests_send(receipt_ids=list(receipt_ids))


@task()
def status_change_push(change_id: int) -> int:
    """Push the phones behind one change their new notices, those not pushed to within the
    pause (a day by default); idempotent."""
    return pushes_send(change_id=change_id).sent


@task()
def notice_pushes_send() -> int:
    """Push whatever a push service did not take before, or waited for its phone's pause to
    pass; idempotent."""
    return pushes_send().sent


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
    schedule_register(notice_pushes_send, every=PUSH_RETRY_EVERY)
