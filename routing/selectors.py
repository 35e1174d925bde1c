"""Reads: what the platform suggests for an item, who may decide, and what was decided."""

from __future__ import annotations

import hashlib
import pickle
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from administrations.models import Administration
from administrations.selectors import administrations_active
from challenges.models import Challenge
from challenges.selectors import challenge_may_manage
from workshops.models import Workshop

from . import learning
from .models import Method, Routing, RoutingModel, StoredSuggestion
from .sources import Item, items_of_challenge, items_of_workshop


def min_confidence() -> float:
    """Below this confidence the platform suggests nothing and a person decides."""
    return float(settings.SAMSKAB_ROUTING_MIN_CONFIDENCE)


@dataclass(frozen=True)
class Suggestion:
    administration: Administration
    confidence: float

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


@dataclass(frozen=True)
class Advice:
    method: str
    # Empty when nothing reached the threshold: the platform abstains.
    suggestions: tuple[Suggestion, ...]
    model_version: int | None
    # No suggestion is kept for the item yet: the worker has not read it.
    pending: bool = False
    # Kept from an earlier model (or earlier keywords): the worker reads it again.
    outdated: bool = False

    @property
    def abstained(self) -> bool:
        return not self.pending and not self.suggestions

    @property
    def first(self) -> Administration | None:
        return self.suggestions[0].administration if self.suggestions else None

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {"administration": s.administration.pk, "confidence": round(s.confidence, 4)}
            for s in self.suggestions
        ]


# Fitted pipelines by version: unpickling costs more than a prediction, and a
# version never changes once stored.
_pipelines: dict[int, Any] = {}


def routing_model_current() -> RoutingModel | None:
    return RoutingModel.objects.defer("pipeline").first()


def _pipeline(model: RoutingModel) -> Any:
    if model.version not in _pipelines:
        blob = RoutingModel.objects.values_list("pipeline", flat=True).get(pk=model.pk)
        # Our own artifact: written by routing.services from the platform's data only.
        _pipelines[model.version] = pickle.loads(bytes(blob))  # noqa: S301
    return _pipelines[model.version]


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _basis(model: RoutingModel | None, active: list[Administration]) -> str:
    if model is not None:
        return f"model:{model.version}"
    digest = hashlib.sha256()
    for administration in sorted(active, key=lambda a: a.pk):
        digest.update(f"{administration.pk}\0{administration.keywords}\0".encode())
    return f"keywords:{digest.hexdigest()[:32]}"


def routing_basis() -> str:
    """What suggestions are worked out from now: the serving model, or the keywords."""
    return _basis(routing_model_current(), list(administrations_active()))


def routing_advice(texts: Sequence[str]) -> list[Advice]:
    """For each text, up to three administrations with their confidence, or none."""
    return routing_advice_with_basis(texts)[0]


def routing_advice_with_basis(texts: Sequence[str]) -> tuple[list[Advice], str]:
    """`routing_advice`, and the basis it was worked out from (see `routing_basis`)."""
    threshold = min_confidence()
    administrations = list(administrations_active())
    active = {str(a.pk): a for a in administrations}
    model = routing_model_current()
    basis = _basis(model, administrations)
    if model is not None:
        ranked = learning.ranked(_pipeline(model), texts)
        method, version = Method.MODEL, model.version
    else:
        keywords = {key: a.keyword_list() for key, a in active.items()}
        ranked = [learning.keyword_ranked(text, keywords) for text in texts]
        method, version = Method.KEYWORDS, None
    advice = []
    for labels in ranked:
        offered = [(active[label], p) for label, p in labels if label in active]
        if not offered or offered[0][1] < threshold:
            advice.append(Advice(method=method, suggestions=(), model_version=version))
            continue
        advice.append(
            Advice(
                method=method,
                suggestions=tuple(Suggestion(a, p) for a, p in offered),
                model_version=version,
            )
        )
    return advice, basis


def routing_advice_stored(items: Sequence[Item]) -> list[Advice]:
    """For each item, the suggestion the worker kept for it, as the people deciding see it.

    Administrations made inactive since are left out; what is left below the site's
    threshold counts as an abstention.
    """
    keys: dict[str, list[int]] = defaultdict(list)
    for item in items:
        keys[item.kind].append(item.object_id)
    stored: dict[tuple[str, int], StoredSuggestion] = {}
    for kind, ids in keys.items():
        for found in StoredSuggestion.objects.filter(kind=kind, object_id__in=ids):
            stored[(found.kind, found.object_id)] = found
    threshold = min_confidence()
    active = {a.pk: a for a in administrations_active()}
    basis = routing_basis()
    advice = []
    for item in items:
        row = stored.get(item.key)
        if row is None:
            advice.append(
                Advice(method=Method.NONE, suggestions=(), model_version=None, pending=True)
            )
            continue
        offered = [
            Suggestion(active[entry["administration"]], float(entry["confidence"]))
            for entry in row.suggested
            if entry.get("administration") in active
        ]
        if offered and offered[0].confidence < threshold:
            offered = []
        advice.append(
            Advice(
                method=row.method,
                suggestions=tuple(offered),
                model_version=row.model_version,
                outdated=row.basis != basis,
            )
        )
    return advice


def routing_may_decide_for_workshop(
    *, user: AbstractBaseUser | AnonymousUser, workshop: Workshop
) -> bool:
    if not user.is_authenticated:
        return False
    return bool(getattr(user, "is_staff", False)) or workshop.is_facilitator(user)


def routing_may_decide_for_challenge(
    *, user: AbstractBaseUser | AnonymousUser, challenge: Challenge
) -> bool:
    """Those who manage a challenge route its proposals."""
    return challenge_may_manage(challenge=challenge, user=user)


def routing_may_read_administration(
    *, user: AbstractBaseUser | AnonymousUser, administration: Administration
) -> bool:
    if not user.is_authenticated:
        return False
    return (
        bool(getattr(user, "is_staff", False)) or administration.members.filter(pk=user.pk).exists()
    )


@dataclass(frozen=True)
class Row:
    item: Item
    advice: Advice
    routing: Routing | None


def routing_rows_of_workshop(*, workshop: Workshop) -> list[Row]:
    """Every routable item of the workshop, what the platform suggests, and any decision."""
    return _rows(items_of_workshop(workshop), Routing.objects.filter(workshop=workshop))


def routing_rows_of_challenge(*, challenge: Challenge) -> list[Row]:
    """Every public proposal of the challenge, what the platform suggests, and any decision."""
    return _rows(items_of_challenge(challenge), Routing.objects.filter(challenge=challenge))


def _rows(items: list[Item], routings: QuerySet[Routing]) -> list[Row]:
    decided = {
        (r.kind, r.object_id): r for r in routings.select_related("administration", "decided_by")
    }
    advice = routing_advice_stored(items)
    return [
        Row(item=item, advice=a, routing=decided.get(item.key))
        for item, a in zip(items, advice, strict=True)
    ]


def routings_of_administration(*, administration: Administration) -> QuerySet[Routing]:
    return Routing.objects.filter(administration=administration).select_related(
        "workshop", "challenge", "decided_by"
    )


def routing_history() -> tuple[list[str], list[str]]:
    """Confirmed routings to active administrations, as texts and administration ids."""
    rows = Routing.objects.filter(administration__active=True).order_by("pk")
    pairs = list(rows.values_list("text", "administration_id"))
    return [text for text, _ in pairs], [str(label) for _, label in pairs]


def routing_register() -> dict[str, Any]:
    """What the public algorithm register says, read from the live model and history."""
    model = routing_model_current()
    administrations = list(administrations_active())
    names = {str(a.pk): a.name for a in administrations}
    figures: dict[str, Any] | None = None
    if model is not None:
        figures = dict(model.figures)
        figures["per_label"] = [
            {**row, "name": names.get(row["label"], row.get("name", row["label"]))}
            for row in model.figures.get("per_label", [])
        ]
    decided = Routing.objects.count()
    agreed = Routing.objects.filter(agreed=True).count()
    return {
        "model": model,
        "figures": figures,
        "threshold": min_confidence(),
        "min_examples": learning.MIN_EXAMPLES_PER_ADMINISTRATION,
        "administrations": administrations,
        "decided": decided,
        "agreed": agreed,
    }
