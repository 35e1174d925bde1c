"""Receipts and addresses go with the participant's personal data."""

from __future__ import annotations

from typing import Any

from moderation.signals import personal_data_erased
from workshops.models import Participant

from .models import Receipt


def _erase(sender: Any, participant: Participant, **kwargs: Any) -> None:
    # The receipt's link, its notices and any address left for them; the public
    # statuses themselves hold nothing personal and stay.
    Receipt.objects.filter(participant=participant).delete()


def connect() -> None:
    personal_data_erased.connect(_erase, dispatch_uid="statuses.erase_receipts")
