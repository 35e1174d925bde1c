"""The citizen's receipt, offered in the live room: its link and a QR code on the phone."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from workshops.actors import Actor
from workshops.links import absolute_url
from workshops.phases import Phase

from .models import Receipt
from .services import receipt_for_participant


def receipt_offer(request: HttpRequest, receipt: Receipt) -> dict[str, str]:
    """What a phone needs to show and keep a receipt: its token, link and QR code."""
    return {
        "token": receipt.token,
        "url": absolute_url(request, reverse("statuses:receipt", kwargs={"token": receipt.token})),
        "qr_url": reverse("statuses:receipt_qr", kwargs={"token": receipt.token}),
    }


def room_panel_context(
    request: HttpRequest, actor: Actor, context: dict[str, Any]
) -> dict[str, Any]:
    """A closed room shows every participant their receipt, made here if need be.

    While the room runs this asks the database nothing, so a join costs no more: the
    room's script asks for the receipt once the phone has posted an idea.
    """
    participant = actor.participant
    if participant is None or actor.workshop.phase != Phase.CLOSED:
        return {"statuses_receipt": None}
    receipt = receipt_for_participant(participant=participant)
    return {"statuses_receipt": receipt_offer(request, receipt)}
