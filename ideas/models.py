from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from workshops.models import Participant, Workshop


class Cluster(models.Model):
    """A theme: ideas the room has put together under one name."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="clusters")
    name = models.CharField(_("name"), max_length=120)
    # Where the cluster stands on the board; lower comes first.
    position = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    tags = TaggableManager(_("tags"), blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")

    def __str__(self) -> str:
        return self.name


class Idea(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn by its author")
        # Seen only by facilitators until approved (pre-moderation, flags, word list).
        HELD = "held", _("Held for review")
        HIDDEN = "hidden", _("Hidden by a facilitator")
        MERGED = "merged", _("Merged into another idea")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="ideas")
    author = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    text = models.TextField(_("idea"))
    cluster = models.ForeignKey(
        Cluster, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    # A duplicate merged into another idea; it keeps its words and (later) its votes.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_ideas"
    )
    # Chosen by the phone before the first send; a resend with the same key is the same idea.
    client_key = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PUBLISHED)
    # Grows with every change, so a screen can tell a late, stale event from a fresh one.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # When its words last changed; the revision also grows when it is sorted or tagged.
    edited_at = models.DateTimeField(null=True, blank=True)
    tags = TaggableManager(_("tags"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_key"], name="idea_unique_client_key_per_author"
            )
        ]
        indexes = [models.Index(fields=["workshop", "status", "created_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class ClusterSuggestion(models.Model):
    """A cluster the platform proposes to the facilitators; nothing moves until one accepts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a facilitator")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        # A newer round of suggestions took its place before anyone decided.
        REPLACED = "replaced", _("Replaced by newer suggestions")

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="cluster_suggestions"
    )
    name = models.CharField(_("name"), max_length=120)
    ideas = models.ManyToManyField(Idea, related_name="suggestions")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # The cluster made when it was accepted.
    cluster = models.ForeignKey(
        Cluster, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Rank within its round: the largest proposal comes first.
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("cluster suggestion")
        verbose_name_plural = _("cluster suggestions")

    def __str__(self) -> str:
        return self.name
