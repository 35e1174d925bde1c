"""Background jobs of the challenges: the time-based transitions."""

from __future__ import annotations

from django_tasks import task

from .services import proposals_expire_due, proposals_forward_due


@task()
def challenges_transitions_run() -> dict[str, int]:
    """Forward proposals that reached their threshold; expire those below it at closing.

    Idempotent: a second run finds nothing left to do.
    """
    return {"forwarded": proposals_forward_due(), "expired": proposals_expire_due()}
