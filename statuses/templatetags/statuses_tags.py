"""The status of an item, for pages of the apps below that show it (a proposal's page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from challenges.models import Proposal
from challenges.selectors import citizen_from_session

from ..kinds import citizen_proposals
from ..models import Status
from ..registry import kind_of
from ..room import receipt_offer
from ..selectors import item_status_of, timeline_of
from ..services import receipt_for_citizen

register = template.Library()


@register.simple_tag
def item_status(item: Any) -> dict[str, Any]:
    kind = kind_of(item)
    status = item_status_of(item=item)
    return {
        "label": Status(status.status).label if status else Status.RECEIVED.label,
        "status": status,
        "timeline": timeline_of(item=item) if status else [],
        "received_at": kind.created_at(item),
        "url": reverse("statuses:item", kwargs={"kind": kind.key, "item_id": item.pk}),
    }


@register.simple_tag(takes_context=True)
def receipt_of_viewer(context: Any, proposal: Proposal) -> dict[str, str] | None:
    """The viewer's receipt, on the page of a proposal they wrote, co-sponsor or support.

    So it is offered, link and QR code, right after proposing or supporting: the page
    the browser returns to. Made here the first time; None for anyone else.
    """
    request = context.get("request")
    citizen = citizen_from_session(session=request.session) if request is not None else None
    if citizen is None:
        return None
    if not citizen_proposals(citizen_id=citizen.pk).filter(pk=proposal.pk).exists():
        return None
    return receipt_offer(request, receipt_for_citizen(citizen=citizen))
