from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import new_join_code
from .phases import Phase

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Workshop(models.Model):
    title = models.CharField(_("title"), max_length=200)
    question = models.CharField(_("policy question"), max_length=500)
    context = models.TextField(_("context"), max_length=2000, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    join_code = models.CharField(_("join code"), max_length=12, unique=True, default=new_join_code)
    # Read-only link for decision-makers; unguessable because it is not meant to be typed.
    observer_token = models.CharField(max_length=64, unique=True, default=_new_token)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.LOBBY)
    phase_ends_at = models.DateTimeField(_("phase ends at"), null=True, blank=True)
    participants_may_group = models.BooleanField(
        _("participants may group ideas"),
        default=False,
        help_text=_("Otherwise only facilitators group, and participants watch."),
    )
    # Grows with every change to the room's own state, so clients can drop stale events.
    revision = models.PositiveIntegerField(default=1)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_workshops"
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_workshops", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return f"{self.title} ({self.join_code})"

    def get_absolute_url(self) -> str:
        return reverse("workshops:console", kwargs={"code": self.join_code})

    def is_facilitator(self, user: AbstractBaseUser | None) -> bool:
        if user is None or not user.is_authenticated:
            return False
        if self.owner_id == user.pk:
            return True
        return self.facilitators.filter(pk=user.pk).exists()


class Participant(models.Model):
    """A citizen in one workshop, known by the phone's session rather than an account."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    display_name = models.CharField(_("display name"), max_length=40)
    # The secret that ties a phone to this participant; kept in the phone's session.
    key = models.CharField(max_length=64, unique=True, default=_new_token)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_at"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.display_name


class FacilitatorInvitation(models.Model):
    """An invitation for a colleague to co-facilitate; accepted by opening its link signed in."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("facilitator invitation")
        verbose_name_plural = _("facilitator invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.workshop}"
