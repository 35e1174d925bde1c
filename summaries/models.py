"""Value propositions written by the room, and the links that share a workshop's summary."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ideas.models import Cluster, Idea
from workshops.models import Participant, Workshop


def _new_share_token() -> str:
    return secrets.token_urlsafe(32)


class PropositionSettings(models.Model):
    """Per workshop: whether participants may suggest text for the value propositions."""

    workshop = models.OneToOneField(
        Workshop, on_delete=models.CASCADE, related_name="proposition_settings"
    )
    participants_may_suggest = models.BooleanField(
        _("participants may suggest text"), default=False
    )

    class Meta:
        verbose_name = _("value proposition settings")
        verbose_name_plural = _("value proposition settings")

    def __str__(self) -> str:
        return str(self.workshop)


class ValueProposition(models.Model):
    """What the room proposes for one cluster or one idea the facilitator carried forward."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="value_propositions"
    )
    cluster = models.OneToOneField(
        Cluster,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="value_proposition",
    )
    idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="value_proposition"
    )
    # Where it stands in the room's list while being written; the summary ranks by support.
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("value proposition")
        verbose_name_plural = _("value propositions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(idea__isnull=False, cluster__isnull=True)
                    | models.Q(idea__isnull=True, cluster__isnull=False)
                ),
                name="value_proposition_for_exactly_one_target",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.cluster is not None:
            return self.cluster.name
        return self.idea.text if self.idea is not None else ""


class PropositionField(models.Model):
    """One part of a value proposition, with its own revision so edits can be checked."""

    class Name(models.TextChoices):
        TARGET_GROUP = "target_group", _("For whom")
        NEED = "need", _("Their need or pain")
        OFFER = "offer", _("The proposed service or change")
        CITIZEN_GAIN = "citizen_gain", _("The gain for citizens")
        MUNICIPAL_COST = "municipal_cost", _("Expected cost or saving for the municipality")
        OPEN_QUESTIONS = "open_questions", _("Open questions")

    proposition = models.ForeignKey(
        ValueProposition, on_delete=models.CASCADE, related_name="fields"
    )
    name = models.CharField(max_length=32, choices=Name.choices)
    text = models.TextField(blank=True)
    # Grows with every accepted change; an edit based on an older one is a conflict.
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("value proposition field")
        verbose_name_plural = _("value proposition fields")
        constraints = [
            models.UniqueConstraint(
                fields=["proposition", "name"], name="value_proposition_field_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposition_id}.{self.name}"


class PropositionAlternative(models.Model):
    """Text that arrived for a field after someone else had changed it: kept, never lost."""

    field = models.ForeignKey(
        PropositionField, on_delete=models.CASCADE, related_name="alternatives"
    )
    text = models.TextField()
    # The revision the writer saw; the field had moved past it when the text arrived.
    based_on = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("conflicting text")
        verbose_name_plural = _("conflicting texts")

    def __str__(self) -> str:
        return self.text[:60]


class PropositionSuggestion(models.Model):
    """Text a participant offers for a field; a facilitator takes it into the text or not."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a facilitator")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    field = models.ForeignKey(
        PropositionField, on_delete=models.CASCADE, related_name="suggestions"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("suggested text")
        verbose_name_plural = _("suggested texts")

    def __str__(self) -> str:
        return self.text[:60]


class NameConsent(models.Model):
    """A participant agreed that their display name may appear in the summary.

    Kept here rather than on Participant: the room does not read summaries, and the
    consent goes with the participant when their data is erased (cascade).
    """

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="name_consent"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consent to be named in the summary")
        verbose_name_plural = _("consents to be named in the summary")

    def __str__(self) -> str:
        return str(self.participant_id)


class SummaryShare(models.Model):
    """A read-only link to a workshop's summary; revoking it makes the link a 404."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="summary_shares")
    token = models.CharField(max_length=64, unique=True, default=_new_share_token)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("summary link")
        verbose_name_plural = _("summary links")

    def __str__(self) -> str:
        return f"{self.workshop} ({'revoked' if self.revoked_at else 'active'})"
