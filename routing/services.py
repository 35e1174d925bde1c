"""Writes: a person routes an item; the model is retrained from what people decided."""

from __future__ import annotations

import hashlib
import pickle

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from administrations.models import Administration
from challenges.models import Challenge
from statuses.services import item_forwarded_record
from workshops.errors import ActionRefused
from workshops.models import Workshop

from . import learning
from .models import Method, Routing, RoutingModel, StoredSuggestion
from .selectors import (
    Advice,
    min_confidence,
    routing_advice,
    routing_advice_stored,
    routing_advice_with_basis,
    routing_history,
    routing_may_decide_for_challenge,
    routing_may_decide_for_workshop,
    routing_may_read_administration,
    routing_model_current,
    text_digest,
)
from .sources import Item, item_find, item_object, items_every

# Suggestions are worked out this many items at a time: one prediction call each.
SUGGEST_BATCH = 1000


def routing_decide(
    *, user: AbstractBaseUser, kind: str, object_id: int, administration_id: int
) -> Routing:
    """Send one item to an administration: the person's choice, kept as training data.

    Facilitators of the item's workshop, or those who manage its challenge, decide; a
    member of the administration an item was sent to may pass it on to another.
    """
    item = item_find(kind, object_id)
    if item is None:
        raise ActionRefused("not_found", _("That item no longer exists."))
    administration = Administration.objects.filter(pk=administration_id, active=True).first()
    if administration is None:
        raise ActionRefused("invalid", _("Pick one of the administrations in the list."))
    workshop = Workshop.objects.filter(pk=item.workshop_id).first() if item.workshop_id else None
    challenge = (
        Challenge.objects.filter(pk=item.challenge_id).first() if item.challenge_id else None
    )
    current = Routing.objects.filter(kind=kind, object_id=object_id).first()
    allowed = (
        (workshop is not None and routing_may_decide_for_workshop(user=user, workshop=workshop))
        or (
            challenge is not None
            and routing_may_decide_for_challenge(user=user, challenge=challenge)
        )
    ) or (
        current is not None
        and routing_may_read_administration(user=user, administration=current.administration)
    )
    if not allowed:
        raise ActionRefused("forbidden", _("You may not route this item."))
    # Read here rather than taken from the form, so what is recorded as "suggested"
    # is what the platform really said: the kept suggestion the page showed, or, while
    # the worker has not read the item yet, what it would say now.
    advice: Advice = routing_advice_stored([item])[0]
    if advice.pending:
        advice = routing_advice([item.text])[0]
    method = Method.NONE if advice.abstained else advice.method
    with transaction.atomic():
        routing, _created = Routing.objects.update_or_create(
            kind=kind,
            object_id=object_id,
            defaults={
                "workshop": workshop,
                "challenge": challenge,
                "text": item.text,
                "administration": administration,
                "suggested": advice.as_json(),
                "method": method,
                "model_version": advice.model_version,
                "agreed": advice.first is not None and advice.first.pk == administration.pk,
                "decided_by": user,
                "decided_at": timezone.now(),
            },
        )
        # The item's public status says where it went, in the same transaction. An
        # item of a workshop still running is not public yet: it is recorded when the
        # workshop closes (routing_forwarded_catch_up).
        _forwarded_record(routing, user=user)
    return routing


def _forwarded_record(routing: Routing, *, user: AbstractBaseUser | None) -> bool:
    item = item_object(routing.kind, routing.object_id)
    if item is None:
        return False
    return (
        item_forwarded_record(item=item, administration=routing.administration, user=user)
        is not None
    )


def routing_forwarded_catch_up(*, workshop: Workshop) -> int:
    """Record "forwarded" for the workshop's routed items now public; how many were recorded.

    Idempotent: an item already with its administration, or past forwarding, is left.
    """
    recorded = 0
    routings = Routing.objects.filter(workshop=workshop).select_related(
        "administration", "decided_by"
    )
    for routing in routings.order_by("decided_at", "pk"):
        with transaction.atomic():
            recorded += _forwarded_record(routing, user=routing.decided_by)
    return recorded


def _fingerprint(texts: list[str], labels: list[str]) -> str:
    digest = hashlib.sha256()
    for label, text in sorted(zip(labels, texts, strict=True)):
        digest.update(label.encode())
        digest.update(b"\0")
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def routing_model_train() -> RoutingModel | None:
    """Train and store a new version from the confirmed routings; idempotent.

    Returns None while fewer than two administrations have enough confirmed routings
    (the keywords serve until then), and the current model when the history has not
    changed since it was trained.
    """
    texts, labels = routing_history()
    keep = learning.trainable(labels)
    if len(keep) < 2:
        return None
    pairs = [(t, label) for t, label in zip(texts, labels, strict=True) if label in keep]
    texts = [t for t, _ in pairs]
    labels = [label for _, label in pairs]
    fingerprint = _fingerprint(texts, labels)
    current = routing_model_current()
    if current is not None and current.fingerprint == fingerprint:
        return current
    figures = learning.evaluate(texts, labels, threshold=min_confidence())
    pipeline = learning.train(texts, labels)
    by_id = Administration.objects.in_bulk([int(label) for label in keep])
    classes = [
        {"id": int(label), "name": by_id[int(label)].name, "slug": by_id[int(label)].slug}
        for label in pipeline.classes_
    ]
    data = figures.as_dict()
    for row in data["per_label"]:
        row["name"] = by_id[int(row["label"])].name
    try:
        with transaction.atomic():
            version = (RoutingModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1
            return RoutingModel.objects.create(
                version=version,
                examples=len(texts),
                fingerprint=fingerprint,
                administrations=classes,
                figures=data,
                pipeline=pickle.dumps(pipeline),
            )
    except IntegrityError:
        # Another worker stored the same version a moment ago.
        return routing_model_current()


def routing_suggestions_refresh(*, items: list[Item] | None = None) -> int:
    """Work out and keep the suggestion of every item whose kept one is missing or stale.

    Stale: made by an older model (or other keywords), at another threshold, or from
    words the item no longer has. Without `items`, every routable item is looked at and
    the suggestions of items that are gone are dropped. Returns how many were written.
    Idempotent: a second run finds nothing stale.
    """
    everything = items is None
    items = items_every() if items is None else items
    threshold = min_confidence()
    stored = StoredSuggestion.objects.all()
    if not everything:
        # A few new items: read only what is kept for them, not the whole table.
        wanted = Q()
        for item in items:
            wanted |= Q(kind=item.kind, object_id=item.object_id)
        stored = stored.filter(wanted) if items else stored.none()
    rows = list(stored.values_list("pk", "kind", "object_id", "basis", "threshold", "text_digest"))
    kept = {(row[1], row[2]): row[3:] for row in rows}
    if everything:
        present = {item.key for item in items}
        gone = [pk for pk, kind, object_id, *_rest in rows if (kind, object_id) not in present]
        StoredSuggestion.objects.filter(pk__in=gone).delete()
    _, current = routing_advice_with_basis([])
    stale = [
        item for item in items if kept.get(item.key) != (current, threshold, text_digest(item.text))
    ]
    for start in range(0, len(stale), SUGGEST_BATCH):
        batch = stale[start : start + SUGGEST_BATCH]
        advice, basis = routing_advice_with_basis([item.text for item in batch])
        now = timezone.now()
        StoredSuggestion.objects.bulk_create(
            [
                StoredSuggestion(
                    kind=item.kind,
                    object_id=item.object_id,
                    suggested=answer.as_json(),
                    method=answer.method,
                    model_version=answer.model_version,
                    basis=basis,
                    threshold=threshold,
                    text_digest=text_digest(item.text),
                    computed_at=now,
                )
                for item, answer in zip(batch, advice, strict=True)
            ],
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=[
                "suggested",
                "method",
                "model_version",
                "basis",
                "threshold",
                "text_digest",
                "computed_at",
            ],
        )
    return len(stale)
