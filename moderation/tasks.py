"""Background jobs of the moderation app."""

from __future__ import annotations

from django_tasks import task

from .services import retention_due, workshop_erase_personal_data


@task()
def personal_data_expired_erase() -> int:
    """Erase the personal data of every workshop past its retention; idempotent."""
    erased = 0
    for workshop in retention_due():
        erased += workshop_erase_personal_data(workshop=workshop)
    return erased
