"""What this app hears from the apps below it: erasure, and forwarding it records."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import ngettext

from administrations.models import Administration
from challenges.models import Proposal
from challenges.signals import proposal_forwarded
from moderation.signals import personal_data_erased
from workshops.models import Participant

from .models import Receipt


def _erase(sender: Any, participant: Participant, **kwargs: Any) -> None:
    # The receipt's link, its notices and any address left for them; the public
    # statuses themselves hold nothing personal and stay.
    Receipt.objects.filter(participant=participant).delete()


def _proposal_forwarded(
    sender: Any, proposal: Proposal, administration: Administration, **kwargs: Any
) -> None:
    # The threshold forwards by itself: the timeline, the receipts and Open311 show it
    # as a "forwarded" step signed by the administration it went to.
    from .services import item_forwarded_record

    with translation.override(proposal.challenge.language):
        note = ngettext(
            "It reached the challenge's threshold of %(threshold)d supporter and was "
            "forwarded for formal treatment.",
            "It reached the challenge's threshold of %(threshold)d supporters and was "
            "forwarded for formal treatment.",
            proposal.challenge.threshold,
        ) % {"threshold": proposal.challenge.threshold}
    item_forwarded_record(item=proposal, administration=administration, note=note)


def connect() -> None:
    personal_data_erased.connect(_erase, dispatch_uid="statuses.erase_receipts")
    proposal_forwarded.connect(_proposal_forwarded, dispatch_uid="statuses.proposal_forwarded")
