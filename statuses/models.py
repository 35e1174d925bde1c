"""Public statuses of ideas, clusters, value propositions and proposals, and the receipts
through which the people behind them hear of every change.

An item is any registered object (see statuses/registry.py), pointed at through
contenttypes. `ItemStatus` is where it stands now; `StatusChange` is the append-only
log of how it got there, which is also the public timeline and the audit log.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from administrations.models import Administration
from challenges.models import Citizen
from workshops.append_only import AppendOnlyModel, AppendOnlyQuerySet
from workshops.models import Participant


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    FORWARDED = "forwarded", _("Forwarded to an administration")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


# Where an item may go from each status. Staying "in progress" records new progress;
# forwarding again hands it to another administration; done and declined may reopen.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset(
        {Status.UNDER_REVIEW, Status.FORWARDED, Status.ACCEPTED, Status.DECLINED}
    ),
    Status.UNDER_REVIEW: frozenset({Status.FORWARDED, Status.ACCEPTED, Status.DECLINED}),
    Status.FORWARDED: frozenset(
        {Status.FORWARDED, Status.UNDER_REVIEW, Status.ACCEPTED, Status.DECLINED}
    ),
    Status.ACCEPTED: frozenset({Status.IN_PROGRESS, Status.DONE, Status.DECLINED}),
    Status.IN_PROGRESS: frozenset({Status.IN_PROGRESS, Status.DONE, Status.DECLINED}),
    Status.DONE: frozenset({Status.IN_PROGRESS, Status.UNDER_REVIEW}),
    Status.DECLINED: frozenset({Status.UNDER_REVIEW}),
}
# Open311 knows only open and closed.
CLOSED = frozenset({Status.DONE, Status.DECLINED})


class ItemStatus(models.Model):
    """Where one item stands now; made at its first status change."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    # The administration it was forwarded to, which answers for it from then on.
    administration = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="item_statuses",
        verbose_name=_("administration"),
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    expected_on = models.DateField(_("expected by"), null=True, blank=True)
    # Kept here so lists and Open311 need not ask every kind for it.
    title = models.CharField(_("title"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-updated_at", "pk"]
        verbose_name = _("item status")
        verbose_name_plural = _("item statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="item_status_once_per_item"
            )
        ]
        indexes = [models.Index(fields=["administration", "status"])]

    def __str__(self) -> str:
        return f"{self.title[:60]}: {self.get_status_display()}"


class StatusChange(AppendOnlyModel):
    """One dated, signed step of an item's public timeline; never changed, never deleted.

    It is the audit log too: who (the member's address, kept as text so the line
    outlives the account) acted for which administration.
    """

    item_status = models.ForeignKey(
        ItemStatus, on_delete=models.PROTECT, related_name="changes", editable=False
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # The administration that signs the change.
    administration = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("signed by"),
    )
    # For "forwarded": where it went.
    forwarded_to = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("forwarded to"),
    )
    # The note of what was done, the reason for declining, or any public word.
    note = models.TextField(_("note"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    expected_on = models.DateField(_("expected by"), null=True, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    member_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects: ClassVar[models.Manager[StatusChange]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.status}"


class StatusPhoto(models.Model):
    """The photo of what was done: re-encoded, without EXIF, kept in the database.

    In the database rather than on disk so every server process can show it with no
    shared file storage to set up.
    """

    change = models.OneToOneField(StatusChange, on_delete=models.PROTECT, related_name="photo")
    data = models.BinaryField()
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("photo of what was done")
        verbose_name_plural = _("photos of what was done")

    def __str__(self) -> str:
        return f"photo {self.change_id}"


class AnswerTemplate(models.Model):
    """A reusable answer a member picks to answer many items at once."""

    name = models.CharField(_("name"), max_length=120)
    # Empty: every administration may use it.
    administration = models.ForeignKey(
        Administration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answer_templates",
        verbose_name=_("administration"),
        help_text=_("Leave empty to offer it to every administration."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")

    def __str__(self) -> str:
        return self.name


class Receipt(models.Model):
    """A personal, unguessable, revocable link to "what I said"; never an item's public id."""

    token = models.CharField(max_length=64, unique=True, default=new_token)
    # A workshop participant's receipt finds their ideas, votes and what they went into.
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="receipts"
    )
    # A challenge citizen's receipt finds the proposals they wrote, co-sponsor or support.
    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, null=True, blank=True, related_name="receipts"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The notices read up to here; later ones show as new on the receipt page.
    seen_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        indexes = [
            models.Index(fields=["participant", "revoked_at"]),
            models.Index(fields=["citizen", "revoked_at"]),
        ]

    def __str__(self) -> str:
        return f"receipt {self.pk}"


class Notice(models.Model):
    """One status change told to one receipt: shown on its page, and mailed if it asked."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="notices")
    change = models.ForeignKey(StatusChange, on_delete=models.CASCADE, related_name="notices")
    created_at = models.DateTimeField(default=timezone.now)
    # Set once the notice went out by mail, or was found to need none.
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["receipt", "change"], name="notice_once_per_receipt")
        ]
        indexes = [models.Index(fields=["mailed_at", "receipt"])]

    def __str__(self) -> str:
        return f"{self.receipt_id} ← {self.change_id}"


class Subscription(models.Model):
    """An e-mail address a receipt's holder left for these notices, and nothing else."""

    receipt = models.OneToOneField(Receipt, on_delete=models.CASCADE, related_name="subscription")
    email = models.EmailField()
    # The confirmation link's secret; the address is used only once confirmed by a button.
    confirm_token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail for notices")
        verbose_name_plural = _("e-mails for notices")

    def __str__(self) -> str:
        return f"subscription {self.pk}"


class PushSubscription(models.Model):
    """A phone that allowed this receipt's notices by Web Push: its push service and keys.

    Erased with the receipt (a cascade); withdrawing the receipt deletes it too.
    """

    receipt = models.ForeignKey(
        Receipt, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    # The push service's address for this phone (RFC 8030), checked by statuses/push.py.
    endpoint = models.CharField(max_length=1000)
    # The phone's P-256 public key and auth secret (RFC 8291), base64url as the browser
    # gives them: what the notices are encrypted for.
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    # The receipt's notices up to this id went to this phone (or came before it asked).
    pushed_until = models.PositiveBigIntegerField(default=0)
    # When the push service last took a push for it: the next waits a pause after
    # (statuses.selectors.told_long_enough_ago), as an address's next mail does.
    last_pushed_at = models.DateTimeField(null=True, blank=True)
    # Failed sends in a row; the push service has forgotten the phone after too many.
    failures = models.PositiveSmallIntegerField(default=0)
    # The run sending to it now, until when (statuses.push._claim).
    claim = models.CharField(max_length=16, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phone notified by push")
        verbose_name_plural = _("phones notified by push")
        constraints = [
            models.UniqueConstraint(fields=["receipt", "endpoint"], name="push_once_per_phone")
        ]

    def __str__(self) -> str:
        return f"push {self.pk}"


class PushKey(models.Model):
    """The site's VAPID key, made on first use when the environment sets none.

    Kept in the database rather than a file so every process and server signs with the
    same key: a phone's subscription is bound to the key it was made with.
    """

    private_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"push key {self.pk}"


class Unsubscription(models.Model):
    """An item whose changes a subscriber no longer wants by mail (the page still shows them)."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="unsubscriptions"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "content_type", "object_id"], name="unsubscribe_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id}: {self.content_type_id}/{self.object_id}"


class ReopenRequest(models.Model):
    """The author's answer after "done": it did not solve the problem; please reopen."""

    item_status = models.ForeignKey(
        ItemStatus, on_delete=models.CASCADE, related_name="reopen_requests"
    )
    done_change = models.ForeignKey(StatusChange, on_delete=models.CASCADE, related_name="+")
    receipt = models.ForeignKey(
        Receipt, on_delete=models.SET_NULL, null=True, related_name="answers"
    )
    solved = models.BooleanField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["receipt", "done_change"], name="answer_once_per_done")
        ]

    def __str__(self) -> str:
        return f"{'solved' if self.solved else 'reopen'} {self.item_status_id}"
