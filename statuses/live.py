"""Telling open receipt pages of a change, over the channel layer.

Each open receipt page listens on one group per item it shows, so a change reaches
every open page behind the item with one message, however many there are.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .models import StatusChange
from .serializers import change_as_dict, item_status_as_dict


def item_group(key: str) -> str:
    return f"status.{key}"


def receipt_group(token: str) -> str:
    return f"receipt.{token}"


def status_changed_publish(*, change: StatusChange) -> None:
    """After commit: every open page showing the item hears of it; the worker tells the rest."""
    from .tasks import status_change_tell

    item_status = change.item_status
    key = _key_of(item_status)
    message: dict[str, Any] = {
        "type": "status.event",
        "event": {
            "type": "status.changed",
            "data": {
                "key": key,
                "item": item_status_as_dict(item_status),
                "change": change_as_dict(change),
            },
        },
    }
    change_id = change.pk

    def send() -> None:
        _send(item_group(key), message)
        status_change_tell.enqueue(change_id=change_id)

    transaction.on_commit(send)


def receipt_revoked_publish(*, token: str) -> None:
    _send(receipt_group(token), {"type": "receipt.revoked"})


def _key_of(item_status: Any) -> str:
    from .registry import KINDS

    model = item_status.content_type.model_class()
    for kind in KINDS.values():
        if kind.model is model:
            return f"{kind.key}-{item_status.object_id}"
    return f"{item_status.content_type.model}-{item_status.object_id}"


def _send(group: str, message: dict[str, Any]) -> None:
    async_to_sync(get_channel_layer().group_send)(group, message)
