"""Reads about administrations."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from .models import Administration


def administrations_active() -> QuerySet[Administration]:
    return Administration.objects.filter(active=True)


def administrations_of_member(
    *, user: AbstractBaseUser | AnonymousUser
) -> QuerySet[Administration]:
    """The administrations a signed-in user answers for (none for anyone else)."""
    if not user.is_authenticated or user.pk is None:
        return Administration.objects.none()
    return Administration.objects.filter(active=True, members__pk=user.pk)


def administration_is_member(
    *, administration: Administration, user: AbstractBaseUser | AnonymousUser
) -> bool:
    if not user.is_authenticated or user.pk is None:
        return False
    return administration.members.filter(pk=user.pk).exists()
