"""A department asks the co-creation team for a co-creation process."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from administrations.models import Administration
from challenges.models import Challenge
from workshops.models import Workshop


class CoCreationRequest(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for the co-creation team")
        NEEDS_MORE = "needs_more", _("The team asks for more")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    administration = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        related_name="cocreation_requests",
        verbose_name=_("administration"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    current_situation = models.TextField(_("current situation"), max_length=4000)
    citizens_needs = models.TextField(_("the citizens' needs as you see them"), max_length=4000)
    goals = models.TextField(_("goals and expectations"), max_length=4000)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    owner = models.CharField(_("owner"), max_length=200)
    resources = models.TextField(_("resources"), max_length=2000, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    # The team's question (asking for more) or reason (declining), shown to the requester.
    team_note = models.TextField(_("note from the co-creation team"), blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    workshops = models.ManyToManyField(Workshop, blank=True, related_name="cocreation_requests")
    challenges = models.ManyToManyField(Challenge, blank=True, related_name="cocreation_requests")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("request for co-creation")
        verbose_name_plural = _("requests for co-creation")
        # The co-creation team: users (or a group) given this permission in the admin.
        permissions = [("triage_cocreationrequest", _("Can triage requests for co-creation"))]

    def __str__(self) -> str:
        return self.title
