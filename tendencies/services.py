"""Writes: people make and curate themes (rename, merge, split, fill); nothing does it alone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.models import Proposal
from ideas.models import Cluster, Idea
from workshops.errors import ActionRefused
from workshops.sanitize import clean_text

from .models import Theme, ThemeLink, ThemeTag

TAG_MAX_LENGTH = 100


def _name(raw: str) -> str:
    name = clean_text(raw, multiline=False)
    if not name or len(name) > 120:
        raise ActionRefused("invalid", _("A theme needs a name of at most 120 characters."))
    return name


def _tags(raw: Iterable[str], *, theme: Theme | None = None) -> list[str]:
    """Tag names, case-folded and without repeats; refused if one is another theme's."""
    names = list(dict.fromkeys(clean_text(t, multiline=False).casefold() for t in raw))
    names = [name for name in names if name]
    if any(len(name) > TAG_MAX_LENGTH for name in names):
        raise ActionRefused(
            "invalid",
            ngettext(
                "A tag can be at most %(limit)d character.",
                "A tag can be at most %(limit)d characters.",
                TAG_MAX_LENGTH,
            )
            % {"limit": TAG_MAX_LENGTH},
        )
    taken = ThemeTag.objects.filter(name__in=names).select_related("theme")
    if theme is not None:
        taken = taken.exclude(theme=theme)
    for tag in taken:
        raise ActionRefused(
            "conflict",
            _("The tag “%(tag)s” belongs to the theme “%(theme)s”: merge or split instead.")
            % {"tag": tag.name, "theme": tag.theme.name},
        )
    return names


def tag_names(raw: str) -> list[str]:
    """The tags typed into one field, separated by commas or new lines."""
    return [part for part in raw.replace("\n", ",").split(",") if part.strip()]


@transaction.atomic
def theme_create(*, name: str, tags: Iterable[str] = ()) -> Theme:
    """A new theme gathering the given tags (each tag belongs to one theme)."""
    theme = Theme(name=_name(name))
    names = _tags(tags)
    theme.save()
    ThemeTag.objects.bulk_create([ThemeTag(theme=theme, name=tag) for tag in names])
    return theme


@transaction.atomic
def theme_tags_add(*, theme: Theme, tags: Iterable[str]) -> list[str]:
    """Add tags to a theme; the names of those that were new to it."""
    names = _tags(tags, theme=theme)
    if not names:
        raise ActionRefused("invalid", _("Write at least one tag."))
    known = set(theme.tags.values_list("name", flat=True))
    new = [name for name in names if name not in known]
    ThemeTag.objects.bulk_create([ThemeTag(theme=theme, name=tag) for tag in new])
    return new


def theme_rename(*, theme: Theme, name: str) -> Theme:
    theme.name = _name(name)
    theme.save(update_fields=["name"])
    return theme


def _existing(kind: str, object_ids: Iterable[int]) -> list[int]:
    """The ids that are items a theme holds: published ideas, clusters, public proposals."""
    ids = list(dict.fromkeys(object_ids))
    present: QuerySet[Any]
    if kind == ThemeLink.Kind.IDEA:
        present = Idea.objects.filter(pk__in=ids, status=Idea.Status.PUBLISHED)
    elif kind == ThemeLink.Kind.CLUSTER:
        present = Cluster.objects.filter(pk__in=ids)
    elif kind == ThemeLink.Kind.PROPOSAL:
        present = Proposal.objects.filter(pk__in=ids, status__in=Proposal.PUBLIC)
    else:
        raise ActionRefused("invalid", _("There is no such kind of item."))
    found = set(present.values_list("pk", flat=True))
    return [pk for pk in ids if pk in found]


@transaction.atomic
def theme_items_put(*, theme: Theme, kind: str, object_ids: Iterable[int]) -> int:
    """Put items into a theme, moving them from any other: an item is in one theme."""
    if theme.merged_into_id is not None:
        raise ActionRefused("invalid", _("That theme was merged into another one."))
    ids = _existing(kind, object_ids)
    if not ids:
        raise ActionRefused("not_found", _("None of those items exists any more."))
    for pk in ids:
        ThemeLink.objects.update_or_create(kind=kind, object_id=pk, defaults={"theme": theme})
    return len(ids)


@transaction.atomic
def theme_adopt(*, name: str, idea_ids: Iterable[int]) -> Theme:
    """Make a suggested theme a theme: it gathers the ideas the suggestion was made of."""
    ids = _existing(ThemeLink.Kind.IDEA, idea_ids)
    if not ids:
        raise ActionRefused("not_found", _("None of those ideas is published any more."))
    theme = Theme.objects.create(name=_name(name))
    theme_items_put(theme=theme, kind=ThemeLink.Kind.IDEA, object_ids=ids)
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
    new = Theme.objects.create(name=_name(name))
    ThemeTag.objects.filter(pk__in=[tag.pk for tag in tags]).update(theme=new)
    ThemeLink.objects.filter(pk__in=[link.pk for link in links]).update(theme=new)
    return new
