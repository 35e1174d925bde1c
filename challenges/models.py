"""Open challenges between workshops: challenges, proposals, co-sponsors, supports, the log.

A citizen needs no account: the phone is a `Citizen`, known by a secret key kept in
its session (and in the receipt link another app may give it). Proposals and
supports hang off citizens, so "what became of my proposal" and "tell my supporters"
can be answered for anonymous phones too (see challenges/selectors.py).
"""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from administrations.models import Administration
from ideas.models import Cluster, Idea
from moderation.models import Flag
from workshops.append_only import AppendOnlyModel, AppendOnlyQuerySet
from workshops.models import Workshop


def _new_key() -> str:
    return secrets.token_urlsafe(24)


class Citizen(models.Model):
    """A phone (or browser) that wrote, co-sponsored or supported something; no account."""

    # The secret that ties a phone to this citizen; kept in its session.
    key = models.CharField(max_length=64, unique=True, default=_new_key)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        return f"citizen {self.pk}"


class Challenge(models.Model):
    class Moderation(models.TextChoices):
        POST = "post", _("Post-moderation: proposals appear at once and can be hidden")
        PRE = "pre", _("Pre-moderation: a facilitator approves every proposal first")

    class Supporters(models.TextChoices):
        OPEN = "open", _("Open: one support per phone, no account (shown as unverified)")
        VERIFIED = "verified", _("Verified: each supporter signs in with an eID")

    class ThresholdKind(models.TextChoices):
        NUMBER = "number", _("A number of supporters")
        PER_THOUSAND = "per_thousand", _("Supporters per 1,000 inhabitants")

    title = models.CharField(_("title"), max_length=200)
    question = models.CharField(_("question"), max_length=500)
    context = models.TextField(_("context"), max_length=4000, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    threshold_kind = models.CharField(
        _("threshold as"),
        max_length=16,
        choices=ThresholdKind.choices,
        default=ThresholdKind.NUMBER,
    )
    threshold_value = models.PositiveIntegerField(_("threshold"))
    # Supporters a proposal needs, fixed when the challenge is created (a threshold per
    # 1,000 inhabitants is turned into a number then, so it cannot move mid-period).
    threshold = models.PositiveIntegerField(_("supporters needed"))
    cosponsors_needed = models.PositiveSmallIntegerField(_("co-sponsors needed"), default=0)
    moderation = models.CharField(
        _("moderation"), max_length=8, choices=Moderation.choices, default=Moderation.POST
    )
    # One entry a line; "word*" also matches words that start with "word".
    word_list = models.TextField(_("words that hold a proposal for review"), blank=True)
    supporters = models.CharField(
        _("who may support"), max_length=8, choices=Supporters.choices, default=Supporters.OPEN
    )
    residence_required = models.BooleanField(
        _("supporters must live in the municipality"),
        default=False,
        help_text=_("Checked in the eID's residence claim; only for verified support."),
    )
    administration = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        related_name="challenges",
        verbose_name=_("responsible administration"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_challenges"
    )
    # Counted from the closing time, not the creation as a workshop's is: a forwarded
    # proposal's formal treatment takes months, and its author and supporters are told
    # of it through their receipts until then (see services.challenge_erase_personal_data).
    retention_days = models.PositiveSmallIntegerField(
        _("days to keep personal data after closing"),
        default=180,
        help_text=_(
            "After this many days from the closing time, receipts, e-mail addresses and the "
            "links between phones and what they wrote or supported are erased; proposals and "
            "counts stay."
        ),
    )
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="challenge_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(threshold__gte=1), name="challenge_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:challenge", kwargs={"challenge_id": self.pk})

    def is_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return bool(self.opens_at <= now < self.closes_at)

    def has_closed(self, now: Any = None) -> bool:
        return bool((now or timezone.now()) >= self.closes_at)

    @property
    def personal_data_erased_after(self) -> Any:
        """When the retention job erases this challenge's personal data."""
        return self.closes_at + timedelta(days=self.retention_days)

    @staticmethod
    def threshold_for(kind: str, value: int, population: int) -> int:
        """The number of supporters a threshold stands for; at least one."""
        if kind == Challenge.ThresholdKind.PER_THOUSAND:
            return max(1, math.ceil(value * population / 1000))
        return max(1, value)


class Proposal(models.Model):
    class Status(models.TextChoices):
        # Waiting for the co-sponsors the challenge asks for; seen by its author only.
        AWAITING_COSPONSORS = "awaiting_cosponsors", _("Waiting for co-sponsors")
        # Waiting for a facilitator (pre-moderation, or a word on the list).
        HELD = "held", _("Held for review")
        OPEN = "open", _("Open for support")
        THRESHOLD_REACHED = "threshold_reached", _("Threshold reached")
        FORWARDED = "forwarded", _("Forwarded to the administration")
        EXPIRED = "expired", _("Expired")
        HIDDEN = "hidden", _("Hidden by a facilitator")
        WITHDRAWN = "withdrawn", _("Withdrawn by its author")

    # Where support may still be given or withdrawn (while the challenge is open).
    SUPPORTABLE: ClassVar[frozenset[str]] = frozenset(
        {Status.OPEN, Status.THRESHOLD_REACHED, Status.FORWARDED}
    )
    # Shown on the challenge's public pages.
    PUBLIC: ClassVar[frozenset[str]] = frozenset(
        {Status.OPEN, Status.THRESHOLD_REACHED, Status.FORWARDED, Status.EXPIRED}
    )

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("proposal"), max_length=3000)
    author = models.ForeignKey(
        Citizen, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    author_name = models.CharField(_("your name (optional)"), max_length=60, blank=True)
    status = models.CharField(max_length=24, choices=Status.choices, db_index=True)
    # The re-encoded photo (workshops/photos.py), kept in the database so every server
    # process can serve it without shared storage.
    photo = models.BinaryField(null=True, blank=True, editable=False)
    photo_type = models.CharField(max_length=32, blank=True)
    # The secret in the link the author shares with co-sponsors.
    cosponsor_token = models.CharField(max_length=64, unique=True, default=_new_key)
    support_count = models.PositiveIntegerField(default=0)
    # Grows with every change of the count, so a page keeps the newest of two that cross.
    revision = models.PositiveIntegerField(default=0)
    # When the threshold was first reached; set once and never cleared.
    threshold_reached_at = models.DateTimeField(null=True, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The author has been told of 33 %, 66 % and 100 % (the highest told so far).
    milestone_told = models.PositiveSmallIntegerField(default=0)
    # Opened from a workshop: the evidence behind it.
    source_workshop = models.ForeignKey(
        Workshop, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_cluster = models.ForeignKey(
        Cluster, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_idea = models.ForeignKey(
        Idea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-support_count", "-pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:proposal", kwargs={"proposal_id": self.pk})

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC


class Cosponsorship(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosponsorships")
    # NULL once the citizen erased their data or the retention period ended: the
    # co-sponsorship still counts towards publication, belonging to nobody.
    citizen = models.ForeignKey(
        Citizen, on_delete=models.SET_NULL, null=True, blank=True, related_name="cosponsorships"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("co-sponsorship")
        verbose_name_plural = _("co-sponsorships")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "citizen"], name="cosponsor_once_per_citizen"
            )
        ]

    def __str__(self) -> str:
        return f"{self.citizen_id} → {self.proposal_id}"


class Support(models.Model):
    """One person's support for one proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    # NULL once the citizen erased their data or the retention period ended: the support
    # stays, and stays counted (a count never drops behind a person's back), but belongs
    # to nobody, so nobody can withdraw it (see services.citizen_erase).
    citizen = models.ForeignKey(
        Citizen, on_delete=models.SET_NULL, null=True, blank=True, related_name="supports"
    )
    # For verified support: a keyed hash (HMAC) of the eID's subject, never the subject.
    # NULL, not "", for open support: the unique constraint below skips only NULLs.
    person_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "citizen"], name="support_once_per_citizen"
            ),
            models.UniqueConstraint(
                fields=["proposal", "person_hash"],
                condition=models.Q(person_hash__isnull=False),
                name="support_once_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.citizen_id} → {self.proposal_id}"

    @property
    def verified(self) -> bool:
        return self.person_hash is not None


class ProposalFlag(models.Model):
    """A citizen's report that a proposal does not belong here; enough of them hold it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="flags")
    # NULL once the citizen erased their data: the report still counts towards a hold.
    citizen = models.ForeignKey(
        Citizen, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Flag.Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("proposal flag")
        verbose_name_plural = _("proposal flags")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "citizen"], name="proposal_flag_once")
        ]

    def __str__(self) -> str:
        return f"{self.reason} on {self.proposal_id}"


class ChallengeLog(AppendOnlyModel):
    """The audit log of a challenge: moderation and the platform's own transitions.

    Append-only like the workshops' moderation log; no names, no addresses.
    """

    class Kind(models.TextChoices):
        HOLD = "hold", _("Held for review")
        APPROVE = "approve", _("Approved")
        HIDE = "hide", _("Hidden")
        PUBLISH = "publish", _("Published")
        WITHDRAW = "withdraw", _("Withdrawn by its author")
        MILESTONE = "milestone", _("Passed a share of the threshold")
        THRESHOLD = "threshold", _("Threshold reached")
        FORWARD = "forward", _("Forwarded to the administration")
        EXPIRE = "expire", _("Expired at the closing time")
        ERASE = "erase", _("A citizen erased their data")
        RETENTION = "retention", _("Personal data erased after the retention period")
        RETENTION_SET = "retention_set", _("Retention period changed")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="log")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The facilitator who acted; empty when the platform acted by its rules.
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    facilitator_email = models.CharField(max_length=254, blank=True)
    proposal_number = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects: ClassVar[models.Manager[ChallengeLog]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("challenge log entry")
        verbose_name_plural = _("challenge log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind}"
