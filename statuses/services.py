"""Every write of the statuses app: status changes, receipts, addresses and answers.

Each validates first and changes nothing when it refuses; each tells the people
behind the item after commit (live at once, by mail from a background task).
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Model
from django.forms import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from administrations.models import Administration
from challenges.models import Citizen
from workshops.errors import ActionRefused
from workshops.models import Participant
from workshops.photos import CleanPhoto, photo_clean
from workshops.sanitize import clean_text

from . import live, push
from .models import (
    TRANSITIONS,
    AnswerTemplate,
    ItemStatus,
    Notice,
    PushSubscription,
    Receipt,
    ReopenRequest,
    Status,
    StatusChange,
    StatusPhoto,
    Subscription,
    Unsubscription,
)
from .registry import kind_of
from .selectors import (
    ANSWER_BACK_DAYS,
    item_status_of,
    may_sign_as,
    receipt_items,
    receipts_behind,
)

NOTE_MAX_LENGTH = 2000
COMMENT_MAX_LENGTH = 1000
# "Done" must say what was done and "declined" why.
NOTE_REQUIRED = {
    Status.DONE: gettext_lazy("Say what was done."),
    Status.DECLINED: gettext_lazy("Give the reason it was declined."),
}


def _text(raw: object, *, limit: int, what: str) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ActionRefused("invalid", _("Write the %(what)s as text.") % {"what": what})
    text = clean_text(raw)
    if len(text) > limit:
        raise ActionRefused(
            "invalid",
            ngettext(
                "The %(what)s can be at most %(limit)d character.",
                "The %(what)s can be at most %(limit)d characters.",
                limit,
            )
            % {"what": what, "limit": limit},
        )
    return text


def _progress(raw: object) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 3:
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 100:
        raise ActionRefused("invalid", _("Progress is a whole number from 0 to 100."))
    return raw


def _date(raw: object) -> dt.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw)) if len(str(raw)) == 10 else None
    except ValueError:
        return None


def _expected(raw: object) -> dt.date | None:
    date = _date(raw)
    if raw not in (None, "") and date is None:
        raise ActionRefused("invalid", _("Give the expected date as YYYY-MM-DD."))
    return date


def _status(raw: object, current: str) -> Status:
    if not isinstance(raw, str) or raw not in Status.values:
        raise ActionRefused("invalid", _("There is no such status."))
    status = Status(raw)
    if status not in TRANSITIONS[current]:
        raise ActionRefused(
            "conflict",
            _("An item that is “%(current)s” cannot become “%(next)s”.")
            % {"current": Status(current).label, "next": status.label},
        )
    return status


def status_change(
    *,
    user: AbstractBaseUser | AnonymousUser,
    item: Model,
    status: object,
    administration: Administration | None,
    note: object = "",
    progress: object = None,
    expected_on: object = None,
    forward_to: Administration | None = None,
    photo: IO[bytes] | None = None,
) -> StatusChange:
    """Move one item to a new public status, signed by an administration the user answers for."""
    with transaction.atomic():
        change = _change(
            user=user,
            item=item,
            status=status,
            administration=administration,
            note=note,
            progress=progress,
            expected_on=expected_on,
            forward_to=forward_to,
            photo=photo,
        )
    return change


def statuses_change_many(
    *,
    user: AbstractBaseUser | AnonymousUser,
    items: list[Model],
    template: AnswerTemplate,
    administration: Administration | None,
    forward_to: Administration | None = None,
) -> list[StatusChange]:
    """Answer many items with one template, all or none: one refusal changes nothing."""
    if template.administration_id not in (None, getattr(administration, "pk", None)):
        raise ActionRefused("forbidden", _("That answer belongs to another administration."))
    if not items:
        raise ActionRefused("invalid", _("Choose at least one item."))
    with transaction.atomic():
        return [
            _change(
                user=user,
                item=item,
                status=template.status,
                administration=administration,
                note=template.note,
                forward_to=forward_to,
            )
            for item in items
        ]


def _change(
    *,
    user: AbstractBaseUser | AnonymousUser,
    item: Model,
    status: object,
    administration: Administration | None,
    note: object = "",
    progress: object = None,
    expected_on: object = None,
    forward_to: Administration | None = None,
    photo: IO[bytes] | None = None,
) -> StatusChange:
    kind = kind_of(item)
    if not kind.is_public(item):
        raise ActionRefused(
            "not_found", _("This item is not public yet: its workshop is still running.")
        )
    content_type = ContentType.objects.get_for_model(item)
    item_status, _created = ItemStatus.objects.select_for_update().get_or_create(
        content_type=content_type,
        object_id=item.pk,
        defaults={"title": kind.title(item)[:300], "created_at": kind.created_at(item)},
    )
    if administration is None or not may_sign_as(
        user=user, item_status=item_status, administration=administration
    ):
        raise ActionRefused(
            "forbidden", _("You may not change this item's status for that administration.")
        )
    new = _status(status, item_status.status)
    text = _text(note, limit=NOTE_MAX_LENGTH, what=_("note"))
    if new in NOTE_REQUIRED and not text:
        raise ActionRefused("invalid", NOTE_REQUIRED[new])
    if new == Status.FORWARDED:
        if forward_to is None or not forward_to.active:
            raise ActionRefused("invalid", _("Choose the administration to forward it to."))
        if forward_to.pk == item_status.administration_id and item_status.status == new:
            raise ActionRefused("conflict", _("It is already with that administration."))
    percent = _progress(progress) if new == Status.IN_PROGRESS else None
    expected = _expected(expected_on) if new in (Status.IN_PROGRESS, Status.ACCEPTED) else None
    clean_photo = None
    if photo is not None:
        if new != Status.DONE:
            raise ActionRefused("invalid", _("A photo shows what was done: add it with “done”."))
        clean_photo = photo_clean(photo)

    return _record(
        item=item,
        item_status=item_status,
        new=new,
        administration=administration,
        user=user,
        forward_to=forward_to,
        text=text,
        percent=percent,
        expected=expected,
        clean_photo=clean_photo,
    )


def item_forwarded_record(
    *,
    item: Model,
    administration: Administration,
    signed_by: Administration | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    note: str = "",
) -> StatusChange | None:
    """Record that an item went to an administration by the platform's own process.

    For forwarding decided elsewhere, which has checked its own permissions: a
    challenge's proposal reaching its threshold, a person confirming a routing. Call
    it inside the transaction that forwards, so both commit or neither does. Signed by
    `signed_by` (default: the administration it goes to), with the person, if any, in
    the status log. Records nothing and returns None when forwarding makes no sense for
    the item now: not public yet, already with that administration, or past forwarding
    (accepted, in progress, done or declined).
    """
    kind = kind_of(item)
    if not kind.is_public(item) or not administration.active:
        return None
    with transaction.atomic():
        content_type = ContentType.objects.get_for_model(item)
        item_status, _created = ItemStatus.objects.select_for_update().get_or_create(
            content_type=content_type,
            object_id=item.pk,
            defaults={"title": kind.title(item)[:300], "created_at": kind.created_at(item)},
        )
        current = item_status.status
        if Status.FORWARDED not in TRANSITIONS[current] or (
            current == Status.FORWARDED and item_status.administration_id == administration.pk
        ):
            return None
        return _record(
            item=item,
            item_status=item_status,
            new=Status.FORWARDED,
            administration=signed_by or administration,
            user=user,
            forward_to=administration,
            text=_text(note, limit=NOTE_MAX_LENGTH, what=_("note")),
            percent=None,
            expected=None,
            clean_photo=None,
        )


def _record(
    *,
    item: Model,
    item_status: ItemStatus,
    new: Status,
    administration: Administration,
    user: AbstractBaseUser | AnonymousUser | None,
    forward_to: Administration | None,
    text: str,
    percent: int | None,
    expected: dt.date | None,
    clean_photo: CleanPhoto | None,
) -> StatusChange:
    """Write one checked step: the log line, the photo, where the item stands; tell after commit."""
    kind = kind_of(item)
    now = timezone.now()
    member = user if user is not None and user.is_authenticated else None
    change = StatusChange.objects.create(
        item_status=item_status,
        status=new,
        administration=administration,
        forwarded_to=forward_to if new == Status.FORWARDED else None,
        note=text,
        progress=percent,
        expected_on=expected,
        member=member,  # type: ignore[misc]
        member_email=getattr(member, "email", "") or "",
        created_at=now,
    )
    if clean_photo is not None:
        StatusPhoto.objects.create(
            change=change,
            data=clean_photo.file.read(),
            content_type=clean_photo.content_type,
            width=clean_photo.width,
            height=clean_photo.height,
        )
    item_status.status = new
    item_status.administration = forward_to if new == Status.FORWARDED else administration
    if new == Status.IN_PROGRESS:
        item_status.progress = percent if percent is not None else item_status.progress
        item_status.expected_on = expected or item_status.expected_on
    elif new == Status.ACCEPTED:
        item_status.expected_on = expected
    elif new == Status.DONE:
        item_status.progress = 100
    item_status.title = kind.title(item)[:300]
    item_status.updated_at = now
    item_status.revision += 1
    item_status.save()
    if new in (Status.IN_PROGRESS, Status.UNDER_REVIEW):
        # A reopened item has been taken up again: the request to reopen is answered.
        ReopenRequest.objects.filter(item_status=item_status, handled_at=None).update(
            handled_at=now
        )
    live.status_changed_publish(change=change)
    return change


# ---- receipts ----------------------------------------------------------------------------


def receipt_for_participant(*, participant: Participant) -> Receipt:
    """The participant's receipt: the one they hold, or a new one if they have none."""
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        receipt = Receipt.objects.filter(participant=locked, revoked_at=None).first()
        return receipt or Receipt.objects.create(participant=locked)


def receipt_for_citizen(*, citizen: Citizen) -> Receipt:
    """A challenge citizen's receipt: the one they hold, or a new one."""
    with transaction.atomic():
        locked = Citizen.objects.select_for_update().get(pk=citizen.pk)
        receipt = Receipt.objects.filter(citizen=locked, revoked_at=None).first()
        return receipt or Receipt.objects.create(citizen=locked)


def receipt_revoke(*, receipt: Receipt) -> Receipt | None:
    """The old link stops working at once; a participant gets a fresh one in its place."""
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.revoked_at is not None:
            raise ActionRefused("not_found", _("This receipt has been withdrawn."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        Subscription.objects.filter(receipt=locked).delete()
        PushSubscription.objects.filter(receipt=locked).delete()
        fresh = Receipt.objects.create(
            participant_id=locked.participant_id, citizen_id=locked.citizen_id
        )
        token = locked.token
        transaction.on_commit(lambda: live.receipt_revoked_publish(token=token))
    return fresh


def receipt_mark_seen(*, receipt: Receipt) -> None:
    Receipt.objects.filter(pk=receipt.pk).update(seen_until=timezone.now())


# ---- e-mail notices ----------------------------------------------------------------------


def subscription_request(*, receipt: Receipt, email: object) -> Subscription:
    """Keep an address for this receipt's notices, unused until its holder confirms it."""
    if not isinstance(email, str) or len(email) > 254:
        raise ActionRefused("invalid", _("Enter a valid e-mail address."))
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ActionRefused("invalid", _("Enter a valid e-mail address.")) from error
    from .tasks import subscription_confirmation_send

    with transaction.atomic():
        Subscription.objects.filter(receipt=receipt).delete()
        subscription = Subscription.objects.create(receipt=receipt, email=email)
        subscription_id = subscription.pk
        transaction.on_commit(
            lambda: subscription_confirmation_send.enqueue(subscription_id=subscription_id)
        )
    return subscription


def subscription_confirm(*, token: str) -> Subscription:
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update()
            .filter(confirm_token=token, receipt__revoked_at=None)
            .first()
        )
        if subscription is None:
            raise ActionRefused(
                "not_found",
                _("This confirmation link is not valid, or was replaced by a newer one."),
            )
        if subscription.confirmed_at is None:
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["confirmed_at"])
        # Only what changes from now on goes out by mail.
        Notice.objects.filter(receipt_id=subscription.receipt_id, mailed_at=None).update(
            mailed_at=subscription.confirmed_at
        )
    return subscription


def subscription_end(*, receipt: Receipt) -> None:
    """No more mail at all; the address is deleted."""
    Subscription.objects.filter(receipt=receipt).delete()


def item_unsubscribe(*, subscription: Subscription, item: Model) -> bool:
    """No more mail about this item; False if it was already so."""
    content_type = ContentType.objects.get_for_model(item)
    _row, created = Unsubscription.objects.get_or_create(
        subscription=subscription, content_type=content_type, object_id=item.pk
    )
    return created


# ---- push to phones -------------------------------------------------------------------------


def push_subscribe(*, receipt: Receipt, subscription: object) -> PushSubscription:
    """Notify a phone of this receipt's news by Web Push, from now on.

    `subscription` is what the phone's browser gave (PushSubscription.toJSON()). The
    same phone again only renews its keys.
    """
    try:
        offered = push.subscription_read(subscription)
    except ValueError as error:
        raise ActionRefused("invalid", str(error)) from error
    limit = push.max_per_receipt()
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().filter(pk=receipt.pk, revoked_at=None).first()
        if locked is None:
            raise ActionRefused("not_found", _("This receipt has been withdrawn."))
        known = PushSubscription.objects.filter(receipt=locked, endpoint=offered.endpoint).first()
        if known is not None:
            known.p256dh, known.auth = offered.p256dh, offered.auth
            known.failures = 0
            known.save(update_fields=["p256dh", "auth", "failures"])
            return known
        if PushSubscription.objects.filter(receipt=locked).count() >= limit:
            raise ActionRefused(
                "conflict",
                ngettext(
                    "This receipt already notifies %(count)d phone. Turn it off on that phone "
                    "first.",
                    "This receipt already notifies %(count)d phones. Turn it off on one of them "
                    "first.",
                    limit,
                )
                % {"count": limit},
            )
        # Only what changes from now on is pushed.
        latest = Notice.objects.filter(receipt=locked).order_by("-pk").first()
        return PushSubscription.objects.create(
            receipt=locked,
            endpoint=offered.endpoint,
            p256dh=offered.p256dh,
            auth=offered.auth,
            pushed_until=latest.pk if latest is not None else 0,
        )


def push_unsubscribe(*, receipt: Receipt, endpoint: object) -> bool:
    """No more pushes to that phone for this receipt; False if it was not notified."""
    if not isinstance(endpoint, str) or len(endpoint) > 1000:
        raise ActionRefused("invalid", _("The subscription has no valid push service address."))
    deleted, _rows = PushSubscription.objects.filter(receipt=receipt, endpoint=endpoint).delete()
    return deleted > 0


# ---- notices (run by the worker) -----------------------------------------------------------


def notices_create(*, change: StatusChange) -> int:
    """A notice for every receipt behind the changed item; idempotent."""
    item = change.item_status.item
    if item is None:
        return 0
    receipt_ids = list(receipts_behind(item=item).values_list("pk", flat=True))
    Notice.objects.bulk_create(
        [Notice(receipt_id=pk, change=change, created_at=change.created_at) for pk in receipt_ids],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return len(receipt_ids)


# ---- answer back -------------------------------------------------------------------------


def answer_back(
    *, receipt: Receipt, item: Model, solved: object, comment: object = ""
) -> ReopenRequest:
    """After "done", an author says whether it solved the problem; "no" asks to reopen."""
    if solved not in (True, False, "yes", "no"):
        raise ActionRefused("invalid", _("Answer yes or no."))
    is_solved = solved in (True, "yes")
    text = _text(comment, limit=COMMENT_MAX_LENGTH, what=_("comment"))
    if not is_solved and not text:
        raise ActionRefused("invalid", _("Say what is still not solved."))
    item_status = item_status_of(item=item)
    if item_status is None or item_status.status != Status.DONE:
        raise ActionRefused("conflict", _("You can answer once it is done."))
    if not any(shown.item == item for shown in receipt_items(receipt=receipt)):
        raise ActionRefused("forbidden", _("This receipt is not behind that item."))
    if not kind_of(item).is_author(item, receipt):
        raise ActionRefused("forbidden", _("Only the author can answer this."))
    done = item_status.changes.filter(status=Status.DONE).order_by("-created_at", "-pk").first()
    assert done is not None  # noqa: S101 - it is done
    if timezone.now() - done.created_at > dt.timedelta(days=ANSWER_BACK_DAYS):
        raise ActionRefused(
            "conflict",
            ngettext(
                "Answers are taken for %(days)d day after it was done.",
                "Answers are taken for %(days)d days after it was done.",
                ANSWER_BACK_DAYS,
            )
            % {"days": ANSWER_BACK_DAYS},
        )
    with transaction.atomic():
        answer, created = ReopenRequest.objects.get_or_create(
            receipt=receipt,
            done_change=done,
            defaults={"item_status": item_status, "solved": is_solved, "comment": text},
        )
    if not created:
        raise ActionRefused("conflict", _("You have already answered."))
    return answer
