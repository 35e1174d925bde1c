"""Logs that are only ever added to: the audit logs of moderation, challenges and statuses.

A line, once written, is evidence: neither the model nor its queryset lets anyone
change or delete it. Erasing a person's data never needs to touch these logs,
because they hold no names and no addresses.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models


class AppendOnlyError(Exception):
    """An attempt to change or delete a line of an append-only log."""


_Line = TypeVar("_Line", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_Line]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"the {self.model._meta.verbose_name_plural} cannot be changed")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError(f"the {self.model._meta.verbose_name_plural} cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"the {self.model._meta.verbose_name_plural} cannot be deleted from")


class AppendOnlyModel(models.Model):
    """A line of an append-only log; give the subclass `AppendOnlyQuerySet.as_manager()`."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"the {self._meta.verbose_name_plural} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"the {self._meta.verbose_name_plural} cannot be deleted from")
