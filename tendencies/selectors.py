"""Reads: what each theme gathered, counted per month, and where a new theme may be.

Counting works on small tuples in Python rather than in SQL: the items come from
three apps (ideas and clusters by their tags, clusters and proposals put into a
theme) and their administration from routing or the challenge, so one pass over
(theme, day, source, administration) rows keeps every filter in one place. A year of
10,000 items takes a fraction of a second (bench/tendencies.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from administrations.models import Administration
from challenges.models import Proposal
from ideas.models import Cluster, Idea
from ideas.suggestions import SimilarityIndex, propose_clusters
from routing.models import Routing
from workshops.models import Workshop

from .models import Theme, ThemeLink, ThemeTag

SOURCES = ("workshops", "challenges")
# Rising or falling: the last three months against the three before, by at least this
# many items and this share, so one extra idea does not make a trend.
TREND_MONTHS = 3
TREND_MIN_CHANGE = 2
TREND_MIN_RATIO = 1.25
SUGGESTION_IDEAS = 1000
SUGGESTIONS_SHOWN = 5


@dataclass(frozen=True)
class Row:
    theme_id: int
    day: date
    source: str
    administration_id: int | None


def tendencies_may_read(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Facilitators, members of administrations and staff."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False):
        return True
    return (
        Workshop.objects.filter(owner__pk=user.pk).exists()
        or Workshop.objects.filter(facilitators__pk=user.pk).exists()
        or Administration.objects.filter(members__pk=user.pk).exists()
    )


def themes_current() -> list[Theme]:
    return list(Theme.objects.filter(merged_into__isnull=True))


def _routed(kind: str) -> dict[int, int]:
    return dict(Routing.objects.filter(kind=kind).values_list("object_id", "administration_id"))


def _tagged(model: type[Idea] | type[Cluster], theme_of_tag: dict[int, int]) -> dict[int, set[int]]:
    """Object id → the themes its tags belong to."""
    content_type = ContentType.objects.get_for_model(model)
    themes: dict[int, set[int]] = defaultdict(set)
    rows = TaggedItem.objects.filter(
        content_type=content_type, tag_id__in=list(theme_of_tag)
    ).values_list("object_id", "tag_id")
    for object_id, tag_id in rows:
        themes[object_id].add(theme_of_tag[tag_id])
    return themes


def tendency_rows() -> list[Row]:
    """One row per item and theme it counts for."""
    theme_of_name = dict(
        ThemeTag.objects.filter(theme__merged_into__isnull=True).values_list("name", "theme_id")
    )
    theme_of_tag = {
        tag_id: theme_of_name[name.casefold()]
        for tag_id, name in Tag.objects.values_list("id", "name")
        if name.casefold() in theme_of_name
    }
    links = ThemeLink.objects.filter(theme__merged_into__isnull=True)
    rows: list[Row] = []
    for model, kind, published in (
        (Idea, ThemeLink.Kind.IDEA, {"status": Idea.Status.PUBLISHED}),
        (Cluster, ThemeLink.Kind.CLUSTER, {}),
    ):
        # By its tags and by a person's choice alike; in a theme once, however it got there.
        themes = _tagged(model, theme_of_tag)
        for pk, theme_id in links.filter(kind=kind).values_list("object_id", "theme_id"):
            themes[pk].add(theme_id)
        routed = _routed(kind)
        for pk, created_at in model.objects.filter(pk__in=list(themes), **published).values_list(
            "pk", "created_at"
        ):
            day = timezone.localdate(created_at)
            rows += [Row(t, day, "workshops", routed.get(pk)) for t in themes[pk]]
    proposal_links = dict(
        links.filter(kind=ThemeLink.Kind.PROPOSAL).values_list("object_id", "theme_id")
    )
    routed = _routed("proposal")
    for pk, created_at, administration_id in Proposal.objects.filter(
        pk__in=list(proposal_links), status__in=Proposal.PUBLIC
    ).values_list("pk", "created_at", "challenge__administration_id"):
        rows.append(
            Row(
                proposal_links[pk],
                timezone.localdate(created_at),
                "challenges",
                routed.get(pk, administration_id),
            )
        )
    return rows


def _month(day: date) -> date:
    return day.replace(day=1)


def _months(start: date, end: date) -> list[date]:
    months, month = [], _month(start)
    while month <= end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


@dataclass
class ThemeCounts:
    theme: Theme
    counts: list[int]
    total: int = 0
    trend: str = "steady"
    bars: list[dict[str, Any]] = field(default_factory=list)


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    end = _month(today)
    start = date(end.year - 1, end.month, 1)
    return _months(start, end)[1], end


def tendencies_table(
    *,
    rows: list[Row],
    start: date,
    end: date,
    administration_id: int | None = None,
    source: str = "",
) -> dict[str, Any]:
    """Counts per theme per month in the period, with each theme's total and trend."""
    months = _months(start, end)
    index = {month: i for i, month in enumerate(months)}
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * len(months))
    for row in rows:
        if source and row.source != source:
            continue
        if administration_id is not None and row.administration_id != administration_id:
            continue
        at = index.get(_month(row.day))
        if at is not None:
            counts[row.theme_id][at] += 1
    themes = []
    for theme in themes_current():
        series = counts.get(theme.pk, [0] * len(months))
        entry = ThemeCounts(theme=theme, counts=series, total=sum(series))
        if len(series) >= 2 * TREND_MONTHS:
            recent = sum(series[-TREND_MONTHS:])
            before = sum(series[-2 * TREND_MONTHS : -TREND_MONTHS])
            if recent - before >= TREND_MIN_CHANGE and recent >= before * TREND_MIN_RATIO:
                entry.trend = "rising"
            elif before - recent >= TREND_MIN_CHANGE and before >= recent * TREND_MIN_RATIO:
                entry.trend = "falling"
        themes.append(entry)
    themes.sort(key=lambda entry: (-entry.total, entry.theme.name.casefold()))
    peak = max((max(entry.counts, default=0) for entry in themes), default=0) or 1
    for entry in themes:
        entry.bars = _bars(entry.counts, peak)
    return {"months": months, "themes": themes, "peak": peak}


# The chart's geometry, in SVG user units (the SVG scales to its box).
BAR_WIDTH = 16
BAR_GAP = 4
CHART_HEIGHT = 60


def _bars(counts: list[int], peak: int) -> list[dict[str, Any]]:
    bars = []
    for i, count in enumerate(counts):
        height = round(CHART_HEIGHT * count / peak) if count else 0
        bars.append(
            {
                "x": i * (BAR_WIDTH + BAR_GAP),
                "y": CHART_HEIGHT - height,
                "width": BAR_WIDTH,
                "height": height,
                "count": count,
            }
        )
    return bars


def chart_width(months: int) -> int:
    return max(months * (BAR_WIDTH + BAR_GAP) - BAR_GAP, BAR_WIDTH)


def theme_suggestions() -> list[dict[str, Any]]:
    """New themes the platform proposes from recent ideas no theme gathers yet."""
    gathered_tags = set(ThemeTag.objects.values_list("name", flat=True))
    linked = set(
        ThemeLink.objects.filter(kind=ThemeLink.Kind.IDEA).values_list("object_id", flat=True)
    )
    ideas = Idea.objects.filter(status=Idea.Status.PUBLISHED).order_by("-created_at")
    free: list[Idea] = []
    recent = ideas.prefetch_related("tags")[:SUGGESTION_IDEAS]  # type: ignore[misc]
    for idea in recent:
        if idea.pk not in linked and not any(
            tag.name.casefold() in gathered_tags for tag in idea.tags.all()
        ):
            free.append(idea)
    proposals = propose_clusters([idea.text for idea in free])[:SUGGESTIONS_SHOWN]
    return [
        {
            "name": proposal.name,
            "size": len(proposal.members),
            "examples": [free[i].text for i in proposal.members[:3]],
            "ideas": [free[i].pk for i in proposal.members],
        }
        for proposal in proposals
    ]


def theme_fitting(texts: list[str]) -> list[tuple[Theme, float] | None]:
    """For each text, the theme its words are closest to (by name and tags), if any is close."""
    themes = themes_current()
    documents = [
        " ".join([theme.name, *ThemeTag.objects.filter(theme=theme).values_list("name", flat=True)])
        for theme in themes
    ]
    index = SimilarityIndex.build(documents)
    answers: list[tuple[Theme, float] | None] = []
    for text in texts:
        found = index.similar(text, limit=1, threshold=0.1)
        answers.append((themes[found[0][0]], found[0][1]) if found else None)
    return answers


def items_without_theme(limit: int = 20) -> list[dict[str, Any]]:
    """Recent clusters and public proposals no theme gathers, each with the theme it fits best."""
    linked = set(ThemeLink.objects.values_list("kind", "object_id"))
    gathered = set(ThemeTag.objects.values_list("name", flat=True))
    found: list[tuple[str, int, str, Any]] = []
    recent = Cluster.objects.order_by("-created_at").prefetch_related("tags")  # type: ignore[misc]
    for cluster in recent[: limit * 5]:
        if (ThemeLink.Kind.CLUSTER, cluster.pk) in linked or any(
            t.name.casefold() in gathered for t in cluster.tags.all()
        ):
            continue
        found.append((ThemeLink.Kind.CLUSTER, cluster.pk, cluster.name, cluster.created_at))
        if len(found) == limit:
            break
    proposals = Proposal.objects.filter(status__in=Proposal.PUBLIC).order_by("-created_at")
    taken = 0
    for proposal in proposals[: limit * 5]:
        if (ThemeLink.Kind.PROPOSAL, proposal.pk) in linked:
            continue
        found.append(
            (
                ThemeLink.Kind.PROPOSAL,
                proposal.pk,
                f"{proposal.title}\n{proposal.text}",
                proposal.created_at,
            )
        )
        taken += 1
        if taken == limit:
            break
    found.sort(key=lambda entry: entry[3], reverse=True)
    found = found[:limit]
    fits = theme_fitting([text for _kind, _pk, text, _at in found])
    return [
        {"kind": kind, "object_id": pk, "title": text.split("\n")[0], "fit": fit}
        for (kind, pk, text, _at), fit in zip(found, fits, strict=True)
    ]


def clusters_without_theme(limit: int = 20) -> list[dict[str, Any]]:
    """Recent clusters no theme gathers, each with the theme it fits best."""
    return [row for row in items_without_theme(limit) if row["kind"] == ThemeLink.Kind.CLUSTER]


def themes_overview() -> list[dict[str, Any]]:
    """Every current theme with its tags and how many items people put into it."""
    themes = Theme.objects.filter(merged_into__isnull=True).prefetch_related("tags")
    counts: dict[int, int] = defaultdict(int)
    for theme_id in ThemeLink.objects.values_list("theme_id", flat=True):
        counts[theme_id] += 1
    return [
        {"theme": theme, "tags": [tag.name for tag in theme.tags.all()], "items": counts[theme.pk]}
        for theme in themes
    ]


def theme_link_titles(links: list[ThemeLink]) -> dict[int, str]:
    """What a person reads for each item put into a theme: its kind and its words."""
    ids: dict[str, list[int]] = defaultdict(list)
    for link in links:
        ids[link.kind].append(link.object_id)
    words: dict[tuple[str, int], str] = {}
    for pk, text in Idea.objects.filter(pk__in=ids[ThemeLink.Kind.IDEA]).values_list("pk", "text"):
        words[(ThemeLink.Kind.IDEA, pk)] = text
    for pk, name in Cluster.objects.filter(pk__in=ids[ThemeLink.Kind.CLUSTER]).values_list(
        "pk", "name"
    ):
        words[(ThemeLink.Kind.CLUSTER, pk)] = name
    for pk, title in Proposal.objects.filter(pk__in=ids[ThemeLink.Kind.PROPOSAL]).values_list(
        "pk", "title"
    ):
        words[(ThemeLink.Kind.PROPOSAL, pk)] = title
    return {
        link.pk: f"{ThemeLink.Kind(link.kind).label}: {words.get((link.kind, link.object_id), '…')}"
        for link in links
    }


def themes_as_services() -> list[tuple[int, str, str]]:
    """Every current theme as Open311 lists it: id, name, and its tags as the description."""
    themes = Theme.objects.filter(merged_into__isnull=True).prefetch_related("tags")
    return [
        (theme.pk, theme.name, ", ".join(tag.name for tag in theme.tags.all())) for theme in themes
    ]


def theme_members(theme_id: int) -> dict[str, list[int]]:
    """The items a theme gathers, by kind: put into it by a person, or carrying its tags.

    A merged theme's id stands for the theme that took it over, as it does everywhere.
    """
    theme = Theme.objects.filter(pk=theme_id).first()
    if theme is None:
        return {}
    current = theme.merged_into_id or theme.pk
    members: dict[str, set[int]] = defaultdict(set)
    for kind, object_id in ThemeLink.objects.filter(theme_id=current).values_list(
        "kind", "object_id"
    ):
        members[kind].add(object_id)
    names = set(ThemeTag.objects.filter(theme_id=current).values_list("name", flat=True))
    tag_ids = [pk for pk, name in Tag.objects.values_list("id", "name") if name.casefold() in names]
    for model, kind in ((Idea, ThemeLink.Kind.IDEA), (Cluster, ThemeLink.Kind.CLUSTER)):
        members[kind].update(
            TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(model), tag_id__in=tag_ids
            ).values_list("object_id", flat=True)
        )
    return {str(kind): sorted(ids) for kind, ids in members.items()}
