"""Background jobs of routing."""

from __future__ import annotations

from django_tasks import task

from .services import routing_model_train


@task()
def routing_model_retrain() -> int | None:
    """Retrain from the confirmed routings; the version that serves, or None (keywords)."""
    model = routing_model_train()
    return model.version if model else None
