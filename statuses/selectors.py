"""Reads of the statuses app: where items stand, who may change them, who is behind them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from administrations.models import Administration
from administrations.selectors import administrations_of_member
from workshops.http import id_from_path

from .models import (
    CLOSED,
    ItemStatus,
    Notice,
    Receipt,
    ReopenRequest,
    Status,
    StatusChange,
    Subscription,
)
from .registry import KINDS, Kind, item_get, kind_of

# How long after "done" an author may say whether it solved the problem.
ANSWER_BACK_DAYS = 14


def notice_pause() -> dt.timedelta:
    """The least time between two notices to one address or one phone (a day by default)."""
    return dt.timedelta(hours=int(settings.SAMSKAB.get("NOTICE_DIGEST_HOURS", 24)))


def told_long_enough_ago(last_told: str, *, now: dt.datetime) -> Q:
    """Who may be told again now: never told, or last told (the field `last_told`) a pause ago.

    The same pace for mail and push, so a citizen's phone buzzes no more often than their
    inbox fills; what waits goes out together once the pause is over.
    """
    return Q(**{last_told: None}) | Q(**{f"{last_told}__lte": now - notice_pause()})


def item_status_of(*, item: Model) -> ItemStatus | None:
    content_type = ContentType.objects.get_for_model(item)
    return (
        ItemStatus.objects.filter(content_type=content_type, object_id=item.pk)
        .select_related("administration")
        .first()
    )


def timeline_of(*, item: Model) -> list[StatusChange]:
    content_type = ContentType.objects.get_for_model(item)
    return list(
        StatusChange.objects.filter(
            item_status__content_type=content_type, item_status__object_id=item.pk
        )
        .select_related("administration", "forwarded_to", "photo")
        .order_by("created_at", "pk")
    )


def may_sign_as(
    *,
    user: AbstractBaseUser | AnonymousUser,
    item_status: ItemStatus,
    administration: Administration,
) -> bool:
    """A member acts for their administration; once an item is with one, only it answers."""
    if not user.is_authenticated or not administration.active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    if not administrations_of_member(user=user).filter(pk=administration.pk).exists():
        return False
    holder = item_status.administration_id
    return holder is None or holder == administration.pk


def administrations_of(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Administration]:
    """Those a user may sign for: their own, or every active one for a superuser."""
    if getattr(user, "is_superuser", False) and user.is_authenticated:
        return Administration.objects.filter(active=True)
    return administrations_of_member(user=user)


def receipts_behind(*, item: Model) -> QuerySet[Receipt]:
    """Every live receipt of the people behind an item."""
    return Receipt.objects.filter(kind_of(item).people(item), revoked_at=None)


def receipt_by_token(*, token: str) -> Receipt | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        return None
    return Receipt.objects.filter(token=token, revoked_at=None).first()


@dataclass
class ShownItem:
    """One row of "what I said"."""

    item: Any
    kind: Kind
    key: str
    title: str
    status: ItemStatus | None
    received_at: dt.datetime
    timeline: list[StatusChange] = field(default_factory=list)
    may_answer: bool = False
    answered: bool = False

    @property
    def status_value(self) -> str:
        return self.status.status if self.status is not None else Status.RECEIVED

    @property
    def status_label(self) -> str:
        return str(Status(self.status_value).label)


def receipt_items(*, receipt: Receipt) -> list[ShownItem]:
    """What the receipt's holder said, supported or went into, each with its status."""
    items: list[Any] = []
    for kind in KINDS.values():
        items.extend(kind.items_of_receipt(receipt))
    shown: list[ShownItem] = []
    seen: set[str] = set()
    for item in items:
        kind = kind_of(item)
        key = f"{kind.key}-{item.pk}"
        if key in seen:
            continue
        seen.add(key)
        status = item_status_of(item=item)
        timeline = timeline_of(item=item) if status is not None else []
        shown.append(
            ShownItem(
                item=item,
                kind=kind,
                key=key,
                title=kind.title(item),
                status=status,
                received_at=kind.created_at(item),
                timeline=timeline,
            )
        )
    for row in shown:
        row.may_answer, row.answered = _answerable(receipt, row)
    return shown


def _answerable(receipt: Receipt, row: ShownItem) -> tuple[bool, bool]:
    if row.status is None or row.status.status != Status.DONE or not row.timeline:
        return False, False
    done = [change for change in row.timeline if change.status == Status.DONE][-1]
    answered = ReopenRequest.objects.filter(receipt=receipt, done_change=done).exists()
    recent = timezone.now() - done.created_at <= dt.timedelta(days=ANSWER_BACK_DAYS)
    return recent and row.kind.is_author(row.item, receipt) and not answered, answered


def notices_of(*, receipt: Receipt, limit: int = 20) -> list[Notice]:
    return list(
        Notice.objects.filter(receipt=receipt)
        .select_related("change", "change__item_status", "change__administration")
        .order_by("-created_at", "-pk")[:limit]
    )


def queue_of(*, administration: Administration) -> QuerySet[ItemStatus]:
    """What an administration answers for and has not closed, oldest change first."""
    return (
        ItemStatus.objects.filter(administration=administration)
        .exclude(status__in=CLOSED)
        .select_related("content_type", "administration")
        .order_by("updated_at", "pk")
    )


def reopen_requests_of(*, administration: Administration) -> QuerySet[ReopenRequest]:
    """Authors who said "done" did not solve it and asked to reopen, not yet taken up."""
    return (
        ReopenRequest.objects.filter(
            item_status__administration=administration, solved=False, handled_at=None
        )
        .select_related("item_status", "item_status__content_type")
        .order_by("created_at", "pk")
    )


def new_items(*, limit: int = 100) -> list[Any]:
    """Public items nobody has given a status yet, for any member to take up."""
    found: list[Any] = []
    for kind in KINDS.values():
        if kind.new_items is None:
            continue
        for item in kind.new_items():
            if item_status_of(item=item) is None and kind.is_public(item):
                found.append(item)
                if len(found) >= limit:
                    return found
    return found


def language_of_item(item: Any) -> str | None:
    """The language of the workshop or challenge an item was said in."""
    source = getattr(item, "workshop", None) or getattr(item, "challenge", None)
    return getattr(source, "language", None)


def receipt_language(*, receipt: Receipt) -> str | None:
    """The language of what the receipt's holder took part in: a workshop, or a challenge."""
    if receipt.participant_id is not None:
        return receipt.participant.workshop.language  # type: ignore[union-attr]
    # A challenge's citizen has no language of their own on record: the newest challenge
    # they proposed, co-sponsored or supported in speaks for them.
    languages = [
        (item.pk, language)
        for kind in KINDS.values()
        for item in kind.items_of_receipt(receipt)
        for language in [language_of_item(item)]
        if language
    ]
    return max(languages)[1] if languages else None


def statuses_language_of_page(
    *, token: str = "", kind: str = "", item_id: str = "", **kwargs: Any
) -> str | None:
    """The language of the receipt or item a page's address names."""
    if kind:
        item = item_get(key=kind, item_id=id_from_path(item_id))
        return language_of_item(item) if item is not None else None
    receipt = receipt_by_token(token=token)
    return receipt_language(receipt=receipt) if receipt is not None else None


def subscription_language_of_page(*, token: str = "", **kwargs: Any) -> str | None:
    """The language of the receipt whose address-confirmation link this is."""
    subscription = Subscription.objects.filter(confirm_token=token[:64]).first()
    return receipt_language(receipt=subscription.receipt) if subscription else None
