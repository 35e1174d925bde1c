"""Retention beyond the workshops: apps above this one register what else expires.

`manage.py erase_expired_personal_data` erases the workshops' personal data and then
every sweep registered here (from an app's `AppConfig.ready()`), so one command,
run once a day where no background worker runs, covers everything with a retention
period, and this app never imports the apps that build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RetentionSweep:
    # What one due thing is called in the command's output, e.g. "challenge".
    noun: str
    # Who is erased in it, e.g. "citizens".
    people: str
    due: Callable[[], list[Any]]
    # Erases one due thing; returns how many people it concerned. Idempotent.
    erase: Callable[[Any], int]
    name_of: Callable[[Any], str]


SWEEPS: dict[str, RetentionSweep] = {}


def retention_register(sweep: RetentionSweep) -> None:
    """Add a sweep to the retention command; registering twice keeps one."""
    SWEEPS[sweep.noun] = sweep
