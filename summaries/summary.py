"""The one summary model every format is drawn from, so all formats say the same.

Built with a handful of aggregate queries whatever the size of the workshop: nothing
here reads per idea or per vote in a loop of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Sum
from django.utils import timezone, translation
from taggit.models import TaggedItem

from ideas.models import Cluster, Idea
from moderation.selectors import moderation_settings_for
from voting.models import Ballot, Vote
from workshops.models import Participant, Workshop
from workshops.phases import RUNNABLE_PHASES, Phase

from .method import method_notes
from .models import PropositionField
from .selectors import Figure, propositions_of, support_figures

# The citizens' own words shown under each proposition; all of them are in the raw data.
QUOTES_PER_PROPOSITION = 5
# Ideas a reader sees in the document's words: the published ones and duplicates merged in.
_WORDS_SHOWN = (Idea.Status.PUBLISHED, Idea.Status.MERGED)


@dataclass(frozen=True)
class Quote:
    text: str
    # The display name only where the author agreed to be named; otherwise empty.
    author: str


@dataclass(frozen=True)
class PropositionPart:
    name: str
    label: str
    text: str


@dataclass
class RankedProposition:
    rank: int
    id: int
    title: str
    target_type: str
    target_id: int
    votes: int
    supporters: int
    parts: list[PropositionPart]
    quotes: list[Quote]
    tags: list[str]


@dataclass(frozen=True)
class ItemSupport:
    """A cluster or idea with its support, for the lists and the chart."""

    kind: str
    id: int
    label: str
    votes: int
    supporters: int
    ideas: int
    tags: list[str]


@dataclass
class Summary:
    taken_at: datetime
    phase: str
    phase_label: str
    final: bool
    title: str
    question: str
    context: str
    language: str
    phases_run: list[tuple[str, str]]
    voting: dict[str, Any]
    moderation: dict[str, str]
    participation: dict[str, int]
    propositions: list[RankedProposition]
    clusters_not_carried: list[ItemSupport]
    ideas_not_carried: list[ItemSupport]
    # The raw data (CSV and JSON); filled only when asked for.
    raw: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Lines other apps add to the method section (summaries.method), as label and text.
    method_notes: list[dict[str, str]] = field(default_factory=list)


def _tags_by_object(model: type[Idea] | type[Cluster], workshop: Workshop) -> dict[int, list[str]]:
    content_type = ContentType.objects.get_for_model(model)
    owned = model.objects.filter(workshop=workshop).values("pk")
    rows = TaggedItem.objects.filter(content_type=content_type, object_id__in=owned).values_list(
        "object_id", "tag__name"
    )
    tags: dict[int, list[str]] = defaultdict(list)
    for object_id, name in rows:
        tags[object_id].append(name)
    return {key: sorted(names, key=str.casefold) for key, names in tags.items()}


def _phases_run(phase: str) -> list[tuple[str, str]]:
    """The phases up to the one the room is in, in running order (the lobby left out)."""
    order = list(RUNNABLE_PHASES)
    current = Phase(phase)
    reached = order[: order.index(current) + 1] if current in order else [current]
    return [(p.value, str(p.label)) for p in reached if p is not Phase.LOBBY]


def _voting(ballot: Ballot) -> dict[str, Any]:
    return {
        "method": ballot.method,
        "method_label": str(Ballot.Method(ballot.method).label),
        "target": ballot.target,
        "target_label": str(Ballot.Target(ballot.target).label),
        "dots_per_participant": ballot.dots_per_participant,
        "max_dots_per_item": ballot.max_dots_per_item,
        "rank_count": ballot.rank_count,
    }


def summary_build(
    *, workshop: Workshop, with_raw: bool = False, language: str | None = None
) -> Summary:
    """The summary of the workshop as it stands now, in the workshop's language or this one."""
    language = language or workshop.language
    with translation.override(language):
        return _build(workshop, with_raw, language)


def _build(workshop: Workshop, with_raw: bool, language: str) -> Summary:
    taken_at = timezone.now()
    support = support_figures(workshop=workshop)
    ballot = support.ballot
    settings = moderation_settings_for(workshop=workshop)

    # Participants: who agreed to be named, and a number per person for the raw data.
    participant_ids = list(
        Participant.objects.filter(workshop=workshop).order_by("pk").values_list("pk", flat=True)
    )
    number_of = {pk: index for index, pk in enumerate(participant_ids, start=1)}
    named = dict(
        Participant.objects.filter(workshop=workshop, name_consent__isnull=False).values_list(
            "pk", "display_name"
        )
    )

    by_status = dict(
        Idea.objects.filter(workshop=workshop)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    vote_figures = (
        Vote.objects.filter(ballot=ballot).aggregate(
            weight=Sum("weight"), voters=Count("participant", distinct=True)
        )
        if ballot.pk is not None
        else {"weight": 0, "voters": 0}
    )
    participation = {
        "participants": len(participant_ids),
        "ideas": sum(n for status, n in by_status.items() if status != Idea.Status.WITHDRAWN),
        "votes": vote_figures["weight"] or 0,
        "distinct_voters": vote_figures["voters"] or 0,
        "held": by_status.get(Idea.Status.HELD, 0),
        "hidden": by_status.get(Idea.Status.HIDDEN, 0),
    }

    idea_tags = _tags_by_object(Idea, workshop)
    cluster_tags = _tags_by_object(Cluster, workshop)
    ideas = list(
        Idea.objects.filter(workshop=workshop)
        .order_by("created_at", "pk")
        .values_list(
            "pk", "text", "status", "cluster_id", "merged_into_id", "author_id", "created_at"
        )
    )
    published = [row for row in ideas if row[2] == Idea.Status.PUBLISHED]
    published_by_pk = {row[0]: row for row in published}
    merged_into: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    in_cluster: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in ideas:
        if row[2] == Idea.Status.MERGED and row[4] is not None:
            merged_into[row[4]].append(row)
    for row in published:
        if row[3] is not None:
            in_cluster[row[3]].append(row)

    def idea_figure(pk: int) -> Figure:
        return support.of("idea", pk)

    def quotes_for(rows: list[tuple[Any, ...]]) -> list[Quote]:
        # The best-supported words first; each idea brings the duplicates merged into it.
        ordered = sorted(rows, key=lambda row: (-idea_figure(row[0]).votes, row[0]))
        words: list[Quote] = []
        for row in ordered:
            for source in [row, *merged_into.get(row[0], [])]:
                words.append(Quote(text=source[1], author=named.get(source[5], "")))
                if len(words) == QUOTES_PER_PROPOSITION:
                    return words
        return words

    propositions_raw = list(propositions_of(workshop=workshop))
    carried_clusters = {p.cluster_id for p in propositions_raw if p.cluster_id is not None}
    carried_ideas = {p.idea_id for p in propositions_raw if p.idea_id is not None}
    ranked_source = []
    for proposition in propositions_raw:
        kind = "cluster" if proposition.cluster_id is not None else "idea"
        target_id = proposition.cluster_id or proposition.idea_id or 0
        figure = support.of(kind, target_id)
        texts = {part.name: part.text for part in proposition.fields.all()}
        if kind == "cluster":
            quotes = quotes_for(in_cluster.get(target_id, []))
            tags = cluster_tags.get(target_id, [])
        else:
            own = published_by_pk.get(target_id)
            quotes = quotes_for([own]) if own is not None else []
            tags = idea_tags.get(target_id, [])
        ranked_source.append((figure, proposition, kind, target_id, texts, quotes, tags))
    ranked_source.sort(key=lambda item: (-item[0].votes, -item[0].supporters, item[1].position))
    propositions = [
        RankedProposition(
            rank=index,
            id=proposition.pk,
            title=proposition.title,
            target_type=kind,
            target_id=target_id,
            votes=figure.votes,
            supporters=figure.supporters,
            parts=[
                PropositionPart(name=name, label=str(label), text=texts.get(name, ""))
                for name, label in PropositionField.Name.choices
            ],
            quotes=quotes,
            tags=tags,
        )
        for index, (figure, proposition, kind, target_id, texts, quotes, tags) in enumerate(
            ranked_source, start=1
        )
    ]

    clusters = list(Cluster.objects.filter(workshop=workshop).order_by("position", "pk"))
    cluster_items = [
        ItemSupport(
            kind="cluster",
            id=cluster.pk,
            label=cluster.name,
            votes=support.of("cluster", cluster.pk).votes,
            supporters=support.of("cluster", cluster.pk).supporters,
            ideas=len(in_cluster.get(cluster.pk, [])),
            tags=cluster_tags.get(cluster.pk, []),
        )
        for cluster in clusters
    ]

    def by_support(item: ItemSupport) -> tuple[int, int, int]:
        return (-item.votes, -item.supporters, item.id)

    clusters_not_carried = sorted(
        (item for item in cluster_items if item.id not in carried_clusters), key=by_support
    )
    ideas_not_carried = sorted(
        (
            ItemSupport(
                kind="idea",
                id=row[0],
                label=row[1],
                votes=idea_figure(row[0]).votes,
                supporters=idea_figure(row[0]).supporters,
                ideas=1 + len(merged_into.get(row[0], [])),
                tags=idea_tags.get(row[0], []),
            )
            for row in published
            if row[3] is None and row[0] not in carried_ideas
        ),
        key=by_support,
    )

    summary = Summary(
        taken_at=taken_at,
        phase=workshop.phase,
        phase_label=str(Phase(workshop.phase).label),
        final=workshop.phase == Phase.CLOSED,
        title=workshop.title,
        question=workshop.question,
        context=workshop.context,
        language=language,
        phases_run=_phases_run(workshop.phase),
        voting=_voting(ballot),
        moderation={
            "mode": settings.mode,
            "label": str(settings.get_mode_display()),
        },
        participation=participation,
        propositions=propositions,
        clusters_not_carried=clusters_not_carried,
        ideas_not_carried=ideas_not_carried,
        method_notes=method_notes(workshop),
    )
    if with_raw:
        carried_cluster_ids = carried_clusters
        summary.raw = {
            "clusters": [
                {
                    "id": item.id,
                    "name": item.label,
                    "position": cluster.position,
                    "ideas": item.ideas,
                    "votes": item.votes,
                    "supporters": item.supporters,
                    "tags": item.tags,
                    "carried_forward": item.id in carried_cluster_ids,
                }
                for item, cluster in zip(cluster_items, clusters, strict=True)
            ],
            "ideas": [
                {
                    "id": pk,
                    # What moderation held or hid, and what its author withdrew, stays out.
                    "text": text if status in _WORDS_SHOWN else "",
                    "status": status,
                    "cluster_id": cluster_id,
                    "merged_into": merged_into_id,
                    "participant": number_of.get(author_id),
                    "author": named.get(author_id, ""),
                    "votes": idea_figure(pk).votes,
                    "supporters": idea_figure(pk).supporters,
                    "tags": idea_tags.get(pk, []),
                    "created_at": created_at.isoformat(),
                }
                for pk, text, status, cluster_id, merged_into_id, author_id, created_at in ideas
            ],
            "votes": _raw_votes(ballot, number_of),
        }
    return summary


def _raw_votes(ballot: Ballot, number_of: dict[int, int]) -> list[dict[str, Any]]:
    if ballot.pk is None:
        return []
    rows = (
        Vote.objects.filter(ballot=ballot)
        .order_by("participant_id", "pk")
        .values_list("participant_id", "idea_id", "cluster_id", "weight", "rank")
    )
    return [
        {
            "participant": number_of.get(participant_id),
            "target_type": "idea" if idea_id is not None else "cluster",
            "target_id": idea_id if idea_id is not None else cluster_id,
            "weight": weight,
            "rank": rank,
        }
        for participant_id, idea_id, cluster_id, weight, rank in rows
    ]


__all__ = ["QUOTES_PER_PROPOSITION", "Summary", "summary_build"]
