"""Themes that last across workshops and challenges, so many small inputs show a direction."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    """A theme keeps its id for good: merged away, it points to the theme that took it over."""

    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_themes",
        verbose_name=_("merged into"),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class ThemeTag(models.Model):
    """A tag the theme gathers: every idea and cluster carrying it counts for the theme."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="tags")
    # Kept case-folded: "Cykelsti" and "cykelsti" are one tag.
    name = models.CharField(_("tag"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag of a theme")
        verbose_name_plural = _("tags of a theme")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.name = self.name.strip().casefold()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ThemeLink(models.Model):
    """An idea or cluster of a workshop, or a challenge's proposal, put into a theme by a person."""

    class Kind(models.TextChoices):
        IDEA = "idea", _("idea")
        CLUSTER = "cluster", _("cluster")
        PROPOSAL = "proposal", _("proposal")

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("id"))

    class Meta:
        verbose_name = _("item in a theme")
        verbose_name_plural = _("items in a theme")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="theme_link_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
