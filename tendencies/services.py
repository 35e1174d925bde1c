"""Writes: people curate themes (rename, merge, split); nothing changes a theme by itself."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from workshops.errors import ActionRefused

from .models import Theme, ThemeLink, ThemeTag


def theme_rename(*, theme: Theme, name: str) -> Theme:
    name = name.strip()
    if not name or len(name) > 120:
        raise ActionRefused("invalid", _("A theme needs a name of at most 120 characters."))
    theme.name = name
    theme.save(update_fields=["name"])
    return theme


@transaction.atomic
def theme_merge(*, source: Theme, target: Theme) -> Theme:
    """Move everything of `source` into `target`; `source` keeps its id and points there."""
    if source.pk == target.pk or target.merged_into_id is not None:
        raise ActionRefused("invalid", _("Merge a theme into another current theme."))
    ThemeTag.objects.filter(theme=source).update(theme=target)
    ThemeLink.objects.filter(theme=source).update(theme=target)
    Theme.objects.filter(merged_into=source).update(merged_into=target)
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    return target


@transaction.atomic
def theme_split(
    *, theme: Theme, name: str, tags: Iterable[ThemeTag], links: Iterable[ThemeLink]
) -> Theme:
    """A new theme taking the chosen tags and items of `theme`."""
    tags, links = list(tags), list(links)
    if not tags and not links:
        raise ActionRefused("invalid", _("Choose the tags or items the new theme takes."))
    if any(tag.theme_id != theme.pk for tag in tags) or any(
        link.theme_id != theme.pk for link in links
    ):
        raise ActionRefused("invalid", _("Only a theme's own tags and items can be split off."))
    new = Theme(name=name.strip())
    if not new.name or len(new.name) > 120:
        raise ActionRefused("invalid", _("A theme needs a name of at most 120 characters."))
    new.save()
    ThemeTag.objects.filter(pk__in=[tag.pk for tag in tags]).update(theme=new)
    ThemeLink.objects.filter(pk__in=[link.pk for link in links]).update(theme=new)
    return new
