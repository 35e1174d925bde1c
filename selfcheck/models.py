from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshops.models import Workshop


class SelfCheck(models.Model):
    """The facilitators' self-evaluation of one workshop, answered once it closed."""

    workshop = models.OneToOneField(Workshop, on_delete=models.CASCADE, related_name="self_check")
    # {question key: option key}, for every question in selfcheck.questions.
    answers = models.JSONField(default=dict)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("self-check")
        verbose_name_plural = _("self-checks")

    def __str__(self) -> str:
        return str(self.workshop)
