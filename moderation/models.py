"""Moderation settings per workshop, flags, restrictions, kept originals and the audit log."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshops.append_only import AppendOnlyModel, AppendOnlyQuerySet
from workshops.models import Participant, Workshop


class ModerationSettings(models.Model):
    """How a workshop is moderated and how long its personal data is kept."""

    class Mode(models.TextChoices):
        POST = "post", _("Post-moderation: ideas appear at once and can be hidden")
        PRE = "pre", _("Pre-moderation: facilitators approve every idea first")

    workshop = models.OneToOneField(
        Workshop, on_delete=models.CASCADE, related_name="moderation_settings"
    )
    mode = models.CharField(_("moderation"), max_length=8, choices=Mode.choices, default=Mode.POST)
    flag_threshold = models.PositiveSmallIntegerField(
        _("flags before an idea is held"),
        default=3,
        help_text=_("After this many participants flag an idea it is held for review."),
    )
    # One entry a line; "word*" also matches words that start with "word".
    word_list = models.TextField(_("words that hold an idea for review"), blank=True)
    retention_days = models.PositiveSmallIntegerField(
        _("days to keep personal data"),
        default=30,
        help_text=_("After this many days names and session links are erased; ideas stay."),
    )
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")

    def __str__(self) -> str:
        return str(self.workshop)


class Flag(models.Model):
    """A participant's report that an idea does not belong on the wall."""

    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", _("Offensive or hateful")
        PERSONAL = "personal", _("Shares someone's personal information")
        SPAM = "spam", _("Spam or advertising")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="flags")
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="flags"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    # An approval settles the flags so far; only later ones count towards a new hold.
    settled = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "participant"], name="flag_once_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} on {self.idea_id}"


class ParticipantRestriction(models.Model):
    """A participant a facilitator muted or removed, or who erased their own data."""

    class Kind(models.TextChoices):
        MUTED = "muted", _("Muted: may follow the room but not write")
        REMOVED = "removed", _("Removed from the workshop")
        ERASED = "erased", _("Erased their own data and left")

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="restriction"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("participant restriction")
        verbose_name_plural = _("participant restrictions")

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.kind}"


class IdeaOriginal(models.Model):
    """The author's own words, kept when a facilitator first edits an idea."""

    idea = models.OneToOneField("ideas.Idea", on_delete=models.CASCADE, related_name="original")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("original idea text")
        verbose_name_plural = _("original idea texts")

    def __str__(self) -> str:
        return self.text[:60]


class ModerationAction(AppendOnlyModel):
    """One line of the audit log: who did what to which idea or participant, when and why.

    It holds no display names and no addresses, so erasing a participant's personal
    data never needs to touch it; participants appear by number only.
    """

    class Kind(models.TextChoices):
        HOLD = "hold", _("Held for review")
        APPROVE = "approve", _("Approved")
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        EDIT = "edit", _("Edited")
        DELETE = "delete", _("Deleted")
        MUTE = "mute", _("Participant muted")
        UNMUTE = "unmute", _("Participant unmuted")
        REMOVE = "remove", _("Participant removed")
        SETTINGS = "settings", _("Settings changed")
        ERASE = "erase", _("Participant erased their data")
        RETENTION = "retention", _("Personal data erased after the retention period")

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="moderation_actions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The facilitator who acted; empty when the platform acted by its rules.
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    facilitator_email = models.CharField(max_length=254, blank=True)
    # Plain numbers, not keys: the line outlives a deleted idea.
    idea_number = models.PositiveBigIntegerField(null=True, blank=True)
    participant_number = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects: ClassVar[models.Manager[ModerationAction]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind}"
