"""Every new idea, cluster, value proposition and public proposal gets its suggestion,
and a closed workshop's routed items get their "forwarded" status.

The apps that make them know nothing of routing: routing listens to their saves and
hands the work to the worker once the write has committed, so a room never waits for
a prediction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from administrations.models import Administration
from challenges.models import Proposal
from ideas.models import Cluster, Idea
from summaries.models import ValueProposition
from workshops.models import Workshop
from workshops.phases import Phase

from .models import Kind


def _suggest(kind: str, object_id: int) -> None:
    from .tasks import routing_item_suggest

    transaction.on_commit(lambda: routing_item_suggest.enqueue(kind=kind, object_id=object_id))


def _touches(update_fields: Any, fields: set[str]) -> bool:
    return update_fields is None or bool(fields & set(update_fields))


def _idea_saved(sender: Any, instance: Idea, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.status == Idea.Status.PUBLISHED and _touches(update_fields, {"text", "status"}):
        _suggest(Kind.IDEA, instance.pk)


def _cluster_saved(
    sender: Any, instance: Cluster, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if created or _touches(update_fields, {"name"}):
        _suggest(Kind.CLUSTER, instance.pk)


def _proposition_saved(
    sender: Any, instance: ValueProposition, created: bool, **kwargs: Any
) -> None:
    # Its fields are written live afterwards; the hourly refresh reads them once they
    # have changed the words (see routing_suggestions_refresh).
    if created:
        _suggest(Kind.VALUE_PROPOSITION, instance.pk)


def _proposal_saved(
    sender: Any, instance: Proposal, update_fields: Any = None, **kwargs: Any
) -> None:
    if instance.status in Proposal.PUBLIC and _touches(update_fields, {"status", "title", "text"}):
        _suggest(Kind.PROPOSAL, instance.pk)


def _administration_saved(sender: Any, instance: Administration, **kwargs: Any) -> None:
    # New keywords, or an administration (in)active: the training set and every kept
    # suggestion may change.
    from .tasks import routing_model_retrain

    transaction.on_commit(lambda: routing_model_retrain.enqueue())


def _workshop_saved(
    sender: Any, instance: Workshop, update_fields: Any = None, **kwargs: Any
) -> None:
    # Routed while the room ran, its items were not public; now their statuses can say
    # where they went.
    if instance.phase == Phase.CLOSED and _touches(update_fields, {"phase"}):
        from .tasks import routing_workshop_closed

        workshop_id = instance.pk
        transaction.on_commit(lambda: routing_workshop_closed.enqueue(workshop_id=workshop_id))


def connect() -> None:
    post_save.connect(_workshop_saved, sender=Workshop, dispatch_uid="routing.workshop_saved")
    post_save.connect(_idea_saved, sender=Idea, dispatch_uid="routing.idea_saved")
    post_save.connect(_cluster_saved, sender=Cluster, dispatch_uid="routing.cluster_saved")
    post_save.connect(
        _proposition_saved, sender=ValueProposition, dispatch_uid="routing.proposition_saved"
    )
    post_save.connect(_proposal_saved, sender=Proposal, dispatch_uid="routing.proposal_saved")
    post_save.connect(
        _administration_saved, sender=Administration, dispatch_uid="routing.administration_saved"
    )
