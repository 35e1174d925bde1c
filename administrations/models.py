"""The municipality's administrations (departments): where ideas and proposals are sent.

Challenges name the administration responsible for them, statuses say which one an
item was forwarded to, and routing learns which one an idea belongs to. Members are
the people who answer for it; they are managed in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Administration(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    description = models.TextField(_("what it is responsible for"), blank=True)
    email = models.EmailField(
        _("contact address"), blank=True, help_text=_("Where forwarded items are announced.")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        related_name="administrations",
        blank=True,
    )
    # Until enough routings have been confirmed to learn from, these words point here.
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_("Words that point an idea to this administration, one per line."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("administration")
        verbose_name_plural = _("administrations")

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [word.strip().casefold() for word in self.keywords.splitlines() if word.strip()]
