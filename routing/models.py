"""Routing: which administration an idea, cluster, value proposition or proposal goes to.

The platform only suggests; a `Routing` exists once a person has decided, and every
decision is a training example for the next `RoutingModel`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from administrations.models import Administration
from challenges.models import Challenge
from workshops.models import Workshop


class Kind(models.TextChoices):
    IDEA = "idea", _("idea")
    CLUSTER = "cluster", _("cluster")
    VALUE_PROPOSITION = "value_proposition", _("value proposition")
    PROPOSAL = "proposal", _("proposal")


class Method(models.TextChoices):
    MODEL = "model", _("learned from confirmed routings")
    KEYWORDS = "keywords", _("administrations' keywords")
    # Nothing was sure enough to suggest: a person chose without a suggestion.
    NONE = "none", _("no suggestion")


class Routing(models.Model):
    """A person's decision: this item goes to this administration."""

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    # Where the item came from: a workshop, or the open challenge of a proposal.
    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The words as routed: the training example survives later edits of the item.
    text = models.TextField(_("text"))
    administration = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        related_name="routings",
        verbose_name=_("administration"),
    )
    # What the platform offered when the person decided: [{"administration", "confidence"}].
    suggested = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=16, choices=Method.choices, default=Method.NONE)
    model_version = models.PositiveIntegerField(null=True, blank=True)
    # The person took the platform's first suggestion.
    agreed = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("routing")
        verbose_name_plural = _("routings")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="routing_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} → {self.administration_id}"


class RoutingModel(models.Model):
    """One trained model, kept with the figures it was measured at; the newest one serves."""

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    examples = models.PositiveIntegerField(_("training examples"))
    # A digest of the training set: retraining on an unchanged history makes no new version.
    fingerprint = models.CharField(max_length=64)
    # [{"id", "name", "slug"}] in the model's class order.
    administrations = models.JSONField(default=list)
    figures = models.JSONField(default=dict)
    # The fitted pipeline, pickled. Written only by routing.tasks from the platform's
    # own data and read back by the same code, never taken from outside.
    pipeline = models.BinaryField()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")

    def __str__(self) -> str:
        return f"v{self.version}"


class StoredSuggestion(models.Model):
    """What the platform suggests for one item, worked out by the worker and kept.

    Stored rather than computed when a page opens, so every person deciding sees the
    same suggestion, and the page can say which model made it.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    # [{"administration", "confidence"}], best first; empty when the platform abstained.
    suggested = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=16, choices=Method.choices)
    model_version = models.PositiveIntegerField(null=True, blank=True)
    # What the suggestion was worked out from: the serving model (or the keywords) and
    # the threshold then, and the item's words. Any of them changing makes it stale.
    basis = models.CharField(max_length=80)
    threshold = models.FloatField()
    text_digest = models.CharField(max_length=64)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("routing suggestion")
        verbose_name_plural = _("routing suggestions")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="suggestion_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
