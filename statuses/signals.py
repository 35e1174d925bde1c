"""What this app hears from the apps below it: erasures, and forwarding it records."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import ngettext

from administrations.models import Administration
from challenges.models import Challenge, Citizen, Proposal
from challenges.signals import challenge_personal_data_erased, citizen_erased, proposal_forwarded
from moderation.signals import personal_data_erased
from workshops.models import Participant

from . import live
from .models import ItemStatus, Notice, Receipt, ReopenRequest, Unsubscription


def _receipts_delete(receipts: QuerySet[Receipt]) -> None:
    # The receipt's link, its notices and any address left for them (they cascade); an
    # answer given through it stays with the administration, from nobody. A page still
    # open on it hears that the link is gone, as when it is withdrawn.
    tokens = list(receipts.values_list("token", flat=True))
    receipts.delete()

    def tell() -> None:
        for token in tokens:
            live.receipt_revoked_publish(token=token)

    transaction.on_commit(tell)


def _erase(sender: Any, participant: Participant, **kwargs: Any) -> None:
    # The public statuses themselves hold nothing personal and stay.
    _receipts_delete(Receipt.objects.filter(participant=participant))


def _citizen_erased(sender: Any, citizen: Citizen, **kwargs: Any) -> None:
    _receipts_delete(Receipt.objects.filter(citizen=citizen))


def _challenge_erased(sender: Any, challenge: Challenge, **kwargs: Any) -> None:
    # Citizens who take part in other challenges keep their receipts; what tied them to
    # this challenge's proposals goes: the notices about them, the items they stopped
    # mail about, and who answered "did it solve it?".
    content_type = ContentType.objects.get_for_model(Proposal)
    proposal_ids = Proposal.objects.filter(challenge=challenge).values("pk")
    statuses = ItemStatus.objects.filter(content_type=content_type, object_id__in=proposal_ids)
    Notice.objects.filter(receipt__citizen__isnull=False, change__item_status__in=statuses).delete()
    Unsubscription.objects.filter(
        subscription__receipt__citizen__isnull=False,
        content_type=content_type,
        object_id__in=proposal_ids,
    ).delete()
    ReopenRequest.objects.filter(receipt__citizen__isnull=False, item_status__in=statuses).update(
        receipt=None
    )


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
    citizen_erased.connect(_citizen_erased, dispatch_uid="statuses.erase_citizen_receipts")
    challenge_personal_data_erased.connect(
        _challenge_erased, dispatch_uid="statuses.erase_challenge_links"
    )
    proposal_forwarded.connect(_proposal_forwarded, dispatch_uid="statuses.proposal_forwarded")
