"""Background jobs of the challenges: the time-based transitions, and retention."""

from __future__ import annotations

from django_tasks import task

from .services import (
    challenge_erase_personal_data,
    challenges_retention_due,
    proposals_expire_due,
    proposals_forward_due,
)


@task()
def challenges_transitions_run() -> dict[str, int]:
    """Forward proposals that reached their threshold; expire those below it at closing.

    Idempotent: a second run finds nothing left to do.
    """
    return {"forwarded": proposals_forward_due(), "expired": proposals_expire_due()}


@task()
def challenges_personal_data_expired_erase() -> int:
    """Erase the personal data of every challenge past its retention; idempotent."""
    erased = 0
    for challenge in challenges_retention_due():
        erased += challenge_erase_personal_data(challenge=challenge)
    return erased
