"""Background jobs of routing: suggestions for new items, and retraining."""

from __future__ import annotations

from django_tasks import task

from workshops.models import Workshop

from .services import routing_forwarded_catch_up, routing_model_train, routing_suggestions_refresh
from .sources import item_find


@task()
def routing_item_suggest(kind: str, object_id: int) -> int:
    """Work out and keep the suggestion for one new or changed item; how many were written."""
    item = item_find(kind, object_id)
    if item is None:
        # Gone or not public any more before the worker came to it.
        return 0
    return routing_suggestions_refresh(items=[item])


@task()
def routing_model_retrain() -> int | None:
    """Retrain from the confirmed routings; the version that serves, or None (keywords).

    Then every kept suggestion made by an older model, other keywords or another
    threshold is worked out again, and items that have none yet get theirs.
    """
    model = routing_model_train()
    routing_suggestions_refresh()
    return model.version if model else None


@task()
def routing_workshop_closed(workshop_id: int) -> int:
    """A closed workshop's items are public: their routings become "forwarded" statuses."""
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    return routing_forwarded_catch_up(workshop=workshop) if workshop else 0
